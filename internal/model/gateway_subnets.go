package model

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/lbsg/lbsg/internal/naming"
)

// checkSubnetConfigs is LBC's check of loadBalancerSubnets before any
// subnet is resolved: EIP allocations on internet-facing NLBs only,
// private IPv4 allocations on internal NLBs only, and each of identifier,
// eipAllocation and privateIPv4Allocation given on every entry or on none.
func (b *gwBuilder) checkSubnetConfigs(scheme string) error {
	cfg := b.gw.Config
	if cfg.LoadBalancerSubnets == nil || len(*cfg.LoadBalancerSubnets) == 0 {
		return nil
	}
	list := *cfg.LoadBalancerSubnets
	id, eip, v4 := list[0].Identifier != "", list[0].EIPAllocation != nil, list[0].PrivateIPv4Allocation != nil
	if eip {
		if b.gw.ALB {
			return errors.New("EIP Allocation is only allowed for Network LoadBalancers")
		}
		if scheme != naming.SchemeInternetFacing {
			return errors.New("EIPAllocation can only be set for internet facing load balancers")
		}
	}
	if v4 {
		if b.gw.ALB {
			return errors.New("PrivateIPv4Allocation is only supported for Network LoadBalancers")
		}
		if scheme != naming.SchemeInternal {
			return errors.New("PrivateIPv4Allocation can only be set for internal load balancers")
		}
	}
	for _, s := range list {
		switch {
		case (s.Identifier != "") != id:
			return errors.New("Either specify all subnet identifiers or none.")
		case (s.EIPAllocation != nil) != eip:
			return errors.New("Either specify all eip allocations or none.")
		case (s.PrivateIPv4Allocation != nil) != v4:
			return errors.New("Either specify all private ipv4 allocations or none.")
		}
	}
	return nil
}

// subnetMappings gives an NLB's subnets (lb.Subnets, resolved in the order
// of loadBalancerSubnets) the EIP allocation or private IPv4 address of
// the matching loadBalancerSubnets entry, as LBC's subnet mutators do: the
// i-th allocation goes to the i-th subnet, and each subnet takes the one
// private address inside its CIDR. Without allocations the load balancer
// keeps plain subnets.
func (b *gwBuilder) subnetMappings(lb *LoadBalancer) error {
	cfg := b.gw.Config
	if b.gw.ALB {
		return nil
	}
	if cfg.LoadBalancerSubnets == nil || len(*cfg.LoadBalancerSubnets) == 0 {
		_, err := b.ipv6SubnetMappings(lb, nil)
		return err
	}
	list := *cfg.LoadBalancerSubnets
	eip, v4 := list[0].EIPAllocation != nil, list[0].PrivateIPv4Allocation != nil
	mappings := make([]SubnetMapping, len(lb.Subnets))
	for i, id := range lb.Subnets {
		mappings[i].SubnetID = id
	}
	v6, err := b.ipv6SubnetMappings(lb, mappings)
	if err != nil {
		return err
	}
	if !eip && !v4 && !v6 {
		return nil
	}
	if eip {
		if len(lb.Subnets) != len(list) {
			return fmt.Errorf("Unable to assign EIP allocations we have %d subnets and %d EIP allocations", len(lb.Subnets), len(list))
		}
		for i := range mappings {
			mappings[i].AllocationID = *list[i].EIPAllocation
		}
	}
	if v4 {
		if len(lb.Subnets) != len(list) {
			return fmt.Errorf("Unable to assign private IPv4 addresses we have %d subnets and %d addresses", len(lb.Subnets), len(list))
		}
		addrs := make([]netip.Addr, 0, len(list))
		for _, s := range list {
			a, err := netip.ParseAddr(*s.PrivateIPv4Allocation)
			if err != nil {
				return fmt.Errorf("private IPv4 addresses must be valid IP address: %v", *s.PrivateIPv4Allocation)
			}
			if !a.Is4() {
				return fmt.Errorf("private IPv4 addresses must be valid IPv4 address: %v", *s.PrivateIPv4Allocation)
			}
			addrs = append(addrs, a)
		}
		for i := range mappings {
			var cidrs []string
			if j := slices.IndexFunc(b.f.Subnets, func(s Subnet) bool { return s.ID == mappings[i].SubnetID }); j >= 0 {
				cidrs = []string{b.f.Subnets[j].CIDR}
			}
			in := within(addrs, cidrs)
			if len(in) != 1 {
				return fmt.Errorf("expect one private IPv4 address configured for subnet: %s", mappings[i].SubnetID)
			}
			mappings[i].PrivateIPv4 = in[0].String()
		}
	}
	lb.SubnetMappings = mappings
	return nil
}
