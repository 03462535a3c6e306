package gwattach_test

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

func gatewayRef(ns, name string, port *int32, group *string) gwv1.BackendRef {
	ref := gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Kind: ptr.To(gwv1.Kind("Gateway")),
		Namespace: ptr.To(gwv1.Namespace(ns)), Name: gwv1.ObjectName(name)}}
	if port != nil {
		ref.Port = ptr.To(gwv1.PortNumber(*port))
	}
	if group != nil {
		ref.Group = ptr.To(gwv1.Group(*group))
	}
	return ref
}

func albGateway(ns, name string, ports ...int32) *gwv1.Gateway {
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, p := range ports {
		name := fmt.Sprintf("http-%d", p)
		gw.Spec.Listeners = append(gw.Spec.Listeners, listener(name, p, gwv1.HTTPProtocolType))
		gw.Status.Listeners = append(gw.Status.Listeners, gwv1.ListenerStatus{Name: gwv1.SectionName(name), AttachedRoutes: 1})
	}
	return gw
}

// idle clears the Gateway's attached routes.
func idle(gw *gwv1.Gateway) *gwv1.Gateway {
	for i := range gw.Status.Listeners {
		gw.Status.Listeners[i].AttachedRoutes = 0
	}
	return gw
}

// A TCPRoute's backendRef naming a Gateway resolves, on an NLB Gateway, to
// the ALB Gateway on the port, with LBC's ResolvedRefs reasons when it
// cannot.
func TestChainedGatewayBackendResolution(t *testing.T) {
	const arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/k8s-alb/1"
	grant := gwv1.ReferenceGrant{ObjectMeta: metav1.ObjectMeta{Namespace: "albs", Name: "g"}, Spec: gwv1.ReferenceGrantSpec{
		From: []gwv1.ReferenceGrantFrom{{Group: gwattach.Group, Kind: "TCPRoute", Namespace: "infra"}},
		To:   []gwv1.ReferenceGrantTo{{Group: gwattach.Group, Kind: "Gateway"}}}}
	serviceGrant := grant
	serviceGrant.Spec.To = []gwv1.ReferenceGrantTo{{Kind: "Service"}}
	ready := func(ns string) map[types.NamespacedName]*gwattach.ChainTarget {
		return map[types.NamespacedName]*gwattach.ChainTarget{{Namespace: ns, Name: "alb"}: {Gateway: albGateway(ns, "alb", 80, 443), ALB: true, ARN: arn}}
	}
	for _, tt := range []struct {
		name       string
		controller string
		ref        gwv1.BackendRef
		chained    map[types.NamespacedName]*gwattach.ChainTarget
		grants     []gwv1.ReferenceGrant
		resolved   string
		pending    bool
	}{
		{name: "ALB Gateway with a load balancer", ref: gatewayRef("infra", "alb", ptr.To[int32](80), nil), chained: ready("infra"), resolved: "True/ResolvedRefs"},
		{name: "group of the Gateway API", ref: gatewayRef("infra", "alb", ptr.To[int32](443), ptr.To(gwattach.Group)), chained: ready("infra"), resolved: "True/ResolvedRefs"},
		{name: "another group", ref: gatewayRef("infra", "alb", ptr.To[int32](80), ptr.To("example.com")), chained: ready("infra"), resolved: "False/InvalidKind"},
		{name: "no port", ref: gatewayRef("infra", "alb", nil, nil), chained: ready("infra"), resolved: "False/UnsupportedValue"},
		{name: "missing", ref: gatewayRef("infra", "alb", ptr.To[int32](80), nil), resolved: "False/BackendNotFound"},
		{name: "not an ALB Gateway", ref: gatewayRef("infra", "alb", ptr.To[int32](80), nil),
			chained: map[types.NamespacedName]*gwattach.ChainTarget{{Namespace: "infra", Name: "alb"}: {Gateway: albGateway("infra", "alb", 80)}}, resolved: "False/BackendNotFound"},
		{name: "no listener on the port", ref: gatewayRef("infra", "alb", ptr.To[int32](8080), nil), chained: ready("infra"), resolved: "False/BackendNotFound"},
		{name: "no load balancer yet", ref: gatewayRef("infra", "alb", ptr.To[int32](80), nil),
			chained: map[types.NamespacedName]*gwattach.ChainTarget{{Namespace: "infra", Name: "alb"}: {Gateway: albGateway("infra", "alb", 80), ALB: true}}, resolved: "False/BackendNotFound", pending: true},
		{name: "no routes on the port (no ALB listener)", ref: gatewayRef("infra", "alb", ptr.To[int32](80), nil),
			chained: map[types.NamespacedName]*gwattach.ChainTarget{{Namespace: "infra", Name: "alb"}: {Gateway: idle(albGateway("infra", "alb", 80)), ALB: true, ARN: arn}}, resolved: "False/BackendNotFound"},
		{name: "another namespace without grant", ref: gatewayRef("albs", "alb", ptr.To[int32](80), nil), chained: ready("albs"), resolved: "False/RefNotPermitted"},
		{name: "another namespace with a Service grant only", ref: gatewayRef("albs", "alb", ptr.To[int32](80), nil), chained: ready("albs"), grants: []gwv1.ReferenceGrant{serviceGrant}, resolved: "False/RefNotPermitted"},
		{name: "another namespace with a Gateway grant", ref: gatewayRef("albs", "alb", ptr.To[int32](80), nil), chained: ready("albs"), grants: []gwv1.ReferenceGrant{grant}, resolved: "True/ResolvedRefs"},
		{name: "ALB routes keep refusing Gateway backends", controller: gwattach.ControllerALB, ref: gatewayRef("infra", "alb", ptr.To[int32](80), nil), chained: ready("infra"), resolved: "False/InvalidKind"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			controller := gwattach.ControllerNLB
			listeners := []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)}
			kind := "TCPRoute"
			if tt.controller != "" {
				controller, kind = tt.controller, "HTTPRoute"
				listeners = []gwv1.Listener{listener("http", 80, gwv1.HTTPProtocolType)}
			}
			r := route(kind, "infra", "r", toGW(), tt.ref)
			res := gwattach.Attach(gwattach.Inputs{Controller: controller, Gateway: gateway(listeners...), Routes: []*gwattach.Route{r},
				Grants: tt.grants, Chained: tt.chained})
			if got := cond(res.Parents[r.Key()], "ResolvedRefs"); got != tt.resolved {
				t.Errorf("ResolvedRefs = %s, want %s", got, tt.resolved)
			}
			if res.ChainPending != tt.pending {
				t.Errorf("ChainPending = %v, want %v", res.ChainPending, tt.pending)
			}
			bs := res.Backends[r.Key()]
			if tt.resolved != "True/ResolvedRefs" {
				if len(bs) != 0 {
					t.Errorf("backends %+v, want none", bs)
				}
				return
			}
			if len(bs) != 1 || bs[0].Chained == nil || bs[0].Chained.ARN != arn || bs[0].ChainPort != int32(*tt.ref.Port) || bs[0].Service != nil {
				t.Errorf("backends %+v, want the ALB Gateway on port %d", bs, *tt.ref.Port)
			}
		})
	}
}
