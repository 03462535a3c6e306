package graph

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/ec2"
)

// Read observes vpcID: its security groups and their inbound rules, its
// network interfaces, and its load balancers with listeners, target groups
// and registered targets. Only Describe calls, all paged.
func Read(ctx context.Context, ec2API awsapi.EC2API, elbAPI awsapi.ELBV2API, vpcID string) (State, error) {
	s := State{VPCID: vpcID}
	inVPC := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	sgs := awsec2.NewDescribeSecurityGroupsPaginator(ec2API, &awsec2.DescribeSecurityGroupsInput{Filters: inVPC})
	for sgs.HasMorePages() {
		page, err := sgs.NextPage(ctx)
		if err != nil {
			return s, fmt.Errorf("reading security groups: %w", err)
		}
		for _, g := range page.SecurityGroups {
			set, _ := ec2.RuleSet(g.IpPermissions) // rules it cannot key are left out of the drawing
			sg := SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName)}
			for _, k := range set.Keys() {
				sg.Ingress = append(sg.Ingress, k)
			}
			s.SecurityGroups = append(s.SecurityGroups, sg)
		}
	}
	enis := awsec2.NewDescribeNetworkInterfacesPaginator(ec2API, &awsec2.DescribeNetworkInterfacesInput{Filters: inVPC})
	for enis.HasMorePages() {
		page, err := enis.NextPage(ctx)
		if err != nil {
			return s, fmt.Errorf("reading network interfaces: %w", err)
		}
		for _, ni := range page.NetworkInterfaces {
			s.ENIs = append(s.ENIs, eniFromSDK(ni))
		}
	}
	lbs := awselbv2.NewDescribeLoadBalancersPaginator(elbAPI, &awselbv2.DescribeLoadBalancersInput{})
	for lbs.HasMorePages() {
		page, err := lbs.NextPage(ctx)
		if err != nil {
			return s, fmt.Errorf("reading load balancers: %w", err)
		}
		for _, l := range page.LoadBalancers {
			if aws.ToString(l.VpcId) != vpcID {
				continue
			}
			lb := LoadBalancer{ARN: aws.ToString(l.LoadBalancerArn), Name: aws.ToString(l.LoadBalancerName),
				Type: string(l.Type), Scheme: string(l.Scheme), SecurityGroups: l.SecurityGroups}
			if err := readLoadBalancer(ctx, elbAPI, &lb); err != nil {
				return s, err
			}
			s.LoadBalancers = append(s.LoadBalancers, lb)
		}
	}
	return s, nil
}

func readLoadBalancer(ctx context.Context, elbAPI awsapi.ELBV2API, lb *LoadBalancer) error {
	ls := awselbv2.NewDescribeListenersPaginator(elbAPI, &awselbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lb.ARN)})
	for ls.HasMorePages() {
		page, err := ls.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("reading listeners of %s: %w", lb.Name, err)
		}
		for _, l := range page.Listeners {
			lb.Listeners = append(lb.Listeners, Listener{Protocol: string(l.Protocol), Port: aws.ToInt32(l.Port)})
		}
	}
	tgs := awselbv2.NewDescribeTargetGroupsPaginator(elbAPI, &awselbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(lb.ARN)})
	for tgs.HasMorePages() {
		page, err := tgs.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("reading target groups of %s: %w", lb.Name, err)
		}
		for _, g := range page.TargetGroups {
			tg := TargetGroup{Name: aws.ToString(g.TargetGroupName), Protocol: string(g.Protocol),
				TargetType: string(g.TargetType), Port: aws.ToInt32(g.Port)}
			health, err := elbAPI.DescribeTargetHealth(ctx, &awselbv2.DescribeTargetHealthInput{TargetGroupArn: g.TargetGroupArn})
			if err != nil {
				return fmt.Errorf("reading targets of %s: %w", tg.Name, err)
			}
			for _, d := range health.TargetHealthDescriptions {
				if d.Target != nil {
					tg.Targets = append(tg.Targets, Target{ID: aws.ToString(d.Target.Id), Port: aws.ToInt32(d.Target.Port)})
				}
			}
			lb.TargetGroups = append(lb.TargetGroups, tg)
		}
	}
	return nil
}

func eniFromSDK(ni ec2types.NetworkInterface) ENI {
	e := ENI{ID: aws.ToString(ni.NetworkInterfaceId), Type: string(ni.InterfaceType), Description: aws.ToString(ni.Description)}
	if a := ni.Attachment; a != nil {
		e.InstanceID, e.DeviceIndex = aws.ToString(a.InstanceId), aws.ToInt32(a.DeviceIndex)
	}
	for _, ip := range ni.PrivateIpAddresses {
		e.PrivateIPs = append(e.PrivateIPs, aws.ToString(ip.PrivateIpAddress))
	}
	if len(e.PrivateIPs) == 0 && ni.PrivateIpAddress != nil {
		e.PrivateIPs = []string{aws.ToString(ni.PrivateIpAddress)}
	}
	for _, ip := range ni.Ipv6Addresses {
		e.PrivateIPs = append(e.PrivateIPs, aws.ToString(ip.Ipv6Address))
	}
	for _, p := range ni.Ipv4Prefixes {
		e.Prefixes = append(e.Prefixes, aws.ToString(p.Ipv4Prefix))
	}
	for _, p := range ni.Ipv6Prefixes {
		e.Prefixes = append(e.Prefixes, aws.ToString(p.Ipv6Prefix))
	}
	for _, g := range ni.Groups {
		e.Groups = append(e.Groups, aws.ToString(g.GroupId))
	}
	return e
}
