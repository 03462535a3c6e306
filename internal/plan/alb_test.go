package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

const testCert = "arn:aws:acm:us-west-2:123456789012:certificate/one"

func albTG(id string) model.TargetGroup {
	return model.TargetGroup{ResourceID: id, Name: "k8s-" + id, Port: 8080, Protocol: "HTTP", ProtocolVersion: "HTTP1", TargetType: "ip",
		HealthCheck: model.HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Interval: 15, Timeout: 5, Healthy: 2, Unhealthy: 2, Matcher: "200"},
		Targets:     []model.Target{{ID: "10.0.1.5", Port: 8080}}, Tags: map[string]string{"ingress.k8s.aws/resource": id}}
}

func fwd(tg string) model.Action { return model.Action{Type: model.ActionForward, TargetGroup: tg} }

func rule(port, prio int32, path string, a model.Action) model.ListenerRule {
	return model.ListenerRule{Priority: prio, Conditions: []model.Condition{{Field: "path-pattern", Values: []string{path}}},
		Actions: []model.Action{a}, Tags: map[string]string{"ingress.k8s.aws/resource": fmt.Sprintf("%d:%d", port, prio)}}
}

// albStack is an Ingress group: HTTP 80 redirecting to HTTPS 443, which
// answers 404 by default and routes /a and /b to two target groups.
func albStack() model.Stack {
	a := albTG("ns/ing-a:80")
	a.Attributes = map[string]string{"deregistration_delay.timeout_seconds": "30"}
	return model.Stack{
		ID: naming.ExplicitIngressStack("grp"),
		LoadBalancer: &model.LoadBalancer{Name: "k8s-grp-1", Type: model.TypeApplication, Scheme: "internet-facing",
			Subnets: []string{"subnet-1", "subnet-2"}, SecurityGroups: []model.SGRef{{Kind: model.RefManaged}, {Kind: model.RefBackend}},
			Tags: map[string]string{"ingress.k8s.aws/resource": "LoadBalancer"}, Attributes: map[string]string{"idle_timeout.timeout_seconds": "120"}},
		ManagedSG:    &model.ManagedSG{Name: "k8s-grp-sg", Ingress: rules.Set{rules.MustKey("tcp", 443, 443, "0.0.0.0/0"): ""}},
		TargetGroups: []model.TargetGroup{a, albTG("ns/ing-b:80")},
		Listeners: []model.Listener{
			{Port: 80, Protocol: "HTTP", DefaultAction: &model.Action{Type: model.ActionRedirect,
				Redirect: &model.Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}},
				Tags: map[string]string{"ingress.k8s.aws/resource": "80"}},
			{Port: 443, Protocol: "HTTPS", Certificates: []string{testCert}, SSLPolicy: "ELBSecurityPolicy-2016-08",
				DefaultAction: &model.Action{Type: model.ActionFixedResponse, FixedResponse: &model.FixedResponse{StatusCode: "404", ContentType: "text/plain"}},
				Rules: []model.ListenerRule{
					rule(443, 1, "/a", fwd("ns/ing-a:80")),
					rule(443, 2, "/b", fwd("ns/ing-b:80")),
				},
				Tags: map[string]string{"ingress.k8s.aws/resource": "443"}},
		},
	}
}

// observedRules is what AWS reports for desired rules, forwards by ARN.
func observedRules(rs []model.ListenerRule, arns map[string]string) []ObservedRule {
	var out []ObservedRule
	for _, r := range rs {
		o := ObservedRule{ARN: fmt.Sprintf("arn:rule/%d", r.Priority), Priority: r.Priority, Conditions: slices.Clone(r.Conditions),
			Tags: maps.Clone(r.Tags)}
		for _, a := range r.Actions {
			if a.TargetGroup != "" {
				a.TargetGroup = arns[a.TargetGroup]
			}
			o.Actions = append(o.Actions, a)
		}
		out = append(out, o)
	}
	return out
}

// albConverged is what AWS holds once albStack() is applied, with AWS's
// redirect defaults filled in.
func albConverged() Snapshot {
	s := albStack()
	arns := map[string]string{"ns/ing-a:80": "arn:tg/a", "ns/ing-b:80": "arn:tg/b"}
	o := Snapshot{
		BackendSG: "sg-b", Cluster: "c",
		LoadBalancer: &ObservedLB{ARN: "arn:lb", Type: model.TypeApplication, Scheme: "internet-facing", SecurityGroups: []string{"sg-m", "sg-b"},
			Tags:       map[string]string{"ingress.k8s.aws/resource": "LoadBalancer"},
			Attributes: map[string]string{"idle_timeout.timeout_seconds": "120", "deletion_protection.enabled": "false"}},
		ManagedSGs: []ObservedSG{{ID: "sg-m", Ingress: s.ManagedSG.Ingress.Clone()}},
		Listeners: []ObservedListener{
			{ARN: "arn:l80", Port: 80, Protocol: "HTTP", Tags: map[string]string{"ingress.k8s.aws/resource": "80"},
				DefaultActions: []model.Action{{Type: model.ActionRedirect, Redirect: &model.Redirect{Protocol: "HTTPS", Port: "443",
					Host: "#{host}", Path: "/#{path}", Query: "#{query}", StatusCode: "HTTP_301"}}}},
			{ARN: "arn:l443", Port: 443, Protocol: "HTTPS", Certificates: []string{testCert}, SSLPolicy: "ELBSecurityPolicy-2016-08",
				ExtraCertificates: []string{testCert},
				Tags:              map[string]string{"ingress.k8s.aws/resource": "443", "aws:cloudformation:x": "y"},
				DefaultActions:    []model.Action{*s.Listeners[1].DefaultAction}, Rules: observedRules(s.Listeners[1].Rules, arns)},
		},
	}
	for _, tg := range s.TargetGroups {
		o.TargetGroups = append(o.TargetGroups, ObservedTG{ARN: arns[tg.ResourceID], ResourceID: tg.ResourceID, Port: tg.Port,
			Protocol: tg.Protocol, ProtocolVersion: tg.ProtocolVersion, TargetType: tg.TargetType, HealthCheck: tg.HealthCheck,
			Targets: tg.Targets, Tags: maps.Clone(tg.Tags), Attributes: map[string]string{"stickiness.enabled": "false"}})
		maps.Copy(o.TargetGroups[len(o.TargetGroups)-1].Attributes, tg.Attributes)
	}
	return o
}

// withRules replaces the HTTPS listener's rules.
func withRules(rs ...model.ListenerRule) func() model.Stack {
	return func() model.Stack {
		s := albStack()
		s.Listeners[1].Rules = rs
		return s
	}
}

func TestDiffALB(t *testing.T) {
	a, b := fwd("ns/ing-a:80"), fwd("ns/ing-b:80")
	for _, tt := range []struct {
		name     string
		desired  func() model.Stack
		observed func() Snapshot
		want     string
	}{
		{name: "a new group creates SG, TGs, the ALB with its attributes, listeners, then the rules",
			desired: albStack, observed: func() Snapshot { return Snapshot{} },
			want: "CreateSecurityGroup AuthorizeIngress CreateTargetGroup CreateTargetGroup ModifyTargetGroupAttributes RegisterTargets RegisterTargets " +
				"CreateLoadBalancer ModifyLoadBalancerAttributes CreateListener CreateListener AddListenerCertificates CreateRule CreateRule"},
		{name: "a converged group needs nothing, AWS's redirect defaults and extra attributes included",
			desired: albStack, observed: albConverged, want: ""},
		{name: "a rule inserted in the middle moves the later rule and creates the new one",
			desired: withRules(rule(443, 1, "/a", a), rule(443, 2, "/new", b), rule(443, 3, "/b", b)), observed: albConverged,
			want: "TagResource SetRulePriorities CreateRule"},
		{name: "removing the first rule moves the second up and parks the doomed one out of its way",
			desired: withRules(rule(443, 1, "/b", b)), observed: albConverged,
			want: "TagResource SetRulePriorities DeleteRule"},
		{name: "swapped rules swap priorities in one call",
			desired: withRules(rule(443, 1, "/b", b), rule(443, 2, "/a", a)), observed: albConverged,
			want: "TagResource TagResource SetRulePriorities"},
		{name: "a rule whose path changes is modified in place",
			desired: withRules(rule(443, 1, "/a", a), rule(443, 2, "/bee", b)), observed: albConverged,
			want: "ModifyRule"},
		{name: "a rule switching to a fixed response is modified in place",
			desired: withRules(rule(443, 1, "/a", a), rule(443, 2, "/b",
				model.Action{Type: model.ActionFixedResponse, FixedResponse: &model.FixedResponse{StatusCode: "503"}})),
			observed: albConverged, want: "ModifyRule"},
		{name: "a rule removed from the end is deleted",
			desired: withRules(rule(443, 1, "/a", a)), observed: albConverged, want: "DeleteRule"},
		{name: "a default action change modifies the listener only",
			desired: func() model.Stack {
				s := albStack()
				s.Listeners[1].DefaultAction = new(fwd("ns/ing-a:80"))
				return s
			}, observed: albConverged, want: "ModifyListener"},
		{name: "a new default certificate modifies the listener and swaps it on the certificate list",
			desired: func() model.Stack {
				s := albStack()
				s.Listeners[1].Certificates = []string{"arn:aws:acm:us-west-2:123456789012:certificate/two"}
				return s
			}, observed: albConverged, want: "ModifyListener RemoveListenerCertificates AddListenerCertificates"},
		{name: "a new SSL policy modifies the listener",
			desired: func() model.Stack {
				s := albStack()
				s.Listeners[1].SSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
				return s
			}, observed: albConverged, want: "ModifyListener"},
		{name: "a hand-added listener tag is removed, aws: tags kept",
			desired: albStack, observed: func() Snapshot {
				o := albConverged()
				o.Listeners[0].Tags["hand"] = "x"
				return o
			}, want: "TagResource"},
		{name: "an added security group is set on the ALB",
			desired: func() model.Stack {
				s := albStack()
				s.LoadBalancer.SecurityGroups = append(s.LoadBalancer.SecurityGroups, model.SGRef{Kind: model.RefID, ID: "sg-extra"})
				return s
			}, observed: albConverged, want: "SetSecurityGroups"},
		{name: "an ALB without SGs gets the desired ones",
			desired: albStack, observed: func() Snapshot {
				o := albConverged()
				o.LoadBalancer.SecurityGroups = nil
				return o
			}, want: "SetSecurityGroups"},
		{name: "a changed attribute is written alone; attributes left out are kept",
			desired: func() model.Stack {
				s := albStack()
				s.LoadBalancer.Attributes = map[string]string{"idle_timeout.timeout_seconds": "60"}
				return s
			}, observed: albConverged, want: "ModifyLoadBalancerAttributes"},
		{name: "a protocol-version change replaces the TG and repoints the rule",
			desired: func() model.Stack {
				s := albStack()
				s.TargetGroups[0].ProtocolVersion = "HTTP2"
				return s
			}, observed: albConverged, want: "CreateTargetGroup ModifyTargetGroupAttributes RegisterTargets ModifyRule DeleteTargetGroup"},
		{name: "a changed TG attribute is written alone; attributes left out are kept",
			desired: func() model.Stack {
				s := albStack()
				s.TargetGroups[1].Attributes = map[string]string{"stickiness.enabled": "false", "slow_start.duration_seconds": "30"}
				return s
			}, observed: albConverged, want: "ModifyTargetGroupAttributes"},
		{name: "a health-check path change modifies the TG",
			desired: func() model.Stack {
				s := albStack()
				s.TargetGroups[1].HealthCheck.Path = "/healthz"
				return s
			}, observed: albConverged, want: "ModifyTargetGroup"},
		{name: "a success-code change modifies the TG",
			desired: func() model.Stack {
				s := albStack()
				s.TargetGroups[1].HealthCheck.Matcher = "200-299"
				return s
			}, observed: albConverged, want: "ModifyTargetGroup"},
		{name: "an NLB with the ALB's name is replaced, listeners and rules recreated",
			desired: albStack, observed: func() Snapshot {
				o := albConverged()
				o.LoadBalancer.Type = model.TypeNetwork
				return o
			}, want: "DeleteLoadBalancer CreateLoadBalancer ModifyLoadBalancerAttributes CreateListener CreateListener AddListenerCertificates CreateRule CreateRule"},
		{name: "an empty group tears down listeners, the ALB, TGs, then the SG",
			desired:  func() model.Stack { return model.Stack{ID: naming.ExplicitIngressStack("grp")} },
			observed: albConverged,
			want:     "DeleteListener DeleteListener DeleteLoadBalancer DeleteTargetGroup DeleteTargetGroup DeleteSecurityGroup"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			desired, observed := tt.desired(), tt.observed()
			got := Diff(desired, observed)
			if k := kinds(got); k != tt.want {
				t.Errorf("actions:\n got %s\nwant %s\n%v", k, tt.want, got)
			}
			if !slices.IsSortedFunc(got, func(a, b Action) int { return int(a.Kind) - int(b.Kind) }) {
				t.Error("actions not in dependency order")
			}
			if desired.LoadBalancer != nil && observed.LoadBalancer != nil && observed.LoadBalancer.Type == model.TypeApplication {
				checkRulePriorities(t, desired.Listeners[1], observed.Listeners[1], got)
			}
		})
	}
}

// checkRulePriorities plays the rule actions of one listener against its
// observed priorities, as AWS would, and fails on a PriorityInUse or on an
// end state other than the desired priorities.
func checkRulePriorities(t *testing.T, d model.Listener, o ObservedListener, acts []Action) {
	t.Helper()
	prio := map[string]int32{}
	for _, r := range o.Rules {
		prio[r.ARN] = r.Priority
	}
	inUse := func(p int32, except string) bool {
		for arn, q := range prio {
			if q == p && arn != except {
				return true
			}
		}
		return false
	}
	created := 0
	for _, a := range acts {
		switch a.Kind {
		case SetRulePriorities:
			next := maps.Clone(prio)
			maps.Copy(next, a.Priorities)
			seen := map[int32]bool{}
			for _, p := range next {
				if seen[p] {
					t.Fatalf("SetRulePriorities %v: priority %d in use", a.Priorities, p)
				}
				seen[p] = true
			}
			prio = next
		case CreateRule:
			if a.ARN != o.ARN || a.Listener == nil || a.Listener.Port != d.Port {
				continue
			}
			if inUse(a.Rule.Priority, "") {
				t.Fatalf("CreateRule %d: priority in use (%v)", a.Rule.Priority, prio)
			}
			created++
			prio[fmt.Sprintf("new-%d", created)] = a.Rule.Priority
		case DeleteRule:
			delete(prio, a.ARN)
		default:
		}
	}
	var want, have []int32
	for _, r := range d.Rules {
		want = append(want, r.Priority)
	}
	for _, p := range prio {
		have = append(have, p)
	}
	slices.Sort(have)
	if !slices.Equal(want, have) {
		t.Errorf("rule priorities after the actions: %v, want %v", have, want)
	}
}

func TestRuleInsertedInTheMiddleMovesOnlyWhatFollows(t *testing.T) {
	a, b := fwd("ns/ing-a:80"), fwd("ns/ing-b:80")
	got := Diff(withRules(rule(443, 1, "/a", a), rule(443, 2, "/new", b), rule(443, 3, "/b", b))(), albConverged())
	for _, act := range got {
		switch act.Kind {
		case SetRulePriorities:
			if want := map[string]int32{"arn:rule/2": 3}; !maps.Equal(act.Priorities, want) {
				t.Errorf("priorities %v, want %v", act.Priorities, want)
			}
		case CreateRule:
			if act.Rule.Priority != 2 || act.ARN != "arn:l443" || act.Rule.Conditions[0].Values[0] != "/new" {
				t.Errorf("created %d on %s: %v", act.Rule.Priority, act.ARN, act.Rule.Conditions)
			}
		case TagResource:
			if act.ARN != "arn:rule/2" || act.SetTags["ingress.k8s.aws/resource"] != "443:3" {
				t.Errorf("tagged %s with %v", act.ARN, act.SetTags)
			}
		default:
			t.Errorf("unexpected %v", act)
		}
	}
}

func TestDoomedRuleIsParkedOnAFreePriority(t *testing.T) {
	got := Diff(withRules(rule(443, 1, "/b", fwd("ns/ing-b:80")))(), albConverged())
	i := slices.IndexFunc(got, func(a Action) bool { return a.Kind == SetRulePriorities })
	if i < 0 {
		t.Fatalf("no SetRulePriorities in %v", got)
	}
	if p := got[i].Priorities; p["arn:rule/2"] != 1 || p["arn:rule/1"] <= 2 {
		t.Errorf("priorities %v: want the kept rule on 1 and the doomed one above every used priority", p)
	}
}

func TestOnlyDifferingAttributesAreWritten(t *testing.T) {
	s := albStack()
	s.LoadBalancer.Attributes = map[string]string{"idle_timeout.timeout_seconds": "120", "routing.http2.enabled": "false"}
	s.TargetGroups[0].Attributes = map[string]string{"deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "true"}
	for _, a := range Diff(s, albConverged()) {
		var want map[string]string
		switch a.Kind {
		case ModifyLoadBalancerAttributes:
			want = map[string]string{"routing.http2.enabled": "false"}
		case ModifyTargetGroupAttributes:
			want = map[string]string{"stickiness.enabled": "true"}
		default:
			t.Errorf("unexpected %v", a)
			continue
		}
		if !maps.Equal(a.Attributes, want) {
			t.Errorf("%v writes %v, want %v", a.Kind, a.Attributes, want)
		}
	}
}

// routedStack is albStack with rule 2 forwarding by weight (with
// stickiness) under header, query-string, source-ip and regex path
// conditions, and observedRouted what AWS reports for it.
func routedStack(edit func(r *model.ListenerRule)) func() model.Stack {
	return func() model.Stack {
		s := albStack()
		on := true
		r := &s.Listeners[1].Rules[1]
		r.Conditions = []model.Condition{
			{Field: "http-header", HTTPHeaderName: "X-Env", Values: []string{"prod"}},
			{Field: "query-string", QueryString: []model.QueryPair{{Key: "v", Value: "2"}, {Value: "beta"}}},
			{Field: "source-ip", Values: []string{"10.0.0.0/8"}},
			{Field: "path-pattern", RegexValues: []string{"^/b/v[0-9]+$"}},
		}
		r.Actions = []model.Action{{Type: model.ActionForward, Forward: &model.Forward{
			TargetGroups: []model.WeightedTarget{{TargetGroup: "ns/ing-a:80", Weight: new(int32(20))}, {TargetGroup: "ns/ing-b:80", Weight: new(int32(80))}},
			Stickiness:   &model.Stickiness{Enabled: &on, DurationSeconds: new(int32(300))}}}}
		if edit != nil {
			edit(r)
		}
		return s
	}
}

func observedRouted() Snapshot {
	o := albConverged()
	on := true
	r := &o.Listeners[1].Rules[1]
	r.Conditions = []model.Condition{
		{Field: "path-pattern", RegexValues: []string{"^/b/v[0-9]+$"}},
		{Field: "source-ip", Values: []string{"10.0.0.0/8"}},
		{Field: "http-header", HTTPHeaderName: "X-Env", Values: []string{"prod"}},
		{Field: "query-string", QueryString: []model.QueryPair{{Key: "v", Value: "2"}, {Value: "beta"}}},
	}
	// AWS lists the targets in its own order.
	r.Actions = []model.Action{{Type: model.ActionForward, Forward: &model.Forward{
		TargetGroups: []model.WeightedTarget{{ARN: "arn:tg/b", Weight: new(int32(80))}, {ARN: "arn:tg/a", Weight: new(int32(20))}},
		Stickiness:   &model.Stickiness{Enabled: &on, DurationSeconds: new(int32(300))}}}}
	return o
}

func TestRoutingRulesAreModifiedInPlace(t *testing.T) {
	for _, tt := range []struct {
		name     string
		desired  func() model.Stack
		observed func() Snapshot
		want     string
	}{
		{name: "converged: conditions in any order, targets in any order", desired: routedStack(nil), observed: observedRouted},
		{name: "a changed header value", desired: routedStack(func(r *model.ListenerRule) { r.Conditions[0].Values = []string{"staging"} }),
			observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a changed header name", desired: routedStack(func(r *model.ListenerRule) { r.Conditions[0].HTTPHeaderName = "X-Stage" }),
			observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a changed query-string key", desired: routedStack(func(r *model.ListenerRule) { r.Conditions[1].QueryString[0].Key = "w" }),
			observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a changed source CIDR", desired: routedStack(func(r *model.ListenerRule) { r.Conditions[2].Values = []string{"192.0.2.0/24"} }),
			observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a regex path becoming a pattern", desired: routedStack(func(r *model.ListenerRule) {
			r.Conditions[3] = model.Condition{Field: "path-pattern", Values: []string{"^/b/v[0-9]+$"}}
		}), observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a changed weight", desired: routedStack(func(r *model.ListenerRule) { r.Actions[0].Forward.TargetGroups[0].Weight = new(int32(50)) }),
			observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a changed stickiness duration", desired: routedStack(func(r *model.ListenerRule) { r.Actions[0].Forward.Stickiness.DurationSeconds = new(int32(60)) }),
			observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "stickiness the annotation does not state is left as AWS has it",
			desired: routedStack(func(r *model.ListenerRule) { r.Actions[0].Forward.Stickiness = nil }), observed: observedRouted},
		{name: "a weighted forward narrowed to one Service target",
			desired: routedStack(func(r *model.ListenerRule) {
				r.Actions[0].Forward = &model.Forward{TargetGroups: []model.WeightedTarget{{TargetGroup: "ns/ing-b:80"}}}
			}), observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "a lone target's weight is not compared",
			desired: withRules(rule(443, 1, "/a", fwd("ns/ing-a:80")), rule(443, 2, "/b", model.Action{Type: model.ActionForward,
				Forward: &model.Forward{TargetGroups: []model.WeightedTarget{{TargetGroup: "ns/ing-b:80", Weight: new(int32(7))}}}})),
			observed: albConverged},
		{name: "an added transform", desired: routedStack(func(r *model.ListenerRule) {
			r.Transforms = []model.Transform{{Type: model.TransformURLRewrite, Rewrites: []model.Rewrite{{Regex: "^/b/(.*)$", Replace: "/$1"}}}}
		}), observed: observedRouted, want: "ModifyRule arn:rule/2"},
		{name: "transforms in another order",
			desired: routedStack(func(r *model.ListenerRule) {
				r.Transforms = []model.Transform{{Type: model.TransformURLRewrite, Rewrites: []model.Rewrite{{Regex: "^/b", Replace: "/"}}},
					{Type: model.TransformHostHeaderRewrite, Rewrites: []model.Rewrite{{Regex: "^a$", Replace: "b"}}}}
			}),
			observed: func() Snapshot {
				o := observedRouted()
				o.Listeners[1].Rules[1].Transforms = []model.Transform{{Type: model.TransformHostHeaderRewrite, Rewrites: []model.Rewrite{{Regex: "^a$", Replace: "b"}}},
					{Type: model.TransformURLRewrite, Rewrites: []model.Rewrite{{Regex: "^/b", Replace: "/"}}}}
				return o
			}},
		{name: "a removed transform", desired: routedStack(nil), observed: func() Snapshot {
			o := observedRouted()
			o.Listeners[1].Rules[1].Transforms = []model.Transform{{Type: model.TransformURLRewrite, Rewrites: []model.Rewrite{{Regex: "^/b", Replace: "/"}}}}
			return o
		}, want: "ModifyRule arn:rule/2"},
		{name: "a forward by ARN to a target group lbsg does not manage",
			desired: withRules(rule(443, 1, "/a", fwd("ns/ing-a:80")), rule(443, 2, "/b", model.Action{Type: model.ActionForward,
				Forward: &model.Forward{TargetGroups: []model.WeightedTarget{{ARN: "arn:tg/theirs"}}}})),
			observed: albConverged, want: "ModifyRule arn:rule/2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range Diff(tt.desired(), tt.observed()) {
				got = append(got, a.Kind.String()+" "+a.ARN)
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("actions:\n got %s\nwant %s", g, tt.want)
			}
		})
	}
}
