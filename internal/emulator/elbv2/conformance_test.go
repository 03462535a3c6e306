package elbv2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// SDK-level conformance: real aws-sdk-go-v2 clients decode our XML. Items
// refer to aws-api.md §7.

type world struct {
	*emutest.Env
	seed emutest.Seeded
}

func start(t *testing.T, opts ...emutest.Option) world {
	t.Helper()
	env := emutest.Start(t, opts...)
	return world{Env: env, seed: env.Seeded(t)}
}

func code(err error) string {
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		return api.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Fatalf("want %s, got %v", want, err)
	}
	var api smithy.APIError
	errors.As(err, &api)
	if api.ErrorFault() == smithy.FaultServer {
		t.Errorf("%s is a server fault", want)
	}
}

func (w world) defaultSG(t *testing.T) string {
	t.Helper()
	out, err := w.EC2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{w.seed.VPCID}},
		{Name: aws.String("group-name"), Values: []string{"default"}},
	}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("default group: %v", err)
	}
	return aws.ToString(out.SecurityGroups[0].GroupId)
}

func (w world) newSG(t *testing.T, name string) string {
	t.Helper()
	out, err := w.EC2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(w.seed.VPCID)})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	return aws.ToString(out.GroupId)
}

func (w world) alb(t *testing.T, name string, groups ...string) elbv2types.LoadBalancer {
	t.Helper()
	out, err := w.ELBv2.CreateLoadBalancer(t.Context(), &awselbv2.CreateLoadBalancerInput{
		Name: aws.String(name), Subnets: w.seed.PublicSubnets[:2], SecurityGroups: groups})
	if err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	return out.LoadBalancers[0]
}

func (w world) tg(t *testing.T, name string, port int32) elbv2types.TargetGroup {
	t.Helper()
	out, err := w.ELBv2.CreateTargetGroup(t.Context(), &awselbv2.CreateTargetGroupInput{
		Name: aws.String(name), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(port), VpcId: aws.String(w.seed.VPCID)})
	if err != nil {
		t.Fatalf("CreateTargetGroup: %v", err)
	}
	return out.TargetGroups[0]
}

// same reports a difference between two summaries of a reply.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

// paginator is what the SDK's Describe* paginators have in common.
type paginator[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*awselbv2.Options)) (O, error)
}

func eachPage[O any](t *testing.T, p paginator[O], each func(O)) {
	t.Helper()
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		each(page)
	}
}

func forwardTo(arn string) []elbv2types.Action {
	return []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(arn)}}
}

// Items 37 and 38.
func TestSDKCreateLoadBalancer(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	_, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String(strings.Repeat("a", 33)), Subnets: w.seed.PublicSubnets[:2]})
	wantCode(t, err, "ValidationError")
	_, err = w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("internal-x"), Subnets: w.seed.PublicSubnets[:2]})
	wantCode(t, err, "ValidationError")

	// An explicit empty list, as LBC may send, still gets the default group.
	out, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{
		Name: aws.String("web"), Subnets: w.seed.PublicSubnets[:2], SecurityGroups: []string{},
		Tags: []elbv2types.Tag{{Key: aws.String("elbv2.k8s.aws/cluster"), Value: aws.String("sandbox")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	lb := out.LoadBalancers[0]
	same(t, "new ALB", []any{
		lb.State.Code, lb.SecurityGroups, aws.ToString(lb.CanonicalHostedZoneId), lb.Type, lb.Scheme, lb.IpAddressType,
		aws.ToString(lb.VpcId), lb.CreatedTime != nil, len(lb.AvailabilityZones), aws.ToString(lb.AvailabilityZones[0].SubnetId),
		regexp.MustCompile(`^web-\d+\.us-west-2\.elb\.amazonaws\.com$`).MatchString(aws.ToString(lb.DNSName)),
	}, []any{
		elbv2types.LoadBalancerStateEnumActive, []string{w.defaultSG(t)}, "Z1H1FL5HABSF5", elbv2types.LoadBalancerTypeEnumApplication,
		elbv2types.LoadBalancerSchemeEnumInternetFacing, elbv2types.IpAddressTypeIpv4,
		w.seed.VPCID, true, 2, w.seed.PublicSubnets[0], true,
	})
	// The load balancer's ENIs are visible in EC2 with its group.
	enis, err := w.EC2.DescribeNetworkInterfaces(ctx, &awsec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{
		{Name: aws.String("description"), Values: []string{"ELB app/web/*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(enis.NetworkInterfaces) != 2 {
		t.Errorf("%d load balancer ENIs, want 2", len(enis.NetworkInterfaces))
	}
}

// Item 39.
func TestSDKCreateLoadBalancerIdempotency(t *testing.T) {
	w := start(t)
	a := w.alb(t, "web")
	b := w.alb(t, "web")
	if aws.ToString(a.LoadBalancerArn) != aws.ToString(b.LoadBalancerArn) {
		t.Errorf("repeat create: %s vs %s", aws.ToString(a.LoadBalancerArn), aws.ToString(b.LoadBalancerArn))
	}
	_, err := w.ELBv2.CreateLoadBalancer(t.Context(), &awselbv2.CreateLoadBalancerInput{
		Name: aws.String("web"), Subnets: w.seed.PublicSubnets[:2], Scheme: elbv2types.LoadBalancerSchemeEnumInternal})
	wantCode(t, err, "DuplicateLoadBalancerName")
	if _, ok := errors.AsType[*elbv2types.DuplicateLoadBalancerNameException](err); !ok {
		t.Errorf("the SDK did not map the code to its typed error: %T", err)
	}
}

// Items 6, 40, 41 and 42.
func TestSDKSetSecurityGroups(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	sg1, sg2 := w.newSG(t, "one"), w.newSG(t, "two")
	nlb, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{
		Name: aws.String("nlb"), Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: w.seed.PublicSubnets[:1]})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.ELBv2.SetSecurityGroups(ctx, &awselbv2.SetSecurityGroupsInput{LoadBalancerArn: nlb.LoadBalancers[0].LoadBalancerArn, SecurityGroups: []string{sg1}})
	wantCode(t, err, "InvalidConfigurationRequest")

	nlb2, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{
		Name: aws.String("nlb2"), Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: w.seed.PublicSubnets[:1], SecurityGroups: []string{sg1}})
	if err != nil {
		t.Fatal(err)
	}
	lb := nlb2.LoadBalancers[0]
	if !regexp.MustCompile(`^nlb2-[0-9a-f]{16}\.elb\.us-west-2\.amazonaws\.com$`).MatchString(aws.ToString(lb.DNSName)) ||
		aws.ToString(lb.CanonicalHostedZoneId) != "Z18D5FSROUN65G" || aws.ToString(lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic) != "on" {
		t.Errorf("NLB %+v", lb)
	}
	set, err := w.ELBv2.SetSecurityGroups(ctx, &awselbv2.SetSecurityGroupsInput{LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: []string{sg2}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set.SecurityGroupIds, []string{sg2}) || set.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic != "on" {
		t.Errorf("SetSecurityGroups %+v", set)
	}
	// Item 6: the SDK sends SecurityGroups= for an empty slice.
	_, err = w.ELBv2.SetSecurityGroups(ctx, &awselbv2.SetSecurityGroupsInput{LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: []string{}})
	wantCode(t, err, "InvalidConfigurationRequest")
	// Item 42.
	_, err = w.ELBv2.SetSecurityGroups(ctx, &awselbv2.SetSecurityGroupsInput{LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: []string{"sg-00000000000000000"}})
	wantCode(t, err, "InvalidSecurityGroup")
	if _, ok := errors.AsType[*elbv2types.InvalidSecurityGroupException](err); !ok {
		t.Errorf("untyped error %T", err)
	}
}

// The EC2 side: a group held by a load balancer cannot be deleted until the
// load balancer lets go of it.
func TestSDKLoadBalancerHoldsItsSecurityGroups(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	sg1, sg2 := w.newSG(t, "one"), w.newSG(t, "two")
	lb := w.alb(t, "web", sg1)
	_, err := w.EC2.DeleteSecurityGroup(ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(sg1)})
	if code(err) != "DependencyViolation" {
		t.Fatalf("deleting a group an ALB holds: %v", err)
	}
	if _, err := w.ELBv2.SetSecurityGroups(ctx, &awselbv2.SetSecurityGroupsInput{LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: []string{sg2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EC2.DeleteSecurityGroup(ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(sg1)}); err != nil {
		t.Errorf("group released by SetSecurityGroups still blocked: %v", err)
	}
	if _, err := w.ELBv2.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EC2.DeleteSecurityGroup(ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(sg2)}); err != nil {
		t.Errorf("group of a deleted load balancer still blocked: %v", err)
	}
}

// Items 7, 43 and 44, and the paginator.
func TestSDKDescribeAndDeleteLoadBalancers(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	var arns []string
	for i := range 5 {
		arns = append(arns, aws.ToString(w.alb(t, fmt.Sprintf("lb%d", i)).LoadBalancerArn))
	}
	_, err := w.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{Names: []string{"nope"}})
	wantCode(t, err, "LoadBalancerNotFound")
	if _, ok := errors.AsType[*elbv2types.LoadBalancerNotFoundException](err); !ok {
		t.Errorf("untyped error %T", err)
	}
	_, err = w.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(401)})
	wantCode(t, err, "ValidationError")

	var got []string
	pages := 0
	p := awselbv2.NewDescribeLoadBalancersPaginator(w.ELBv2, &awselbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, lb := range page.LoadBalancers {
			got = append(got, aws.ToString(lb.LoadBalancerArn))
		}
	}
	if pages != 3 || !reflect.DeepEqual(got, arns) {
		t.Errorf("paginator: %d pages, %v", pages, got)
	}
	for range 2 {
		if _, err := w.ELBv2.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arns[0])}); err != nil {
			t.Fatalf("DeleteLoadBalancer: %v", err)
		}
	}
}

func TestSDKLoadBalancerAvailableWaiter(t *testing.T) {
	w := start(t, emutest.WithOptions(emulator.Options{Faults: emulator.FaultSpec{Lag: core.Lag{Provisioning: 300 * time.Millisecond, Create: 100 * time.Millisecond}}}))
	ctx := t.Context()
	lb := w.alb(t, "web")
	if lb.State.Code != elbv2types.LoadBalancerStateEnumProvisioning {
		t.Errorf("new load balancer is %q", lb.State.Code)
	}
	waiter := awselbv2.NewLoadBalancerAvailableWaiter(w.ELBv2, func(o *awselbv2.LoadBalancerAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 100*time.Millisecond
	})
	start := time.Now()
	if err := waiter.Wait(ctx, &awselbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(lb.LoadBalancerArn)}}, 10*time.Second); err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Errorf("the waiter returned before provisioning ended")
	}
}

// Item 45.
func TestSDKTargetGroupDefaultsAndDuplicateName(t *testing.T) {
	w := start(t)
	tg := w.tg(t, "tg", 80)
	same(t, "target group defaults", []any{
		aws.ToString(tg.HealthCheckPort), aws.ToString(tg.HealthCheckPath), aws.ToInt32(tg.HealthCheckIntervalSeconds),
		aws.ToInt32(tg.HealthyThresholdCount), aws.ToInt32(tg.UnhealthyThresholdCount), tg.Matcher, tg.TargetType, aws.ToBool(tg.HealthCheckEnabled),
	}, []any{"traffic-port", "/", int32(30), int32(5), int32(2), &elbv2types.Matcher{HttpCode: aws.String("200")}, elbv2types.TargetTypeEnumInstance, true})
	_, err := w.ELBv2.CreateTargetGroup(t.Context(), &awselbv2.CreateTargetGroupInput{
		Name: aws.String("tg"), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(81), VpcId: aws.String(w.seed.VPCID)})
	wantCode(t, err, "DuplicateTargetGroupName")
}

func (w world) health(t *testing.T, tgARN *string) []elbv2types.TargetHealthDescription {
	t.Helper()
	th, err := w.ELBv2.DescribeTargetHealth(t.Context(), &awselbv2.DescribeTargetHealthInput{TargetGroupArn: tgARN})
	if err != nil {
		t.Fatal(err)
	}
	return th.TargetHealthDescriptions
}

// Item 49.
func TestSDKTargetOfAnUnusedGroupIsNotInUse(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	tg := w.tg(t, "tg", 80)
	inst := w.seed.Instances[0]
	if _, err := w.ELBv2.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn,
		Targets: []elbv2types.TargetDescription{{Id: aws.String(inst), Port: aws.Int32(30080)}}}); err != nil {
		t.Fatal(err)
	}
	th := w.health(t, tg.TargetGroupArn)
	if len(th) != 1 {
		t.Fatalf("%d targets", len(th))
	}
	same(t, "target health", []any{aws.ToString(th[0].Target.Id), aws.ToInt32(th[0].Target.Port), th[0].TargetHealth.State, th[0].TargetHealth.Reason},
		[]any{inst, int32(30080), elbv2types.TargetHealthStateEnumUnused, elbv2types.TargetHealthReasonEnumNotInUse})
	if _, err := w.ELBv2.DeregisterTargets(ctx, &awselbv2.DeregisterTargetsInput{TargetGroupArn: tg.TargetGroupArn,
		Targets: []elbv2types.TargetDescription{{Id: aws.String(w.seed.Instances[1])}}}); err != nil {
		t.Errorf("deregistering an unknown target: %v", err)
	}
}

// Items 46 and 47.
func TestSDKListenersHoldTheirTargetGroups(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	tg := w.tg(t, "tg", 80)
	if _, err := w.ELBv2.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn,
		Targets: []elbv2types.TargetDescription{{Id: aws.String(w.seed.Instances[0])}}}); err != nil {
		t.Fatal(err)
	}
	lb := w.alb(t, "web")
	l, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), DefaultActions: forwardTo(aws.ToString(tg.TargetGroupArn))})
	if err != nil {
		t.Fatal(err)
	}
	fixed := func(code string) []elbv2types.Action {
		return []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String(code)}}}
	}
	_, err = w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), DefaultActions: fixed("503")})
	wantCode(t, err, "DuplicateListener")
	tgs, err := w.ELBv2.DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{aws.ToString(tg.TargetGroupArn)}})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "LoadBalancerArns", tgs.TargetGroups[0].LoadBalancerArns, []string{aws.ToString(lb.LoadBalancerArn)})
	ls, err := w.ELBv2.DescribeListeners(ctx, &awselbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	act := ls.Listeners[0].DefaultActions[0]
	same(t, "described forward", []any{aws.ToString(act.TargetGroupArn), act.ForwardConfig.TargetGroups},
		[]any{aws.ToString(tg.TargetGroupArn), []elbv2types.TargetGroupTuple{{TargetGroupArn: tg.TargetGroupArn, Weight: aws.Int32(1)}}})
	same(t, "target behind a listener", w.health(t, tg.TargetGroupArn)[0].TargetHealth.State, elbv2types.TargetHealthStateEnumHealthy)

	_, err = w.ELBv2.DeleteTargetGroup(ctx, &awselbv2.DeleteTargetGroupInput{TargetGroupArn: tg.TargetGroupArn})
	wantCode(t, err, "ResourceInUse")
	if _, err := w.ELBv2.ModifyListener(ctx, &awselbv2.ModifyListenerInput{ListenerArn: l.Listeners[0].ListenerArn, DefaultActions: fixed("404")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ELBv2.DeleteTargetGroup(ctx, &awselbv2.DeleteTargetGroupInput{TargetGroupArn: tg.TargetGroupArn}); err != nil {
		t.Errorf("DeleteTargetGroup after the listener moved off: %v", err)
	}
}

// Item 48.
func TestSDKRules(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	lb := w.alb(t, "web")
	tg := w.tg(t, "tg", 80)
	l, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), DefaultActions: forwardTo(aws.ToString(tg.TargetGroupArn))})
	if err != nil {
		t.Fatal(err)
	}
	lARN := l.Listeners[0].ListenerArn
	create := func(prio int32) (*awselbv2.CreateRuleOutput, error) {
		return w.ELBv2.CreateRule(ctx, &awselbv2.CreateRuleInput{ListenerArn: lARN, Priority: aws.Int32(prio),
			Conditions: []elbv2types.RuleCondition{{Field: aws.String("host-header"),
				HostHeaderConfig: &elbv2types.HostHeaderConditionConfig{Values: []string{"a.example.com"}}}},
			Actions: forwardTo(aws.ToString(tg.TargetGroupArn))})
	}
	r, err := create(10)
	if err != nil {
		t.Fatal(err)
	}
	_, err = create(10)
	wantCode(t, err, "PriorityInUse")
	rules, err := w.ELBv2.DescribeRules(ctx, &awselbv2.DescribeRulesInput{ListenerArn: lARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.Rules) != 2 {
		t.Fatalf("%d rules", len(rules.Rules))
	}
	first, def := rules.Rules[0], rules.Rules[1]
	same(t, "rule", []any{aws.ToString(first.Priority), aws.ToString(first.RuleArn), first.Conditions[0].HostHeaderConfig},
		[]any{"10", aws.ToString(r.Rules[0].RuleArn), &elbv2types.HostHeaderConditionConfig{Values: []string{"a.example.com"}}})
	same(t, "default rule", []any{aws.ToString(def.Priority), aws.ToBool(def.IsDefault), len(def.Actions)}, []any{"default", true, 1})
	_, err = w.ELBv2.DeleteRule(ctx, &awselbv2.DeleteRuleInput{RuleArn: def.RuleArn})
	wantCode(t, err, "OperationNotPermitted")
	r2, err := create(20)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := w.ELBv2.SetRulePriorities(ctx, &awselbv2.SetRulePrioritiesInput{RulePriorities: []elbv2types.RulePriorityPair{
		{RuleArn: r.Rules[0].RuleArn, Priority: aws.Int32(20)}, {RuleArn: r2.Rules[0].RuleArn, Priority: aws.Int32(10)}}})
	if err != nil {
		t.Fatalf("swapping priorities: %v", err)
	}
	same(t, "moved rules", []any{len(moved.Rules), aws.ToString(moved.Rules[0].Priority)}, []any{2, "10"})
}

// Items 2 and 50, and DescribeAccountLimits.
func TestSDKTags(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	lb := w.alb(t, "web")
	arn := aws.ToString(lb.LoadBalancerArn)
	var tags []elbv2types.Tag
	for i := range 50 {
		tags = append(tags, elbv2types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	if _, err := w.ELBv2.AddTags(ctx, &awselbv2.AddTagsInput{ResourceArns: []string{arn}, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	_, err := w.ELBv2.AddTags(ctx, &awselbv2.AddTagsInput{ResourceArns: []string{arn}, Tags: []elbv2types.Tag{{Key: aws.String("k50"), Value: aws.String("v")}}})
	wantCode(t, err, "TooManyTags")
	_, err = w.ELBv2.AddTags(ctx, &awselbv2.AddTagsInput{ResourceArns: []string{arn}, Tags: []elbv2types.Tag{
		{Key: aws.String("k0"), Value: aws.String("a")}, {Key: aws.String("k0"), Value: aws.String("b")}}})
	wantCode(t, err, "DuplicateTagKeys")
	tg := w.tg(t, "tg", 80)
	out, err := w.ELBv2.DescribeTags(ctx, &awselbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(tg.TargetGroupArn), arn}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TagDescriptions) != 2 || aws.ToString(out.TagDescriptions[0].ResourceArn) != aws.ToString(tg.TargetGroupArn) ||
		len(out.TagDescriptions[0].Tags) != 0 || len(out.TagDescriptions[1].Tags) != 50 {
		t.Errorf("DescribeTags %+v", out.TagDescriptions)
	}
	if _, err := w.ELBv2.RemoveTags(ctx, &awselbv2.RemoveTagsInput{ResourceArns: []string{arn}, TagKeys: []string{"k0"}}); err != nil {
		t.Fatal(err)
	}
	limits, err := w.ELBv2.DescribeAccountLimits(ctx, &awselbv2.DescribeAccountLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range limits.Limits {
		if aws.ToString(l.Name) == "rules-per-application-load-balancer" && aws.ToString(l.Max) == "100" {
			found = true
		}
	}
	if !found {
		t.Errorf("limits %+v", limits.Limits)
	}
}

func TestSDKAttributes(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	lb := w.alb(t, "web")
	out, err := w.ELBv2.ModifyLoadBalancerAttributes(ctx, &awselbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn,
		Attributes: []elbv2types.LoadBalancerAttribute{{Key: aws.String("deletion_protection.enabled"), Value: aws.String("true")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Attributes) < 5 {
		t.Errorf("Modify returned %d attributes", len(out.Attributes))
	}
	_, err = w.ELBv2.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancerArn})
	wantCode(t, err, "OperationNotPermitted")
	if !strings.Contains(err.Error(), "deletion protection") {
		t.Errorf("message %v", err)
	}
	tg := w.tg(t, "tg", 80)
	ta, err := w.ELBv2.DescribeTargetGroupAttributes(ctx, &awselbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, a := range ta.Attributes {
		m[aws.ToString(a.Key)] = aws.ToString(a.Value)
	}
	if m["deregistration_delay.timeout_seconds"] != "300" || m["stickiness.type"] != "lb_cookie" {
		t.Errorf("target group attributes %v", m)
	}
}

func TestSDKPaginatorsOverTargetGroupsListenersAndRules(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	lb := w.alb(t, "web")
	var tgs []string
	for i := range 5 {
		tgs = append(tgs, aws.ToString(w.tg(t, fmt.Sprintf("tg%d", i), 80).TargetGroupArn))
	}
	var listener string
	for i := range 3 {
		out, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
			Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(int32(80 + i)), DefaultActions: forwardTo(tgs[i])})
		if err != nil {
			t.Fatal(err)
		}
		listener = aws.ToString(out.Listeners[0].ListenerArn)
	}
	for i := range 4 {
		if _, err := w.ELBv2.CreateRule(ctx, &awselbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(int32(100 - i)),
			Conditions: []elbv2types.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{fmt.Sprintf("/%d/*", i)}}}},
			Actions:    forwardTo(tgs[3+i%2])}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	eachPage(t, awselbv2.NewDescribeTargetGroupsPaginator(w.ELBv2, &awselbv2.DescribeTargetGroupsInput{PageSize: aws.Int32(2)}),
		func(page *awselbv2.DescribeTargetGroupsOutput) {
			for _, g := range page.TargetGroups {
				names = append(names, aws.ToString(g.TargetGroupName))
			}
		})
	same(t, "paged target groups", names, []string{"tg0", "tg1", "tg2", "tg3", "tg4"})
	var ports []int32
	eachPage(t, awselbv2.NewDescribeListenersPaginator(w.ELBv2, &awselbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn, PageSize: aws.Int32(2)}),
		func(page *awselbv2.DescribeListenersOutput) {
			for _, l := range page.Listeners {
				ports = append(ports, aws.ToInt32(l.Port))
			}
		})
	same(t, "paged listener ports", ports, []int32{80, 81, 82})
	var prios []string
	eachPage(t, awselbv2.NewDescribeRulesPaginator(w.ELBv2, &awselbv2.DescribeRulesInput{ListenerArn: aws.String(listener), PageSize: aws.Int32(2)}),
		func(page *awselbv2.DescribeRulesOutput) {
			for _, r := range page.Rules {
				prios = append(prios, aws.ToString(r.Priority))
			}
		})
	same(t, "paged rule priorities", prios, []string{"97", "98", "99", "100", "default"})
	byLB, err := w.ELBv2.DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(byLB.TargetGroups) != 5 {
		t.Errorf("%d target groups behind the load balancer, want 5", len(byLB.TargetGroups))
	}
}

func TestSDKTargetWaiters(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	w.Server.ELBv2().Timing.HealthyAfter = 200 * time.Millisecond
	w.Server.ELBv2().Timing.Draining = 200 * time.Millisecond
	lb := w.alb(t, "web")
	tg := w.tg(t, "tg", 80)
	if _, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), DefaultActions: forwardTo(aws.ToString(tg.TargetGroupArn))}); err != nil {
		t.Fatal(err)
	}
	targets := []elbv2types.TargetDescription{{Id: aws.String(w.seed.Instances[0])}, {Id: aws.String(w.seed.Instances[1])}}
	if _, err := w.ELBv2.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: targets}); err != nil {
		t.Fatal(err)
	}
	in := &awselbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn, Targets: targets}
	th, err := w.ELBv2.DescribeTargetHealth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if s := th.TargetHealthDescriptions[0].TargetHealth; s.State != elbv2types.TargetHealthStateEnumInitial || s.Reason != elbv2types.TargetHealthReasonEnumRegistrationInProgress {
		t.Errorf("new target %+v", s)
	}
	fast := func(o *awselbv2.TargetInServiceWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 100*time.Millisecond
	}
	if err := awselbv2.NewTargetInServiceWaiter(w.ELBv2, fast).Wait(ctx, in, 10*time.Second); err != nil {
		t.Fatalf("TargetInService: %v", err)
	}
	if _, err := w.ELBv2.DeregisterTargets(ctx, &awselbv2.DeregisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: targets}); err != nil {
		t.Fatal(err)
	}
	th, err = w.ELBv2.DescribeTargetHealth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if s := th.TargetHealthDescriptions[0].TargetHealth; s.State != elbv2types.TargetHealthStateEnumDraining {
		t.Errorf("deregistered target %+v", s)
	}
	fastDereg := func(o *awselbv2.TargetDeregisteredWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 100*time.Millisecond
	}
	if err := awselbv2.NewTargetDeregisteredWaiter(w.ELBv2, fastDereg).Wait(ctx, in, 10*time.Second); err != nil {
		t.Fatalf("TargetDeregistered: %v", err)
	}
}

// LBC sends EnablePrefixForIpv6SourceNat=off on every NLB it creates and
// calls SetSubnets whenever DescribeLoadBalancers reports anything else
// (issue 21); the SDK must decode "off" from every reply.
func TestSDKNLBSourceNatReadsOff(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	created, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{
		Name: aws.String("nlb"), Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: w.seed.PublicSubnets[:1],
		EnablePrefixForIpv6SourceNat: elbv2types.EnablePrefixForIpv6SourceNatEnumOff})
	if err != nil {
		t.Fatal(err)
	}
	arn := created.LoadBalancers[0].LoadBalancerArn
	desc, err := w.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(arn)}})
	if err != nil {
		t.Fatal(err)
	}
	set, err := w.ELBv2.SetSubnets(ctx, &awselbv2.SetSubnetsInput{LoadBalancerArn: arn, Subnets: w.seed.PublicSubnets[:2],
		EnablePrefixForIpv6SourceNat: elbv2types.EnablePrefixForIpv6SourceNatEnumOff})
	if err != nil {
		t.Fatal(err)
	}
	off := elbv2types.EnablePrefixForIpv6SourceNatEnumOff
	if got := []elbv2types.EnablePrefixForIpv6SourceNatEnum{created.LoadBalancers[0].EnablePrefixForIpv6SourceNat,
		desc.LoadBalancers[0].EnablePrefixForIpv6SourceNat, set.EnablePrefixForIpv6SourceNat}; !reflect.DeepEqual(got, []elbv2types.EnablePrefixForIpv6SourceNatEnum{off, off, off}) {
		t.Errorf("create, describe, SetSubnets report %q", got)
	}
}

// TestSDKAuthenticateActionsRoundTrip: an authenticate-oidc rule and a
// jwt-validation rule decode in aws-sdk-go-v2 as ELBv2 returns them: the
// defaults filled in, the client secret never returned.
func TestSDKAuthenticateActionsRoundTrip(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	lb := w.alb(t, "auth")
	tg := w.tg(t, "tg", 80)
	cert := emutest.ImportCertificate(t, w.ACM, "auth.example.com")
	l, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443), Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}},
		DefaultActions: forwardTo(aws.ToString(tg.TargetGroupArn))})
	if err != nil {
		t.Fatal(err)
	}
	lARN := l.Listeners[0].ListenerArn
	rule := func(prio int32, first elbv2types.Action) (*awselbv2.CreateRuleOutput, error) {
		first.Order = aws.Int32(1)
		fwd := forwardTo(aws.ToString(tg.TargetGroupArn))[0]
		fwd.Order = aws.Int32(2)
		return w.ELBv2.CreateRule(ctx, &awselbv2.CreateRuleInput{ListenerArn: lARN, Priority: aws.Int32(prio),
			Conditions: []elbv2types.RuleCondition{{Field: aws.String("path-pattern"),
				PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{fmt.Sprintf("/%d", prio)}}}},
			Actions: []elbv2types.Action{first, fwd}})
	}
	oidc := &elbv2types.AuthenticateOidcActionConfig{Issuer: aws.String("https://idp.example.com"),
		AuthorizationEndpoint: aws.String("https://idp.example.com/auth"), TokenEndpoint: aws.String("https://idp.example.com/token"),
		UserInfoEndpoint: aws.String("https://idp.example.com/userinfo"), ClientId: aws.String("client"), ClientSecret: aws.String("s3cret"),
		AuthenticationRequestExtraParams: map[string]string{"display": "page"}}
	if _, err := rule(1, elbv2types.Action{Type: elbv2types.ActionTypeEnumAuthenticateOidc, AuthenticateOidcConfig: oidc}); err != nil {
		t.Fatal(err)
	}
	jwt := &elbv2types.JwtValidationActionConfig{JwksEndpoint: aws.String("https://idp.example.com/jwks"), Issuer: aws.String("https://idp.example.com"),
		AdditionalClaims: []elbv2types.JwtValidationActionAdditionalClaim{{Format: elbv2types.JwtValidationActionAdditionalClaimFormatEnumStringArray,
			Name: aws.String("groups"), Values: []string{"admins", "ops"}}}}
	if _, err := rule(2, elbv2types.Action{Type: elbv2types.ActionTypeEnumJwtValidation, JwtValidationConfig: jwt}); err != nil {
		t.Fatal(err)
	}
	noSecret := *oidc
	noSecret.ClientSecret = nil
	_, err = rule(3, elbv2types.Action{Type: elbv2types.ActionTypeEnumAuthenticateOidc, AuthenticateOidcConfig: &noSecret})
	wantCode(t, err, "ValidationError")
	rs, err := w.ELBv2.DescribeRules(ctx, &awselbv2.DescribeRulesInput{ListenerArn: lARN})
	if err != nil {
		t.Fatal(err)
	}
	got := rs.Rules[0].Actions[0].AuthenticateOidcConfig
	same(t, "oidc config", []any{aws.ToString(got.ClientId), got.ClientSecret, got.OnUnauthenticatedRequest, aws.ToString(got.Scope),
		aws.ToString(got.SessionCookieName), aws.ToInt64(got.SessionTimeout), got.AuthenticationRequestExtraParams},
		[]any{"client", (*string)(nil), elbv2types.AuthenticateOidcActionConditionalBehaviorEnumAuthenticate, "openid",
			"AWSELBAuthSessionCookie", int64(604800), map[string]string{"display": "page"}})
	gotJWT := rs.Rules[1].Actions[0].JwtValidationConfig
	same(t, "jwt config", []any{aws.ToString(gotJWT.Issuer), aws.ToString(gotJWT.JwksEndpoint), gotJWT.AdditionalClaims[0].Format,
		aws.ToString(gotJWT.AdditionalClaims[0].Name), gotJWT.AdditionalClaims[0].Values},
		[]any{"https://idp.example.com", "https://idp.example.com/jwks", elbv2types.JwtValidationActionAdditionalClaimFormatEnumStringArray, "groups", []string{"admins", "ops"}})
}

// TestCLIAuthenticateOIDCRule: the AWS CLI creates an authenticate-oidc
// rule and reads it back without its client secret.
func TestCLIAuthenticateOIDCRule(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("no AWS CLI")
	}
	w := start(t)
	ctx := t.Context()
	lb := w.alb(t, "cli")
	tg := w.tg(t, "tg", 80)
	cert := emutest.ImportCertificate(t, w.ACM, "cli.example.com")
	l, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443), Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}},
		DefaultActions: forwardTo(aws.ToString(tg.TargetGroupArn))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(w.Server)
	defer hs.Close()
	cli := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", hs.URL, "--region", w.Server.Region(), "--output", "json", "elbv2"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEMULATOR", "AWS_SECRET_ACCESS_KEY=emulator-secret", "AWS_CONFIG_FILE=/dev/null",
			"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return out
	}
	actions := `[{"Type":"authenticate-oidc","Order":1,"AuthenticateOidcConfig":{"Issuer":"https://idp.example.com",
		"AuthorizationEndpoint":"https://idp.example.com/auth","TokenEndpoint":"https://idp.example.com/token",
		"UserInfoEndpoint":"https://idp.example.com/userinfo","ClientId":"client","ClientSecret":"s3cret","Scope":"openid email"}},
		{"Type":"forward","Order":2,"TargetGroupArn":"` + aws.ToString(tg.TargetGroupArn) + `"}]`
	cli("create-rule", "--listener-arn", aws.ToString(l.Listeners[0].ListenerArn), "--priority", "1",
		"--conditions", `[{"Field":"path-pattern","Values":["/admin"]}]`, "--actions", actions)
	var out struct {
		Rules []struct {
			Actions []struct {
				Type                   string
				AuthenticateOidcConfig map[string]any
			}
		}
	}
	if err := json.Unmarshal(cli("describe-rules", "--listener-arn", aws.ToString(l.Listeners[0].ListenerArn)), &out); err != nil {
		t.Fatal(err)
	}
	got := out.Rules[0].Actions[0].AuthenticateOidcConfig
	if _, has := got["ClientSecret"]; has || got["ClientId"] != "client" || got["Scope"] != "openid email" ||
		got["SessionTimeout"] != float64(604800) || got["OnUnauthenticatedRequest"] != "authenticate" {
		t.Errorf("described OIDC config %v", got)
	}
}

// An ALB on an Outpost: DescribeSubnets reports the Outpost, one Outpost
// subnet is enough, the customer-owned IPv4 pool is stored and returned,
// and AWS's refusals hold around it.
func TestSDKCustomerOwnedPoolOnOutpost(t *testing.T) {
	w := start(t, emutest.WithOutpostSubnet())
	ctx := t.Context()
	if len(w.seed.OutpostSubnets) != 1 {
		t.Fatalf("Outpost subnets %v, want one", w.seed.OutpostSubnets)
	}
	outpost := w.seed.OutpostSubnets[0]
	subs, err := w.EC2.DescribeSubnets(ctx, &awsec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("outpost-arn"), Values: []string{emutest.OutpostARN}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subnets) != 1 || aws.ToString(subs.Subnets[0].SubnetId) != outpost || aws.ToString(subs.Subnets[0].OutpostArn) != emutest.OutpostARN {
		t.Fatalf("outpost-arn filter: %+v", subs.Subnets)
	}
	const pool = "ipv4pool-coip-0123456789abcdef0"
	for _, c := range []struct {
		name string
		in   awselbv2.CreateLoadBalancerInput
		code string
	}{
		{"a pool without an Outpost subnet", awselbv2.CreateLoadBalancerInput{Subnets: w.seed.PublicSubnets[:2], CustomerOwnedIpv4Pool: aws.String(pool)}, "InvalidConfigurationRequest"},
		{"an Outpost subnet beside a Region's subnet", awselbv2.CreateLoadBalancerInput{Subnets: []string{outpost, w.seed.PublicSubnets[1]}}, "InvalidConfigurationRequest"},
		{"an NLB on an Outpost", awselbv2.CreateLoadBalancerInput{Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: []string{outpost}}, "InvalidConfigurationRequest"},
		{"a malformed pool ID", awselbv2.CreateLoadBalancerInput{Subnets: []string{outpost}, CustomerOwnedIpv4Pool: aws.String("pool-1")}, "ValidationError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Name = aws.String("refused")
			_, err := w.ELBv2.CreateLoadBalancer(ctx, &in)
			wantCode(t, err, c.code)
		})
	}
	out, err := w.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("edge"), Scheme: elbv2types.LoadBalancerSchemeEnumInternal,
		Subnets: []string{outpost}, CustomerOwnedIpv4Pool: aws.String(pool)})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := w.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(out.LoadBalancers[0].LoadBalancerArn)}})
	if err != nil {
		t.Fatal(err)
	}
	for what, lb := range map[string]elbv2types.LoadBalancer{"CreateLoadBalancer": out.LoadBalancers[0], "DescribeLoadBalancers": desc.LoadBalancers[0]} {
		same(t, what, []any{aws.ToString(lb.CustomerOwnedIpv4Pool), len(lb.AvailabilityZones), aws.ToString(lb.AvailabilityZones[0].SubnetId),
			aws.ToString(lb.AvailabilityZones[0].OutpostId)}, []any{pool, 1, outpost, "op-0123456789abcdef0"})
	}
	// The pool ties the ALB to its Outpost.
	_, err = w.ELBv2.SetSubnets(ctx, &awselbv2.SetSubnetsInput{LoadBalancerArn: out.LoadBalancers[0].LoadBalancerArn, Subnets: w.seed.PrivateSubnets[:2]})
	wantCode(t, err, "InvalidConfigurationRequest")
}
