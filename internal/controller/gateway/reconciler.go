package gateway

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/secrets"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// Controller-runtime names of the Gateway reconcilers.
const (
	ControllerName    = "gateway-nlb"
	ALBControllerName = "gateway-alb"
)

// RBAC: internal/cli/rbac.go.

// Reconciler converges Gateways of NLB classes to NLBs, or with ALB set
// Gateways of ALB classes to ALBs.
type Reconciler struct {
	// ALB: serve gateway.k8s.aws/alb classes (HTTPRoutes) instead of
	// gateway.k8s.aws/nlb ones.
	ALB  bool
	Kube client.Client
	// Pods reads pods uncached (nil: Kube), for the QUIC server IDs of
	// the pods behind QUIC listeners.
	Pods   client.Reader
	AWS    *state.Provider
	Deploy *deploy.Deployer
	// Gateways enqueues Gateways (drift check).
	Gateways *registry.Trigger[reconcile.Request]
	// Secrets reads and watches the OIDC Secrets of the routes'
	// ListenerRuleConfigurations (ALB; nil: none are read, and a route
	// needing one is refused).
	Secrets  *secrets.Watcher
	Events   *events.Recorder
	Metrics  *metrics.Metrics
	Defaults model.Defaults
	// MaxConcurrentReconciles (0: 1).
	MaxConcurrentReconciles int
	// ListenerSets serves Gateway API ListenerSets (gate
	// GatewayListenerSet, with the ListenerSet CRD installed); off, they
	// are ignored as LBC ignores them.
	ListenerSets bool

	quic service.QUICPods
	// routeIndex: SetupWithManager indexed the class's route kinds
	// (routeindex.go).
	routeIndex bool
}

// controller is the GatewayClass controllerName served.
func (r *Reconciler) controller() string { return r.builder().controller() }

// builder is the reconciler's Builder, over its client.
func (r *Reconciler) builder() Builder {
	b := Builder{ALB: r.ALB, Kube: r.Kube, ListenerSets: r.ListenerSets, QUIC: reconcilerQUIC{r}, LoadBalancers: r.AWS, RouteIndex: r.routeIndex}
	if r.Secrets != nil {
		b.Secrets = r.Secrets
	}
	return b
}

// name is the controller-runtime name.
func (r *Reconciler) name() string {
	if r.ALB {
		return ALBControllerName
	}
	return ControllerName
}

// stackOf is the stack of Gateway ns/name.
func (r *Reconciler) stackOf(ns, name string) naming.Stack { return r.builder().Stack(ns, name) }

// finalizer is the finalizer holding the Gateway until its stack is gone.
func (r *Reconciler) finalizer() string { return r.builder().Finalizer() }

// Finalizer is the finalizer holding a Gateway of b's kind until its stack
// is gone.
func (b Builder) Finalizer() string {
	if b.ALB {
		return naming.FinalizerGatewayALB
	}
	return naming.FinalizerGatewayNLB
}

// Reconcile converges one Gateway.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (res reconcile.Result, err error) {
	began := time.Now()
	defer func() {
		// Counted under the controller's own name: the NLB controller also
		// sees every ALB Gateway (and returns at once), so one shared name
		// would count those as reconciles of ALB Gateways.
		r.Metrics.Reconciled(r.name(), deploy.Outcome(res, err))
		r.Metrics.ReconcileTook(r.name(), time.Since(began))
	}()
	stack := r.stackOf(req.Namespace, req.Name)
	gw := &gwv1.Gateway{}
	if err := r.Kube.Get(ctx, req.NamespacedName, gw); err != nil {
		if apierrors.IsNotFound(err) {
			r.monitorSecrets(req.NamespacedName, nil)
			r.Deploy.Forget(stack)
			if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
				return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
			}
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	class, err := r.builder().class(ctx, gw)
	if err != nil {
		return reconcile.Result{}, err
	}
	if !gw.DeletionTimestamp.IsZero() || class == nil {
		if !controllerutil.ContainsFinalizer(gw, r.finalizer()) {
			r.Deploy.Forget(stack)
			return reconcile.Result{}, nil
		}
		if class != nil {
			if cfg, err := r.builder().config(ctx, gw, class); err == nil && deletionProtected(cfg) {
				// LBC's refusal: nothing changes until the attribute is off.
				msg := fmt.Sprintf("Unable to delete gateway %s/%s because deletion protection is enabled.", gw.Namespace, gw.Name)
				r.Events.Warn(gw, events.ReasonFailedBuildModel, events.ActionDelete, "Failed build model due to "+msg)
				r.Deploy.Hold(stack)
				return reconcile.Result{}, reconcile.TerminalError(errors.New(msg))
			}
		}
		return r.teardown(ctx, gw, stack)
	}
	return r.converge(ctx, gw, class, stack)
}

// deletionProtected: the configuration turns deletion_protection.enabled on
// (LBC then refuses to delete the Gateway's load balancer).
func deletionProtected(cfg *gwconfig.LoadBalancerConfiguration) bool {
	if cfg == nil {
		return false
	}
	for _, a := range cfg.Spec.LoadBalancerAttributes {
		if a.Key == "deletion_protection.enabled" {
			on, err := strconv.ParseBool(a.Value)
			return err == nil && on
		}
	}
	return false
}

// class returns the Gateway's GatewayClass when it is a class of r's
// controller.
func (b Builder) class(ctx context.Context, gw *gwv1.Gateway) (*gwv1.GatewayClass, error) {
	c := &gwv1.GatewayClass{}
	if err := b.Kube.Get(ctx, types.NamespacedName{Name: string(gw.Spec.GatewayClassName)}, c); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	if string(c.Spec.ControllerName) != b.controller() {
		return nil, nil
	}
	return c, nil
}

// Refused is a Gateway whose inputs lbsg will not apply: its stack is held.
type Refused struct {
	reason  gwv1.GatewayConditionReason
	event   string
	message string
	// cause is the parse or model error refused (nil: none).
	cause error
}

func (e *Refused) Error() string { return e.message }

// Unwrap is the error refused, such as a *gwconfig.UnsupportedError.
func (e *Refused) Unwrap() error { return e.cause }

func (r *Reconciler) converge(ctx context.Context, gw *gwv1.Gateway, class *gwv1.GatewayClass, stack naming.Stack) (reconcile.Result, error) {
	p, err := r.builder().Prepare(ctx, gw, class, stack)
	if r.ALB && p != nil {
		r.monitorSecrets(types.NamespacedName{Namespace: gw.Namespace, Name: gw.Name}, p.in.secrets)
	}
	for _, n := range p.Notices(gw) {
		r.Events.Warn(n.Object, n.Reason, events.ActionReconcile, n.Message)
	}
	var ref *Refused
	if errors.As(err, &ref) {
		return r.refuse(ctx, gw, stack, ref)
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	facts, err := r.facts(ctx, stack, p)
	if err != nil {
		return r.Deploy.Failure(ctx, err, gw)
	}
	desired, warnings, err := BuildStack(p, facts, r.Defaults)
	if errors.As(err, &ref) {
		return r.refuse(ctx, gw, stack, ref)
	}
	if err != nil {
		return r.Deploy.Failure(ctx, err, gw)
	}
	for _, w := range warnings {
		r.Events.Warn(gw, w.Reason, events.ActionReconcile, w.Message)
	}
	if r.builder().DryRun(gw) {
		return conflictRequeue(r.holdDryRun(ctx, gw, stack))
	}
	if err := r.dropDryRunPlan(ctx, gw); err != nil {
		return conflictRequeue(err)
	}
	if err := r.ensureFinalizer(ctx, gw); err != nil {
		return conflictRequeue(err)
	}
	addonsOn, addonsOff := r.addonChanges(gw, desired)
	if err := r.recordAddons(ctx, gw, addonsOn, true); err != nil {
		return conflictRequeue(err)
	}
	dns, err := r.Deploy.Apply(ctx, stack, desired)
	var result reconcile.Result
	if pending := (*deploy.CapacityPending)(nil); errors.As(err, &pending) {
		dns, err, result.RequeueAfter = pending.DNSName, nil, deploy.CapacityRequeue
	}
	if err != nil {
		return r.Deploy.Failure(ctx, err, gw)
	}
	if result.RequeueAfter == 0 {
		// Removed in AWS (a capacity reset waiting on the load balancer
		// stays recorded until it is done).
		if err := r.recordAddons(ctx, gw, addonsOff, false); err != nil {
			return conflictRequeue(err)
		}
	}
	if p.Attach.ChainPending && result.RequeueAfter == 0 {
		// A backend Gateway's ALB is not there yet; its status write
		// (chainedGateways) normally comes first.
		result.RequeueAfter = deploy.DependencyRequeue
	}
	if err := r.writeStatus(ctx, gw, p.Attach, dns, nil); err != nil {
		return conflictRequeue(err)
	}
	if err := r.writeRouteStatus(ctx, p.in, p.Attach); err != nil {
		return conflictRequeue(err)
	}
	if err := r.writeListenerSetStatus(ctx, p.Attach, dns != ""); err != nil {
		return conflictRequeue(err)
	}
	if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
		return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
	}
	r.warnShieldless(ctx, gw, desired)
	r.Events.Normal(gw, events.ReasonSuccessfullyReconciled, events.ActionReconcile, "Successfully reconciled")
	return result, nil
}

// StatusRetry is how soon a reconcile whose write met a newer version of
// the object (its cache was stale) runs again.
const StatusRetry = 200 * time.Millisecond

// conflictRequeue turns a write conflict (the informer had not yet seen
// the latest version) into a quiet retry; other errors stay errors.
func conflictRequeue(err error) (reconcile.Result, error) {
	if apierrors.IsConflict(err) {
		return reconcile.Result{RequeueAfter: StatusRetry}, nil
	}
	return reconcile.Result{}, err
}

// refuse reports a Gateway lbsg will not apply and holds its stack.
func (r *Reconciler) refuse(ctx context.Context, gw *gwv1.Gateway, stack naming.Stack, ref *Refused) (reconcile.Result, error) {
	logf.FromContext(ctx).Info("gateway refused", "reason", ref.event, "message", ref.message)
	r.Events.Warn(gw, ref.event, events.ActionReconcile, ref.message)
	r.Deploy.Hold(stack)
	if err := r.writeStatus(ctx, gw, gwattach.Result{}, "", ref); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, reconcile.TerminalError(ref)
}

// inputs is what load read for one Gateway.
type inputs struct {
	config *gwconfig.LoadBalancerConfiguration
	// scope: the route parentRefs that are the Gateway's.
	scope     parentScope
	attach    gwattach.Inputs
	routeObjs map[string]client.Object
	// ruleConfigs are, per ALB route key and rule, the rule's
	// ListenerRuleConfiguration (nil: none).
	ruleConfigs map[string][]*model.GatewayRuleConfig
	// secrets are the Secrets the rule configurations name (to be
	// watched, missing ones too).
	secrets []types.NamespacedName
}

var (
	lbConfigGVK = schema.GroupVersionKind{Group: gwconfig.Group, Version: gwconfig.Version, Kind: gwconfig.KindLoadBalancerConfiguration}
	tgConfigGVK = schema.GroupVersionKind{Group: gwconfig.Group, Version: gwconfig.Version, Kind: gwconfig.KindTargetGroupConfiguration + "List"}
)

// load reads the Gateway's configuration, routes and what they name.
func (b Builder) load(ctx context.Context, gw *gwv1.Gateway, class *gwv1.GatewayClass) (*inputs, error) {
	in := &inputs{routeObjs: map[string]client.Object{}}
	if ref := addressRefusal(gw); ref != nil {
		return nil, ref
	}
	cfg, err := b.config(ctx, gw, class)
	if err != nil {
		return nil, err
	}
	if ref := b.l7Refusal(cfg); ref != nil {
		return nil, ref
	}
	in.config = cfg
	scope, sets, err := b.scope(ctx, gw)
	if err != nil {
		return nil, err
	}
	in.scope = scope
	routes, objs, err := b.scopeRoutes(ctx, scope)
	if err != nil {
		return nil, err
	}
	a := gwattach.Inputs{Controller: b.controller(), Gateway: gw, NamespaceLabels: map[string]map[string]string{},
		Services: map[types.NamespacedName]*corev1.Service{}, ListenerSets: sets}
	for _, rt := range routes {
		if !namesOrNamed(rt, scope, b.controller()) {
			continue
		}
		a.Routes = append(a.Routes, rt)
		in.routeObjs[rt.Key()] = objs[rt.Key()]
	}
	var nss corev1.NamespaceList
	if err := b.Kube.List(ctx, &nss); err != nil {
		return nil, err
	}
	for _, ns := range nss.Items {
		a.NamespaceLabels[ns.Name] = ns.Labels
	}
	var grants gwv1.ReferenceGrantList
	if err := b.Kube.List(ctx, &grants); err != nil && !meta.IsNoMatchError(err) {
		return nil, err
	}
	a.Grants = grants.Items
	for _, rt := range a.Routes {
		for _, rule := range rt.Rules {
			for _, ref := range rule {
				if _, chained := chainRef(rt, ref); chained {
					continue
				}
				ns := rt.Namespace
				if ref.Namespace != nil {
					ns = string(*ref.Namespace)
				}
				key := types.NamespacedName{Namespace: ns, Name: string(ref.Name)}
				if _, done := a.Services[key]; done {
					continue
				}
				svc := &corev1.Service{}
				if err := b.Kube.Get(ctx, key, svc); err != nil {
					if !apierrors.IsNotFound(err) {
						return nil, err
					}
					continue
				}
				a.Services[key] = svc
			}
		}
	}
	if !b.ALB {
		if a.Chained, err = b.chainTargets(ctx, a.Routes); err != nil {
			return nil, err
		}
	}
	in.attach = a
	if b.ALB {
		if in.secrets, err = b.ruleConfigs(ctx, in); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// monitorSecrets records the Secrets the Gateway's rule configurations
// read (nil: none any more), so a change to one reconciles it.
func (r *Reconciler) monitorSecrets(gw types.NamespacedName, keys []types.NamespacedName) {
	if r.Secrets != nil {
		r.Secrets.Monitor(reconcile.Request{NamespacedName: gw}, keys)
	}
}

// namesOrNamed: the route names the Gateway (or one of its ListenerSets)
// in a parentRef, or its status still has an entry of ours for it (to be
// cleaned up).
func namesOrNamed(rt *gwattach.Route, scope parentScope, controller string) bool {
	if namesScopeInSpec(rt, scope) {
		return true
	}
	for _, s := range rt.Status {
		if string(s.ControllerName) == controller && scope.status(s.ParentRef, rt.Namespace) {
			return true
		}
	}
	return false
}

// namesScopeInSpec: a parentRef of the route names the Gateway or one of
// its ListenerSets.
func namesScopeInSpec(rt *gwattach.Route, scope parentScope) bool {
	return slices.ContainsFunc(rt.ParentRefs, func(ref gwv1.ParentReference) bool {
		return scope.spec(ref, rt.Namespace)
	})
}

func parentIs(ref gwv1.ParentReference, routeNS, ns, name string) bool {
	gw, ok := gwattach.GatewayRef(ref, routeNS)
	return ok && gw.Namespace == ns && gw.Name == name
}

// config reads the Gateway's LoadBalancerConfiguration: the Gateway's
// infrastructure.parametersRef, else the class's parametersRef.
func (b Builder) config(ctx context.Context, gw *gwv1.Gateway, class *gwv1.GatewayClass) (*gwconfig.LoadBalancerConfiguration, error) {
	var gwRef, classRef *types.NamespacedName
	if inf := gw.Spec.Infrastructure; inf != nil && inf.ParametersRef != nil {
		p := inf.ParametersRef
		if string(p.Group) != gwconfig.Group || string(p.Kind) != gwconfig.KindLoadBalancerConfiguration {
			return nil, &Refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonFailedBuildModel,
				message: fmt.Sprintf("infrastructure.parametersRef must name a %s.%s, not %s.%s", gwconfig.KindLoadBalancerConfiguration, gwconfig.Group, p.Kind, p.Group)}
		}
		gwRef = &types.NamespacedName{Namespace: gw.Namespace, Name: p.Name}
	}
	if p := class.Spec.ParametersRef; p != nil && string(p.Group) == gwconfig.Group && string(p.Kind) == gwconfig.KindLoadBalancerConfiguration {
		ns := ""
		if p.Namespace != nil {
			ns = string(*p.Namespace)
		}
		classRef = &types.NamespacedName{Namespace: ns, Name: p.Name}
	}
	var gwCfg, classCfg *gwconfig.LoadBalancerConfiguration
	for _, c := range []struct {
		ref *types.NamespacedName
		out **gwconfig.LoadBalancerConfiguration
	}{{gwRef, &gwCfg}, {classRef, &classCfg}} {
		if c.ref == nil {
			continue
		}
		cfg, err := b.readConfig(ctx, *c.ref)
		if err != nil {
			return nil, err
		}
		if cfg.DefaultTargetGroup, err = b.defaultTargetGroup(ctx, cfg); err != nil {
			return nil, err
		}
		*c.out = cfg
	}
	switch {
	case gwCfg != nil && classCfg != nil:
		// LBC's merge: the class's mergingMode decides.
		merged := *gwCfg
		merged.Spec = gwconfig.Merge(classCfg.Spec, gwCfg.Spec)
		merged.DefaultTargetGroup = gwconfig.MergeDefaultTargetGroups(classCfg.DefaultTargetGroup, gwCfg.DefaultTargetGroup, classCfg.Spec.MergingMode)
		return &merged, nil
	case gwCfg != nil:
		return gwCfg, nil
	}
	return classCfg, nil
}

// readConfig reads and parses one LoadBalancerConfiguration.
func (b Builder) readConfig(ctx context.Context, ref types.NamespacedName) (*gwconfig.LoadBalancerConfiguration, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(lbConfigGVK)
	if err := b.Kube.Get(ctx, ref, u); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, &Refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonFailedBuildModel,
				message: fmt.Sprintf("LoadBalancerConfiguration %s not found", ref)}
		}
		return nil, err
	}
	cfg, err := gwconfig.ParseLoadBalancerConfiguration(u.Object)
	if err != nil {
		return nil, &Refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonUnsupportedConfiguration, message: err.Error(), cause: err}
	}
	return cfg, nil
}

// gatewayModel turns the attachment into model.Gateway: valid listeners by
// port, each port's route (the oldest attached, then by namespace/name, as
// LBC) with its backends, their TargetGroupConfigurations and endpoints.
func (b Builder) gatewayModel(ctx context.Context, gw *gwv1.Gateway, stack naming.Stack, in *inputs, att gwattach.Result) (model.Gateway, error) {
	out := model.Gateway{Stack: stack, Namespace: gw.Namespace, Name: gw.Name, UID: string(gw.UID),
		ActiveAddons: model.ActiveGatewayAddons(gw.Annotations)}
	if in.config != nil {
		out.Config = &in.config.Spec
	}
	if b.ALB {
		out.ALB = true
		return out, b.albPorts(ctx, &out, in, att)
	}
	byPort := map[int32]*model.GatewayPort{}
	routes := map[int32][]*gwattach.Route{}
	var order []int32
	for _, l := range att.AllListeners() {
		if !l.Valid {
			continue
		}
		port := int32(l.Spec.Port)
		p := byPort[port]
		if p == nil {
			p = &model.GatewayPort{Port: port}
			byPort[port] = p
			order = append(order, port)
		}
		proto := string(l.Spec.Protocol)
		if l.Spec.Protocol == gwv1.TLSProtocolType {
			if tls := l.Spec.TLS; tls != nil && tls.Mode != nil && *tls.Mode == gwv1.TLSModePassthrough {
				proto = model.ProtoTCP
			} else {
				p.TLSTerminate = true
			}
		}
		if !slices.Contains(p.Protocols, proto) {
			p.Protocols = append(p.Protocols, proto)
		}
		p.Hostnames = append(p.Hostnames, l4Hostnames(l, att, port)...)
		routes[port] = append(routes[port], l.Routes...)
	}
	tgcs := map[types.NamespacedName]*gwconfig.TargetGroupConfigurationSpec{}
	eps := map[types.NamespacedName][]model.Endpoint{}
	for _, port := range order {
		p := byPort[port]
		slices.Sort(p.Hostnames)
		p.Hostnames = slices.Compact(p.Hostnames)
		rs := routes[port]
		if len(rs) == 0 {
			out.Ports = append(out.Ports, *p)
			continue
		}
		rt := slices.MinFunc(rs, func(a, b *gwattach.Route) int {
			return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name))
		})
		gr := &model.GatewayRoute{Kind: rt.Kind, Namespace: rt.Namespace, Name: rt.Name}
		for _, be := range att.Backends[rt.Key()] {
			if be.Chained != nil {
				cb, err := b.chainedBackend(ctx, be, rt)
				if err != nil {
					return out, err
				}
				gr.Backends = append(gr.Backends, cb)
				continue
			}
			key := types.NamespacedName{Namespace: be.Service.Namespace, Name: be.Service.Name}
			spec, ok := tgcs[key]
			if !ok {
				var err error
				if spec, err = b.targetGroupConfig(ctx, key, kindService); err != nil {
					return out, err
				}
				tgcs[key] = spec
			}
			props := in.targetGroupProps(spec, rt)
			e, ok := eps[key]
			if !ok {
				var err error
				if e, err = b.endpoints(ctx, key); err != nil {
					return out, err
				}
				if err := b.quicServerIDs(ctx, in, be.Service, e); err != nil {
					return out, err
				}
				eps[key] = e
			}
			gr.Backends = append(gr.Backends, model.GatewayBackend{Service: be.Service, Port: be.Port, Weight: be.Weight, TargetGroup: props, Endpoints: e})
		}
		p.Route = gr
		out.Ports = append(out.Ports, *p)
	}
	return out, nil
}

// kindService is a TargetGroupConfiguration's targetReference kind by
// default (LBC's CRD default).
const kindService = "Service"

// targetGroupConfig finds the TargetGroupConfiguration of the Service (or,
// kind Gateway, the chained Gateway) svc: same namespace, targetReference
// naming it by kind and name, as LBC matches (no kind: Service).
func (b Builder) targetGroupConfig(ctx context.Context, svc types.NamespacedName, kind string) (*gwconfig.TargetGroupConfigurationSpec, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(tgConfigGVK)
	if err := b.Kube.List(ctx, list, client.InNamespace(svc.Namespace)); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, err
	}
	for i := range list.Items {
		o := list.Items[i].Object
		name, _, _ := unstructured.NestedString(o, "spec", "targetReference", "name")
		refKind, hasKind, _ := unstructured.NestedString(o, "spec", "targetReference", "kind")
		if !hasKind {
			refKind = kindService
		}
		if name != svc.Name || refKind != kind {
			continue
		}
		cfg, err := gwconfig.ParseTargetGroupConfiguration(o)
		if err != nil {
			return nil, &Refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonUnsupportedConfiguration, message: err.Error(), cause: err}
		}
		return &cfg.Spec, nil
	}
	return nil, nil
}

func (b Builder) endpoints(ctx context.Context, svc types.NamespacedName) ([]model.Endpoint, error) {
	var list discoveryv1.EndpointSliceList
	if err := b.Kube.List(ctx, &list, client.InNamespace(svc.Namespace), client.MatchingLabels{discoveryv1.LabelServiceName: svc.Name}); err != nil {
		return nil, err
	}
	return model.EndpointsFromSlices(list.Items), nil
}

// facts reads the AWS facts BuildStack needs, from the caches, and the
// nodes.
func (r *Reconciler) facts(ctx context.Context, stack naming.Stack, p *Prepared) (model.Facts, error) {
	f, err := Facts(ctx, r.AWS, stack, p)
	if err != nil {
		return f, err
	}
	var nodes corev1.NodeList
	if err := r.Kube.List(ctx, &nodes); err != nil {
		return f, err
	}
	f.Nodes, err = service.NodeFacts(ctx, r.AWS, nodes.Items)
	return f, err
}

func (r *Reconciler) ensureFinalizer(ctx context.Context, gw *gwv1.Gateway) error {
	if controllerutil.ContainsFinalizer(gw, r.finalizer()) {
		return nil
	}
	base := gw.DeepCopy()
	controllerutil.AddFinalizer(gw, r.finalizer())
	if err := r.Kube.Patch(ctx, gw, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		if !apierrors.IsConflict(err) {
			r.Events.Warn(gw, events.ReasonFailedAddFinalizer, events.ActionReconcile, "Failed add finalizer due to "+err.Error())
		}
		return err
	}
	return nil
}

// teardown deletes the Gateway's AWS resources, drops its entries from the
// routes' status, then the finalizer.
func (r *Reconciler) teardown(ctx context.Context, gw *gwv1.Gateway, stack naming.Stack) (reconcile.Result, error) {
	done, err := r.Deploy.Teardown(ctx, stack)
	if err != nil {
		return r.Deploy.Failure(ctx, err, gw)
	}
	if !done {
		return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, nil
	}
	if requeue, err := r.Deploy.ReleaseBackend(ctx); err != nil || requeue {
		return reconcile.Result{RequeueAfter: deploy.DependencyRequeue}, err
	}
	scope, _, err := r.builder().scope(ctx, gw)
	if err != nil {
		return reconcile.Result{}, err
	}
	routes, objs, err := r.builder().scopeRoutes(ctx, scope)
	if err != nil {
		return reconcile.Result{}, err
	}
	for _, rt := range routes {
		if err := r.patchRouteParents(ctx, objs[rt.Key()], rt, scope, nil); err != nil {
			return reconcile.Result{}, err
		}
	}
	base := gw.DeepCopy()
	controllerutil.RemoveFinalizer(gw, r.finalizer())
	if err := r.Kube.Patch(ctx, gw, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		r.Events.Warn(gw, events.ReasonFailedRemoveFinalizer, events.ActionDelete, "Failed remove finalizer due to "+err.Error())
		return reconcile.Result{}, err
	}
	r.monitorSecrets(types.NamespacedName{Namespace: gw.Namespace, Name: gw.Name}, nil)
	r.Events.Normal(gw, events.ReasonSuccessfullyDeleted, events.ActionDelete, "Deleted the load balancer and its security groups")
	r.Events.Forget(gw.UID)
	return reconcile.Result{}, nil
}

// Owner lists Gateway stacks for deploy.Owners: of NLB classes, or with
// ALB set of ALB classes.
type Owner struct {
	Kube client.Reader
	ALB  bool
}

// Stacks returns the stack of every Gateway of a class of the owner's
// controller or holding its finalizer.
func (o Owner) Stacks(ctx context.Context) ([]naming.Stack, error) {
	var list gwv1.GatewayList
	if err := o.Kube.List(ctx, &list); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, err
	}
	classes := map[string]bool{}
	var cl gwv1.GatewayClassList
	if err := o.Kube.List(ctx, &cl); err != nil {
		return nil, err
	}
	r := &Reconciler{ALB: o.ALB}
	for _, c := range cl.Items {
		classes[c.Name] = string(c.Spec.ControllerName) == r.controller()
	}
	var out []naming.Stack
	for _, gw := range list.Items {
		if classes[string(gw.Spec.GatewayClassName)] || controllerutil.ContainsFinalizer(&gw, r.finalizer()) {
			out = append(out, r.stackOf(gw.Namespace, gw.Name))
		}
	}
	return out, nil
}

// Objects returns the Gateway of a Gateway stack.
func (o Owner) Objects(ctx context.Context, st naming.Stack) ([]client.Object, error) {
	if st != (&Reconciler{ALB: o.ALB}).stackOf(st.Namespace, st.Name) {
		return nil, nil
	}
	gw := &gwv1.Gateway{}
	if err := o.Kube.Get(ctx, types.NamespacedName{Namespace: st.Namespace, Name: st.Name}, gw); err != nil {
		return nil, err
	}
	return []client.Object{gw}, nil
}

// addressRefusal refuses a Gateway asking for addresses (spec.addresses):
// AWS assigns a load balancer's addresses, and LBC reads the field
// nowhere, so serving the Gateway would serve it elsewhere than asked. The
// Gateway API's reason for it is UnsupportedAddress.
func addressRefusal(gw *gwv1.Gateway) *Refused {
	if len(gw.Spec.Addresses) == 0 {
		return nil
	}
	return &Refused{reason: gwv1.GatewayReasonUnsupportedAddress, event: events.ReasonUnsupportedConfiguration,
		message: "spec.addresses is not supported: AWS assigns the load balancer's addresses (an NLB takes Elastic IPs or private IPv4 addresses per subnet from the LoadBalancerConfiguration's loadBalancerSubnets)"}
}
