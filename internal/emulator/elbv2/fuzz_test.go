package elbv2

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// fuzzWorld builds a backend holding one of everything; $LB, $NLB, $TG, $L
// and $R in a fuzzed body stand for their ARNs so inputs reach deep paths.
func fuzzWorld(tb testing.TB) (*Backend, *strings.Replacer) {
	tb.Helper()
	env := &core.Env{Region: "us-west-2", Account: "123456789012", Clock: testingclock.NewFakeClock(epoch), IDs: core.NewIDs(7)}
	b := New(env, newFakeNetwork())
	do := func(action string, pairs ...string) any {
		out, err := b.Handle(action, kvs(pairs...))
		if err != nil {
			tb.Fatalf("%s: %v", action, err)
		}
		return out
	}
	lb := do("CreateLoadBalancer", "Name", "web", "Subnets.member.1", subA, "Subnets.member.2", subB).(*loadBalancersResult).LoadBalancers[0].LoadBalancerArn
	nlb := do("CreateLoadBalancer", "Name", "nlb", "Type", "network", "Subnets.member.1", subA, "SecurityGroups.member.1", sg1).(*loadBalancersResult).LoadBalancers[0].LoadBalancerArn
	tg := do("CreateTargetGroup", "Name", "tg", "Protocol", "HTTP", "Port", "80", "VpcId", vpcA).(*targetGroupsResult).TargetGroups[0].TargetGroupArn
	l := do("CreateListener", "LoadBalancerArn", lb, "Protocol", "HTTP", "Port", "80", "DefaultActions.member.1.Type", "forward",
		"DefaultActions.member.1.TargetGroupArn", tg).(*listenersResult).Listeners[0].ListenerArn
	r := do("CreateRule", "ListenerArn", l, "Priority", "1", "Conditions.member.1.Field", "host-header",
		"Conditions.member.1.Values.member.1", "a.com", "Actions.member.1.Type", "fixed-response",
		"Actions.member.1.FixedResponseConfig.StatusCode", "200").(*rulesResult).Rules[0].RuleArn
	do("RegisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", inst1)
	rep := strings.NewReplacer("$LB", url.QueryEscape(lb), "$NLB", url.QueryEscape(nlb), "$TG", url.QueryEscape(tg),
		"$L", url.QueryEscape(l), "$R", url.QueryEscape(r))
	return b, rep
}

func FuzzHandle(f *testing.F) {
	seeds := []struct{ action, body string }{
		{"CreateLoadBalancer", "Name=x&Subnets.member.1=" + subA + "&Subnets.member.2=" + subB + "&SecurityGroups="},
		{"CreateLoadBalancer", "Name=n&Type=network&SubnetMappings.member.1.SubnetId=" + subA + "&Tags.member.1.Key=a"},
		{"DescribeLoadBalancers", "PageSize=1&Marker=abc"},
		{"SetSecurityGroups", "LoadBalancerArn=$NLB&SecurityGroups="},
		{"SetSubnets", "LoadBalancerArn=$LB&Subnets.member.1=" + subC},
		{"ModifyLoadBalancerAttributes", "LoadBalancerArn=$LB&Attributes.member.1.Key=idle_timeout.timeout_seconds&Attributes.member.1.Value=9"},
		{"CreateTargetGroup", "Name=t&Protocol=TCP&Port=1&VpcId=" + vpcA + "&HealthCheckProtocol=HTTP&Matcher.HttpCode=200"},
		{"ModifyTargetGroup", "TargetGroupArn=$TG&HealthCheckTimeoutSeconds=2"},
		{"RegisterTargets", "TargetGroupArn=$TG&Targets.member.1.Id=" + inst2 + "&Targets.member.1.Port=99999"},
		{"DeregisterTargets", "TargetGroupArn=$TG&Targets.member.1.Id=" + inst1},
		{"DescribeTargetHealth", "TargetGroupArn=$TG&Targets.member.1.Id=x"},
		{"CreateListener", "LoadBalancerArn=$LB&Protocol=HTTPS&Port=443&DefaultActions.member.1.Type=forward&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=$TG&DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled=true"},
		{"ModifyListener", "ListenerArn=$L&Protocol=HTTPS&DefaultActions.member.1.Type=authenticate-oidc"},
		{"CreateRule", "ListenerArn=$L&Priority=2&Conditions.member.1.Field=query-string&Conditions.member.1.QueryStringConfig.Values.member.1.Value=x&Actions.member.1.Type=redirect&Actions.member.1.RedirectConfig.StatusCode=HTTP_301"},
		{"SetRulePriorities", "RulePriorities.member.1.RuleArn=$R&RulePriorities.member.1.Priority=1"},
		{"ModifyRule", "RuleArn=$R&Conditions="},
		{"SetSubnets", "LoadBalancerArn=$NLB&EnablePrefixForIpv6SourceNat=on&SubnetMappings.member.1.SubnetId=" + subA + "&SubnetMappings.member.1.SourceNatIpv6Prefix=auto_assigned"},
		{"CreateLoadBalancer", "Name=c&Subnets.member.1=" + subA + "&CustomerOwnedIpv4Pool=p&IpamPools.Ipv4IpamPoolId=i&Bogus.member.1=x"},
		{"ModifyListener", "ListenerArn=$L&MutualAuthentication.Mode=verify&MutualAuthentication.TrustStoreArn=x"},
		{"RegisterTargets", "TargetGroupArn=$TG&Targets.member.1.Id=" + inst2 + "&Targets.member.1.QuicServerId=0x0123456789abcdef"},
		{"DescribeTargetHealth", "TargetGroupArn=$TG&Include.member.1=All&Include.member.2=x"},
		{"ModifyRule", "RuleArn=$R&ResetTransforms=true&Transforms.member.1.Type=url-rewrite&Conditions.member.1.Field=host-header&Conditions.member.1.RegexValues.member.1=a"},
		{"AddTags", "ResourceArns.member.1=$LB&ResourceArns.member.2=$R&Tags.member.1.Key=k&Tags.member.1.Value=v"},
		{"RemoveTags", "ResourceArns.member.1=$TG&TagKeys.member.1=k"},
		{"DescribeTags", "ResourceArns.member.1=$L"},
		{"DeleteLoadBalancer", "LoadBalancerArn=$LB"},
		{"DeleteTargetGroup", "TargetGroupArn=$TG"},
		{"DescribeAccountLimits", "PageSize=400"},
		{"AddListenerCertificates", "ListenerArn=$L&Certificates.member.1.CertificateArn=arn:aws:acm:us-west-2:123456789012:certificate/x"},
	}
	for _, s := range seeds {
		f.Add(s.action, s.body)
	}
	actions := Actions()
	f.Fuzz(func(t *testing.T, action, body string) {
		b, rep := fuzzWorld(t)
		p, err := query.Parse(rep.Replace(body))
		if err != nil {
			return
		}
		// Try the named action and, to spread coverage, one picked by the body.
		try := []string{action}
		if len(body) > 0 {
			try = append(try, actions[int(body[0])%len(actions)])
		}
		for _, a := range try {
			out, err := b.Handle(a, p)
			if err != nil {
				var qe *query.Error
				if !errors.As(err, &qe) || qe.Status < 400 || qe.Status >= 500 || qe.Code == "" {
					t.Fatalf("%s(%q): bad error %#v", a, body, err)
				}
				continue
			}
			if _, err := query.ELBv2Body(a, "req", out); err != nil {
				t.Fatalf("%s(%q): reply does not render: %v", a, body, err)
			}
		}
		b.env.Clock.(*testingclock.FakeClock).Step(time.Hour)
		for _, a := range []string{"DescribeLoadBalancers", "DescribeTargetGroups", "DescribeAccountLimits"} {
			if _, err := b.Handle(a, query.Params{}); err != nil {
				t.Fatalf("%s after %s(%q): %v", a, action, body, err)
			}
		}
		if _, err := b.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
}
