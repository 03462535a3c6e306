package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

func gwService(local bool) *corev1.Service {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "echo"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{
			{Name: "tcp", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080), NodePort: 31080}}}}
	if local {
		svc.Spec.Type = corev1.ServiceTypeLoadBalancer
		svc.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		svc.Spec.HealthCheckNodePort = 30999
	}
	return svc
}

func gw(cfg *gwconfig.LoadBalancerConfigurationSpec, ports ...GatewayPort) Gateway {
	return Gateway{Stack: naming.GatewayNLBStack("infra", "gw"), Namespace: "infra", Name: "gw", UID: "uid-1", Config: cfg, Ports: ports}
}

func port(p int32, kind string, protos []string, backends ...GatewayBackend) GatewayPort {
	return GatewayPort{Port: p, Protocols: protos, Route: &GatewayRoute{Kind: kind, Namespace: "app", Name: "r", Backends: backends}}
}

func be(svc *corev1.Service, w int32, props *gwconfig.TargetGroupProps) GatewayBackend {
	return GatewayBackend{Service: svc, Port: svc.Spec.Ports[0], Weight: w, TargetGroup: props,
		Endpoints: []Endpoint{{IP: "10.0.1.5", NodeName: "n1", Ports: map[string]int32{"tcp": 8080}}}}
}

func TestBuildGatewayTCPInstanceDefaults(t *testing.T) {
	st, _, err := BuildGateway(gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	lb := st.LoadBalancer
	eq(t, "name", lb.Name, naming.GatewayLBName(cluster, "infra", "gw", "uid-1", naming.SchemeInternal))
	eq(t, "subnets", lb.Subnets, []string{"subnet-1", "subnet-2"})
	eq(t, "LB tags", lb.Tags, map[string]string{naming.TagCluster: cluster, naming.TagGatewayNLBStack: "infra/gw", "gateway.k8s.aws.nlb/resource": "LoadBalancer"})
	eq(t, "SG refs", lb.SecurityGroups, []SGRef{{Kind: RefManaged}, {Kind: RefBackend}})
	eq(t, "managed SG", st.ManagedSG.Name, naming.GatewayManagedSGName(cluster, "infra", "gw", "uid-1"))
	eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0"})
	if len(st.TargetGroups) != 1 || len(st.Listeners) != 1 {
		t.Fatalf("%d TGs, %d listeners", len(st.TargetGroups), len(st.Listeners))
	}
	tg := st.TargetGroups[0]
	eq(t, "TG resource ID", tg.ResourceID, "infra/gw:app-r:TCPRoute-app-echo:8080")
	eq(t, "TG", []any{tg.Port, tg.Protocol, tg.TargetType, tg.Targets}, []any{int32(31080), "TCP", "instance", []Target{{ID: "i-1", Port: 31080}}})
	eq(t, "health check", tg.HealthCheck, HealthCheck{Protocol: "TCP", Port: "traffic-port", Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3})
	ls := st.Listeners[0]
	eq(t, "listener", []any{ls.Port, ls.Protocol, ls.TargetGroup}, []any{int32(80), "TCP", tg.ResourceID})
	eq(t, "target rules", targetRuleStrings(st), []string{nodeSG + ": tcp 31080 ← " + backendID})
}

func TestBuildGatewayConfiguration(t *testing.T) {
	ipProps := &gwconfig.TargetGroupProps{TargetType: ptr.To("ip"), Tags: &map[string]string{"team": "a"},
		HealthCheckConfig:     &gwconfig.HealthCheckConfiguration{HealthCheckProtocol: ptr.To("HTTP"), HealthCheckPath: ptr.To("/ready"), HealthCheckInterval: ptr.To(int32(7))},
		TargetGroupAttributes: []gwconfig.Attribute{{Key: "deregistration_delay.timeout_seconds", Value: "5"}}}
	for _, tt := range []struct {
		name  string
		gw    Gateway
		d     func(*Defaults)
		check func(t *testing.T, st Stack)
		err   string
	}{
		{name: "TCP and UDP on one port make TCP_UDP; rules for both",
			gw: gw(nil, port(53, "UDPRoute", []string{ProtoTCP, ProtoUDP}, be(gwService(false), 1, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "listener", st.Listeners[0].Protocol, "TCP_UDP")
				eq(t, "TG protocol", st.TargetGroups[0].Protocol, "TCP_UDP")
				eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 53 ← 0.0.0.0/0", "udp 53 ← 0.0.0.0/0"})
			}},
		{name: "a UDPRoute makes a UDP target group (TCP for health checks on the node)",
			gw: gw(nil, port(53, "UDPRoute", []string{ProtoUDP}, be(gwService(false), 1, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "TG protocol", st.TargetGroups[0].Protocol, "UDP")
				eq(t, "target rules", targetRuleStrings(st), []string{nodeSG + ": tcp 31080 ← " + backendID, nodeSG + ": udp 31080 ← " + backendID})
			}},
		{name: "TargetGroupConfiguration: ip targets, health check, attributes, tags",
			gw: gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, ipProps))),
			check: func(t *testing.T, st Stack) {
				tg := st.TargetGroups[0]
				eq(t, "TG", []any{tg.Port, tg.TargetType, tg.Targets}, []any{int32(8080), "ip", []Target{{ID: "10.0.1.5", Port: 8080}}})
				eq(t, "health check", tg.HealthCheck, HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/ready", Interval: 7, Timeout: 5, Healthy: 3, Unhealthy: 3, Matcher: "200-399"})
				eq(t, "attributes", tg.Attributes, map[string]string{"deregistration_delay.timeout_seconds": "5"})
				eq(t, "team tag", tg.Tags["team"], "a")
				eq(t, "target rules", targetRuleStrings(st), []string{nodeSG + ": tcp 8080 ← " + backendID})
			}},
		{name: "instance targets of a Local Service: LBC's Local health check",
			gw: gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(true), 1, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "health check", st.TargetGroups[0].HealthCheck, HealthCheck{Protocol: "HTTP", Port: "30999", Path: "/healthz", Interval: 10, Timeout: 6, Healthy: 2, Unhealthy: 2, Matcher: "200-399"})
			}},
		{name: "weights; zero weights everywhere make no listener",
			gw: gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 0, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "listeners", len(st.Listeners), 0)
				eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0"})
			}},
		{name: "scheme, name, source ranges, prefix lists, ICMP, tags, attributes",
			gw: gw(&gwconfig.LoadBalancerConfigurationSpec{Scheme: ptr.To("internet-facing"), LoadBalancerName: ptr.To("my-nlb"),
				SourceRanges: &[]string{"10.0.0.0/8", "2001:db8::/32"}, SecurityGroupPrefixes: &[]string{"pl-123"}, EnableICMP: ptr.To(true),
				Tags: &map[string]string{"env": "prod"}, LoadBalancerAttributes: []gwconfig.Attribute{{Key: "load_balancing.cross_zone.enabled", Value: "true"}}},
				port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))),
			check: func(t *testing.T, st Stack) {
				lb := st.LoadBalancer
				eq(t, "LB", []any{lb.Name, lb.Scheme, lb.Subnets, lb.Tags["env"], lb.Attributes}, []any{"my-nlb", "internet-facing", []string{"subnet-3"}, "prod",
					map[string]string{"load_balancing.cross_zone.enabled": "true"}})
				eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"icmp 3/4 ← 10.0.0.0/8", "tcp 80 ← 10.0.0.0/8", "tcp 80 ← pl-123"})
				eq(t, "listener tags", st.Listeners[0].Tags["env"], "prod")
			}},
		{name: "manual security groups without backend rules: no target rules",
			gw: gw(&gwconfig.LoadBalancerConfigurationSpec{SecurityGroups: &[]string{"sg-mine"}}, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "SG refs", st.LoadBalancer.SecurityGroups, []SGRef{{Kind: RefID, ID: "sg-mine"}})
				eq(t, "managed SG", st.ManagedSG == nil, true)
				eq(t, "target rules", len(st.TargetRules), 0)
			}},
		{name: "manual security groups with manageBackendSecurityGroupRules",
			gw: gw(&gwconfig.LoadBalancerConfigurationSpec{SecurityGroups: &[]string{"sg-mine"}, ManageBackendSecurityGroupRules: ptr.To(true)},
				port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "SG refs", st.LoadBalancer.SecurityGroups, []SGRef{{Kind: RefID, ID: "sg-mine"}, {Kind: RefBackend}})
				eq(t, "target rules", targetRuleStrings(st), []string{nodeSG + ": tcp 31080 ← " + backendID})
			}},
		{name: "a terminating TLS listener takes the configuration's certificate and policy",
			gw: gw(&gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{{ProtocolPort: "TLS:443",
				DefaultCertificate: ptr.To("arn:cert-1"), Certificates: []*string{ptr.To("arn:cert-2")}, ALPNPolicy: ptr.To("HTTP2Preferred")}}},
				GatewayPort{Port: 443, Protocols: []string{ProtoTLS}, TLSTerminate: true,
					Route: &GatewayRoute{Kind: "TLSRoute", Namespace: "app", Name: "r", Backends: []GatewayBackend{be(gwService(false), 1, nil)}}}),
			check: func(t *testing.T, st Stack) {
				ls := st.Listeners[0]
				eq(t, "listener", []any{ls.Protocol, ls.Certificates, ls.SSLPolicy, ls.ALPNPolicy}, []any{"TLS", []string{"arn:cert-1", "arn:cert-2"}, DefaultSSLPolicy, "HTTP2Preferred"})
				eq(t, "TG protocol", st.TargetGroups[0].Protocol, "TLS")
			}},
		{name: "a TLSRoute behind a Passthrough (TCP) listener gets a TCP target group",
			gw: gw(nil, port(443, "TLSRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))),
			check: func(t *testing.T, st Stack) {
				eq(t, "protocols", []string{st.Listeners[0].Protocol, st.TargetGroups[0].Protocol}, []string{"TCP", "TCP"})
			}},
		{name: "a terminating TLS listener without a certificate or hostname is an error",
			gw: gw(nil, GatewayPort{Port: 443, Protocols: []string{ProtoTLS}, TLSTerminate: true,
				Route: &GatewayRoute{Kind: "TLSRoute", Namespace: "app", Name: "r", Backends: []GatewayBackend{be(gwService(false), 1, nil)}}}),
			err: "No hostnames found for TLS cert discovery for listener on gateway infra/gw with protocol:port TLS:443"},
		{name: "instance targets need a NodePort",
			gw: gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, func() GatewayBackend {
				svc := gwService(false)
				svc.Spec.Ports[0].NodePort = 0
				return be(svc, 1, nil)
			}())),
			err: "TargetGroup port is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := defaults()
			if tt.d != nil {
				tt.d(&d)
			}
			f := facts()
			f.ManualSecurityGroups = []string{"sg-mine"}
			st, _, err := BuildGateway(tt.gw, f, d)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, st)
		})
	}
}
