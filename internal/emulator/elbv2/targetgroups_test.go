package elbv2

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// §7 item 45.
func TestCreateTargetGroupDefaults(t *testing.T) {
	h := newHarness(t)
	tg := h.tg("tg")
	want := xTargetGroup{
		TargetGroupArn: tg.TargetGroupArn, TargetGroupName: "tg", Protocol: "HTTP", Port: 80, VpcID: vpcA,
		HealthCheckProtocol: "HTTP", HealthCheckPort: "traffic-port", HealthCheckEnabled: true,
		HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2,
		HealthCheckPath: "/", Matcher: &xMatcher{HTTPCode: "200"}, LoadBalancerArns: []string{}, TargetType: "instance", ProtocolVersion: "HTTP1", IPAddressType: "ipv4",
	}
	if !reflect.DeepEqual(tg, want) {
		t.Errorf("got  %+v\nwant %+v", tg, want)
	}
	if !regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg/[0-9a-f]{16}$`).MatchString(tg.TargetGroupArn) {
		t.Errorf("ARN %q", tg.TargetGroupArn)
	}
	if again := h.tg("tg"); again.TargetGroupArn != tg.TargetGroupArn {
		t.Errorf("identical create is not idempotent")
	}
	msg := h.fail("DuplicateTargetGroupName", "CreateTargetGroup", "Name", "tg", "Protocol", "HTTP", "Port", "81", "VpcId", vpcA)
	if msg != "A target group with the same name 'tg' exists, but with different settings" {
		t.Errorf("message %q", msg)
	}
	nlbTG := h.tg("tcp", "Protocol", "TCP", "TargetType", "ip")
	if nlbTG.HealthCheckProtocol != "TCP" || nlbTG.HealthCheckPath != "" || nlbTG.Matcher != nil || nlbTG.HealthCheckTimeoutSeconds != 10 || nlbTG.ProtocolVersion != "" {
		t.Errorf("TCP defaults %+v", nlbTG)
	}
}

func TestCreateTargetGroupValidation(t *testing.T) {
	base := []string{"Name", "x", "Protocol", "HTTP", "Port", "80", "VpcId", vpcA}
	for _, tt := range []struct {
		name  string
		extra []string
		code  string
	}{
		{"a bad protocol", []string{"Protocol", "FTP"}, "ValidationError"},
		{"port 0", []string{"Port", "0"}, "ValidationError"},
		{"an unknown VPC", []string{"VpcId", "vpc-0123"}, "ValidationError"},
		{"an interval of 4", []string{"HealthCheckIntervalSeconds", "4"}, "ValidationError"},
		{"a healthy threshold of 11", []string{"HealthyThresholdCount", "11"}, "ValidationError"},
		{"a timeout not below the interval", []string{"HealthCheckTimeoutSeconds", "30"}, "InvalidConfigurationRequest"},
		{"a TCP health check on an HTTP group", []string{"HealthCheckProtocol", "TCP"}, "InvalidConfigurationRequest"},
		{"a bad matcher", []string{"Matcher.HttpCode", "2xx"}, "ValidationError"},
		{"a path without a slash", []string{"HealthCheckPath", "health"}, "ValidationError"},
		{"a bad target type", []string{"TargetType", "pod"}, "ValidationError"},
		{"a 33-character name", []string{"Name", strings.Repeat("t", 33)}, "ValidationError"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h := newHarness(t)
			args := append([]string{}, base...)
			for i := 0; i < len(tt.extra); i += 2 {
				replaced := false
				for j := 0; j < len(args); j += 2 {
					if args[j] == tt.extra[i] {
						args[j+1], replaced = tt.extra[i+1], true
					}
				}
				if !replaced {
					args = append(args, tt.extra[i], tt.extra[i+1])
				}
			}
			h.fail(tt.code, "CreateTargetGroup", args...)
			if len(h.b.st.TargetGroups) != 0 {
				t.Errorf("a failed create left a target group")
			}
		})
	}
	h := newHarness(t)
	h.b.Quotas.TargetGroups = 1
	h.tg("one")
	h.fail("TooManyTargetGroups", "CreateTargetGroup", "Name", "two", "Protocol", "HTTP", "Port", "80", "VpcId", vpcA)
}

func TestDescribeAndModifyTargetGroups(t *testing.T) {
	h := newHarness(t)
	a, b := h.tg("a"), h.tg("b", "Port", "8080")
	all := h.ok("DescribeTargetGroups").(*targetGroupsResult).TargetGroups
	if len(all) != 2 || all[0].TargetGroupArn != a.TargetGroupArn {
		t.Errorf("all: %+v", all)
	}
	if got := h.ok("DescribeTargetGroups", "Names.member.1", "b").(*targetGroupsResult).TargetGroups; len(got) != 1 || got[0].Port != 8080 {
		t.Errorf("by name: %+v", got)
	}
	h.fail("TargetGroupNotFound", "DescribeTargetGroups", "Names.member.1", "nope")
	h.fail("TargetGroupNotFound", "DescribeTargetGroups", "TargetGroupArns.member.1", strings.Replace(a.TargetGroupArn, "/a/", "/zz/", 1))
	h.fail("ValidationError", "DescribeTargetGroups", "Names.member.1", "a", "TargetGroupArns.member.1", a.TargetGroupArn)
	page := h.ok("DescribeTargetGroups", "PageSize", "1").(*targetGroupsResult)
	if len(page.TargetGroups) != 1 || page.NextMarker == "" {
		t.Errorf("page: %+v", page)
	}
	got := h.ok("ModifyTargetGroup", "TargetGroupArn", b.TargetGroupArn, "HealthCheckPath", "/healthz",
		"HealthCheckIntervalSeconds", "10", "Matcher.HttpCode", "200-299").(*targetGroupsResult).TargetGroups[0]
	if got.HealthCheckPath != "/healthz" || got.HealthCheckIntervalSeconds != 10 || got.Matcher.HTTPCode != "200-299" || got.Port != 8080 {
		t.Errorf("modified: %+v", got)
	}
	h.fail("InvalidConfigurationRequest", "ModifyTargetGroup", "TargetGroupArn", b.TargetGroupArn, "HealthCheckTimeoutSeconds", "20")
	if h.b.st.TargetGroups[b.TargetGroupArn].HealthCheckTimeoutSeconds != 5 {
		t.Errorf("a failed modify changed the group")
	}
}

func TestTargetGroupAttributes(t *testing.T) {
	h := newHarness(t)
	http := h.tg("web")
	tcp := h.tg("tcp", "Protocol", "TCP")
	attrs := func(arn string) map[string]string {
		m := map[string]string{}
		for _, a := range h.ok("DescribeTargetGroupAttributes", "TargetGroupArn", arn).(*attributesResult).Attributes {
			m[a.Key] = a.Value
		}
		return m
	}
	a := attrs(http.TargetGroupArn)
	for k, v := range map[string]string{"deregistration_delay.timeout_seconds": "300", "stickiness.enabled": "false",
		"stickiness.type": "lb_cookie", "load_balancing.algorithm.type": "round_robin"} {
		if a[k] != v {
			t.Errorf("HTTP group %s = %q, want %q", k, a[k], v)
		}
	}
	n := attrs(tcp.TargetGroupArn)
	if n["stickiness.type"] != "source_ip" || n["proxy_protocol_v2.enabled"] != "false" {
		t.Errorf("TCP group: %v", n)
	}
	h.ok("ModifyTargetGroupAttributes", "TargetGroupArn", http.TargetGroupArn,
		"Attributes.member.1.Key", "deregistration_delay.timeout_seconds", "Attributes.member.1.Value", "10")
	if attrs(http.TargetGroupArn)["deregistration_delay.timeout_seconds"] != "10" {
		t.Errorf("not applied")
	}
	h.fail("InvalidConfigurationRequest", "ModifyTargetGroupAttributes", "TargetGroupArn", http.TargetGroupArn,
		"Attributes.member.1.Key", "proxy_protocol_v2.enabled", "Attributes.member.1.Value", "true")
	h.fail("InvalidConfigurationRequest", "ModifyTargetGroupAttributes", "TargetGroupArn", http.TargetGroupArn,
		"Attributes.member.1.Key", "stickiness.type", "Attributes.member.1.Value", "source_ip")
	h.fail("TargetGroupNotFound", "DescribeTargetGroupAttributes", "TargetGroupArn", strings.Replace(http.TargetGroupArn, "/web/", "/x/", 1))
}

// §7 item 49 and the rest of the target lifecycle.
func TestTargetHealthLifecycle(t *testing.T) {
	h := newHarness(t)
	h.b.Timing.HealthyAfter = 10 * time.Second
	tg := h.tg("tg")
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1, "Targets.member.1.Port", "30080")
	th := h.health(tg.TargetGroupArn)
	same(t, "without a load balancer", th, []xTargetHealthDescription{{Target: xTarget{ID: inst1, Port: 30080}, HealthCheckPort: "30080",
		TargetHealth: xTargetHealth{State: "unused", Reason: "Target.NotInUse", Description: "Target group is not configured to receive traffic from the load balancer"}}})
	h.ok("DeregisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst2)                                 // unknown target: 200
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1, "Targets.member.1.Port", "30080") // no-op
	if n := len(h.health(tg.TargetGroupArn)); n != 1 {
		t.Errorf("re-registering duplicated the target: %d", n)
	}

	lb := h.alb("web")
	h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	same(t, "before HealthyAfter", stateOf(h.health(tg.TargetGroupArn)[0]), "initial/Elb.RegistrationInProgress")
	h.clock.Step(10 * time.Second)
	same(t, "after HealthyAfter", stateOf(h.health(tg.TargetGroupArn)[0]), "healthy/")
	h.ok("DeregisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1, "Targets.member.1.Port", "30080")
	same(t, "after deregistering", stateOf(h.health(tg.TargetGroupArn)[0]), "draining/Target.DeregistrationInProgress")
	h.clock.Step(300 * time.Second) // the default deregistration delay
	if th := h.health(tg.TargetGroupArn); len(th) != 0 {
		t.Errorf("after the delay: %+v", th)
	}
	asked := h.ok("DescribeTargetHealth", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst2).(*targetHealthResult).TargetHealthDescriptions
	if len(asked) != 1 || asked[0].TargetHealth.Reason != "Target.NotRegistered" || asked[0].Target.Port != 80 {
		t.Errorf("an unregistered target asked for: %+v", asked)
	}
}

func TestStoppedInstanceIsUnused(t *testing.T) {
	h := newHarness(t)
	tg := h.tg("tg")
	lb := h.alb("web")
	h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1)
	i := h.net.instances[inst1]
	i.State = "stopped"
	h.net.instances[inst1] = i
	if s := h.health(tg.TargetGroupArn)[0].TargetHealth; s.State != "unused" || s.Reason != "Target.InvalidState" {
		t.Errorf("stopped instance: %+v", s)
	}
}

func TestRegisterTargetsValidation(t *testing.T) {
	h := newHarness(t)
	inst := h.tg("inst")
	ip := h.tg("ip", "TargetType", "ip")
	for _, tt := range []struct {
		name, tg, id, code string
	}{
		{"an unknown instance", inst.TargetGroupArn, "i-0123456789abcdef0", "InvalidTarget"},
		{"a stopped instance", inst.TargetGroupArn, instOff, "InvalidTarget"},
		{"a public IP outside the VPC", ip.TargetGroupArn, "8.8.8.8", "InvalidTarget"},
		{"a malformed IP", ip.TargetGroupArn, "10.0.0", "InvalidTarget"},
		{"an IPv6 address in an IPv4 group", ip.TargetGroupArn, "2600:1f14::1", "InvalidTarget"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h.fail(tt.code, "RegisterTargets", "TargetGroupArn", tt.tg, "Targets.member.1.Id", tt.id)
		})
	}
	for _, addr := range []string{"10.0.3.4", "192.168.1.1", "172.20.0.1", "100.64.1.1"} {
		h.ok("RegisterTargets", "TargetGroupArn", ip.TargetGroupArn, "Targets.member.1.Id", addr)
	}
	h.fail("MissingParameter", "RegisterTargets", "TargetGroupArn", ip.TargetGroupArn)
	h.fail("ValidationError", "RegisterTargets", "TargetGroupArn", ip.TargetGroupArn, "Targets.member.1.Id", "10.0.0.1", "Targets.member.1.Port", "70000")
	h.b.Quotas.TargetsPerTargetGroup = 4
	h.fail("TooManyTargets", "RegisterTargets", "TargetGroupArn", ip.TargetGroupArn, "Targets.member.1.Id", "10.0.0.9")
	h.ok("RegisterTargets", "TargetGroupArn", ip.TargetGroupArn, "Targets.member.1.Id", "10.0.3.4") // already there
	h.fail("TargetGroupNotFound", "RegisterTargets", "TargetGroupArn", strings.Replace(ip.TargetGroupArn, "/ip/", "/zz/", 1), "Targets.member.1.Id", "10.0.0.1")
}

func TestTargetsPerLoadBalancerQuota(t *testing.T) {
	h := newHarness(t)
	h.b.Quotas.TargetsPerALB = 2
	lb := h.alb("web")
	a, b := h.tg("a", "TargetType", "ip"), h.tg("b", "TargetType", "ip")
	l := h.listener(lb.LoadBalancerArn, "80", forward(a.TargetGroupArn)...)
	h.ok("CreateRule", "ListenerArn", l.ListenerArn, "Priority", "1", "Conditions.member.1.Field", "path-pattern",
		"Conditions.member.1.Values.member.1", "/b", "Actions.member.1.Type", "forward", "Actions.member.1.TargetGroupArn", b.TargetGroupArn)
	h.ok("RegisterTargets", "TargetGroupArn", a.TargetGroupArn, "Targets.member.1.Id", "10.0.0.1")
	h.ok("RegisterTargets", "TargetGroupArn", b.TargetGroupArn, "Targets.member.1.Id", "10.0.0.2")
	h.fail("TooManyTargets", "RegisterTargets", "TargetGroupArn", b.TargetGroupArn, "Targets.member.1.Id", "10.0.0.3")
}

func TestNLBTargetGroupMayUseATimeoutEqualToTheInterval(t *testing.T) {
	h := newHarness(t)
	tg := h.tg("nlb", "Protocol", "TCP", "HealthCheckIntervalSeconds", "10", "HealthCheckTimeoutSeconds", "10")
	if tg.HealthCheckTimeoutSeconds != 10 || tg.HealthCheckIntervalSeconds != 10 {
		t.Errorf("got %+v", tg)
	}
	h.fail("InvalidConfigurationRequest", "CreateTargetGroup", "Name", "alb", "Protocol", "HTTP", "Port", "80", "VpcId", vpcA,
		"HealthCheckIntervalSeconds", "10", "HealthCheckTimeoutSeconds", "10")
	http := h.tg("nlbhttp", "Protocol", "TCP", "HealthCheckProtocol", "HTTP", "HealthCheckPath", "/healthz", "Matcher.HttpCode", "200-399")
	if http.HealthCheckPath != "/healthz" || http.Matcher == nil || http.Matcher.HTTPCode != "200-399" || http.HealthCheckProtocol != "HTTP" {
		t.Errorf("NLB group with an HTTP check: %+v", http)
	}
}

// The server runs Describe* calls under a shared lock, so reads must never
// write, not even to forget targets whose draining ended.
func TestConcurrentReadsDoNotWrite(t *testing.T) {
	h := newHarness(t)
	h.b.Timing.Draining = time.Second
	lb := h.alb("web", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1, "Targets.member.1.Port", "1")
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst2)
	h.ok("DeregisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1)
	h.clock.Step(2 * time.Second) // the draining target is due for purging
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				for _, c := range [][]string{
					{"DescribeTargetHealth", "TargetGroupArn", tg.TargetGroupArn},
					{"DescribeLoadBalancers"},
					{"DescribeTargetGroups"},
					{"DescribeTags", "ResourceArns.member.1", lb.LoadBalancerArn},
					{"DescribeRules", "ListenerArn", l.ListenerArn},
				} {
					if _, err := h.b.Handle(c[0], kvs(c[1:]...)); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if n := len(h.b.st.TargetGroups[tg.TargetGroupArn].Targets); n != 2 {
		t.Errorf("reads purged targets: %d left", n)
	}
	if n := len(h.health(tg.TargetGroupArn)); n != 1 {
		t.Errorf("the drained target is still described: %d", n)
	}
}

func stateOf(d xTargetHealthDescription) string {
	return d.TargetHealth.State + "/" + d.TargetHealth.Reason
}

// With HealthScale, a target is initial for the group's interval × healthy
// threshold, scaled; a control-API mark makes it unhealthy until lifted or
// registered again.
func TestTargetHealthFollowsTheHealthCheckAndMarks(t *testing.T) {
	h := newHarness(t)
	h.b.Timing.HealthScale = 0.1 // 10 s × 5 checks → 5 s
	tg := h.tg("tg", "HealthCheckIntervalSeconds", "10", "HealthyThresholdCount", "5")
	lb := h.alb("web")
	h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	h.ok("RegisterTargets", "TargetGroupArn", tg.TargetGroupArn, "Targets.member.1.Id", inst1, "Targets.member.1.Port", "30080")
	h.clock.Step(4 * time.Second)
	same(t, "before interval × threshold × scale", stateOf(h.health(tg.TargetGroupArn)[0]), "initial/Elb.RegistrationInProgress")
	h.clock.Step(time.Second)
	same(t, "after it", stateOf(h.health(tg.TargetGroupArn)[0]), "healthy/")
	if err := h.b.MarkTargetHealth(tg.TargetGroupArn, inst1, 30080, true); err != nil {
		t.Fatal(err)
	}
	same(t, "marked unhealthy", stateOf(h.health(tg.TargetGroupArn)[0]), "unhealthy/Target.FailedHealthChecks")
	if err := h.b.MarkTargetHealth(tg.TargetGroupArn, inst1, 0, false); err != nil {
		t.Fatal(err)
	}
	same(t, "mark lifted", stateOf(h.health(tg.TargetGroupArn)[0]), "healthy/")
	if err := h.b.MarkTargetHealth(tg.TargetGroupArn, inst2, 0, true); err == nil {
		t.Error("marking a target that is not registered succeeded")
	}
}
