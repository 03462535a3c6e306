package state_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// racingELB deletes a target group right before the first DescribeTags, as
// another actor may between lbsg's listing and its tag read.
type racingELB struct {
	awsapi.ELBV2API
	victim string
	done   bool
}

func (r *racingELB) DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, opts ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error) {
	if !r.done {
		r.done = true
		if _, err := r.ELBV2API.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(r.victim)}); err != nil {
			return nil, err
		}
	}
	return r.ELBV2API.DescribeTags(ctx, in, opts...)
}

func TestRefreshSurvivesATargetGroupDeletedBetweenListingAndTagRead(t *testing.T) {
	env := emutest.Start(t)
	seed := env.Seeded(t)
	var arns []string
	for _, name := range []string{"keep", "gone"} {
		out, err := env.ELBv2.CreateTargetGroup(t.Context(), &elbv2.CreateTargetGroupInput{Name: aws.String(name),
			Protocol: "TCP", Port: aws.Int32(80), VpcId: aws.String(seed.VPCID)})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.TargetGroups[0].TargetGroupArn))
	}
	p := state.New(env.EC2, &racingELB{ELBV2API: env.ELBv2, victim: arns[1]}, "sandbox", seed.VPCID)
	if _, err := p.RefreshELB(t.Context()); err != nil {
		t.Fatalf("RefreshELB failed on a target group deleted mid-read: %v", err)
	}
	if n := env.Server.Calls().Count("DescribeTags"); n < 2 {
		t.Errorf("DescribeTags calls = %d, want the batch retried per ARN", n)
	}
}
