package elbv2

import (
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// IPAM pools: the account's public IPv4 IPAM pools are what the seed
// declares (AddIPAMPool; the emulated EC2 has no IPAM API). An ALB takes
// its IPv4 addresses from one (IpamPools.Ipv4IpamPoolId on
// CreateLoadBalancer and ModifyIpPools); only internet-facing Application
// Load Balancers can [?: AWS's documented rule; the code and texts are
// ours], and an unknown pool is InvalidConfigurationRequest [?].

// AddIPAMPool declares a public IPv4 IPAM pool of the account.
func (b *Backend) AddIPAMPool(id string) {
	if !contains(b.st.IPAMPools, id) {
		b.st.IPAMPools = append(b.st.IPAMPools, id)
	}
}

type xIPAMPools struct {
	Ipv4IpamPoolID string `xml:"Ipv4IpamPoolId,omitempty"`
}

type ipPoolsResult struct {
	IpamPools *xIPAMPools `xml:"IpamPools,omitempty"`
}

// checkIPAMPool validates pool for lb.
func (b *Backend) checkIPAMPool(lb *loadBalancer, pool string) error {
	switch {
	case pool == "":
		return query.ValidationError("An IPAM pool ID must not be empty")
	case lb.Type != "application":
		return invalidConfig("IPAM pools are only supported for Application Load Balancers")
	case lb.Scheme != "internet-facing":
		return invalidConfig("IPAM pools are only supported for internet-facing load balancers")
	case !contains(b.st.IPAMPools, pool):
		return invalidConfig("The IPAM pool '%s' does not exist", pool)
	}
	return nil
}

// ipamPoolParam reads CreateLoadBalancer's IpamPools.Ipv4IpamPoolId.
func (b *Backend) ipamPoolParam(p query.Params, lb *loadBalancer) (string, error) {
	pool, ok := p.Lookup("IpamPools.Ipv4IpamPoolId")
	if !ok {
		return "", nil
	}
	return pool, b.checkIPAMPool(lb, pool)
}

func (b *Backend) modifyIPPools(p query.Params) (any, error) {
	arn, err := p.Require("LoadBalancerArn")
	if err != nil {
		return nil, err
	}
	lb := b.st.LoadBalancers[arn]
	if lb == nil {
		return nil, lbNotFound()
	}
	pool, set := p.Lookup("IpamPools.Ipv4IpamPoolId")
	remove := p.MemberStrings("RemoveIpamPools")
	for _, r := range remove {
		if r != "ipv4" {
			return nil, constraint(r, "removeIpamPools", "Member must satisfy enum value set: [ipv4]")
		}
	}
	switch {
	case set && len(remove) > 0:
		return nil, query.ValidationError("IPAM pools cannot be set and removed in the same request")
	case !set && len(remove) == 0:
		return nil, query.ValidationError("Either IpamPools or RemoveIpamPools must be specified")
	case set:
		if err := b.checkIPAMPool(lb, pool); err != nil {
			return nil, err
		}
		lb.IPAMPool = pool
	default:
		lb.IPAMPool = ""
	}
	res := &ipPoolsResult{}
	if lb.IPAMPool != "" {
		res.IpamPools = &xIPAMPools{Ipv4IpamPoolID: lb.IPAMPool}
	}
	return res, nil
}

// AllowSingleSubnetALB lets the account create ALBs on one subnet (AWS
// enables it per account; LBC's gate ALBSingleSubnet is for such accounts).
func (b *Backend) AllowSingleSubnetALB(on bool) { b.st.SingleSubnetALB = on }
