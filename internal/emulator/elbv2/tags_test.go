package elbv2

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func tagArgs(from, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("Tags.member.%d.Key", i+1), fmt.Sprintf("k%d", from+i),
			fmt.Sprintf("Tags.member.%d.Value", i+1), "v")
	}
	return out
}

// §7 items 2 and 50.
func TestTags(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web", "Tags.member.1.Key", "team", "Tags.member.1.Value", "a")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	r := h.rule(l.ListenerArn, "1", "a.com")
	res := h.ok("DescribeTags", "ResourceArns.member.1", tg.TargetGroupArn, "ResourceArns.member.2", lb.LoadBalancerArn).(*tagsResult)
	if len(res.TagDescriptions) != 2 || res.TagDescriptions[0].ResourceArn != tg.TargetGroupArn ||
		!reflect.DeepEqual(res.TagDescriptions[1].Tags, []xTag{{Key: "team", Value: "a"}}) {
		t.Errorf("DescribeTags keeps request order: %+v", res)
	}
	mustContain(t, render(t, "DescribeTags", res), "<DescribeTagsResult><TagDescriptions><member><ResourceArn>"+tg.TargetGroupArn)

	for _, arn := range []string{lb.LoadBalancerArn, tg.TargetGroupArn, l.ListenerArn, r.RuleArn} {
		h.ok("AddTags", "ResourceArns.member.1", arn, "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod")
		if h.tags(arn)["env"] != "prod" {
			t.Errorf("%s: tag not added", arn)
		}
	}
	h.ok("AddTags", "ResourceArns.member.1", lb.LoadBalancerArn, "Tags.member.1.Key", "team", "Tags.member.1.Value", "b")
	if h.tags(lb.LoadBalancerArn)["team"] != "b" {
		t.Errorf("AddTags does not overwrite")
	}
	h.ok("RemoveTags", "ResourceArns.member.1", lb.LoadBalancerArn, "TagKeys.member.1", "team", "TagKeys.member.2", "absent")
	if _, ok := h.tags(lb.LoadBalancerArn)["team"]; ok {
		t.Errorf("RemoveTags kept the key")
	}

	t.Run("a 51st key is TooManyTags", func(t *testing.T) {
		h.ok("AddTags", append([]string{"ResourceArns.member.1", tg.TargetGroupArn}, tagArgs(0, 49)...)...) // env + 49 = 50
		h.fail("TooManyTags", "AddTags", append([]string{"ResourceArns.member.1", tg.TargetGroupArn}, tagArgs(49, 1)...)...)
		h.ok("AddTags", append([]string{"ResourceArns.member.1", tg.TargetGroupArn}, tagArgs(0, 1)...)...) // overwrite at 50
		if n := len(h.tags(tg.TargetGroupArn)); n != 50 {
			t.Errorf("%d tags", n)
		}
	})
	t.Run("a key twice in one call is DuplicateTagKeys", func(t *testing.T) {
		h.fail("DuplicateTagKeys", "AddTags", "ResourceArns.member.1", l.ListenerArn,
			"Tags.member.1.Key", "x", "Tags.member.1.Value", "1", "Tags.member.2.Key", "x", "Tags.member.2.Value", "2")
		if _, ok := h.tags(l.ListenerArn)["x"]; ok {
			t.Errorf("a failed AddTags added a tag")
		}
		h.fail("DuplicateTagKeys", "CreateTargetGroup", "Name", "dup", "Protocol", "HTTP", "Port", "80", "VpcId", vpcA,
			"Tags.member.1.Key", "x", "Tags.member.1.Value", "1", "Tags.member.2.Key", "x", "Tags.member.2.Value", "2")
	})
	for _, tt := range []struct {
		name string
		args []string
		code string
	}{
		{"an unknown load balancer", []string{"ResourceArns.member.1", strings.Replace(lb.LoadBalancerArn, "/web/", "/zz/", 1)}, "LoadBalancerNotFound"},
		{"an unknown target group", []string{"ResourceArns.member.1", strings.Replace(tg.TargetGroupArn, "/tg/", "/zz/", 1)}, "TargetGroupNotFound"},
		{"an unknown listener", []string{"ResourceArns.member.1", l.ListenerArn + "0"}, "ListenerNotFound"},
		{"an unknown rule", []string{"ResourceArns.member.1", r.RuleArn + "0"}, "RuleNotFound"},
		{"a malformed ARN", []string{"ResourceArns.member.1", "web"}, "ValidationError"},
		{"an aws: key", []string{"ResourceArns.member.1", lb.LoadBalancerArn, "Tags.member.1.Key", "aws:x"}, "ValidationError"},
		{"a 129-character key", []string{"ResourceArns.member.1", lb.LoadBalancerArn, "Tags.member.1.Key", strings.Repeat("k", 129)}, "ValidationError"},
		{"no tags", []string{"ResourceArns.member.1", lb.LoadBalancerArn}, "MissingParameter"},
	} {
		t.Run("AddTags with "+tt.name+" is "+tt.code, func(t *testing.T) {
			args := tt.args
			if len(args) == 2 && tt.name != "no tags" {
				args = append(args, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
			}
			h.fail(tt.code, "AddTags", args...)
		})
	}
	t.Run("DescribeTags with 21 ARNs is a ValidationError", func(t *testing.T) {
		var args []string
		for i := 1; i <= 21; i++ {
			args = append(args, fmt.Sprintf("ResourceArns.member.%d", i), lb.LoadBalancerArn)
		}
		h.fail("ValidationError", "DescribeTags", args...)
	})
}

func TestNewTagsAreHiddenForTheTagLag(t *testing.T) {
	h := newHarness(t)
	h.env.Lag.Tags = time.Second
	lb := h.alb("web", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1")
	if len(h.tags(lb.LoadBalancerArn)) != 0 {
		t.Errorf("tags visible during the lag")
	}
	h.clock.Step(time.Second)
	if h.tags(lb.LoadBalancerArn)["a"] != "1" {
		t.Errorf("tags invisible after the lag")
	}
}

func TestDescribeAccountLimitsReportsTheQuotas(t *testing.T) {
	h := newHarness(t)
	h.b.Quotas.RulesPerALB = 7
	res := h.ok("DescribeAccountLimits").(*limitsResult)
	m := map[string]string{}
	for _, l := range res.Limits {
		m[l.Name] = l.Max
	}
	if m["application-load-balancers"] != "50" || m["target-groups"] != "3000" || m["rules-per-application-load-balancer"] != "7" {
		t.Errorf("limits %v", m)
	}
	page := h.ok("DescribeAccountLimits", "PageSize", "5").(*limitsResult)
	if len(page.Limits) != 5 || page.NextMarker == "" {
		t.Errorf("page %+v", page)
	}
}

func TestSnapshotRoundTripsExactly(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	h.rule(l.ListenerArn, "3", "a.com")
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1)
	h.ok("DeregisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1)
	snap, err := h.b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	before := h.ok("DescribeRules", "ListenerArn", l.ListenerArn)
	fresh := New(h.env, h.net)
	if err := fresh.Restore(snap); err != nil {
		t.Fatal(err)
	}
	again, err := fresh.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(snap) {
		t.Errorf("snapshot does not round-trip:\n%s\n%s", snap, again)
	}
	h.b = fresh
	if after := h.ok("DescribeRules", "ListenerArn", l.ListenerArn); !reflect.DeepEqual(before, after) {
		t.Errorf("restored state describes differently")
	}
	if h.health(tg.TargetGroupArn)[0].TargetHealth.State != "draining" {
		t.Errorf("draining target lost")
	}
	fresh.Reset()
	if n := len(h.ok("DescribeLoadBalancers").(*loadBalancersResult).LoadBalancers); n != 0 {
		t.Errorf("Reset kept %d load balancers", n)
	}
	if err := fresh.Restore([]byte("{")); err == nil {
		t.Errorf("Restore accepted bad JSON")
	}
}
