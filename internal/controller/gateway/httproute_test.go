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
		{"redirect by prefix", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{redirect(&gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/new")})}}, "RequestRedirect path type ReplacePrefixMatch"},
		{"URL rewrite", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &gwv1.HTTPURLRewriteFilter{}}}}, "rule 0: filter URLRewrite"},
		{"response headers", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterResponseHeaderModifier}}}, "filter ResponseHeaderModifier"},
		{"mirror", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestMirror}}}, "filter RequestMirror"},
		{"ListenerRuleConfiguration", gwv1.HTTPRouteRule{Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterExtensionRef,
			ExtensionRef: &gwv1.LocalObjectReference{Group: "gateway.k8s.aws", Kind: "ListenerRuleConfiguration", Name: "auth"}}}}, "filter ExtensionRef (ListenerRuleConfiguration auth)"},
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
