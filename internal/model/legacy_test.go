package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Scenarios 31-34: node rules of NLBs without SGs use CIDR sources.
func TestLegacyNLBTargetRules(t *testing.T) {
	legacyFacts := func(subnetCIDR string, vpc ...string) Facts {
		f := facts()
		f.ExistingLB = &ExistingLB{Scheme: "internal", Subnets: []string{"subnet-1"}}
		f.Subnets[0].CIDR = subnetCIDR
		f.VPCCIDRs = vpc
		return f
	}
	for _, tt := range []struct {
		name string
		svc  func() *corev1.Service
		f    Facts
		want []string
	}{
		{name: "31: ip targets without client IP: the NLB's subnets", f: legacyFacts("192.168.0.0/19"),
			svc:  func() *corev1.Service { return svcTLS(map[string]string{annotations.SvcDisableNLBSG: "true"}) },
			want: []string{"sg-node: tcp 80 ← 192.168.0.0/19"}},
		{name: "32: manage-backend false: no rules", f: legacyFacts("192.168.0.0/19"),
			svc: func() *corev1.Service {
				return svcTLS(map[string]string{annotations.SvcManageBackendSGRules: "false"})
			}},
		{name: "33: internal, client IP preserved: the VPC CIDRs", f: legacyFacts("10.0.0.0/20", "192.160.0.0/16", "100.64.0.0/16"),
			svc: func() *corev1.Service {
				return svcTLS(map[string]string{annotations.SvcTargetGroupAttributes: "preserve_client_ip.enabled=true"})
			},
			want: keys("sg-node: tcp 80 ← 192.160.0.0/16", "sg-node: tcp 80 ← 100.64.0.0/16")},
		{name: "34: UDP with ranges: ranges for traffic, subnets for the health check", f: legacyFacts("172.16.0.0/19"),
			svc: func() *corev1.Service {
				s := svcTLS(nil)
				s.Spec.Ports[0].Protocol = corev1.ProtocolUDP
				s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/16", "1.2.3.4/24"}
				return s
			},
			want: keys("sg-node: udp 80 ← 10.0.0.0/16", "sg-node: udp 80 ← 1.2.3.0/24", "sg-node: tcp 80 ← 172.16.0.0/19")},
		{name: "34: UDP, no ranges, internal, health check 808", f: legacyFacts("172.16.0.0/19", "172.16.0.0/16", "1.2.0.0/16"),
			svc: func() *corev1.Service {
				s := svcTLS(map[string]string{annotations.SvcHealthCheckPort: "808"})
				s.Spec.Ports[0].Protocol = corev1.ProtocolUDP
				return s
			},
			want: keys("sg-node: udp 80 ← 172.16.0.0/16", "sg-node: udp 80 ← 1.2.0.0/16", "sg-node: tcp 808 ← 172.16.0.0/19")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := mustBuild(t, tt.svc(), tt.f, defaults())
			eq(t, "target rules", targetRuleStrings(st), tt.want)
		})
	}
}
