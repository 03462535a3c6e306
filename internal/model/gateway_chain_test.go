package model

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

const chainARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/k8s-alb/1"

func chained(port int32, props *gwconfig.TargetGroupProps) GatewayBackend {
	return GatewayBackend{Weight: 1, TargetGroup: props, Chained: &ChainedALB{Namespace: "web", Name: "alb", ARN: chainARN, Port: port}}
}

// A TCPRoute port forwarding to an ALB Gateway becomes a TCP target group
// of type alb on the ALB port, its one target the ALB, LBC's HTTP health
// check (or the TargetGroupConfiguration's), named as LBC names it, with no
// node rules; what an alb target group cannot do fails the build.
func TestBuildGatewayChainedALBTargetGroup(t *testing.T) {
	for _, tt := range []struct {
		name  string
		port  GatewayPort
		hc    HealthCheck
		err   string
		mixed bool
	}{
		{name: "LBC defaults", port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, nil)),
			hc: HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Matcher: "200-399", Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}},
		{name: "HTTPS check from the configuration", port: port(443, "TCPRoute", []string{ProtoTCP}, chained(443, &gwconfig.TargetGroupProps{
			HealthCheckConfig: &gwconfig.HealthCheckConfiguration{HealthCheckProtocol: ptr.To("https"), HealthCheckPath: ptr.To("/healthz"),
				HealthCheckPort: ptr.To("443"), HealthCheckInterval: ptr.To(int32(10)), Matcher: &gwconfig.HealthCheckMatcher{HTTPCode: ptr.To("200")}}})),
			hc: HealthCheck{Protocol: "HTTPS", Port: "traffic-port", Path: "/healthz", Matcher: "200", Interval: 10, Timeout: 5, Healthy: 3, Unhealthy: 3}},
		{name: "beside a Service backend: node rules for the Service only", mixed: true,
			port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, nil), be(gwService(false), 1, nil)),
			hc:   HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Matcher: "200-399", Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}},
		{name: "TCP health check", port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, &gwconfig.TargetGroupProps{
			HealthCheckConfig: &gwconfig.HealthCheckConfiguration{HealthCheckProtocol: ptr.To("TCP")}})), err: "HTTP or HTTPS"},
		{name: "another health check port", port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, &gwconfig.TargetGroupProps{
			HealthCheckConfig: &gwconfig.HealthCheckConfiguration{HealthCheckPort: ptr.To("8080")}})), err: "healthCheckPort 8080"},
		{name: "attributes", port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, &gwconfig.TargetGroupProps{
			TargetGroupAttributes: []gwconfig.Attribute{{Key: "deregistration_delay.timeout_seconds", Value: "5"}}})), err: "targetGroupAttributes"},
		{name: "target type", port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, &gwconfig.TargetGroupProps{TargetType: ptr.To("ip")})), err: "targetType ip"},
		{name: "UDP listener", port: port(80, "UDPRoute", []string{ProtoUDP}, chained(80, nil)), err: "needs a TCP listener"},
		{name: "TLS protocol", port: port(80, "TCPRoute", []string{ProtoTCP}, chained(80, &gwconfig.TargetGroupProps{Protocol: ptr.To("TLS")})), err: "not TLS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _, err := BuildGateway(gw(nil, tt.port), facts(), defaults())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var tg *TargetGroup
			for i := range st.TargetGroups {
				if st.TargetGroups[i].TargetType == TargetTypeALB {
					tg = &st.TargetGroups[i]
				}
			}
			if tg == nil {
				t.Fatalf("no alb target group in %+v", st.TargetGroups)
			}
			p := tt.port.Port
			id := naming.GatewayTargetGroup{GatewayNamespace: "infra", GatewayName: "gw", RouteNamespace: "app", RouteName: "r", RouteKind: "TCPRoute",
				ServiceNamespace: "web", ServiceName: "alb", IdentifierPort: itoa(p), TargetPort: p, TargetType: "alb", Protocol: "TCP"}
			eq(t, "resource ID", tg.ResourceID, naming.GatewayTargetGroupResourceID(id))
			eq(t, "name", tg.Name, naming.GatewayTargetGroupName(cluster, id))
			eq(t, "TG", []any{tg.Port, tg.Protocol, tg.TargetType, tg.Targets}, []any{p, "TCP", "alb", []Target{{ID: chainARN, Port: p}}})
			eq(t, "health check", tg.HealthCheck, tt.hc)
			eq(t, "listener forwards to it", st.Listeners[0].DefaultAction.Forward.TargetGroups[0].TargetGroup, tg.ResourceID)
			var want []string
			if tt.mixed {
				want = []string{nodeSG + ": tcp 31080 ← " + backendID}
			}
			eq(t, "target rules", targetRuleStrings(st), want)
		})
	}
}
