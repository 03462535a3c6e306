package elbv2_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

const cluster = "sandbox"

type fixture struct {
	env  *emutest.Env
	seed emutest.Seeded
	p    *cloudelbv2.Provider
}

func start(t *testing.T) fixture { return startB(t) }

func startB(t testing.TB) fixture {
	t.Helper()
	env := emutest.Start(t)
	seed := env.Seeded(t)
	// The client-side buckets are awsapi's to test; here they would only
	// stretch fixtures that create dozens of resources.
	c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: time.Millisecond, NoRateLimit: true})
	env.Server.ResetCalls()
	return fixture{env: env, seed: seed, p: cloudelbv2.New(c.ELBV2)}
}

func (f fixture) calls(action string) int { return f.env.Server.Calls().Count(action) }

func (f fixture) sg(t *testing.T, name string) string {
	t.Helper()
	out, err := f.env.EC2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String("test"), VpcId: aws.String(f.seed.VPCID),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func stackTags(ns, name, resource string) map[string]string {
	return naming.TrackingTags(cluster, naming.ServiceStack(ns, name), resource)
}

func (f fixture) nlbB(b testing.TB, name string) cloudelbv2.LoadBalancer {
	b.Helper()
	lb, err := f.p.CreateLoadBalancer(b.Context(), cloudelbv2.NewLoadBalancer{
		Name: name, Type: "network", Scheme: "internal", Subnets: f.seed.PrivateSubnets,
		Tags: stackTags("default", name, naming.ResourceLoadBalancer),
	})
	if err != nil {
		b.Fatal(err)
	}
	return lb
}

func (f fixture) nlb(t *testing.T, name string, sgs []string) cloudelbv2.LoadBalancer {
	t.Helper()
	lb, err := f.p.CreateLoadBalancer(t.Context(), cloudelbv2.NewLoadBalancer{
		Name: name, Type: "network", Scheme: "internal", IPAddressType: "ipv4",
		Subnets: f.seed.PrivateSubnets, SecurityGroups: sgs,
		Tags: stackTags("default", name, naming.ResourceLoadBalancer),
	})
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

func (f fixture) tg(t *testing.T, name string, proto string, tags map[string]string) cloudelbv2.TargetGroup {
	t.Helper()
	tg, err := f.p.CreateTargetGroup(t.Context(), cloudelbv2.NewTargetGroup{
		Name: name, Protocol: proto, Port: 30080, VPCID: f.seed.VPCID, TargetType: "instance", Tags: tags,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestFindingByTagsDescribesTagsTwentyARNsAtATime(t *testing.T) {
	f := start(t)
	var want []string
	for i := range 45 {
		ns := "team-b"
		if i%3 == 0 {
			ns = "team-a"
		}
		tg := f.tg(t, fmt.Sprintf("tg-%02d", i), "TCP", naming.TrackingTags(cluster, naming.ServiceStack(ns, "web"), naming.ServiceTargetGroupResourceID(ns, "web", int32(i))))
		if ns == "team-a" {
			want = append(want, tg.ARN)
		}
	}
	f.env.Server.ResetCalls()
	stack := naming.ServiceStack("team-a", "web")
	match := func(tags map[string]string) bool { return naming.OwnsStackResource(tags, cluster, stack) }
	got, err := f.p.FindTargetGroups(t.Context(), f.seed.VPCID, match)
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, tg := range got {
		arns = append(arns, tg.ARN)
	}
	slices.Sort(arns)
	slices.Sort(want)
	if !slices.Equal(arns, want) {
		t.Errorf("found %d groups, want %d", len(arns), len(want))
	}
	if d, tags := f.calls("DescribeTargetGroups"), f.calls("DescribeTags"); d != 1 || tags != 3 {
		t.Errorf("calls: %d DescribeTargetGroups, %d DescribeTags; want 1 and 3 (45 ARNs / 20)", d, tags)
	}
}

func TestListingsAreOneDescribePerKindAndTagsOnlyWhenAsked(t *testing.T) {
	f := start(t)
	for i := range 25 {
		f.tg(t, fmt.Sprintf("list-%02d", i), "TCP", map[string]string{"n": fmt.Sprint(i)})
	}
	lb := f.nlb(t, "list", nil)
	f.env.Server.ResetCalls()
	lbs, err := f.p.ListLoadBalancers(t.Context(), f.seed.VPCID)
	if err != nil || len(lbs) != 1 || lbs[0].ARN != lb.ARN || lbs[0].Tags != nil {
		t.Fatalf("listed %+v, %v; want the NLB without tags", lbs, err)
	}
	tgs, err := f.p.ListTargetGroups(t.Context(), f.seed.VPCID)
	if err != nil || len(tgs) != 25 {
		t.Fatalf("listed %d TGs, %v; want 25", len(tgs), err)
	}
	if a, b, c := f.calls("DescribeLoadBalancers"), f.calls("DescribeTargetGroups"), f.calls("DescribeTags"); a != 1 || b != 1 || c != 0 {
		t.Errorf("calls %d DescribeLoadBalancers, %d DescribeTargetGroups, %d DescribeTags; want 1, 1, 0", a, b, c)
	}
	f.env.Server.ResetCalls()
	withTags, err := f.p.TargetGroups(t.Context(), f.seed.VPCID)
	if err != nil || len(withTags) != 25 || withTags[0].Tags["n"] == "" {
		t.Fatalf("tagged listing %+v, %v", withTags, err)
	}
	if b, c := f.calls("DescribeTargetGroups"), f.calls("DescribeTags"); b != 1 || c != 2 {
		t.Errorf("calls %d DescribeTargetGroups, %d DescribeTags; want 1 and 2 (25 ARNs / 20)", b, c)
	}
}

func TestAListingRacingADeleteReadsTagsOneByOne(t *testing.T) {
	f := start(t)
	a := f.tg(t, "racy-a", "TCP", nil)
	b := f.tg(t, "racy-b", "TCP", nil)
	f.env.Server.ResetCalls()
	// A batch naming a resource deleted since the listing fails whole.
	f.env.Server.Faults().Fail("DescribeTags", "TargetGroupNotFound", 1)
	got, err := f.p.TargetGroups(t.Context(), f.seed.VPCID)
	if err != nil || len(got) != 2 || got[0].ARN != min(a.ARN, b.ARN) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if n := f.calls("DescribeTags"); n != 3 {
		t.Errorf("DescribeTags = %d, want 3 (the batch, then one per ARN)", n)
	}
	// A single ARN refused is gone and left out.
	f.env.Server.Faults().Fail("DescribeTags", "TargetGroupNotFound", 2)
	got, err = f.p.TargetGroups(t.Context(), f.seed.VPCID)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %+v, %v; want one group left", got, err)
	}
}

func TestSyncTargetsRegistersAndDeregistersOnlyTheDifference(t *testing.T) {
	f := start(t)
	tg := f.tg(t, "sync", "TCP", nil)
	i := f.seed.Instances
	for _, tt := range []struct {
		name                   string
		desired                []string
		wantAdded, wantRemoved int
		wantCalls              int
	}{
		{"three targets in a new group are one read and one register call", i[:3], 3, 0, 2},
		{"dropping one is one read and one deregister", i[:2], 0, 1, 2},
		{"nothing changed costs one read and no write", i[:2], 0, 0, 1},
		{"swapping one is one read, one register and one deregister", []string{i[0], i[2]}, 1, 1, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.env.Server.ResetCalls()
			var desired []cloudelbv2.Target
			for _, id := range tt.desired {
				desired = append(desired, cloudelbv2.Target{ID: id, Port: 30080})
			}
			added, removed, err := f.p.SyncTargets(t.Context(), tg.ARN, desired)
			if err != nil {
				t.Fatal(err)
			}
			if len(added) != tt.wantAdded || len(removed) != tt.wantRemoved {
				t.Errorf("added %v removed %v", added, removed)
			}
			if n := f.env.Server.Calls().Total; n != tt.wantCalls {
				t.Errorf("calls = %d (%v), want %d", n, f.env.Server.Calls().Actions, tt.wantCalls)
			}
			if reg, dereg := f.calls("RegisterTargets"), f.calls("DeregisterTargets"); reg > 1 || dereg > 1 {
				t.Errorf("%d register, %d deregister calls: want at most one each", reg, dereg)
			}
		})
	}
}

func TestListenersAndRulesLifecycle(t *testing.T) {
	f := start(t)
	alb, err := f.p.CreateLoadBalancer(t.Context(), cloudelbv2.NewLoadBalancer{
		Name: "alb", Type: "application", Scheme: "internet-facing", Subnets: f.seed.PublicSubnets,
		SecurityGroups: []string{f.sg(t, "alb")}, Tags: stackTags("default", "alb", naming.ResourceLoadBalancer),
	})
	if err != nil {
		t.Fatal(err)
	}
	tgA := f.tg(t, "a", "HTTP", nil)
	tgB := f.tg(t, "b", "HTTP", nil)
	forward := func(arn string) []cloudelbv2.Action {
		return []cloudelbv2.Action{{Type: "forward", TargetGroups: []cloudelbv2.WeightedTargetGroup{{ARN: arn}}}}
	}
	l, err := f.p.CreateListener(t.Context(), alb.ARN, cloudelbv2.ListenerSpec{Protocol: "HTTP", Port: 80, DefaultActions: []cloudelbv2.Action{{
		Type: "fixed-response", FixedResponse: &cloudelbv2.FixedResponse{StatusCode: "404", ContentType: "text/plain"},
	}}}, stackTags("default", "alb", naming.ListenerResourceID(80)))
	if err != nil {
		t.Fatal(err)
	}
	r1, err := f.p.CreateRule(t.Context(), l.ARN, cloudelbv2.RuleSpec{Priority: 1, Conditions: []cloudelbv2.Condition{{Field: "host-header", Values: []string{"a.example.com"}}}, Actions: forward(tgA.ARN)},
		stackTags("default", "alb", naming.RuleResourceID(80, 1)))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := f.p.CreateRule(t.Context(), l.ARN, cloudelbv2.RuleSpec{Priority: 2, Conditions: []cloudelbv2.Condition{{Field: "path-pattern", Values: []string{"/b/*"}}}, Actions: forward(tgB.ARN)}, nil)
	if err != nil {
		t.Fatal(err)
	}

	ls, err := f.p.Listeners(t.Context(), alb.ARN)
	if err != nil || len(ls) != 1 || ls[0].Port != 80 || ls[0].Tags[naming.TagServiceResource] != "80" || ls[0].DefaultActions[0].FixedResponse == nil {
		t.Fatalf("listeners %+v, %v", ls, err)
	}
	rs, err := f.p.Rules(t.Context(), l.ARN)
	if err != nil || len(rs) != 3 {
		t.Fatalf("rules %+v, %v", rs, err)
	}
	byARN := map[string]cloudelbv2.Rule{}
	for _, r := range rs {
		byARN[r.ARN] = r
	}
	if r := byARN[r1.ARN]; r.Priority != "1" || r.Conditions[0].Values[0] != "a.example.com" || r.Tags[naming.TagServiceResource] != "80:1" || r.Actions[0].TargetGroups[0].ARN != tgA.ARN {
		t.Errorf("rule 1 read back as %+v", r)
	}

	modified, err := f.p.ModifyRule(t.Context(), r2.ARN, cloudelbv2.RuleSpec{Conditions: []cloudelbv2.Condition{{Field: "path-pattern", Values: []string{"/c/*"}}}, Actions: forward(tgA.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	if modified.ListenerARN != l.ARN {
		t.Errorf("modified rule's listener %q, want %q", modified.ListenerARN, l.ARN)
	}
	if err := f.p.SetRulePriorities(t.Context(), map[string]int32{r1.ARN: 20, r2.ARN: 10}); err != nil {
		t.Fatal(err)
	}
	rs, err = f.p.Rules(t.Context(), l.ARN)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		switch r.ARN {
		case r1.ARN:
			if r.Priority != "20" {
				t.Errorf("rule 1 priority %s, want 20", r.Priority)
			}
		case r2.ARN:
			if r.Priority != "10" || r.Conditions[0].Values[0] != "/c/*" {
				t.Errorf("rule 2 read back as %+v", r)
			}
		}
	}

	if err := f.p.DeleteTargetGroup(t.Context(), tgA.ARN); awserr.Classify(err) != awserr.InUse {
		t.Errorf("deleting a forwarded-to group: %v, want InUse", err)
	}
	if _, err := f.p.ModifyListener(t.Context(), l.ARN, cloudelbv2.ListenerSpec{Protocol: "HTTP", Port: 8080, DefaultActions: forward(tgB.ARN)}); err != nil {
		t.Fatal(err)
	}
	if ls, _ := f.p.Listeners(t.Context(), alb.ARN); len(ls) != 1 || ls[0].Port != 8080 {
		t.Errorf("after modify: %+v", ls)
	}
	for _, step := range []func() error{
		func() error { return f.p.DeleteRule(t.Context(), r1.ARN) },
		func() error { return f.p.DeleteRule(t.Context(), r1.ARN) },
		func() error { return f.p.DeleteListener(t.Context(), l.ARN) },
		func() error { return f.p.DeleteListener(t.Context(), l.ARN) },
		func() error { return f.p.DeleteTargetGroup(t.Context(), tgA.ARN) },
		func() error { return f.p.DeleteTargetGroup(t.Context(), tgA.ARN) },
		func() error { return f.p.DeleteLoadBalancer(t.Context(), alb.ARN) },
		func() error { return f.p.DeleteLoadBalancer(t.Context(), alb.ARN) },
	} {
		if err := step(); err != nil {
			t.Fatalf("deleting (twice each must succeed): %v", err)
		}
	}
	if lbs, err := f.p.LoadBalancers(t.Context(), f.seed.VPCID); err != nil || len(lbs) != 0 {
		t.Errorf("after delete: %+v, %v", lbs, err)
	}
	if tgs, err := f.p.TargetGroups(t.Context(), f.seed.VPCID); err != nil || len(tgs) != 1 {
		t.Errorf("after delete: %d groups, %v; want tg b left", len(tgs), err)
	}
}

func TestUpdateTagsDrivesTagsButKeepsProtectedKeys(t *testing.T) {
	f := start(t)
	tg := f.tg(t, "tags", "TCP", map[string]string{"a": "1", "b": "2", "kubernetes.io/service-name": "legacy", "hand": "x"})
	desired := map[string]string{"a": "1", "b": "3", "c": "4"}
	keep := func(k string) bool { return naming.KeepTag(k, cluster, nil) }
	if err := f.p.UpdateTags(t.Context(), tg.ARN, desired, keep); err != nil {
		t.Fatal(err)
	}
	got, err := f.p.Tags(t.Context(), tg.ARN)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "b": "3", "c": "4", "kubernetes.io/service-name": "legacy"}
	if fmt.Sprint(got[tg.ARN]) != fmt.Sprint(want) {
		t.Errorf("tags %v, want %v", got[tg.ARN], want)
	}
	f.env.Server.ResetCalls()
	if err := f.p.UpdateTags(t.Context(), tg.ARN, desired, keep); err != nil {
		t.Fatal(err)
	}
	if n, w := f.env.Server.Calls().Total, f.calls("AddTags")+f.calls("RemoveTags"); n != 1 || w != 0 {
		t.Errorf("unchanged tags cost %d calls, %d of them writes; want one read", n, w)
	}
}
