package state

import (
	"context"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/model"
)

// Subnets returns the VPC's subnets, read once and then on RefreshSubnets.
func (p *Provider) Subnets(ctx context.Context) ([]model.Subnet, error) {
	cached := func() []model.Subnet {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.subnets
	}
	if s := cached(); s != nil {
		return s, nil
	}
	p.fillSubnets.Lock()
	defer p.fillSubnets.Unlock()
	if s := cached(); s != nil {
		return s, nil
	}
	return p.RefreshSubnets(ctx)
}

// RefreshSubnets re-reads the VPC's subnets (one paged call).
func (p *Provider) RefreshSubnets(ctx context.Context) ([]model.Subnet, error) {
	subs, err := p.ec2.Subnets(ctx, p.vpcID)
	if err != nil {
		return nil, err
	}
	out := make([]model.Subnet, 0, len(subs))
	for _, s := range subs {
		out = append(out, model.Subnet{ID: s.ID, AZ: s.AZ, CIDR: s.CIDR, Tags: s.Tags, AvailableIPs: s.AvailableIPs, HasIPv6: s.HasIPv6,
			IPv6CIDRs: slices.Clone(s.IPv6CIDRs), OutpostARN: s.OutpostARN})
	}
	p.mu.Lock()
	p.subnets = out
	p.mu.Unlock()
	return out, nil
}

// InstanceIDFromProviderID takes the last segment of aws:///<az>/<id>.
func InstanceIDFromProviderID(pid string) string {
	if !strings.HasPrefix(pid, "aws://") {
		return ""
	}
	id := pid[strings.LastIndex(pid, "/")+1:]
	if !strings.HasPrefix(id, "i-") {
		return ""
	}
	return id
}

// Instances returns the primary ENI and its SGs for each ID, describing
// only the IDs not cached yet (one call). Unknown IDs are left out.
func (p *Provider) Instances(ctx context.Context, ids []string) (map[string]Instance, error) {
	out, missing := p.cachedInstances(ids)
	if len(missing) == 0 {
		return out, nil
	}
	p.fillInstances.Lock()
	defer p.fillInstances.Unlock()
	// Another reconcile may have described them while this one waited.
	if out, missing = p.cachedInstances(ids); len(missing) == 0 {
		return out, nil
	}
	slices.Sort(missing)
	// In batches of EC2's 200 filter values per call.
	got, err := p.ec2.Instances(ctx, missing)
	p.mu.Lock()
	for id, in := range got {
		out[id] = in
		p.instances[id] = in
	}
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cachedInstances splits ids into the cached instances and the rest.
func (p *Provider) cachedInstances(ids []string) (map[string]Instance, []string) {
	out := map[string]Instance{}
	var missing []string
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		if in, ok := p.instances[id]; ok {
			out[id] = in
		} else {
			missing = append(missing, id)
		}
	}
	return out, missing
}

// GroupTags returns the cached tags of SGs (nil for unknown ones).
func (p *Provider) GroupTags(ctx context.Context, ids []string) (map[string]map[string]string, error) {
	if err := p.ensureSGs(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]map[string]string{}
	for _, id := range ids {
		if sg, ok := p.sgs[id]; ok {
			out[id] = sg.Tags
		}
	}
	return out, nil
}

// DiscoverVPC returns the VPC tagged kubernetes.io/cluster/<cluster>, else
// the only VPC of the Region (cloud/ec2's DiscoverVPC).
func DiscoverVPC(ctx context.Context, api awsapi.EC2API, cluster string) (string, error) {
	return cloudec2.New(api).DiscoverVPC(ctx, cluster)
}

// VPCCIDRs returns the VPC's associated IPv4 CIDRs, read once.
func (p *Provider) VPCCIDRs(ctx context.Context) ([]string, error) {
	cached := func() []string {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.vpcCIDRs
	}
	if c := cached(); c != nil {
		return c, nil
	}
	p.fillVPC.Lock()
	defer p.fillVPC.Unlock()
	if c := cached(); c != nil {
		return c, nil
	}
	v, err := p.ec2.VPC(ctx, p.vpcID)
	if err != nil {
		return nil, err
	}
	c := append([]string{}, v.CIDRs...)
	p.mu.Lock()
	p.vpcCIDRs = c
	p.mu.Unlock()
	return c, nil
}
