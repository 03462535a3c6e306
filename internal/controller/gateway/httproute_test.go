package gateway

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func TestHTTPRouteRefusalNamesWhatLbsgDoesNotBuild(t *testing.T) {
	redirect := func(p *gwv1.HTTPPathModifier) gwv1.HTTPRouteFilter {
		return gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: &gwv1.HTTPRequestRedirectFilter{Path: p}}
	}
	regexQuery := gwv1.HTTPRouteMatch{QueryParams: []gwv1.HTTPQueryParamMatch{{Type: ptr.To(gwv1.QueryParamMatchRegularExpression), Name: "q", Value: "a.*"}}}
	for _, c := range []struct {
		name string
		rule gwv1.HTTPRouteRule
		want string // "" = accepted
	}{
		{"plain forward", gwv1.HTTPRouteRule{BackendRefs: []gwv1.HTTPBackendRef{{}}}, ""},
		{"redirect to a full path", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{redirect(&gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: ptr.To("/new")})}}, ""},
		{"redirect by prefix", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{redirect(&gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/new")})}}, ""},
		{"redirect by prefix with wildcards", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{redirect(&gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/n*")})}}, "RequestRedirect replacePrefixMatch with wildcards"},
		{"prefix rewrite of a path that is no regex", gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To("/a(b")}}},
			Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &gwv1.HTTPURLRewriteFilter{Path: &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/c")}}}}},
			`replacePrefixMatch of path "/a(b"`},
		{"URL rewrite", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &gwv1.HTTPURLRewriteFilter{Hostname: ptr.To(gwv1.PreciseHostname("b.example.com"))}}}}, ""},
		{"request headers", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestHeaderModifier}}}, "filter RequestHeaderModifier"},
		{"response headers", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterResponseHeaderModifier}}}, "filter ResponseHeaderModifier"},
		{"mirror", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestMirror}}}, "filter RequestMirror"},
		{"ListenerRuleConfiguration (built)", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterExtensionRef,
			ExtensionRef: &gwv1.LocalObjectReference{Group: "gateway.k8s.aws", Kind: "ListenerRuleConfiguration", Name: "auth"}}}}, ""},
		{"another extension", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterExtensionRef,
			ExtensionRef: &gwv1.LocalObjectReference{Group: "example.com", Kind: "Auth", Name: "auth"}}}}, "filter ExtensionRef (Auth auth)"},
		{"backend filter", gwv1.HTTPRouteRule{BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: "svc"}},
			Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestHeaderModifier}}}}}, "backendRef svc filters"},
		{"timeouts", gwv1.HTTPRouteRule{Timeouts: &gwv1.HTTPRouteTimeouts{}}, "rule 0: timeouts"},
		{"retry", gwv1.HTTPRouteRule{Retry: &gwv1.HTTPRouteRetry{}}, "rule 0: retry"},
		{"session persistence", gwv1.HTTPRouteRule{SessionPersistence: &gwv1.SessionPersistence{}}, "rule 0: sessionPersistence"},
		{"regex query", gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{regexQuery}}, "RegularExpression match of query parameter q"},
		{"wildcard prefix", gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To("/a*")}}}}, `PathPrefix "/a*" with wildcards`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := httpRouteRefusal(&gwv1.HTTPRoute{Spec: gwv1.HTTPRouteSpec{Rules: []gwv1.HTTPRouteRule{c.rule}}})
			switch {
			case c.want == "" && got != nil:
				t.Fatalf("refused: %s", got.Message)
			case c.want == "":
			case got == nil:
				t.Fatalf("accepted, want a refusal naming %q", c.want)
			case got.Reason != gwv1.RouteReasonUnsupportedValue || !strings.Contains(got.Message, c.want):
				t.Fatalf("refusal %s %q, want UnsupportedValue naming %q", got.Reason, got.Message, c.want)
			}
		})
	}
}

func TestGRPCRouteRefusalNamesWhatLbsgDoesNotBuild(t *testing.T) {
	method := func(typ gwv1.GRPCMethodMatchType, svc, m *string) gwv1.GRPCRouteMatch {
		return gwv1.GRPCRouteMatch{Method: &gwv1.GRPCMethodMatch{Type: ptr.To(typ), Service: svc, Method: m}}
	}
	regexHeader := gwv1.GRPCRouteMatch{Headers: []gwv1.GRPCHeaderMatch{{Type: ptr.To(gwv1.GRPCHeaderMatchRegularExpression), Name: "x-a", Value: "b.*"}}}
	for _, c := range []struct {
		name string
		rule gwv1.GRPCRouteRule
		want string // "" = accepted
	}{
		{"plain forward", gwv1.GRPCRouteRule{BackendRefs: []gwv1.GRPCBackendRef{{}}}, ""},
		{"exact service and method", gwv1.GRPCRouteRule{Matches: []gwv1.GRPCRouteMatch{method(gwv1.GRPCMethodMatchExact, ptr.To("pkg.Svc"), ptr.To("Get"))}}, ""},
		{"wildcard method", gwv1.GRPCRouteRule{Matches: []gwv1.GRPCRouteMatch{method(gwv1.GRPCMethodMatchRegularExpression, ptr.To("pkg.*"), ptr.To("Get?"))}}, ""},
		{"regex beyond wildcards", gwv1.GRPCRouteRule{Matches: []gwv1.GRPCRouteMatch{method(gwv1.GRPCMethodMatchRegularExpression, ptr.To("pkg.(A|B)"), nil)}}, `RegularExpression method match "pkg.(A|B)"`},
		{"regex header", gwv1.GRPCRouteRule{Matches: []gwv1.GRPCRouteMatch{regexHeader}}, "RegularExpression match of header x-a"},
		{"header filter", gwv1.GRPCRouteRule{Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterRequestHeaderModifier}}}, "rule 0: filter RequestHeaderModifier"},
		{"ListenerRuleConfiguration (built)", gwv1.GRPCRouteRule{Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterExtensionRef,
			ExtensionRef: &gwv1.LocalObjectReference{Group: "gateway.k8s.aws", Kind: "ListenerRuleConfiguration", Name: "auth"}}}}, ""},
		{"another extension", gwv1.GRPCRouteRule{Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterExtensionRef,
			ExtensionRef: &gwv1.LocalObjectReference{Group: "example.com", Kind: "Auth", Name: "auth"}}}}, "filter ExtensionRef (Auth auth)"},
		{"backend filter", gwv1.GRPCRouteRule{BackendRefs: []gwv1.GRPCBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: "svc"}},
			Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterRequestHeaderModifier}}}}}, "backendRef svc filters"},
		{"session persistence", gwv1.GRPCRouteRule{SessionPersistence: &gwv1.SessionPersistence{}}, "rule 0: sessionPersistence"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := grpcRouteRefusal(&gwv1.GRPCRoute{Spec: gwv1.GRPCRouteSpec{Rules: []gwv1.GRPCRouteRule{c.rule}}})
			switch {
			case c.want == "" && got != nil:
				t.Fatalf("refused: %s", got.Message)
			case c.want == "":
			case got == nil:
				t.Fatalf("accepted, want a refusal naming %q", c.want)
			case got.Reason != gwv1.RouteReasonUnsupportedValue || !strings.Contains(got.Message, c.want):
				t.Fatalf("refusal %s %q, want UnsupportedValue naming %q", got.Reason, got.Message, c.want)
			}
		})
	}
}
