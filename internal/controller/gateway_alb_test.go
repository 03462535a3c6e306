package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// startALBGateway is the Gateway harness with a GatewayClass of controller
// gateway.k8s.aws/alb.
func startALBGateway(t *testing.T) *gwHarness {
	t.Helper()
	testenv.GatewayAPI(t)
	h := &gwHarness{harness: start(t, nil)}
	h.class = h.kube.Namespace + "-alb"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class},
		Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/alb"}})
	t.Cleanup(h.deleteGateways)
	return h
}

func httpListener(name string, port int32) gwv1.Listener {
	return gwv1.Listener{Name: gwv1.SectionName(name), Port: gwv1.PortNumber(port), Protocol: gwv1.HTTPProtocolType}
}

func weighted(ref gwv1.BackendRef, w int32) gwv1.HTTPBackendRef {
	ref.Weight = ptr.To(w)
	return gwv1.HTTPBackendRef{BackendRef: ref}
}

func pathMatch(t gwv1.PathMatchType, v string) gwv1.HTTPRouteMatch {
	return gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(t), Value: ptr.To(v)}}
}

func httpRoute(ns, name string, parents []gwv1.ParentReference, hosts []gwv1.Hostname, rules ...gwv1.HTTPRouteRule) *gwv1.HTTPRoute {
	return &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.HTTPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parents}, Hostnames: hosts, Rules: rules}}
}

// albTG is LBC's name of the HTTP target group of a Service behind an
// HTTPRoute (instance targets on the node port).
func albTG(ns, gw, route, svc string, nodePort int32) string {
	return naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: ns, GatewayName: gw,
		RouteNamespace: ns, RouteName: route, RouteKind: "HTTPRoute", ServiceNamespace: ns, ServiceName: svc,
		IdentifierPort: "8080", TargetPort: nodePort, TargetType: "instance", Protocol: "HTTP", ProtocolVersion: "HTTP1"})
}

// albOf is the name, listeners ("port/PROTO default-action") and SGs of
// the ALB of Gateway ns/name (nil: none).
type albOf struct {
	name, dns, scheme string
	listeners         []string
	sgs               []string
}

func (h *gwHarness) gatewayALB(ctx context.Context, ns, name string) (*albOf, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	for _, lb := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return nil, err
		}
		owned := false
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				owned = owned || aws.ToString(tag.Key) == naming.TagGatewayALBStack && aws.ToString(tag.Value) == ns+"/"+name
			}
		}
		if !owned {
			continue
		}
		out := &albOf{name: aws.ToString(lb.LoadBalancerName), dns: aws.ToString(lb.DNSName), scheme: string(lb.Scheme), sgs: lb.SecurityGroups}
		if lb.Type != "application" {
			return nil, fmt.Errorf("load balancer %s is of type %s", out.name, lb.Type)
		}
		ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, err
		}
		for _, l := range ls.Listeners {
			d := ""
			for _, a := range l.DefaultActions {
				if a.FixedResponseConfig != nil {
					d = "fixed " + aws.ToString(a.FixedResponseConfig.StatusCode)
				}
			}
			var certs []string
			for _, c := range l.Certificates {
				certs = append(certs, aws.ToString(c.CertificateArn))
			}
			s := fmt.Sprintf("%d/%s %s", aws.ToInt32(l.Port), l.Protocol, d)
			if len(certs) > 0 {
				s += " " + strings.Join(certs, ",")
			}
			out.listeners = append(out.listeners, s)
		}
		slices.Sort(out.listeners)
		return out, nil
	}
	return nil, nil
}

// waitALBRules waits until the Gateway's ALB has exactly the rules want.
func (h *gwHarness) waitALBRules(ns, name string, want ...string) *albOf {
	h.t.Helper()
	var lb *albOf
	var last string // the last rules seen: a poll cut short by the deadline hides them
	failed := h.t.Failed()
	defer func() {
		if !failed && h.t.Failed() {
			h.t.Logf("gateway %s: last rules seen %s", name, last)
		}
	}()
	// 90 s: a loaded 2-core CI machine has taken over 30 s to apply a change.
	testenv.EventuallyWithin(h.t, 90*time.Second, fmt.Sprintf("gateway %s rules", name), func(ctx context.Context) (bool, error) {
		var err error
		if lb, err = h.gatewayALB(ctx, ns, name); err != nil || lb == nil {
			return false, err
		}
		rs, err := h.routingRules(ctx, lb.name)
		if err != nil {
			return false, err
		}
		if got := lines(rs); !slices.Equal(got, want) {
			last = fmt.Sprintf("%q", got)
			return false, fmt.Errorf("rules %q", got)
		}
		return true, nil
	})
	return lb
}

func (h *gwHarness) getHTTPRoute(rt *gwv1.HTTPRoute) *gwv1.HTTPRoute {
	cur := &gwv1.HTTPRoute{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(rt), cur); err != nil {
		return nil
	}
	return cur
}

// httpParentCondition is "Status/Reason" of condition t in the route's
// status entry of the ALB controller for Gateway ns/name.
func httpParentCondition(rt *gwv1.HTTPRoute, ns, name, t string) string {
	for _, p := range rt.Status.Parents {
		pns := rt.Namespace
		if p.ParentRef.Namespace != nil {
			pns = string(*p.ParentRef.Namespace)
		}
		if pns == ns && string(p.ParentRef.Name) == name && p.ControllerName == "gateway.k8s.aws/alb" {
			return condition(p.Conditions, t)
		}
	}
	return ""
}

func (h *gwHarness) waitHTTPRoute(rt *gwv1.HTTPRoute, gwNS, gwName, t, want string) *gwv1.HTTPRoute {
	h.t.Helper()
	var cur *gwv1.HTTPRoute
	testenv.Eventually(h.t, fmt.Sprintf("route %s parent %s %s=%q", rt.Name, gwName, t, want), func(context.Context) (bool, error) {
		if cur = h.getHTTPRoute(rt); cur == nil {
			return false, nil
		}
		if got := httpParentCondition(cur, gwNS, gwName, t); got != want {
			return false, fmt.Errorf("is %q", got)
		}
		return true, nil
	})
	return cur
}

// A Gateway of an ALB class with an HTTPRoute converges to an ALB whose
// listener rules are the route's matches in LBC's precedence order, with
// weighted forwards and a redirect; the Gateway and route status say so;
// a resync costs no AWS call; deleting the Gateway while the route still
// names it leaves nothing behind.
func TestALBGatewayWithHTTPRouteConvergesToAnALB(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	testenv.Eventually(t, "ALB class accepted", func(ctx context.Context) (bool, error) {
		c := &gwv1.GatewayClass{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: h.class}, c); err != nil {
			return false, err
		}
		return condition(c.Status.Conditions, "Accepted") == "True/Accepted", nil
	})
	echo := h.backend(ns, "echo")
	canary := h.backend(ns, "canary")
	gw := h.gateway(ns, "gw", httpListener("http", 80))
	post := gwv1.HTTPMethodPost
	login := pathMatch(gwv1.PathMatchExact, "/login")
	login.Method = &post
	api := pathMatch(gwv1.PathMatchPathPrefix, "/api")
	api.Headers = []gwv1.HTTPHeaderMatch{{Name: "X-Env", Value: "prod"}}
	api.QueryParams = []gwv1.HTTPQueryParamMatch{{Name: "v", Value: "2"}}
	rt := httpRoute(ns, "web", []gwv1.ParentReference{parent(ns, "gw")}, []gwv1.Hostname{"web.example.com"},
		// Declared least specific first: the ALB's priorities follow LBC's
		// precedence, not the route's order.
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/old")},
			Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestRedirect,
				RequestRedirect: &gwv1.HTTPRequestRedirectFilter{Scheme: ptr.To("https"), StatusCode: ptr.To(301)}}}},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{api},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 90), weighted(svcRef(ns, "canary", 80), 10)}},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{login},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchRegularExpression, "^/v[0-9]+/items$")},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "canary", 80), 1)}},
	)
	h.create(rt)

	echoTG := albTG(ns, "gw", "web", "echo", echo.Spec.Ports[0].NodePort)
	canaryTG := albTG(ns, "gw", "web", "canary", canary.Spec.Ports[0].NodePort)
	fw := []string{canaryTG + "*10", echoTG + "*90"}
	slices.Sort(fw)
	lb := h.waitALBRules(ns, "gw",
		fmt.Sprintf("80:1 host-header[web.example.com] path-pattern[/login] http-request-method → forward %s*1", echoTG),
		fmt.Sprintf("80:2 host-header[web.example.com] path-pattern[/api /api/*] http-header(X-Env)[prod] query-string[v=2] → forward %s", strings.Join(fw, ",")),
		"80:3 host-header[web.example.com] path-pattern[/old /old/*] → redirect HTTPS://#{host}:443 HTTP_301",
		fmt.Sprintf("80:4 host-header[web.example.com] path-pattern~[^/v[0-9]+/items$] → forward %s*1", canaryTG),
	)
	if !slices.Equal(lb.listeners, []string{"80/HTTP fixed 404"}) {
		t.Errorf("listeners %v, want 80/HTTP with LBC's 404 default action", lb.listeners)
	}
	cur := h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	if want := naming.GatewayLBName(cluster, ns, "gw", string(cur.UID), naming.SchemeInternal); lb.name != want {
		t.Errorf("ALB name %s, want LBC's %s", lb.name, want)
	}
	if condition(cur.Status.Conditions, "Accepted") != "True/Accepted" {
		t.Errorf("Accepted = %s", condition(cur.Status.Conditions, "Accepted"))
	}
	if len(cur.Status.Addresses) != 1 || cur.Status.Addresses[0].Value != strings.ToLower(lb.dns) {
		t.Errorf("addresses %+v, want the ALB's DNS name %s", cur.Status.Addresses, lb.dns)
	}
	if !slices.Contains(cur.Finalizers, naming.FinalizerGatewayALB) {
		t.Errorf("finalizers %v", cur.Finalizers)
	}
	testenv.Eventually(t, "route counted on the listener", func(context.Context) (bool, error) {
		cur = h.getGateway(gw)
		return len(cur.Status.Listeners) == 1 && cur.Status.Listeners[0].AttachedRoutes == 1 &&
			condition(cur.Status.Listeners[0].Conditions, "Programmed") == "True/Programmed", nil
	})
	h.waitHTTPRoute(rt, ns, "gw", "Accepted", "True/Accepted")
	h.waitHTTPRoute(rt, ns, "gw", "ResolvedRefs", "True/ResolvedRefs")

	// The same security groups as lbsg's other load balancers.
	nodePort := echo.Spec.Ports[0].NodePort
	nodeRule := ""
	w := h.eventually("target groups and node rules", func(w world) string {
		for _, n := range []string{echoTG, canaryTG} {
			if _, ok := w.tgs[n]; !ok {
				return "no target group " + n
			}
		}
		_, backend := w.ownedSGs()
		if len(backend) != 1 {
			return "no backend SG"
		}
		nodeRule = fmt.Sprintf("tcp %d ← %s", nodePort, backend[0].ID)
		if !slices.Contains(ruleList(w.sgs[h.seed.NodeSG].Ingress), nodeRule) {
			return "node SG lacks " + nodeRule
		}
		return ""
	})
	managed, backend := w.ownedSGs()
	if len(managed) != 1 || managed[0].Tags[naming.TagGatewayALBStack] != ns+"/gw" ||
		!slices.Equal(ruleList(managed[0].Ingress), []string{"tcp 80 ← 0.0.0.0/0"}) {
		t.Fatalf("managed SGs %d, tags %v", len(managed), managed[0].Tags)
	}
	if !slices.Equal(slices.Sorted(slices.Values(lb.sgs)), slices.Sorted(slices.Values([]string{managed[0].ID, backend[0].ID}))) {
		t.Errorf("ALB SGs %v", lb.sgs)
	}

	// A resync of the unchanged Gateway costs no AWS call and no write.
	before := h.quiesce()
	rv := h.getGateway(gw).ResourceVersion
	rrv := h.getHTTPRoute(rt).ResourceVersion
	if _, err := h.ctrls.ALBGateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ctrls.TargetSG.Reconcile(t.Context(), registry.SGKey{GroupID: h.seed.NodeSG}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged ALB Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	if h.getGateway(gw).ResourceVersion != rv || h.getHTTPRoute(rt).ResourceVersion != rrv {
		t.Error("a resync rewrote the Gateway or the route")
	}

	// Deleting the Gateway while the route still names it leaves nothing.
	if err := h.kube.Client.Delete(t.Context(), gw); err != nil {
		t.Fatal(err)
	}
	h.waitGatewayGone(t.Context(), gw)
	h.eventually("nothing left", func(w world) string {
		if lb, _ := h.gatewayALB(t.Context(), ns, "gw"); lb != nil {
			return "load balancer left"
		}
		for _, n := range []string{echoTG, canaryTG} {
			if _, ok := w.tgs[n]; ok {
				return "target group left: " + n
			}
		}
		if m, _ := w.ownedSGs(); len(m) > 0 {
			return "managed SG left"
		}
		if slices.Contains(ruleList(w.sgs[h.seed.NodeSG].Ingress), nodeRule) {
			return "node rule left"
		}
		return ""
	})
	testenv.Eventually(t, "route status entry dropped", func(context.Context) (bool, error) {
		cur := h.getHTTPRoute(rt)
		return cur != nil && len(cur.Status.Parents) == 0, nil
	})
}

// An HTTPRoute asking for a filter lbsg does not build is refused out loud
// (Accepted False UnsupportedValue, an event) and left out; its sibling
// on the same Gateway is applied.
func TestALBGatewayRefusesAnUnsupportedFilterAndAppliesTheSiblingRoute(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	echo := h.backend(ns, "echo")
	h.gateway(ns, "gw", httpListener("http", 80))
	bad := httpRoute(ns, "rewrite", []gwv1.ParentReference{parent(ns, "gw")}, nil,
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/v1")},
			Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestHeaderModifier,
				RequestHeaderModifier: &gwv1.HTTPHeaderFilter{Set: []gwv1.HTTPHeader{{Name: "X-A", Value: "b"}}}}},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}})
	good := httpRoute(ns, "plain", []gwv1.ParentReference{parent(ns, "gw")}, nil,
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/v2")},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}})
	h.create(bad)
	h.create(good)

	h.waitALBRules(ns, "gw", fmt.Sprintf("80:1 path-pattern[/v2 /v2/*] → forward %s*1", albTG(ns, "gw", "plain", "echo", echo.Spec.Ports[0].NodePort)))
	cur := h.waitHTTPRoute(bad, ns, "gw", "Accepted", "False/UnsupportedValue")
	for _, p := range cur.Status.Parents {
		if c := findCond(p.Conditions, "Accepted"); c != nil && !strings.Contains(c.Message, "filter RequestHeaderModifier") {
			t.Errorf("Accepted message %q does not name the filter", c.Message)
		}
	}
	h.waitHTTPRoute(good, ns, "gw", "Accepted", "True/Accepted")
	testenv.Eventually(t, "UnsupportedConfiguration event on the route", func(context.Context) (bool, error) {
		return h.events.has("rewrite Warning UnsupportedConfiguration"), nil
	})

	// A GRPCRoute with a filter is refused the same way; the rules stay as
	// they are.
	grpc := &gwv1.GRPCRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rpc"}, Spec: gwv1.GRPCRouteSpec{
		CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{parent(ns, "gw")}},
		Rules: []gwv1.GRPCRouteRule{{BackendRefs: []gwv1.GRPCBackendRef{{BackendRef: svcRef(ns, "echo", 80)}},
			Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterRequestMirror,
				RequestMirror: &gwv1.HTTPRequestMirrorFilter{BackendRef: svcRef(ns, "echo", 80).BackendObjectReference}}}}}}}
	h.create(grpc)
	testenv.Eventually(t, "GRPCRoute refused", func(ctx context.Context) (bool, error) {
		cur := &gwv1.GRPCRoute{}
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(grpc), cur); err != nil {
			return false, err
		}
		for _, p := range cur.Status.Parents {
			if p.ControllerName == "gateway.k8s.aws/alb" && condition(p.Conditions, "Accepted") == "False/UnsupportedValue" {
				return true, nil
			}
		}
		return false, fmt.Errorf("parents %+v", cur.Status.Parents)
	})
	h.waitALBRules(ns, "gw", fmt.Sprintf("80:1 path-pattern[/v2 /v2/*] → forward %s*1", albTG(ns, "gw", "plain", "echo", echo.Spec.Ports[0].NodePort)))
}

func findCond(conds []metav1.Condition, t string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// A route moved from one ALB Gateway to another: its rules leave the first
// (whose listener goes, having no route) and appear on the second.
func TestALBGatewayRouteMovesBetweenGateways(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	echo := h.backend(ns, "echo")
	h.gateway(ns, "one", httpListener("http", 80))
	h.gateway(ns, "two", httpListener("http", 8080))
	rt := httpRoute(ns, "web", []gwv1.ParentReference{parent(ns, "one")}, nil,
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/")},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}})
	h.create(rt)
	np := echo.Spec.Ports[0].NodePort
	h.waitALBRules(ns, "one", fmt.Sprintf("80:1 path-pattern[/*] → forward %s*1", albTG(ns, "one", "web", "echo", np)))
	h.waitHTTPRoute(rt, ns, "one", "Accepted", "True/Accepted")

	testenv.Eventually(t, "route moved", func(ctx context.Context) (bool, error) {
		cur := h.getHTTPRoute(rt)
		cur.Spec.ParentRefs = []gwv1.ParentReference{parent(ns, "two")}
		return true, h.kube.Client.Update(ctx, cur)
	})
	h.waitALBRules(ns, "two", fmt.Sprintf("8080:1 path-pattern[/*] → forward %s*1", albTG(ns, "two", "web", "echo", np)))
	h.waitHTTPRoute(rt, ns, "two", "Accepted", "True/Accepted")
	h.waitHTTPRoute(rt, ns, "one", "Accepted", "")
	testenv.Eventually(t, "the first Gateway's listener and target group gone", func(ctx context.Context) (bool, error) {
		lb, err := h.gatewayALB(ctx, ns, "one")
		if err != nil || lb == nil {
			return false, err
		}
		w, err := h.world(ctx)
		if err != nil {
			return false, err
		}
		if _, ok := w.tgs[albTG(ns, "one", "web", "echo", np)]; ok || len(lb.listeners) > 0 {
			return false, fmt.Errorf("listeners %v", lb.listeners)
		}
		return true, nil
	})
}

// An HTTPS listener takes its certificates from the LoadBalancerConfiguration
// (HTTPS:443 defaultCertificate), or else discovers them in ACM by the
// listener's hostname.
func TestALBGatewayHTTPSListenerCertificates(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	cfgCert := emutest.ImportCertificate(t, h.emu.ACM, "configured.example.com")
	found := emutest.ImportCertificate(t, h.emu.ACM, "found.example.com")
	h.create(lbConfig(ns, "tls", map[string]any{"listenerConfigurations": []any{
		map[string]any{"protocolPort": "HTTPS:443", "defaultCertificate": cfgCert}}}))
	https := func(name string, host gwv1.Hostname) gwv1.Listener {
		return gwv1.Listener{Name: gwv1.SectionName(name), Port: 443, Protocol: gwv1.HTTPSProtocolType, Hostname: &host}
	}
	configured := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "configured"},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{https("https", "configured.example.com")},
			Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "tls"}}}}
	h.create(configured)
	h.gateway(ns, "discovered", https("https", "found.example.com"))
	for _, gw := range []string{"configured", "discovered"} {
		h.create(httpRoute(ns, "web-"+gw, []gwv1.ParentReference{parent(ns, gw)}, nil,
			gwv1.HTTPRouteRule{BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}}))
	}
	for gw, cert := range map[string]string{"configured": cfgCert, "discovered": found} {
		testenv.Eventually(t, gw+" HTTPS listener", func(ctx context.Context) (bool, error) {
			lb, err := h.gatewayALB(ctx, ns, gw)
			if err != nil || lb == nil {
				return false, err
			}
			if want := []string{"443/HTTPS fixed 404 " + cert}; !slices.Equal(lb.listeners, want) {
				return false, fmt.Errorf("listeners %v, want %v", lb.listeners, want)
			}
			return true, nil
		})
	}
}
