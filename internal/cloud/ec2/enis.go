package ec2

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// InstanceENIs maps instance IDs to their primary ENI (device index 0) and
// its groups (lbc-security-groups.md §6.5), read in filtered, paged batches
// of 200; instances that do not exist (or have no primary ENI) are absent
// from the map, for the caller to report.
func (p *Provider) InstanceENIs(ctx context.Context, instanceIDs []string) (map[string]ENI, error) {
	out := map[string]ENI{}
	err := p.describeInstances(ctx, dedupe(instanceIDs), func(inst ec2types.Instance) {
		if e, ok := primaryENI(inst); ok {
			out[e.InstanceID] = e
		}
	})
	return out, err
}

// Instances maps instance IDs to what a node SG decision needs: the
// primary ENI and its groups, or the instance's groups when it lists no
// ENI. Read like InstanceENIs; unknown IDs are absent.
func (p *Provider) Instances(ctx context.Context, instanceIDs []string) (map[string]Instance, error) {
	out := map[string]Instance{}
	err := p.describeInstances(ctx, dedupe(instanceIDs), func(inst ec2types.Instance) {
		in := instanceOf(inst)
		out[in.ID] = in
	})
	return out, err
}

// describeInstances pages through the instances with these IDs, 200 IDs
// (EC2's filter limit) per call.
func (p *Provider) describeInstances(ctx context.Context, ids []string, each func(ec2types.Instance)) error {
	for _, batch := range chunks(ids, maxFilterValues) {
		pg := awsec2.NewDescribeInstancesPaginator(p.api, &awsec2.DescribeInstancesInput{
			Filters:    []ec2types.Filter{{Name: aws.String("instance-id"), Values: batch}},
			MaxResults: aws.Int32(pageSize),
		})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describing %d instances: %w", len(batch), err)
			}
			for _, r := range page.Reservations {
				for _, inst := range r.Instances {
					each(inst)
				}
			}
		}
	}
	return nil
}

// instanceOf keeps the primary ENI and its groups (the instance's groups
// when no ENI is listed).
func instanceOf(i ec2types.Instance) Instance {
	in := Instance{ID: aws.ToString(i.InstanceId)}
	if e, ok := primaryENI(i); ok {
		in.ENIID, in.Groups = e.ID, e.GroupIDs
		return in
	}
	for _, g := range i.SecurityGroups {
		in.Groups = append(in.Groups, aws.ToString(g.GroupId))
	}
	return in
}

func primaryENI(inst ec2types.Instance) (ENI, bool) {
	for _, ni := range inst.NetworkInterfaces {
		if ni.Attachment == nil || aws.ToInt32(ni.Attachment.DeviceIndex) != 0 {
			continue
		}
		e := ENI{
			ID:         aws.ToString(ni.NetworkInterfaceId),
			VPCID:      aws.ToString(ni.VpcId),
			SubnetID:   aws.ToString(ni.SubnetId),
			InstanceID: aws.ToString(inst.InstanceId),
		}
		for _, g := range ni.Groups {
			e.GroupIDs = append(e.GroupIDs, aws.ToString(g.GroupId))
		}
		e.PrivateIPs = instanceIPs(ni)
		for _, a := range ni.Ipv6Addresses {
			e.IPv6s = append(e.IPv6s, aws.ToString(a.Ipv6Address))
		}
		return e, true
	}
	return ENI{}, false
}

func instanceIPs(ni ec2types.InstanceNetworkInterface) []string {
	var out []string
	primary := aws.ToString(ni.PrivateIpAddress)
	if primary != "" {
		out = append(out, primary)
	}
	for _, a := range ni.PrivateIpAddresses {
		if ip := aws.ToString(a.PrivateIpAddress); ip != "" && ip != primary {
			out = append(out, ip)
		}
	}
	return out
}

// ENIsByIP maps pod IPs to the ENIs holding them within the VPC, as LBC
// does for ip targets: DescribeNetworkInterfaces filtered by vpc-id and
// addresses.private-ip-address (ipv6-addresses.ipv6-address for IPv6), the
// IPs in batches that keep each call within EC2's 200 filter values.
// IPs no ENI holds are absent from the map.
func (p *Provider) ENIsByIP(ctx context.Context, vpcID string, ips []string) (map[string]ENI, error) {
	out := map[string]ENI{}
	var v4, v6 []string
	for _, ip := range dedupe(ips) {
		if strings.Contains(ip, ":") {
			v6 = append(v6, ip)
		} else {
			v4 = append(v4, ip)
		}
	}
	for _, q := range []struct {
		filter string
		ips    []string
	}{{"addresses.private-ip-address", v4}, {"ipv6-addresses.ipv6-address", v6}} {
		// One value goes to the vpc-id filter.
		for _, batch := range chunks(q.ips, maxFilterValues-1) {
			if err := p.enisByIP(ctx, vpcID, q.filter, batch, out); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func (p *Provider) enisByIP(ctx context.Context, vpcID, filter string, batch []string, out map[string]ENI) error {
	want := make(map[string]bool, len(batch))
	for _, ip := range batch {
		want[ip] = true
	}
	pg := awsec2.NewDescribeNetworkInterfacesPaginator(p.api, &awsec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{vpcID}},
			{Name: aws.String(filter), Values: batch},
		},
		MaxResults: aws.Int32(pageSize),
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describing network interfaces holding %d IPs in %s: %w", len(batch), vpcID, err)
		}
		for _, ni := range page.NetworkInterfaces {
			e := eniFromSDK(ni)
			for _, ip := range slices.Concat(e.PrivateIPs, e.IPv6s) {
				if want[ip] {
					out[ip] = e
				}
			}
		}
	}
	return nil
}

// VPCNetworkInterfaces lists every network interface of the VPC (one
// paged, filtered Describe), for audit and the graph.
func (p *Provider) VPCNetworkInterfaces(ctx context.Context, vpcID string) ([]ENI, error) {
	var out []ENI
	pg := awsec2.NewDescribeNetworkInterfacesPaginator(p.api, &awsec2.DescribeNetworkInterfacesInput{
		Filters:    vpcFilter(vpcID),
		MaxResults: aws.Int32(pageSize),
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing network interfaces of %s: %w", vpcID, err)
		}
		for _, ni := range page.NetworkInterfaces {
			out = append(out, eniFromSDK(ni))
		}
	}
	return out, nil
}

func eniFromSDK(ni ec2types.NetworkInterface) ENI {
	e := ENI{
		ID:          aws.ToString(ni.NetworkInterfaceId),
		VPCID:       aws.ToString(ni.VpcId),
		SubnetID:    aws.ToString(ni.SubnetId),
		Type:        string(ni.InterfaceType),
		Description: aws.ToString(ni.Description),
	}
	if ni.Attachment != nil {
		e.InstanceID, e.DeviceIndex = aws.ToString(ni.Attachment.InstanceId), aws.ToInt32(ni.Attachment.DeviceIndex)
	}
	for _, p := range ni.Ipv4Prefixes {
		e.Prefixes = append(e.Prefixes, aws.ToString(p.Ipv4Prefix))
	}
	for _, p := range ni.Ipv6Prefixes {
		e.Prefixes = append(e.Prefixes, aws.ToString(p.Ipv6Prefix))
	}
	for _, g := range ni.Groups {
		e.GroupIDs = append(e.GroupIDs, aws.ToString(g.GroupId))
	}
	primary := aws.ToString(ni.PrivateIpAddress)
	if primary != "" {
		e.PrivateIPs = append(e.PrivateIPs, primary)
	}
	for _, a := range ni.PrivateIpAddresses {
		if ip := aws.ToString(a.PrivateIpAddress); ip != "" && ip != primary {
			e.PrivateIPs = append(e.PrivateIPs, ip)
		}
	}
	for _, a := range ni.Ipv6Addresses {
		e.IPv6s = append(e.IPv6s, aws.ToString(a.Ipv6Address))
	}
	return e
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0:0]
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
