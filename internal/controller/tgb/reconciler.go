package tgb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
)

// ControllerName is the reconciler's controller-runtime name.
const ControllerName = "targetgroupbinding"

// Finalizer is LBC's finalizer on TargetGroupBindings.
const Finalizer = "elbv2.k8s.aws/resources"

// ConditionReady is the binding's status condition.
const ConditionReady = "Ready"

// Event reasons LBC uses on bindings, besides events.ReasonSuccessfullyReconciled.
const (
	ReasonBackendNotFound = "BackendNotFound"
	ReasonFailedReconcile = "FailedReconcile"
	ReasonFailedCleanup   = "FailedCleanup"
	// ReasonPodZoneNotUsed (lbsg's own): registerTargetsWithPodAvailabilityZone
	// asks for each pod's zone, translated into the target group's account;
	// lbsg registers such targets with AvailabilityZone "all", as LBC does
	// when it cannot translate the zone.
	ReasonPodZoneNotUsed = "PodAvailabilityZoneNotUsed"
)

// EndpointBatch is how long a binding's reconcile waits after an
// EndpointSlice or Service event: the slices of a rollout change in a burst
// and one reconcile (one RegisterTargets, one DeregisterTargets) serves it.
const EndpointBatch = time.Second

// ProblemRequeue is how soon a binding that cannot be used (its target
// group missing, in another VPC, of the wrong type) is looked at again:
// the target group may be made after the binding.
const ProblemRequeue = 2 * time.Minute

// Reconciler converges TargetGroupBindings.
type Reconciler struct {
	Kube client.Client
	// Pods reads pods for named networking ports (uncached); nil uses Kube.
	Pods client.Reader
	// AWS gives the nodes' instances and SGs (cached) and the cluster VPC.
	AWS *state.Provider
	// ELBV2 is lbsg's own ELBv2 client; ELBV2As returns the client acting
	// as an assumed role (awsapi.Clients.ELBV2As; nil: roles are refused).
	ELBV2     awsapi.ELBV2API
	ELBV2As   func(role, externalID string) awsapi.ELBV2API
	Tracked   *multicluster.Store
	Registry  *registry.Registry
	TargetSGs *registry.Trigger[registry.SGKey]
	Events    *events.Recorder
	Metrics   *metrics.Metrics
	Defaults  model.Defaults
	// DriftInterval: registrations read longer ago are read again.
	DriftInterval time.Duration
	// MaxConcurrentReconciles (0: 3, LBC's default).
	MaxConcurrentReconciles int
	// Gates is the readiness controller: polled when targets were
	// registered, and told to open a deleted binding's gates (nil: no
	// readiness gates).
	Gates GateKeeper

	mu    sync.Mutex
	cache map[types.NamespacedName]*binding
	names map[string]string // role|name → ARN
}

// binding is what the controller keeps of one binding.
type binding struct {
	// busy is held by the reconcile working on the binding: the workqueue
	// never runs one key twice at once, but a direct Reconcile call (a
	// test's resync) may meet the manager's.
	busy      sync.Mutex
	role, arn string
	tg        *targetgroupbinding.TargetGroup
	tgAt      time.Time
	// registered are the non-draining targets, as last read plus lbsg's
	// writes since; nil: unknown.
	registered []model.Target
	readAt     time.Time
}

// SetupWithManager registers the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	workers := r.MaxConcurrentReconciles
	if workers <= 0 {
		workers = 3
	}
	return ctrl.NewControllerManagedBy(mgr).Named(ControllerName).
		For(&v1beta1.TargetGroupBinding{}).
		Watches(&corev1.Service{}, deploy.EnqueueBatched(EndpointBatch, r.serviceBindings)).
		Watches(&discoveryv1.EndpointSlice{}, deploy.EnqueueBatched(EndpointBatch, r.sliceBindings)).
		Watches(&corev1.Node{}, deploy.EnqueueNodeEvents(deploy.NodeBatch, r.nodeBindings), builder.WithPredicates(deploy.NodeTargetsChanged)).
		Watches(&corev1.Pod{}, deploy.EnqueueBatched(EndpointBatch, r.podBindings), builder.WithPredicates(gatedPodReady)).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(r)
}

func (r *Reconciler) bindingsOf(ctx context.Context, ns, svc string) []reconcile.Request {
	// The namespace's bindings from the cache (a namespace holds few).
	var list v1beta1.TargetGroupBindingList
	if err := r.Kube.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		if list.Items[i].Spec.ServiceRef.Name == svc {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return out
}

func (r *Reconciler) serviceBindings(ctx context.Context, o client.Object) []reconcile.Request {
	return r.bindingsOf(ctx, o.GetNamespace(), o.GetName())
}

func (r *Reconciler) sliceBindings(ctx context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[discoveryv1.LabelServiceName]
	if name == "" {
		return nil
	}
	return r.bindingsOf(ctx, o.GetNamespace(), name)
}

// nodeBindings: every binding when a node comes, goes or changes
// instance (target SGs follow nodes for ip targets too); else the
// instance bindings.
func (r *Reconciler) nodeBindings(ctx context.Context, e deploy.NodeEvent) []reconcile.Request {
	all := e.Old == nil || e.New == nil || e.Old.Spec.ProviderID != e.New.Spec.ProviderID
	var list v1beta1.TargetGroupBindingList
	if err := r.Kube.List(ctx, &list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		b := &list.Items[i]
		if all || b.Spec.TargetType == nil || *b.Spec.TargetType == v1beta1.TargetTypeInstance {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(b)})
		}
	}
	return out
}

// Reconcile converges one binding.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (res reconcile.Result, err error) {
	began := time.Now()
	defer func() {
		r.Metrics.Reconciled(ControllerName, deploy.Outcome(res, err))
		r.Metrics.ReconcileTook(ControllerName, time.Since(began))
	}()
	stack := naming.TargetGroupBindingStack(req.Namespace, req.Name)
	b := &v1beta1.TargetGroupBinding{}
	if err := r.Kube.Get(ctx, req.NamespacedName, b); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName, stack)
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	if targetgroupbinding.LBCStackBinding(b) {
		// LBC's binding of one of its own stacks: lbsg's stack registers
		// those targets itself (docs/migration.md deletes these).
		logf.FromContext(ctx).V(1).Info("leaving LBC's binding of its own stack alone")
		r.forget(req.NamespacedName, stack)
		return reconcile.Result{}, nil
	}
	if !b.DeletionTimestamp.IsZero() {
		return r.cleanup(ctx, b, stack)
	}
	if !controllerutil.ContainsFinalizer(b, Finalizer) {
		base := b.DeepCopy()
		controllerutil.AddFinalizer(b, Finalizer)
		if err := r.Kube.Patch(ctx, b, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
			if !apierrors.IsConflict(err) {
				r.Events.Warn(b, events.ReasonFailedAddFinalizer, events.ActionReconcile, "Failed add finalizer due to "+err.Error())
			}
			return reconcile.Result{}, err
		}
	}
	return r.converge(ctx, b, stack)
}

// api is the ELBv2 provider for the binding's account.
func (r *Reconciler) api(b *v1beta1.TargetGroupBinding) (*cloudelbv2.Provider, error) {
	if b.Spec.IamRoleArnToAssume == "" {
		return cloudelbv2.New(r.ELBV2), nil
	}
	if r.ELBV2As == nil {
		return nil, errors.New("iamRoleArnToAssume: this controller cannot assume roles")
	}
	return cloudelbv2.New(r.ELBV2As(b.Spec.IamRoleArnToAssume, b.Spec.AssumeRoleExternalId)), nil
}

func (r *Reconciler) entry(key types.NamespacedName, role, arn string) *binding {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = map[types.NamespacedName]*binding{}
	}
	e := r.cache[key]
	if e == nil || e.role != role || (arn != "" && e.arn != arn) {
		e = &binding{role: role, arn: arn}
		r.cache[key] = e
	}
	return e
}

func (r *Reconciler) drop(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.cache, key)
}

func (r *Reconciler) forget(key types.NamespacedName, stack naming.Stack) {
	r.drop(key)
	r.TargetSGs.Enqueue(sgKeys(r.Registry.Forget(stack.Key()))...)
}

func sgKeys(ids []string) []registry.SGKey {
	out := make([]registry.SGKey, len(ids))
	for i, id := range ids {
		out[i] = registry.SGKey{GroupID: id}
	}
	return out
}

func (r *Reconciler) stale(at time.Time) bool {
	return at.IsZero() || (r.DriftInterval > 0 && time.Since(at) >= r.DriftInterval)
}

// targetGroup finds the binding's target group: from the cache within the
// drift interval, else by ARN (or by name, the name resolved once).
func (r *Reconciler) targetGroup(ctx context.Context, b *v1beta1.TargetGroupBinding, e *binding) (*targetgroupbinding.TargetGroup, error) {
	if e.tg != nil && !r.stale(e.tgAt) {
		return e.tg, nil
	}
	api, err := r.api(b)
	if err != nil {
		return nil, err
	}
	arn := b.Spec.TargetGroupARN
	var tg *cloudelbv2.TargetGroup
	if arn == "" {
		nameKey := b.Spec.IamRoleArnToAssume + "|" + b.Spec.TargetGroupName
		r.mu.Lock()
		arn = r.names[nameKey]
		r.mu.Unlock()
		if arn == "" {
			if tg, err = api.TargetGroupNamed(ctx, b.Spec.TargetGroupName); err != nil || tg == nil {
				return nil, err
			}
			r.mu.Lock()
			if r.names == nil {
				r.names = map[string]string{}
			}
			r.names[nameKey] = tg.ARN
			r.mu.Unlock()
		}
	}
	if tg == nil {
		if tg, err = api.TargetGroupByARN(ctx, arn); err != nil || tg == nil {
			return nil, err
		}
	}
	out := targetgroupbinding.FromCloud(tg)
	// Under r.mu: the readiness reconciler reads arn and tg (BindingGate).
	r.mu.Lock()
	if e.arn != "" && e.arn != out.ARN {
		e.registered = nil
	}
	e.arn, e.tg, e.tgAt = out.ARN, out, time.Now()
	r.mu.Unlock()
	return out, nil
}

// converge resolves and checks the target group, computes the targets and
// rules, and writes what differs.
func (r *Reconciler) converge(ctx context.Context, b *v1beta1.TargetGroupBinding, stack naming.Stack) (reconcile.Result, error) {
	log := logf.FromContext(ctx)
	key := client.ObjectKeyFromObject(b)
	e := r.entry(key, b.Spec.IamRoleArnToAssume, b.Spec.TargetGroupARN)
	e.busy.Lock()
	defer e.busy.Unlock()
	tg, err := r.targetGroup(ctx, b, e)
	if err != nil {
		r.Events.Warn(b, ReasonFailedReconcile, events.ActionReconcile, "Failed reconcile due to "+err.Error())
		return reconcile.Result{}, err
	}
	clusterVPC := r.AWS.VPCID()
	resolved, problem := targetgroupbinding.Check(b, tg, clusterVPC)
	if problem != nil {
		// Nothing is written to the target group; the binding's rules stay
		// as they were until it is fixed (none after a restart: a Hold
		// would stop every revoke in the cluster for one bad binding).
		if !r.Registry.Known(stack.Key()) {
			r.Registry.Set(stack.Key(), registry.Entry{})
		}
		r.drop(key)
		r.Events.Warn(b, problem.Reason, events.ActionReconcile, problem.Message)
		if err := r.setStatus(ctx, b, metav1.ConditionFalse, problem.Reason, problem.Message, false); err != nil {
			return reconcile.Result{}, err
		}
		return reconcile.Result{RequeueAfter: ProblemRequeue}, nil
	}

	want, sgRules, backendMissing, err := r.desired(ctx, b, resolved)
	if err != nil {
		r.Events.Warn(b, ReasonFailedReconcile, events.ActionReconcile, "Failed reconcile due to "+err.Error())
		return reconcile.Result{}, err
	}
	r.TargetSGs.Enqueue(sgKeys(r.Registry.Set(stack.Key(), registry.Entry{Rules: sgRules}))...)

	changed, err := r.syncTargets(ctx, b, e, resolved, want)
	if err != nil {
		r.drop(key)
		r.Events.Warn(b, ReasonFailedReconcile, events.ActionReconcile, "Failed reconcile due to "+err.Error())
		return reconcile.Result{}, err
	}
	if changed {
		log.Info("targets synced", "targetGroup", resolved.ARN, "targets", len(want))
		if r.Gates != nil && resolved.TargetType == v1beta1.TargetTypeIP {
			r.Gates.EnqueueGate(b.Namespace, b.Name)
		}
	}
	if backendMissing {
		return reconcile.Result{RequeueAfter: r.DriftInterval}, r.setStatus(ctx, b, metav1.ConditionFalse, ReasonBackendNotFound, "the Service or its port does not exist", true)
	}
	if p := b.Spec.RegisterTargetsWithPodAvailabilityZone; p != nil && *p && b.Spec.IamRoleArnToAssume != "" && resolved.TargetType == v1beta1.TargetTypeIP {
		r.Events.Warn(b, ReasonPodZoneNotUsed, events.ActionReconcile,
			"registerTargetsWithPodAvailabilityZone is not implemented by lbsg: targets are registered with AvailabilityZone all, as LBC does when it cannot translate a pod's zone (traffic may cross zones)")
	}
	if err := r.setStatus(ctx, b, metav1.ConditionTrue, events.ReasonSuccessfullyReconciled, "", true); err != nil {
		r.Events.Warn(b, events.ReasonFailedUpdateStatus, events.ActionReconcile, "Failed update status due to "+err.Error())
		return reconcile.Result{}, err
	}
	r.Events.Normal(b, events.ReasonSuccessfullyReconciled, events.ActionReconcile, "Successfully reconciled")
	return reconcile.Result{RequeueAfter: r.DriftInterval}, nil
}

// desired reads the Service, nodes and endpoints and returns the targets
// and the networking rules. A missing Service or port is LBC's
// BackendNotFound: a Warning, and no targets.
func (r *Reconciler) desired(ctx context.Context, b *v1beta1.TargetGroupBinding, res targetgroupbinding.Resolved) (
	[]model.Target, map[string]rules.Set, bool, error,
) {
	svc := &corev1.Service{}
	if err := r.Kube.Get(ctx, types.NamespacedName{Namespace: b.Namespace, Name: b.Spec.ServiceRef.Name}, svc); err != nil {
		if !apierrors.IsNotFound(err) {
			return nil, nil, false, err
		}
		svc = nil
	}
	var nodeList corev1.NodeList
	if err := r.Kube.List(ctx, &nodeList); err != nil {
		return nil, nil, false, err
	}
	nodes, err := service.NodeFacts(ctx, r.AWS, nodeList.Items)
	if err != nil {
		return nil, nil, false, err
	}
	var eps []model.Endpoint
	if res.TargetType == v1beta1.TargetTypeIP && svc != nil {
		var slices discoveryv1.EndpointSliceList
		if err := r.Kube.List(ctx, &slices, client.InNamespace(b.Namespace),
			client.MatchingLabels{discoveryv1.LabelServiceName: svc.Name}); err != nil {
			return nil, nil, false, err
		}
		// LBC registers an unready endpoint whose containers are all ready
		// (only readiness gates hold it back), so its target can turn
		// healthy and open its gate.
		eps = model.EndpointsFromSlicesWith(slices.Items, readiness.Unready(ctx, r.Kube, b.Namespace))
	}
	want, err := targetgroupbinding.Targets(b, res, svc, nodes, eps)
	if errors.Is(err, targetgroupbinding.ErrBackendNotFound) {
		r.Events.Warn(b, ReasonBackendNotFound, events.ActionReconcile, err.Error())
		return []model.Target{}, nil, true, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	in := targetgroupbinding.RuleInput{Resolved: res, Nodes: nodes, Endpoints: eps,
		Cluster: r.Defaults.ClusterName, TargetSGTags: r.Defaults.TargetSGTags}
	in.Port, _ = targetgroupbinding.ServicePort(b, svc)
	if res.TargetType == v1beta1.TargetTypeInstance {
		if in.Selected, err = targetgroupbinding.SelectedNodes(b, nodes); err != nil {
			return nil, nil, false, err
		}
	}
	if targetgroupbinding.NamedPorts(b) && res.TargetType == v1beta1.TargetTypeIP {
		if in.Pods, err = r.pods(ctx, b.Namespace); err != nil {
			return nil, nil, false, err
		}
	}
	sgRules, warns, err := targetgroupbinding.Rules(b, in)
	for _, w := range warns {
		r.Events.Warn(b, events.ReasonTargetSecurityGroupAmbiguous, events.ActionReconcile, w)
	}
	if err != nil {
		return nil, nil, false, err
	}
	return want, sgRules, false, nil
}

func (r *Reconciler) pods(ctx context.Context, ns string) (map[string]*corev1.Pod, error) {
	reader := r.Pods
	if reader == nil {
		reader = r.Kube
	}
	var list corev1.PodList
	if err := reader.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	out := make(map[string]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		out[list.Items[i].Name] = &list.Items[i]
	}
	return out, nil
}

// registered returns the target group's non-draining targets: cached, or
// one DescribeTargetHealth.
func (r *Reconciler) registered(ctx context.Context, api *cloudelbv2.Provider, e *binding) ([]model.Target, error) {
	if e.registered != nil && !r.stale(e.readAt) {
		return e.registered, nil
	}
	ths, err := api.Targets(ctx, e.arn)
	if err != nil {
		return nil, err
	}
	var out []model.Target
	for _, th := range ths {
		if th.State != "draining" {
			out = append(out, model.Target{ID: th.ID, Port: th.Port})
		}
	}
	e.registered, e.readAt = targetgroupbinding.Normalize(out), time.Now()
	return e.registered, nil
}

// syncTargets registers what is missing and deregisters what is extra (for
// a multi-cluster target group, only what this cluster's record holds):
// one call each, none when nothing differs.
func (r *Reconciler) syncTargets(ctx context.Context, b *v1beta1.TargetGroupBinding, e *binding, res targetgroupbinding.Resolved, want []model.Target) (bool, error) {
	api, err := r.api(b)
	if err != nil {
		return false, err
	}
	have, err := r.registered(ctx, api, e)
	if err != nil {
		return false, err
	}
	add, remove := targetgroupbinding.Diff(have, want)
	multi := b.Spec.MultiClusterTargetGroup
	if multi {
		recorded, ok, err := r.Tracked.Get(ctx, b.Namespace, b.Name)
		if err != nil {
			return false, err
		}
		if !ok {
			recorded = nil // no record: nothing is known to be ours
		}
		remove = slices.DeleteFunc(remove, func(t model.Target) bool {
			return !slices.Contains(recorded, model.Target{ID: t.ID, Port: t.Port})
		})
		if len(add) > 0 {
			// The record holds every target before it is registered.
			if err := r.Tracked.Set(ctx, b.Namespace, b.Name, append(slices.Clone(recorded), want...)); err != nil {
				return false, err
			}
		}
	}
	if len(add) > 0 {
		if err := api.RegisterTargets(ctx, e.arn, cloudTargets(add, b, res)); err != nil {
			return false, err
		}
	}
	if len(remove) > 0 {
		if err := api.DeregisterTargets(ctx, e.arn, cloudTargets(remove, nil, res)); err != nil {
			return len(add) > 0, err
		}
	}
	if multi {
		if err := r.Tracked.Set(ctx, b.Namespace, b.Name, want); err != nil {
			return false, err
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return false, nil
	}
	next := slices.Clone(have)
	next = slices.DeleteFunc(next, func(t model.Target) bool { return slices.Contains(remove, t) })
	e.registered = targetgroupbinding.Normalize(append(next, add...))
	return true, nil
}

// cloudTargets converts targets; ip targets registered in another
// account's target group carry AvailabilityZone "all" (LBC's default for
// cross-account targets). b is nil for deregistration.
func cloudTargets(ts []model.Target, b *v1beta1.TargetGroupBinding, res targetgroupbinding.Resolved) []cloudelbv2.Target {
	out := make([]cloudelbv2.Target, 0, len(ts))
	for _, t := range ts {
		ct := cloudelbv2.Target{ID: t.ID, Port: t.Port}
		if b != nil && b.Spec.IamRoleArnToAssume != "" && res.TargetType == v1beta1.TargetTypeIP {
			ct.AZ = "all"
		}
		out = append(out, ct)
	}
	return out
}

// setStatus writes observedGeneration (when observed) and the Ready
// condition, only when they differ.
func (r *Reconciler) setStatus(ctx context.Context, b *v1beta1.TargetGroupBinding, status metav1.ConditionStatus, reason, msg string, observed bool) error {
	base := b.DeepCopy()
	cond := metav1.Condition{Type: ConditionReady, Status: status, Reason: reason, Message: msg, ObservedGeneration: b.Generation}
	changed := meta.SetStatusCondition(&b.Status.Conditions, cond)
	if observed && (b.Status.ObservedGeneration == nil || *b.Status.ObservedGeneration != b.Generation) {
		g := b.Generation
		b.Status.ObservedGeneration = &g
		changed = true
	}
	if !changed {
		return nil
	}
	err := r.Kube.Status().Patch(ctx, b, client.MergeFrom(base))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// cleanup deregisters the binding's targets, drops its record and rules,
// then the finalizer.
func (r *Reconciler) cleanup(ctx context.Context, b *v1beta1.TargetGroupBinding, stack naming.Stack) (reconcile.Result, error) {
	key := client.ObjectKeyFromObject(b)
	if !controllerutil.ContainsFinalizer(b, Finalizer) {
		r.forget(key, stack)
		return reconcile.Result{}, nil
	}
	if err := r.deregisterAll(ctx, b); err != nil {
		r.drop(key)
		r.Events.Warn(b, ReasonFailedCleanup, events.ActionDelete, "Failed cleanup due to "+err.Error())
		_ = r.setStatus(ctx, b, metav1.ConditionFalse, ReasonFailedCleanup, err.Error(), false)
		return reconcile.Result{}, err
	}
	if b.Spec.MultiClusterTargetGroup {
		if err := r.Tracked.Delete(ctx, b.Namespace, b.Name); err != nil {
			return reconcile.Result{}, err
		}
	}
	// LBC opens the binding's gates: nothing will ever set them again.
	if r.Gates != nil {
		if err := r.Gates.OpenGates(ctx, b.Namespace, b.Name, DeletedMessage); err != nil {
			r.Events.Warn(b, ReasonFailedCleanup, events.ActionDelete, "Failed cleanup due to "+err.Error())
			return reconcile.Result{}, err
		}
	}
	// The rules go with the binding; the stack stays known (empty) until
	// the object is gone, so the registry stays complete.
	r.TargetSGs.Enqueue(sgKeys(r.Registry.Set(stack.Key(), registry.Entry{}))...)
	base := b.DeepCopy()
	controllerutil.RemoveFinalizer(b, Finalizer)
	if err := r.Kube.Patch(ctx, b, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		r.Events.Warn(b, events.ReasonFailedRemoveFinalizer, events.ActionDelete, "Failed remove finalizer due to "+err.Error())
		return reconcile.Result{}, err
	}
	r.drop(key)
	r.Events.Forget(b.UID)
	return reconcile.Result{}, nil
}

// deregisterAll removes the binding's targets: every registered one when
// the binding owns its target group, else those the record holds. A
// target group that is gone (or an ARN that never was) has nothing left.
func (r *Reconciler) deregisterAll(ctx context.Context, b *v1beta1.TargetGroupBinding) error {
	api, err := r.api(b)
	if err != nil {
		return err
	}
	e := &binding{}
	tg, err := r.targetGroup(ctx, b, e)
	if err != nil || tg == nil {
		return err
	}
	ths, err := api.Targets(ctx, tg.ARN)
	if awserr.Classify(err) == awserr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	var have []model.Target
	for _, th := range ths {
		if th.State != "draining" {
			have = append(have, model.Target{ID: th.ID, Port: th.Port})
		}
	}
	if b.Spec.MultiClusterTargetGroup {
		recorded, _, err := r.Tracked.Get(ctx, b.Namespace, b.Name)
		if err != nil {
			return err
		}
		have = slices.DeleteFunc(have, func(t model.Target) bool { return !slices.Contains(recorded, t) })
	}
	if len(have) == 0 {
		return nil
	}
	err = api.DeregisterTargets(ctx, tg.ARN, cloudTargets(have, nil, targetgroupbinding.Resolved{}))
	if awserr.Classify(err) == awserr.NotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deregistering the targets of %s: %w", tg.ARN, err)
	}
	return nil
}
