package state_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// TestTargetGroupNamesResolveOnceAndMissingOnesAreAskedAgain: a name found
// is cached (a resync asks AWS nothing); a name not found is left out and
// asked again, so a target group created later is found.
func TestTargetGroupNamesResolveOnceAndMissingOnesAreAskedAgain(t *testing.T) {
	env := emutest.Start(t)
	vpcs, err := env.EC2.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	create := func(name string) string {
		out, err := env.ELBv2.CreateTargetGroup(t.Context(), &elbv2.CreateTargetGroupInput{Name: aws.String(name),
			Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), VpcId: aws.String(vpc)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	blue := create("blue")
	p := state.New(env.EC2, env.ELBv2, "sandbox", vpc)
	env.Server.ResetCalls()
	got, err := p.TargetGroupARNsByName(t.Context(), []string{"blue", "green"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["blue"] != blue {
		t.Fatalf("first lookup = %v, want only blue → %s", got, blue)
	}
	if n := env.Server.Calls().Count("DescribeTargetGroups"); n != 2 {
		t.Errorf("first lookup made %d DescribeTargetGroups calls, want 2 (one per name)", n)
	}
	green := create("green")
	env.Server.ResetCalls()
	got, err = p.TargetGroupARNsByName(t.Context(), []string{"blue", "green"})
	if err != nil {
		t.Fatal(err)
	}
	if got["blue"] != blue || got["green"] != green {
		t.Errorf("second lookup = %v, want blue and green", got)
	}
	if n := env.Server.Calls().Count("DescribeTargetGroups"); n != 1 {
		t.Errorf("second lookup made %d DescribeTargetGroups calls, want 1 (green only; blue is cached)", n)
	}
	env.Server.ResetCalls()
	if _, err := p.TargetGroupARNsByName(t.Context(), []string{"blue", "green"}); err != nil {
		t.Fatal(err)
	}
	if n := env.Server.Calls().Total; n != 0 {
		t.Errorf("a lookup of cached names made %d AWS calls", n)
	}
}
