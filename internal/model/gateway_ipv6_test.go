package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// ipv6Facts gives facts()'s subnets IPv6 blocks (subnet-3 keeps none).
func ipv6Facts() Facts {
	f := facts()
	f.Subnets[0].IPv6CIDRs = []string{"2600:1f14:aaaa:1::/64"}
	f.Subnets[1].IPv6CIDRs = []string{"2600:1f14:aaaa:2::/64"}
	f.Subnets[2].HasIPv6 = false
	f.Endpoints = nil
	return f
}

func dualService() *corev1.Service {
	svc := gwService(false)
	svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol, corev1.IPv4Protocol}
	return svc
}

// dualBackend is a backend with one IPv4 and one IPv6 endpoint.
func dualBackend(svc *corev1.Service, props *gwconfig.TargetGroupProps) GatewayBackend {
	b := be(svc, 1, props)
	b.Endpoints = append(b.Endpoints, Endpoint{IP: "2600:1f14:aaaa:1::5", NodeName: "n1", Ports: map[string]int32{"tcp": 8080}})
	return b
}

func TestBuildGatewayDualstack(t *testing.T) {
	dual := func(mod func(*gwconfig.LoadBalancerConfigurationSpec)) *gwconfig.LoadBalancerConfigurationSpec {
		c := &gwconfig.LoadBalancerConfigurationSpec{IPAddressType: ptr.To("dualstack")}
		if mod != nil {
			mod(c)
		}
		return c
	}
	subnets := func(entries ...gwconfig.SubnetConfiguration) func(*gwconfig.LoadBalancerConfigurationSpec) {
		return func(c *gwconfig.LoadBalancerConfigurationSpec) { c.LoadBalancerSubnets = &entries }
	}
	ip := &gwconfig.TargetGroupProps{TargetType: ptr.To("ip")}
	tcp := func(cfg *gwconfig.LoadBalancerConfigurationSpec, b GatewayBackend) Gateway {
		return gw(cfg, port(80, "TCPRoute", []string{ProtoTCP}, b))
	}
	for _, tt := range []struct {
		name     string
		gw       Gateway
		existing []string // subnets of the NLB AWS has
		check    func(t *testing.T, st Stack)
		err      string
	}{
		{name: "dualstack: IPv6 subnets only, ::/0 beside 0.0.0.0/0, source NAT off",
			gw: tcp(dual(nil), be(gwService(false), 1, nil)),
			check: func(t *testing.T, st Stack) {
				eq(t, "IP type", st.LoadBalancer.IPAddressType, "dualstack")
				eq(t, "subnets", st.LoadBalancer.Subnets, []string{"subnet-1", "subnet-2"})
				eq(t, "source NAT", st.LoadBalancer.SourceNATPrefix, "off")
				eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0", "tcp 80 ← ::/0"})
				eq(t, "TG IP type", st.TargetGroups[0].IPAddressType, "ipv4")
			}},
		{name: "IPv6 source ranges with ICMP get ICMPv6 path-MTU rules",
			gw: tcp(dual(func(c *gwconfig.LoadBalancerConfigurationSpec) {
				c.SourceRanges, c.EnableICMP = &[]string{"192.0.2.0/24", "2001:db8::/32"}, ptr.To(true)
			}), be(gwService(false), 1, nil)),
			check: func(t *testing.T, st Stack) {
				eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{
					"icmp 3/4 ← 192.0.2.0/24", "icmpv6 2/0 ← 2001:db8::/32", "tcp 80 ← 192.0.2.0/24", "tcp 80 ← 2001:db8::/32"})
			}},
		{name: "IPv4 load balancer drops IPv6 source ranges (as LBC)",
			gw: tcp(&gwconfig.LoadBalancerConfigurationSpec{SourceRanges: &[]string{"192.0.2.0/24", "2001:db8::/32"}}, be(gwService(false), 1, nil)),
			check: func(t *testing.T, st Stack) {
				eq(t, "managed rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 192.0.2.0/24"})
				eq(t, "source NAT", st.LoadBalancer.SourceNATPrefix, "")
			}},
		{name: "IPv6 allocations and source-NAT prefixes map onto their subnets",
			gw: tcp(dual(subnets(
				gwconfig.SubnetConfiguration{Identifier: "subnet-1", IPv6Allocation: ptr.To("2600:1f14:aaaa:1::10"), SourceNatIPv6Prefix: ptr.To("auto_assigned")},
				gwconfig.SubnetConfiguration{Identifier: "subnet-2", IPv6Allocation: ptr.To("2600:1f14:aaaa:2::10"), SourceNatIPv6Prefix: ptr.To("2600:1f14:aaaa:2:5::/80")},
			)), be(gwService(false), 1, nil)),
			check: func(t *testing.T, st Stack) {
				eq(t, "source NAT", st.LoadBalancer.SourceNATPrefix, "on")
				eq(t, "mappings", st.LoadBalancer.SubnetMappings, []SubnetMapping{
					{SubnetID: "subnet-1", IPv6: "2600:1f14:aaaa:1::10", SourceNATPrefix: "auto_assigned"},
					{SubnetID: "subnet-2", IPv6: "2600:1f14:aaaa:2::10", SourceNATPrefix: "2600:1f14:aaaa:2:5::/80"}})
			}},
		{name: "a dual-stack Service's ip targets are an ipv6 group of its IPv6 endpoints",
			gw: tcp(dual(nil), dualBackend(dualService(), ip)),
			check: func(t *testing.T, st Stack) {
				tg := st.TargetGroups[0]
				eq(t, "TG", []any{tg.IPAddressType, tg.Targets}, []any{"ipv6", []Target{{ID: "2600:1f14:aaaa:1::5", Port: 8080}}})
			}},
		{name: "an ALB takes dualstack and ipv6 target groups too",
			gw: func() Gateway {
				g := gw(dual(nil))
				g.ALB = true
				g.Ports = []GatewayPort{{Port: 80, Protocols: []string{ProtoHTTP}, HTTPRoutes: []GatewayHTTPRoute{{Namespace: "app", Name: "r",
					Rules: []GatewayHTTPRule{{Backends: []GatewayBackend{dualBackend(dualService(), ip)}}}}}}}
				return g
			}(),
			check: func(t *testing.T, st Stack) {
				eq(t, "IP type", st.LoadBalancer.IPAddressType, "dualstack")
				eq(t, "TG IP type", st.TargetGroups[0].IPAddressType, "ipv6")
			}},
		{name: "a TargetGroupConfiguration stating the inferred type is taken",
			gw: tcp(dual(nil), dualBackend(dualService(), &gwconfig.TargetGroupProps{TargetType: ptr.To("ip"), IPAddressType: ptr.To("ipv6")})),
			check: func(t *testing.T, st Stack) {
				eq(t, "TG IP type", st.TargetGroups[0].IPAddressType, "ipv6")
			}},

		{name: "IPv6 Service behind an IPv4 load balancer", gw: tcp(nil, dualBackend(dualService(), ip)),
			err: "unsupported IPv6 configuration, lb not dual-stack"},
		{name: "ipv6 target group of instance targets", gw: tcp(dual(nil), dualBackend(dualService(), nil)),
			err: "ipv6 target groups need ip targets"},
		{name: "ipAddressType other than the inferred one",
			gw:  tcp(dual(nil), dualBackend(gwService(false), &gwconfig.TargetGroupProps{TargetType: ptr.To("ip"), IPAddressType: ptr.To("ipv6")})),
			err: "TargetGroupConfiguration ipAddressType ipv6 does not match the target groups of Service app/echo, which are ipv4"},
		{name: "ipv6 target group on an NLB without security groups",
			gw:  tcp(dual(func(c *gwconfig.LoadBalancerConfigurationSpec) { c.DisableSecurityGroup = ptr.To(true) }), dualBackend(dualService(), ip)),
			err: "ipv6 target groups on an NLB without security groups"},
		{name: "unknown IP address type", gw: tcp(&gwconfig.LoadBalancerConfigurationSpec{IPAddressType: ptr.To("ipv6")}, be(gwService(false), 1, nil)),
			err: "unknown IPAddressType: ipv6"},
		{name: "IPv6 allocation on an IPv4 NLB",
			gw:  tcp(&gwconfig.LoadBalancerConfigurationSpec{LoadBalancerSubnets: &[]gwconfig.SubnetConfiguration{{Identifier: "subnet-1", IPv6Allocation: ptr.To("2600:1f14:aaaa:1::10")}}}, be(gwService(false), 1, nil)),
			err: "IPv6Allocation can only be set for dualstack load balancers"},
		{name: "source-NAT prefix on an IPv4 NLB",
			gw:  tcp(&gwconfig.LoadBalancerConfigurationSpec{LoadBalancerSubnets: &[]gwconfig.SubnetConfiguration{{Identifier: "subnet-1", SourceNatIPv6Prefix: ptr.To("auto_assigned")}}}, be(gwService(false), 1, nil)),
			err: "SourceNatIPv6Prefix can only be set for dualstack load balancers"},
		{name: "IPv6 allocations on some entries only",
			gw: tcp(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-1", IPv6Allocation: ptr.To("2600:1f14:aaaa:1::10")},
				gwconfig.SubnetConfiguration{Identifier: "subnet-2"})), be(gwService(false), 1, nil)),
			err: "Either specify all ipv6 allocations or none."},
		{name: "IPv6 allocation outside its subnet",
			gw:  tcp(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-1", IPv6Allocation: ptr.To("2600:1f14:aaaa:2::10")})), be(gwService(false), 1, nil)),
			err: "expect one IPv6 address configured for subnet: subnet-1"},
		{name: "IPv4 address as IPv6 allocation",
			gw:  tcp(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-1", IPv6Allocation: ptr.To("10.0.0.5")})), be(gwService(false), 1, nil)),
			err: "IPv6 addresses must be valid IPv6 address: 10.0.0.5"},
		{name: "source-NAT prefix that is not a /80",
			gw:  tcp(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-1", SourceNatIPv6Prefix: ptr.To("2600:1f14:aaaa:1::/64")})), be(gwService(false), 1, nil)),
			err: "Prefix length must be 80, but 64 is specified."},
		{name: "source-NAT prefix outside its subnet",
			gw:  tcp(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-1", SourceNatIPv6Prefix: ptr.To("2600:1f14:aaaa:2:5::/80")})), be(gwService(false), 1, nil)),
			err: "Value must be within subnet CIDR range"},
		{name: "a named subnet without IPv6",
			gw:  tcp(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-3"})), be(gwService(false), 1, nil)),
			err: "subnets [subnet-3] do not have an associated IPv6 CIDR block"},
		{name: "an existing IPv4 NLB turning dualstack in a subnet without IPv6",
			gw: tcp(dual(nil), be(gwService(false), 1, nil)), existing: []string{"subnet-1", "subnet-3"},
			err: "subnets [subnet-3] do not have an associated IPv6 CIDR block"},
		{name: "IPv6 allocation on an ALB",
			gw: func() Gateway {
				g := gw(dual(subnets(gwconfig.SubnetConfiguration{Identifier: "subnet-1", IPv6Allocation: ptr.To("2600:1f14:aaaa:1::10")},
					gwconfig.SubnetConfiguration{Identifier: "subnet-2", IPv6Allocation: ptr.To("2600:1f14:aaaa:2::10")})))
				g.ALB = true
				return g
			}(),
			err: "IPv6Allocation is only supported for Network LoadBalancers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ipv6Facts()
			if tt.existing != nil {
				f.ExistingLB = &ExistingLB{Scheme: "internal", Subnets: tt.existing}
			}
			st, _, err := BuildGateway(tt.gw, f, defaults())
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
