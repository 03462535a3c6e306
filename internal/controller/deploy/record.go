package deploy

import (
	"context"

	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// Record keeps, per stack key, the plan.Fingerprint of the model last
// applied in full (internal/controller/applied keeps it in a ConfigMap).
// A restart trusts it instead of reading every stack's listeners, rules,
// attributes and targets, which at ELBv2's read rate takes minutes at
// 1,000 load balancers.
//
// Crash safety: a record is cleared, durably, before the stack's
// load-balancing resources are changed, and set again only once every
// change succeeded; a record therefore never describes a half-applied
// stack.
type Record interface {
	Get(ctx context.Context, key string) (fp string, ok bool, err error)
	Clear(ctx context.Context, key string) error
	Set(key, fp string)
}

// fingerprint of desired as the deployer applies it.
func (d *Deployer) fingerprint(desired model.Stack, managedID, backendID string) string {
	return plan.Fingerprint(desired, managedID, backendID, d.Defaults.ClusterName, d.Defaults.ExternalManagedTags)
}

// applyRecorded converges a stack that this process has not read yet and
// whose record matches desired, from the batched listings alone: the
// load-balancing side is as recorded (only checked against the listings),
// the managed SG is diffed from the SG cache. ok is false when the fast
// path does not apply (no record, a different fingerprint, listings that
// disagree, a managed SG to create or delete); the caller then reads the
// stack in full.
func (d *Deployer) applyRecorded(ctx context.Context, stack naming.Stack, desired model.Stack, backendID string) (applied Applied, ok bool, err error) {
	if d.Record == nil || desired.LoadBalancer == nil {
		return Applied{}, false, nil
	}
	snap, listed, err := d.AWS.Listed(ctx, stack)
	if err != nil || !listed || snap.LoadBalancer == nil {
		return Applied{}, false, err
	}
	rec, has, err := d.Record.Get(ctx, stack.Key())
	if err != nil {
		logf.FromContext(ctx).Info("applied-state record unreadable, reading the stack from AWS", "reason", err.Error())
		return Applied{}, false, nil
	}
	if !has {
		return Applied{}, false, nil
	}
	managedID := ""
	switch {
	case desired.ManagedSG != nil && len(snap.ManagedSGs) == 1:
		managedID = snap.ManagedSGs[0].ID
	case len(snap.ManagedSGs) > 0:
		return Applied{}, false, nil // one to create, or to delete
	}
	if d.fingerprint(desired, managedID, backendID) != rec {
		return Applied{}, false, nil
	}
	snap.BackendSG = backendID
	snap.Cluster, snap.ExternalManagedTags = d.Defaults.ClusterName, d.Defaults.ExternalManagedTags
	if !plan.IndexAgrees(desired, snap) {
		return Applied{}, false, nil
	}
	ex := newExecutor(d.AWS, desired, snap, backendID)
	if err := ex.run(ctx, plan.DiffManagedSG(desired, snap), func(plan.Action) bool { return true }); err != nil {
		return Applied{}, true, err
	}
	d.Publish(stack, desired, backendID, managedID)
	applied = Applied{DNSName: snap.LoadBalancer.DNSName}
	if f := snap.Frontend; f != nil && f.LoadBalancer != nil {
		applied.FrontendDNSName = f.LoadBalancer.DNSName
	}
	return applied, true, nil
}
