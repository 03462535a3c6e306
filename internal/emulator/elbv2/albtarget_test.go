package elbv2_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// TestALBTargetGroups: a target group of type alb takes TCP only, one
// Application Load Balancer of its VPC as its single target, on a port the
// ALB listens on (same VPC: checked, not tested, the seed has one VPC); an NLB listener forwards to it; the ALB cannot be deleted
// while it is registered.
func TestALBTargetGroups(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	alb := w.alb(t, "web")
	other := w.alb(t, "other")
	albARN := alb.LoadBalancerArn
	if _, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{
		LoadBalancerArn: albARN, Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("404")}}},
	}); err != nil {
		t.Fatal(err)
	}
	newTG := func(name string, proto elbv2types.ProtocolEnum, vpc string) (*awselbv2.CreateTargetGroupOutput, error) {
		return w.ELBv2.CreateTargetGroup(ctx, &awselbv2.CreateTargetGroupInput{Name: aws.String(name), Protocol: proto,
			Port: aws.Int32(80), VpcId: aws.String(vpc), TargetType: elbv2types.TargetTypeEnumAlb,
			HealthCheckProtocol: elbv2types.ProtocolEnumHttp, HealthCheckPath: aws.String("/")})
	}
	_, err := newTG("http", elbv2types.ProtocolEnumHttp, w.seed.VPCID)
	wantCode(t, err, "InvalidConfigurationRequest")
	out, err := newTG("front", elbv2types.ProtocolEnumTcp, w.seed.VPCID)
	if err != nil {
		t.Fatal(err)
	}
	tg := out.TargetGroups[0]
	if tg.TargetType != elbv2types.TargetTypeEnumAlb || tg.Protocol != elbv2types.ProtocolEnumTcp || tg.HealthCheckProtocol != elbv2types.ProtocolEnumHttp {
		t.Errorf("created %+v", tg)
	}
	register := func(tgARN, id *string, port int32) error {
		_, err := w.ELBv2.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: tgARN,
			Targets: []elbv2types.TargetDescription{{Id: id, Port: aws.Int32(port)}}})
		return err
	}
	for _, tt := range []struct {
		name   string
		tg, id *string
		port   int32
		code   string
	}{
		{"an ALB without a listener on the port", tg.TargetGroupArn, albARN, 443, "InvalidTarget"},
		{"a load balancer that is not an ALB", tg.TargetGroupArn, aws.String("i-0123456789abcdef0"), 80, "InvalidTarget"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) { wantCode(t, register(tt.tg, tt.id, tt.port), tt.code) })
	}
	if err := register(tg.TargetGroupArn, albARN, 80); err != nil {
		t.Fatal(err)
	}
	if err := register(tg.TargetGroupArn, albARN, 80); err != nil {
		t.Errorf("registering the same target again: %v", err)
	}
	wantCode(t, register(tg.TargetGroupArn, other.LoadBalancerArn, 80), "TooManyTargets")

	nlb, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("front"),
		Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: w.seed.PublicSubnets[:2]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: nlb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(8080), DefaultActions: []elbv2types.Action{{
			Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroupArn}}}); err != nil {
		t.Fatalf("NLB listener forwarding to the alb group: %v", err)
	}
	h := w.health(t, tg.TargetGroupArn)
	if len(h) != 1 || aws.ToString(h[0].Target.Id) != aws.ToString(albARN) || aws.ToInt32(h[0].Target.Port) != 80 {
		t.Errorf("health %+v", h)
	}

	_, err = w.ELBv2.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: albARN})
	wantCode(t, err, "ResourceInUse")
	if _, err := w.ELBv2.DeregisterTargets(ctx, &awselbv2.DeregisterTargetsInput{TargetGroupArn: tg.TargetGroupArn,
		Targets: []elbv2types.TargetDescription{{Id: albARN, Port: aws.Int32(80)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ELBv2.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: albARN}); err != nil {
		t.Errorf("deleting the deregistered ALB: %v", err)
	}
}
