package elbv2

import (
	"net/netip"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// SetSecurityGroups, SetSubnets and SetIpAddressType: the calls that change
// where a load balancer sits and what guards it, keeping its ENIs in step.

func (b *Backend) setSecurityGroups(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	if !p.Has("SecurityGroups") {
		return nil, query.MissingParameter("SecurityGroups")
	}
	enforce, err := enumParam(p, "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "on", "off")
	if err != nil {
		return nil, err
	}
	groups := dedupe(p.MemberStrings("SecurityGroups"))
	if err := checkGroupChange(lb, groups, enforce); err != nil {
		return nil, err
	}
	if err := b.checkGroups(groups, lb.VPCID); err != nil {
		return nil, err
	}
	for _, s := range lb.Subnets {
		if s.ENI != "" {
			if err := b.net.SetENIGroups(s.ENI, groups); err != nil {
				return nil, err
			}
		}
	}
	lb.SecurityGroups = groups
	if enforce != "" {
		lb.Enforce = enforce
	}
	return &setSecurityGroupsResult{SecurityGroupIDs: groups, Enforce: lb.Enforce}, nil
}

// checkGroupChange applies §3.3's rules per load balancer type.
func checkGroupChange(lb *loadBalancer, groups []string, enforce string) error {
	switch {
	case lb.Type == "gateway":
		return invalidConfig("Security groups are not supported for load balancers with type 'gateway'")
	case lb.Type == "network" && !lb.CreatedWithSGs:
		return invalidConfig("You cannot set security groups on a Network Load Balancer which was created without any security groups.")
	case lb.Type == "network" && len(groups) == 0:
		return invalidConfig("You cannot remove all security groups from a Network Load Balancer which was created with security groups.")
	case lb.Type == "application" && enforce != "":
		return invalidConfig("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is only supported for Network Load Balancers")
	case lb.Type == "application" && len(groups) == 0:
		return invalidConfig("At least one security group must be specified for an Application Load Balancer")
	}
	return nil
}

func (b *Backend) setSubnets(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	if lb.Type == "gateway" {
		return nil, invalidConfig("Subnets cannot be changed on load balancers with type 'gateway'")
	}
	subs, vpc, err := b.parseSubnets(p)
	if err != nil {
		return nil, err
	}
	if vpc != lb.VPCID {
		return nil, errf("InvalidSubnet", "The subnets must be in the load balancer's VPC '%s'", lb.VPCID)
	}
	ipType, err := enumDefault(p, "IpAddressType", "ipAddressType", lb.IPAddressType, "ipv4", "dualstack", "dualstack-without-public-ipv4")
	if err != nil {
		return nil, err
	}
	if err := b.checkIPType(lb.Type, lb.Scheme, ipType, vpc); err != nil {
		return nil, err
	}
	outpost, err := checkOutpost(lb.Type, subs)
	if err != nil {
		return nil, err
	}
	if lb.Type == "application" && len(subs) < 2 && outpost == "" && !b.st.SingleSubnetALB {
		return nil, invalidConfig("At least two subnets in two different Availability Zones must be specified")
	}
	if lb.CustomerOwnedPool != "" && outpost == "" {
		return nil, invalidConfig("The load balancer uses the customer-owned IPv4 pool '%s' and must stay on an Outpost subnet", lb.CustomerOwnedPool)
	}
	nat, err := b.sourceNatParam(p, lb.Type, ipType, lb.SourceNat, subs)
	if err != nil {
		return nil, err
	}
	if err := b.checkAddresses(lb, ipType, subs); err != nil {
		return nil, err
	}
	if err := b.moveENIs(lb, subs); err != nil {
		return nil, err
	}
	lb.Subnets = subs
	lb.IPAddressType = ipType
	if nat != "" {
		lb.SourceNat = nat
	}
	return &setSubnetsResult{AvailabilityZones: renderAZs(lb), IPAddressType: lb.IPAddressType, SourceNat: sourceNat(lb)}, nil
}

// sourceNat is what an NLB reports as EnablePrefixForIpv6SourceNat: AWS
// answers "off" when it was never enabled. Other types report nothing.
func sourceNat(lb *loadBalancer) string {
	if lb.Type != "network" {
		return ""
	}
	if lb.SourceNat == "" {
		return "off"
	}
	return lb.SourceNat
}

// sourceNatParam reads EnablePrefixForIpv6SourceNat and the subnet
// mappings' SourceNatIpv6Prefix members ("" when absent); current is the
// load balancer's setting ("" for a new one). With source NAT on, every
// subnet needs an IPv6 block and gets a /80 of it: the one its mapping
// names, or one the emulator picks (auto_assigned or none given).
func (b *Backend) sourceNatParam(p query.Params, lbType, ipType, current string, subs []lbSubnet) (string, error) {
	nat, err := enumParam(p, "EnablePrefixForIpv6SourceNat", "enablePrefixForIpv6SourceNat", "on", "off")
	if err != nil {
		return "", err
	}
	prefixed := false
	for _, m := range p.Members("SubnetMappings") {
		if _, ok := m.Lookup("SourceNatIpv6Prefix"); ok {
			prefixed = true
		}
	}
	on := nat == "on" || (nat == "" && current == "on")
	switch {
	case (nat != "" || prefixed) && lbType != "network":
		return "", invalidConfig("Source NAT IPv6 prefixes are only supported for Network Load Balancers")
	case nat == "on" && ipType != "dualstack":
		return "", invalidConfig("EnablePrefixForIpv6SourceNat 'on' requires the IP address type 'dualstack'")
	case prefixed && !on:
		return "", invalidConfig("A source NAT IPv6 prefix can only be specified when EnablePrefixForIpv6SourceNat is 'on'")
	case !on:
		return nat, nil
	}
	for i := range subs {
		info, _ := b.net.Subnet(subs[i].SubnetID)
		if len(info.IPv6CIDRs) == 0 {
			return "", invalidConfig("Subnet '%s' has no IPv6 CIDR block for source NAT prefixes", subs[i].SubnetID)
		}
		block := netip.MustParsePrefix(info.IPv6CIDRs[0])
		switch v := subs[i].SourceNatPrefix; v {
		case "", "auto_assigned":
			// The /80 after the block's first: deterministic, inside it.
			a := block.Addr().As16()
			a[9] = 1
			subs[i].SourceNatPrefix = netip.PrefixFrom(netip.AddrFrom16(a), 80).String()
		default:
			pr, err := netip.ParsePrefix(v)
			if err != nil || !pr.Addr().Is6() {
				return "", query.ValidationError("The source NAT IPv6 prefix '%s' is not a valid IPv6 CIDR", v)
			}
			if pr.Bits() != 80 || pr.Masked() != pr || !block.Contains(pr.Addr()) {
				return "", invalidConfig("The source NAT IPv6 prefix '%s' must be a /80 of subnet '%s' (%s)", v, subs[i].SubnetID, block)
			}
		}
	}
	return nat, nil
}

// checkOutpost applies AWS's rules for subnets on an Outpost and returns
// the Outpost's ARN ("" when no subnet is on one): only an ALB goes on an
// Outpost, with exactly one subnet, never beside subnets of the Region.
func checkOutpost(lbType string, subs []lbSubnet) (string, error) {
	outpost, on := "", 0
	for _, s := range subs {
		if s.Outpost != "" {
			outpost = s.Outpost
			on++
		}
	}
	switch {
	case on == 0:
		return "", nil
	case on < len(subs):
		return "", invalidConfig("Subnets on an Outpost cannot be combined with subnets that are not on one")
	case lbType != "application":
		return "", invalidConfig("Only Application Load Balancers can be created on an Outpost")
	case on > 1:
		return "", invalidConfig("You must specify one Outpost subnet")
	}
	return outpost, nil
}

// outpostID is the op-… ID at the end of an Outpost ARN ("" for "").
func outpostID(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return ""
}

// customerOwnedPoolParam reads CreateLoadBalancer's CustomerOwnedIpv4Pool
// ("" when absent): an ALB on an Outpost only. The emulated EC2 has no
// customer-owned pools, so any well-formed pool ID is taken.
func customerOwnedPoolParam(p query.Params, lb *loadBalancer, outpost string) (string, error) {
	pool, ok := p.Lookup("CustomerOwnedIpv4Pool")
	switch {
	case !ok:
		return "", nil
	case !strings.HasPrefix(pool, "ipv4pool-coip-") || len(pool) == len("ipv4pool-coip-"):
		return "", query.ValidationError("The customer-owned IPv4 pool ID '%s' is not valid", pool)
	case lb.Type != "application":
		return "", invalidConfig("A customer-owned IPv4 pool is only supported for Application Load Balancers")
	case outpost == "":
		return "", invalidConfig("The customer-owned IPv4 pool '%s' requires subnets on an Outpost; subnet '%s' is not on one", pool, lb.Subnets[0].SubnetID)
	}
	return pool, nil
}

// moveENIs gives subs their ENIs: kept subnets keep theirs, new ones get
// fresh ENIs, dropped ones are released after Lag.ENIRelease. An NLB can
// only gain subnets.
func (b *Backend) moveENIs(lb *loadBalancer, subs []lbSubnet) error {
	old := map[string]lbSubnet{}
	for _, s := range lb.Subnets {
		if s.ENI != "" { // a new load balancer's subnets have none yet
			old[s.SubnetID] = s
		}
	}
	keep := map[string]bool{}
	for _, s := range subs {
		keep[s.SubnetID] = true
	}
	for _, s := range lb.Subnets {
		if lb.Type == "network" && !keep[s.SubnetID] {
			return invalidConfig("Subnets cannot be removed from a Network Load Balancer")
		}
	}
	var created []string
	for i := range subs {
		if o, ok := old[subs[i].SubnetID]; ok {
			subs[i].ENI = o.ENI
			subs[i].AllocationID, subs[i].PublicIP, subs[i].PrivateIPv4, subs[i].IPv6 = o.AllocationID, o.PublicIP, o.PrivateIPv4, o.IPv6
			continue
		}
		eni, err := b.net.CreateServiceENI(subs[i].SubnetID, lb.SecurityGroups, eniType(lb.Type), eniDescription(lb))
		if err != nil {
			for _, e := range created {
				b.net.ReleaseENI(e, 0)
			}
			return err
		}
		created = append(created, eni)
		subs[i].ENI = eni
		if id := subs[i].AllocationID; id != "" {
			ip, err := b.net.UseAddress(id, eni) // checked by checkAddresses
			if err != nil {
				return err
			}
			subs[i].PublicIP = ip
		}
	}
	for _, s := range lb.Subnets {
		if !keep[s.SubnetID] && s.ENI != "" {
			b.net.ReleaseENI(s.ENI, b.env.Lag.ENIRelease)
		}
	}
	return nil
}

// checkAddresses validates the Elastic IP allocations of subnet mappings
// before anything changes: NLBs only, internet-facing only, each allocation
// once, existing (AllocationIdNotFound) and not associated elsewhere. A
// subnet the load balancer keeps keeps its addresses; another allocation
// for it is refused [?: AWS's code for these refusals is unconfirmed
// except AllocationIdNotFound].
func (b *Backend) checkAddresses(lb *loadBalancer, ipType string, subs []lbSubnet) error {
	kept := map[string]lbSubnet{}
	for _, s := range lb.Subnets {
		if s.ENI != "" {
			kept[s.SubnetID] = s
		}
	}
	seen := map[string]bool{}
	for _, s := range subs {
		if ip := s.PrivateIPv4; ip != "" {
			if err := b.checkPrivateIPv4(lb, s); err != nil {
				return err
			}
		}
		if s.IPv6 != "" {
			if err := b.checkIPv6Address(lb.Type, ipType, s); err != nil {
				return err
			}
		}
		id := s.AllocationID
		if id == "" {
			continue
		}
		switch {
		case lb.Type != "network":
			return invalidConfig("Elastic IP addresses can only be specified for Network Load Balancers")
		case lb.Scheme != "internet-facing":
			return invalidConfig("Elastic IP addresses can only be specified for internet-facing load balancers")
		case seen[id]:
			return query.ValidationError("The allocation ID '%s' is specified more than once", id)
		}
		seen[id] = true
		if o, ok := kept[s.SubnetID]; ok {
			if o.AllocationID != id {
				return invalidConfig("The Elastic IP address of subnet '%s' cannot be changed", s.SubnetID)
			}
			continue
		}
		if err := b.net.CheckAddress(id, ""); err != nil {
			if qe, ok := err.(*query.Error); ok && qe.Code == "InvalidAllocationID.NotFound" {
				return errf("AllocationIdNotFound", "The allocation ID '%s' does not exist", id)
			}
			return invalidConfig("The allocation ID '%s' is already associated with another resource", id)
		}
	}
	return nil
}

// checkIPv6Address: a subnet mapping's IPv6Address is for dualstack NLBs
// and must be an address of its subnet's IPv6 block [?].
func (b *Backend) checkIPv6Address(lbType, ipType string, s lbSubnet) error {
	if lbType != "network" || ipType != "dualstack" {
		return invalidConfig("IPv6 addresses can only be specified for dualstack Network Load Balancers")
	}
	addr, err := netip.ParseAddr(s.IPv6)
	if err != nil || !addr.Is6() {
		return query.ValidationError("The IPv6 address '%s' is not valid", s.IPv6)
	}
	info, _ := b.net.Subnet(s.SubnetID)
	for _, c := range info.IPv6CIDRs {
		if netip.MustParsePrefix(c).Contains(addr) {
			return nil
		}
	}
	return invalidConfig("The IPv6 address '%s' is not in subnet '%s'", s.IPv6, s.SubnetID)
}

// checkPrivateIPv4: a subnet mapping's PrivateIPv4Address is for internal
// NLBs and must be an address of its subnet [?].
func (b *Backend) checkPrivateIPv4(lb *loadBalancer, s lbSubnet) error {
	if lb.Type != "network" || lb.Scheme != "internal" {
		return invalidConfig("Private IPv4 addresses can only be specified for internal Network Load Balancers")
	}
	addr, err := netip.ParseAddr(s.PrivateIPv4)
	if err != nil || !addr.Is4() {
		return query.ValidationError("The private IPv4 address '%s' is not valid", s.PrivateIPv4)
	}
	info, ok := b.net.Subnet(s.SubnetID)
	if cidr, err := netip.ParsePrefix(info.CIDR); ok && err == nil && !cidr.Contains(addr) {
		return invalidConfig("The private IPv4 address '%s' is not in the CIDR block of subnet '%s'", s.PrivateIPv4, s.SubnetID)
	}
	return nil
}

func (b *Backend) setIPAddressType(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	if _, err := p.Require("IpAddressType"); err != nil {
		return nil, err
	}
	ipType, err := enumParam(p, "IpAddressType", "ipAddressType", "ipv4", "dualstack", "dualstack-without-public-ipv4")
	if err != nil {
		return nil, err
	}
	if err := b.checkIPType(lb.Type, lb.Scheme, ipType, lb.VPCID); err != nil {
		return nil, err
	}
	lb.IPAddressType = ipType
	return &setIPAddressTypeResult{IPAddressType: ipType}, nil
}
