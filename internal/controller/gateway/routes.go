package gateway

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

// routeKind is one route kind: its name, an empty object and list.
type routeKind struct {
	kind   string
	object client.Object
	list   client.ObjectList
}

// routeLists are the class's route kinds: TCPRoutes, UDPRoutes and
// TLSRoutes, or with alb HTTPRoutes and GRPCRoutes.
func routeLists(alb bool) []routeKind {
	if alb {
		return []routeKind{
			{gwattach.KindHTTPRoute, &gwv1.HTTPRoute{}, &gwv1.HTTPRouteList{}},
			{gwattach.KindGRPCRoute, &gwv1.GRPCRoute{}, &gwv1.GRPCRouteList{}},
		}
	}
	return []routeKind{
		{gwattach.KindTCPRoute, &gwv1.TCPRoute{}, &gwv1.TCPRouteList{}},
		{gwattach.KindUDPRoute, &gwv1.UDPRoute{}, &gwv1.UDPRouteList{}},
		{gwattach.KindTLSRoute, &gwv1.TLSRoute{}, &gwv1.TLSRouteList{}},
	}
}

// routeCommon is route object o's common spec and status (zero: o is no
// route kind).
func routeCommon(o client.Object) (gwv1.CommonRouteSpec, gwv1.RouteStatus) {
	switch rt := o.(type) {
	case *gwv1.TCPRoute:
		return rt.Spec.CommonRouteSpec, rt.Status.RouteStatus
	case *gwv1.UDPRoute:
		return rt.Spec.CommonRouteSpec, rt.Status.RouteStatus
	case *gwv1.TLSRoute:
		return rt.Spec.CommonRouteSpec, rt.Status.RouteStatus
	case *gwv1.HTTPRoute:
		return rt.Spec.CommonRouteSpec, rt.Status.RouteStatus
	case *gwv1.GRPCRoute:
		return rt.Spec.CommonRouteSpec, rt.Status.RouteStatus
	}
	return gwv1.CommonRouteSpec{}, gwv1.RouteStatus{}
}

// routeItems are pointers to the routes of list.
func routeItems(list client.ObjectList) []client.Object {
	var out []client.Object
	switch l := list.(type) {
	case *gwv1.HTTPRouteList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *gwv1.GRPCRouteList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *gwv1.TCPRouteList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *gwv1.UDPRouteList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *gwv1.TLSRouteList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	}
	return out
}

// routeOf is route object o as a gwattach route (nil: o is no route
// kind), an HTTPRoute or GRPCRoute refused when it asks for what lbsg
// does not build.
func routeOf(o client.Object) *gwattach.Route {
	rt := routeFields(o)
	if rt == nil {
		return nil
	}
	switch o := o.(type) {
	case *gwv1.HTTPRoute:
		rt.Refusal = httpRouteRefusal(o)
	case *gwv1.GRPCRoute:
		rt.Refusal = grpcRouteRefusal(o)
	}
	return rt
}

// routeFields is what gwattach reads of route object o, without the
// refusal (nil: o is no route kind).
func routeFields(o client.Object) *gwattach.Route {
	rt := &gwattach.Route{Namespace: o.GetNamespace(), Name: o.GetName(), Generation: o.GetGeneration(), Created: o.GetCreationTimestamp().Time}
	switch o := o.(type) {
	case *gwv1.HTTPRoute:
		rt.Kind, rt.ParentRefs, rt.Hostnames, rt.Status = gwattach.KindHTTPRoute, o.Spec.ParentRefs, o.Spec.Hostnames, o.Status.Parents
		rt.Rules = ruleBackends(o.Spec.Rules, func(r gwv1.HTTPRouteRule) []gwv1.HTTPBackendRef { return r.BackendRefs },
			func(b gwv1.HTTPBackendRef) gwv1.BackendRef { return b.BackendRef })
	case *gwv1.GRPCRoute:
		rt.Kind, rt.ParentRefs, rt.Hostnames, rt.Status = gwattach.KindGRPCRoute, o.Spec.ParentRefs, o.Spec.Hostnames, o.Status.Parents
		rt.Rules = ruleBackends(o.Spec.Rules, func(r gwv1.GRPCRouteRule) []gwv1.GRPCBackendRef { return r.BackendRefs },
			func(b gwv1.GRPCBackendRef) gwv1.BackendRef { return b.BackendRef })
	case *gwv1.TCPRoute:
		rt.Kind, rt.ParentRefs, rt.Status = gwattach.KindTCPRoute, o.Spec.ParentRefs, o.Status.Parents
		rt.Rules = ruleBackends(o.Spec.Rules, func(r gwv1.TCPRouteRule) []gwv1.BackendRef { return r.BackendRefs },
			func(b gwv1.BackendRef) gwv1.BackendRef { return b })
	case *gwv1.UDPRoute:
		rt.Kind, rt.ParentRefs, rt.Status = gwattach.KindUDPRoute, o.Spec.ParentRefs, o.Status.Parents
		rt.Rules = ruleBackends(o.Spec.Rules, func(r gwv1.UDPRouteRule) []gwv1.BackendRef { return r.BackendRefs },
			func(b gwv1.BackendRef) gwv1.BackendRef { return b })
	case *gwv1.TLSRoute:
		rt.Kind, rt.ParentRefs, rt.Hostnames, rt.Status = gwattach.KindTLSRoute, o.Spec.ParentRefs, o.Spec.Hostnames, o.Status.Parents
		rt.Rules = ruleBackends(o.Spec.Rules, func(r gwv1.TLSRouteRule) []gwv1.BackendRef { return r.BackendRefs },
			func(b gwv1.BackendRef) gwv1.BackendRef { return b })
	default:
		return nil
	}
	return rt
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
