package controller_test

import (
	"fmt"
	"testing"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// URLRewrite filters and a redirect by prefix converge to the ALB rule
// transforms LBC writes (url-rewrite, host-header-rewrite) beside the
// forward or redirect; a resync costs no AWS call.
func TestALBGatewayHTTPRouteRewritesBecomeRuleTransforms(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	echo := h.backend(ns, "echo")
	gw := h.gateway(ns, "gw", httpListener("http", 80))
	rewrite := func(f gwv1.HTTPURLRewriteFilter) []gwv1.HTTPRouteFilter {
		return []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &f}}
	}
	rt := httpRoute(ns, "web", []gwv1.ParentReference{parent(ns, "gw")}, nil,
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/api")},
			Filters: rewrite(gwv1.HTTPURLRewriteFilter{Hostname: ptr.To(gwv1.PreciseHostname("internal.example.com")),
				Path: &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/v2")}}),
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchExact, "/health")},
			Filters: rewrite(gwv1.HTTPURLRewriteFilter{
				Path: &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: ptr.To("/status")}}),
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/old")},
			Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: &gwv1.HTTPRequestRedirectFilter{
				StatusCode: ptr.To(301), Path: &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/new/")}}}}},
	)
	h.create(rt)
	tg := albTG(ns, "gw", "web", "echo", echo.Spec.Ports[0].NodePort)
	h.waitALBRules(ns, "gw",
		fmt.Sprintf("80:1 path-pattern[/health] → forward %s*1, url-rewrite ^([^?]*)=>/status", tg),
		fmt.Sprintf("80:2 path-pattern[/api /api/*] → forward %s*1, url-rewrite (^/api(/)?)=>/v2$2, host-header-rewrite .*=>internal.example.com", tg),
		"80:3 path-pattern[/old /old/*] → redirect #{protocol}://#{host}:#{port} HTTP_301, url-rewrite (^/old(/)?)=>/new/",
	)
	h.waitHTTPRoute(rt, ns, "gw", "Accepted", "True/Accepted")

	before := h.quiesce()
	if _, err := h.ctrls.ALBGateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged ALB Gateway with rewrites made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}
