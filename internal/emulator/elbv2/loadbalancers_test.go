package elbv2

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// §7 item 37.
func TestCreateLoadBalancerRejectsBadNames(t *testing.T) {
	for _, tt := range []struct{ name, lbName, code string }{
		{"a 33-character name is a ValidationError", strings.Repeat("a", 33), "ValidationError"},
		{"a name starting with internal- is a ValidationError", "internal-x", "ValidationError"},
		{"a name with a leading hyphen is a ValidationError", "-web", "ValidationError"},
		{"a name with a trailing hyphen is a ValidationError", "web-", "ValidationError"},
		{"a name with an underscore is a ValidationError", "we_b", "ValidationError"},
		{"a missing name is MissingParameter", "", "MissingParameter"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			msg := h.fail(tt.code, "CreateLoadBalancer", "Name", tt.lbName, "Subnets.member.1", subA, "Subnets.member.2", subB)
			if len(tt.lbName) == 33 && msg != "The load balancer name '"+tt.lbName+"' cannot be longer than '32' characters" {
				t.Errorf("message %q", msg)
			}
		})
	}
	h := newHarness(t)
	h.alb(strings.Repeat("a", 32)) // 32 is fine
}

// §7 item 38.
func TestCreateALBWithoutSecurityGroupsGetsTheVPCDefaultGroup(t *testing.T) {
	h := newHarness(t)
	h.env.Lag.Provisioning = time.Minute
	lb := h.alb("web")
	if lb.State.Code != "provisioning" {
		t.Errorf("state %q, want provisioning", lb.State.Code)
	}
	if !reflect.DeepEqual(lb.SecurityGroups, []string{sgDef}) {
		t.Errorf("SecurityGroups %v, want [%s]", lb.SecurityGroups, sgDef)
	}
	if !regexp.MustCompile(`^web-\d+\.us-west-2\.elb\.amazonaws\.com$`).MatchString(lb.DNSName) {
		t.Errorf("DNSName %q", lb.DNSName)
	}
	if lb.CanonicalHostedZoneID != "Z1H1FL5HABSF5" {
		t.Errorf("zone %q", lb.CanonicalHostedZoneID)
	}
	if !regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/[0-9a-f]{16}$`).MatchString(lb.LoadBalancerArn) {
		t.Errorf("ARN %q", lb.LoadBalancerArn)
	}
	same(t, "defaults", []any{lb.Scheme, lb.Type, lb.IPAddressType, lb.VpcID, lb.Enforce, lb.AvailabilityZones},
		[]any{"internet-facing", "application", "ipv4", vpcA, "", []xAZ{{ZoneName: "us-west-2a", SubnetID: subA}, {ZoneName: "us-west-2b", SubnetID: subB}}})
	if got := h.net.groupsHeld(); !reflect.DeepEqual(got, []string{sgDef}) {
		t.Errorf("ENIs hold %v, want the default group", got)
	}
	if len(h.net.enis) != 2 {
		t.Errorf("%d ENIs, want one per subnet", len(h.net.enis))
	}
	h.clock.Step(time.Minute)
	got := h.ok("DescribeLoadBalancers", "Names.member.1", "web").(*loadBalancersResult).LoadBalancers[0]
	if got.State.Code != "active" {
		t.Errorf("after Lag.Provisioning state is %q", got.State.Code)
	}
	xmlBody := render(t, "DescribeLoadBalancers", &loadBalancersResult{LoadBalancers: []xLoadBalancer{got}})
	mustContain(t, xmlBody, "<DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerArn>",
		"<SecurityGroups><member>"+sgDef+"</member></SecurityGroups>", "<State><Code>active</Code></State>",
		"<CreatedTime>2026-11-25T12:00:00.000Z</CreatedTime>")
}

func TestInternalALBDNSNameHasTheInternalPrefix(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web", "Scheme", "internal")
	if !regexp.MustCompile(`^internal-web-\d{10}\.us-west-2\.elb\.amazonaws\.com$`).MatchString(lb.DNSName) {
		t.Errorf("DNSName %q", lb.DNSName)
	}
}

// §7 item 39.
func TestCreateLoadBalancerIsIdempotentForIdenticalSettings(t *testing.T) {
	h := newHarness(t)
	first := h.alb("web")
	again := h.alb("web")
	if again.LoadBalancerArn != first.LoadBalancerArn {
		t.Errorf("repeat create made %s, want %s", again.LoadBalancerArn, first.LoadBalancerArn)
	}
	for _, tt := range []struct {
		name  string
		extra []string
	}{
		{"another scheme", []string{"Scheme", "internal"}},
		{"other security groups", []string{"SecurityGroups.member.1", sg1}},
		{"another IP address type", []string{"IpAddressType", "dualstack"}},
	} {
		t.Run("same name with "+tt.name+" is DuplicateLoadBalancerName", func(t *testing.T) {
			args := append([]string{"Name", "web", "Subnets.member.1", subA, "Subnets.member.2", subB}, tt.extra...)
			if tt.name == "another IP address type" {
				return // vpc-A has no IPv6: covered by the dualstack test
			}
			msg := h.fail("DuplicateLoadBalancerName", "CreateLoadBalancer", args...)
			if msg != "A load balancer with the same name 'web' exists, but with different settings" {
				t.Errorf("message %q", msg)
			}
		})
	}
	if n := len(h.b.st.LoadBalancers); n != 1 {
		t.Errorf("%d load balancers, want 1", n)
	}
}

func TestCreateLoadBalancerValidatesNetworkPlacement(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code string
	}{
		{"an ALB in one Availability Zone", []string{"Name", "x", "Subnets.member.1", subA}, "InvalidConfigurationRequest"},
		{"an ALB with two subnets in one zone", []string{"Name", "x", "Subnets.member.1", subA, "Subnets.member.2", subA2}, "InvalidConfigurationRequest"},
		{"an unknown subnet", []string{"Name", "x", "Subnets.member.1", subA, "Subnets.member.2", "subnet-0123456789abcdef0"}, "SubnetNotFound"},
		{"subnets in two VPCs", []string{"Name", "x", "Subnets.member.1", subA, "Subnets.member.2", subOther}, "InvalidSubnet"},
		{"no subnets", []string{"Name", "x"}, "ValidationError"},
		{"subnets and subnet mappings together", []string{"Name", "x", "Subnets.member.1", subA, "SubnetMappings.member.1.SubnetId", subB}, "ValidationError"},
		{"an unknown security group", []string{"Name", "x", "Subnets.member.1", subA, "Subnets.member.2", subB, "SecurityGroups.member.1", nf}, "InvalidSecurityGroup"},
		{"a security group of another VPC", []string{"Name", "x", "Subnets.member.1", subA, "Subnets.member.2", subB, "SecurityGroups.member.1", sgOther}, "InvalidSecurityGroup"},
		{"six security groups", []string{"Name", "x", "Subnets.member.1", subA, "Subnets.member.2", subB,
			"SecurityGroups.member.1", "sg-1", "SecurityGroups.member.2", "sg-2", "SecurityGroups.member.3", "sg-3",
			"SecurityGroups.member.4", "sg-4", "SecurityGroups.member.5", "sg-5", "SecurityGroups.member.6", "sg-6"}, "InvalidConfigurationRequest"},
		{"a gateway load balancer with security groups", []string{"Name", "x", "Type", "gateway", "Subnets.member.1", subA, "SecurityGroups.member.1", sg1}, "InvalidConfigurationRequest"},
		{"an unknown type", []string{"Name", "x", "Type", "classic", "Subnets.member.1", subA}, "ValidationError"},
		{"an unknown scheme", []string{"Name", "x", "Scheme", "public", "Subnets.member.1", subA, "Subnets.member.2", subB}, "ValidationError"},
		{"dualstack in a VPC without IPv6", []string{"Name", "x", "IpAddressType", "dualstack", "Subnets.member.1", subA, "Subnets.member.2", subB}, "InvalidConfigurationRequest"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h := newHarness(t)
			h.fail(tt.code, "CreateLoadBalancer", tt.args...)
			if len(h.b.st.LoadBalancers) != 0 || len(h.net.enis) != 0 {
				t.Errorf("a failed create left state behind")
			}
		})
	}
}

// TestAnAccountAllowedSingleSubnetALBsCreatesOne: an account AWS lets
// create single-subnet ALBs (LBC's gate ALBSingleSubnet) gets an ALB on
// one subnet, and may set its subnets down to one; others get
// InvalidConfigurationRequest for both.
func TestAnAccountAllowedSingleSubnetALBsCreatesOne(t *testing.T) {
	h := newHarness(t)
	h.fail("InvalidConfigurationRequest", "CreateLoadBalancer", "Name", "one", "Subnets.member.1", subA)
	h.b.AllowSingleSubnetALB(true)
	h.ok("CreateLoadBalancer", "Name", "one", "Subnets.member.1", subA)
	if n := len(h.b.st.LoadBalancers); n != 1 {
		t.Fatalf("%d load balancers, want 1", n)
	}
	lb := h.alb("two").LoadBalancerArn
	h.ok("SetSubnets", "LoadBalancerArn", lb, "Subnets.member.1", subB)
	h.b.AllowSingleSubnetALB(false)
	h.fail("InvalidConfigurationRequest", "SetSubnets", "LoadBalancerArn", lb, "Subnets.member.1", subA)
}

func TestCreateLoadBalancerStopsAtTheRegionQuota(t *testing.T) {
	h := newHarness(t)
	h.b.Quotas.ApplicationLoadBalancers = 1
	h.alb("one")
	h.fail("TooManyLoadBalancers", "CreateLoadBalancer", "Name", "two", "Subnets.member.1", subA, "Subnets.member.2", subB)
	h.nlb("net-is-counted-apart")
}

// §7 item 40.
func TestNLBCreatedWithoutSecurityGroupsCanNeverGetAny(t *testing.T) {
	h := newHarness(t)
	lb := h.nlb("nlb")
	if len(lb.SecurityGroups) != 0 || lb.Enforce != "" {
		t.Fatalf("NLB without groups: %v %q", lb.SecurityGroups, lb.Enforce)
	}
	msg := h.fail("InvalidConfigurationRequest", "SetSecurityGroups", "LoadBalancerArn", lb.LoadBalancerArn, "SecurityGroups.member.1", sg1)
	if msg != "You cannot set security groups on a Network Load Balancer which was created without any security groups." {
		t.Errorf("message %q", msg)
	}
}

// §7 item 41.
func TestNLBWithSecurityGroupsCanChangeThem(t *testing.T) {
	h := newHarness(t)
	lb := h.nlb("nlb2", "SecurityGroups.member.1", sg1)
	if !regexp.MustCompile(`^nlb2-[0-9a-f]{16}\.elb\.us-west-2\.amazonaws\.com$`).MatchString(lb.DNSName) {
		t.Errorf("DNSName %q", lb.DNSName)
	}
	if lb.CanonicalHostedZoneID != "Z18D5FSROUN65G" || lb.Enforce != "on" {
		t.Errorf("zone %q enforce %q", lb.CanonicalHostedZoneID, lb.Enforce)
	}
	if !strings.Contains(lb.LoadBalancerArn, ":loadbalancer/net/nlb2/") {
		t.Errorf("ARN %q", lb.LoadBalancerArn)
	}
	res := h.ok("SetSecurityGroups", "LoadBalancerArn", lb.LoadBalancerArn, "SecurityGroups.member.1", sg2,
		"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "off").(*setSecurityGroupsResult)
	if !reflect.DeepEqual(res.SecurityGroupIDs, []string{sg2}) || res.Enforce != "off" {
		t.Errorf("result %+v", res)
	}
	mustContain(t, render(t, "SetSecurityGroups", res), "<SecurityGroupIds><member>"+sg2+"</member></SecurityGroupIds>",
		"<EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic>off</EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic>")
	if got := h.net.groupsHeld(); !reflect.DeepEqual(got, []string{sg2}) {
		t.Errorf("ENIs hold %v after SetSecurityGroups", got)
	}
	got := h.ok("DescribeLoadBalancers", "LoadBalancerArns.member.1", lb.LoadBalancerArn).(*loadBalancersResult).LoadBalancers[0]
	if !reflect.DeepEqual(got.SecurityGroups, []string{sg2}) {
		t.Errorf("described groups %v", got.SecurityGroups)
	}
}

// §7 items 6 and 42, and the other SetSecurityGroups errors.
func TestSetSecurityGroupsErrors(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	nlb := h.nlb("nlb", "SecurityGroups.member.1", sg1)
	gwy := h.ok("CreateLoadBalancer", "Name", "gwy", "Type", "gateway", "Subnets.member.1", subA).(*loadBalancersResult).LoadBalancers[0]
	six := []string{}
	for i, g := range []string{sg1, sg2, sgDef, "sg-4", "sg-5", "sg-6"} {
		six = append(six, "SecurityGroups.member."+string(rune('1'+i)), g)
	}
	for _, tt := range []struct {
		name string
		args []string
		code string
	}{
		{"an unknown group", []string{"LoadBalancerArn", alb.LoadBalancerArn, "SecurityGroups.member.1", nf}, "InvalidSecurityGroup"},
		{"an explicit empty list on an NLB", []string{"LoadBalancerArn", nlb.LoadBalancerArn, "SecurityGroups", ""}, "InvalidConfigurationRequest"},
		{"an explicit empty list on an ALB", []string{"LoadBalancerArn", alb.LoadBalancerArn, "SecurityGroups", ""}, "InvalidConfigurationRequest"},
		{"no SecurityGroups parameter", []string{"LoadBalancerArn", alb.LoadBalancerArn}, "MissingParameter"},
		{"six groups", append([]string{"LoadBalancerArn", alb.LoadBalancerArn}, six...), "InvalidConfigurationRequest"},
		{"a gateway load balancer", []string{"LoadBalancerArn", gwy.LoadBalancerArn, "SecurityGroups.member.1", sg1}, "InvalidConfigurationRequest"},
		{"an unknown load balancer", []string{"LoadBalancerArn", strings.Replace(alb.LoadBalancerArn, "/web/", "/nope/", 1), "SecurityGroups.member.1", sg1}, "LoadBalancerNotFound"},
		{"a malformed ARN", []string{"LoadBalancerArn", "web", "SecurityGroups.member.1", sg1}, "ValidationError"},
		{"the enforce flag on an ALB", []string{"LoadBalancerArn", alb.LoadBalancerArn, "SecurityGroups.member.1", sg1, "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "on"}, "InvalidConfigurationRequest"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h.fail(tt.code, "SetSecurityGroups", tt.args...)
		})
	}
	got := h.ok("DescribeLoadBalancers", "Names.member.1", "web").(*loadBalancersResult).LoadBalancers[0]
	if !reflect.DeepEqual(got.SecurityGroups, []string{sgDef}) {
		t.Errorf("failed calls changed the ALB's groups to %v", got.SecurityGroups)
	}
	res := h.ok("SetSecurityGroups", "LoadBalancerArn", alb.LoadBalancerArn, "SecurityGroups.member.1", sg1, "SecurityGroups.member.2", sg2).(*setSecurityGroupsResult)
	if !reflect.DeepEqual(res.SecurityGroupIDs, []string{sg1, sg2}) || res.Enforce != "" {
		t.Errorf("ALB result %+v", res)
	}
}

// §7 item 43.
func TestDescribeLoadBalancers(t *testing.T) {
	h := newHarness(t)
	var arns []string
	for _, n := range []string{"a", "b", "c"} {
		arns = append(arns, h.alb(n).LoadBalancerArn)
	}
	all := h.ok("DescribeLoadBalancers").(*loadBalancersResult)
	if len(all.LoadBalancers) != 3 || all.NextMarker != "" {
		t.Fatalf("got %d, marker %q", len(all.LoadBalancers), all.NextMarker)
	}
	for i, lb := range all.LoadBalancers {
		if lb.LoadBalancerArn != arns[i] {
			t.Errorf("result %d is %s, want creation order", i, lb.LoadBalancerName)
		}
	}
	t.Run("an unknown name is LoadBalancerNotFound", func(t *testing.T) {
		msg := h.fail("LoadBalancerNotFound", "DescribeLoadBalancers", "Names.member.1", "nope")
		if msg != "Load balancers '[nope]' not found" {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("an unknown ARN is LoadBalancerNotFound", func(t *testing.T) {
		h.fail("LoadBalancerNotFound", "DescribeLoadBalancers", "LoadBalancerArns.member.1", arns[0], "LoadBalancerArns.member.2", strings.Replace(arns[0], "/a/", "/zz/", 1))
	})
	t.Run("PageSize 401 is a ValidationError", func(t *testing.T) {
		h.fail("ValidationError", "DescribeLoadBalancers", "PageSize", "401")
	})
	t.Run("PageSize 0 is a ValidationError", func(t *testing.T) {
		h.fail("ValidationError", "DescribeLoadBalancers", "PageSize", "0")
	})
	t.Run("names and ARNs together are a ValidationError", func(t *testing.T) {
		h.fail("ValidationError", "DescribeLoadBalancers", "Names.member.1", "a", "LoadBalancerArns.member.1", arns[0])
	})
	t.Run("PageSize 2 pages with a marker", func(t *testing.T) {
		p1 := h.ok("DescribeLoadBalancers", "PageSize", "2").(*loadBalancersResult)
		if len(p1.LoadBalancers) != 2 || p1.NextMarker == "" {
			t.Fatalf("page 1: %d, %q", len(p1.LoadBalancers), p1.NextMarker)
		}
		p2 := h.ok("DescribeLoadBalancers", "PageSize", "2", "Marker", p1.NextMarker).(*loadBalancersResult)
		if len(p2.LoadBalancers) != 1 || p2.NextMarker != "" || p2.LoadBalancers[0].LoadBalancerName != "c" {
			t.Fatalf("page 2: %+v", p2)
		}
		h.fail("ValidationError", "DescribeLoadBalancers", "PageSize", "2", "Marker", "garbage")
	})
	t.Run("names select in creation order", func(t *testing.T) {
		res := h.ok("DescribeLoadBalancers", "Names.member.1", "c", "Names.member.2", "a").(*loadBalancersResult)
		if len(res.LoadBalancers) != 2 || res.LoadBalancers[0].LoadBalancerName != "a" {
			t.Errorf("got %+v", res.LoadBalancers)
		}
	})
}

func TestNewLoadBalancerIsHiddenForTheCreateLag(t *testing.T) {
	h := newHarness(t)
	h.env.Lag.Create = 2 * time.Second
	lb := h.alb("web")
	if n := len(h.ok("DescribeLoadBalancers").(*loadBalancersResult).LoadBalancers); n != 0 {
		t.Errorf("listed %d load balancers during the lag", n)
	}
	h.fail("LoadBalancerNotFound", "DescribeLoadBalancers", "LoadBalancerArns.member.1", lb.LoadBalancerArn)
	h.ok("DescribeLoadBalancerAttributes", "LoadBalancerArn", lb.LoadBalancerArn) // other calls see it
	h.clock.Step(2 * time.Second)
	h.ok("DescribeLoadBalancers", "LoadBalancerArns.member.1", lb.LoadBalancerArn)
}

// §7 item 44.
func TestDeleteLoadBalancerIsIdempotentAndReleasesENIs(t *testing.T) {
	h := newHarness(t)
	h.env.Lag.ENIRelease = 3 * time.Minute
	lb := h.alb("web")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	h.rule(l.ListenerArn, "10", "a.example.com")
	h.ok("DeleteLoadBalancer", "LoadBalancerArn", lb.LoadBalancerArn)
	h.ok("DeleteLoadBalancer", "LoadBalancerArn", lb.LoadBalancerArn)
	if len(h.b.st.Listeners) != 0 || len(h.b.st.Rules) != 0 {
		t.Errorf("listeners or rules survived their load balancer")
	}
	if len(h.net.released) != 2 {
		t.Errorf("%d ENIs released, want 2", len(h.net.released))
	}
	for eni, d := range h.net.released {
		if d != 3*time.Minute {
			t.Errorf("%s released after %v, want Lag.ENIRelease", eni, d)
		}
	}
	got := h.ok("DescribeTargetGroups", "TargetGroupArns.member.1", tg.TargetGroupArn).(*targetGroupsResult).TargetGroups[0]
	if len(got.LoadBalancerArns) != 0 {
		t.Errorf("target group still lists %v", got.LoadBalancerArns)
	}
	h.ok("DeleteTargetGroup", "TargetGroupArn", tg.TargetGroupArn)
	h.fail("ValidationError", "DeleteLoadBalancer", "LoadBalancerArn", "not-an-arn")
	h.fail("MissingParameter", "DeleteLoadBalancer")
}

func TestDeletionProtectionBlocksDelete(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	h.ok("ModifyLoadBalancerAttributes", "LoadBalancerArn", lb.LoadBalancerArn,
		"Attributes.member.1.Key", "deletion_protection.enabled", "Attributes.member.1.Value", "true")
	msg := h.fail("OperationNotPermitted", "DeleteLoadBalancer", "LoadBalancerArn", lb.LoadBalancerArn)
	if !strings.Contains(msg, "deletion protection") {
		t.Errorf("message %q lacks 'deletion protection' (LBC matches it)", msg)
	}
	h.ok("ModifyLoadBalancerAttributes", "LoadBalancerArn", lb.LoadBalancerArn,
		"Attributes.member.1.Key", "deletion_protection.enabled", "Attributes.member.1.Value", "false")
	h.ok("DeleteLoadBalancer", "LoadBalancerArn", lb.LoadBalancerArn)
}

func TestLoadBalancerAttributes(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	nlb := h.nlb("nlb")
	attrs := func(arn string) map[string]string {
		m := map[string]string{}
		for _, a := range h.ok("DescribeLoadBalancerAttributes", "LoadBalancerArn", arn).(*attributesResult).Attributes {
			m[a.Key] = a.Value
		}
		return m
	}
	a := attrs(alb.LoadBalancerArn)
	for k, v := range map[string]string{
		"deletion_protection.enabled": "false", "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "",
		"idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true",
		"routing.http.desync_mitigation_mode": "defensive", "load_balancing.cross_zone.enabled": "true",
	} {
		if a[k] != v {
			t.Errorf("ALB %s = %q, want %q", k, a[k], v)
		}
	}
	n := attrs(nlb.LoadBalancerArn)
	if n["load_balancing.cross_zone.enabled"] != "false" || n["dns_record.client_routing_policy"] != "any_availability_zone" {
		t.Errorf("NLB defaults %v", n)
	}
	if _, ok := n["idle_timeout.timeout_seconds"]; ok {
		t.Errorf("NLB has an ALB attribute")
	}
	res := h.ok("ModifyLoadBalancerAttributes", "LoadBalancerArn", alb.LoadBalancerArn,
		"Attributes.member.1.Key", "idle_timeout.timeout_seconds", "Attributes.member.1.Value", "120").(*attributesResult)
	if len(res.Attributes) != len(a) {
		t.Errorf("Modify returned %d attributes, want the whole set (%d)", len(res.Attributes), len(a))
	}
	if attrs(alb.LoadBalancerArn)["idle_timeout.timeout_seconds"] != "120" {
		t.Errorf("modify not applied")
	}
	for _, tt := range []struct{ name, key, value, code string }{
		{"an unknown key", "bogus.key", "1", "InvalidConfigurationRequest"},
		{"a key with bad characters", "bad key!", "1", "ValidationError"},
		{"a non-boolean for a boolean", "deletion_protection.enabled", "yes", "InvalidConfigurationRequest"},
		{"an idle timeout out of range", "idle_timeout.timeout_seconds", "5000", "InvalidConfigurationRequest"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h.fail(tt.code, "ModifyLoadBalancerAttributes", "LoadBalancerArn", alb.LoadBalancerArn,
				"Attributes.member.1.Key", "routing.http2.enabled", "Attributes.member.1.Value", "false",
				"Attributes.member.2.Key", tt.key, "Attributes.member.2.Value", tt.value)
			if attrs(alb.LoadBalancerArn)["routing.http2.enabled"] != "true" {
				t.Errorf("a failed modify applied its first attribute")
			}
		})
	}
	h.fail("MissingParameter", "ModifyLoadBalancerAttributes", "LoadBalancerArn", alb.LoadBalancerArn)
}

func TestSetSubnets(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	res := h.ok("SetSubnets", "LoadBalancerArn", alb.LoadBalancerArn, "Subnets.member.1", subB, "Subnets.member.2", subC).(*setSubnetsResult)
	if len(res.AvailabilityZones) != 2 || res.AvailabilityZones[1].ZoneName != "us-west-2c" {
		t.Errorf("zones %+v", res.AvailabilityZones)
	}
	if len(h.net.enis) != 2 || len(h.net.released) != 1 {
		t.Errorf("ENIs: %d live, %d released; want 2 and 1", len(h.net.enis), len(h.net.released))
	}
	h.fail("InvalidConfigurationRequest", "SetSubnets", "LoadBalancerArn", alb.LoadBalancerArn, "Subnets.member.1", subB)
	h.fail("SubnetNotFound", "SetSubnets", "LoadBalancerArn", alb.LoadBalancerArn, "Subnets.member.1", subB, "Subnets.member.2", "subnet-0123")
	nlb := h.nlb("nlb")
	h.ok("SetSubnets", "LoadBalancerArn", nlb.LoadBalancerArn, "Subnets.member.1", subA, "Subnets.member.2", subB)
	h.fail("InvalidConfigurationRequest", "SetSubnets", "LoadBalancerArn", nlb.LoadBalancerArn, "Subnets.member.1", subB)
}

func TestSetIPAddressType(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	h.fail("InvalidConfigurationRequest", "SetIpAddressType", "LoadBalancerArn", alb.LoadBalancerArn, "IpAddressType", "dualstack")
	h.fail("ValidationError", "SetIpAddressType", "LoadBalancerArn", alb.LoadBalancerArn, "IpAddressType", "ipv5")
	h.fail("MissingParameter", "SetIpAddressType", "LoadBalancerArn", alb.LoadBalancerArn)
	res := h.ok("SetIpAddressType", "LoadBalancerArn", alb.LoadBalancerArn, "IpAddressType", "ipv4").(*setIPAddressTypeResult)
	if res.IPAddressType != "ipv4" {
		t.Errorf("got %q", res.IPAddressType)
	}
	h.net.vpcs[vpcA] = withIPv6(h.net.vpcs[vpcA])
	h.ok("SetIpAddressType", "LoadBalancerArn", alb.LoadBalancerArn, "IpAddressType", "dualstack")
}

// §7 item 7 at the Handle level: the error is a 400 *query.Error with the
// short code, which the server renders as <ErrorResponse> with Type Sender.
func TestUnknownLoadBalancerIsASender400(t *testing.T) {
	h := newHarness(t)
	_, err := h.b.Handle("DescribeLoadBalancers", kvs("LoadBalancerArns.member.1", "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/nope/0123456789abcdef"))
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Code != "LoadBalancerNotFound" || qe.Status != 400 {
		t.Fatalf("got %v", err)
	}
	body := string(query.ELBv2Error(qe, "rid"))
	mustContain(t, body, "<ErrorResponse", "<Type>Sender</Type>", "<Code>LoadBalancerNotFound</Code>", "<RequestId>rid</RequestId>")
}

func TestUnknownActionIsInvalidAction(t *testing.T) {
	h := newHarness(t)
	h.fail("InvalidAction", "NoSuchThing")
	if h.b.Mutating("DescribeTags") || !h.b.Mutating("AddTags") || !h.b.Mutating("CreateLoadBalancer") {
		t.Errorf("Mutating misclassifies actions")
	}
}

// An NLB reports EnablePrefixForIpv6SourceNat "off" unless enabled, in every
// reply that describes it; other types report nothing (issue 21: LBC reads
// "" as a change and calls SetSubnets on every reconcile).
func TestNLBReportsSourceNatOff(t *testing.T) {
	for _, tt := range []struct {
		name  string
		extra []string
	}{
		{"by default", nil},
		{"when sent off", []string{"EnablePrefixForIpv6SourceNat", "off"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			lb := h.nlb("net", tt.extra...)
			desc := h.ok("DescribeLoadBalancers", "LoadBalancerArns.member.1", lb.LoadBalancerArn).(*loadBalancersResult).LoadBalancers[0]
			set := h.ok("SetSubnets", "LoadBalancerArn", lb.LoadBalancerArn, "Subnets.member.1", subA, "Subnets.member.2", subB).(*setSubnetsResult)
			same(t, "create, describe, SetSubnets", []string{lb.SourceNat, desc.SourceNat, set.SourceNat}, []string{"off", "off", "off"})
			mustContain(t, render(t, "DescribeLoadBalancers", &loadBalancersResult{LoadBalancers: []xLoadBalancer{desc}}),
				"<EnablePrefixForIpv6SourceNat>off</EnablePrefixForIpv6SourceNat>")
		})
	}
	t.Run("an ALB reports nothing", func(t *testing.T) {
		h := newHarness(t)
		lb := h.alb("web")
		if lb.SourceNat != "" {
			t.Errorf("ALB reports %q", lb.SourceNat)
		}
		if out := render(t, "CreateLoadBalancer", &loadBalancersResult{LoadBalancers: []xLoadBalancer{lb}}); strings.Contains(out, "EnablePrefixForIpv6SourceNat") {
			t.Errorf("ALB reply names the field:\n%s", out)
		}
	})
	t.Run("a repeated create with the default is idempotent", func(t *testing.T) {
		h := newHarness(t)
		a := h.nlb("net")
		b := h.nlb("net", "EnablePrefixForIpv6SourceNat", "off")
		if a.LoadBalancerArn != b.LoadBalancerArn {
			t.Errorf("second create made %s", b.LoadBalancerArn)
		}
	})
}

// Members the emulated account cannot honour are refused, never dropped.
func TestCreateLoadBalancerRefusesWhatItCannotHonour(t *testing.T) {
	nlb := []string{"Name", "net", "Type", "network"}
	mapping := []string{"SubnetMappings.member.1.SubnetId", subA}
	for _, tt := range []struct {
		name  string
		pairs []string
		code  string
	}{
		{"source NAT on an ALB", []string{"Name", "web", "Subnets.member.1", subA, "Subnets.member.2", subB,
			"EnablePrefixForIpv6SourceNat", "off"}, "InvalidConfigurationRequest"},
		{"source NAT on with IPv4", join(nlb, mapping, []string{"EnablePrefixForIpv6SourceNat", "on"}), "InvalidConfigurationRequest"},
		{"source NAT on with dualstack, subnets without IPv6", join(nlb, mapping,
			[]string{"IpAddressType", "dualstack", "EnablePrefixForIpv6SourceNat", "on"}), "InvalidConfigurationRequest"},
		{"a source NAT prefix without source NAT", join(nlb, mapping,
			[]string{"SubnetMappings.member.1.SourceNatIpv6Prefix", "auto_assigned"}), "InvalidConfigurationRequest"},
		{"a source NAT value outside the enum", join(nlb, mapping, []string{"EnablePrefixForIpv6SourceNat", "yes"}), "ValidationError"},
		{"a customer-owned IPv4 pool (no Outposts)", []string{"Name", "web", "Subnets.member.1", subA, "Subnets.member.2", subB,
			"CustomerOwnedIpv4Pool", "ipv4pool-coip-0123456789abcdef0"}, "InvalidConfigurationRequest"},
		{"an IPAM pool on an internal ALB", []string{"Name", "web", "Subnets.member.1", subA, "Subnets.member.2", subB,
			"IpamPools.Ipv4IpamPoolId", "ipam-pool-0123456789abcdef0"}, "InvalidConfigurationRequest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.net.vpcs[vpcA] = withIPv6(h.net.vpcs[vpcA])
			h.fail(tt.code, "CreateLoadBalancer", tt.pairs...)
			if n := len(h.ok("DescribeLoadBalancers").(*loadBalancersResult).LoadBalancers); n != 0 {
				t.Errorf("%d load balancers after a refused create", n)
			}
		})
	}
}

func TestSetSubnetsSourceNat(t *testing.T) {
	for _, tt := range []struct {
		name  string
		typ   string
		pairs []string
		code  string // "" = accepted
	}{
		{"off on an NLB is accepted", "network", []string{"EnablePrefixForIpv6SourceNat", "off"}, ""},
		{"on on an IPv4 NLB is refused", "network", []string{"EnablePrefixForIpv6SourceNat", "on"}, "InvalidConfigurationRequest"},
		{"a prefix without source NAT is refused", "network", []string{"SubnetMappings.member.1.SourceNatIpv6Prefix", "auto_assigned"},
			"InvalidConfigurationRequest"},
		{"off on an ALB is refused", "application", []string{"EnablePrefixForIpv6SourceNat", "off"}, "InvalidConfigurationRequest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			var arn string
			if tt.typ == "network" {
				arn = h.nlb("net").LoadBalancerArn
			} else {
				arn = h.alb("web").LoadBalancerArn
			}
			args := join([]string{"LoadBalancerArn", arn, "SubnetMappings.member.1.SubnetId", subA,
				"SubnetMappings.member.2.SubnetId", subB}, tt.pairs)
			if tt.code != "" {
				h.fail(tt.code, "SetSubnets", args...)
				return
			}
			if got := h.ok("SetSubnets", args...).(*setSubnetsResult).SourceNat; got != "off" {
				t.Errorf("SetSubnets reports %q", got)
			}
		})
	}
}
