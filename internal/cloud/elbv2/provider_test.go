package elbv2_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"k8s.io/utils/clock"

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
	return fixture{env: env, seed: seed, p: cloudelbv2.New(c.ELBV2, clock.RealClock{})}
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
	f.env.Server.ResetCalls()
	if _, err := f.p.FindTargetGroups(t.Context(), f.seed.VPCID, match); err != nil {
		t.Fatal(err)
	}
	if n := f.env.Server.Calls().Total; n != 0 {
		t.Errorf("a repeated find cost %d calls, want 0", n)
	}
}

func TestTheDriftReadCostsOneDescribePerKind(t *testing.T) {
	f := start(t)
	for i := range 25 {
		f.tg(t, fmt.Sprintf("drift-%02d", i), "TCP", map[string]string{"n": fmt.Sprint(i)})
	}
	f.nlb(t, "drift", nil)
	if _, _, err := f.p.Refresh(t.Context(), f.seed.VPCID); err != nil { // first read: tags too
		t.Fatal(err)
	}
	// Someone deletes a group outside lbsg.
	tgs, _ := f.p.TargetGroups(t.Context(), f.seed.VPCID)
	if _, err := f.env.ELBv2.DeleteTargetGroup(t.Context(), &awselbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(tgs[0].ARN)}); err != nil {
		t.Fatal(err)
	}
	f.env.Server.ResetCalls()
	lbs, tgs2, err := f.p.Refresh(t.Context(), f.seed.VPCID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lbs) != 1 || len(tgs2) != 24 {
		t.Errorf("refresh saw %d LBs, %d TGs; want 1 and 24", len(lbs), len(tgs2))
	}
	if a, b, c := f.calls("DescribeLoadBalancers"), f.calls("DescribeTargetGroups"), f.calls("DescribeTags"); a != 1 || b != 1 || c != 0 {
		t.Errorf("calls %d DescribeLoadBalancers, %d DescribeTargetGroups, %d DescribeTags; want 1, 1, 0", a, b, c)
	}
}

func TestAListingRacingADeleteIsReadAgain(t *testing.T) {
	f := start(t)
	tg := f.tg(t, "racy", "TCP", nil)
	f.env.Server.ResetCalls()
	f.env.Server.Faults().Fail("DescribeTags", "TargetGroupNotFound", 1)
	got, err := f.p.TargetGroups(t.Context(), f.seed.VPCID)
	if err != nil || len(got) != 1 || got[0].ARN != tg.ARN {
		t.Fatalf("got %+v, %v", got, err)
	}
	if n := f.calls("DescribeTargetGroups"); n != 2 {
		t.Errorf("DescribeTargetGroups = %d, want 2 (listed again)", n)
	}
}

func TestAnNLBIsCreatedWithItsSecurityGroupsAndTagsInOneCall(t *testing.T) {
	f := start(t)
	frontend := f.sg(t, "frontend")
	lb := f.nlb(t, "web", []string{frontend})
	if !slices.Equal(lb.SecurityGroups, []string{frontend}) || lb.Type != "network" || lb.Scheme != "internal" || lb.DNSName == "" {
		t.Errorf("created %+v", lb)
	}
	if n := f.calls("AddTags") + f.calls("SetSecurityGroups"); n != 0 {
		t.Errorf("%d follow-up calls: tags and groups must come with the create", n)
	}
	found, err := f.p.FindLoadBalancers(t.Context(), f.seed.VPCID, func(tags map[string]string) bool {
		return naming.OwnsStackResource(tags, cluster, naming.ServiceStack("default", "web"))
	})
	if err != nil || len(found) != 1 || found[0].ARN != lb.ARN || found[0].Tags[naming.TagServiceResource] != naming.ResourceLoadBalancer {
		t.Fatalf("found %+v, %v", found, err)
	}
	if !slices.Equal(found[0].Subnets, f.seed.PrivateSubnets) {
		t.Errorf("subnets %v, want %v", found[0].Subnets, f.seed.PrivateSubnets)
	}
}

func TestSecurityGroupsOnAnExistingNLB(t *testing.T) {
	f := start(t)
	a, b := f.sg(t, "a"), f.sg(t, "b")
	for _, tt := range []struct {
		name      string
		created   []string
		set       []string
		wantClass awserr.Class
	}{
		{"an NLB created with groups gets them replaced", []string{a}, []string{a, b}, awserr.None},
		{"an NLB created without groups cannot get any", nil, []string{a}, awserr.Invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lb := f.nlb(t, fmt.Sprintf("nlb-%d", len(tt.created)), tt.created)
			err := f.p.SetSecurityGroups(t.Context(), lb.ARN, tt.set, "")
			if c := awserr.Classify(err); c != tt.wantClass {
				t.Fatalf("err = %v (%v), want %v", err, c, tt.wantClass)
			}
			got, err := f.p.LoadBalancer(t.Context(), lb.ARN)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.set
			if tt.wantClass != awserr.None {
				want = tt.created
			}
			slices.Sort(got.SecurityGroups)
			if !slices.Equal(got.SecurityGroups, want) {
				t.Errorf("groups %v, want %v", got.SecurityGroups, want)
			}
		})
	}
}

func TestPrivateLinkEnforcementIsSetWithTheGroups(t *testing.T) {
	f := start(t)
	a := f.sg(t, "pl")
	lb := f.nlb(t, "pl", []string{a})
	for _, want := range []string{"off", "on"} {
		if err := f.p.SetSecurityGroups(t.Context(), lb.ARN, []string{a}, want); err != nil {
			t.Fatal(err)
		}
		got, err := f.p.LoadBalancer(t.Context(), lb.ARN)
		if err != nil || got.EnforcePrivateLink != want {
			t.Errorf("enforcement %q, %v; want %q", got.EnforcePrivateLink, err, want)
		}
	}
}

func TestAttributesAreWrittenOnlyWhenTheyDiffer(t *testing.T) {
	f := start(t)
	lb := f.nlb(t, "attrs", nil)
	tg := f.tg(t, "attrs", "TCP", nil)
	desiredLB := map[string]string{"load_balancing.cross_zone.enabled": "true"}
	desiredTG := map[string]string{"deregistration_delay.timeout_seconds": "30", "proxy_protocol_v2.enabled": "true"}
	for i, wantWrite := range []bool{true, false} {
		w1, err := f.p.UpdateLoadBalancerAttributes(t.Context(), lb.ARN, desiredLB)
		if err != nil {
			t.Fatal(err)
		}
		w2, err := f.p.UpdateTargetGroupAttributes(t.Context(), tg.ARN, desiredTG)
		if err != nil {
			t.Fatal(err)
		}
		if w1 != wantWrite || w2 != wantWrite {
			t.Errorf("round %d: wrote LB %v TG %v, want %v", i+1, w1, w2, wantWrite)
		}
	}
	if a, b := f.calls("ModifyLoadBalancerAttributes"), f.calls("ModifyTargetGroupAttributes"); a != 1 || b != 1 {
		t.Errorf("modify calls %d, %d; want 1 each", a, b)
	}
	got, err := f.p.TargetGroupAttributes(t.Context(), tg.ARN)
	if err != nil || got["deregistration_delay.timeout_seconds"] != "30" || got["proxy_protocol_v2.enabled"] != "true" {
		t.Errorf("TG attributes %v, %v", got, err)
	}
}

func TestHealthChecksAreSetAtCreateAndModified(t *testing.T) {
	f := start(t)
	tg, err := f.p.CreateTargetGroup(t.Context(), cloudelbv2.NewTargetGroup{
		Name: "hc", Protocol: "TCP", Port: 30080, VPCID: f.seed.VPCID, TargetType: "ip",
		HealthCheck: cloudelbv2.HealthCheck{Protocol: "HTTP", Path: "/healthz", Port: "traffic-port", IntervalSeconds: 10, Matcher: "200-399"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if h := tg.HealthCheck; h.Protocol != "HTTP" || h.Path != "/healthz" || h.IntervalSeconds != 10 || tg.TargetType != "ip" {
		t.Errorf("created health check %+v", h)
	}
	tg, err = f.p.ModifyTargetGroup(t.Context(), tg.ARN, cloudelbv2.HealthCheck{Path: "/ready", HealthyThreshold: 3})
	if err != nil {
		t.Fatal(err)
	}
	if h := tg.HealthCheck; h.Path != "/ready" || h.HealthyThreshold != 3 || h.IntervalSeconds != 10 {
		t.Errorf("modified health check %+v", h)
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
		{"three targets in a new group are one register call, no read", i[:3], 3, 0, 1},
		{"dropping one re-reads (the write invalidated) and deregisters once", i[:2], 0, 1, 2},
		{"nothing changed after a write costs one read", i[:2], 0, 0, 1},
		{"nothing changed with a warm cache costs no call", i[:2], 0, 0, 0},
		{"swapping one is one register and one deregister", []string{i[0], i[2]}, 1, 1, 2},
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
	if n := f.env.Server.Calls().Total; n != 0 {
		t.Errorf("unchanged tags cost %d calls", n)
	}
}
