package gateway

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// Gateway chaining (LBC's docs/guide/gateway/gateway_chaining.md): an NLB
// Gateway's L4 route names an ALB Gateway as its backendRef; the NLB
// forwards to a target group of type alb whose target is that Gateway's
// ALB. The ALB's ARN is a cloud fact read from the cached load balancer
// index by the ALB Gateway's stack; the NLB Gateway is reconciled again
// when the ALB Gateway changes (chainedGateways: its status is written
// once its ALB exists).

// chainRef is the Gateway a route's backendRef names, when it names one.
func chainRef(rt *gwattach.Route, ref gwv1.BackendRef) (types.NamespacedName, bool) {
	if !gwattach.IsGatewayRef(ref.BackendObjectReference) {
		return types.NamespacedName{}, false
	}
	ns := rt.Namespace
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	return types.NamespacedName{Namespace: ns, Name: string(ref.Name)}, true
}

// chainTargets reads the Gateways the routes' backendRefs name: each
// Gateway, whether its class is an ALB class, and its ALB's ARN (cached).
// A Gateway being deleted is left out (as missing): the NLB lets go of its
// ALB so that the ALB can be deleted.
func (b Builder) chainTargets(ctx context.Context, routes []*gwattach.Route) (map[types.NamespacedName]*gwattach.ChainTarget, error) {
	out := map[types.NamespacedName]*gwattach.ChainTarget{}
	seen := map[types.NamespacedName]bool{}
	for _, rt := range routes {
		for _, rule := range rt.Rules {
			for _, ref := range rule {
				key, ok := chainRef(rt, ref)
				if !ok || seen[key] {
					continue
				}
				seen[key] = true
				gw := &gwv1.Gateway{}
				if err := b.Kube.Get(ctx, key, gw); err != nil {
					if apierrors.IsNotFound(err) {
						continue
					}
					return nil, err
				}
				if !gw.DeletionTimestamp.IsZero() {
					continue
				}
				t := &gwattach.ChainTarget{Gateway: gw}
				class := &gwv1.GatewayClass{}
				if err := b.Kube.Get(ctx, types.NamespacedName{Name: string(gw.Spec.GatewayClassName)}, class); err != nil {
					if !apierrors.IsNotFound(err) {
						return nil, err
					}
				} else {
					t.ALB = string(class.Spec.ControllerName) == gwattach.ControllerALB
				}
				if t.ALB && b.LoadBalancers != nil {
					lb, err := b.LoadBalancers.ExistingLoadBalancer(ctx, naming.GatewayALBStack(key.Namespace, key.Name))
					if err != nil {
						return nil, err
					}
					if lb != nil && (lb.Type == "" || lb.Type == model.TypeApplication) {
						t.ARN = lb.ARN
					}
				}
				out[key] = t
			}
		}
	}
	return out, nil
}

// chainedGateways are the Gateways whose routes name Gateway o as a
// backend (NLB reconciler): a change to o (its class, its listeners, its
// status once its ALB exists, its deletion) reconciles them.
func (r *Reconciler) chainedGateways(ctx context.Context, o client.Object) []reconcile.Request {
	key := types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}
	return r.parentsOfRoutes(ctx, backendKey(key), func(rt *gwattach.Route, _ client.Object) bool { return namesGateway(rt, key) })
}

// namesGateway: a backendRef of the route names Gateway gw.
func namesGateway(rt *gwattach.Route, gw types.NamespacedName) bool {
	for _, rule := range rt.Rules {
		for _, ref := range rule {
			if key, ok := chainRef(rt, ref); ok && key == gw {
				return true
			}
		}
	}
	return false
}

// chainedBackend is the model backend of a route's chained ALB Gateway,
// with the TargetGroupConfiguration whose targetReference names that
// Gateway (kind Gateway, in its namespace) for the route, as LBC reads it
// (no default TargetGroupConfiguration under it).
func (b Builder) chainedBackend(ctx context.Context, be gwattach.Backend, rt *gwattach.Route) (model.GatewayBackend, error) {
	gw := be.Chained.Gateway
	spec, err := b.targetGroupConfig(ctx, types.NamespacedName{Namespace: gw.Namespace, Name: gw.Name}, gwattach.KindGateway)
	if err != nil {
		return model.GatewayBackend{}, err
	}
	return model.GatewayBackend{Weight: be.Weight, TargetGroup: spec.ForRoute(rt.Kind, rt.Namespace, rt.Name),
		Chained: &model.ChainedALB{Namespace: gw.Namespace, Name: gw.Name, ARN: be.Chained.ARN, Port: be.ChainPort}}, nil
}
