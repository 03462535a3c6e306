package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

func grpcMatch(t gwv1.GRPCMethodMatchType, svc, method string) gwv1.GRPCRouteMatch {
	m := &gwv1.GRPCMethodMatch{Type: ptr.To(t)}
	if svc != "" {
		m.Service = ptr.To(svc)
	}
	if method != "" {
		m.Method = ptr.To(method)
	}
	return gwv1.GRPCRouteMatch{Method: m}
}

func grpcRoute(ns, name string, parents []gwv1.ParentReference, rules ...gwv1.GRPCRouteRule) *gwv1.GRPCRoute {
	return &gwv1.GRPCRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.GRPCRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parents}, Rules: rules}}
}

func grpcBackend(ns, svc string) []gwv1.GRPCBackendRef {
	return []gwv1.GRPCBackendRef{{BackendRef: svcRef(ns, svc, 80)}}
}

// grpcParentCondition is "Status/Reason" of condition t in the GRPCRoute's
// status entry of the ALB controller.
func (h *gwHarness) waitGRPCRoute(rt *gwv1.GRPCRoute, t, want string) *gwv1.GRPCRoute {
	h.t.Helper()
	cur := &gwv1.GRPCRoute{}
	testenv.Eventually(h.t, fmt.Sprintf("GRPCRoute %s %s=%q", rt.Name, t, want), func(ctx context.Context) (bool, error) {
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(rt), cur); err != nil {
			return false, err
		}
		got := ""
		for _, p := range cur.Status.Parents {
			if p.ControllerName == "gateway.k8s.aws/alb" {
				got = condition(p.Conditions, t)
			}
		}
		if got != want {
			return false, fmt.Errorf("is %q", got)
		}
		return true, nil
	})
	return cur
}

// A GRPCRoute on an ALB Gateway's HTTPS listener converges to LBC's rules
// (service/method path patterns, header matches, one precedence with the
// HTTPRoutes) and a GRPC target group with LBC's gRPC health check; a
// resync costs no AWS call; a GRPCRoute asking for a filter is refused out
// loud while its siblings are applied.
func TestALBGatewayServesGRPCRoutes(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	echo := h.backend(ns, "echo")
	cert := emutest.ImportCertificate(t, h.emu.ACM, "rpc.example.com")
	// The listener's attributes (LBC's way to modify headers on ALB
	// Gateways) come from the same listener configuration.
	h.create(lbConfig(ns, "tls", map[string]any{"listenerConfigurations": []any{
		map[string]any{"protocolPort": "HTTPS:443", "defaultCertificate": cert,
			"listenerAttributes": []any{map[string]any{"key": "routing.http.response.server.enabled", "value": "false"}}}}}))
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class),
			Listeners:      []gwv1.Listener{{Name: "https", Port: 443, Protocol: gwv1.HTTPSProtocolType}},
			Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "tls"}}}}
	h.create(gw)
	tenant := grpcMatch(gwv1.GRPCMethodMatchExact, "pkg.Store", "")
	tenant.Headers = []gwv1.GRPCHeaderMatch{{Name: "x-tenant", Value: "blue"}}
	rpc := grpcRoute(ns, "rpc", []gwv1.ParentReference{parent(ns, "gw")},
		gwv1.GRPCRouteRule{Matches: []gwv1.GRPCRouteMatch{
			grpcMatch(gwv1.GRPCMethodMatchExact, "", "Ping"),
			tenant,
			grpcMatch(gwv1.GRPCMethodMatchExact, "pkg.Store", "Get"),
			grpcMatch(gwv1.GRPCMethodMatchRegularExpression, "pkg.*", "List*"),
		}, BackendRefs: grpcBackend(ns, "echo")})
	h.create(rpc)
	web := httpRoute(ns, "web", []gwv1.ParentReference{parent(ns, "gw")}, nil,
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, "/static")},
			BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}})
	h.create(web)
	// A filter on a GRPCRoute is refused (LBC builds none but
	// ListenerRuleConfiguration references).
	bad := grpcRoute(ns, "bad", []gwv1.ParentReference{parent(ns, "gw")},
		gwv1.GRPCRouteRule{Matches: []gwv1.GRPCRouteMatch{grpcMatch(gwv1.GRPCMethodMatchExact, "pkg.Admin", "")},
			Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterRequestHeaderModifier,
				RequestHeaderModifier: &gwv1.HTTPHeaderFilter{Set: []gwv1.HTTPHeader{{Name: "x-a", Value: "b"}}}}},
			BackendRefs: grpcBackend(ns, "echo")})
	h.create(bad)

	np := echo.Spec.Ports[0].NodePort
	grpcTG := naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: ns, GatewayName: "gw",
		RouteNamespace: ns, RouteName: "rpc", RouteKind: "GRPCRoute", ServiceNamespace: ns, ServiceName: "echo",
		IdentifierPort: "8080", TargetPort: np, TargetType: "instance", Protocol: "HTTP", ProtocolVersion: "GRPC"})
	webTG := albTG(ns, "gw", "web", "echo", np)
	h.waitALBRules(ns, "gw",
		fmt.Sprintf("443:1 path-pattern[/pkg.Store/Get] → forward %s*1", grpcTG),
		fmt.Sprintf("443:2 path-pattern[/pkg.Store/*] http-header(x-tenant)[blue] → forward %s*1", grpcTG),
		fmt.Sprintf("443:3 path-pattern[/*/Ping] → forward %s*1", grpcTG),
		fmt.Sprintf("443:4 path-pattern[/static /static/*] → forward %s*1", webTG),
		fmt.Sprintf("443:5 path-pattern[/pkg.*/List*] → forward %s*1", grpcTG),
	)
	h.waitGRPCRoute(rpc, "Accepted", "True/Accepted")
	cur := h.waitGRPCRoute(bad, "Accepted", "False/UnsupportedValue")
	for _, p := range cur.Status.Parents {
		if c := findCond(p.Conditions, "Accepted"); c != nil && !strings.Contains(c.Message, "filter RequestHeaderModifier") {
			t.Errorf("Accepted message %q does not name the filter", c.Message)
		}
	}
	testenv.Eventually(t, "UnsupportedConfiguration event on the GRPCRoute", func(context.Context) (bool, error) {
		return h.events.has("bad Warning UnsupportedConfiguration"), nil
	})

	// The GRPC target group: protocol version GRPC, LBC's gRPC health check.
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(t.Context(), &elbv2.DescribeTargetGroupsInput{Names: []string{grpcTG}})
	if err != nil {
		t.Fatal(err)
	}
	tg := tgs.TargetGroups[0]
	got := fmt.Sprintf("%s %s %s %s grpc=%s", tg.Protocol, aws.ToString(tg.ProtocolVersion), tg.HealthCheckProtocol,
		aws.ToString(tg.HealthCheckPath), aws.ToString(tg.Matcher.GrpcCode))
	if want := "HTTP GRPC HTTP /AWS.ALB/healthcheck grpc=12"; got != want {
		t.Errorf("GRPC target group %q, want %q", got, want)
	}

	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := h.emu.ELBv2.DescribeListeners(t.Context(), &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "listener attribute", func(ctx context.Context) (bool, error) {
		attrs, err := h.emu.ELBv2.DescribeListenerAttributes(ctx, &elbv2.DescribeListenerAttributesInput{ListenerArn: ls.Listeners[0].ListenerArn})
		if err != nil {
			return false, err
		}
		for _, a := range attrs.Attributes {
			if aws.ToString(a.Key) == "routing.http.response.server.enabled" && aws.ToString(a.Value) == "false" {
				return true, nil
			}
		}
		return false, nil
	})

	// A resync of the unchanged Gateway costs no AWS call.
	before := h.quiesce()
	if _, err := h.ctrls.ALBGateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged ALB Gateway with a GRPCRoute made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}
