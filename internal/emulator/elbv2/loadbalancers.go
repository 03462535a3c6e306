package elbv2

import (
	"fmt"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// hostedZones are the ELB endpoints' Route 53 zones: ALB, NLB (aws-api.md §3.0).
var hostedZones = map[string][2]string{
	"us-east-1":      {"Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"},
	"us-east-2":      {"Z3AADJGX6KTTL2", "ZLMOA37VPKANP"},
	"us-west-1":      {"Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"},
	"us-west-2":      {"Z1H1FL5HABSF5", "Z18D5FSROUN65G"},
	"eu-west-1":      {"Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"},
	"eu-central-1":   {"Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"},
	"ap-northeast-1": {"Z14GRHDCWA56QT", "Z31USIVHYNEOWT"},
}

// hostedZone returns the canonical hosted zone for a type in region; Regions
// outside the table fall back to us-east-1's zones.
func hostedZone(region, lbType string) string {
	z, ok := hostedZones[region]
	if !ok {
		z = hostedZones["us-east-1"]
	}
	if lbType == "application" {
		return z[0]
	}
	return z[1]
}

func typeSegment(lbType string) string {
	switch lbType {
	case "network":
		return "net"
	case "gateway":
		return "gwy"
	}
	return "app"
}

func (b *Backend) lbState(lb *loadBalancer) string {
	if b.env.Visible(lb.Created, b.env.Lag.Provisioning) {
		return "active"
	}
	return "provisioning"
}

func (b *Backend) renderLB(lb *loadBalancer) xLoadBalancer {
	x := xLoadBalancer{
		LoadBalancerArn:       lb.ARN,
		DNSName:               lb.DNSName,
		CanonicalHostedZoneID: lb.HostedZone,
		CreatedTime:           core.Timestamp(lb.Created),
		LoadBalancerName:      lb.Name,
		Scheme:                lb.Scheme,
		VpcID:                 lb.VPCID,
		State:                 xState{Code: b.lbState(lb)},
		Type:                  lb.Type,
		SecurityGroups:        lb.SecurityGroups,
		IPAddressType:         lb.IPAddressType,
		Enforce:               lb.Enforce,
		SourceNat:             sourceNat(lb),
		CustomerOwnedIpv4Pool: lb.CustomerOwnedPool,
	}
	if lb.IPAMPool != "" {
		x.IpamPools = &xIPAMPools{Ipv4IpamPoolID: lb.IPAMPool}
	}
	x.AvailabilityZones = renderAZs(lb)
	return x
}

func renderAZs(lb *loadBalancer) []xAZ {
	out := make([]xAZ, 0, len(lb.Subnets))
	for _, s := range lb.Subnets {
		az := xAZ{ZoneName: s.Zone, SubnetID: s.SubnetID, OutpostID: outpostID(s.Outpost)}
		if s.AllocationID != "" || s.PrivateIPv4 != "" || s.IPv6 != "" {
			az.LoadBalancerAddresses = []xLBAddress{{IPAddress: s.PublicIP, AllocationID: s.AllocationID, PrivateIPv4Address: s.PrivateIPv4, IPv6Address: s.IPv6}}
		}
		if s.SourceNatPrefix != "" {
			az.SourceNatIpv6Prefixes = []string{s.SourceNatPrefix}
		}
		out = append(out, az)
	}
	return out
}

// parseSubnets reads Subnets.member.N or SubnetMappings.member.N and resolves
// them through the network. It checks one VPC and one subnet per zone.
func (b *Backend) parseSubnets(p query.Params) ([]lbSubnet, string, error) {
	ids := p.MemberStrings("Subnets")
	maps := p.Members("SubnetMappings")
	if len(ids) > 0 && len(maps) > 0 {
		return nil, "", query.ValidationError("You can specify subnets or subnet mappings, not both")
	}
	var subs []lbSubnet
	for _, id := range ids {
		subs = append(subs, lbSubnet{SubnetID: id})
	}
	for _, m := range maps {
		id := m.Get("SubnetId")
		if id == "" {
			return nil, "", query.ValidationError("A subnet ID must be specified in each subnet mapping")
		}
		subs = append(subs, lbSubnet{SubnetID: id, AllocationID: m.Get("AllocationId"),
			PrivateIPv4: m.Get("PrivateIPv4Address"), IPv6: m.Get("IPv6Address"), SourceNatPrefix: m.Get("SourceNatIpv6Prefix")})
	}
	if len(subs) == 0 {
		return nil, "", query.ValidationError("At least one subnet must be specified")
	}
	vpc := ""
	zones := map[string]string{}
	for i := range subs {
		info, ok := b.net.Subnet(subs[i].SubnetID)
		if !ok {
			return nil, "", errf("SubnetNotFound", "The subnet ID '%s' is not valid", subs[i].SubnetID)
		}
		if vpc == "" {
			vpc = info.VPCID
		} else if info.VPCID != vpc {
			return nil, "", errf("InvalidSubnet", "The subnets '%s' and '%s' are not in the same VPC", subs[0].SubnetID, subs[i].SubnetID)
		}
		if other, dup := zones[info.AvailabilityZone]; dup {
			if other == subs[i].SubnetID {
				return nil, "", query.ValidationError("Subnet '%s' is specified more than once", other)
			}
			return nil, "", invalidConfig("A load balancer cannot be attached to multiple subnets in the same Availability Zone")
		}
		zones[info.AvailabilityZone] = subs[i].SubnetID
		subs[i].Zone = info.AvailabilityZone
		subs[i].ZoneID = info.AvailabilityZoneID
		subs[i].Outpost = info.OutpostARN
	}
	return subs, vpc, nil
}

// checkGroups validates security groups for a load balancer in vpc.
func (b *Backend) checkGroups(groups []string, vpc string) error {
	if len(groups) > b.Quotas.SecurityGroupsPerLoadBalancer {
		return invalidConfig("The maximum number of security groups per load balancer (%d) has been reached.", b.Quotas.SecurityGroupsPerLoadBalancer)
	}
	for _, g := range groups {
		gv, ok := b.net.SecurityGroupVPC(g)
		if !ok {
			return errf("InvalidSecurityGroup", "The security group '%s' does not exist", g)
		}
		if gv != vpc {
			return errf("InvalidSecurityGroup", "The security group '%s' does not belong to VPC '%s'", g, vpc)
		}
	}
	return nil
}

func (b *Backend) lbCount(lbType string) (int, int) {
	n := 0
	for _, lb := range b.st.LoadBalancers {
		if lb.Type == lbType {
			n++
		}
	}
	switch lbType {
	case "network":
		return n, b.Quotas.NetworkLoadBalancers
	case "gateway":
		return n, b.Quotas.GatewayLoadBalancers
	}
	return n, b.Quotas.ApplicationLoadBalancers
}

// newLoadBalancer validates CreateLoadBalancer's settings into an unsaved
// load balancer (no ARN, ENIs or timestamps yet).
func (b *Backend) newLoadBalancer(p query.Params) (*loadBalancer, error) {
	lb := &loadBalancer{Name: p.Get("Name")}
	if err := validateName("load balancer", lb.Name); err != nil {
		return nil, err
	}
	var err error
	if lb.Type, err = enumDefault(p, "Type", "type", "application", "application", "network", "gateway"); err != nil {
		return nil, err
	}
	if lb.Scheme, err = enumDefault(p, "Scheme", "scheme", "internet-facing", "internet-facing", "internal"); err != nil {
		return nil, err
	}
	if lb.IPAddressType, err = enumDefault(p, "IpAddressType", "ipAddressType", "ipv4", "ipv4", "dualstack", "dualstack-without-public-ipv4"); err != nil {
		return nil, err
	}
	if lb.Subnets, lb.VPCID, err = b.parseSubnets(p); err != nil {
		return nil, err
	}
	if err := b.checkIPType(lb.Type, lb.Scheme, lb.IPAddressType, lb.VPCID); err != nil {
		return nil, err
	}
	outpost, err := checkOutpost(lb.Type, lb.Subnets)
	if err != nil {
		return nil, err
	}
	if lb.Type == "application" && len(lb.Subnets) < 2 && outpost == "" && !b.st.SingleSubnetALB {
		return nil, invalidConfig("At least two subnets in two different Availability Zones must be specified")
	}
	if lb.CustomerOwnedPool, err = customerOwnedPoolParam(p, lb, outpost); err != nil {
		return nil, err
	}
	if lb.IPAMPool, err = b.ipamPoolParam(p, lb); err != nil {
		return nil, err
	}
	if lb.SourceNat, err = b.sourceNatParam(p, lb.Type, lb.IPAddressType, "", lb.Subnets); err != nil {
		return nil, err
	}
	if lb.Type == "network" && lb.SourceNat == "" {
		lb.SourceNat = "off"
	}
	if lb.SecurityGroups, err = b.createGroups(p, lb); err != nil {
		return nil, err
	}
	lb.CreatedWithSGs = len(lb.SecurityGroups) > 0
	return lb, nil
}

// createGroups resolves CreateLoadBalancer's security groups: an ALB
// without any gets its VPC's default group.
func (b *Backend) createGroups(p query.Params, lb *loadBalancer) ([]string, error) {
	groups := dedupe(p.MemberStrings("SecurityGroups"))
	if lb.Type == "gateway" && len(groups) > 0 {
		return nil, invalidConfig("Security groups are not supported for load balancers with type 'gateway'")
	}
	if err := b.checkGroups(groups, lb.VPCID); err != nil {
		return nil, err
	}
	if lb.Type != "application" || len(groups) > 0 {
		return groups, nil
	}
	def, ok := b.net.DefaultSecurityGroup(lb.VPCID)
	if !ok {
		return nil, invalidConfig("The VPC '%s' has no default security group", lb.VPCID)
	}
	return []string{def}, nil
}

func (b *Backend) createLoadBalancer(p query.Params) (any, error) {
	lb, err := b.newLoadBalancer(p)
	if err != nil {
		return nil, err
	}
	tags, err := b.parseTags(p, nil)
	if err != nil {
		return nil, err
	}
	for _, old := range b.st.LoadBalancers {
		if old.Name != lb.Name {
			continue
		}
		if old.Type == lb.Type && old.Scheme == lb.Scheme && old.IPAddressType == lb.IPAddressType && sourceNat(old) == lb.SourceNat && old.CustomerOwnedPool == lb.CustomerOwnedPool &&
			sameSet(subnetIDs(old.Subnets), subnetIDs(lb.Subnets)) && sameSet(old.SecurityGroups, lb.SecurityGroups) {
			return &loadBalancersResult{LoadBalancers: []xLoadBalancer{b.renderLB(old)}}, nil
		}
		return nil, errf("DuplicateLoadBalancerName", "A load balancer with the same name '%s' exists, but with different settings", lb.Name)
	}
	if n, limit := b.lbCount(lb.Type); n >= limit {
		return nil, errf("TooManyLoadBalancers", "The maximum number of load balancers has been reached")
	}
	if err := b.checkAddresses(lb, lb.IPAddressType, lb.Subnets); err != nil {
		return nil, err
	}
	now := b.env.Now()
	lb.ID = b.env.IDs.Hex(16)
	lb.Seq = b.st.next()
	lb.ARN = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%s", b.env.Region, b.env.Account, typeSegment(lb.Type), lb.Name, lb.ID)
	lb.HostedZone = hostedZone(b.env.Region, lb.Type)
	lb.Created = now
	lb.Attributes = defaultLBAttributes(lb.Type)
	lb.Tags = stamp(tags, now)
	lb.DNSName = b.dnsName(lb)
	if lb.Type == "network" && lb.CreatedWithSGs {
		lb.Enforce = "on"
	}
	if err := b.moveENIs(lb, lb.Subnets); err != nil {
		return nil, err
	}
	b.st.LoadBalancers[lb.ARN] = lb
	return &loadBalancersResult{LoadBalancers: []xLoadBalancer{b.renderLB(lb)}}, nil
}

// dnsName follows §3.0: ALBs use decimal digits (internal- prefixed when
// internal), NLBs and GWLBs the ARN's hex ID under elb.<region>.
func (b *Backend) dnsName(lb *loadBalancer) string {
	if lb.Type != "application" {
		return fmt.Sprintf("%s-%s.elb.%s.amazonaws.com", lb.Name, lb.ID, b.env.Region)
	}
	prefix := ""
	if lb.Scheme == "internal" {
		prefix = "internal-"
	}
	return fmt.Sprintf("%s%s-%s.%s.elb.amazonaws.com", prefix, lb.Name, b.env.IDs.Digits(10), b.env.Region)
}

func eniType(lbType string) string {
	switch lbType {
	case "network":
		return "network_load_balancer"
	case "gateway":
		return "gateway_load_balancer"
	}
	return "load_balancer"
}

func eniDescription(lb *loadBalancer) string {
	return fmt.Sprintf("ELB %s/%s/%s", typeSegment(lb.Type), lb.Name, lb.ID)
}

func (b *Backend) checkIPType(lbType, scheme, ipType, vpc string) error {
	if ipType == "ipv4" {
		return nil
	}
	if lbType == "gateway" && ipType == "dualstack-without-public-ipv4" {
		return invalidConfig("IP address type '%s' is not supported for load balancers with type 'gateway'", ipType)
	}
	if ipType == "dualstack-without-public-ipv4" && (lbType != "application" || scheme != "internet-facing") {
		return invalidConfig("IP address type '%s' is only supported for internet-facing Application Load Balancers", ipType)
	}
	if v, ok := b.net.VPC(vpc); !ok || len(v.IPv6CIDRs) == 0 {
		return invalidConfig("VPC '%s' does not have an IPv6 CIDR block; IP address type '%s' requires one", vpc, ipType)
	}
	return nil
}

func subnetIDs(s []lbSubnet) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.SubnetID
	}
	return out
}

func (b *Backend) describeLoadBalancers(p query.Params) (any, error) {
	arns := p.MemberStrings("LoadBalancerArns")
	names := p.MemberStrings("Names")
	if len(arns) > 0 && len(names) > 0 {
		return nil, query.ValidationError("Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	if len(arns) > b.Quotas.LoadBalancerArnsPerDescribeCall {
		return nil, constraint(strings.Join(arns, ", "), "loadBalancerArns", fmt.Sprintf("Member must have length less than or equal to %d", b.Quotas.LoadBalancerArnsPerDescribeCall))
	}
	var visible []*loadBalancer
	for _, lb := range b.st.loadBalancerList() {
		if b.env.Visible(lb.Created, b.env.Lag.Create) {
			visible = append(visible, lb)
		}
	}
	out := visible
	var err error
	switch {
	case len(arns) > 0:
		out, err = lbsByARN(visible, arns)
	case len(names) > 0:
		out, err = lbsByName(visible, names)
	}
	if err != nil {
		return nil, err
	}
	pg, err := core.ELBv2Page(p, len(out))
	if err != nil {
		return nil, err
	}
	res := &loadBalancersResult{LoadBalancers: []xLoadBalancer{}, NextMarker: pg.Next}
	for _, lb := range out[pg.Start:pg.End] {
		res.LoadBalancers = append(res.LoadBalancers, b.renderLB(lb))
	}
	return res, nil
}

func lbsByARN(visible []*loadBalancer, arns []string) ([]*loadBalancer, error) {
	for _, a := range arns {
		if err := checkARN(a, "loadbalancer"); err != nil {
			return nil, err
		}
	}
	var out []*loadBalancer
	for _, lb := range visible {
		if contains(arns, lb.ARN) {
			out = append(out, lb)
		}
	}
	if len(out) != len(dedupe(arns)) {
		return nil, lbNotFound()
	}
	return out, nil
}

func lbsByName(visible []*loadBalancer, names []string) ([]*loadBalancer, error) {
	var out []*loadBalancer
	found := map[string]bool{}
	for _, lb := range visible {
		if contains(names, lb.Name) {
			out = append(out, lb)
			found[lb.Name] = true
		}
	}
	var missing []string
	for _, n := range dedupe(names) {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, errf("LoadBalancerNotFound", "Load balancers '[%s]' not found", strings.Join(missing, ", "))
	}
	return out, nil
}

// lookupLB resolves a required LoadBalancerArn parameter.
func (b *Backend) lookupLB(p query.Params) (*loadBalancer, error) {
	arn, err := p.Require("LoadBalancerArn")
	if err != nil {
		return nil, err
	}
	if err := checkARN(arn, "loadbalancer"); err != nil {
		return nil, err
	}
	lb := b.st.LoadBalancers[arn]
	if lb == nil {
		return nil, lbNotFound()
	}
	return lb, nil
}

func (b *Backend) deleteLoadBalancer(p query.Params) (any, error) {
	arn, err := p.Require("LoadBalancerArn")
	if err != nil {
		return nil, err
	}
	if err := checkARN(arn, "loadbalancer"); err != nil {
		return nil, err
	}
	lb := b.st.LoadBalancers[arn]
	if lb == nil {
		return nil, nil // deleting an unknown or deleted load balancer succeeds
	}
	if lb.Attributes["deletion_protection.enabled"] == "true" {
		return nil, errf("OperationNotPermitted", "Load balancer '%s' cannot be deleted because deletion protection is enabled", arn)
	}
	if b.registeredALB(arn) {
		// An ALB registered as the target of an alb-type target group is in
		// use until it is deregistered.
		return nil, errf("ResourceInUse", "Load balancer '%s' cannot be deleted because it is currently associated with another service", arn)
	}
	for _, l := range b.st.listenersOf(arn) {
		b.removeListener(l)
	}
	for _, s := range lb.Subnets {
		if s.ENI != "" {
			b.net.ReleaseENI(s.ENI, b.env.Lag.ENIRelease)
		}
	}
	delete(b.st.LoadBalancers, arn)
	return nil, nil
}
