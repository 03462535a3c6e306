package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

func albGW(cfg *gwconfig.LoadBalancerConfigurationSpec, ports ...GatewayPort) Gateway {
	return Gateway{Stack: naming.GatewayALBStack("infra", "gw"), Namespace: "infra", Name: "gw", UID: "uid-1", ALB: true, Config: cfg, Ports: ports}
}

func prefix(v string) gwv1.HTTPRouteMatch {
	return gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(v)}}
}

// gwRuleLines renders a listener's rules as "prio conditions → action".
func gwRuleLines(ls Listener) []string {
	var out []string
	for _, r := range ls.Rules {
		var cs []string
		for _, c := range r.Conditions {
			v := c.Values
			if len(c.RegexValues) > 0 {
				v = append([]string{"~"}, c.RegexValues...)
			}
			for _, q := range c.QueryString {
				v = append(v, q.Key+"="+q.Value)
			}
			name := c.Field
			if c.HTTPHeaderName != "" {
				name += "(" + c.HTTPHeaderName + ")"
			}
			cs = append(cs, fmt.Sprintf("%s%v", name, v))
		}
		a := r.Actions[0]
		act := a.Type
		switch {
		case a.Forward != nil:
			for _, t := range a.Forward.TargetGroups {
				act += fmt.Sprintf(" %s*%d", t.TargetGroup, *t.Weight)
			}
		case a.FixedResponse != nil:
			act += " " + a.FixedResponse.StatusCode
		case a.Redirect != nil:
			act += fmt.Sprintf(" %s:%s%s %s", a.Redirect.Protocol, a.Redirect.Port, a.Redirect.Path, a.Redirect.StatusCode)
		}
		out = append(out, fmt.Sprintf("%d %s → %s", r.Priority, strings.Join(cs, " "), act))
	}
	return out
}

// LBC's precedence: hostname specificity first (exact before wildcard
// before none), then path type and length, method, headers, queries, then
// route age; each hostname of a route is its own rule.
func TestBuildGatewayALBRulePrecedence(t *testing.T) {
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc := gwService(false)
	get := gwv1.HTTPMethodGet
	withMethod := prefix("/a")
	withMethod.Method = &get
	withHeader := prefix("/a")
	withHeader.Headers = []gwv1.HTTPHeaderMatch{{Name: "X", Value: `a\,b,c`}}
	regex := gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchRegularExpression), Value: ptr.To("^/r[0-9]+$")}}
	exact := gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchExact), Value: ptr.To("/a")}}
	p := GatewayPort{Port: 80, Protocols: []string{ProtoHTTP}, HTTPRoutes: []GatewayHTTPRoute{
		{Namespace: "app", Name: "young", Created: old.Add(time.Hour), Rules: []GatewayHTTPRule{
			{Matches: []gwv1.HTTPRouteMatch{prefix("/")}, Backends: []GatewayBackend{be(svc, 1, nil)}},
		}},
		{Namespace: "app", Name: "old", Created: old, Hostnames: []string{"*.example.com", "a.example.com"}, Rules: []GatewayHTTPRule{
			{Matches: []gwv1.HTTPRouteMatch{prefix("/"), regex}, Backends: []GatewayBackend{be(svc, 0, nil)}},
		}},
		{Namespace: "app", Name: "paths", Created: old, Rules: []GatewayHTTPRule{
			{Matches: []gwv1.HTTPRouteMatch{prefix("/a/"), withMethod, withHeader, exact}},
			{Matches: []gwv1.HTTPRouteMatch{prefix("/")}, Redirect: &gwv1.HTTPRequestRedirectFilter{Scheme: ptr.To("https"), StatusCode: ptr.To(301)}},
		}},
	}}
	st, _, err := BuildGateway(albGW(nil, p), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	if st.LoadBalancer.Type != TypeApplication || len(st.Listeners) != 1 {
		t.Fatalf("LB type %s, %d listeners", st.LoadBalancer.Type, len(st.Listeners))
	}
	ls := st.Listeners[0]
	eq(t, "listener", []any{ls.Protocol, *ls.DefaultAction.FixedResponse}, []any{"HTTP", FixedResponse{StatusCode: "404", ContentType: "text/plain"}})
	young := "infra/gw:app-young:HTTPRoute-app-echo:8080"
	eq(t, "rules", gwRuleLines(ls), []string{
		"1 host-header[a.example.com] path-pattern[/*] → fixed-response 500",
		"2 host-header[a.example.com] path-pattern[~ ^/r[0-9]+$] → fixed-response 500",
		"3 host-header[*.example.com] path-pattern[/*] → fixed-response 500",
		"4 host-header[*.example.com] path-pattern[~ ^/r[0-9]+$] → fixed-response 500",
		"5 path-pattern[/a] → fixed-response 500",
		// "/a/" is longer than "/a" (LBC compares the values as written).
		"6 path-pattern[/a /a/*] → fixed-response 500",
		"7 path-pattern[/a /a/*] http-request-method[GET] → fixed-response 500",
		"8 path-pattern[/a /a/*] http-header(X)[a,b c] → fixed-response 500",
		"9 path-pattern[/*] → redirect HTTPS:443 HTTP_301",
		"10 path-pattern[/*] → forward " + young + "*1",
	})
	// The weight-0 backend's target group is still built (as LBC does).
	if len(st.TargetGroups) != 2 {
		t.Fatalf("%d target groups", len(st.TargetGroups))
	}
	tg := st.TargetGroups[1]
	eq(t, "TG", []any{tg.ResourceID, tg.Protocol, tg.ProtocolVersion, tg.Port, tg.TargetType}, []any{young, "HTTP", "HTTP1", int32(31080), "instance"})
	eq(t, "TG name", tg.Name, naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: "infra", GatewayName: "gw",
		RouteNamespace: "app", RouteName: "young", RouteKind: "HTTPRoute", ServiceNamespace: "app", ServiceName: "echo",
		IdentifierPort: "8080", TargetPort: 31080, TargetType: "instance", Protocol: "HTTP", ProtocolVersion: "HTTP1"}))
	eq(t, "health check", tg.HealthCheck, HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Matcher: "200-399", Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3})
	eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0"})
}

// An HTTPS listener takes the configuration's certificates, else those
// discovery finds for its hostnames; with neither it is an error.
func TestBuildGatewayALBHTTPSCertificates(t *testing.T) {
	svc := gwService(false)
	https := func(hosts ...string) GatewayPort {
		return GatewayPort{Port: 443, Protocols: []string{ProtoHTTPS}, Hostnames: hosts, HTTPRoutes: []GatewayHTTPRoute{
			{Namespace: "app", Name: "r", Rules: []GatewayHTTPRule{{Backends: []GatewayBackend{be(svc, 1, nil)}}}}}}
	}
	f := facts()
	f.Certificates = []Certificate{{ARN: "arn:found", Domains: []string{"*.example.com"}}}
	cfg := &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{
		{ProtocolPort: "HTTPS:443", DefaultCertificate: ptr.To("arn:default"), Certificates: []*string{ptr.To("arn:more")}, SSLPolicy: ptr.To("ELBSecurityPolicy-TLS13-1-2-2021-06")}}}
	for _, c := range []struct {
		name         string
		cfg          *gwconfig.LoadBalancerConfigurationSpec
		port         GatewayPort
		certs        []string
		policy, fail string
	}{
		{"configured", cfg, https("a.example.com"), []string{"arn:default", "arn:more"}, "ELBSecurityPolicy-TLS13-1-2-2021-06", ""},
		{"discovered", nil, https("a.example.com"), []string{"arn:found"}, DefaultSSLPolicy, ""},
		{"no certificate for the host", nil, https("a.other.org"), nil, "", "no certificate found for host: a.other.org"},
		{"no hostname to discover by", nil, https(), nil, "", "No hostnames found for TLS cert discovery"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, _, err := BuildGateway(albGW(c.cfg, c.port), f, defaults())
			if c.fail != "" {
				if err == nil || !strings.Contains(err.Error(), c.fail) {
					t.Fatalf("err %v, want %q", err, c.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ls := st.Listeners[0]
			eq(t, "listener", []any{ls.Protocol, ls.Certificates, ls.SSLPolicy}, []any{"HTTPS", c.certs, c.policy})
			hosts, discovers := GatewayCertificateHosts(albGW(c.cfg, c.port))
			eq(t, "discovery", []any{hosts, discovers}, []any{map[bool][]string{true: {"a.example.com"}}[c.cfg == nil], c.cfg == nil})
		})
	}
}

func grpcMethod(t gwv1.GRPCMethodMatchType, svc, method string) gwv1.GRPCRouteMatch {
	m := &gwv1.GRPCMethodMatch{Type: ptr.To(t)}
	if svc != "" {
		m.Service = ptr.To(svc)
	}
	if method != "" {
		m.Method = ptr.To(method)
	}
	return gwv1.GRPCRouteMatch{Method: m}
}

// A GRPCRoute behind an HTTPS listener: its matches become LBC's path
// patterns (/service/method, /service/*, /*/method, /*), sorted with the
// HTTPRoutes by one precedence (method type, service length, method
// length, headers); its target groups are GRPC with LBC's gRPC health
// check; behind HTTP the same route gets HTTP1 groups.
func TestBuildGatewayALBGRPCRoute(t *testing.T) {
	svc := gwService(false)
	withHeader := grpcMethod(gwv1.GRPCMethodMatchExact, "pkg.Svc", "")
	withHeader.Headers = []gwv1.GRPCHeaderMatch{{Name: "x-tenant", Value: "a,b"}}
	grpcRoute := GatewayHTTPRoute{GRPC: true, Namespace: "app", Name: "rpc", Rules: []GatewayHTTPRule{
		{GRPCMatches: []gwv1.GRPCRouteMatch{
			grpcMethod(gwv1.GRPCMethodMatchExact, "pkg.Svc", "Get"),
			grpcMethod(gwv1.GRPCMethodMatchExact, "", "Ping"),
			grpcMethod(gwv1.GRPCMethodMatchRegularExpression, "pkg.*", "List"),
			withHeader,
			grpcMethod(gwv1.GRPCMethodMatchExact, "pkg.Svc", "Watch"),
		}, Backends: []GatewayBackend{be(svc, 1, nil)}},
		{Backends: []GatewayBackend{be(svc, 1, nil)}},
	}}
	httpRoute := GatewayHTTPRoute{Namespace: "app", Name: "web", Rules: []GatewayHTTPRule{
		{Matches: []gwv1.HTTPRouteMatch{prefix("/pkg.Svc")}, Backends: []GatewayBackend{be(svc, 1, nil)}}}}
	cfg := &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{
		{ProtocolPort: "HTTPS:443", DefaultCertificate: ptr.To("arn:default")}}}
	for _, c := range []struct {
		name, proto, version string
		hc                   HealthCheck
	}{
		{"behind HTTPS", ProtoHTTPS, "GRPC", HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/AWS.ALB/healthcheck", Matcher: "12", Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}},
		{"behind HTTP", ProtoHTTP, "HTTP1", HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Matcher: "200-399", Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := int32(443)
			if c.proto == ProtoHTTP {
				port = 80
			}
			p := GatewayPort{Port: port, Protocols: []string{c.proto}, HTTPRoutes: []GatewayHTTPRoute{grpcRoute, httpRoute}}
			st, _, err := BuildGateway(albGW(cfg, p), facts(), defaults())
			if err != nil {
				t.Fatal(err)
			}
			tg := "infra/gw:app-rpc:GRPCRoute-app-echo:8080"
			web := "infra/gw:app-web:HTTPRoute-app-echo:8080"
			eq(t, "rules", gwRuleLines(st.Listeners[0]), []string{
				// Exact (3): service length, then method length, then headers.
				"1 path-pattern[/pkg.Svc/Watch] → forward " + tg + "*1",
				"2 path-pattern[/pkg.Svc/Get] → forward " + tg + "*1",
				"3 path-pattern[/pkg.Svc/*] http-header(x-tenant)[a b] → forward " + tg + "*1",
				"4 path-pattern[/*/Ping] → forward " + tg + "*1",
				// PathPrefix (2) after every exact GRPC match.
				"5 path-pattern[/pkg.Svc /pkg.Svc/*] → forward " + web + "*1",
				"6 path-pattern[/pkg.*/List] → forward " + tg + "*1",
				"7 path-pattern[/*] → forward " + tg + "*1",
			})
			var got *TargetGroup
			for i := range st.TargetGroups {
				if st.TargetGroups[i].ResourceID == tg {
					got = &st.TargetGroups[i]
				}
			}
			if got == nil {
				t.Fatalf("no target group %s", tg)
			}
			eq(t, "TG", []any{got.Protocol, got.ProtocolVersion}, []any{"HTTP", c.version})
			eq(t, "TG name", got.Name, naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: "infra", GatewayName: "gw",
				RouteNamespace: "app", RouteName: "rpc", RouteKind: "GRPCRoute", ServiceNamespace: "app", ServiceName: "echo",
				IdentifierPort: "8080", TargetPort: 31080, TargetType: "instance", Protocol: "HTTP", ProtocolVersion: c.version}))
			eq(t, "health check", got.HealthCheck, c.hc)
		})
	}
}

// URLRewrite filters and prefix redirects become LBC's rule transforms:
// full path → "^([^?]*)", prefix → "(^<prefix>(/)?)" with the slash put
// back, hostname → ".*"; the forward or redirect stays the rule's action.
func TestBuildGatewayALBRewriteTransforms(t *testing.T) {
	svc := gwService(false)
	full := func(p string) *gwv1.HTTPPathModifier {
		return &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: ptr.To(p)}
	}
	pre := func(p string) *gwv1.HTTPPathModifier {
		return &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To(p)}
	}
	for _, c := range []struct {
		name   string
		rule   GatewayHTTPRule
		want   []Transform
		action string
		fail   string
	}{
		{"full path", GatewayHTTPRule{Rewrite: &gwv1.HTTPURLRewriteFilter{Path: full("/v2/items")}},
			[]Transform{{Type: TransformURLRewrite, Rewrites: []Rewrite{{Regex: "^([^?]*)", Replace: "/v2/items"}}}}, ActionForward, ""},
		{"prefix keeps the slash after it", GatewayHTTPRule{Rewrite: &gwv1.HTTPURLRewriteFilter{Path: pre("/v2")}},
			[]Transform{{Type: TransformURLRewrite, Rewrites: []Rewrite{{Regex: "(^/api(/)?)", Replace: "/v2$2"}}}}, ActionForward, ""},
		{"prefix ending in a slash", GatewayHTTPRule{Rewrite: &gwv1.HTTPURLRewriteFilter{Path: pre("/v2/")}},
			[]Transform{{Type: TransformURLRewrite, Rewrites: []Rewrite{{Regex: "(^/api(/)?)", Replace: "/v2/"}}}}, ActionForward, ""},
		{"prefix removed", GatewayHTTPRule{Rewrite: &gwv1.HTTPURLRewriteFilter{Path: pre("")}},
			[]Transform{{Type: TransformURLRewrite, Rewrites: []Rewrite{{Regex: "(^/api(/)?)", Replace: "/"}}}}, ActionForward, ""},
		{"hostname and path", GatewayHTTPRule{Rewrite: &gwv1.HTTPURLRewriteFilter{Hostname: ptr.To(gwv1.PreciseHostname("internal.example.com")), Path: pre("/")}},
			[]Transform{{Type: TransformURLRewrite, Rewrites: []Rewrite{{Regex: "(^/api(/)?)", Replace: "/"}}},
				{Type: TransformHostHeaderRewrite, Rewrites: []Rewrite{{Regex: ".*", Replace: "internal.example.com"}}}}, ActionForward, ""},
		{"redirect by prefix", GatewayHTTPRule{Redirect: &gwv1.HTTPRequestRedirectFilter{Path: pre("/new"), StatusCode: ptr.To(301)}},
			[]Transform{{Type: TransformURLRewrite, Rewrites: []Rewrite{{Regex: "(^/api(/)?)", Replace: "/new$2"}}}}, ActionRedirect, ""},
		{"redirect by a wildcard prefix", GatewayHTTPRule{Redirect: &gwv1.HTTPRequestRedirectFilter{Path: pre("/n*")}}, nil, "", "ReplacePrefixMatch shouldn't contain wildcards"},
		{"two path rewrites", GatewayHTTPRule{Rewrite: &gwv1.HTTPURLRewriteFilter{Path: pre("/a")}, Redirect: &gwv1.HTTPRequestRedirectFilter{Path: pre("/b")}}, nil, "", "only one url-rewrite transform"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rule := c.rule
			rule.Matches = []gwv1.HTTPRouteMatch{prefix("/api")}
			rule.Backends = []GatewayBackend{be(svc, 1, nil)}
			p := GatewayPort{Port: 80, Protocols: []string{ProtoHTTP}, HTTPRoutes: []GatewayHTTPRoute{{Namespace: "app", Name: "r", Rules: []GatewayHTTPRule{rule}}}}
			st, _, err := BuildGateway(albGW(nil, p), facts(), defaults())
			if c.fail != "" {
				if err == nil || !strings.Contains(err.Error(), c.fail) {
					t.Fatalf("err %v, want %q", err, c.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := st.Listeners[0].Rules[0]
			eq(t, "transforms", r.Transforms, c.want)
			eq(t, "action", r.Actions[0].Type, c.action)
			if c.action == ActionRedirect && r.Actions[0].Redirect.Path != "" {
				t.Errorf("redirect path %q, want none (the transform rewrites it)", r.Actions[0].Redirect.Path)
			}
		})
	}
}

// A TargetGroupConfiguration's protocolVersion decides an ALB target
// group's version behind HTTPS (GRPC brings LBC's gRPC health check, and
// grpcCode its matcher); behind HTTP the group is HTTP1, as LBC.
func TestBuildGatewayALBTargetGroupProtocolVersion(t *testing.T) {
	svc := gwService(false)
	cfg := &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{
		{ProtocolPort: "HTTPS:443", DefaultCertificate: ptr.To("arn:default")}}}
	grpcHC := &gwconfig.HealthCheckConfiguration{Matcher: &gwconfig.HealthCheckMatcher{GRPCCode: ptr.To("0-99"), HTTPCode: ptr.To("200")}}
	for _, c := range []struct {
		name, listener, version string
		props                   *gwconfig.TargetGroupProps
		path, matcher, fail     string
	}{
		{"HTTP2 behind HTTPS", ProtoHTTPS, "HTTP2", &gwconfig.TargetGroupProps{ProtocolVersion: ptr.To("HTTP2")}, "/", "200-399", ""},
		{"GRPC behind HTTPS", ProtoHTTPS, "GRPC", &gwconfig.TargetGroupProps{ProtocolVersion: ptr.To("GRPC"), HealthCheckConfig: grpcHC}, "/AWS.ALB/healthcheck", "0-99", ""},
		{"GRPC behind HTTP is HTTP1", ProtoHTTP, "HTTP1", &gwconfig.TargetGroupProps{ProtocolVersion: ptr.To("GRPC"), HealthCheckConfig: grpcHC}, "/", "200", ""},
		{"unknown version", ProtoHTTPS, "", &gwconfig.TargetGroupProps{ProtocolVersion: ptr.To("HTTP3")}, "", "", "protocolVersion must be within [HTTP1, HTTP2, GRPC]: HTTP3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := GatewayPort{Port: 443, Protocols: []string{c.listener}, HTTPRoutes: []GatewayHTTPRoute{{Namespace: "app", Name: "web",
				Rules: []GatewayHTTPRule{{Matches: []gwv1.HTTPRouteMatch{prefix("/")}, Backends: []GatewayBackend{be(svc, 1, c.props)}}}}}}
			st, _, err := BuildGateway(albGW(cfg, p), facts(), defaults())
			if c.fail != "" {
				if err == nil || !strings.Contains(err.Error(), c.fail) {
					t.Fatalf("err %v, want %q", err, c.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tg := st.TargetGroups[0]
			eq(t, "TG", []any{tg.ProtocolVersion, tg.HealthCheck.Path, tg.HealthCheck.Matcher}, []any{c.version, c.path, c.matcher})
		})
	}
}

// A listener configuration's listenerAttributes go on the listener of its
// PROTOCOL:port, on NLB and ALB Gateways alike (LBC); other listeners get
// none.
func TestBuildGatewayListenerAttributes(t *testing.T) {
	svc := gwService(false)
	cfg := &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{
		{ProtocolPort: "TCP:80", ListenerAttributes: []gwconfig.Attribute{{Key: "tcp.idle_timeout.seconds", Value: "600"}}},
		{ProtocolPort: "HTTP:80", ListenerAttributes: []gwconfig.Attribute{{Key: "routing.http.response.server.enabled", Value: "false"}}},
	}}
	nlb, _, err := BuildGateway(gw(cfg, port(80, "TCPRoute", []string{ProtoTCP}, be(svc, 1, nil)), port(81, "TCPRoute", []string{ProtoTCP}, be(svc, 1, nil))), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "NLB listeners", []map[string]string{nlb.Listeners[0].Attributes, nlb.Listeners[1].Attributes},
		[]map[string]string{{"tcp.idle_timeout.seconds": "600"}, nil})
	p := GatewayPort{Port: 80, Protocols: []string{ProtoHTTP}, HTTPRoutes: []GatewayHTTPRoute{{Namespace: "app", Name: "r",
		Rules: []GatewayHTTPRule{{Backends: []GatewayBackend{be(svc, 1, nil)}}}}}}
	alb, _, err := BuildGateway(albGW(cfg, p), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ALB listener", alb.Listeners[0].Attributes, map[string]string{"routing.http.response.server.enabled": "false"})
}
