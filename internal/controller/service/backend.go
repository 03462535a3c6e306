package service

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/controller/awsstate"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// Backend manages the cluster's shared backend SG.
type Backend struct {
	mu          sync.Mutex
	aws         *awsstate.Provider
	reg         *registry.Registry
	kube        client.Reader
	configured  string // --backend-security-group
	defaultTags map[string]string
	defaults    model.Defaults
}

// NewBackend builds the backend SG manager.
func NewBackend(aws *awsstate.Provider, reg *registry.Registry, kube client.Reader, configured string, d model.Defaults) *Backend {
	return &Backend{aws: aws, reg: reg, kube: kube, configured: configured, defaultTags: d.DefaultTags, defaults: d}
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
	complete, err := Complete(ctx, b.kube, b.reg, b.defaults)
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

// Complete reports whether every Service that is handled or holds the
// finalizer has reported to the registry since start: only then may rules
// or the backend SG be removed on the registry's word.
func Complete(ctx context.Context, kube client.Reader, reg *registry.Registry, d model.Defaults) (bool, error) {
	var list corev1.ServiceList
	if err := kube.List(ctx, &list); err != nil {
		return false, err
	}
	for i := range list.Items {
		svc := &list.Items[i]
		if !model.Handled(svc, d) && !controllerutil.ContainsFinalizer(svc, naming.FinalizerService) {
			continue
		}
		if !reg.Known(naming.ServiceStack(svc.Namespace, svc.Name).ID()) {
			return false, nil
		}
	}
	return !reg.Held(), nil
}
