package deploy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// DependencyRequeue is how soon to retry a delete AWS refused because
// something still references the resource (ENIs detaching, rules citing
// the SG, a listener on the TG).
const DependencyRequeue = 5 * time.Second

// Deployer applies Stacks. It is shared by the reconcilers.
type Deployer struct {
	AWS      *state.Provider
	Registry *registry.Registry
	Backend  *Backend
	// TargetSGs enqueues target SGs into the targetsg controller.
	TargetSGs *registry.Trigger[registry.SGKey]
	Events    *events.Recorder
	Defaults  model.Defaults
	// Record of what was applied (nil: none; every stack is read in full
	// on its first reconcile).
	Record Record
	// Tracked keeps the targets this cluster registered in multi-cluster
	// target groups (nil: none kept, and such groups deregister nothing).
	Tracked *multicluster.Store
	// Readiness receives the stacks' ip target groups (nil: no readiness
	// gates).
	Readiness *readiness.Index
}

// Apply converges AWS to desired and returns the load balancer's DNS name.
// It creates the backend SG first when the Stack needs it.
func (d *Deployer) Apply(ctx context.Context, stack naming.Stack, desired model.Stack) (string, error) {
	a, err := d.ApplyStack(ctx, stack, desired)
	return a.DNSName, err
}

// Applied names the load balancers an Apply converged.
type Applied struct {
	DNSName string
	// FrontendDNSName is the frontend NLB's ("" when there is none).
	FrontendDNSName string
}

// ApplyStack is Apply, returning the frontend NLB's DNS name too.
func (d *Deployer) ApplyStack(ctx context.Context, stack naming.Stack, desired model.Stack) (Applied, error) {
	backendID, err := d.backendFor(ctx, desired)
	if err != nil {
		return Applied{}, err
	}
	if dns, ok, err := d.applyRecorded(ctx, stack, desired, backendID); ok || err != nil {
		return dns, err
	}
	snap, err := d.AWS.Snapshot(ctx, stack)
	if err != nil {
		return Applied{}, err
	}
	if snap, err = d.AWS.FillAttributes(ctx, desired, snap); err != nil {
		return Applied{}, err
	}
	snap.BackendSG = backendID
	snap.Cluster, snap.ExternalManagedTags = d.Defaults.ClusterName, d.Defaults.ExternalManagedTags
	if err := d.readTracked(ctx, desired); err != nil {
		return Applied{}, err
	}
	capacityPending, err := d.readCapacity(ctx, stack, desired, &snap)
	if err != nil {
		return Applied{}, err
	}
	actions := plan.Diff(desired, snap)
	logPoolDrift(ctx, desired, snap)
	if err := d.growTracked(ctx, desired, actions); err != nil {
		return Applied{}, err
	}
	ex := newExecutor(d.AWS, desired, snap, backendID)
	// An existing ALB gets its add-ons before any listener or rule
	// changes (a new one right after CreateLoadBalancer).
	if err := applyAddons(ctx, d.AWS, ex.lbARN, desired.Addons); err != nil {
		return Applied{}, err
	}
	converged := false
	if touchesELB(actions) {
		if err := d.clearRecord(ctx, stack); err != nil {
			return Applied{}, err
		}
		// SG writes update the SG cache in place; ELB state is re-read,
		// or, once converged in full, served from the listings and the
		// record (the next reconcile of an unchanged model reads nothing).
		defer func() {
			d.AWS.Invalidate(stack.Key())
			if converged {
				d.AWS.Converged(stack.Key())
			}
		}()
	}
	if err := ex.run(ctx, actions, func(a plan.Action) bool { return a.Kind != plan.DeleteSecurityGroup }); err != nil {
		if ex.lbARN == "" && awserr.Classify(err) == awserr.QuotaExceeded {
			// AWS refused the load balancer (or its target groups): undo
			// what this run created for it, and try again later.
			if uerr := ex.undoCreates(ctx); uerr != nil {
				return Applied{}, errors.Join(err, uerr)
			}
			return Applied{}, &QuotaError{Err: err}
		}
		return Applied{}, err
	}
	d.Publish(stack, desired, backendID, ex.managedID, ex.tgARN)
	if err := ex.run(ctx, actions, func(a plan.Action) bool { return a.Kind == plan.DeleteSecurityGroup }); err != nil {
		return Applied{}, err
	}
	if len(actions) > 0 {
		logf.FromContext(ctx).Info("applied changes", "actions", len(actions), "loadBalancer", desired.LoadBalancer.Name)
	}
	if err := d.setTracked(ctx, desired); err != nil {
		return Applied{}, err
	}
	if err := d.dropTracked(ctx, deletedTGs(actions, snap, desired)); err != nil {
		return Applied{}, err
	}
	applied := Applied{DNSName: ex.dnsName, FrontendDNSName: ex.frontendDNS()}
	if capacityPending {
		return applied, &CapacityPending{DNSName: ex.dnsName}
	}
	if d.Record != nil && ex.lbARN != "" {
		// Converged in full: record it (a write only when it changed).
		fp := d.fingerprint(desired, ex.managedID, backendID)
		if rec, has, err := d.Record.Get(ctx, stack.Key()); err != nil || !has || rec != fp {
			d.Record.Set(stack.Key(), fp)
		}
		converged = true
	}
	return applied, nil
}

// readCapacity adds the capacity reservation to snap when desired asks
// for one (LBC reads it then only, too). pending is true when the load
// balancer is still to be created or provisioning: AWS takes a reservation
// on an active load balancer only, so it waits for a later reconcile.
func (d *Deployer) readCapacity(ctx context.Context, stack naming.Stack, desired model.Stack, snap *plan.Snapshot) (pending bool, err error) {
	lb, o := desired.LoadBalancer, snap.LoadBalancer
	if lb == nil || lb.MinimumCapacity == nil {
		return false, nil
	}
	if o == nil || o.Scheme != lb.Scheme {
		return true, nil
	}
	if o.State == "provisioning" {
		// The listings may be older than the load balancer's activation.
		st, err := d.AWS.LoadBalancerState(ctx, o.ARN)
		if err != nil || st == "provisioning" {
			return err == nil, err
		}
		c := *o
		c.State = st
		o = &c
	}
	read, err := d.AWS.ReadCapacity(ctx, stack, *o)
	if err != nil {
		return false, err
	}
	snap.LoadBalancer = &read
	return false, nil
}

// CapacityRequeue is how soon a stack whose capacity reservation waits
// for its load balancer to become active is reconciled again.
const CapacityRequeue = 15 * time.Second

// CapacityPending is an Apply that converged everything but the capacity
// reservation, which waits for the load balancer to become active; the
// caller publishes DNSName and reconciles again after CapacityRequeue.
type CapacityPending struct{ DNSName string }

func (e *CapacityPending) Error() string {
	return "the capacity reservation waits for the load balancer to become active"
}

// clearRecord forgets what was applied to the stack before its
// load-balancing resources change.
func (d *Deployer) clearRecord(ctx context.Context, stack naming.Stack) error {
	if d.Record == nil {
		return nil
	}
	if err := d.Record.Clear(ctx, stack.Key()); err != nil {
		return fmt.Errorf("clearing the applied-state record of %s: %w", stack, err)
	}
	return nil
}

// backendFor returns the backend SG ID: created when the Stack needs it,
// else the existing one if any (to recognise it on the LB).
func (d *Deployer) backendFor(ctx context.Context, desired model.Stack) (string, error) {
	if desired.UsesBackendSG() {
		return d.Backend.Ensure(ctx)
	}
	return d.Backend.Current(ctx)
}

// Publish records the stack's target-SG rules and triggers the targetsg
// controller for every SG whose desired rules changed; its ip target
// groups (tgARNs: ARN by resource ID) go to the readiness index.
func (d *Deployer) Publish(stack naming.Stack, desired model.Stack, backendID, managedID string, tgARNs map[string]string) {
	if d.Readiness != nil {
		d.Readiness.Set(stack, readiness.Groups(stack, desired, tgARNs))
	}
	e := registry.Entry{UsesBackendSG: desired.UsesBackendSG(), ManagedSG: managedID, Watched: watched(desired, tgARNs)}
	if desired.LoadBalancer != nil {
		e.Rules = model.ResolveTargetRules(desired, d.Defaults.ClusterName, backendID, managedID)
	}
	d.TargetSGs.Enqueue(sgKeys(d.Registry.Set(stack.Key(), e))...)
}

// Forget drops a stack whose objects are gone from the registry, and
// triggers the target SGs it contributed to.
func (d *Deployer) Forget(stack naming.Stack) {
	if d.Readiness != nil {
		d.Readiness.Set(stack, nil)
	}
	d.TargetSGs.Enqueue(sgKeys(d.Registry.Forget(stack.Key()))...)
}

// Hold marks a stack whose model cannot be built as known but holding: its
// rules stay until it builds again.
func (d *Deployer) Hold(stack naming.Stack) {
	if !d.Registry.Known(stack.Key()) {
		d.Registry.Set(stack.Key(), registry.Entry{Hold: true})
	}
}

func sgKeys(ids []string) []registry.SGKey {
	out := make([]registry.SGKey, len(ids))
	for i, id := range ids {
		out[i] = registry.SGKey{GroupID: id}
	}
	return out
}

// Teardown deletes every AWS resource of the stack and verifies nothing is
// left; done is false when something remains (requeue).
func (d *Deployer) Teardown(ctx context.Context, stack naming.Stack) (done bool, err error) {
	empty := model.Stack{ID: stack}
	if err := d.clearRecord(ctx, stack); err != nil {
		return false, err
	}
	// Rules citing the managed SG go first, or it cannot be deleted.
	d.Publish(stack, empty, "", "", nil)
	snap, err := d.AWS.Snapshot(ctx, stack)
	if err != nil {
		return false, err
	}
	// Teardown deregisters nothing, so the records can go first (a
	// failed run then leaves none behind for groups it deleted).
	if err := d.dropTracked(ctx, snap.TargetGroups); err != nil {
		return false, err
	}
	actions := plan.Diff(empty, snap)
	ex := newExecutor(d.AWS, empty, snap, "")
	err = ex.run(ctx, actions, func(plan.Action) bool { return true })
	d.AWS.Invalidate(stack.Key())
	if err != nil {
		if awserr.Classify(err) == awserr.InUse {
			// Something the cache does not know uses a target group (a
			// load balancer or listener whose create reply was lost): list
			// again, or every retry would meet the same refusal.
			if _, rerr := d.AWS.RefreshELBFresh(ctx); rerr != nil {
				return false, errors.Join(err, rerr)
			}
		}
		return false, err
	}
	// Verify before letting the objects go (kubernetes/kubernetes#15203),
	// from a listing started now: a create whose reply was lost (an
	// InternalError after AWS acted, a crash) left a resource the cache
	// never saw.
	if _, err := d.AWS.RefreshELBFresh(ctx); err != nil {
		return false, err
	}
	if err := d.AWS.RefreshStackSGs(ctx, stack); err != nil {
		return false, err
	}
	left, err := d.AWS.Snapshot(ctx, stack)
	if err != nil {
		return false, err
	}
	if left.LoadBalancer != nil || len(left.TargetGroups) > 0 || len(left.ManagedSGs) > 0 || left.Frontend != nil {
		logf.FromContext(ctx).Info("resources remain after teardown, requeueing", "stack", stack.String())
		return false, nil
	}
	return true, nil
}

// ReleaseBackend deletes the auto-created backend SG when unused; requeue
// is true while AWS still holds a dependency.
func (d *Deployer) ReleaseBackend(ctx context.Context) (requeue bool, err error) {
	return d.Backend.ReleaseIfUnused(ctx)
}

// Failure maps an AWS failure to events on objs and a result (style R7).
func (d *Deployer) Failure(ctx context.Context, err error, objs ...client.Object) (reconcile.Result, error) {
	log := logf.FromContext(ctx)
	code := awserr.Code(err)
	warn := func() {
		for _, o := range objs {
			d.Events.Warn(o, events.ReasonFailedDeployModel, events.ActionReconcile, fmt.Sprintf("Failed deploy model due to %v (%s)", err, code))
		}
	}
	if qe := (*QuotaError)(nil); errors.As(err, &qe) {
		log.Error(err, "deploy refused for a quota", "awsCode", code)
		warn()
		return reconcile.Result{RequeueAfter: QuotaRequeue}, nil
	}
	switch awserr.Classify(err) {
	case awserr.DependencyViolation, awserr.InUse:
		log.Info("waiting for AWS to release a dependency", "awsCode", code, "reason", err.Error())
		for _, o := range objs {
			d.Events.Normal(o, events.ReasonWaitingForDependencies, events.ActionReconcile, err.Error())
		}
		return reconcile.Result{RequeueAfter: DependencyRequeue}, nil
	case awserr.Invalid, awserr.Denied, awserr.QuotaExceeded:
		log.Error(err, "deploy failed", "awsCode", code)
		warn()
		return reconcile.Result{}, reconcile.TerminalError(err)
	case awserr.Canceled:
		return reconcile.Result{}, err
	case awserr.Unknown, awserr.None, awserr.Throttled, awserr.NotFound, awserr.Duplicate, awserr.Transient:
	}
	log.Error(err, "deploy failed", "awsCode", code)
	warn()
	return reconcile.Result{}, err
}

// QuotaRequeue is how long a stack AWS refused for a quota waits before
// the next try (the quota may be raised meanwhile).
const QuotaRequeue = 5 * time.Minute

// QuotaError is an Apply that AWS refused for a quota (TooManyLoadBalancers,
// TooManyTargetGroups) before the stack's load balancer existed; whatever
// the attempt had created for it was deleted again.
type QuotaError struct{ Err error }

func (e *QuotaError) Error() string {
	return e.Err.Error() + "; nothing was left behind, retrying in " + QuotaRequeue.String()
}

func (e *QuotaError) Unwrap() error { return e.Err }

// Outcome names a reconcile result for metrics.
func Outcome(res reconcile.Result, err error) string {
	switch {
	case err != nil && errors.Is(err, reconcile.TerminalError(nil)):
		return "terminal"
	case err != nil:
		return "error"
	case res.RequeueAfter > 0:
		return "requeue"
	}
	return "success"
}

// touchesELB reports whether any action changed load-balancing resources.
func touchesELB(actions []plan.Action) bool {
	for _, a := range actions {
		switch a.Kind {
		case plan.CreateSecurityGroup, plan.AuthorizeIngress, plan.RevokeIngress, plan.TagSecurityGroup, plan.DeleteSecurityGroup:
		default:
			return true
		}
	}
	return false
}

// tgNamespace is the namespace of the Service behind a target group: the
// first part of its resource ID (Services "ns/name:port", Ingresses
// "ns/ingress-service:port", the Service in the Ingress's namespace).
func tgNamespace(resourceID string) string {
	ns, _, _ := strings.Cut(resourceID, "/")
	return ns
}

// readTracked fills Tracked of desired's multi-cluster target groups from
// their records (nil without one).
func (d *Deployer) readTracked(ctx context.Context, desired model.Stack) error {
	for i := range desired.TargetGroups {
		tg := &desired.TargetGroups[i]
		if !tg.MultiCluster || d.Tracked == nil {
			continue
		}
		ts, ok, err := d.Tracked.Get(ctx, tgNamespace(tg.ResourceID), tg.Name)
		if err != nil {
			return err
		}
		tg.Tracked = nil
		if ok {
			tg.Tracked = ts
		}
	}
	return nil
}

// growTracked records, before a multi-cluster target group's targets
// change, every target this run may register, so that none is ever
// registered unrecorded (package multicluster).
func (d *Deployer) growTracked(ctx context.Context, desired model.Stack, actions []plan.Action) error {
	if d.Tracked == nil {
		return nil
	}
	for _, a := range actions {
		tg := a.TargetGroup
		if a.Kind != plan.RegisterTargets || tg == nil || !tg.MultiCluster {
			continue
		}
		want := append(slices.Clone(tg.Tracked), tg.Targets...)
		if err := d.Tracked.Set(ctx, tgNamespace(tg.ResourceID), tg.Name, want); err != nil {
			return err
		}
	}
	return nil
}

// setTracked records, once the stack converged, the targets each
// multi-cluster target group now has from this cluster.
func (d *Deployer) setTracked(ctx context.Context, desired model.Stack) error {
	if d.Tracked == nil {
		return nil
	}
	for _, tg := range desired.TargetGroups {
		if !tg.MultiCluster {
			continue
		}
		if err := d.Tracked.Set(ctx, tgNamespace(tg.ResourceID), tg.Name, tg.Targets); err != nil {
			return err
		}
	}
	return nil
}

// deletedTGs are the observed target groups actions delete (replaced or
// no longer wanted) whose names desired does not use again.
func deletedTGs(actions []plan.Action, snap plan.Snapshot, desired model.Stack) []plan.ObservedTG {
	var out []plan.ObservedTG
	for _, a := range actions {
		if a.Kind != plan.DeleteTargetGroup {
			continue
		}
		for _, tg := range snap.TargetGroups {
			reused := slices.ContainsFunc(desired.TargetGroups, func(d model.TargetGroup) bool { return d.Name == tg.Name })
			if tg.ARN == a.ARN && !reused {
				out = append(out, tg)
			}
		}
	}
	return out
}

// dropTracked deletes the records of deleted target groups, as LBC does
// when it deletes their TargetGroupBindings (a Delete per group, found or
// not: whether a gone Service shared its groups is not known).
func (d *Deployer) dropTracked(ctx context.Context, tgs []plan.ObservedTG) error {
	if d.Tracked == nil {
		return nil
	}
	for _, tg := range tgs {
		if err := d.Tracked.Delete(ctx, tgNamespace(tg.ResourceID), tg.Name); err != nil {
			return err
		}
	}
	return nil
}

// logPoolDrift logs, as LBC does, an existing ALB whose customer-owned IPv4
// pool differs from the model's: AWS sets the pool at creation only, so
// nothing is written.
func logPoolDrift(ctx context.Context, desired model.Stack, snap plan.Snapshot) {
	d, o := desired.LoadBalancer, snap.LoadBalancer
	if !d.IsALB() || o == nil || o.Scheme != d.Scheme || d.CustomerOwnedPool == o.CustomerOwnedPool {
		return
	}
	logf.FromContext(ctx).Info("load balancer has drifted CustomerOwnedIPv4Pool setting",
		"loadBalancer", o.ARN, "desired", d.CustomerOwnedPool, "current", o.CustomerOwnedPool)
}
