package state_test

import (
	"context"
	"sync"
	"testing"

	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// duringListing runs a hook once, after the first listing call of a
// refresh has been answered and before its caller sees the answer: a
// write made then is missing from the listing.
type duringListing struct {
	once sync.Once
	hook func()
}

func (d *duringListing) fire() { d.once.Do(d.hook) }

type slowELB struct {
	awsapi.ELBV2API
	d *duringListing
}

func (s slowELB) DescribeTargetGroups(ctx context.Context, in *awselbv2.DescribeTargetGroupsInput, opts ...func(*awselbv2.Options)) (*awselbv2.DescribeTargetGroupsOutput, error) {
	out, err := s.ELBV2API.DescribeTargetGroups(ctx, in, opts...)
	if s.d != nil && s.d.hook != nil {
		s.d.fire()
	}
	return out, err
}

type slowEC2 struct {
	awsapi.EC2API
	d *duringListing
}

func (s slowEC2) DescribeSecurityGroups(ctx context.Context, in *awsec2.DescribeSecurityGroupsInput, opts ...func(*awsec2.Options)) (*awsec2.DescribeSecurityGroupsOutput, error) {
	out, err := s.EC2API.DescribeSecurityGroups(ctx, in, opts...)
	if s.d != nil && s.d.hook != nil && len(in.GroupIds) == 0 {
		s.d.fire()
	}
	return out, err
}

// TestAFullRefreshKeepsWritesMadeWhileItListed: the drift check's paged
// listings take seconds at scale while reconciles keep writing; a target
// group or SG created after the listing was read must not vanish from the
// caches when the refresh replaces them (a target group so forgotten was
// left behind when its IngressGroup member left; test/chaos faults).
func TestAFullRefreshKeepsWritesMadeWhileItListed(t *testing.T) {
	env := emutest.Start(t)
	vpc := vpcOf(t, env)
	stack := naming.ServiceStack("default", "web")
	elbHook, ec2Hook := &duringListing{}, &duringListing{}
	p := state.New(slowEC2{env.EC2, ec2Hook}, slowELB{env.ELBv2, elbHook}, "sandbox", vpc)
	// Warm caches first (the hooks are not armed yet).
	if _, err := p.Snapshot(t.Context(), stack); err != nil {
		t.Fatal(err)
	}
	id := naming.ServiceTargetGroupResourceID("default", "web", 80)
	tg := model.TargetGroup{ResourceID: id, Name: "k8s-default-web-0123456789", Port: 30080, Protocol: "TCP", TargetType: "instance",
		IPAddressType: "ipv4", Tags: naming.TrackingTags("sandbox", stack, id),
		HealthCheck: model.HealthCheck{Protocol: "TCP", Port: "traffic-port", Interval: 10, Timeout: 10, Healthy: 3, Unhealthy: 3}}
	var hookErr error
	var tgARN, sgID string
	elbHook.hook = func() { tgARN, hookErr = p.CreateTargetGroup(t.Context(), tg) }
	if _, err := p.RefreshELB(t.Context()); err != nil || hookErr != nil {
		t.Fatal(err, hookErr)
	}
	ec2Hook.hook = func() {
		sgID, hookErr = p.CreateSecurityGroup(t.Context(), naming.ManagedSGName("sandbox", stack), "x", naming.ManagedSGTags("sandbox", stack, nil))
	}
	if _, err := p.RefreshSecurityGroups(t.Context()); err != nil || hookErr != nil {
		t.Fatal(err, hookErr)
	}
	snap, err := p.Snapshot(t.Context(), stack)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.TargetGroups) != 1 || snap.TargetGroups[0].ARN != tgARN {
		t.Errorf("target groups after the refresh: %+v, want the one created during its listing (%s)", snap.TargetGroups, tgARN)
	}
	if len(snap.ManagedSGs) != 1 || snap.ManagedSGs[0].ID != sgID {
		t.Errorf("managed SGs after the refresh: %+v, want the one created during its listing (%s)", snap.ManagedSGs, sgID)
	}
}
