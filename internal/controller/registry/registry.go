package registry

import (
	"context"
	"maps"
	"slices"
	"sync"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/rules"
)

// Entry is what one stack reported.
type Entry struct {
	// Rules per target SG ID.
	Rules map[string]rules.Set
	// UsesBackendSG: the stack's LB carries the backend SG.
	UsesBackendSG bool
	// ManagedSG is the stack's managed SG ID ("" if none).
	ManagedSG string
	// Hold: the stack could not say what it wants (its model failed to
	// build before it ever reported); nothing may be revoked meanwhile.
	Hold bool
	// Watched is what the drift check re-reads of the stack beyond the
	// listings (zero: nothing).
	Watched Watched
}

// Watched is what a stack's desired state asks of facts the listings do
// not show: its ALB's add-ons and the attributes it sets. The drift check
// re-reads exactly these, so a stack that asks for none costs no call.
type Watched struct {
	// Addons as the desired state asks for them (nil members: left alone).
	Addons model.Addons
	// LoadBalancerAttributes the desired load balancer sets.
	LoadBalancerAttributes map[string]string
	// TargetGroupAttributes the desired target groups set, by ARN.
	TargetGroupAttributes map[string]map[string]string
}

// IsZero reports that nothing is watched.
func (w Watched) IsZero() bool {
	return w.Addons.IsZero() && len(w.LoadBalancerAttributes) == 0 && len(w.TargetGroupAttributes) == 0
}

// Registry holds the entries.
type Registry struct {
	mu      sync.RWMutex
	entries map[string]Entry // by stack ID (ns/name)
}

// New returns an empty Registry.
func New() *Registry { return &Registry{entries: map[string]Entry{}} }

// Set records a stack's entry and returns the target SGs whose desired
// rules may have changed (old ∪ new).
func (r *Registry) Set(stack string, e Entry) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.entries[stack]
	r.entries[stack] = e
	return touched(old, e)
}

// Forget drops a stack (deleted and cleaned up) and returns its SGs.
func (r *Registry) Forget(stack string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.entries[stack]
	delete(r.entries, stack)
	if !ok {
		return nil
	}
	return touched(old, Entry{})
}

func touched(a, b Entry) []string {
	set := map[string]bool{}
	for id, s := range a.Rules {
		if !s.Equal(b.Rules[id]) {
			set[id] = true
		}
	}
	for id, s := range b.Rules {
		if !s.Equal(a.Rules[id]) {
			set[id] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Held reports whether some stack holds revocations.
func (r *Registry) Held() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range r.entries {
		if e.Hold {
			return true
		}
	}
	return false
}

// Known reports whether a stack has reported.
func (r *Registry) Known(stack string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.entries[stack]
	return ok
}

// Get returns a stack's entry.
func (r *Registry) Get(stack string) (Entry, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.entries[stack]
	return e, ok
}

// Contributions returns, by stack, the rules each stack wants on sgID.
func (r *Registry) Contributions(sgID string) map[string]rules.Set {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]rules.Set{}
	for stack, e := range r.entries {
		if s, ok := e.Rules[sgID]; ok && len(s) > 0 {
			out[stack] = s.Clone()
		}
	}
	return out
}

// TargetSGs lists every target SG any stack contributes to.
func (r *Registry) TargetSGs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := map[string]bool{}
	for _, e := range r.entries {
		for id := range e.Rules {
			set[id] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// BackendUsers lists the stacks using the backend SG.
func (r *Registry) BackendUsers() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for s, e := range r.entries {
		if e.UsesBackendSG {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Watched returns, by stack, what each stack that watches something
// watches.
func (r *Registry) Watched() map[string]Watched {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]Watched{}
	for stack, e := range r.entries {
		if !e.Watched.IsZero() {
			out[stack] = e.Watched
		}
	}
	return out
}

// Stacks lists the known stacks.
func (r *Registry) Stacks() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.entries))
}

// Trigger enqueues keys into a controller's workqueue from outside its
// watches. Keys enqueued before the controller starts are kept.
type Trigger[K comparable] struct {
	mu      sync.Mutex
	q       workqueue.TypedRateLimitingInterface[K]
	pending []K
}

// Source is the controller-runtime source to pass to WatchesRawSource.
func (t *Trigger[K]) Source() source.TypedSource[K] {
	return source.TypedFunc[K](func(_ context.Context, q workqueue.TypedRateLimitingInterface[K]) error {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.q = q
		for _, k := range t.pending {
			q.Add(k)
		}
		t.pending = nil
		return nil
	})
}

// Enqueue adds keys.
func (t *Trigger[K]) Enqueue(keys ...K) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.q == nil {
		t.pending = append(t.pending, keys...)
		return
	}
	for _, k := range keys {
		t.q.Add(k)
	}
}

// SGKey is the targetsg controller's queue key: one target SG.
type SGKey struct{ GroupID string }
