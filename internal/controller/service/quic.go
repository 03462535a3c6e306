package service

import (
	"context"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/model"
)

// +kubebuilder:rbac:groups="",resources=pods,verbs=get

// QUICPods remembers the QUIC server IDs of the pods behind Services with
// QUIC ports (or behind a Gateway's QUIC listeners), by pod UID. A pod's containers (and so its ID variable) are
// fixed for its life, so each pod is read once, through an uncached
// reader: no pod informer, no pod cache of the whole cluster. Endpoint
// changes already enqueue the Service; a resync reads nothing.
type QUICPods struct {
	mu   sync.Mutex
	byID map[types.NamespacedName]map[string]*model.PodQUIC // Service → pod UID → IDs (nil: none)
}

// hasQUICPorts reports whether svc asks for QUIC listeners.
func hasQUICPorts(svc *corev1.Service) bool {
	return strings.TrimSpace(svc.Annotations[annotations.SvcQUICEnabledPorts]) != ""
}

// Fill sets the QUIC server IDs of eps (the endpoints of svc) from their
// pods, reading through pods only the pods it has not seen; it forgets the
// pods svc no longer has. A pod that is gone, or has another UID, has none.
func (q *QUICPods) Fill(ctx context.Context, pods client.Reader, svc *corev1.Service, eps []model.Endpoint) error {
	key := client.ObjectKeyFromObject(svc)
	q.mu.Lock()
	known := q.byID[key]
	q.mu.Unlock()
	next := map[string]*model.PodQUIC{}
	for i := range eps {
		e := &eps[i]
		if e.Pod == "" || e.PodUID == "" {
			continue
		}
		ids, ok := next[e.PodUID]
		if !ok {
			if ids, ok = known[e.PodUID]; !ok {
				var err error
				if ids, err = readPodQUIC(ctx, pods, svc.Namespace, e.Pod, e.PodUID); err != nil {
					return err
				}
			}
			next[e.PodUID] = ids
		}
		e.QUIC = ids
	}
	q.mu.Lock()
	if q.byID == nil {
		q.byID = map[types.NamespacedName]map[string]*model.PodQUIC{}
	}
	q.byID[key] = next
	q.mu.Unlock()
	return nil
}

// Forget drops what Fill remembers of a Service.
func (q *QUICPods) Forget(key types.NamespacedName) {
	q.mu.Lock()
	delete(q.byID, key)
	q.mu.Unlock()
}

func readPodQUIC(ctx context.Context, pods client.Reader, ns, name, uid string) (*model.PodQUIC, error) {
	var pod corev1.Pod
	if err := pods.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &pod); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if string(pod.UID) != uid {
		return nil, nil
	}
	return model.PodQUICServerIDs(&pod), nil
}
