package sandbox

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// TestTheDemosTerraformTargetGroupIsInUse: the demo's target group made
// through the AWS API gets a load balancer forwarding to it, so its targets
// can turn healthy (an unused group's never do, and the binding's readiness
// gates would never open); a second demo run makes nothing more.
func TestTheDemosTerraformTargetGroupIsInUse(t *testing.T) {
	emu := emutest.Start(t)
	seed := emu.Seeded(t)
	ctx := t.Context()
	tg, err := emu.ELBv2.CreateTargetGroup(ctx, &elasticloadbalancingv2.CreateTargetGroupInput{Name: aws.String(DemoTargetGroup),
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(8080), VpcId: aws.String(seed.VPCID), TargetType: elbv2types.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	clients := &awsapi.Clients{EC2: emu.EC2, ELBV2: emu.ELBv2}
	for range 2 {
		if err := demoTerraformNLB(ctx, clients, seed.VPCID, arn); err != nil {
			t.Fatal(err)
		}
	}
	got, err := emu.ELBv2.DescribeTargetGroups(ctx, &elasticloadbalancingv2.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.TargetGroups[0].LoadBalancerArns); n != 1 {
		t.Errorf("target group used by %d load balancers, want 1", n)
	}
	if n := emu.Server.Calls().Count("CreateLoadBalancer"); n != 1 {
		t.Errorf("%d CreateLoadBalancer calls over two demo runs, want 1", n)
	}
}
