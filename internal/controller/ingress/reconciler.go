package ingress

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/acmcerts"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/drift"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/secrets"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// ControllerName is the reconciler's controller-runtime name.
const ControllerName = "ingress"

// Reconciler converges IngressGroups to ALBs.
type Reconciler struct {
	Kube   client.Client
	AWS    *state.Provider
	Deploy *deploy.Deployer
	// Groups enqueues IngressGroups (drift check).
	Groups   *registry.Trigger[reconcile.Request]
	Events   *events.Recorder
	Metrics  *metrics.Metrics
	Defaults model.Defaults
	Class    ingressclass.Config
	// Secrets reads and watches the Secrets authentication names (nil:
	// none can be read, so OIDC authentication is held).
	Secrets *secrets.Watcher
	// MaxConcurrentReconciles (0: 1).
	MaxConcurrentReconciles int
	// PodCache, when set, is the slim pod cache: unready endpoints whose
	// pods only readiness gates hold back are registered (LBC's rule).
	PodCache client.Reader
	// Certs is certificate management (create-acm-cert); nil when the
	// EnableCertificateManagement gate is off.
	Certs *acmcerts.Manager
	// CertificatePoll is how often a group waiting for a certificate to be
	// issued is looked at again (0: CertificatePoll).
	CertificatePoll time.Duration
}

// CertificatePoll is the default Reconciler.CertificatePoll.
const CertificatePoll = 15 * time.Second

// certificatesPending is a group held until the certificates lbsg
// requested for it are issued.
type certificatesPending struct{ n int }

func (e *certificatesPending) Error() string {
	return fmt.Sprintf("%d requested certificate(s) not issued yet", e.n)
}

// SetupWithManager registers the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).Named(ControllerName).
		Watches(&networkingv1.Ingress{}, handler.EnqueueRequestsFromMapFunc(r.groupsOfIngress)).
		Watches(&corev1.Service{}, handler.EnqueueRequestsFromMapFunc(r.groupsOfService)).
		Watches(&discoveryv1.EndpointSlice{}, handler.EnqueueRequestsFromMapFunc(r.groupsOfSlice)).
		Watches(&corev1.Node{}, deploy.EnqueueNodeEvents(deploy.NodeBatch, r.nodeGroups), builder.WithPredicates(deploy.NodeTargetsChanged)).
		Watches(&networkingv1.IngressClass{}, handler.EnqueueRequestsFromMapFunc(r.allGroups)).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(1, r.MaxConcurrentReconciles)})
	if paramsServed(mgr) {
		b = b.Watches(&v1beta1.IngressClassParams{}, handler.EnqueueRequestsFromMapFunc(r.allGroups))
	} else {
		mgr.GetLogger().Info("IngressClassParams CRD not installed: IngressClasses with parameters cannot be used until it is (the Helm chart installs it)")
	}
	if r.Groups != nil {
		b = b.WatchesRawSource(r.Groups.Source())
	}
	return b.Complete(r)
}

// paramsServed reports whether the apiserver serves IngressClassParams.
func paramsServed(mgr ctrl.Manager) bool {
	_, err := mgr.GetRESTMapper().RESTMapping(schema.GroupKind{Group: v1beta1.Group, Kind: v1beta1.IngressClassParamsKind}, v1beta1.Version)
	return err == nil
}

// groupsOf returns the groups an Ingress belongs to or still holds.
func groupsOf(ctx context.Context, w *world, ing *networkingv1.Ingress) []reconcile.Request {
	var out []reconcile.Request
	add := func(st naming.Stack) {
		if req := drift.GroupRequest(st); !slices.Contains(out, req) {
			out = append(out, req)
		}
	}
	for _, st := range finalizerStacks(ing) {
		add(st)
	}
	switch m := w.membershipOf(ctx, ing); {
	case m.managed:
		add(m.stack)
	case m.groupErr != nil:
		// Reported by the Ingress's implicit group.
		add(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	}
	return out
}

func (r *Reconciler) groupsOfIngress(ctx context.Context, o client.Object) []reconcile.Request {
	ing, ok := o.(*networkingv1.Ingress)
	if !ok {
		return nil
	}
	w, err := loadWorld(ctx, r.Kube, r.Class)
	if err != nil {
		return nil
	}
	return groupsOf(ctx, w, ing)
}

// groupsOfIngresses lists the Ingresses (opts narrow the list) and returns
// the groups of those keep selects, each once.
func (r *Reconciler) groupsOfIngresses(ctx context.Context, keep func(*networkingv1.Ingress) bool, opts ...client.ListOption) []reconcile.Request {
	var list networkingv1.IngressList
	if err := r.Kube.List(ctx, &list, opts...); err != nil {
		return nil
	}
	w, err := loadWorld(ctx, r.Kube, r.Class)
	if err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		if !keep(&list.Items[i]) {
			continue
		}
		for _, req := range groupsOf(ctx, w, &list.Items[i]) {
			if !slices.Contains(out, req) {
				out = append(out, req)
			}
		}
	}
	return out
}

// groupsOfServiceName maps a Service to the groups of the Ingresses in its
// namespace that reference it.
func (r *Reconciler) groupsOfServiceName(ctx context.Context, ns, name string) []reconcile.Request {
	return r.groupsOfIngresses(ctx, func(ing *networkingv1.Ingress) bool {
		return slices.Contains(BackendServices(ing), name)
	}, client.InNamespace(ns))
}

func (r *Reconciler) groupsOfService(ctx context.Context, o client.Object) []reconcile.Request {
	return r.groupsOfServiceName(ctx, o.GetNamespace(), o.GetName())
}

func (r *Reconciler) groupsOfSlice(ctx context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[discoveryv1.LabelServiceName]
	if name == "" {
		return nil
	}
	return r.groupsOfServiceName(ctx, o.GetNamespace(), name)
}

func (r *Reconciler) allGroups(ctx context.Context, _ client.Object) []reconcile.Request {
	return r.groupsOfIngresses(ctx, func(*networkingv1.Ingress) bool { return true })
}

// nodeGroups are the groups a Node event may affect: all of them, except
// for an update that changes neither the node's instance nor its labels
// and whose taint or readiness change moves no target
// (model.NodeTargetingChanged without target-node-labels). Which groups
// have instance targets and which target-node-labels (on Ingresses or
// their Services) is known only once a group is built, so a label change
// reconciles every group; an unchanged one costs no AWS call.
func (r *Reconciler) nodeGroups(ctx context.Context, e deploy.NodeEvent) []reconcile.Request {
	if e.Old != nil && e.New != nil && e.Old.Spec.ProviderID == e.New.Spec.ProviderID &&
		maps.Equal(e.Old.Labels, e.New.Labels) && !model.NodeTargetingChanged(e.Old, e.New, nil) {
		return nil
	}
	return r.allGroups(ctx, nil)
}

// stackOf is the inverse of drift.GroupRequest.
func stackOf(req reconcile.Request) naming.Stack {
	if req.Namespace == "" {
		return naming.ExplicitIngressStack(req.Name)
	}
	return naming.ImplicitIngressStack(req.Namespace, req.Name)
}

// Reconcile converges one IngressGroup.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (res reconcile.Result, err error) {
	began := time.Now()
	defer func() {
		r.Metrics.Reconciled("ingress", deploy.Outcome(res, err))
		r.Metrics.ReconcileTook("ingress", time.Since(began))
	}()
	stack := stackOf(req)
	ctx = logf.IntoContext(ctx, logf.FromContext(ctx).WithValues("ingressGroup", stack.ID()))
	w, err := loadWorld(ctx, r.Kube, r.Class)
	if err != nil {
		return reconcile.Result{}, err
	}
	g, err := loadGroup(ctx, r.Kube, w, stack)
	if err != nil {
		return reconcile.Result{}, err
	}
	for ing, err := range g.invalid {
		r.Events.Warn(ing, events.ReasonFailedBuildModel, events.ActionReconcile, "Failed build model due to "+err.Error())
	}
	if len(g.blocked) > 0 {
		var errs []error
		for ing, err := range g.blocked {
			msg := "Ingress has invalid IngressClass configuration: " + err.Error()
			r.Events.Warn(ing, events.ReasonFailedBuildModel, events.ActionReconcile, "Failed build model due to "+msg)
			errs = append(errs, fmt.Errorf("%s/%s: %s", ing.Namespace, ing.Name, msg))
		}
		r.Deploy.Hold(stack)
		return reconcile.Result{}, reconcile.TerminalError(errors.Join(errs...))
	}
	var protected []error
	for _, ing := range g.leaving {
		if ing.DeletionTimestamp.IsZero() {
			continue
		}
		if err := model.IngressDeletionProtected(ing); err != nil {
			r.Events.Warn(ing, events.ReasonFailedBuildModel, events.ActionDelete, "Failed build model due to "+err.Error())
			protected = append(protected, err)
		}
	}
	if len(protected) > 0 {
		// Nothing changes until the attribute is turned off (§7).
		r.Deploy.Hold(stack)
		return reconcile.Result{}, reconcile.TerminalError(errors.Join(protected...))
	}
	if len(g.members) == 0 {
		return r.teardown(ctx, g)
	}
	return r.converge(ctx, g)
}

// converge builds the group's Stack, applies it, and updates the members.
func (r *Reconciler) converge(ctx context.Context, g *group) (reconcile.Result, error) {
	for _, m := range g.members {
		if err := r.ensureFinalizer(ctx, m.ing, g.stack); err != nil {
			return reconcile.Result{}, err
		}
	}
	desired, built, certMissing, keep, err := r.build(ctx, g)
	if err != nil {
		if pending := (*certificatesPending)(nil); errors.As(err, &pending) {
			return reconcile.Result{RequeueAfter: r.certificatePoll()}, nil
		}
		if awserr.Code(err) != "" {
			return r.Deploy.Failure(ctx, err, g.objects()...)
		}
		if certMissing {
			// A certificate may be issued meanwhile: look again once the
			// listing may be read again (as LBC retries).
			return reconcile.Result{RequeueAfter: state.CertificateRelistAfter}, nil
		}
		return reconcile.Result{}, err
	}
	applied, err := r.Deploy.ApplyStack(ctx, g.stack, desired)
	var result reconcile.Result
	if certMissing {
		result.RequeueAfter = state.CertificateRelistAfter
	}
	if pending := (*deploy.CapacityPending)(nil); errors.As(err, &pending) {
		applied.DNSName, err, result.RequeueAfter = pending.DNSName, nil, deploy.CapacityRequeue
	}
	if err != nil {
		return r.Deploy.Failure(ctx, err, g.objects()...)
	}
	ports := listenerPorts(desired)
	for _, m := range g.members {
		if !built[m.ing] {
			continue
		}
		front := ""
		if desired.Frontend != nil {
			front = applied.FrontendDNSName
		}
		statusOnly := desired.Frontend != nil && desired.Frontend.StatusOnly[m.ing.Namespace+"/"+m.ing.Name]
		if statusOnly && front == "" {
			continue // LBC writes nothing until the NLB exists
		}
		want := statusFor(applied.DNSName, front, statusOnly, ports)
		if err := r.patchStatus(ctx, m.ing, want); err != nil {
			r.Events.Warn(m.ing, events.ReasonFailedUpdateStatus, events.ActionReconcile, "Failed update status due to "+err.Error())
			return reconcile.Result{}, err
		}
	}
	if r.Certs != nil {
		if requeue, err := r.pruneCertificates(ctx, g.stack, keep, g.objects()...); err != nil || requeue {
			return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
		}
	}
	if err := r.release(ctx, g); err != nil {
		return reconcile.Result{}, err
	}
	if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
		return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
	}
	shieldless := r.Deploy.ShieldUnavailable(ctx, desired)
	for _, m := range g.members {
		if !built[m.ing] {
			continue
		}
		if shieldless {
			r.Events.Warn(m.ing, events.ReasonShieldNotSubscribed, events.ActionReconcile,
				"the load balancer is not protected by Shield Advanced: shield-advanced-protection asks for it and the account has no active AWS Shield Advanced subscription")
		}
		r.Events.Normal(m.ing, events.ReasonSuccessfullyReconciled, events.ActionReconcile, "Successfully reconciled")
	}
	return result, nil
}

// build reads the facts and builds the model. Members at fault get an
// event and are left out; a group failure is reported on every member and
// returned as a terminal error (nothing changes in AWS); an AWS read
// failure is returned as is. built says which members the Stack serves;
// certMissing that a member was left out for want of a certificate for
// one of its hosts (certificate discovery).
func (r *Reconciler) build(ctx context.Context, g *group) (_ model.Stack, _ map[*networkingv1.Ingress]bool, certMissing bool, keep []string, _ error) {
	members, err := r.members(ctx, g)
	if err != nil {
		return model.Stack{}, nil, false, nil, err
	}
	facts, err := r.facts(ctx, g.stack, members)
	if err != nil {
		return model.Stack{}, nil, false, nil, err
	}
	if facts.ManagedCertificates, keep, err = r.ensureCertificates(ctx, g, members); err != nil {
		return model.Stack{}, nil, false, nil, err
	}
	desired, warnings, memberErrs, err := model.BuildIngressGroup(g.stack, members, facts, r.Defaults)
	built := map[*networkingv1.Ingress]bool{}
	for _, m := range g.members {
		key := m.ing.Namespace + "/" + m.ing.Name
		if merr, bad := memberErrs[key]; bad {
			if nc := (*model.NoCertificateError)(nil); errors.As(merr, &nc) {
				certMissing = true
			}
			logf.FromContext(ctx).Info("Ingress left out of its group", "ingress", key, "reason", merr.Error())
			r.Events.Warn(m.ing, events.ReasonFailedBuildModel, events.ActionReconcile, "Failed build model due to "+merr.Error())
			continue
		}
		built[m.ing] = true
	}
	if err != nil {
		reason := events.ReasonFailedBuildModel
		var unsupported *model.UnsupportedError
		switch {
		case unresolvedSGs(err):
			reason = events.ReasonSecurityGroupsNotResolved
		case errors.Is(err, rules.ErrOverQuota):
			reason = events.ReasonRulesPerSecurityGroupLimitExceeded
		case errors.As(err, &unsupported):
			reason = events.ReasonUnsupportedAnnotation
		}
		r.Metrics.SetUnsupported("IngressGroup", g.stack.ID(), unsupported != nil)
		logf.FromContext(ctx).Error(err, "building model failed", "reason", reason)
		for _, m := range g.members {
			if built[m.ing] {
				r.Events.Warn(m.ing, reason, events.ActionReconcile, "Failed build model due to "+err.Error())
			}
		}
		r.Deploy.Hold(g.stack)
		return model.Stack{}, nil, certMissing, nil, reconcile.TerminalError(err)
	}
	r.Metrics.SetUnsupported("IngressGroup", g.stack.ID(), false)
	for _, w := range warnings {
		for _, m := range g.members {
			if built[m.ing] {
				r.Events.Warn(m.ing, w.Reason, events.ActionReconcile, w.Message)
			}
		}
	}
	return desired, built, certMissing, keep, nil
}

// members reads each member's backend Services and their endpoints.
func (r *Reconciler) members(ctx context.Context, g *group) ([]model.IngressMember, error) {
	out := make([]model.IngressMember, 0, len(g.members))
	var keys []types.NamespacedName // Secrets the group reads
	for _, m := range g.members {
		im := model.IngressMember{Ingress: m.ing, Params: m.params,
			Services: map[string]*corev1.Service{}, Endpoints: map[string][]model.Endpoint{}}
		for _, name := range BackendServices(m.ing) {
			svc := &corev1.Service{}
			err := r.Kube.Get(ctx, types.NamespacedName{Namespace: m.ing.Namespace, Name: name}, svc)
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			im.Services[name] = svc
			var slices discoveryv1.EndpointSliceList
			if err := r.Kube.List(ctx, &slices, client.InNamespace(m.ing.Namespace),
				client.MatchingLabels{discoveryv1.LabelServiceName: name}); err != nil {
				return nil, err
			}
			var unready func(discoveryv1.Endpoint) bool
			if r.PodCache != nil {
				unready = readiness.Unready(ctx, r.PodCache, m.ing.Namespace)
			}
			im.Endpoints[name] = model.EndpointsFromSlicesWith(slices.Items, unready)
		}
		for _, name := range model.AuthSecretNames(m.ing, im.Services) {
			keys = append(keys, types.NamespacedName{Namespace: m.ing.Namespace, Name: name})
		}
		out = append(out, im)
	}
	if err := r.readSecrets(ctx, g, out, keys); err != nil {
		return nil, err
	}
	return out, nil
}

// readSecrets watches exactly the Secrets keys the group's authentication
// names and gives each member those it names. An unreadable Secret
// (forbidden, or lacking --required-secrets-label) is the member's to
// report: its build fails closed, naming it.
func (r *Reconciler) readSecrets(ctx context.Context, g *group, members []model.IngressMember, keys []types.NamespacedName) error {
	if r.Secrets != nil {
		r.Secrets.Monitor(drift.GroupRequest(g.stack), keys)
	}
	for i := range members {
		im := &members[i]
		for _, name := range model.AuthSecretNames(im.Ingress, im.Services) {
			if im.Secrets == nil {
				im.Secrets, im.SecretErrs = map[string]*corev1.Secret{}, map[string]error{}
			}
			if r.Secrets == nil {
				im.SecretErrs[name] = errors.New("this controller reads no Secrets")
				continue
			}
			sec, err := r.Secrets.Get(ctx, types.NamespacedName{Namespace: im.Ingress.Namespace, Name: name})
			var labelErr *secrets.LabelError
			switch {
			case err != nil && (apierrors.IsForbidden(err) || errors.As(err, &labelErr)):
				im.SecretErrs[name] = err
			case err != nil:
				return err
			case sec != nil:
				im.Secrets[name] = sec
			}
		}
	}
	return nil
}

// facts reads what the ALB model needs, from caches where possible.
func (r *Reconciler) facts(ctx context.Context, st naming.Stack, members []model.IngressMember) (model.Facts, error) {
	f, err := Facts(ctx, r.AWS, st, members)
	if err != nil {
		return f, err
	}
	if r.Certs != nil && len(f.Certificates) > 0 {
		discoverable, err := r.Certs.Discoverable(ctx)
		if err != nil {
			return f, err
		}
		f.Certificates = slices.DeleteFunc(f.Certificates, func(c model.Certificate) bool { return !discoverable(c.ARN) })
	}
	var nodes corev1.NodeList
	if err := r.Kube.List(ctx, &nodes); err != nil {
		return f, err
	}
	f.Nodes, err = service.NodeFacts(ctx, r.AWS, nodes.Items)
	return f, err
}

// listenerPorts are the ALB's listener ports, ascending (status).
func listenerPorts(s model.Stack) []int32 {
	var out []int32
	for _, l := range s.Listeners {
		out = append(out, l.Port)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *Reconciler) ensureFinalizer(ctx context.Context, ing *networkingv1.Ingress, st naming.Stack) error {
	if controllerutil.ContainsFinalizer(ing, st.Finalizer()) {
		return nil
	}
	base := ing.DeepCopy()
	controllerutil.AddFinalizer(ing, st.Finalizer())
	if err := r.Kube.Patch(ctx, ing, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		if !apierrors.IsConflict(err) { // a stale copy: retried, not the user's problem
			r.Events.Warn(ing, events.ReasonFailedAddFinalizer, events.ActionReconcile, "Failed add finalizer due to "+err.Error())
		}
		return err
	}
	return nil
}

// release clears the status of the Ingresses that left the group and
// removes the group's finalizer from them.
func (r *Reconciler) release(ctx context.Context, g *group) error {
	for _, ing := range g.leaving {
		if ing.DeletionTimestamp.IsZero() && len(ing.Status.LoadBalancer.Ingress) > 0 && !r.stillServed(ctx, ing, g.stack) {
			if err := r.patchStatus(ctx, ing, nil); err != nil {
				r.Events.Warn(ing, events.ReasonFailedUpdateStatus, events.ActionReconcile, "Failed update status due to "+err.Error())
				return err
			}
		}
		base := ing.DeepCopy()
		controllerutil.RemoveFinalizer(ing, g.stack.Finalizer())
		if err := r.Kube.Patch(ctx, ing, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
			r.Events.Warn(ing, events.ReasonFailedRemoveFinalizer, events.ActionDelete, "Failed remove finalizer due to "+err.Error())
			return err
		}
	}
	return nil
}

// stillServed reports whether a leaving Ingress already belongs to another
// group (which owns its status now).
func (r *Reconciler) stillServed(ctx context.Context, ing *networkingv1.Ingress, from naming.Stack) bool {
	w, err := loadWorld(ctx, r.Kube, r.Class)
	if err != nil {
		return true
	}
	m := w.membershipOf(ctx, ing)
	return m.managed && m.stack != from
}

// teardown deletes the group's ALB and everything lbsg made for it once
// no member is left, then releases the leaving Ingresses. The stack stays
// known (with nothing) while an Ingress still holds or may hold it, so
// the registry stays complete; it is forgotten once none does.
func (r *Reconciler) teardown(ctx context.Context, g *group) (reconcile.Result, error) {
	if r.Secrets != nil {
		r.Secrets.Monitor(drift.GroupRequest(g.stack), nil)
	}
	if len(g.leaving) == 0 {
		if r.Deploy.Registry.Known(g.stack.Key()) {
			r.Deploy.Forget(g.stack)
		}
		if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
			return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
		}
		return reconcile.Result{}, nil
	}
	done, err := r.Deploy.Teardown(ctx, g.stack)
	if err != nil {
		objs := make([]client.Object, 0, len(g.leaving))
		for _, ing := range g.leaving {
			objs = append(objs, ing)
		}
		return r.Deploy.Failure(ctx, err, objs...)
	}
	if !done {
		return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, nil
	}
	if r.Certs != nil {
		objs := make([]client.Object, 0, len(g.leaving))
		for _, ing := range g.leaving {
			objs = append(objs, ing)
		}
		if requeue, err := r.pruneCertificates(ctx, g.stack, nil, objs...); err != nil || requeue {
			return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
		}
	}
	if err := r.release(ctx, g); err != nil {
		return reconcile.Result{}, err
	}
	for _, ing := range g.leaving {
		r.Events.Normal(ing, events.ReasonSuccessfullyDeleted, events.ActionDelete, "Deleted the load balancer and its security groups")
	}
	// The Ingresses' deletion (or update) brings the group back here with
	// nobody left: then the stack is forgotten and the backend SG released.
	return reconcile.Result{}, nil
}

// statusFor is an Ingress's load-balancer status as LBC writes it: the
// ALB's DNS name with its ports, then the frontend NLB's DNS name (front,
// "" for none); with frontend-nlb-status-only (statusOnly) the NLB's name
// alone (the caller leaves the status alone until the NLB exists).
func statusFor(dns, front string, statusOnly bool, ports []int32) []networkingv1.IngressLoadBalancerIngress {
	front = strings.ToLower(front)
	if statusOnly && front != "" {
		return []networkingv1.IngressLoadBalancerIngress{{Hostname: front}}
	}
	var want []networkingv1.IngressLoadBalancerIngress
	if dns != "" {
		lbi := networkingv1.IngressLoadBalancerIngress{Hostname: strings.ToLower(dns)}
		for _, p := range ports {
			lbi.Ports = append(lbi.Ports, networkingv1.IngressPortStatus{Port: p, Protocol: corev1.ProtocolTCP})
		}
		want = []networkingv1.IngressLoadBalancerIngress{lbi}
	}
	if front != "" {
		want = append(want, networkingv1.IngressLoadBalancerIngress{Hostname: front})
	}
	return want
}

func (r *Reconciler) patchStatus(ctx context.Context, ing *networkingv1.Ingress, want []networkingv1.IngressLoadBalancerIngress) error {
	if fmt.Sprint(ing.Status.LoadBalancer.Ingress) == fmt.Sprint(want) {
		return nil
	}
	base := ing.DeepCopy()
	ing.Status.LoadBalancer.Ingress = want
	// No optimistic lock: lbsg alone writes this field, and a stale cached
	// Ingress must not make the write fail.
	return r.Kube.Status().Patch(ctx, ing, client.MergeFrom(base))
}

// unresolvedSGs reports whether a build failed because security-groups
// items were not found (LBC's "couldn't find all security groups" text).
func unresolvedSGs(err error) bool {
	return strings.Contains(err.Error(), "couldn't find all security groups")
}
