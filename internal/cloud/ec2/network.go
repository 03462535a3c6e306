package ec2

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/naming"
)

// VPC returns the VPC's CIDR blocks.
func (p *Provider) VPC(ctx context.Context, vpcID string) (VPC, error) {
	out, err := p.api.DescribeVpcs(ctx, &awsec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	if err != nil {
		return VPC{}, fmt.Errorf("describing VPC %s: %w", vpcID, err)
	}
	if len(out.Vpcs) != 1 {
		return VPC{}, fmt.Errorf("describing VPC %s: %d VPCs returned", vpcID, len(out.Vpcs))
	}
	return vpcFromSDK(out.Vpcs[0]), nil
}

func vpcFromSDK(v ec2types.Vpc) VPC {
	out := VPC{ID: aws.ToString(v.VpcId)}
	primary := aws.ToString(v.CidrBlock)
	if primary != "" {
		out.CIDRs = append(out.CIDRs, primary)
	}
	for _, a := range v.CidrBlockAssociationSet {
		c := aws.ToString(a.CidrBlock)
		if c == "" || c == primary || (a.CidrBlockState != nil && a.CidrBlockState.State != ec2types.VpcCidrBlockStateCodeAssociated) {
			continue
		}
		out.CIDRs = append(out.CIDRs, c)
	}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && a.Ipv6CidrBlockState.State != ec2types.VpcCidrBlockStateCodeAssociated {
			continue
		}
		if c := aws.ToString(a.Ipv6CidrBlock); c != "" {
			out.IPv6CIDRs = append(out.IPv6CIDRs, c)
		}
	}
	return out
}

// Subnets returns every subnet of the VPC, sorted by ID,
// for discovery done by the caller.
func (p *Provider) Subnets(ctx context.Context, vpcID string) ([]Subnet, error) {
	return p.subnetQuery(ctx, vpcID, "", nil)
}

// SubnetsByTag returns the VPC's subnets carrying tag key with one of values
// (any value when none are given), as LBC's discovery asks for
// kubernetes.io/role/elb or …/internal-elb with values "" and "1"
// (lbc-load-balancers.md §4.2).
func (p *Provider) SubnetsByTag(ctx context.Context, vpcID, key string, values ...string) ([]Subnet, error) {
	return p.subnetQuery(ctx, vpcID, key, values)
}

func (p *Provider) subnetQuery(ctx context.Context, vpcID, key string, values []string) ([]Subnet, error) {
	filters := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	switch {
	case key != "" && len(values) > 0:
		filters = append(filters, ec2types.Filter{Name: aws.String("tag:" + key), Values: values})
	case key != "":
		filters = append(filters, ec2types.Filter{Name: aws.String("tag-key"), Values: []string{key}})
	}
	var out []Subnet
	pg := awsec2.NewDescribeSubnetsPaginator(p.api, &awsec2.DescribeSubnetsInput{Filters: filters, MaxResults: aws.Int32(pageSize)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing subnets of %s: %w", vpcID, err)
		}
		for _, s := range page.Subnets {
			out = append(out, subnetFromSDK(s))
		}
	}
	slices.SortFunc(out, func(a, b Subnet) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func subnetFromSDK(s ec2types.Subnet) Subnet {
	out := Subnet{
		ID:           aws.ToString(s.SubnetId),
		VPCID:        aws.ToString(s.VpcId),
		AZ:           aws.ToString(s.AvailabilityZone),
		AZID:         aws.ToString(s.AvailabilityZoneId),
		CIDR:         aws.ToString(s.CidrBlock),
		AvailableIPs: aws.ToInt32(s.AvailableIpAddressCount),
		Tags:         tagMap(s.Tags),
		OutpostARN:   aws.ToString(s.OutpostArn),
	}
	for _, a := range s.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && a.Ipv6CidrBlockState.State == ec2types.SubnetCidrBlockStateCodeAssociated {
			out.HasIPv6 = true
			out.IPv6CIDRs = append(out.IPv6CIDRs, aws.ToString(a.Ipv6CidrBlock))
		}
	}
	return out
}

// DiscoverVPC finds the cluster's VPC when --aws-vpc-id is not given: the
// one VPC tagged kubernetes.io/cluster/<cluster> (any value), else the only
// VPC of the account and Region. Several candidates, or none, is an error
// naming them. Uncached (called once at start).
func (p *Provider) DiscoverVPC(ctx context.Context, cluster string) (string, error) {
	key := naming.ClusterTagKey(cluster)
	for _, filters := range [][]ec2types.Filter{
		{{Name: aws.String("tag-key"), Values: []string{key}}},
		nil,
	} {
		var ids []string
		pg := awsec2.NewDescribeVpcsPaginator(p.api, &awsec2.DescribeVpcsInput{Filters: filters, MaxResults: aws.Int32(pageSize)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return "", fmt.Errorf("discovering the VPC of cluster %s: %w", cluster, err)
			}
			for _, v := range page.Vpcs {
				ids = append(ids, aws.ToString(v.VpcId))
			}
		}
		switch len(ids) {
		case 0:
			continue
		case 1:
			return ids[0], nil
		default:
			slices.Sort(ids)
			return "", fmt.Errorf("discovering the VPC of cluster %s: %d candidates %v; set --aws-vpc-id", cluster, len(ids), ids)
		}
	}
	return "", fmt.Errorf("discovering the VPC of cluster %s: no VPC tagged %s and no single VPC; set --aws-vpc-id", cluster, key)
}
