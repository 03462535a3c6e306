package state_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

// TestConcurrentReadersOfAColdCacheShareOneDescribe: at start every
// reconcile worker finds the caches empty; the first one's Describe fills
// them for all (test/bench found three of each at three workers).
func TestConcurrentReadersOfAColdCacheShareOneDescribe(t *testing.T) {
	env := emutest.Start(t)
	out, err := env.EC2.DescribeInstances(t.Context(), &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			ids = append(ids, aws.ToString(i.InstanceId))
		}
	}
	p := state.New(env.EC2, env.ELBv2, "sandbox", aws.ToString(out.Reservations[0].Instances[0].VpcId))
	env.Server.ResetCalls()
	var wg sync.WaitGroup
	errs := make(chan error, 8*5)
	for range 8 {
		wg.Go(func() {
			_, err := p.Subnets(t.Context())
			errs <- err
			_, err = p.VPCCIDRs(t.Context())
			errs <- err
			_, err = p.Instances(t.Context(), ids)
			errs <- err
			_, err = p.GroupTags(t.Context(), nil)
			errs <- err
			_, err = p.Snapshot(t.Context(), naming.ServiceStack("default", "web"))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	calls := env.Server.Calls()
	for _, a := range []string{"DescribeSubnets", "DescribeVpcs", "DescribeInstances", "DescribeSecurityGroups",
		"DescribeLoadBalancers", "DescribeTargetGroups"} {
		if n := calls.Count(a); n != 1 {
			t.Errorf("8 concurrent readers made %d %s calls, want 1", n, a)
		}
	}
}

// TestRefreshesMadeWhileOneListsJoinIt: at start the first reconcile's
// load of the ELB index and the drift check's refresh ran side by side and
// read every tag twice (the side-by-side benchmark at 500 Services); a
// refresh asked for while one lists shares its answer.
func TestRefreshesMadeWhileOneListsJoinIt(t *testing.T) {
	env := emutest.Start(t)
	seed := env.Seeded(t)
	for i := range 3 {
		if _, err := env.ELBv2.CreateTargetGroup(t.Context(), &elbv2.CreateTargetGroupInput{
			Name: aws.String(fmt.Sprintf("tg-%d", i)), Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80),
			VpcId: aws.String(seed.VPCID), Tags: []elbv2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	p := state.New(env.EC2, env.ELBv2, "sandbox", seed.VPCID)
	env.Server.ResetCalls()
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 8 {
		wg.Go(func() {
			<-start
			_, err := p.RefreshELB(t.Context())
			errs <- err
		})
		wg.Go(func() {
			<-start
			_, err := p.Snapshot(t.Context(), naming.ServiceStack("default", "web"))
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A refresh that starts after another finished lists again (each
	// drift check does), and then reads no tag it already has: the tags of
	// the three target groups are read once.
	calls := env.Server.Calls()
	lbs, tgs, tags := calls.Count("DescribeLoadBalancers"), calls.Count("DescribeTargetGroups"), calls.Count("DescribeTags")
	if lbs >= 16 || tgs != lbs || tags != 1 {
		t.Errorf("8 refreshes and 8 readers at once: %d DescribeLoadBalancers, %d DescribeTargetGroups, %d DescribeTags; want listings shared and the tags read once", lbs, tgs, tags)
	}
}

// pausedELB holds the reply of the next DescribeTargetGroups (the
// listing's last) until release is closed, after saying so on started.
type pausedELB struct {
	awsapi.ELBV2API
	once    sync.Once
	armed   bool
	started chan struct{}
	release chan struct{}
}

func (p *pausedELB) DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, opts ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	out, err := p.ELBV2API.DescribeTargetGroups(ctx, in, opts...)
	if p.armed {
		p.once.Do(func() {
			close(p.started)
			<-p.release
		})
	}
	return out, err
}

// TestAFreshRefreshSeesWhatAppearedWhileAListingRan: a RefreshELB asked
// for while another lists joins it and may miss what AWS got since that
// listing began; RefreshELBFresh (a teardown's last look, which must find
// a resource whose create reply was lost) lists again after it.
func TestAFreshRefreshSeesWhatAppearedWhileAListingRan(t *testing.T) {
	env := emutest.Start(t)
	seed := env.Seeded(t)
	elb := &pausedELB{ELBV2API: env.ELBv2, started: make(chan struct{}), release: make(chan struct{})}
	p := state.New(env.EC2, elb, "sandbox", seed.VPCID)
	if _, err := p.RefreshELB(t.Context()); err != nil {
		t.Fatal(err)
	}
	elb.armed = true
	first := make(chan error, 1)
	go func() { _, err := p.RefreshELB(t.Context()); first <- err }()
	<-elb.started
	// Made outside this Provider (its create reply lost) after the
	// listing began.
	late := naming.ServiceStack("default", "late")
	if _, err := env.ELBv2.CreateTargetGroup(t.Context(), &elbv2.CreateTargetGroupInput{
		Name: aws.String("late"), Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80), VpcId: aws.String(seed.VPCID),
		Tags: []elbv2types.Tag{{Key: aws.String(naming.TagServiceStack), Value: aws.String("default/late")}},
	}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		changed []string
		err     error
	}
	joined, fresh := make(chan result, 1), make(chan result, 1)
	go func() { c, err := p.RefreshELB(t.Context()); joined <- result{c, err} }()
	go func() { c, err := p.RefreshELBFresh(t.Context()); fresh <- result{c, err} }()
	time.Sleep(100 * time.Millisecond) //nolint:forbidigo // let both callers find the listing in flight
	close(elb.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	j, f := <-joined, <-fresh
	if j.err != nil || f.err != nil {
		t.Fatal(j.err, f.err)
	}
	if slices.Contains(j.changed, late.Key()) {
		t.Errorf("the joining refresh saw %s: it should share the listing in flight", late.Key())
	}
	if !slices.Contains(f.changed, late.Key()) {
		t.Errorf("the fresh refresh's changes %v lack %s, made after the listing in flight began", f.changed, late.Key())
	}
}
