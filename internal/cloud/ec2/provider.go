package ec2

import (
	"maps"
	"slices"

	"k8s.io/utils/clock"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cache"
)

// maxFilterValues is EC2's limit on filter values per call, summed over all
// filters (FilterLimitExceeded, aws-api.md §2.0).
const maxFilterValues = 200

// pageSize is MaxResults on paged Describes: the largest page EC2 serves,
// and a MaxResults keeps a call out of the small "unfiltered" bucket.
const pageSize = 1000

// Provider reads and writes VPCs, subnets, security groups and ENIs. It is
// safe for concurrent use; build one per process.
type Provider struct {
	api awsapi.EC2API

	vpcs    *cache.TTL[string, VPC]
	subnets *cache.TTL[string, []Subnet]
	groups  *cache.TTL[string, SecurityGroup]
	// queries holds the group IDs a tag or name query returned; dropped
	// whenever lbsg creates, deletes or tags a group.
	queries *cache.TTL[string, []string]
	// resolved holds names-or-IDs resolutions.
	resolved *cache.TTL[string, []string]
	// instanceENIs: instance ID → primary ENI; ipENIs: vpc/IP → ENI.
	instanceENIs *cache.TTL[string, ENI]
	ipENIs       *cache.TTL[string, ENI]
}

// New returns a Provider calling api, with caches timed by clk.
func New(api awsapi.EC2API, clk clock.PassiveClock) *Provider {
	return &Provider{
		api:          api,
		vpcs:         cache.New[string, VPC](clk, cache.VPCTTL),
		subnets:      cache.New[string, []Subnet](clk, cache.SubnetTTL),
		groups:       cache.New[string, SecurityGroup](clk, cache.SecurityGroupTTL),
		queries:      cache.New[string, []string](clk, cache.SecurityGroupTTL),
		resolved:     cache.New[string, []string](clk, cache.ResolveTTL),
		instanceENIs: cache.New[string, ENI](clk, cache.ENITTL),
		ipENIs:       cache.New[string, ENI](clk, cache.ENITTL),
	}
}

// Invalidate drops every cached read; the next reads go to AWS.
func (p *Provider) Invalidate() {
	p.vpcs.Clear()
	p.subnets.Clear()
	p.groups.Clear()
	p.queries.Clear()
	p.resolved.Clear()
	p.instanceENIs.Clear()
	p.ipENIs.Clear()
}

// forgetGroups drops what lbsg knows of the given groups and every query
// result, which may list them.
func (p *Provider) forgetGroups(ids ...string) {
	p.groups.Delete(ids...)
	p.queries.Clear()
	p.resolved.Clear()
}

func cloneGroup(g SecurityGroup) SecurityGroup {
	g.Tags = maps.Clone(g.Tags)
	g.Ingress = g.Ingress.Clone()
	return g
}

func cloneENI(e ENI) ENI {
	e.GroupIDs = slices.Clone(e.GroupIDs)
	e.PrivateIPs = slices.Clone(e.PrivateIPs)
	e.IPv6s = slices.Clone(e.IPv6s)
	return e
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > 0 {
		k := min(n, len(s))
		out = append(out, s[:k:k])
		s = s[k:]
	}
	return out
}
