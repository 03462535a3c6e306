package controller_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

// listenerSet builds a ListenerSet in ns naming Gateway gwNS/gw.
func listenerSet(ns, name, gwNS, gw string, listeners ...gwv1.Listener) *gwv1.ListenerSet {
	ls := &gwv1.ListenerSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.ListenerSetSpec{ParentRef: gwv1.ParentGatewayReference{Namespace: ptr.To(gwv1.Namespace(gwNS)), Name: gwv1.ObjectName(gw)}}}
	for _, l := range listeners {
		ls.Spec.Listeners = append(ls.Spec.Listeners, gwv1.ListenerEntry{Name: l.Name, Hostname: l.Hostname, Port: l.Port,
			Protocol: l.Protocol, TLS: l.TLS, AllowedRoutes: l.AllowedRoutes})
	}
	return ls
}

// toListenerSet is a route parentRef naming a ListenerSet's listener.
func toListenerSet(ns, name, section string) gwv1.ParentReference {
	return gwv1.ParentReference{Group: ptr.To(gwv1.Group(gwv1.GroupName)), Kind: ptr.To(gwv1.Kind("ListenerSet")),
		Namespace: ptr.To(gwv1.Namespace(ns)), Name: gwv1.ObjectName(name), SectionName: ptr.To(gwv1.SectionName(section))}
}

// allowListeners makes a Gateway accept ListenerSets from namespaces from.
func allowListeners(gw *gwv1.Gateway, from gwv1.FromNamespaces) *gwv1.Gateway {
	gw.Spec.AllowedListeners = &gwv1.AllowedListeners{Namespaces: &gwv1.ListenerNamespaces{From: &from}}
	return gw
}

func (h *gwHarness) getListenerSet(ls *gwv1.ListenerSet) *gwv1.ListenerSet {
	cur := &gwv1.ListenerSet{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(ls), cur); err != nil {
		return nil
	}
	return cur
}

// listenerSetState is "Accepted Programmed | listener:attached:Conflicted:Programmed ...".
func listenerSetState(ls *gwv1.ListenerSet) string {
	s := condition(ls.Status.Conditions, "Accepted") + " " + condition(ls.Status.Conditions, "Programmed") + " |"
	for _, l := range ls.Status.Listeners {
		s += fmt.Sprintf(" %s:%d:%s:%s", l.Name, l.AttachedRoutes, condition(l.Conditions, "Conflicted"), condition(l.Conditions, "Programmed"))
	}
	return s
}

func (h *gwHarness) waitListenerSet(ls *gwv1.ListenerSet, want string) *gwv1.ListenerSet {
	h.t.Helper()
	var cur *gwv1.ListenerSet
	testenv.Eventually(h.t, fmt.Sprintf("listenerset %s %q", ls.Name, want), func(context.Context) (bool, error) {
		if cur = h.getListenerSet(ls); cur == nil {
			return false, nil
		}
		if got := listenerSetState(cur); got != want {
			return false, fmt.Errorf("is %q", got)
		}
		return true, nil
	})
	return cur
}

func (h *gwHarness) waitAttachedListenerSets(gw *gwv1.Gateway, want *int32) {
	h.t.Helper()
	testenv.Eventually(h.t, fmt.Sprintf("gateway %s attachedListenerSets", gw.Name), func(context.Context) (bool, error) {
		cur := h.getGateway(gw)
		if cur == nil {
			return false, nil
		}
		if got := cur.Status.AttachedListenerSets; !ptrEqual(got, want) {
			return false, fmt.Errorf("is %v", ptr.Deref(got, -1))
		}
		return true, nil
	})
}

func ptrEqual(a, b *int32) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// listenerSetParentCondition is "Status/Reason" of condition t in the
// route's status entry for ListenerSet ns/name.
func listenerSetParentCondition(rt *gwv1.TCPRoute, ns, name, t string) string {
	for _, p := range rt.Status.Parents {
		if p.ParentRef.Kind != nil && *p.ParentRef.Kind == "ListenerSet" && p.ParentRef.Namespace != nil &&
			string(*p.ParentRef.Namespace) == ns && string(p.ParentRef.Name) == name && p.ControllerName == "gateway.k8s.aws/nlb" {
			return condition(p.Conditions, t)
		}
	}
	return ""
}

func (h *gwHarness) waitRouteOnListenerSet(rt *gwv1.TCPRoute, ns, name, t, want string) {
	h.t.Helper()
	testenv.Eventually(h.t, fmt.Sprintf("route %s parent ListenerSet %s %s=%q", rt.Name, name, t, want), func(context.Context) (bool, error) {
		cur := h.getRoute(rt)
		if cur == nil {
			return false, nil
		}
		if got := listenerSetParentCondition(cur, ns, name, t); got != want {
			return false, fmt.Errorf("is %q", got)
		}
		return true, nil
	})
}

// TestGatewayListenerSetAddsListeners: a ListenerSet in another namespace,
// allowed by the Gateway, adds its listener to the NLB; a route in the
// ListenerSet's namespace attaches to it (allowedRoutes Same means the
// ListenerSet's namespace); a later ListenerSet conflicting with the
// Gateway's listener is refused without touching AWS; deleting the first
// ListenerSet removes its listener and the route's status entry for it.
func TestGatewayListenerSetAddsListeners(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	team := testenv.Kube(t).Namespace
	h.backend(ns, "echo")
	h.backend(team, "app")
	gw := allowListeners(&gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)}}}, gwv1.NamespacesFromAll)
	h.create(gw)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	h.waitListeners(ns, "gw", "80/TCP")

	ls := listenerSet(team, "app", ns, "gw", tcpListener("app", 8080))
	h.create(ls)
	rt := tcpRoute(team, "app", []gwv1.ParentReference{toListenerSet(team, "app", "app")}, svcRef(team, "app", 80))
	h.create(rt)
	h.waitListeners(ns, "gw", "80/TCP", "8080/TCP")
	h.waitRouteOnListenerSet(rt, team, "app", "Accepted", "True/Accepted")
	h.waitRouteOnListenerSet(rt, team, "app", "ResolvedRefs", "True/ResolvedRefs")
	h.waitListenerSet(ls, "True/Accepted True/Programmed | app:1:False/NoConflicts:True/Programmed")
	h.waitAttachedListenerSets(gw, ptr.To[int32](1))
	cur := h.getGateway(gw)
	if len(cur.Status.Listeners) != 1 || cur.Status.Listeners[0].Name != "tcp" {
		t.Errorf("the Gateway's listener status lists %v; a ListenerSet's listeners belong in its own status", cur.Status.Listeners)
	}
	if got := routeParentCondition(h.getRoute(rt), ns, "gw", "Accepted"); got != "" {
		t.Errorf("the route got a status entry for the Gateway (%s), it names only the ListenerSet", got)
	}

	// A newer ListenerSet whose listener conflicts with the Gateway's own
	// (TLS on the Gateway's TCP port) is refused; nothing in AWS changes.
	before := h.quiesce()
	mutations := h.emu.Server.Calls().Mutations()
	tls := gwv1.Listener{Name: "tls", Port: 80, Protocol: gwv1.TLSProtocolType,
		TLS: &gwv1.ListenerTLSConfig{Mode: ptr.To(gwv1.TLSModePassthrough)}}
	clash := listenerSet(team, "clash", ns, "gw", tls)
	h.create(clash)
	h.waitListenerSet(clash, "False/ListenersNotValid False/ListenersNotValid | tls:0:True/ProtocolConflict:False/ProtocolConflict")
	h.waitAttachedListenerSets(gw, ptr.To[int32](1))
	testenv.Eventually(t, "InvalidListener event on the ListenerSet", func(context.Context) (bool, error) {
		return h.events.has("clash Warning InvalidListener"), nil
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Mutations() - mutations; n != 0 {
		t.Errorf("a conflicting ListenerSet made %d mutating AWS calls (%d calls in all): %v", n, h.emu.Server.Calls().Total-before, h.emu.Server.Calls().Sorted())
	}
	h.waitListeners(ns, "gw", "80/TCP", "8080/TCP")

	// Deleting the ListenerSet removes its listener and the route's entry.
	if err := h.kube.Client.Delete(t.Context(), h.getListenerSet(ls)); err != nil {
		t.Fatal(err)
	}
	h.waitListeners(ns, "gw", "80/TCP")
	h.waitRouteOnListenerSet(rt, team, "app", "Accepted", "")
	h.waitAttachedListenerSets(gw, ptr.To[int32](0))
}

// TestGatewayListenerSetNotAllowed: a Gateway without allowedListeners
// refuses a ListenerSet naming it (NotAllowed, an event, no listener, no
// AWS write); allowing the namespace later serves it.
func TestGatewayListenerSetNotAllowed(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	gw := h.gateway(ns, "gw", tcpListener("tcp", 80))
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	h.waitListeners(ns, "gw", "80/TCP")
	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	h.quiesce()
	mutations := h.emu.Server.Calls().Mutations()

	ls := listenerSet(ns, "extra", ns, "gw", tcpListener("extra", 81))
	h.create(ls)
	rt := tcpRoute(ns, "extra", []gwv1.ParentReference{toListenerSet(ns, "extra", "extra")}, svcRef(ns, "echo", 80))
	h.create(rt)
	h.waitListenerSet(ls, "False/NotAllowed False/NotAllowed |")
	h.waitAttachedListenerSets(gw, ptr.To[int32](0))
	testenv.Eventually(t, "ListenerSetNotAllowed event", func(context.Context) (bool, error) {
		return h.events.has("extra Warning ListenerSetNotAllowed"), nil
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Mutations() - mutations; n != 0 {
		t.Errorf("a ListenerSet the Gateway does not allow made %d mutating AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	h.waitListeners(ns, "gw", "80/TCP")
	if got := h.getRoute(rt).Status.Parents; len(got) != 0 {
		t.Errorf("a route on a refused ListenerSet got parent statuses %+v (LBC writes none)", got)
	}

	testenv.Eventually(t, "Gateway allows its namespace", func(ctx context.Context) (bool, error) {
		cur := h.getGateway(gw)
		allowListeners(cur, gwv1.NamespacesFromSame)
		return true, h.kube.Client.Update(ctx, cur)
	})
	h.waitListeners(ns, "gw", "80/TCP", "81/TCP")
	h.waitListenerSet(ls, "True/Accepted True/Programmed | extra:1:False/NoConflicts:True/Programmed")
	h.waitRouteOnListenerSet(rt, ns, "extra", "Accepted", "True/Accepted")
}

// TestGatewayListenerSetGateOff: with GatewayListenerSet off, ListenerSets
// are ignored as LBC ignores them: no listener, no status, no
// attachedListenerSets.
func TestGatewayListenerSetGateOff(t *testing.T) {
	testenv.GatewayAPI(t)
	h := &gwHarness{harness: start(t, func(o *options.Controller) { o.FeatureGates[options.GateGatewayListenerSet] = false })}
	h.class = h.kube.Namespace + "-nlb"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class},
		Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb"}})
	t.Cleanup(h.deleteGateways)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	gw := allowListeners(&gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)}}}, gwv1.NamespacesFromSame)
	h.create(gw)
	ls := listenerSet(ns, "extra", ns, "gw", tcpListener("extra", 81))
	h.create(ls)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw"), toListenerSet(ns, "extra", "extra")}, svcRef(ns, "echo", 80)))
	h.waitRoute(&gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "echo"}}, ns, "gw", "Accepted", "True/Accepted")
	h.waitListeners(ns, "gw", "80/TCP")
	h.quiesce()
	h.waitListeners(ns, "gw", "80/TCP")
	// The API server's defaults (Unknown/Pending) stay as they are.
	if cur := h.getListenerSet(ls); listenerSetState(cur) != "Unknown/Pending Unknown/Pending |" {
		t.Errorf("ListenerSet status written with the gate off: %s", listenerSetState(cur))
	}
	if cur := h.getGateway(gw); cur.Status.AttachedListenerSets != nil {
		t.Errorf("attachedListenerSets = %d with the gate off", *cur.Status.AttachedListenerSets)
	}
	rt := h.getRoute(&gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "echo"}})
	if slices.ContainsFunc(rt.Status.Parents, func(p gwv1.RouteParentStatus) bool {
		return p.ParentRef.Kind != nil && *p.ParentRef.Kind == "ListenerSet"
	}) {
		t.Errorf("route status names the ListenerSet with the gate off: %+v", rt.Status.Parents)
	}
}

// TestALBGatewayListenerSetListenersAndRules: an ALB Gateway's ListenerSet
// adds a port (8080) and a hostname on the Gateway's own port (80); the
// HTTPRoutes naming its listeners become rules on those ports. A resync
// costs no AWS call and rewrites nothing; deleting the Gateway drops the
// routes' ListenerSet entries.
func TestALBGatewayListenerSetListenersAndRules(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	app := h.backend(ns, "app")
	gw := allowListeners(&gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{httpListener("http", 80)}}}, gwv1.NamespacesFromSame)
	h.create(gw)
	alt, onGW := httpListener("alt", 8080), httpListener("b", 80)
	alt.Hostname, onGW.Hostname = ptr.To(gwv1.Hostname("a.example.com")), ptr.To(gwv1.Hostname("b.example.com"))
	ls := listenerSet(ns, "team", ns, "gw", alt, onGW)
	h.create(ls)
	rule := gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/")},
		BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "app", 80), 1)}}
	toAlt := gwv1.ParentReference{Group: ptr.To(gwv1.Group(gwv1.GroupName)), Kind: ptr.To(gwv1.Kind("ListenerSet")), Name: "team",
		SectionName: ptr.To(gwv1.SectionName("alt"))}
	toB := toAlt
	toB.SectionName = ptr.To(gwv1.SectionName("b"))
	rtA := httpRoute(ns, "a", []gwv1.ParentReference{toAlt}, nil, rule)
	rtB := httpRoute(ns, "b", []gwv1.ParentReference{toB}, nil, rule)
	h.create(rtA)
	h.create(rtB)
	tgA, tgB := albTG(ns, "gw", "a", "app", app.Spec.Ports[0].NodePort), albTG(ns, "gw", "b", "app", app.Spec.Ports[0].NodePort)
	lb := h.waitALBRules(ns, "gw",
		fmt.Sprintf("8080:1 host-header[a.example.com] path-pattern[/*] → forward %s*1", tgA),
		fmt.Sprintf("80:1 host-header[b.example.com] path-pattern[/*] → forward %s*1", tgB))
	if !slices.Equal(lb.listeners, []string{"80/HTTP fixed 404", "8080/HTTP fixed 404"}) {
		t.Errorf("listeners %v", lb.listeners)
	}
	h.waitListenerSet(ls, "True/Accepted True/Programmed | alt:1:False/NoConflicts:True/Programmed b:1:False/NoConflicts:True/Programmed")
	h.waitAttachedListenerSets(gw, ptr.To[int32](1))
	for _, rt := range []*gwv1.HTTPRoute{rtA, rtB} {
		testenv.Eventually(t, "route "+rt.Name+" accepted on the ListenerSet", func(context.Context) (bool, error) {
			cur := h.getHTTPRoute(rt)
			return cur != nil && len(cur.Status.Parents) == 1 && *cur.Status.Parents[0].ParentRef.Kind == "ListenerSet" &&
				condition(cur.Status.Parents[0].Conditions, "Accepted") == "True/Accepted", nil
		})
	}

	before := h.quiesce()
	rv, lsRV := h.getGateway(gw).ResourceVersion, h.getListenerSet(ls).ResourceVersion
	if _, err := h.ctrls.ALBGateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged Gateway with a ListenerSet made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	if h.getGateway(gw).ResourceVersion != rv || h.getListenerSet(ls).ResourceVersion != lsRV {
		t.Error("a resync rewrote the Gateway or the ListenerSet")
	}

	if err := h.kube.Client.Delete(t.Context(), gw); err != nil {
		t.Fatal(err)
	}
	h.waitGatewayGone(t.Context(), gw)
	for _, rt := range []*gwv1.HTTPRoute{rtA, rtB} {
		testenv.Eventually(t, "route "+rt.Name+" ListenerSet entry dropped", func(context.Context) (bool, error) {
			cur := h.getHTTPRoute(rt)
			return cur != nil && len(cur.Status.Parents) == 0, nil
		})
	}
}
