package state

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
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
	var out []model.Subnet
	pg := ec2.NewDescribeSubnetsPaginator(p.ec2, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{p.vpcID}}},
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing subnets of %s: %w", p.vpcID, err)
		}
		for _, s := range page.Subnets {
			sub := model.Subnet{ID: aws.ToString(s.SubnetId), AZ: aws.ToString(s.AvailabilityZone), CIDR: aws.ToString(s.CidrBlock),
				Tags: tagMap(s.Tags), AvailableIPs: aws.ToInt32(s.AvailableIpAddressCount)}
			for _, a := range s.Ipv6CidrBlockAssociationSet {
				if a.Ipv6CidrBlockState != nil && a.Ipv6CidrBlockState.State == ec2types.SubnetCidrBlockStateCodeAssociated {
					sub.HasIPv6 = true
				}
			}
			out = append(out, sub)
		}
	}
	if out == nil {
		out = []model.Subnet{}
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
	// EC2 takes at most 200 filter values per call (FilterLimitExceeded).
	for batch := range slices.Chunk(missing, maxFilterValues) {
		if err := p.describeInstances(ctx, batch, out); err != nil {
			return nil, err
		}
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

// maxFilterValues is EC2's limit on filter values in one call.
const maxFilterValues = 200

// describeInstances reads one batch of instances into out and the cache.
func (p *Provider) describeInstances(ctx context.Context, ids []string, out map[string]Instance) error {
	pg := ec2.NewDescribeInstancesPaginator(p.ec2, &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids}},
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describing %d instances: %w", len(ids), err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				in := instanceOf(i)
				out[in.ID] = in
				p.mu.Lock()
				p.instances[in.ID] = in
				p.mu.Unlock()
			}
		}
	}
	return nil
}

// instanceOf keeps what the controller needs: the primary ENI and its
// groups (the instance's groups when no ENI is listed).
func instanceOf(i ec2types.Instance) Instance {
	in := Instance{ID: aws.ToString(i.InstanceId)}
	for _, eni := range i.NetworkInterfaces {
		if eni.Attachment != nil && aws.ToInt32(eni.Attachment.DeviceIndex) == 0 {
			in.ENIID = aws.ToString(eni.NetworkInterfaceId)
			for _, g := range eni.Groups {
				in.Groups = append(in.Groups, aws.ToString(g.GroupId))
			}
		}
	}
	if in.ENIID == "" {
		for _, g := range i.SecurityGroups {
			in.Groups = append(in.Groups, aws.ToString(g.GroupId))
		}
	}
	return in
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
// the only VPC of the Region.
func DiscoverVPC(ctx context.Context, api awsapi.EC2API, cluster string) (string, error) {
	out, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		return "", fmt.Errorf("describing VPCs: %w", err)
	}
	var tagged []string
	for _, v := range out.Vpcs {
		if _, ok := tagMap(v.Tags)[naming.ClusterTagKey(cluster)]; ok {
			tagged = append(tagged, aws.ToString(v.VpcId))
		}
	}
	switch {
	case len(tagged) == 1:
		return tagged[0], nil
	case len(tagged) == 0 && len(out.Vpcs) == 1:
		return aws.ToString(out.Vpcs[0].VpcId), nil
	}
	return "", fmt.Errorf("cannot choose the cluster's VPC (%d tagged for %s, %d in total): set --aws-vpc-id", len(tagged), cluster, len(out.Vpcs))
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
	out, err := p.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{p.vpcID}})
	if err != nil {
		return nil, fmt.Errorf("describing VPC %s: %w", p.vpcID, err)
	}
	c := []string{}
	for _, v := range out.Vpcs {
		for _, a := range v.CidrBlockAssociationSet {
			if a.CidrBlockState == nil || a.CidrBlockState.State == ec2types.VpcCidrBlockStateCodeAssociated {
				c = append(c, aws.ToString(a.CidrBlock))
			}
		}
		if len(v.CidrBlockAssociationSet) == 0 && v.CidrBlock != nil {
			c = append(c, aws.ToString(v.CidrBlock))
		}
	}
	p.mu.Lock()
	p.vpcCIDRs = c
	p.mu.Unlock()
	return c, nil
}
