package applied

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

const (
	// namePrefix + cluster is the ConfigMap's name; the chart's
	// applied-rbac.yaml grants get and update on exactly that name.
	namePrefix = "lbsg-applied-"
	// dataKey holds the record: a JSON object of stack key → fingerprint.
	// (ConfigMap data keys cannot hold the stack keys' ':' and '/'.)
	dataKey = "stacks"
	// managedByLabel marks the ConfigMap as lbsg's.
	managedByLabel, managedBy = "app.kubernetes.io/managed-by", "lbsg"
	// clusterAnnotation names the cluster whose controller keeps the record.
	clusterAnnotation = "lbsg.k8s.aws/cluster-name"

	// podNamespaceEnv is set by the downward API where --leader-election-namespace is not.
	podNamespaceEnv = "POD_NAMESPACE"
	// defaultNamespace is the last resort of Namespace.
	defaultNamespace = "kube-system"

	// flushDelay batches Sets: a Set is written at most about this long after it.
	flushDelay = time.Second
	// Failed flushes are retried after minBackoff, doubling up to maxBackoff.
	minBackoff, maxBackoff = time.Second, time.Minute
	// finalFlushTimeout bounds the last flush when Start's context ends
	// (the manager releases the lease only after Start returns).
	finalFlushTimeout = 5 * time.Second
	// writeAttempts bounds one write's Conflict/NotFound/AlreadyExists retries.
	writeAttempts = 5
)

// serviceAccountNamespaceFile is the in-cluster namespace of the pod; a
// variable so tests can point it elsewhere.
var serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

var (
	_ manager.Runnable               = (*Store)(nil)
	_ manager.LeaderElectionRunnable = (*Store)(nil)
)

// Store is a cluster's record of applied stack fingerprints, kept in one
// ConfigMap. Its methods are safe for concurrent use.
type Store struct {
	c                        client.Client
	namespace, name, cluster string
	delay                    time.Duration // flushDelay; shorter in tests

	// io serialises every API call (the load and the writes): a buffered
	// channel of one, so waiting for it honours contexts. cm, the ConfigMap
	// last read or written (nil: none known to exist), is guarded by io.
	io chan struct{}
	cm *corev1.ConfigMap

	// kick wakes the flusher after a Set.
	kick chan struct{}

	mu     sync.Mutex
	loaded bool
	// stacks is the record as it should be: after the load, the leader's
	// truth. Sets made before the load are kept in early and applied over
	// the loaded record.
	stacks, early map[string]string
	// durable is what the ConfigMap holds when durableKnown; a write that
	// failed leaves it unknown (it may have landed) until the next success.
	durable      map[string]string
	durableKnown bool
	// inflight is the snapshot being written, nil between writes.
	inflight map[string]string
	// gen counts changes to stacks; written is the gen of the newest
	// snapshot known to be stored.
	gen, written uint64
}

// New returns the record of cluster's controller, kept in ConfigMap
// Name(cluster) in namespace; c must read from the API server directly (not
// a cache: a cached client would watch every ConfigMap in the cluster, which
// the chart's RBAC does not allow).
func New(c client.Client, namespace, cluster string) *Store {
	return &Store{
		c: c, namespace: namespace, name: Name(cluster), cluster: cluster, delay: flushDelay,
		io: make(chan struct{}, 1), kick: make(chan struct{}, 1),
		stacks: map[string]string{}, early: map[string]string{},
	}
}

// Name is the ConfigMap's name: "lbsg-applied-" + cluster.
func Name(cluster string) string { return namePrefix + cluster }

// Namespace picks where the record lives: flag (the controller's
// --leader-election-namespace) if set, else env POD_NAMESPACE, else the
// in-cluster service-account namespace file if readable, else "kube-system".
func Namespace(flag string) string {
	if flag != "" {
		return flag
	}
	if ns := os.Getenv(podNamespaceEnv); ns != "" {
		return ns
	}
	if b, err := os.ReadFile(serviceAccountNamespaceFile); err == nil {
		if ns := strings.TrimSpace(string(b)); ns != "" {
			return ns
		}
	}
	return defaultNamespace
}

// Get returns the fingerprint recorded for key. The ConfigMap is read once,
// on first use (missing = empty record); a failed read is returned (callers
// then treat the stack as unrecorded) and retried on the next Get.
func (s *Store) Get(ctx context.Context, key string) (fp string, ok bool, err error) {
	if err := s.load(ctx); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fp, ok = s.stacks[key]
	return fp, ok, nil
}

// Clear removes key's record and returns only once the ConfigMap without it
// is stored (callers mutate AWS after it returns), or with an error: the
// read or the write failed, or ctx ended. There is no write when the stored
// record has no entry for key (a Set not yet flushed is simply dropped).
// Concurrent Clears are batched: whichever holds the write slot writes the
// whole current record, covering every Clear made before it, and the others
// return as soon as such a write succeeded. Clear writes itself and so
// works whether or not Start runs.
func (s *Store) Clear(ctx context.Context, key string) error {
	if err := s.load(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	_, had := s.stacks[key]
	delete(s.stacks, key)
	if had {
		s.gen++
	}
	_, stored := s.durable[key]
	_, writing := s.inflight[key]
	if s.durableKnown && !stored && !writing {
		s.mu.Unlock()
		return nil
	}
	if !had {
		// Nothing changed in memory, but the stored record still has key (or
		// may have): the next write must happen after this point.
		s.gen++
	}
	want := s.gen
	s.mu.Unlock()
	for {
		if err := s.acquire(ctx); err != nil {
			return fmt.Errorf("clearing the applied record of %s: %w", key, err)
		}
		s.mu.Lock()
		done := s.written >= want
		s.mu.Unlock()
		if done { // another Clear's or the flusher's write covered this one
			s.release()
			return nil
		}
		err := s.flushLocked(ctx)
		s.release()
		if err != nil {
			return fmt.Errorf("clearing the applied record of %s: %w", key, err)
		}
	}
}

// Set records fp for key; it is written asynchronously by Start's flusher,
// batched, at most about a second later. Losing a Set (a crash, or no
// flusher running) only costs a full read later, so it is fire-and-forget;
// failed writes are retried with backoff.
func (s *Store) Set(key, fp string) {
	s.mu.Lock()
	if !s.loaded {
		s.early[key] = fp
		s.stacks[key] = fp
		s.gen++
	} else if cur, ok := s.stacks[key]; !ok || cur != fp {
		s.stacks[key] = fp
		s.gen++
	}
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// NeedLeaderElection makes the manager run Start only on the leader: only
// the leader writes the record.
func (s *Store) NeedLeaderElection() bool { return true }

// Start runs the flusher until ctx ends: it writes the record about a second
// after a Set (batching the Sets made meanwhile) and retries failed writes
// with backoff. When ctx ends it makes one last bounded flush, so Sets of
// the final second survive a graceful restart (the manager releases the
// lease only after Start returns), and returns nil. Clear does not need
// Start. Run one flusher per Store.
func (s *Store) Start(ctx context.Context) error {
	logger := log.FromContext(ctx).WithValues("configmap", s.namespace+"/"+s.name)
	backoff := time.Duration(0) // > 0: the last flush failed
	for {
		wait := s.delay
		if backoff > 0 {
			wait = backoff
		} else {
			select {
			case <-ctx.Done():
				return s.finalFlush(ctx)
			case <-s.kick:
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return s.finalFlush(ctx)
		case <-t.C:
		}
		if err := s.flush(ctx); err != nil {
			if ctx.Err() != nil {
				return s.finalFlush(ctx)
			}
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			logger.Error(err, "writing the applied record failed; retrying", "after", backoff)
			continue
		}
		backoff = 0
	}
}

// finalFlush writes what is pending when Start's context has ended.
func (s *Store) finalFlush(ctx context.Context) error {
	s.mu.Lock()
	pending := s.written < s.gen
	s.mu.Unlock()
	if !pending {
		return nil
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
	defer cancel()
	if err := s.flush(fctx); err != nil {
		log.FromContext(ctx).Error(err, "writing the applied record at shutdown failed", "configmap", s.namespace+"/"+s.name)
	}
	return nil
}

// flush writes the current record if it has changes not yet stored.
func (s *Store) flush(ctx context.Context) error {
	if err := s.load(ctx); err != nil {
		return err
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	return s.flushLocked(ctx)
}

// flushLocked writes a snapshot of stacks, holding the io slot; the caller
// has loaded the record.
func (s *Store) flushLocked(ctx context.Context) error {
	s.mu.Lock()
	gen := s.gen
	if gen <= s.written {
		s.mu.Unlock()
		return nil
	}
	snap := maps.Clone(s.stacks)
	if s.durableKnown && maps.Equal(snap, s.durable) {
		s.written = gen
		s.mu.Unlock()
		return nil
	}
	s.inflight = snap
	s.mu.Unlock()

	err := s.write(ctx, snap)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight = nil
	if err != nil {
		s.durableKnown = false
		return err
	}
	s.durable, s.durableKnown = snap, true
	s.written = max(s.written, gen)
	return nil
}

// write stores snap as the whole record, creating the ConfigMap if needed.
// A Conflict (someone else updated it) re-reads the resourceVersion and
// rewrites: the leader's record wins. Holds the io slot.
func (s *Store) write(ctx context.Context, snap map[string]string) error {
	data, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encoding the applied record: %w", err)
	}
	var last error
	for range writeAttempts {
		if s.cm == nil {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: s.namespace, Name: s.name}}
			s.stamp(cm, data)
			err := s.c.Create(ctx, cm)
			if err == nil {
				s.cm = cm
				return nil
			}
			last = fmt.Errorf("creating ConfigMap %s/%s: %w", s.namespace, s.name, err)
			if !apierrors.IsAlreadyExists(err) {
				return last
			}
		} else {
			cm := s.cm.DeepCopy()
			s.stamp(cm, data)
			err := s.c.Update(ctx, cm)
			if err == nil {
				s.cm = cm
				return nil
			}
			last = fmt.Errorf("updating ConfigMap %s/%s: %w", s.namespace, s.name, err)
			if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
				return last
			}
		}
		// Someone else created, changed or deleted it: re-read and retry.
		cm, err := s.read(ctx)
		if err != nil {
			return err
		}
		s.cm = cm
	}
	return fmt.Errorf("after %d attempts: %w", writeAttempts, last)
}

// stamp sets the record, label and annotation on cm.
func (s *Store) stamp(cm *corev1.ConfigMap, data []byte) {
	if cm.Labels == nil {
		cm.Labels = map[string]string{}
	}
	cm.Labels[managedByLabel] = managedBy
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[clusterAnnotation] = s.cluster
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	cm.Data[dataKey] = string(data)
}

// read returns the ConfigMap, nil if it does not exist. Holds the io slot.
func (s *Store) read(ctx context.Context) (*corev1.ConfigMap, error) {
	cm := &corev1.ConfigMap{}
	err := s.c.Get(ctx, client.ObjectKey{Namespace: s.namespace, Name: s.name}, cm)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading ConfigMap %s/%s: %w", s.namespace, s.name, err)
	}
	return cm, nil
}

// load reads the ConfigMap once; concurrent first callers share one read,
// and a failed read is retried by the next caller.
func (s *Store) load(ctx context.Context) error {
	s.mu.Lock()
	loaded := s.loaded
	s.mu.Unlock()
	if loaded {
		return nil
	}
	if err := s.acquire(ctx); err != nil {
		return fmt.Errorf("reading the applied record: %w", err)
	}
	defer s.release()
	s.mu.Lock()
	loaded = s.loaded
	s.mu.Unlock()
	if loaded {
		return nil
	}
	cm, err := s.read(ctx)
	if err != nil {
		return err
	}
	stored := map[string]string{}
	if cm != nil {
		if raw, ok := cm.Data[dataKey]; ok {
			if err := json.Unmarshal([]byte(raw), &stored); err != nil {
				// Unreadable: treat as empty (every stack is read in full)
				// and let the next write replace it.
				log.FromContext(ctx).Error(err, "ignoring an unreadable applied record", "configmap", s.namespace+"/"+s.name)
				stored = map[string]string{}
			}
		}
	}
	s.cm = cm
	s.mu.Lock()
	defer s.mu.Unlock()
	s.durable, s.durableKnown = maps.Clone(stored), true
	s.stacks = stored
	maps.Copy(s.stacks, s.early) // Sets made before the load are newer
	s.early = nil
	if maps.Equal(s.stacks, s.durable) {
		s.written = s.gen // else the early Sets made gen > written
	}
	s.loaded = true
	return nil
}

func (s *Store) acquire(ctx context.Context) error {
	select {
	case s.io <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (s *Store) release() { <-s.io }
