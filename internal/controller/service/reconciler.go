package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// ControllerName is the reconciler's controller-runtime name.
const ControllerName = "service"

// DependencyRequeue is deploy.DependencyRequeue.
const DependencyRequeue = deploy.DependencyRequeue

// +kubebuilder:rbac:groups="",resources=services;services/status,verbs=get;list;watch;patch;update
// +kubebuilder:rbac:groups="",resources=nodes,verbs=get;list;watch
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconciler converges Services to NLBs.
type Reconciler struct {
	Kube   client.Client
	AWS    *state.Provider
	Deploy *deploy.Deployer
	// Services enqueues Services (drift check).
	Services *registry.Trigger[reconcile.Request]
	Events   *events.Recorder
	Metrics  *metrics.Metrics
	Defaults model.Defaults
	// MaxConcurrentReconciles (0: 1).
	MaxConcurrentReconciles int
	// Pods reads the pods of Services with QUIC ports (their server IDs),
	// uncached; nil uses Kube.
	Pods client.Reader
	// PodCache, when set, is the slim pod cache: unready endpoints whose
	// pods only readiness gates hold back are registered (LBC's rule).
	PodCache client.Reader

	quic QUICPods
}

// SetupWithManager registers the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).Named(ControllerName).
		For(&corev1.Service{}).
		Watches(&discoveryv1.EndpointSlice{}, handler.EnqueueRequestsFromMapFunc(sliceToService)).
		Watches(&corev1.Node{}, deploy.EnqueueNodeEvents(deploy.NodeBatch, r.nodeServices), builder.WithPredicates(deploy.NodeTargetsChanged)).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(1, r.MaxConcurrentReconciles)})
	if r.Services != nil {
		b = b.WatchesRawSource(r.Services.Source())
	}
	return b.Complete(r)
}

func sliceToService(_ context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[discoveryv1.LabelServiceName]
	if name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: name}}}
}

// nodeServices are the Services a Node event affects: every handled one
// when a node comes, goes or changes instance (target SGs depend on nodes
// for ip targets too); on a change of labels, taints or readiness, those
// with instance targets whose targets it can change
// (model.NodeTargetingChanged with the Service's target-node-labels).
func (r *Reconciler) nodeServices(ctx context.Context, e deploy.NodeEvent) []reconcile.Request {
	all := e.Old == nil || e.New == nil || e.Old.Spec.ProviderID != e.New.Spec.ProviderID
	var list corev1.ServiceList
	if err := r.Kube.List(ctx, &list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		svc := &list.Items[i]
		if !model.Handled(svc, r.Defaults) {
			continue
		}
		if !all {
			sel, instance, err := model.ServiceInstanceNodeSelector(svc, r.Defaults)
			if err == nil && (!instance || !model.NodeTargetingChanged(e.Old, e.New, sel)) {
				continue
			}
		}
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(svc)})
	}
	return out
}

// Reconcile converges one Service.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (res reconcile.Result, err error) {
	began := time.Now()
	defer func() {
		r.Metrics.Reconciled("service", deploy.Outcome(res, err))
		r.Metrics.ReconcileTook("service", time.Since(began))
	}()
	stack := naming.ServiceStack(req.Namespace, req.Name)
	svc := &corev1.Service{}
	if err := r.Kube.Get(ctx, req.NamespacedName, svc); err != nil {
		if apierrors.IsNotFound(err) {
			r.quic.Forget(req.NamespacedName)
			r.Metrics.SetUnsupported("Service", stack.ID(), false)
			r.Deploy.Forget(stack)
			if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
				return reconcile.Result{RequeueAfter: DependencyRequeue}, err
			}
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	if !svc.DeletionTimestamp.IsZero() || !model.Handled(svc, r.Defaults) {
		r.Metrics.SetUnsupported("Service", stack.ID(), false)
		if !controllerutil.ContainsFinalizer(svc, naming.FinalizerService) {
			r.Deploy.Forget(stack)
			return reconcile.Result{}, nil
		}
		if err := model.ServiceDeletionProtected(svc); err != nil {
			// LBC's refusal: nothing changes until the attribute is off.
			r.Events.Warn(svc, events.ReasonFailedBuildModel, events.ActionDelete, "Failed build model due to "+err.Error())
			r.Deploy.Hold(stack)
			return reconcile.Result{}, reconcile.TerminalError(err)
		}
		return r.teardown(ctx, svc, stack)
	}

	return r.converge(ctx, svc, stack)
}

// converge builds the Service's Stack and applies it.
func (r *Reconciler) converge(ctx context.Context, svc *corev1.Service, stack naming.Stack) (reconcile.Result, error) {
	desired, err := r.build(ctx, svc, stack)
	if err != nil {
		if awserr.Code(err) != "" {
			return r.awsFailure(ctx, svc, err)
		}
		return reconcile.Result{}, err
	}
	if err := r.ensureFinalizer(ctx, svc); err != nil {
		return reconcile.Result{}, err
	}
	dns, err := r.Deploy.Apply(ctx, stack, desired)
	var result reconcile.Result
	if pending := (*deploy.CapacityPending)(nil); errors.As(err, &pending) {
		dns, err, result.RequeueAfter = pending.DNSName, nil, deploy.CapacityRequeue
	}
	if err != nil {
		return r.deployFailure(ctx, svc, err)
	}
	if err := r.patchStatus(ctx, svc, dns); err != nil {
		if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
			r.Events.Warn(svc, events.ReasonFailedUpdateStatus, events.ActionReconcile, "Failed update status due to "+err.Error())
		}
		return reconcile.Result{}, err
	}
	if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
		return reconcile.Result{RequeueAfter: DependencyRequeue}, err
	}
	r.Events.Normal(svc, events.ReasonSuccessfullyReconciled, events.ActionReconcile, "Successfully reconciled")
	return result, nil
}

// build reads the facts and builds the model. A bad input is reported in
// an event and returned as a terminal error; an AWS read failure as is.
func (r *Reconciler) build(ctx context.Context, svc *corev1.Service, stack naming.Stack) (model.Stack, error) {
	facts, err := r.facts(ctx, svc, stack)
	if err != nil {
		return model.Stack{}, err
	}
	desired, warnings, err := model.Build(svc, facts, r.Defaults)
	if err != nil {
		reason := events.ReasonFailedBuildModel
		if facts.ManualSecurityGroupsErr != nil && errors.Is(err, facts.ManualSecurityGroupsErr) {
			reason = events.ReasonSecurityGroupsNotResolved
		}
		if errors.Is(err, rules.ErrOverQuota) {
			// Even packed, the managed SG's rules do not fit: the build
			// fails, so the rules in AWS stay as they are.
			reason = events.ReasonRulesPerSecurityGroupLimitExceeded
		}
		var unsupported *model.UnsupportedError
		if errors.As(err, &unsupported) {
			reason = events.ReasonUnsupportedAnnotation
		}
		r.Metrics.SetUnsupported("Service", stack.ID(), unsupported != nil)
		logf.FromContext(ctx).Error(err, "building model failed", "reason", reason)
		r.Events.Warn(svc, reason, events.ActionReconcile, "Failed build model due to "+err.Error())
		r.Deploy.Hold(stack)
		return model.Stack{}, reconcile.TerminalError(err)
	}
	r.Metrics.SetUnsupported("Service", stack.ID(), false)
	for _, w := range warnings {
		r.Events.Warn(svc, w.Reason, events.ActionReconcile, w.Message)
	}
	return desired, nil
}

// ensureFinalizer adds service.k8s.aws/resources before any AWS create.
func (r *Reconciler) ensureFinalizer(ctx context.Context, svc *corev1.Service) error {
	if controllerutil.ContainsFinalizer(svc, naming.FinalizerService) {
		return nil
	}
	base := svc.DeepCopy()
	controllerutil.AddFinalizer(svc, naming.FinalizerService)
	if err := r.Kube.Patch(ctx, svc, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			// A stale copy: the next reconcile reads the new one. Not the
			// user's problem, so no event.
			return err
		}
		r.Events.Warn(svc, events.ReasonFailedAddFinalizer, events.ActionReconcile, "Failed add finalizer due to "+err.Error())
		return err
	}
	return nil
}

// teardown deletes every AWS resource of the Service, then the finalizer.
func (r *Reconciler) teardown(ctx context.Context, svc *corev1.Service, stack naming.Stack) (reconcile.Result, error) {
	done, err := r.Deploy.Teardown(ctx, stack)
	if err != nil {
		return r.deployFailure(ctx, svc, err)
	}
	if !done {
		return reconcile.Result{RequeueAfter: DependencyRequeue}, nil
	}
	// The stack stays known, with nothing, until the Service is gone, so
	// the registry remains complete.
	if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
		return reconcile.Result{RequeueAfter: DependencyRequeue}, err
	}
	if len(svc.Status.LoadBalancer.Ingress) > 0 && svc.DeletionTimestamp.IsZero() {
		if err := r.patchStatus(ctx, svc, ""); err != nil {
			r.Events.Warn(svc, events.ReasonFailedCleanupStatus, events.ActionDelete, "Failed update status due to "+err.Error())
			return reconcile.Result{}, err
		}
	}
	base := svc.DeepCopy()
	controllerutil.RemoveFinalizer(svc, naming.FinalizerService)
	if err := r.Kube.Patch(ctx, svc, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		r.Events.Warn(svc, events.ReasonFailedRemoveFinalizer, events.ActionDelete, "Failed remove finalizer due to "+err.Error())
		return reconcile.Result{}, err
	}
	r.Events.Normal(svc, events.ReasonSuccessfullyDeleted, events.ActionDelete, "Deleted the load balancer and its security groups")
	r.Events.Forget(svc.UID)
	return reconcile.Result{}, nil
}

func (r *Reconciler) patchStatus(ctx context.Context, svc *corev1.Service, dns string) error {
	var want []corev1.LoadBalancerIngress
	if dns != "" {
		ing := corev1.LoadBalancerIngress{Hostname: strings.ToLower(dns)}
		for _, p := range svc.Spec.Ports {
			ing.Ports = append(ing.Ports, corev1.PortStatus{Port: p.Port, Protocol: p.Protocol})
		}
		want = []corev1.LoadBalancerIngress{ing}
	}
	if equalIngress(svc.Status.LoadBalancer.Ingress, want) {
		return nil
	}
	base := svc.DeepCopy()
	svc.Status.LoadBalancer.Ingress = want
	// No optimistic lock: status.loadBalancer belongs to the controller of
	// the Service's class, and the merge patch replaces the list whole, so
	// a concurrent change elsewhere in the Service is no conflict (with the
	// lock, a first reconcile often lost the race against its own
	// finalizer write and reported a spurious FailedUpdateStatus).
	return r.Kube.Status().Patch(ctx, svc, client.MergeFrom(base))
}

func equalIngress(a, b []corev1.LoadBalancerIngress) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Hostname != b[i].Hostname || fmt.Sprint(a[i].Ports) != fmt.Sprint(b[i].Ports) {
			return false
		}
	}
	return true
}

// awsFailure handles a failed AWS read.
func (r *Reconciler) awsFailure(ctx context.Context, svc *corev1.Service, err error) (reconcile.Result, error) {
	return r.deployFailure(ctx, svc, err)
}

// deployFailure maps an AWS failure to an event and a result (style R7).
func (r *Reconciler) deployFailure(ctx context.Context, svc *corev1.Service, err error) (reconcile.Result, error) {
	return r.Deploy.Failure(ctx, err, svc)
}

// facts reads what the model needs, from caches where possible.
func (r *Reconciler) facts(ctx context.Context, svc *corev1.Service, stack naming.Stack) (model.Facts, error) {
	f, err := Facts(ctx, r.AWS, svc, stack, r.Defaults)
	if err != nil {
		return f, err
	}
	if f.Nodes, err = r.nodes(ctx); err != nil {
		return f, err
	}
	f.Endpoints, err = r.endpoints(ctx, svc)
	return f, err
}

func (r *Reconciler) nodes(ctx context.Context) ([]model.Node, error) {
	var list corev1.NodeList
	if err := r.Kube.List(ctx, &list); err != nil {
		return nil, err
	}
	return NodeFacts(ctx, r.AWS, list.Items)
}

func (r *Reconciler) endpoints(ctx context.Context, svc *corev1.Service) ([]model.Endpoint, error) {
	var list discoveryv1.EndpointSliceList
	if err := r.Kube.List(ctx, &list, client.InNamespace(svc.Namespace),
		client.MatchingLabels{discoveryv1.LabelServiceName: svc.Name}); err != nil {
		return nil, err
	}
	var unready func(discoveryv1.Endpoint) bool
	if r.PodCache != nil {
		unready = readiness.Unready(ctx, r.PodCache, svc.Namespace)
	}
	eps := model.EndpointsFromSlicesWith(list.Items, unready)
	if !hasQUICPorts(svc) {
		r.quic.Forget(client.ObjectKeyFromObject(svc))
		return eps, nil
	}
	pods := r.Pods
	if pods == nil {
		pods = r.Kube
	}
	return eps, r.quic.Fill(ctx, pods, svc, eps)
}

// Owner lists Service stacks for deploy.Owners.
type Owner struct {
	Kube     client.Reader
	Defaults model.Defaults
}

// Stacks returns the stack of every Service lbsg handles or that still
// holds the finalizer.
func (o Owner) Stacks(ctx context.Context) ([]naming.Stack, error) {
	var list corev1.ServiceList
	if err := o.Kube.List(ctx, &list); err != nil {
		return nil, err
	}
	var out []naming.Stack
	for i := range list.Items {
		svc := &list.Items[i]
		if model.Handled(svc, o.Defaults) || controllerutil.ContainsFinalizer(svc, naming.FinalizerService) {
			out = append(out, naming.ServiceStack(svc.Namespace, svc.Name))
		}
	}
	return out, nil
}

// Objects returns the Service of a Service stack.
func (o Owner) Objects(ctx context.Context, st naming.Stack) ([]client.Object, error) {
	if st.Kind != naming.KindService {
		return nil, nil
	}
	svc := &corev1.Service{}
	if err := o.Kube.Get(ctx, types.NamespacedName{Namespace: st.Namespace, Name: st.Name}, svc); err != nil {
		return nil, err
	}
	return []client.Object{svc}, nil
}
