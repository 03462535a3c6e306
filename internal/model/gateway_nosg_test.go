package model

import (
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// The node rules of a Gateway NLB without security groups, as LBC's
// gateway TargetGroupBinding networking builds them.
func TestGatewayNoSGTargetRules(t *testing.T) {
	sub1 := "subnet-1" // 10.0.0.0/20
	noSG := func(ranges ...string) *gwconfig.LoadBalancerConfigurationSpec {
		c := &gwconfig.LoadBalancerConfigurationSpec{DisableSecurityGroup: ptr.To(true),
			LoadBalancerSubnets: &[]gwconfig.SubnetConfiguration{{Identifier: sub1}}}
		if ranges != nil {
			c.SourceRanges = &ranges
		}
		return c
	}
	ip := &gwconfig.TargetGroupProps{TargetType: ptr.To("ip")}
	for _, tt := range []struct {
		name  string
		gw    Gateway
		f     func(*Facts)
		rules []string
	}{
		{name: "instance targets keep the client IP: the internal NLB's default range is the VPC, no health-check rule",
			gw:    gw(noSG(), port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))),
			f:     func(f *Facts) { f.VPCCIDRs = []string{"10.0.0.0/16"} },
			rules: []string{nodeSG + ": tcp 31080 ← 10.0.0.0/16"}},
		{name: "narrow source ranges add the health check from the NLB's subnets",
			gw:    gw(noSG("192.0.2.0/24"), port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))),
			rules: []string{nodeSG + ": tcp 31080 ← 10.0.0.0/20", nodeSG + ": tcp 31080 ← 192.0.2.0/24"}},
		{name: "ip targets do not keep the client IP: traffic from the NLB's subnets",
			gw:    gw(noSG("192.0.2.0/24"), port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, ip))),
			rules: []string{nodeSG + ": tcp 8080 ← 10.0.0.0/20"}},
		{name: "UDP keeps the client IP and always adds the TCP health check from the subnets",
			gw:    gw(noSG(), port(53, "UDPRoute", []string{ProtoUDP}, be(gwService(false), 1, nil))),
			f:     func(f *Facts) { f.VPCCIDRs = []string{"10.0.0.0/16"} },
			rules: []string{nodeSG + ": tcp 31080 ← 10.0.0.0/20", nodeSG + ": udp 31080 ← 10.0.0.0/16"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts()
			if tt.f != nil {
				tt.f(&f)
			}
			st, _, err := BuildGateway(tt.gw, f, defaults())
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "LB SGs", len(st.LoadBalancer.SecurityGroups), 0)
			if st.ManagedSG != nil {
				t.Errorf("managed SG %+v on an NLB without SGs", st.ManagedSG)
			}
			eq(t, "target rules", targetRuleStrings(st), keys(tt.rules...))
		})
	}
}
