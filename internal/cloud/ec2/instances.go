package ec2

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// RunningInstance is what the sandbox needs to run a Kubernetes node for an
// instance: where it is and its primary interface with the IPv4 prefixes
// delegated to it.
type RunningInstance struct {
	ID, VPCID, SubnetID, AZ, Type, PrivateIP string
	// ENIID is the primary interface (device index 0); "" when none.
	ENIID string
	// Prefixes are the IPv4 prefixes delegated to the primary interface.
	Prefixes []string
}

// RunningInstances lists the account's running instances (every VPC, paged),
// sorted by ID.
func (p *Provider) RunningInstances(ctx context.Context) ([]RunningInstance, error) {
	pg := awsec2.NewDescribeInstancesPaginator(p.api, &awsec2.DescribeInstancesInput{
		Filters:    []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running"}}},
		MaxResults: aws.Int32(pageSize),
	})
	var out []RunningInstance
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing instances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				if in.State == nil || in.State.Name != ec2types.InstanceStateNameRunning {
					continue
				}
				ri := RunningInstance{ID: aws.ToString(in.InstanceId), VPCID: aws.ToString(in.VpcId),
					SubnetID: aws.ToString(in.SubnetId), Type: string(in.InstanceType), PrivateIP: aws.ToString(in.PrivateIpAddress)}
				if in.Placement != nil {
					ri.AZ = aws.ToString(in.Placement.AvailabilityZone)
				}
				for _, n := range in.NetworkInterfaces {
					if n.Attachment != nil && aws.ToInt32(n.Attachment.DeviceIndex) == 0 {
						ri.ENIID = aws.ToString(n.NetworkInterfaceId)
						for _, pre := range n.Ipv4Prefixes {
							ri.Prefixes = append(ri.Prefixes, aws.ToString(pre.Ipv4Prefix))
						}
					}
				}
				out = append(out, ri)
			}
		}
	}
	slices.SortFunc(out, func(a, b RunningInstance) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// AssignIPv4Prefix delegates an IPv4 prefix (CIDR) to a network interface
// (the sandbox's: the client must implement awsapi.EC2PrefixAPI, as the
// SDK's does).
func (p *Provider) AssignIPv4Prefix(ctx context.Context, eniID, cidr string) error {
	api, ok := p.api.(awsapi.EC2PrefixAPI)
	if !ok {
		return fmt.Errorf("delegating prefix %s to %s: the EC2 client cannot assign addresses", cidr, eniID)
	}
	if _, err := api.AssignPrivateIpAddresses(ctx, &awsec2.AssignPrivateIpAddressesInput{
		NetworkInterfaceId: aws.String(eniID), Ipv4Prefixes: []string{cidr},
	}); err != nil {
		return fmt.Errorf("delegating prefix %s to %s: %w", cidr, eniID, err)
	}
	return nil
}
