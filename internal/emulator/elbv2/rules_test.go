package elbv2

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func (h *harness) rules(listenerARN string) []xRule {
	h.t.Helper()
	return h.ok("DescribeRules", "ListenerArn", listenerARN).(*rulesResult).Rules
}

// §7 item 48.
func TestRulePrioritiesAndTheDefaultRule(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	r := h.rule(l.ListenerArn, "10", "a.example.com")
	if !regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-west-2:123456789012:listener-rule/app/web/[0-9a-f]{16}/[0-9a-f]{16}/[0-9a-f]{16}$`).MatchString(r.RuleArn) {
		t.Errorf("ARN %q", r.RuleArn)
	}
	if r.Priority != "10" || r.IsDefault || r.Conditions[0].Field != "host-header" || r.Conditions[0].HostHeaderConfig.Values[0] != "a.example.com" {
		t.Errorf("rule %+v", r)
	}
	msg := h.fail("PriorityInUse", "CreateRule", "ListenerArn", l.ListenerArn, "Priority", "10",
		"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.Values.member.1", "/x",
		"Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "200")
	if msg != "Priority '10' is currently in use" {
		t.Errorf("message %q", msg)
	}
	rs := h.rules(l.ListenerArn)
	if len(rs) != 2 || rs[1].Priority != "default" || !rs[1].IsDefault || rs[0].RuleArn != r.RuleArn {
		t.Fatalf("rules %+v", rs)
	}
	if rs[1].Actions[0].FixedResponseConfig.StatusCode != "404" {
		t.Errorf("the default rule does not carry the listener's default actions: %+v", rs[1].Actions)
	}
	def := rs[1].RuleArn
	mustContain(t, render(t, "DescribeRules", &rulesResult{Rules: rs}), "<Priority>default</Priority>", "<IsDefault>true</IsDefault>",
		"<Conditions><member><Field>host-header</Field><Values><member>a.example.com</member></Values><HostHeaderConfig>")
	for _, tt := range []struct {
		name, action string
		args         []string
	}{
		{"deleting the default rule", "DeleteRule", []string{"RuleArn", def}},
		{"modifying the default rule", "ModifyRule", []string{"RuleArn", def, "Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "200"}},
		{"moving the default rule", "SetRulePriorities", []string{"RulePriorities.member.1.RuleArn", def, "RulePriorities.member.1.Priority", "3"}},
	} {
		t.Run(tt.name+" is OperationNotPermitted", func(t *testing.T) {
			h.fail("OperationNotPermitted", tt.action, tt.args...)
		})
	}
}

func TestCreateRuleValidation(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	act := []string{"Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "200"}
	host := func(vals ...string) []string {
		var out []string
		for i, v := range vals {
			out = append(out, "Conditions.member.1.HostHeaderConfig.Values.member."+string(rune('1'+i)), v)
		}
		return append(out, "Conditions.member.1.Field", "host-header")
	}
	for _, tt := range []struct {
		name string
		args []string
		code string
	}{
		{"priority 0", append(append([]string{"Priority", "0"}, host("a.com")...), act...), "ValidationError"},
		{"priority 50001", append(append([]string{"Priority", "50001"}, host("a.com")...), act...), "ValidationError"},
		{"no conditions", append([]string{"Priority", "1"}, act...), "ValidationError"},
		{"six condition values", append(append([]string{"Priority", "1"}, host("a", "b", "c", "d", "e", "f")...), act...), "ValidationError"},
		{"an invalid host", append(append([]string{"Priority", "1"}, host("a b")...), act...), "ValidationError"},
		{"an unknown field", append([]string{"Priority", "1", "Conditions.member.1.Field", "cookie", "Conditions.member.1.Values.member.1", "x"}, act...), "ValidationError"},
		{"a bad source CIDR", append([]string{"Priority", "1", "Conditions.member.1.Field", "source-ip", "Conditions.member.1.SourceIpConfig.Values.member.1", "10.0.0.0/33"}, act...), "ValidationError"},
		{"no actions", append([]string{"Priority", "1"}, host("a.com")...), "ValidationError"},
		{"two terminal actions", append(append([]string{"Priority", "1"}, host("a.com")...), append(act,
			"Actions.member.2.Type", "fixed-response", "Actions.member.2.FixedResponseConfig.StatusCode", "200")...), "InvalidLoadBalancerAction"},
		{"values and regex values in one path condition", append([]string{"Priority", "1", "Conditions.member.1.Field", "path-pattern",
			"Conditions.member.1.PathPatternConfig.Values.member.1", "/a", "Conditions.member.1.PathPatternConfig.RegexValues.member.1", "^/b$"}, act...), "ValidationError"},
		{"regex values on a source-ip condition", append([]string{"Priority", "1", "Conditions.member.1.Field", "source-ip",
			"Conditions.member.1.SourceIpConfig.RegexValues.member.1", "^1"}, act...), "ValidationError"},
		{"a regex that does not compile", append([]string{"Priority", "1", "Conditions.member.1.Field", "path-pattern",
			"Conditions.member.1.PathPatternConfig.RegexValues.member.1", "^(/a$"}, act...), "ValidationError"},
		{"six values counting regex values", append(append([]string{"Priority", "1", "Conditions.member.2.Field", "path-pattern",
			"Conditions.member.2.PathPatternConfig.RegexValues.member.1", "^/a$", "Conditions.member.2.PathPatternConfig.RegexValues.member.2", "^/b$"},
			host("a", "b", "c", "d")...), act...), "ValidationError"},
		{"six query-string pairs", append([]string{"Priority", "1", "Conditions.member.1.Field", "query-string",
			"Conditions.member.1.QueryStringConfig.Values.member.1.Value", "a", "Conditions.member.1.QueryStringConfig.Values.member.2.Value", "b",
			"Conditions.member.1.QueryStringConfig.Values.member.3.Value", "c", "Conditions.member.1.QueryStringConfig.Values.member.4.Value", "d",
			"Conditions.member.1.QueryStringConfig.Values.member.5.Value", "e", "Conditions.member.1.QueryStringConfig.Values.member.6.Value", "f"}, act...), "ValidationError"},
		{"authentication on an HTTP listener", append(append([]string{"Priority", "1"}, host("a.com")...), "Actions.member.1.Type", "authenticate-cognito", "Actions.member.1.Order", "1",
			"Actions.member.2.Type", "fixed-response", "Actions.member.2.Order", "2", "Actions.member.2.FixedResponseConfig.StatusCode", "200"), "InvalidConfigurationRequest"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h.fail(tt.code, "CreateRule", append([]string{"ListenerArn", l.ListenerArn}, tt.args...)...)
			if n := len(h.rules(l.ListenerArn)); n != 1 {
				t.Errorf("a failed create left %d rules", n)
			}
		})
	}
	h.fail("ListenerNotFound", "CreateRule", append(append([]string{"ListenerArn", l.ListenerArn + "0", "Priority", "1"}, host("a.com")...), act...)...)
	// Every condition kind in one rule.
	r := h.ok("CreateRule", append([]string{"ListenerArn", l.ListenerArn, "Priority", "1",
		"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.PathPatternConfig.Values.member.1", "/api/*",
		"Conditions.member.2.Field", "http-header", "Conditions.member.2.HttpHeaderConfig.HttpHeaderName", "X-Env", "Conditions.member.2.HttpHeaderConfig.Values.member.1", "prod",
		"Conditions.member.3.Field", "http-request-method", "Conditions.member.3.HttpRequestMethodConfig.Values.member.1", "GET",
		"Conditions.member.4.Field", "query-string", "Conditions.member.4.QueryStringConfig.Values.member.1.Key", "v", "Conditions.member.4.QueryStringConfig.Values.member.1.Value", "2",
		"Conditions.member.5.Field", "source-ip", "Conditions.member.5.SourceIpConfig.Values.member.1", "10.0.0.0/8",
	}, act...)...).(*rulesResult).Rules[0]
	mustContain(t, render(t, "CreateRule", &rulesResult{Rules: []xRule{r}}),
		"<PathPatternConfig><Values><member>/api/*</member></Values></PathPatternConfig>",
		"<HttpHeaderConfig><HttpHeaderName>X-Env</HttpHeaderName><Values><member>prod</member></Values></HttpHeaderConfig>",
		"<QueryStringConfig><Values><member><Key>v</Key><Value>2</Value></member></Values></QueryStringConfig>",
		"<SourceIpConfig><Values><member>10.0.0.0/8</member></Values></SourceIpConfig>")
	// Regex values are stored and returned for host, path and header.
	r = h.ok("CreateRule", append([]string{"ListenerArn", l.ListenerArn, "Priority", "2",
		"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.PathPatternConfig.RegexValues.member.1", "^/api/v[0-9]+$",
		"Conditions.member.2.Field", "http-header", "Conditions.member.2.HttpHeaderConfig.HttpHeaderName", "X-Env",
		"Conditions.member.2.HttpHeaderConfig.RegexValues.member.1", "^pr.d$",
		"Conditions.member.3.Field", "host-header", "Conditions.member.3.RegexValues.member.1", "^a[.]example[.]com$",
	}, act...)...).(*rulesResult).Rules[0]
	mustContain(t, render(t, "CreateRule", &rulesResult{Rules: []xRule{r}}),
		"<PathPatternConfig><Values></Values><RegexValues><member>^/api/v[0-9]+$</member></RegexValues></PathPatternConfig>",
		"<HttpHeaderConfig><HttpHeaderName>X-Env</HttpHeaderName><Values></Values><RegexValues><member>^pr.d$</member></RegexValues></HttpHeaderConfig>",
		"<HostHeaderConfig><Values></Values><RegexValues><member>^a[.]example[.]com$</member></RegexValues></HostHeaderConfig>")
}

func TestTooManyRulesCountsEveryListenerOfTheALB(t *testing.T) {
	h := newHarness(t)
	h.b.Quotas.RulesPerALB = 2
	lb := h.alb("web")
	l1 := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	l2 := h.listener(lb.LoadBalancerArn, "81", fixed404()...)
	h.rule(l1.ListenerArn, "1", "a.com")
	h.rule(l2.ListenerArn, "1", "b.com")
	h.fail("TooManyRules", "CreateRule", "ListenerArn", l2.ListenerArn, "Priority", "2",
		"Conditions.member.1.Field", "host-header", "Conditions.member.1.Values.member.1", "c.com",
		"Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "200")
}

func TestSetRulePrioritiesIsAtomic(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	r1 := h.rule(l.ListenerArn, "1", "a.com")
	r2 := h.rule(l.ListenerArn, "2", "b.com")
	r3 := h.rule(l.ListenerArn, "3", "c.com")
	// Swapping 1 and 2 is fine because both move.
	res := h.ok("SetRulePriorities", "RulePriorities.member.1.RuleArn", r1.RuleArn, "RulePriorities.member.1.Priority", "2",
		"RulePriorities.member.2.RuleArn", r2.RuleArn, "RulePriorities.member.2.Priority", "1").(*rulesResult)
	if len(res.Rules) != 2 || res.Rules[0].RuleArn != r2.RuleArn || res.Rules[0].Priority != "1" {
		t.Errorf("swap result %+v", res.Rules)
	}
	// Moving 1 onto 3 (not moving) clashes, and the other pair is not applied.
	h.fail("PriorityInUse", "SetRulePriorities", "RulePriorities.member.1.RuleArn", r2.RuleArn, "RulePriorities.member.1.Priority", "7",
		"RulePriorities.member.2.RuleArn", r1.RuleArn, "RulePriorities.member.2.Priority", "3")
	rs := h.rules(l.ListenerArn)
	if rs[0].RuleArn != r2.RuleArn || rs[0].Priority != "1" || rs[2].RuleArn != r3.RuleArn {
		t.Errorf("a failed SetRulePriorities changed priorities: %+v", rs)
	}
	h.fail("RuleNotFound", "SetRulePriorities", "RulePriorities.member.1.RuleArn", r1.RuleArn+"0", "RulePriorities.member.1.Priority", "9")
	h.fail("ValidationError", "SetRulePriorities", "RulePriorities.member.1.RuleArn", r1.RuleArn, "RulePriorities.member.1.Priority", "0")
}

func TestModifyAndDeleteRule(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	r := h.rule(l.ListenerArn, "1", "a.com")
	got := h.ok("ModifyRule", "RuleArn", r.RuleArn, "Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", tg.TargetGroupArn).(*rulesResult).Rules[0]
	if got.Actions[0].TargetGroupArn != tg.TargetGroupArn || got.Conditions[0].Values[0] != "a.com" {
		t.Errorf("modified %+v", got)
	}
	h.fail("RuleNotFound", "ModifyRule", "RuleArn", r.RuleArn+"0")
	h.fail("ValidationError", "ModifyRule", "RuleArn", "arn:nope")
	h.ok("DeleteRule", "RuleArn", r.RuleArn)
	h.fail("RuleNotFound", "DeleteRule", "RuleArn", r.RuleArn)
	h.fail("RuleNotFound", "DescribeRules", "RuleArns.member.1", r.RuleArn)
	h.ok("DeleteTargetGroup", "TargetGroupArn", tg.TargetGroupArn) // no longer referenced
}

func TestRedirectDefaultsAreFilledIn(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	l := h.listener(lb.LoadBalancerArn, "80", "DefaultActions.member.1.Type", "redirect",
		"DefaultActions.member.1.RedirectConfig.Protocol", "HTTPS", "DefaultActions.member.1.RedirectConfig.Port", "443",
		"DefaultActions.member.1.RedirectConfig.StatusCode", "HTTP_301")
	r := l.DefaultActions[0].RedirectConfig
	if r.Protocol != "HTTPS" || r.Port != "443" || r.Host != "#{host}" || r.Path != "/#{path}" || r.Query != "#{query}" || r.StatusCode != "HTTP_301" {
		t.Errorf("redirect %+v", r)
	}
	if !strings.Contains(render(t, "CreateListener", &listenersResult{Listeners: []xListener{l}}), "<RedirectConfig><Protocol>HTTPS</Protocol>") {
		t.Errorf("redirect not rendered")
	}
}

func TestWeightedForwardRuleLimits(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	var tgs []string
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		tgs = append(tgs, h.tg("tg-"+n).TargetGroupArn)
	}
	base := []string{"ListenerArn", l.ListenerArn, "Priority", "1",
		"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.PathPatternConfig.Values.member.1", "/a",
		"Actions.member.1.Type", "forward"}
	fwd := func(weights ...string) []string {
		out := slices.Clone(base)
		for i, w := range weights {
			p := "Actions.member.1.ForwardConfig.TargetGroups.member." + strconv.Itoa(i+1)
			out = append(out, p+".TargetGroupArn", tgs[i], p+".Weight", w)
		}
		return out
	}
	sticky := func(args []string, kv ...string) []string {
		for i := 0; i < len(kv); i += 2 {
			args = append(args, "Actions.member.1.ForwardConfig.TargetGroupStickinessConfig."+kv[i], kv[i+1])
		}
		return args
	}
	for _, tt := range []struct {
		name string
		args []string
		code string
	}{
		{"a weight of 1000", fwd("1000", "1"), "ValidationError"},
		{"a negative weight", fwd("-1", "1"), "ValidationError"},
		{"six target groups", fwd("1", "1", "1", "1", "1", "1"), "InvalidConfigurationRequest"},
		{"a stickiness duration of 0", sticky(fwd("1", "1"), "Enabled", "true", "DurationSeconds", "0"), "ValidationError"},
		{"a stickiness duration of 604801", sticky(fwd("1", "1"), "Enabled", "true", "DurationSeconds", "604801"), "ValidationError"},
		{"stickiness without a duration", sticky(fwd("1", "1"), "Enabled", "true"), "ValidationError"},
		{"one target group twice", append(fwd("1"), "Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", tgs[0],
			"Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "1"), "ValidationError"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h.fail(tt.code, "CreateRule", tt.args...)
		})
	}
	// The edges are accepted and returned as given.
	r := h.ok("CreateRule", sticky(fwd("0", "999", "1", "1", "1"), "Enabled", "true", "DurationSeconds", "604800")...).(*rulesResult).Rules[0]
	mustContain(t, render(t, "CreateRule", &rulesResult{Rules: []xRule{r}}),
		"<Weight>0</Weight>", "<Weight>999</Weight>",
		"<TargetGroupStickinessConfig><Enabled>true</Enabled><DurationSeconds>604800</DurationSeconds></TargetGroupStickinessConfig>")
}

func TestRuleTransforms(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	l := h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	base := func(prio string) []string {
		return []string{"ListenerArn", l.ListenerArn, "Priority", prio,
			"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.PathPatternConfig.Values.member.1", "/a",
			"Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "200"}
	}
	tr := func(n int, typ, cfg, regex, replace string) []string {
		p := "Transforms.member." + strconv.Itoa(n) + "."
		return []string{p + "Type", typ, p + cfg + ".Rewrites.member.1.Regex", regex, p + cfg + ".Rewrites.member.1.Replace", replace}
	}
	url := func(n int, regex, replace string) []string {
		return tr(n, "url-rewrite", "UrlRewriteConfig", regex, replace)
	}
	host := func(n int, regex, replace string) []string {
		return tr(n, "host-header-rewrite", "HostHeaderRewriteConfig", regex, replace)
	}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"an unknown type", append(base("1"), "Transforms.member.1.Type", "cookie-rewrite")},
		{"two url rewrites", append(append(base("1"), url(1, "^/a", "/b")...), url(2, "^/c", "/d")...)},
		{"a transform without rewrites", append(base("1"), "Transforms.member.1.Type", "url-rewrite")},
		{"a rewrite without a replacement", append(base("1"), "Transforms.member.1.Type", "url-rewrite",
			"Transforms.member.1.UrlRewriteConfig.Rewrites.member.1.Regex", "^/a")},
		{"a regex that does not compile", append(base("1"), url(1, "^(/a", "/b")...)},
		{"a regex longer than 1,024 characters", append(base("1"), url(1, strings.Repeat("a", 1025), "/b")...)},
		{"the other type's config", append(base("1"), tr(1, "url-rewrite", "HostHeaderRewriteConfig", "^a", "b")...)},
	} {
		t.Run(tt.name+" is a ValidationError", func(t *testing.T) {
			h.fail("ValidationError", "CreateRule", tt.args...)
		})
	}
	r := h.ok("CreateRule", append(append(base("1"), url(1, "^/api/(.*)$", "/$1")...), host(2, "^old[.]example[.]com$", "new.example.com")...)...).(*rulesResult).Rules[0]
	mustContain(t, render(t, "CreateRule", &rulesResult{Rules: []xRule{r}}),
		"<Transforms><member><Type>url-rewrite</Type><UrlRewriteConfig><Rewrites><member><Regex>^/api/(.*)$</Regex><Replace>/$1</Replace></member></Rewrites></UrlRewriteConfig></member>",
		"<member><Type>host-header-rewrite</Type><HostHeaderRewriteConfig><Rewrites><member><Regex>^old[.]example[.]com$</Regex><Replace>new.example.com</Replace></member></Rewrites></HostHeaderRewriteConfig></member></Transforms>")

	// ModifyRule keeps transforms unless told; ResetTransforms drops them.
	count := func() int { return len(h.rules(l.ListenerArn)[0].Transforms.membersOrNil()) }
	h.ok("ModifyRule", "RuleArn", r.RuleArn, "Conditions.member.1.Field", "path-pattern", "Conditions.member.1.PathPatternConfig.Values.member.1", "/b")
	if n := count(); n != 2 {
		t.Errorf("after a ModifyRule without transforms: %d transforms, want 2 kept", n)
	}
	h.fail("ValidationError", "ModifyRule", append([]string{"RuleArn", r.RuleArn, "ResetTransforms", "true"}, url(1, "^/x", "/y")...)...)
	h.ok("ModifyRule", append([]string{"RuleArn", r.RuleArn}, url(1, "^/x", "/y")...)...)
	if n := count(); n != 1 {
		t.Errorf("after a ModifyRule with one transform: %d transforms, want 1", n)
	}
	h.ok("ModifyRule", "RuleArn", r.RuleArn, "ResetTransforms", "true")
	if n := count(); n != 0 {
		t.Errorf("after ResetTransforms: %d transforms, want 0", n)
	}
	h.fail("ValidationError", "ModifyRule", "RuleArn", r.RuleArn, "ResetTransforms", "maybe")
}
