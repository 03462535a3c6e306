package webhook

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/lbsg/lbsg/internal/annotations"
)

// LBC's QUIC server ID layout: 39 bits of milliseconds since quicEpoch, 17
// bits of worker ID (one per controller process, handed out by a
// ConfigMap), 7 bits of sequence; the 8 bytes big-endian, base64.
const (
	quicEpochMillis = 1577836800000 // 2020-01-01T00:00:00Z
	quicWorkerBits  = 17
	quicSeqBits     = 7
	quicMaxWorker   = 1<<quicWorkerBits - 1
	quicMaxSeq      = 1<<quicSeqBits - 1
)

// The ConfigMap LBC keeps the next worker ID in (same object, so LBC and
// lbsg processes never share a worker ID during a migration).
const (
	WorkerConfigMapNamespace = "kube-system"
	WorkerConfigMapName      = "quic-server-id-worker-tracker"
	workerConfigMapKey       = "nextWorkerId"
)

// podServerID is the /mutate-v1-pod-server-id handler.
type podServerID struct {
	dec admission.Decoder
	env string
	ids *serverIDs
}

func (h *podServerID) Handle(ctx context.Context, req admission.Request) admission.Response {
	pod := &corev1.Pod{}
	if err := h.dec.Decode(req, pod); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if string(req.Operation) != "CREATE" {
		return admission.Allowed("")
	}
	changed, err := InjectServerIDs(pod, h.env, func() (string, error) { return h.ids.next(ctx) })
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	if !changed {
		return admission.Allowed("")
	}
	return patched(req, pod)
}

// InjectServerIDs gives each container and init container named in the
// pod's quic-enabled-containers annotation the variable env with a new
// server ID, unless it has that variable already (LBC's rules). It reports
// whether pod changed.
func InjectServerIDs(pod *corev1.Pod, env string, next func() (string, error)) (bool, error) {
	list, ok := pod.Annotations[annotations.PodQUICEnabledContainers]
	if !ok {
		return false, nil
	}
	names := map[string]bool{}
	for n := range strings.SplitSeq(list, ",") {
		names[n] = true
	}
	changed := false
	add := func(cs []corev1.Container) error {
		for i := range cs {
			c := &cs[i]
			if !names[c.Name] || hasEnv(c, env) {
				continue
			}
			id, err := next()
			if err != nil {
				return err
			}
			c.Env = append(c.Env, corev1.EnvVar{Name: env, Value: id})
			changed = true
		}
		return nil
	}
	if err := add(pod.Spec.Containers); err != nil {
		return false, err
	}
	if err := add(pod.Spec.InitContainers); err != nil {
		return false, err
	}
	return changed, nil
}

func hasEnv(c *corev1.Container, name string) bool {
	for _, e := range c.Env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// serverIDs generates LBC-format server IDs; the worker ID is taken from
// the ConfigMap on first use.
type serverIDs struct {
	kube   client.Client
	reader client.Reader
	now    func() time.Time
	rand   func(n int64) int64

	mu     sync.Mutex
	worker int64
	have   bool
	seq    int64
	last   int64
}

func newServerIDs(kube client.Client, reader client.Reader) *serverIDs {
	return &serverIDs{kube: kube, reader: reader, now: time.Now, rand: rand.Int64N}
}

func (g *serverIDs) next(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.have {
		w, err := g.takeWorkerID(ctx)
		if err != nil {
			return "", err
		}
		g.worker, g.have = w, true
	}
	ts := g.now().UnixMilli()
	if ts < g.last {
		ts = g.last // the clock stepped back: stay on the last millisecond
	}
	if ts == g.last {
		g.seq = (g.seq + 1) & quicMaxSeq
		if g.seq == 0 {
			// 128 IDs in one millisecond: borrow the next one (LBC waits
			// for it instead).
			ts++
			g.seq = g.rand(quicMaxSeq)
		}
	} else {
		g.seq = g.rand(quicMaxSeq)
	}
	g.last = ts
	return FormatServerID(ts, g.worker, g.seq), nil
}

// FormatServerID is LBC's encoding of a server ID.
func FormatServerID(unixMillis, worker, seq int64) string {
	id := (unixMillis-quicEpochMillis)<<(quicWorkerBits+quicSeqBits) | worker<<quicSeqBits | seq
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(id))
	return base64.StdEncoding.EncodeToString(b)
}

// takeWorkerID reads the next worker ID from the ConfigMap (a random one
// when there is none) and stores its successor, as LBC does; a conflicting
// write by another process is retried.
func (g *serverIDs) takeWorkerID(ctx context.Context) (int64, error) {
	if g.kube == nil || g.reader == nil {
		return 0, errors.New("no client for the QUIC worker-ID ConfigMap")
	}
	for range 5 {
		cm := &corev1.ConfigMap{}
		err := g.reader.Get(ctx, client.ObjectKey{Namespace: WorkerConfigMapNamespace, Name: WorkerConfigMapName}, cm)
		if err != nil && !apierrors.IsNotFound(err) {
			return 0, err
		}
		var id int64
		raw, ok := cm.Data[workerConfigMapKey]
		if ok {
			if id, err = strconv.ParseInt(raw, 10, 64); err != nil {
				return 0, err
			}
		} else {
			id = g.rand(quicMaxWorker + 1)
		}
		next := strconv.FormatInt((id+1)%quicMaxWorker, 10)
		if cm.Name == "" {
			cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: WorkerConfigMapNamespace, Name: WorkerConfigMapName},
				Data: map[string]string{workerConfigMapKey: next}}
			err = g.kube.Create(ctx, cm)
		} else {
			if cm.Data == nil {
				cm.Data = map[string]string{}
			}
			cm.Data[workerConfigMapKey] = next
			err = g.kube.Update(ctx, cm)
		}
		switch {
		case err == nil:
			return id & quicMaxWorker, nil
		case apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err):
			continue
		default:
			return 0, err
		}
	}
	return 0, errors.New("the QUIC worker-ID ConfigMap kept changing under us")
}
