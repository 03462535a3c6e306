package gateway

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

// listRoutes lists the cluster's routes of the class's kinds as gwattach
// routes, with their objects by route key: TCPRoutes, UDPRoutes and
// TLSRoutes, or with alb HTTPRoutes and GRPCRoutes (each refused when it
// asks for what lbsg does not build).
func listRoutes(ctx context.Context, kube client.Reader, alb bool) ([]*gwattach.Route, map[string]client.Object, error) {
	var out []*gwattach.Route
	objs := map[string]client.Object{}
	add := func(kind string, o client.Object, parents []gwv1.ParentReference, hosts []gwv1.Hostname, rules [][]gwv1.BackendRef, status []gwv1.RouteParentStatus) *gwattach.Route {
		rt := &gwattach.Route{Kind: kind, Namespace: o.GetNamespace(), Name: o.GetName(), Generation: o.GetGeneration(),
			Created: o.GetCreationTimestamp().Time, ParentRefs: parents, Hostnames: hosts, Rules: rules, Status: status}
		out = append(out, rt)
		objs[rt.Key()] = o
		return rt
	}
	if alb {
		var http gwv1.HTTPRouteList
		if err := kube.List(ctx, &http); err != nil && !meta.IsNoMatchError(err) {
			return nil, nil, err
		}
		for i := range http.Items {
			o := &http.Items[i]
			rules := ruleBackends(o.Spec.Rules, func(r gwv1.HTTPRouteRule) []gwv1.HTTPBackendRef { return r.BackendRefs },
				func(b gwv1.HTTPBackendRef) gwv1.BackendRef { return b.BackendRef })
			rt := add(gwattach.KindHTTPRoute, o, o.Spec.ParentRefs, o.Spec.Hostnames, rules, o.Status.Parents)
			rt.Refusal = httpRouteRefusal(o)
		}
		var grpc gwv1.GRPCRouteList
		if err := kube.List(ctx, &grpc); err != nil && !meta.IsNoMatchError(err) {
			return nil, nil, err
		}
		for i := range grpc.Items {
			o := &grpc.Items[i]
			rules := ruleBackends(o.Spec.Rules, func(r gwv1.GRPCRouteRule) []gwv1.GRPCBackendRef { return r.BackendRefs },
				func(b gwv1.GRPCBackendRef) gwv1.BackendRef { return b.BackendRef })
			rt := add(gwattach.KindGRPCRoute, o, o.Spec.ParentRefs, o.Spec.Hostnames, rules, o.Status.Parents)
			rt.Refusal = grpcRouteRefusal(o)
		}
		return out, objs, nil
	}
	var tcp gwv1.TCPRouteList
	if err := kube.List(ctx, &tcp); err != nil && !meta.IsNoMatchError(err) {
		return nil, nil, err
	}
	for i := range tcp.Items {
		o := &tcp.Items[i]
		var rules [][]gwv1.BackendRef
		for _, r := range o.Spec.Rules {
			rules = append(rules, r.BackendRefs)
		}
		add(gwattach.KindTCPRoute, o, o.Spec.ParentRefs, nil, rules, o.Status.Parents)
	}
	var udp gwv1.UDPRouteList
	if err := kube.List(ctx, &udp); err != nil && !meta.IsNoMatchError(err) {
		return nil, nil, err
	}
	for i := range udp.Items {
		o := &udp.Items[i]
		var rules [][]gwv1.BackendRef
		for _, r := range o.Spec.Rules {
			rules = append(rules, r.BackendRefs)
		}
		add(gwattach.KindUDPRoute, o, o.Spec.ParentRefs, nil, rules, o.Status.Parents)
	}
	var tls gwv1.TLSRouteList
	if err := kube.List(ctx, &tls); err != nil && !meta.IsNoMatchError(err) {
		return nil, nil, err
	}
	for i := range tls.Items {
		o := &tls.Items[i]
		var rules [][]gwv1.BackendRef
		for _, r := range o.Spec.Rules {
			rules = append(rules, r.BackendRefs)
		}
		add(gwattach.KindTLSRoute, o, o.Spec.ParentRefs, o.Spec.Hostnames, rules, o.Status.Parents)
	}
	return out, objs, nil
}

// writeRouteStatus sets, on every route of in, this Gateway's entries to
// what Attach computed (none for a route that no longer names it).
func (r *Reconciler) writeRouteStatus(ctx context.Context, in *inputs, att gwattach.Result) error {
	for _, rt := range in.attach.Routes {
		if err := r.patchRouteParents(ctx, in.routeObjs[rt.Key()], rt, in.scope, att.Parents[rt.Key()]); err != nil {
			return err
		}
	}
	return nil
}

// patchRouteParents replaces the route's status entries of this controller
// for the Gateway and its ListenerSets (scope) with want, writing only on
// change.
func (r *Reconciler) patchRouteParents(ctx context.Context, obj client.Object, rt *gwattach.Route, scope parentScope, want []gwv1.RouteParentStatus) error {
	var next []gwv1.RouteParentStatus
	for _, s := range rt.Status {
		if string(s.ControllerName) == r.controller() && scope.status(s.ParentRef, rt.Namespace) {
			continue
		}
		next = append(next, s)
	}
	next = append(next, want...)
	if equality.Semantic.DeepEqual(normalize(next), normalize(rt.Status)) {
		return nil
	}
	if next == nil {
		next = []gwv1.RouteParentStatus{} // status.parents is required: [] not null
	}
	base := obj.DeepCopyObject().(client.Object)
	switch o := obj.(type) {
	case *gwv1.TCPRoute:
		o.Status.Parents = next
	case *gwv1.UDPRoute:
		o.Status.Parents = next
	case *gwv1.TLSRoute:
		o.Status.Parents = next
	case *gwv1.HTTPRoute:
		o.Status.Parents = next
	case *gwv1.GRPCRoute:
		o.Status.Parents = next
	}
	err := r.Kube.Status().Patch(ctx, obj, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// normalize orders status entries so that equal sets compare equal.
func normalize(s []gwv1.RouteParentStatus) []gwv1.RouteParentStatus {
	out := slices.Clone(s)
	if len(out) == 0 {
		return nil
	}
	return out
}

// ruleBackends are the backendRefs of each of a route's rules (L7 rules
// wrap theirs with filters).
func ruleBackends[R, B any](rules []R, backends func(R) []B, ref func(B) gwv1.BackendRef) [][]gwv1.BackendRef {
	var out [][]gwv1.BackendRef
	for _, r := range rules {
		var refs []gwv1.BackendRef
		for _, b := range backends(r) {
			refs = append(refs, ref(b))
		}
		out = append(out, refs)
	}
	return out
}
