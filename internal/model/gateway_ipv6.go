package model

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// Target-group IP address types.
const (
	tgIPv4 = "ipv4"
	tgIPv6 = "ipv6"
)

// gatewayIPAddressType is LBC's load-balancer IP address type of a
// Gateway: the configuration's ipAddressType, ipv4 by default.
func gatewayIPAddressType(cfg *gwconfig.LoadBalancerConfigurationSpec) (string, error) {
	if cfg.IPAddressType == nil {
		return annotations.IPAddressTypeIPv4, nil
	}
	switch t := *cfg.IPAddressType; t {
	case annotations.IPAddressTypeIPv4, annotations.IPAddressTypeDualStack, annotations.IPAddressTypeDualStackWithoutPublicIPv4:
		return t, nil
	default:
		return "", fmt.Errorf("unknown IPAddressType: %v", t)
	}
}

// checkIPv6SubnetConfigs is LBC's check of the IPv6 fields of
// loadBalancerSubnets: ipv6Allocation on dualstack NLBs only,
// sourceNatIPv6Prefix on NLBs only, each on every entry or on none. One
// addition: a source-NAT prefix on an NLB that is not dualstack is refused
// here (LBC leaves it to AWS, which refuses the NLB).
func (b *gwBuilder) checkIPv6SubnetConfigs(ipType string) error {
	cfg := b.gw.Config
	if cfg.LoadBalancerSubnets == nil || len(*cfg.LoadBalancerSubnets) == 0 {
		return nil
	}
	list := *cfg.LoadBalancerSubnets
	v6, nat := list[0].IPv6Allocation != nil, list[0].SourceNatIPv6Prefix != nil
	if v6 {
		if b.gw.ALB {
			return errors.New("IPv6Allocation is only supported for Network LoadBalancers")
		}
		if ipType != annotations.IPAddressTypeDualStack {
			return errors.New("IPv6Allocation can only be set for dualstack load balancers")
		}
	}
	if nat {
		if b.gw.ALB {
			return errors.New("SourceNatIPv6Prefix is only supported for Network LoadBalancers")
		}
		if ipType != annotations.IPAddressTypeDualStack {
			return errors.New("SourceNatIPv6Prefix can only be set for dualstack load balancers (enablePrefixForIpv6SourceNat needs the dualstack IP address type)")
		}
	}
	for _, s := range list {
		switch {
		case (s.IPv6Allocation != nil) != v6:
			return errors.New("Either specify all ipv6 allocations or none.")
		case (s.SourceNatIPv6Prefix != nil) != nat:
			return errors.New("Either specify all source nat prefixes or none.")
		}
	}
	return nil
}

// checkSubnetsIPv6 is LBC's check of explicitly named subnets of a load
// balancer that needs IPv6: each has an IPv6 block.
func checkSubnetsIPv6(all []Subnet, ids []string, dualstack bool) error {
	if !dualstack {
		return nil
	}
	var without []string
	for _, id := range ids {
		if i := slices.IndexFunc(all, func(s Subnet) bool { return s.ID == id }); i < 0 || !all[i].HasIPv6 {
			without = append(without, id)
		}
	}
	if len(without) > 0 {
		return fmt.Errorf("subnets [%s] do not have an associated IPv6 CIDR block, which is required for dualstack load balancers", strings.Join(without, " "))
	}
	return nil
}

// ipv6SubnetMappings adds to mappings (one per lb.Subnets entry, in the
// order of loadBalancerSubnets) the IPv6 addresses and source-NAT prefixes
// of loadBalancerSubnets, as LBC's IPv6 and source-NAT subnet mutators do,
// and sets the NLB's enablePrefixForIpv6SourceNat: on with prefixes, else
// off on a dualstack NLB (LBC sends off on every NLB; an IPv4 NLB keeps
// AWS's value, which can only be off). changed reports a mapping took an
// address.
func (b *gwBuilder) ipv6SubnetMappings(lb *LoadBalancer, mappings []SubnetMapping) (changed bool, err error) {
	if b.gw.ALB {
		return false, nil
	}
	if lb.IPAddressType == annotations.IPAddressTypeDualStack {
		lb.SourceNATPrefix = SourceNATOff
	}
	cfg := b.gw.Config
	if cfg.LoadBalancerSubnets == nil || len(*cfg.LoadBalancerSubnets) == 0 {
		return false, nil
	}
	list := *cfg.LoadBalancerSubnets
	subnet := func(id string) Subnet {
		if i := slices.IndexFunc(b.f.Subnets, func(s Subnet) bool { return s.ID == id }); i >= 0 {
			return b.f.Subnets[i]
		}
		return Subnet{ID: id}
	}
	if list[0].IPv6Allocation != nil {
		if len(mappings) != len(list) {
			return false, fmt.Errorf("Unable to assign IPv6 addresses we have %d subnets and %d addresses", len(mappings), len(list))
		}
		addrs := make([]netip.Addr, 0, len(list))
		for _, s := range list {
			a, err := netip.ParseAddr(*s.IPv6Allocation)
			if err != nil {
				return false, fmt.Errorf("IPv6 addresses must be valid IP address: %v", *s.IPv6Allocation)
			}
			if !a.Is6() {
				return false, fmt.Errorf("IPv6 addresses must be valid IPv6 address: %v", *s.IPv6Allocation)
			}
			addrs = append(addrs, a)
		}
		for i := range mappings {
			in := within(addrs, subnet(mappings[i].SubnetID).IPv6CIDRs)
			if len(in) != 1 {
				return false, fmt.Errorf("expect one IPv6 address configured for subnet: %s", mappings[i].SubnetID)
			}
			mappings[i].IPv6 = in[0].String()
		}
		changed = true
	}
	if list[0].SourceNatIPv6Prefix != nil {
		if len(mappings) != len(list) {
			return false, fmt.Errorf("Unable to assign Source NAT prefix because we have %d subnets and %d prefixes", len(mappings), len(list))
		}
		for i := range mappings {
			p := *list[i].SourceNatIPv6Prefix
			if msg := sourceNATPrefixProblem(p, subnet(mappings[i].SubnetID)); msg != "" {
				return false, errors.New(msg)
			}
			mappings[i].SourceNATPrefix = p
		}
		lb.SourceNATPrefix = SourceNATOn
		changed = true
	}
	return changed, nil
}

// targetIPAddressType is LBC's IP address type of a Gateway backend's
// target group: ipv6 when the Service has the IPv6 family (dual-stack
// Services too), which needs a dualstack load balancer; else ipv4. LBC
// never reads the TargetGroupConfiguration's ipAddressType: lbsg takes it
// when it states that type and refuses it otherwise, rather than ignore
// it.
func (b *gwBuilder) targetIPAddressType(be GatewayBackend, props *gwconfig.TargetGroupProps, targetType string) (string, error) {
	ipType := tgIPv4
	if be.Service != nil && slices.Contains(be.Service.Spec.IPFamilies, corev1.IPv6Protocol) {
		ipType = tgIPv6
	}
	if props != nil && props.IPAddressType != nil && *props.IPAddressType != ipType {
		svc := ""
		if be.Service != nil {
			svc = be.Service.Namespace + "/" + be.Service.Name
		}
		return "", fmt.Errorf("TargetGroupConfiguration ipAddressType %s does not match the target groups of Service %s, which are %s (LBC infers the type from the Service's ipFamilies: ipv6 when they hold IPv6)",
			*props.IPAddressType, svc, ipType)
	}
	if ipType != tgIPv6 {
		return ipType, nil
	}
	if lb := b.st.LoadBalancer; lb == nil || !isDualStack(lb.IPAddressType) {
		return "", errors.New("unsupported IPv6 configuration, lb not dual-stack")
	}
	if targetType != annotations.TargetTypeIP {
		// Deliberate difference: LBC builds an ipv6 group of instance
		// targets; lbsg does not know whether the nodes have the primary
		// IPv6 addresses AWS would route to, and refuses.
		return "", fmt.Errorf("ipv6 target groups need ip targets: set targetType ip in the TargetGroupConfiguration of Service %s/%s", be.Service.Namespace, be.Service.Name)
	}
	if !b.gw.ALB && len(b.st.LoadBalancer.SecurityGroups) == 0 {
		return "", errors.New("ipv6 target groups on an NLB without security groups (disableSecurityGroup) are not supported yet: lbsg would open the targets' nodes to IPv4 sources only")
	}
	return ipType, nil
}
