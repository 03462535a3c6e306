package gateway

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/gwattach"
)

// SetupWithManager registers the controller and its watches: the Gateway,
// its class, the routes naming it or its ListenerSets (before and after a
// change, and through their status), its ListenerSets, the Services and
// EndpointSlices of their backends, Nodes, ReferenceGrants, namespaces and
// the configuration objects (a ListenerRuleConfiguration: the Gateways of
// the routes naming it; its OIDC Secret through Secrets).
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	// IndexField's context only bounds getting the informer, which does
	// not wait before the manager starts; setup has no context of its own.
	ctx := context.Background() //nolint:forbidigo // setup has no ctx; IndexField does not block before the manager starts
	if err := indexRoutes(ctx, mgr.GetFieldIndexer(), r.ALB); err != nil {
		return err
	}
	r.routeIndex = true
	lbc := &unstructured.Unstructured{}
	lbc.SetGroupVersionKind(lbConfigGVK)
	tgc := &unstructured.Unstructured{}
	tgc.SetGroupVersionKind(tgConfigGVK.GroupVersion().WithKind("TargetGroupConfiguration"))
	lrc := &unstructured.Unstructured{}
	lrc.SetGroupVersionKind(lrConfigGVK)
	all := handler.EnqueueRequestsFromMapFunc(r.allGateways)
	b := ctrl.NewControllerManagedBy(mgr).Named(r.name()).
		For(&gwv1.Gateway{}).
		Watches(&gwv1.GatewayClass{}, handler.EnqueueRequestsFromMapFunc(r.classGateways))
	parents := handler.EnqueueRequestsFromMapFunc(r.routeParents)
	if r.ALB {
		b = b.Watches(&gwv1.HTTPRoute{}, parents).
			Watches(&gwv1.GRPCRoute{}, parents).
			Watches(lrc, handler.EnqueueRequestsFromMapFunc(r.ruleConfigGateways))
	} else {
		// Gateway chaining: an ALB Gateway a route names as its backend.
		b = b.Watches(&gwv1.Gateway{}, handler.EnqueueRequestsFromMapFunc(r.chainedGateways)).
			Watches(&gwv1.TCPRoute{}, parents).
			Watches(&gwv1.UDPRoute{}, parents).
			Watches(&gwv1.TLSRoute{}, parents)
	}
	if r.ListenerSets {
		// Spec changes (and create/delete) only: the ListenerSet's status
		// is ours.
		b = b.Watches(&gwv1.ListenerSet{}, handler.EnqueueRequestsFromMapFunc(listenerSetGateways),
			builder.WithPredicates(predicate.GenerationChangedPredicate{}))
	}
	b = b.Watches(&corev1.Service{}, r.serviceHandler()).
		Watches(&discoveryv1.EndpointSlice{}, handler.EnqueueRequestsFromMapFunc(r.sliceGateways)).
		Watches(&corev1.Node{}, deploy.EnqueueNodeEvents(deploy.NodeBatch, func(ctx context.Context, _ deploy.NodeEvent) []reconcile.Request {
			return r.allGateways(ctx, nil)
		}), builder.WithPredicates(deploy.NodeTargetsChanged)).
		Watches(&gwv1.ReferenceGrant{}, all).
		Watches(&corev1.Namespace{}, all).
		Watches(lbc, all).
		Watches(tgc, all).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(1, r.MaxConcurrentReconciles)})
	if r.Gateways != nil {
		b = b.WatchesRawSource(r.Gateways.Source())
	}
	return b.Complete(r)
}

// allGateways lists every Gateway (of any class: the reconciler sorts
// them out, and cleans up those that left an NLB class).
func (r *Reconciler) allGateways(ctx context.Context, _ client.Object) []reconcile.Request {
	var list gwv1.GatewayList
	if err := r.Kube.List(ctx, &list); err != nil {
		return nil
	}
	out := make([]reconcile.Request, 0, len(list.Items))
	for _, gw := range list.Items {
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: gw.Namespace, Name: gw.Name}})
	}
	return out
}

func (r *Reconciler) classGateways(ctx context.Context, o client.Object) []reconcile.Request {
	var list gwv1.GatewayList
	if err := r.Kube.List(ctx, &list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, gw := range list.Items {
		if string(gw.Spec.GatewayClassName) == o.GetName() {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: gw.Namespace, Name: gw.Name}})
		}
	}
	return out
}

// routeParents are the Gateways a route names or whose status names,
// directly or through a ListenerSet (called with the old and the new
// object on an update, so a route moving away is reconciled on both
// sides).
func (r *Reconciler) routeParents(ctx context.Context, o client.Object) []reconcile.Request {
	spec, status := routeCommon(o)
	refs := slices.Clone(spec.ParentRefs)
	for _, s := range status.Parents {
		refs = append(refs, s.ParentRef)
	}
	seen := map[types.NamespacedName]bool{}
	var out []reconcile.Request
	for _, ref := range refs {
		var key types.NamespacedName
		if set, ok := listenerSetRef(ref, o.GetNamespace()); ok {
			if !r.ListenerSets {
				continue
			}
			if key, ok = r.listenerSetParent(ctx, set); !ok {
				continue
			}
		} else if key, ok = gwattach.GatewayRef(ref, o.GetNamespace()); !ok {
			continue
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, reconcile.Request{NamespacedName: key})
		}
	}
	return out
}

// serviceGateways are the Gateways of the routes whose backendRefs name
// the Service.
func (r *Reconciler) serviceGateways(ctx context.Context, o client.Object) []reconcile.Request {
	return r.backendGateways(ctx, types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()})
}

func (r *Reconciler) sliceGateways(ctx context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[discoveryv1.LabelServiceName]
	if name == "" {
		return nil
	}
	return r.backendGateways(ctx, types.NamespacedName{Namespace: o.GetNamespace(), Name: name})
}

func (r *Reconciler) backendGateways(ctx context.Context, svc types.NamespacedName) []reconcile.Request {
	return r.parentsOfRoutes(ctx, backendKey(svc), func(rt *gwattach.Route, _ client.Object) bool { return namesService(rt, svc) })
}

// parentsOfRoutes are the Gateways (each once) that the routes of the
// class's kinds with index key key (routeKeys) picked by pick name or
// named, as routeParents finds them.
func (r *Reconciler) parentsOfRoutes(ctx context.Context, key string, pick func(*gwattach.Route, client.Object) bool) []reconcile.Request {
	routes, objs, err := r.builder().listRoutes(ctx, routeQuery{keys: []string{key}})
	if err != nil {
		return nil
	}
	seen := map[types.NamespacedName]bool{}
	var out []reconcile.Request
	for _, rt := range routes {
		if !pick(rt, objs[rt.Key()]) {
			continue
		}
		for _, req := range r.routeParents(ctx, objs[rt.Key()]) {
			if !seen[req.NamespacedName] {
				seen[req.NamespacedName] = true
				out = append(out, req)
			}
		}
	}
	return out
}

func namesService(rt *gwattach.Route, svc types.NamespacedName) bool {
	for _, rule := range rt.Rules {
		for _, ref := range rule {
			ns := rt.Namespace
			if ref.Namespace != nil {
				ns = string(*ref.Namespace)
			}
			if ns == svc.Namespace && string(ref.Name) == svc.Name {
				return true
			}
		}
	}
	return false
}
