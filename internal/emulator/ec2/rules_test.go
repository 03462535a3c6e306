package ec2

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// §7 item 15.
func TestAuthorizeIngressReturnsTheNewRule(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	out := f.ingress443(sg, "10.0.0.0/16", "lb")
	if !out.Return || len(out.Rules) != 1 {
		t.Fatalf("reply %+v", out)
	}
	r := out.Rules[0]
	if !regexp.MustCompile(`^sgr-[0-9a-f]{17}$`).MatchString(r.SecurityGroupRuleID) || bool(r.IsEgress) || r.CidrIPv4 != "10.0.0.0/16" ||
		r.Description != "lb" || r.FromPort != 443 || r.GroupOwnerID != account {
		t.Fatalf("rule %+v", r)
	}
	g := f.group(sg)
	if p := g.IPPermissions.Item; len(p) != 1 || *p[0].FromPort != 443 || p[0].IPRanges.Item[0].Description != "lb" {
		t.Fatalf("permissions %+v", p)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.ingress443(sg, "10.0.0.0/16", "lb")
	perm := func(extra ...string) []string {
		return append([]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "443",
			"IpPermissions.1.ToPort", "443"}, extra...)
	}
	for _, tt := range []struct {
		name, action, code, msg string
		kv                      []string
	}{
		// §7 item 16.
		{"same rule with another description is a duplicate", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate",
			`the specified rule "peer: 10.0.0.0/16, TCP, from port: 443, to port: 443, ALLOW" already exists`,
			perm("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/16", "IpPermissions.1.IpRanges.1.Description", "other")},
		{"non-canonical CIDR of an existing rule is a duplicate", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate", "",
			perm("IpPermissions.1.IpRanges.1.CidrIp", "10.0.99.1/16")},
		// §7 item 17.
		{"same CIDR twice in one permission", "AuthorizeSecurityGroupIngress", "InvalidParameterValue",
			"The same permission must not appear multiple times",
			perm("IpPermissions.1.IpRanges.1.CidrIp", "192.168.0.0/16", "IpPermissions.1.IpRanges.2.CidrIp", "192.168.0.0/16")},
		// §7 item 20.
		{"second permission a duplicate", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate", "",
			perm("IpPermissions.1.IpRanges.1.CidrIp", "192.168.0.0/16", "IpPermissions.2.IpProtocol", "6",
				"IpPermissions.2.FromPort", "443", "IpPermissions.2.ToPort", "443", "IpPermissions.2.IpRanges.1.CidrIp", "10.0.0.0/16")},
		// §7 item 23.
		{"default egress rule again", "AuthorizeSecurityGroupEgress", "InvalidPermission.Duplicate",
			`the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists`,
			[]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"}},
		{"no source", "AuthorizeSecurityGroupIngress", "InvalidParameterValue",
			"missing mandatory parameter: exactly one of remote-security-group, remote-ip-range, remote-ipv6-range, or prefix-list-id must be present",
			perm()},
		{"bad CIDR", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "", perm("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/33")},
		{"IPv6 CIDR in IpRanges", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "", perm("IpPermissions.1.IpRanges.1.CidrIp", "::/0")},
		{"unknown protocol", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "Invalid value 'foo' for IP protocol. Unknown protocol.",
			[]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "foo", "IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8"}},
		{"tcp without ports", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "",
			[]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8"}},
		{"from above to", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "",
			[]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "90", "IpPermissions.1.ToPort", "80",
				"IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8"}},
		{"port out of range", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "",
			[]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "udp", "IpPermissions.1.FromPort", "1", "IpPermissions.1.ToPort", "70000",
				"IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8"}},
		{"unknown referenced group", "AuthorizeSecurityGroupIngress", "InvalidGroup.NotFound", "", perm("IpPermissions.1.Groups.1.GroupId", nfGroup)},
		{"malformed prefix list", "AuthorizeSecurityGroupIngress", "InvalidPrefixListID.Malformed", "", perm("IpPermissions.1.PrefixListIds.1.PrefixListId", "pl-x")},
		{"bad description", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "",
			perm("IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8", "IpPermissions.1.IpRanges.1.Description", "naïve")},
		{"unknown group", "AuthorizeSecurityGroupIngress", "InvalidGroup.NotFound", "", []string{"GroupId", nfGroup,
			"IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8"}},
		{"egress takes no GroupName", "AuthorizeSecurityGroupEgress", "UnknownParameter", "", []string{"GroupName", "web",
			"IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8"}},
		{"legacy form on egress", "AuthorizeSecurityGroupEgress", "InvalidParameterValue", "", []string{"GroupId", sg,
			"IpProtocol", "-1", "CidrIp", "1.0.0.0/8"}},
		{"legacy and IpPermissions together", "AuthorizeSecurityGroupIngress", "InvalidParameterCombination", "",
			perm("IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8", "CidrIp", "2.0.0.0/8")},
		{"rule tags for the wrong type", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "",
			perm("IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8", "TagSpecification.1.ResourceType", "security-group", "TagSpecification.1.Tag.1.Key", "k")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			before := f.snapshot()
			e := f.fail(tt.code, tt.action, tt.kv...)
			if tt.msg != "" && e.Message != tt.msg {
				t.Fatalf("message %q", e.Message)
			}
			if f.snapshot() != before {
				t.Fatal("state changed")
			}
		})
	}
}

// §7 items 18, 19, 22 and rule merging.
func TestDescribeShowsCanonicalMergedRules(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	sg2 := f.createGroup("peer")
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", sg,
		"IpPermissions.1.IpProtocol", "TCP", "IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443",
		"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.5/16",
		"IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "2600:1F14::1/56", "IpPermissions.1.Ipv6Ranges.1.Description", "v6",
		"IpPermissions.1.Groups.1.GroupId", sg2, "IpPermissions.1.Groups.1.Description", "peer",
		"IpPermissions.1.PrefixListIds.1.PrefixListId", "pl-0123456789abcdef0",
		"IpPermissions.2.IpProtocol", "-1", "IpPermissions.2.FromPort", "443", "IpPermissions.2.ToPort", "443",
		"IpPermissions.2.IpRanges.1.CidrIp", "192.168.1.1/24",
		"IpPermissions.3.IpProtocol", "6", "IpPermissions.3.FromPort", "443", "IpPermissions.3.ToPort", "443",
		"IpPermissions.3.IpRanges.1.CidrIp", "172.16.0.0/12",
		"IpPermissions.4.IpProtocol", "icmp", "IpPermissions.4.FromPort", "-1", "IpPermissions.4.ToPort", "8",
		"IpPermissions.4.IpRanges.1.CidrIp", "0.0.0.0/0",
		"IpPermissions.5.IpProtocol", "50", "IpPermissions.5.IpRanges.1.CidrIp", "0.0.0.0/0")
	g := f.group(sg)
	ps := g.IPPermissions.Item
	if len(ps) != 4 {
		t.Fatalf("want 4 merged permissions, got %+v", ps)
	}
	tcp := ps[0]
	if tcp.IPProtocol != "tcp" || *tcp.FromPort != 443 || len(tcp.IPRanges.Item) != 2 ||
		tcp.IPRanges.Item[0].CidrIP != "10.0.0.0/16" || tcp.IPRanges.Item[1].CidrIP != "172.16.0.0/12" ||
		tcp.IPv6Ranges.Item[0] != (ipv6Range{"2600:1f14::/56", "v6"}) ||
		tcp.Groups.Item[0] != (userIDGroupPair{UserID: account, GroupID: sg2, Description: "peer"}) ||
		tcp.PrefixListIDs.Item[0].PrefixListID != "pl-0123456789abcdef0" {
		t.Fatalf("tcp %+v", tcp)
	}
	all := ps[1]
	if all.IPProtocol != "-1" || all.FromPort != nil || all.ToPort != nil || all.IPRanges.Item[0].CidrIP != "192.168.1.0/24" {
		t.Fatalf("all %+v", all)
	}
	if icmp := ps[2]; icmp.IPProtocol != "icmp" || *icmp.FromPort != -1 || *icmp.ToPort != -1 {
		t.Fatalf("icmp type -1 forces code -1: %+v", icmp)
	}
	if esp := ps[3]; esp.IPProtocol != "50" || esp.FromPort != nil {
		t.Fatalf("esp %+v", esp)
	}
	body, _ := renderEC2("DescribeSecurityGroups", &describeSecurityGroupsReply{Groups: query.ItemsOf([]securityGroupItem{g})})
	if !strings.Contains(body, "<item><ipProtocol>-1</ipProtocol><groups></groups><ipRanges><item><cidrIp>192.168.1.0/24</cidrIp></item></ipRanges>") {
		t.Fatalf("body %s", body)
	}
}

// §7 item 21.
func TestRuleQuotaCountsIPv4AndIPv6Apart(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	kv := []string{"GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "1", "IpPermissions.1.ToPort", "1"}
	for i := 1; i <= 60; i++ {
		kv = append(kv, "IpPermissions.1.IpRanges."+itoa(i)+".CidrIp", "10.0."+itoa(i)+".0/24")
	}
	f.ok("AuthorizeSecurityGroupIngress", kv...)
	add := func(extra ...string) []string {
		return append([]string{"GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "2", "IpPermissions.1.ToPort", "2"}, extra...)
	}
	e := f.fail("RulesPerSecurityGroupLimitExceeded", "AuthorizeSecurityGroupIngress", add("IpPermissions.1.IpRanges.1.CidrIp", "1.1.1.1/32")...)
	if e.Message != "The maximum number of rules per security group has been reached." {
		t.Fatalf("message %q", e.Message)
	}
	f.ok("AuthorizeSecurityGroupIngress", add("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0")...)
	f.fail("RulesPerSecurityGroupLimitExceeded", "AuthorizeSecurityGroupIngress", add("IpPermissions.1.Groups.1.GroupId", sg)...)
	// Egress has its own 60 (one used by the default rule).
	f.ok("AuthorizeSecurityGroupEgress", add("IpPermissions.1.IpRanges.1.CidrIp", "1.1.1.1/32")...)
	if n := len(f.b.st.groups[sg].Ingress); n != 61 {
		t.Fatalf("ingress rules %d", n)
	}
}

// §7 items 24, 25, 26.
func TestRevoke(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	rule := f.ingress443(sg, "10.0.0.0/16", "lb").Rules[0].SecurityGroupRuleID
	other := f.ingress443(sg, "10.1.0.0/16", "").Rules[0].SecurityGroupRuleID
	revoke443 := func(cidrs ...string) []string {
		kv := []string{"GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443"}
		for i, c := range cidrs {
			kv = append(kv, "IpPermissions.1.IpRanges."+itoa(i+1)+".CidrIp", c)
		}
		return kv
	}
	e := f.fail("InvalidPermission.NotFound", "RevokeSecurityGroupIngress", revoke443("10.0.0.0/16", "10.9.0.0/16")...)
	if e.Message != "The specified rule does not exist in this security group." {
		t.Fatalf("message %q", e.Message)
	}
	if len(f.b.st.groups[sg].Ingress) != 2 {
		t.Fatal("partial revoke")
	}
	out := f.ok("RevokeSecurityGroupIngress", revoke443("10.0.0.5/16")...).(*revokeReply)
	if len(out.Revoked) != 1 || out.Revoked[0].SecurityGroupRuleID != rule || out.Revoked[0].CidrIPv4 != "10.0.0.0/16" {
		t.Fatalf("revoked %+v", out.Revoked)
	}
	if g := f.group(sg); len(g.IPPermissions.Item[0].IPRanges.Item) != 1 {
		t.Fatalf("group %+v", g)
	}
	f.fail("InvalidSecurityGroupRuleId.NotFound", "RevokeSecurityGroupIngress", "GroupId", sg, "SecurityGroupRuleId.1", rule)
	egress := f.group(sg).IPPermissionsEgress.Item
	_ = egress
	f.fail("InvalidSecurityGroupRuleId.NotFound", "RevokeSecurityGroupEgress", "GroupId", sg, "SecurityGroupRuleId.1", other)
	f.fail("InvalidSecurityGroupRuleId.Malformed", "RevokeSecurityGroupIngress", "GroupId", sg, "SecurityGroupRuleId.1", "rule")
	f.fail("InvalidParameterCombination", "RevokeSecurityGroupIngress", append(revoke443("10.1.0.0/16"), "SecurityGroupRuleId.1", other)...)
	out = f.ok("RevokeSecurityGroupIngress", "GroupId", sg, "SecurityGroupRuleId.1", other).(*revokeReply)
	if len(out.Revoked) != 1 || out.Revoked[0].SecurityGroupRuleID != other {
		t.Fatalf("revoked %+v", out.Revoked)
	}
	if g := f.group(sg); len(g.IPPermissions.Item) != 0 {
		t.Fatalf("group %+v", g)
	}
	// Revoking the default egress rule by its properties.
	f.ok("RevokeSecurityGroupEgress", "GroupId", sg, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0")
	if g := f.group(sg); len(g.IPPermissionsEgress.Item) != 0 {
		t.Fatalf("group %+v", g)
	}
}

// §7 item 27.
func TestDescribeSecurityGroupRulesOnePerSource(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", sg, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "80",
		"IpPermissions.1.ToPort", "80", "IpPermissions.1.IpRanges.1.CidrIp", "1.0.0.0/8", "IpPermissions.1.IpRanges.2.CidrIp", "2.0.0.0/8",
		"IpPermissions.1.Groups.1.GroupId", sg,
		"TagSpecification.1.ResourceType", "security-group-rule", "TagSpecification.1.Tag.1.Key", "owner", "TagSpecification.1.Tag.1.Value", "lbsg")
	out := f.ok("DescribeSecurityGroupRules", "Filter.1.Name", "group-id", "Filter.1.Value.1", sg).(*describeSecurityGroupRulesReply)
	if len(out.Rules.Item) != 4 {
		t.Fatalf("want 3 ingress + 1 egress, got %+v", out.Rules.Item)
	}
	var refs, egress int
	for i, r := range out.Rules.Item {
		if i > 0 && out.Rules.Item[i-1].SecurityGroupRuleID >= r.SecurityGroupRuleID {
			t.Fatal("not sorted by ID")
		}
		if r.ReferencedGroupInfo != nil && r.ReferencedGroupInfo.GroupID == sg && r.ReferencedGroupInfo.UserID == account {
			refs++
		}
		if r.IsEgress {
			egress++
			if r.FromPort != -1 || r.IPProtocol != "-1" {
				t.Fatalf("egress %+v", r)
			}
		} else if len(r.Tags) != 1 {
			t.Fatalf("rule tags %+v", r)
		}
	}
	if refs != 1 || egress != 1 {
		t.Fatalf("rules %+v", out.Rules.Item)
	}
	one := out.Rules.Item[0].SecurityGroupRuleID
	byID := f.ok("DescribeSecurityGroupRules", "SecurityGroupRuleId.1", one).(*describeSecurityGroupRulesReply)
	if len(byID.Rules.Item) != 1 || byID.Rules.Item[0].SecurityGroupRuleArn != "arn:aws:ec2:us-west-2:123456789012:security-group-rule/"+one {
		t.Fatalf("by ID %+v", byID.Rules.Item)
	}
	tagged := f.ok("DescribeSecurityGroupRules", "Filter.1.Name", "tag:owner", "Filter.1.Value.1", "lbsg").(*describeSecurityGroupRulesReply)
	if len(tagged.Rules.Item) != 3 {
		t.Fatalf("tagged %+v", tagged.Rules.Item)
	}
	f.fail("InvalidSecurityGroupRuleId.NotFound", "DescribeSecurityGroupRules", "SecurityGroupRuleId.1", "sgr-00000000000000000")
	f.fail("InvalidParameterValue", "DescribeSecurityGroupRules", "Filter.1.Name", "vpc-id", "Filter.1.Value.1", f.vpc)
	p1 := f.ok("DescribeSecurityGroupRules", "MaxResults", "5").(*describeSecurityGroupRulesReply)
	if len(p1.Rules.Item) != 5 || p1.NextToken == "" {
		t.Fatalf("paging: %d, %q", len(p1.Rules.Item), p1.NextToken)
	}
}

func TestLegacyFlatAuthorize(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.createGroup("src")
	out := f.ok("AuthorizeSecurityGroupIngress", "GroupId", sg, "IpProtocol", "all", "FromPort", "443", "ToPort", "443",
		"CidrIp", "0.0.0.0/0").(*authorizeReply)
	if r := out.Rules[0]; r.IPProtocol != "-1" || r.FromPort != -1 || r.CidrIPv4 != "0.0.0.0/0" {
		t.Fatalf("rule %+v", r)
	}
	out = f.ok("AuthorizeSecurityGroupIngress", "GroupId", sg, "SourceSecurityGroupName", "src").(*authorizeReply)
	if r := out.Rules[0]; r.ReferencedGroupInfo == nil || r.IPProtocol != "-1" {
		t.Fatalf("rule %+v", r)
	}
	f.ok("RevokeSecurityGroupIngress", "GroupId", sg, "IpProtocol", "-1", "CidrIp", "0.0.0.0/0")
}

func TestModifySecurityGroupRules(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	a := f.ingress443(sg, "10.0.0.0/16", "a").Rules[0].SecurityGroupRuleID
	f.ingress443(sg, "10.1.0.0/16", "b")
	mod := func(id string, kv ...string) []string {
		out := []string{"GroupId", sg, "SecurityGroupRule.1.SecurityGroupRuleId", id}
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, "SecurityGroupRule.1.SecurityGroupRule."+kv[i], kv[i+1])
		}
		return out
	}
	f.ok("ModifySecurityGroupRules", mod(a, "IpProtocol", "tcp", "FromPort", "8443", "ToPort", "8443", "CidrIpv4", "10.2.0.0/16", "Description", "moved")...)
	r := f.b.st.rules[a]
	if r.From != 8443 || r.Peer != "10.2.0.0/16" || r.Description != "moved" || f.b.st.groups[sg].Ingress[0] != r {
		t.Fatalf("rule %+v", r)
	}
	before := f.snapshot()
	f.fail("InvalidPermission.Duplicate", "ModifySecurityGroupRules", mod(a, "IpProtocol", "tcp", "FromPort", "443", "ToPort", "443", "CidrIpv4", "10.1.0.0/16")...)
	f.fail("InvalidSecurityGroupRuleId.NotFound", "ModifySecurityGroupRules", mod("sgr-00000000000000000", "IpProtocol", "-1", "CidrIpv4", "1.0.0.0/8")...)
	f.fail("InvalidParameterValue", "ModifySecurityGroupRules", mod(a, "IpProtocol", "-1", "CidrIpv4", "1.0.0.0/8", "CidrIpv6", "::/0")...)
	f.fail("InvalidGroup.NotFound", "ModifySecurityGroupRules", mod(a, "IpProtocol", "-1", "ReferencedGroupId", nfGroup)...)
	f.fail("MissingParameter", "ModifySecurityGroupRules", "GroupId", sg)
	if f.snapshot() != before {
		t.Fatal("failed modify changed state")
	}
	// Switching to a group reference keeps the ID and counts as a reference.
	peer := f.createGroup("peer")
	f.ok("ModifySecurityGroupRules", mod(a, "IpProtocol", "-1", "ReferencedGroupId", peer)...)
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", peer)
}

func TestUpdateSecurityGroupRuleDescriptions(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	id := f.ingress443(sg, "10.0.0.0/16", "old").Rules[0].SecurityGroupRuleID
	f.ok("UpdateSecurityGroupRuleDescriptionsIngress", "GroupId", sg, "IpPermissions.1.IpProtocol", "tcp",
		"IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443",
		"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/16", "IpPermissions.1.IpRanges.1.Description", "new")
	if d := f.b.st.rules[id].Description; d != "new" {
		t.Fatalf("description %q", d)
	}
	f.ok("UpdateSecurityGroupRuleDescriptionsIngress", "GroupId", sg, "SecurityGroupRuleDescription.1.SecurityGroupRuleId", id,
		"SecurityGroupRuleDescription.1.Description", "by id")
	if d := f.b.st.rules[id].Description; d != "by id" {
		t.Fatalf("description %q", d)
	}
	f.fail("InvalidPermission.NotFound", "UpdateSecurityGroupRuleDescriptionsIngress", "GroupId", sg, "IpPermissions.1.IpProtocol", "tcp",
		"IpPermissions.1.FromPort", "80", "IpPermissions.1.ToPort", "80", "IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/16")
	f.fail("InvalidSecurityGroupRuleId.NotFound", "UpdateSecurityGroupRuleDescriptionsEgress", "GroupId", sg,
		"SecurityGroupRuleDescription.1.SecurityGroupRuleId", id, "SecurityGroupRuleDescription.1.Description", "x")
	f.fail("MissingParameter", "UpdateSecurityGroupRuleDescriptionsIngress", "GroupId", sg)
	// Egress: the default rule gets a description.
	f.ok("UpdateSecurityGroupRuleDescriptionsEgress", "GroupId", sg, "IpPermissions.1.IpProtocol", "-1",
		"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0", "IpPermissions.1.IpRanges.1.Description", "all out")
	if d := f.b.st.groups[sg].Egress[0].Description; d != "all out" {
		t.Fatalf("egress description %q", d)
	}
}
