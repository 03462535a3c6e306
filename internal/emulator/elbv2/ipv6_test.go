package elbv2

import (
	"testing"
)

// A dualstack NLB in a subnet with an IPv6 block takes source NAT with the
// prefix its mapping names (or one the emulator picks) and an IPv6
// address of the block; prefixes and addresses outside it are refused.
func TestDualstackNLBSourceNatAndIPv6Addresses(t *testing.T) {
	dual := []string{"Name", "net", "Type", "network", "IpAddressType", "dualstack", "SubnetMappings.member.1.SubnetId", subA}
	for _, tt := range []struct {
		name       string
		extra      []string
		code       string // "" = accepted
		wantPrefix string
		wantIPv6   string
	}{
		{"a named /80 of the subnet", []string{"EnablePrefixForIpv6SourceNat", "on",
			"SubnetMappings.member.1.SourceNatIpv6Prefix", "2600:1f14:aaaa:1:5::/80"}, "", "2600:1f14:aaaa:1:5::/80", ""},
		{"auto_assigned is a /80 of the subnet", []string{"EnablePrefixForIpv6SourceNat", "on",
			"SubnetMappings.member.1.SourceNatIpv6Prefix", "auto_assigned"}, "", "2600:1f14:aaaa:1:1::/80", ""},
		{"a prefix outside the subnet", []string{"EnablePrefixForIpv6SourceNat", "on",
			"SubnetMappings.member.1.SourceNatIpv6Prefix", "2600:1f14:aaaa:2::/80"}, "InvalidConfigurationRequest", "", ""},
		{"a /64 prefix", []string{"EnablePrefixForIpv6SourceNat", "on",
			"SubnetMappings.member.1.SourceNatIpv6Prefix", "2600:1f14:aaaa:1::/64"}, "InvalidConfigurationRequest", "", ""},
		{"an IPv6 address of the subnet", []string{"SubnetMappings.member.1.IPv6Address", "2600:1f14:aaaa:1::10"}, "", "", "2600:1f14:aaaa:1::10"},
		{"an IPv6 address outside the subnet", []string{"SubnetMappings.member.1.IPv6Address", "2600:1f14:aaaa:2::10"}, "InvalidConfigurationRequest", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.net.vpcs[vpcA] = withIPv6(h.net.vpcs[vpcA])
			s := h.net.subnets[subA]
			s.IPv6CIDRs = []string{"2600:1f14:aaaa:1::/64"}
			h.net.subnets[subA] = s
			if tt.code != "" {
				h.fail(tt.code, "CreateLoadBalancer", join(dual, tt.extra)...)
				return
			}
			lb := h.ok("CreateLoadBalancer", join(dual, tt.extra)...).(*loadBalancersResult).LoadBalancers[0]
			az := lb.AvailabilityZones[0]
			var prefix, v6 string
			if len(az.SourceNatIpv6Prefixes) > 0 {
				prefix = az.SourceNatIpv6Prefixes[0]
			}
			if len(az.LoadBalancerAddresses) > 0 {
				v6 = az.LoadBalancerAddresses[0].IPv6Address
			}
			if prefix != tt.wantPrefix || v6 != tt.wantIPv6 {
				t.Errorf("prefix %q, IPv6 %q; want %q, %q", prefix, v6, tt.wantPrefix, tt.wantIPv6)
			}
		})
	}
}
