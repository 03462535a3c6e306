package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// addrFacts: two public subnets (10.0.0.0/20 in 2a, 10.0.16.0/20 in 2b)
// with IPv6 blocks, and one private subnet without.
func addrFacts() Facts {
	pub := map[string]string{TagRoleELB: "1"}
	return Facts{Subnets: []Subnet{
		{ID: "subnet-a", AZ: "us-west-2a", CIDR: "10.0.0.0/20", Tags: pub, AvailableIPs: 100, HasIPv6: true, IPv6CIDRs: []string{"2600:1f14:1:a00::/64"}},
		{ID: "subnet-b", AZ: "us-west-2b", CIDR: "10.0.16.0/20", Tags: pub, AvailableIPs: 100, HasIPv6: true, IPv6CIDRs: []string{"2600:1f14:1:b00::/64"}},
		{ID: "subnet-c", AZ: "us-west-2c", CIDR: "10.0.32.0/20", AvailableIPs: 100},
	}}
}

func TestSubnetMappingsFromAddressAnnotations(t *testing.T) {
	two := "subnet-a, subnet-b"
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want []SubnetMapping // nil: no mappings
		nat  string
	}{
		{"no address annotation: plain subnets", map[string]string{annotations.SvcSubnets: two}, nil, ""},
		{"EIPs in subnet order", map[string]string{annotations.SvcSubnets: two, annotations.SvcScheme: "internet-facing",
			annotations.SvcEIPAllocations: "eipalloc-1, eipalloc-2"},
			[]SubnetMapping{{SubnetID: "subnet-a", AllocationID: "eipalloc-1"}, {SubnetID: "subnet-b", AllocationID: "eipalloc-2"}}, ""},
		{"private IPv4 addresses matched to subnets by CIDR", map[string]string{annotations.SvcSubnets: two, annotations.SvcScheme: "internal",
			annotations.SvcPrivateIPv4Addresses: "10.0.16.9, 10.0.0.9"},
			[]SubnetMapping{{SubnetID: "subnet-a", PrivateIPv4: "10.0.0.9"}, {SubnetID: "subnet-b", PrivateIPv4: "10.0.16.9"}}, ""},
		{"IPv6 addresses on a dualstack NLB", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcIPv6Addresses: "2600:1f14:1:b00::9, 2600:1f14:1:a00::9"},
			[]SubnetMapping{{SubnetID: "subnet-a", IPv6: "2600:1f14:1:a00::9"}, {SubnetID: "subnet-b", IPv6: "2600:1f14:1:b00::9"}}, ""},
		{"source NAT prefixes", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcEnablePrefixSourceNAT: "on", annotations.SvcSourceNATPrefixes: "2600:1f14:1:a00:1::/80, auto_assigned"},
			[]SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "2600:1f14:1:a00:1::/80"}, {SubnetID: "subnet-b", SourceNATPrefix: "auto_assigned"}}, "on"},
		{"source NAT on without prefixes", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcEnablePrefixSourceNAT: "on"}, nil, "on"},
		{"source NAT off", map[string]string{annotations.SvcSubnets: two, annotations.SvcEnablePrefixSourceNAT: "off"}, nil, "off"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _, err := buildService(svcTLS(tt.ann), addrFacts(), defaults())
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "mappings", st.LoadBalancer.SubnetMappings, tt.want)
			eq(t, "source NAT", st.LoadBalancer.SourceNATPrefix, tt.nat)
		})
	}
}

func TestAddressAnnotationErrorsNameTheAnnotation(t *testing.T) {
	two := "subnet-a, subnet-b"
	for _, tt := range []struct {
		name string
		ann  map[string]string
		key  string
		msg  string
	}{
		{"EIPs on an internal NLB", map[string]string{annotations.SvcSubnets: two, annotations.SvcScheme: "internal",
			annotations.SvcEIPAllocations: "eipalloc-1, eipalloc-2"}, annotations.SvcEIPAllocations,
			"EIP allocations can only be set for internet facing load balancers"},
		{"fewer EIPs than subnets", map[string]string{annotations.SvcSubnets: two, annotations.SvcScheme: "internet-facing",
			annotations.SvcEIPAllocations: "eipalloc-1"}, annotations.SvcEIPAllocations,
			"count of EIP allocations (1) and subnets (2) must match"},
		{"private IPv4 on an internet-facing NLB", map[string]string{annotations.SvcSubnets: two, annotations.SvcScheme: "internet-facing",
			annotations.SvcPrivateIPv4Addresses: "10.0.0.9, 10.0.16.9"}, annotations.SvcPrivateIPv4Addresses,
			"private IPv4 addresses can only be set for internal load balancers"},
		{"private IPv4 not an address", map[string]string{annotations.SvcSubnets: two, annotations.SvcPrivateIPv4Addresses: "10.0.0.9, ten"},
			annotations.SvcPrivateIPv4Addresses, "private IPv4 addresses must be valid IP address: ten"},
		{"private IPv4 given as IPv6", map[string]string{annotations.SvcSubnets: two, annotations.SvcPrivateIPv4Addresses: "10.0.0.9, ::1"},
			annotations.SvcPrivateIPv4Addresses, "private IPv4 addresses must be valid IPv4 address: ::1"},
		{"two private IPv4 in one subnet", map[string]string{annotations.SvcSubnets: two, annotations.SvcPrivateIPv4Addresses: "10.0.0.9, 10.0.0.10"},
			annotations.SvcPrivateIPv4Addresses, "expect one private IPv4 address configured for subnet: subnet-a"},
		{"IPv6 on an IPv4 NLB", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPv6Addresses: "2600:1f14:1:a00::9, 2600:1f14:1:b00::9"},
			annotations.SvcIPv6Addresses, "IPv6 addresses can only be set for dualstack load balancers"},
		{"IPv6 outside its subnet", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcIPv6Addresses: "2600:1f14:1:a00::9, 2600:1f14:9::9"}, annotations.SvcIPv6Addresses,
			"expect one IPv6 address configured for subnet: subnet-b"},
		{"source NAT on an IPv4 NLB", map[string]string{annotations.SvcSubnets: two, annotations.SvcEnablePrefixSourceNAT: "on"},
			annotations.SvcEnablePrefixSourceNAT,
			"enable-prefix-for-ipv6-source-nat annotation is only applicable to Network Load Balancers using Dualstack IP address type."},
		{"source NAT on a subnet without IPv6", map[string]string{annotations.SvcSubnets: "subnet-a, subnet-c", annotations.SvcIPAddressType: "dualstack",
			annotations.SvcEnablePrefixSourceNAT: "on"}, annotations.SvcEnablePrefixSourceNAT,
			"To enable prefix for source NAT, all associated subnets must have an IPv6 CIDR. Subnets without IPv6 CIDR: [subnet-c]."},
		{"prefixes without source NAT on", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcSourceNATPrefixes: "auto_assigned, auto_assigned"}, annotations.SvcSourceNATPrefixes,
			"source-nat-ipv6-prefixes annotation is only applicable if enable-prefix-for-ipv6-source-nat annotation is set to on."},
		{"prefix of the wrong length", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcEnablePrefixSourceNAT: "on", annotations.SvcSourceNATPrefixes: "2600:1f14:1:a00::/64, auto_assigned"},
			annotations.SvcSourceNATPrefixes, "Invalid value in source-nat-ipv6-prefixes: 2600:1f14:1:a00::/64. Prefix length must be 80, but 64 is specified."},
		{"prefix outside its subnet", map[string]string{annotations.SvcSubnets: two, annotations.SvcIPAddressType: "dualstack",
			annotations.SvcEnablePrefixSourceNAT: "on", annotations.SvcSourceNATPrefixes: "auto_assigned, 2600:1f14:1:a00:1::/80"},
			annotations.SvcSourceNATPrefixes, "Invalid value in source-nat-ipv6-prefixes: 2600:1f14:1:a00:1::/80. Value must be within subnet CIDR range: [2600:1f14:1:b00::/64]."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := buildService(svcTLS(tt.ann), addrFacts(), defaults())
			var ae *annotations.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v does not name an annotation", err)
			}
			if ae.Annotation != tt.key || ae.LBCMessage() != tt.msg || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("error = %q (annotation %s), want %q on %s", err, ae.Annotation, tt.msg, tt.key)
			}
		})
	}
}

func TestPrivateLinkSettingNeedsSecurityGroups(t *testing.T) {
	ann := map[string]string{annotations.SvcPrivateLinkInboundSGRules: "off"}
	st, _, err := buildService(svcTLS(ann), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "with SGs", st.LoadBalancer.PrivateLinkInbound, "off")
	d := defaults()
	d.NLBSecurityGroups = false
	st, warns, err := buildService(svcTLS(ann), facts(), d)
	if err != nil {
		t.Fatal(err)
	}
	if st.LoadBalancer.PrivateLinkInbound != "" || len(warns) != 1 || !strings.Contains(warns[0].Message, annotations.SvcPrivateLinkInboundSGRules) {
		t.Fatalf("without SGs: setting %q, warnings %v", st.LoadBalancer.PrivateLinkInbound, warns)
	}
	_, _, err = buildService(svcTLS(map[string]string{annotations.SvcPrivateLinkInboundSGRules: "maybe"}), facts(), defaults())
	if err == nil || !strings.Contains(err.Error(), annotations.SvcPrivateLinkInboundSGRules) {
		t.Fatalf("a bad value: %v", err)
	}
}

func TestMinimumCapacity(t *testing.T) {
	units := func(n int32) *int32 { return &n }
	for _, tt := range []struct {
		name, value string
		gateOff     bool
		want        *int32
		err         string
	}{
		{"units", "CapacityUnits=1000", false, units(1000), ""},
		{"zero resets", "CapacityUnits=0", false, units(0), ""},
		{"empty", "", false, nil, ""},
		{"gate off", "CapacityUnits=1000", true, nil, ""},
		{"another key", "Units=5", false, nil, "invalid key to set the capacity: Units, Expected key: CapacityUnits"},
		{"not a number", "CapacityUnits=lots", false, nil, "invalid value to set the capacity: lots"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := defaults()
			d.NoCapacityReservation = tt.gateOff
			st, _, err := buildService(svcTLS(map[string]string{annotations.SvcMinimumCapacity: tt.value}), facts(), d)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), annotations.SvcMinimumCapacity) {
					t.Fatalf("error = %v, want %q naming the annotation", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := st.LoadBalancer.MinimumCapacity; (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Fatalf("capacity = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIPv6ServiceGetsIPv6TargetGroups(t *testing.T) {
	f := facts()
	f.Endpoints = []Endpoint{{IP: "10.0.1.5", Ports: map[string]int32{"": 80}}, {IP: "2600:1f14:1:a00::5", Ports: map[string]int32{"": 80}}}
	for _, tt := range []struct {
		name     string
		families []corev1.IPFamily
		dual     bool
		want     string // "type targets" or an error
	}{
		{"IPv4 Service", []corev1.IPFamily{corev1.IPv4Protocol}, false, "ipv4 [{10.0.1.5 80}]"},
		{"dual-stack Service on a dualstack NLB", []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}, true, "ipv6 [{2600:1f14:1:a00::5 80}]"},
		{"IPv6 Service on an IPv4 NLB", []corev1.IPFamily{corev1.IPv6Protocol}, false, "unsupported IPv6 configuration, lb not dual-stack"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ann := map[string]string{}
			if tt.dual {
				ann[annotations.SvcIPAddressType] = "dualstack"
			}
			svc := svcTLS(ann)
			svc.Spec.IPFamilies = tt.families
			st, _, err := buildService(svc, f, defaults())
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = fmt.Sprintf("%s %v", st.TargetGroups[0].IPAddressType, st.TargetGroups[0].Targets)
			}
			eq(t, "target group", got, tt.want)
		})
	}
}
