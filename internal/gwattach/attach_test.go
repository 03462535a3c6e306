package gwattach_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

func gateway(listeners ...gwv1.Listener) *gwv1.Gateway {
	return &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "infra", Name: "gw"}, Spec: gwv1.GatewaySpec{Listeners: listeners}}
}

func listener(name string, port int32, proto gwv1.ProtocolType) gwv1.Listener {
	return gwv1.Listener{Name: gwv1.SectionName(name), Port: gwv1.PortNumber(port), Protocol: proto}
}

func route(kind, ns, name string, ref gwv1.ParentReference, backends ...gwv1.BackendRef) *gwattach.Route {
	return &gwattach.Route{Kind: kind, Namespace: ns, Name: name, Generation: 1, Created: time.Unix(100, 0),
		ParentRefs: []gwv1.ParentReference{ref}, Rules: [][]gwv1.BackendRef{backends}}
}

func toGW() gwv1.ParentReference {
	return gwv1.ParentReference{Namespace: ptr.To(gwv1.Namespace("infra")), Name: "gw"}
}

func backend(ns, name string, port int32) gwv1.BackendRef {
	return gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Namespace: ptr.To(gwv1.Namespace(ns)),
		Name: gwv1.ObjectName(name), Port: ptr.To(gwv1.PortNumber(port))}}
}

func service(ns, name string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
}

func cond(s []gwv1.RouteParentStatus, t string) string {
	if len(s) == 0 {
		return "none"
	}
	c := meta.FindStatusCondition(s[0].Conditions, t)
	if c == nil {
		return ""
	}
	return string(c.Status) + "/" + c.Reason
}

func TestAttach(t *testing.T) {
	all := gwv1.NamespacesFromAll
	sel := gwv1.NamespacesFromSelector
	open := listener("tcp", 80, gwv1.TCPProtocolType)
	open.AllowedRoutes = &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: &all}}
	labelled := listener("tcp", 80, gwv1.TCPProtocolType)
	labelled.AllowedRoutes = &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: &sel,
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"gateway": "yes"}}}}
	grant := gwv1.ReferenceGrant{ObjectMeta: metav1.ObjectMeta{Namespace: "svc", Name: "g"}, Spec: gwv1.ReferenceGrantSpec{
		From: []gwv1.ReferenceGrantFrom{{Group: gwattach.Group, Kind: "TCPRoute", Namespace: "app"}},
		To:   []gwv1.ReferenceGrantTo{{Kind: "Service"}}}}
	for _, tt := range []struct {
		name       string
		listeners  []gwv1.Listener
		route      *gwattach.Route
		grants     []gwv1.ReferenceGrant
		accepted   string
		resolved   string
		backends   int
		listenerOK []bool
		attachedTo string
	}{
		{name: "same namespace by default", listeners: []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)},
			route: route("TCPRoute", "infra", "r", toGW(), backend("infra", "s", 80)), accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1, attachedTo: "tcp"},
		{name: "another namespace is not allowed by default", listeners: []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)},
			route: route("TCPRoute", "app", "r", toGW(), backend("app", "s", 80)), accepted: "False/NotAllowedByListeners", resolved: "True/ResolvedRefs", backends: 1},
		{name: "from All admits another namespace", listeners: []gwv1.Listener{open},
			route: route("TCPRoute", "app", "r", toGW(), backend("app", "s", 80)), accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1, attachedTo: "tcp"},
		{name: "a selector admits a labelled namespace", listeners: []gwv1.Listener{labelled},
			route: route("TCPRoute", "app", "r", toGW(), backend("app", "s", 80)), accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1, attachedTo: "tcp"},
		{name: "a UDPRoute does not attach to a TCP listener", listeners: []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)},
			route: route("UDPRoute", "infra", "r", toGW(), backend("infra", "s", 80)), accepted: "False/NotAllowedByListeners", resolved: "True/ResolvedRefs", backends: 1},
		{name: "a TCPRoute attaches to a TLS listener", listeners: []gwv1.Listener{listener("tls", 443, gwv1.TLSProtocolType)},
			route: route("TCPRoute", "infra", "r", toGW(), backend("infra", "s", 80)), accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1, attachedTo: "tls"},
		{name: "an unknown sectionName matches no parent", listeners: []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)},
			route:    route("TCPRoute", "infra", "r", gwv1.ParentReference{Name: "gw", SectionName: ptr.To(gwv1.SectionName("nope"))}, backend("infra", "s", 80)),
			accepted: "False/NoMatchingParent", resolved: "True/ResolvedRefs", backends: 1},
		{name: "a port selects the listener", listeners: []gwv1.Listener{listener("a", 80, gwv1.TCPProtocolType), listener("b", 81, gwv1.TCPProtocolType)},
			route:    route("TCPRoute", "infra", "r", gwv1.ParentReference{Name: "gw", Port: ptr.To(gwv1.PortNumber(81))}, backend("infra", "s", 80)),
			accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1, attachedTo: "b"},
		{name: "a missing Service", listeners: []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)},
			route: route("TCPRoute", "infra", "r", toGW(), backend("infra", "gone", 80)), accepted: "True/Accepted", resolved: "False/BackendNotFound", attachedTo: "tcp"},
		{name: "a missing port", listeners: []gwv1.Listener{listener("tcp", 80, gwv1.TCPProtocolType)},
			route: route("TCPRoute", "infra", "r", toGW(), backend("infra", "s", 81)), accepted: "True/Accepted", resolved: "False/BackendNotFound", attachedTo: "tcp"},
		{name: "another namespace's Service without a grant", listeners: []gwv1.Listener{open},
			route: route("TCPRoute", "app", "r", toGW(), backend("svc", "s", 80)), accepted: "True/Accepted", resolved: "False/RefNotPermitted", attachedTo: "tcp"},
		{name: "another namespace's Service with a grant", listeners: []gwv1.Listener{open}, grants: []gwv1.ReferenceGrant{grant},
			route: route("TCPRoute", "app", "r", toGW(), backend("svc", "s", 80)), accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1, attachedTo: "tcp"},
		{name: "a grant for another kind does not count", listeners: []gwv1.Listener{open}, grants: []gwv1.ReferenceGrant{grant},
			route: route("UDPRoute", "app", "r", toGW(), backend("svc", "s", 80)), accepted: "False/NotAllowedByListeners", resolved: "False/RefNotPermitted"},
		{name: "TCP and UDP share a port; TLS on it conflicts",
			listeners: []gwv1.Listener{listener("tcp", 53, gwv1.TCPProtocolType), listener("udp", 53, gwv1.UDPProtocolType), listener("tls", 53, gwv1.TLSProtocolType)},
			route:     route("UDPRoute", "infra", "r", toGW(), backend("infra", "s", 80)), accepted: "True/Accepted", resolved: "True/ResolvedRefs", backends: 1,
			listenerOK: []bool{true, true, false}, attachedTo: "udp"},
		{name: "an HTTP listener is not an NLB's", listeners: []gwv1.Listener{listener("http", 80, gwv1.HTTPProtocolType)},
			route: route("TCPRoute", "infra", "r", toGW(), backend("infra", "s", 80)), accepted: "False/NotAllowedByListeners", resolved: "True/ResolvedRefs", backends: 1,
			listenerOK: []bool{false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := gwattach.Inputs{Controller: gwattach.ControllerNLB, Gateway: gateway(tt.listeners...),
				NamespaceLabels: map[string]map[string]string{"app": {"gateway": "yes"}},
				Routes:          []*gwattach.Route{tt.route}, Grants: tt.grants,
				Services: map[types.NamespacedName]*corev1.Service{
					{Namespace: "infra", Name: "s"}: service("infra", "s"), {Namespace: "app", Name: "s"}: service("app", "s"),
					{Namespace: "svc", Name: "s"}: service("svc", "s")}}
			res := gwattach.Attach(in)
			parents := res.Parents[tt.route.Key()]
			if got := cond(parents, "Accepted"); got != tt.accepted {
				t.Errorf("Accepted = %s, want %s", got, tt.accepted)
			}
			if got := cond(parents, "ResolvedRefs"); got != tt.resolved {
				t.Errorf("ResolvedRefs = %s, want %s", got, tt.resolved)
			}
			if got := len(res.Backends[tt.route.Key()]); got != tt.backends {
				t.Errorf("%d backends, want %d", got, tt.backends)
			}
			var attached string
			var ok []bool
			for _, l := range res.Listeners {
				ok = append(ok, l.Valid)
				if slices.Contains(l.Routes, tt.route) {
					attached = string(l.Spec.Name)
				}
			}
			if attached != tt.attachedTo {
				t.Errorf("attached to %q, want %q", attached, tt.attachedTo)
			}
			if tt.listenerOK != nil && !slices.Equal(ok, tt.listenerOK) {
				t.Errorf("listener validity %v, want %v", ok, tt.listenerOK)
			}
		})
	}
}

// An unchanged world gives an unchanged status: the transition times of
// the route's current entry are kept.
func TestAttachKeepsTransitionTimes(t *testing.T) {
	in := gwattach.Inputs{Controller: gwattach.ControllerNLB, Gateway: gateway(listener("tcp", 80, gwv1.TCPProtocolType)),
		Services: map[types.NamespacedName]*corev1.Service{{Namespace: "infra", Name: "s"}: service("infra", "s")}}
	r := route("TCPRoute", "infra", "r", toGW(), backend("infra", "s", 80))
	in.Routes = []*gwattach.Route{r}
	first := gwattach.Attach(in).Parents[r.Key()]
	old := metav1.NewTime(time.Unix(1, 0))
	for i := range first[0].Conditions {
		first[0].Conditions[i].LastTransitionTime = old
	}
	r.Status = first
	again := gwattach.Attach(in).Parents[r.Key()]
	for _, c := range again[0].Conditions {
		if !c.LastTransitionTime.Equal(&old) {
			t.Errorf("%s transition time changed to %v", c.Type, c.LastTransitionTime)
		}
	}
}

// ALB classes: HTTP and HTTPS listeners, HTTPRoutes attached with the
// hostnames they serve per port (LBC's compatible hostnames), a refused
// route attached nowhere, an HTTPS listener naming certificateRefs
// accepted with a notice (LBC does not read them either).
func TestAttachALB(t *testing.T) {
	host := func(h string) *gwv1.Hostname { return ptr.To(gwv1.Hostname(h)) }
	wild := listener("http", 80, gwv1.HTTPProtocolType)
	wild.Hostname = host("*.example.com")
	plain := listener("plain", 8080, gwv1.HTTPProtocolType)
	tcp := listener("tcp", 9000, gwv1.TCPProtocolType)
	secret := listener("https", 443, gwv1.HTTPSProtocolType)
	secret.TLS = &gwv1.ListenerTLSConfig{CertificateRefs: []gwv1.SecretObjectReference{{Name: "cert"}}}
	svcs := map[types.NamespacedName]*corev1.Service{{Namespace: "infra", Name: "echo"}: service("infra", "echo")}
	mk := func(name string, hosts ...gwv1.Hostname) *gwattach.Route {
		r := route(gwattach.KindHTTPRoute, "infra", name, toGW(), backend("infra", "echo", 80))
		r.Hostnames = hosts
		return r
	}
	specific, none, other := mk("specific", "a.example.com", "b.other.org"), mk("none"), mk("other", "x.other.org")
	refused := mk("refused")
	refused.Refusal = &gwattach.Refusal{Reason: gwv1.RouteReasonUnsupportedValue, Message: "lbsg does not support rule 0: filter URLRewrite"}
	res := gwattach.Attach(gwattach.Inputs{Controller: gwattach.ControllerALB, Gateway: gateway(wild, plain, tcp, secret),
		Routes: []*gwattach.Route{specific, none, other, refused}, Services: svcs})
	var verdicts []string
	for _, l := range res.Listeners {
		verdicts = append(verdicts, string(l.Spec.Name)+" "+string(l.Reason))
	}
	eq(t, "listeners", verdicts, []string{"http Accepted", "plain Accepted", "tcp UnsupportedProtocol", "https Accepted"})
	var notices []string
	for _, l := range res.Listeners {
		if l.Notice != "" {
			notices = append(notices, string(l.Spec.Name))
		}
	}
	eq(t, "notices", notices, []string{"https"})
	eq(t, "hostnames", map[string]map[int32][]string{
		"specific": res.Hostnames[specific.Key()], "none": res.Hostnames[none.Key()], "other": res.Hostnames[other.Key()]},
		map[string]map[int32][]string{"specific": {80: {"a.example.com"}}, "none": {80: {"*.example.com"}}, "other": nil})
	eq(t, "accepted", []string{cond(res.Parents[specific.Key()], "Accepted"), cond(res.Parents[other.Key()], "Accepted"), cond(res.Parents[refused.Key()], "Accepted")},
		[]string{"True/Accepted", "True/Accepted", "False/UnsupportedValue"})
	var attached []string
	for _, l := range res.Listeners {
		for _, r := range l.Routes {
			attached = append(attached, string(l.Spec.Name)+":"+r.Name)
		}
	}
	eq(t, "attached", attached, []string{"http:none", "http:specific", "plain:none", "plain:other", "plain:specific", "https:none", "https:other", "https:specific"})
	if be := res.Backends[specific.Key()]; len(be) != 1 || be[0].Rule != 0 {
		t.Errorf("backends %+v", be)
	}
}

// A GRPCRoute attaches to HTTPS listeners (LBC's default kinds: HTTP
// admits HTTPRoutes only) and to an HTTP listener only when its
// allowedRoutes.kinds names GRPCRoute.
func TestAttachALBGRPCRouteNeedsAnHTTPSListenerOrAnExplicitKind(t *testing.T) {
	svcs := map[types.NamespacedName]*corev1.Service{{Namespace: "infra", Name: "echo"}: service("infra", "echo")}
	explicit := listener("explicit", 8080, gwv1.HTTPProtocolType)
	explicit.AllowedRoutes = &gwv1.AllowedRoutes{Kinds: []gwv1.RouteGroupKind{{Kind: gwattach.KindGRPCRoute}}}
	for _, c := range []struct {
		name     string
		listener gwv1.Listener
		want     string
	}{
		{"HTTP listener", listener("http", 80, gwv1.HTTPProtocolType), "False/NotAllowedByListeners"},
		{"HTTPS listener", listener("https", 443, gwv1.HTTPSProtocolType), "True/Accepted"},
		{"HTTP listener naming GRPCRoute", explicit, "True/Accepted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := route(gwattach.KindGRPCRoute, "infra", "rpc", toGW(), backend("infra", "echo", 80))
			res := gwattach.Attach(gwattach.Inputs{Controller: gwattach.ControllerALB, Gateway: gateway(c.listener),
				Routes: []*gwattach.Route{r}, Services: svcs})
			eq(t, "accepted", cond(res.Parents[r.Key()], "Accepted"), c.want)
			eq(t, "attached", len(res.Listeners[0].Routes), map[bool]int{true: 1}[c.want == "True/Accepted"])
		})
	}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}
