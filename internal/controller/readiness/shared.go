package readiness

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Every replica serves the webhooks, but only the leader reconciles and so
// fills the Index. The leader publishes the Index's gate names per Service
// in one ConfigMap (SharedName, in the leader-election namespace); a replica
// that is not the leader answers the pod webhook from it.
const (
	// PublishEvery is the most often the leader rewrites the ConfigMap.
	PublishEvery = time.Second
	// SharedTTL is how long another replica trusts its read of it.
	SharedTTL = 2 * time.Second
)

// SharedName is the ConfigMap of the gate names of cluster's stacks.
func SharedName(cluster string) string { return "lbsg-gates-" + cluster }

// sharedKey is a ConfigMap key for a Service: namespace.name (neither holds
// a dot).
func sharedKey(ns, svc string) string { return ns + "." + svc }

// snapshot is the Index as the ConfigMap holds it.
func (x *Index) snapshot() map[string]string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	sets := map[string][]string{}
	for _, gs := range x.byStack {
		for _, g := range gs {
			k := sharedKey(g.Namespace, g.Service)
			if !slices.Contains(sets[k], g.Name) {
				sets[k] = append(sets[k], g.Name)
			}
		}
	}
	out := make(map[string]string, len(sets))
	for k, names := range sets {
		slices.Sort(names)
		out[k] = strings.Join(names, ",")
	}
	return out
}

func (x *Index) setLeader(v bool) {
	x.mu.Lock()
	x.leader = v
	x.mu.Unlock()
}

// Leader reports whether this process fills the Index (its Publisher runs).
func (x *Index) Leader() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.leader
}

// Publisher writes the Index to the shared ConfigMap while this process
// leads.
type Publisher struct {
	Index           *Index
	Kube            client.Client
	Namespace, Name string
}

// NeedLeaderElection: only the leader has an Index to publish.
func (p *Publisher) NeedLeaderElection() bool { return true }

// Start publishes until ctx ends.
func (p *Publisher) Start(ctx context.Context) error {
	p.Index.setLeader(true)
	defer p.Index.setLeader(false)
	t := time.NewTicker(PublishEvery)
	defer t.Stop()
	var written map[string]string
	for {
		if data := p.Index.snapshot(); !maps.Equal(data, written) {
			if err := p.write(ctx, data); err != nil {
				logf.FromContext(ctx).V(1).Info("publishing readiness gates failed; retrying", "error", err.Error())
			} else {
				written = data
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (p *Publisher) write(ctx context.Context, data map[string]string) error {
	cm := &corev1.ConfigMap{}
	err := p.Kube.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Name}, cm)
	if apierrors.IsNotFound(err) {
		cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "lbsg"}}, Data: data}
		return p.Kube.Create(ctx, cm)
	}
	if err != nil {
		return err
	}
	if maps.Equal(cm.Data, data) {
		return nil
	}
	cm.Data = data
	return p.Kube.Update(ctx, cm)
}

// Shared reads the leader's ConfigMap, at most once per SharedTTL.
type Shared struct {
	Reader          client.Reader
	Namespace, Name string

	mu   sync.Mutex
	at   time.Time
	data map[string]string
}

// ofService returns the gate names the leader published for ns/svc.
func (s *Shared) ofService(ctx context.Context, ns, svc string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil || time.Since(s.at) > SharedTTL {
		cm := &corev1.ConfigMap{}
		err := s.Reader.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: s.Name}, cm)
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, err
		}
		s.data, s.at = cm.Data, time.Now()
		if s.data == nil {
			s.data = map[string]string{}
		}
	}
	v := s.data[sharedKey(ns, svc)]
	if v == "" {
		return nil, nil
	}
	return strings.Split(v, ","), nil
}
