package elbv2_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/emulator"
)

// TestIPAMPoolsOnInternetFacingALBs: the seeded IPAM pool is taken by an
// internet-facing ALB at creation and reported; ModifyIpPools removes and
// sets it; internal ALBs, NLBs and unknown pools are refused.
func TestIPAMPoolsOnInternetFacingALBs(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	pool := emulator.SandboxIPAMPoolID
	create := func(name string, typ elbv2types.LoadBalancerTypeEnum, scheme elbv2types.LoadBalancerSchemeEnum, subnets []string, pool string) (*awselbv2.CreateLoadBalancerOutput, error) {
		return w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String(name), Type: typ, Scheme: scheme,
			Subnets: subnets, IpamPools: &elbv2types.IpamPools{Ipv4IpamPoolId: aws.String(pool)}})
	}
	out, err := create("ipam", elbv2types.LoadBalancerTypeEnumApplication, elbv2types.LoadBalancerSchemeEnumInternetFacing, w.seed.PublicSubnets[:2], pool)
	if err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	lb := out.LoadBalancers[0]
	reported := func() string {
		d, err := w.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			t.Fatal(err)
		}
		if p := d.LoadBalancers[0].IpamPools; p != nil {
			return aws.ToString(p.Ipv4IpamPoolId)
		}
		return ""
	}
	same(t, "created with the pool", reported(), pool)
	if _, err := w.ELBv2.ModifyIpPools(ctx, &awselbv2.ModifyIpPoolsInput{LoadBalancerArn: lb.LoadBalancerArn,
		RemoveIpamPools: []elbv2types.RemoveIpamPoolEnum{elbv2types.RemoveIpamPoolEnumIpv4}}); err != nil {
		t.Fatalf("ModifyIpPools remove: %v", err)
	}
	same(t, "removed", reported(), "")
	mod, err := w.ELBv2.ModifyIpPools(ctx, &awselbv2.ModifyIpPoolsInput{LoadBalancerArn: lb.LoadBalancerArn,
		IpamPools: &elbv2types.IpamPools{Ipv4IpamPoolId: aws.String(pool)}})
	if err != nil || mod.IpamPools == nil || aws.ToString(mod.IpamPools.Ipv4IpamPoolId) != pool {
		t.Fatalf("ModifyIpPools set: %+v %v", mod, err)
	}
	same(t, "set again", reported(), pool)

	_, err = create("ipam-internal", elbv2types.LoadBalancerTypeEnumApplication, elbv2types.LoadBalancerSchemeEnumInternal, w.seed.PrivateSubnets[:2], pool)
	wantCode(t, err, "InvalidConfigurationRequest")
	_, err = create("ipam-nlb", elbv2types.LoadBalancerTypeEnumNetwork, elbv2types.LoadBalancerSchemeEnumInternetFacing, w.seed.PublicSubnets[:2], pool)
	wantCode(t, err, "InvalidConfigurationRequest")
	_, err = create("ipam-unknown", elbv2types.LoadBalancerTypeEnumApplication, elbv2types.LoadBalancerSchemeEnumInternetFacing, w.seed.PublicSubnets[:2], "ipam-pool-0fffffffffffffff0")
	wantCode(t, err, "InvalidConfigurationRequest")
	_, err = w.ELBv2.ModifyIpPools(ctx, &awselbv2.ModifyIpPoolsInput{LoadBalancerArn: lb.LoadBalancerArn})
	wantCode(t, err, "ValidationError")
	_, err = w.ELBv2.ModifyIpPools(ctx, &awselbv2.ModifyIpPoolsInput{LoadBalancerArn: aws.String("arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/x/0123456789abcdef"),
		RemoveIpamPools: []elbv2types.RemoveIpamPoolEnum{elbv2types.RemoveIpamPoolEnumIpv4}})
	wantCode(t, err, "LoadBalancerNotFound")
}
