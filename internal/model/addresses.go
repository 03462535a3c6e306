package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// Values of EnablePrefixForIpv6SourceNat and the source-NAT prefix AWS
// picks itself.
const (
	SourceNATOn           = "on"
	SourceNATOff          = "off"
	SourceNATAutoAssigned = "auto_assigned"
	sourceNATPrefixLength = "80"
)

// addresses fills the NLB's subnet mappings and source-NAT setting from
// the eip-allocations, private-ipv4-addresses, ipv6-addresses,
// enable-prefix-for-ipv6-source-nat and source-nat-ipv6-prefixes
// annotations, with LBC's checks and texts (each error names its
// annotation). lb.Subnets, Scheme and IPAddressType are already set.
func (b *builder) addresses(lb *LoadBalancer) error {
	subnets := make([]Subnet, 0, len(lb.Subnets))
	for _, id := range lb.Subnets {
		s := Subnet{ID: id}
		if i := slices.IndexFunc(b.f.Subnets, func(s Subnet) bool { return s.ID == id }); i >= 0 {
			s = b.f.Subnets[i]
		}
		subnets = append(subnets, s)
	}
	dual := lb.IPAddressType == annotations.IPAddressTypeDualStack
	raw := func(key string) string { return b.svc.Annotations[key] }

	if v := b.cfg.SourceNATPrefix; v != "" {
		if v == SourceNATOn {
			if !dual {
				return annotations.Errorf(annotations.SvcEnablePrefixSourceNAT, v,
					"enable-prefix-for-ipv6-source-nat annotation is only applicable to Network Load Balancers using Dualstack IP address type.")
			}
			var without []string
			for _, s := range subnets {
				if len(s.IPv6CIDRs) == 0 {
					without = append(without, s.ID)
				}
			}
			if len(without) > 0 {
				return annotations.Errorf(annotations.SvcEnablePrefixSourceNAT, v,
					"To enable prefix for source NAT, all associated subnets must have an IPv6 CIDR. Subnets without IPv6 CIDR: [%s].", strings.Join(without, " "))
			}
		}
		lb.SourceNATPrefix = v
	}

	eips := b.cfg.EIPAllocations
	if eips != nil {
		key := annotations.SvcEIPAllocations
		if lb.Scheme != naming.SchemeInternetFacing {
			return annotations.Errorf(key, raw(key), "EIP allocations can only be set for internet facing load balancers")
		}
		if len(eips) != len(subnets) {
			return annotations.Errorf(key, raw(key), "count of EIP allocations (%d) and subnets (%d) must match", len(eips), len(subnets))
		}
	}
	v4, err := addressList(annotations.SvcPrivateIPv4Addresses, raw(annotations.SvcPrivateIPv4Addresses), b.cfg.PrivateIPv4Addresses,
		"private IPv4 addresses", lb.Scheme == naming.SchemeInternal, "private IPv4 addresses can only be set for internal load balancers",
		len(subnets), netip.Addr.Is4, "IPv4")
	if err != nil {
		return err
	}
	v6, err := addressList(annotations.SvcIPv6Addresses, raw(annotations.SvcIPv6Addresses), b.cfg.IPv6Addresses,
		"IPv6 addresses", dual, "IPv6 addresses can only be set for dualstack load balancers",
		len(subnets), netip.Addr.Is6, "IPv6")
	if err != nil {
		return err
	}
	prefixes := b.cfg.SourceNATPrefixes
	if prefixes != nil {
		if err := checkSourceNATPrefixes(prefixes, raw(annotations.SvcSourceNATPrefixes), dual, lb.SourceNATPrefix == SourceNATOn, subnets); err != nil {
			return err
		}
	}
	if eips == nil && v4 == nil && v6 == nil && (prefixes == nil || lb.SourceNATPrefix != SourceNATOn) {
		return nil
	}
	for i, s := range subnets {
		m := SubnetMapping{SubnetID: s.ID}
		if eips != nil {
			m.AllocationID = eips[i]
		}
		if v4 != nil {
			in := within(v4, []string{s.CIDR})
			if len(in) != 1 {
				return annotations.Errorf(annotations.SvcPrivateIPv4Addresses, raw(annotations.SvcPrivateIPv4Addresses),
					"expect one private IPv4 address configured for subnet: %s", s.ID)
			}
			m.PrivateIPv4 = in[0].String()
		}
		if prefixes != nil && lb.SourceNATPrefix == SourceNATOn {
			m.SourceNATPrefix = prefixes[i]
		}
		if v6 != nil {
			in := within(v6, s.IPv6CIDRs)
			if len(in) != 1 {
				return annotations.Errorf(annotations.SvcIPv6Addresses, raw(annotations.SvcIPv6Addresses),
					"expect one IPv6 address configured for subnet: %s", s.ID)
			}
			m.IPv6 = in[0].String()
		}
		lb.SubnetMappings = append(lb.SubnetMappings, m)
	}
	return nil
}

// addressList checks one of the address annotations (nil items: absent):
// allowed for the load balancer, one address per subnet, each an address
// of the family is asks for.
func addressList(key, raw string, items []string, what string, allowed bool, notAllowed string, subnets int,
	family func(netip.Addr) bool, familyName string) ([]netip.Addr, error) {
	if items == nil {
		return nil, nil
	}
	if !allowed {
		return nil, annotations.Errorf(key, raw, "%s", notAllowed)
	}
	if len(items) != subnets {
		return nil, annotations.Errorf(key, raw, "count of %s (%d) and subnets (%d) must match", what, len(items), subnets)
	}
	out := make([]netip.Addr, 0, len(items))
	for _, it := range items {
		a, err := netip.ParseAddr(it)
		if err != nil {
			return nil, annotations.Errorf(key, raw, "%s must be valid IP address: %s", what, it)
		}
		if !family(a) {
			return nil, annotations.Errorf(key, raw, "%s must be valid %s address: %s", what, familyName, it)
		}
		out = append(out, a)
	}
	return out, nil
}

// within returns the addresses inside any of cidrs (unparsable CIDRs hold
// none).
func within(addrs []netip.Addr, cidrs []string) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		for _, c := range cidrs {
			if p, err := netip.ParsePrefix(c); err == nil && p.Contains(a) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// checkSourceNATPrefixes is LBC's check of source-nat-ipv6-prefixes: a
// dualstack NLB with source NAT on, one prefix per subnet in subnet order,
// each auto_assigned or a /80 inside its subnet's IPv6 blocks.
func checkSourceNATPrefixes(prefixes []string, raw string, dual, on bool, subnets []Subnet) error {
	key := annotations.SvcSourceNATPrefixes
	switch {
	case !dual:
		return annotations.Errorf(key, raw, "source-nat-ipv6-prefixes annotation can only be set for Network Load Balancers using Dualstack IP address type.")
	case !on:
		return annotations.Errorf(key, raw, "source-nat-ipv6-prefixes annotation is only applicable if enable-prefix-for-ipv6-source-nat annotation is set to on.")
	case len(prefixes) != len(subnets):
		return annotations.Errorf(key, raw, "Number of values in source-nat-ipv6-prefixes (%d) must match the number of subnets (%d).", len(prefixes), len(subnets))
	}
	for i, p := range prefixes {
		if msg := sourceNATPrefixProblem(p, subnets[i]); msg != "" {
			return annotations.Errorf(key, raw, "%s", msg)
		}
	}
	return nil
}

// sourceNATPrefixProblem is LBC's check of one source-NAT prefix of a
// subnet ("" when it is fine): auto_assigned or a /80 inside the subnet's
// IPv6 blocks.
func sourceNATPrefixProblem(p string, s Subnet) string {
	if p == SourceNATAutoAssigned {
		return ""
	}
	addr, length, ok := strings.Cut(p, "/")
	if !ok {
		return fmt.Sprintf("Invalid value in source-nat-ipv6-prefixes: %s.", p)
	}
	if length != sourceNATPrefixLength {
		return fmt.Sprintf("Invalid value in source-nat-ipv6-prefixes: %s. Prefix length must be %s, but %s is specified.", p, sourceNATPrefixLength, length)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() {
		return fmt.Sprintf("Invalid value in source-nat-ipv6-prefixes: %s. Value must be a valid IPv6 CIDR.", p)
	}
	if len(within([]netip.Addr{a}, s.IPv6CIDRs)) != 1 {
		return fmt.Sprintf("Invalid value in source-nat-ipv6-prefixes: %s. Value must be within subnet CIDR range: [%s].", p, strings.Join(s.IPv6CIDRs, " "))
	}
	return ""
}

// String renders the mapping as subnet[=address…], for plans and logs.
func (m SubnetMapping) String() string {
	var parts []string
	for _, v := range []string{m.AllocationID, m.PrivateIPv4, m.IPv6, m.SourceNATPrefix} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return m.SubnetID
	}
	return fmt.Sprintf("%s=%s", m.SubnetID, strings.Join(parts, "+"))
}
