package deploy

import (
	"context"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/naming"
)

// Backend manages the cluster's shared backend SG.
type Backend struct {
	mu          sync.Mutex
	aws         *state.Provider
	reg         *registry.Registry
	owners      *Owners
	configured  string // --backend-security-group
	defaultTags map[string]string
}

// NewBackend builds the backend SG manager; owners is read at each release
// (owners register after the Backend is built).
func NewBackend(aws *state.Provider, reg *registry.Registry, owners *Owners, configured string, defaultTags map[string]string) *Backend {
	return &Backend{aws: aws, reg: reg, owners: owners, configured: configured, defaultTags: defaultTags}
}

// Ensure returns the backend SG ID, creating it on first need.
func (b *Backend) Ensure(ctx context.Context) (string, error) {
	if b.configured != "" {
		return b.configured, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.aws.EnsureBackendSG(ctx, b.defaultTags)
}

// Current returns the backend SG ID without creating it ("" if none).
func (b *Backend) Current(ctx context.Context) (string, error) {
	if b.configured != "" {
		return b.configured, nil
	}
	return b.aws.FindBackendSG(ctx)
}

// ReleaseIfUnused deletes the auto-created backend SG when no stack uses it
// and every Service that may use it has reported since start. It returns
// true when AWS still holds a dependency (requeue).
func (b *Backend) ReleaseIfUnused(ctx context.Context) (bool, error) {
	if b.configured != "" || len(b.reg.BackendUsers()) > 0 {
		return false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	id, err := b.aws.FindBackendSG(ctx)
	if err != nil || id == "" {
		return false, err
	}
	complete, err := b.owners.Complete(ctx, b.reg)
	if err != nil || !complete || len(b.reg.BackendUsers()) > 0 {
		return false, err
	}
	if err := b.aws.DeleteSecurityGroup(ctx, id); err != nil {
		if awserr.Classify(err) == awserr.DependencyViolation {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

// Owners are the kinds of Kubernetes objects that own stacks (Services,
// Ingress groups).
type Owners []Owner

// Owner is one kind of stack owner.
type Owner interface {
	// Stacks lists every stack that is handled or still holds a finalizer:
	// each must have reported to the registry since start before anything
	// is revoked or deleted on the registry's word.
	Stacks(ctx context.Context) ([]naming.Stack, error)
	// Objects returns the stack's objects, for events ("" kind mismatch:
	// none).
	Objects(ctx context.Context, st naming.Stack) ([]client.Object, error)
}

// Complete reports whether every stack of every owner has reported to the
// registry since start: only then may rules or the backend SG be removed
// on the registry's word.
func (o Owners) Complete(ctx context.Context, reg *registry.Registry) (bool, error) {
	for _, owner := range o {
		stacks, err := owner.Stacks(ctx)
		if err != nil {
			return false, err
		}
		for _, st := range stacks {
			if !reg.Known(st.Key()) {
				return false, nil
			}
		}
	}
	return !reg.Held(), nil
}

// Objects returns the objects of a stack, asking every owner.
func (o Owners) Objects(ctx context.Context, st naming.Stack) []client.Object {
	var out []client.Object
	for _, owner := range o {
		objs, err := owner.Objects(ctx, st)
		if err == nil {
			out = append(out, objs...)
		}
	}
	return out
}
