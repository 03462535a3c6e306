package ec2

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// §7 item 8.
func TestCreateSecurityGroupHasNoIngressAndAllowAllEgress(t *testing.T) {
	f := newFixture(t)
	out := f.ok("CreateSecurityGroup", "GroupName", "web", "GroupDescription", "web", "VpcId", f.vpc,
		"TagSpecification.1.ResourceType", "security-group", "TagSpecification.1.Tag.1.Key", "team",
		"TagSpecification.1.Tag.1.Value", "alpha").(*createSecurityGroupReply)
	if !regexp.MustCompile(`^sg-[0-9a-f]{17}$`).MatchString(out.GroupID) {
		t.Fatalf("group ID %q", out.GroupID)
	}
	if out.SecurityGroupArn != "arn:aws:ec2:us-west-2:123456789012:security-group/"+out.GroupID || len(out.Tags) != 1 {
		t.Fatalf("reply %+v", out)
	}
	g := f.group(out.GroupID)
	if len(g.IPPermissions.Item) != 0 || len(g.IPPermissionsEgress.Item) != 1 {
		t.Fatalf("rules %+v", g)
	}
	e := g.IPPermissionsEgress.Item[0]
	if e.IPProtocol != "-1" || e.FromPort != nil || e.ToPort != nil || e.IPRanges.Item[0].CidrIP != "0.0.0.0/0" {
		t.Fatalf("egress %+v", e)
	}
	body, _ := renderEC2("DescribeSecurityGroups", &describeSecurityGroupsReply{Groups: query.ItemsOf([]securityGroupItem{g})})
	if !strings.Contains(body, "<ipPermissions></ipPermissions>") || strings.Contains(body, "fromPort") ||
		!strings.Contains(body, "<groups></groups>") {
		t.Fatalf("body %s", body)
	}
}

func TestCreateSecurityGroupValidation(t *testing.T) {
	f := newFixture(t)
	f.createGroup("web")
	long := strings.Repeat("a", 256)
	for _, tt := range []struct {
		name, code string
		kv         []string
	}{
		// §7 item 9.
		{"same name again is a duplicate", "InvalidGroup.Duplicate", []string{"GroupName", "web", "GroupDescription", "x", "VpcId", f.vpc}},
		{"names compare case-insensitively", "InvalidGroup.Duplicate", []string{"GroupName", "WEB", "GroupDescription", "x", "VpcId", f.vpc}},
		// §7 item 10.
		{"sg- prefix is invalid", "InvalidParameterValue", []string{"GroupName", "sg-web", "GroupDescription", "x", "VpcId", f.vpc}},
		{"256-char name is invalid", "InvalidParameterValue", []string{"GroupName", long, "GroupDescription", "x", "VpcId", f.vpc}},
		{"non-ASCII description is invalid", "InvalidParameterValue", []string{"GroupName", "x", "GroupDescription", "é", "VpcId", f.vpc}},
		{"no VpcId without a default VPC", "VPCIdNotSpecified", []string{"GroupName", "x", "GroupDescription", "x"}},
		{"unknown VPC", "InvalidVpcID.NotFound", []string{"GroupName", "x", "GroupDescription", "x", "VpcId", "vpc-00000000000000000"}},
		{"missing name", "MissingParameter", []string{"GroupDescription", "x", "VpcId", f.vpc}},
		{"missing description", "MissingParameter", []string{"GroupName", "x", "VpcId", f.vpc}},
		{"default is reserved", "InvalidGroup.Reserved", []string{"GroupName", "default", "GroupDescription", "x", "VpcId", f.vpc}},
		{"tags for another resource type", "InvalidParameterValue", []string{"GroupName", "x", "GroupDescription", "x", "VpcId", f.vpc,
			"TagSpecification.1.ResourceType", "instance", "TagSpecification.1.Tag.1.Key", "k"}},
		{"aws: tag keys are reserved", "InvalidParameterValue", []string{"GroupName", "x", "GroupDescription", "x", "VpcId", f.vpc,
			"TagSpecification.1.ResourceType", "security-group", "TagSpecification.1.Tag.1.Key", "aws:k"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			before := f.snapshot()
			e := f.fail(tt.code, "CreateSecurityGroup", tt.kv...)
			if e.Status != 400 {
				t.Fatalf("status %d", e.Status)
			}
			if f.snapshot() != before {
				t.Fatal("state changed")
			}
		})
	}
	e := f.fail("InvalidGroup.Duplicate", "CreateSecurityGroup", "GroupName", "web", "GroupDescription", "x", "VpcId", f.vpc)
	if e.Message != "The security group 'web' already exists for VPC '"+f.vpc+"'" {
		t.Fatalf("message %q", e.Message)
	}
	e = f.fail("InvalidParameterValue", "CreateSecurityGroup", "GroupName", "sg-86c8964", "GroupDescription", "x", "VpcId", f.vpc)
	if e.Message != "Value (sg-86c8964) for parameter GroupName is invalid. Group names may not be in the format sg-*." {
		t.Fatalf("message %q", e.Message)
	}
}

func TestSecurityGroupsPerRegionQuota(t *testing.T) {
	f := newFixture(t)
	f.b.Quotas.GroupsPerRegion = len(f.b.st.groups) + 1
	f.createGroup("last")
	f.fail("SecurityGroupLimitExceeded", "CreateSecurityGroup", "GroupName", "over", "GroupDescription", "x", "VpcId", f.vpc)
}

// §7 item 11.
func TestDescribeSecurityGroupsByID(t *testing.T) {
	f := newFixture(t)
	e := f.fail("InvalidGroup.NotFound", "DescribeSecurityGroups", "GroupId.1", nfGroup)
	if e.Message != "The security group '"+nfGroup+"' does not exist" {
		t.Fatalf("message %q", e.Message)
	}
	out := f.ok("DescribeSecurityGroups", "Filter.1.Name", "group-id", "Filter.1.Value.1", nfGroup).(*describeSecurityGroupsReply)
	if len(out.Groups.Item) != 0 {
		t.Fatalf("groups %+v", out.Groups.Item)
	}
	e = f.fail("InvalidGroupId.Malformed", "DescribeSecurityGroups", "GroupId.1", "web")
	if e.Message != `Invalid id: "web" (expecting "sg-...")` {
		t.Fatalf("message %q", e.Message)
	}
	// GroupName only searches the default VPC, and there is none.
	f.fail("VPCIdNotSpecified", "DescribeSecurityGroups", "GroupName.1", "node")
}

// §7 items 12, 13 and the other filters.
func TestDescribeSecurityGroupsFilters(t *testing.T) {
	f := newFixture(t)
	web := f.createGroup("web")
	f.ingress443(web, "10.0.0.0/16", "lb")
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", web, "IpPermissions.1.IpProtocol", "udp",
		"IpPermissions.1.FromPort", "53", "IpPermissions.1.ToPort", "53", "IpPermissions.1.Groups.1.GroupId", f.seed.SecurityGroups["node"])
	node := f.seed.SecurityGroups["node"]
	def := f.seed.DefaultGroups["vpc-A"]
	f.fail("InvalidParameterValue", "DescribeSecurityGroups", "Filter.1.Name", "bogus", "Filter.1.Value.1", "x")
	for _, tt := range []struct {
		name string
		kv   []string
		want []string
	}{
		{"tag wildcard matches team=alpha", []string{"Filter.1.Name", "tag:team", "Filter.1.Value.1", "a*"}, []string{node}},
		{"tag-key matches any value", []string{"Filter.1.Name", "tag-key", "Filter.1.Value.1", "team"}, []string{node}},
		{"group-name", []string{"Filter.1.Name", "group-name", "Filter.1.Value.1", "web"}, []string{web}},
		{"vpc-id lists all groups of the VPC", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", f.vpc}, sortStrings([]string{web, node, def})},
		{"ingress cidr", []string{"Filter.1.Name", "ip-permission.cidr", "Filter.1.Value.1", "10.0.0.0/16"}, []string{web}},
		{"ingress from-port", []string{"Filter.1.Name", "ip-permission.from-port", "Filter.1.Value.1", "443"}, []string{web}},
		{"ingress group-id", []string{"Filter.1.Name", "ip-permission.group-id", "Filter.1.Value.1", node}, []string{web}},
		{"ingress protocol by number", []string{"Filter.1.Name", "ip-permission.protocol", "Filter.1.Value.1", "17"}, []string{web}},
		{"different filters met by different rules", []string{"Filter.1.Name", "ip-permission.protocol", "Filter.1.Value.1", "udp",
			"Filter.2.Name", "ip-permission.cidr", "Filter.2.Value.1", "10.0.0.0/16"}, []string{web}},
		{"egress cidr matches the default egress rule", []string{"Filter.1.Name", "egress.ip-permission.cidr", "Filter.1.Value.1", "0.0.0.0/0",
			"Filter.2.Name", "group-id", "Filter.2.Value.1", web}, []string{web}},
		{"filters are AND'ed", []string{"Filter.1.Name", "group-name", "Filter.1.Value.1", "web", "Filter.2.Name", "tag-key", "Filter.2.Value.1", "team"}, nil},
		{"description", []string{"Filter.1.Name", "description", "Filter.1.Value.1", "default VPC*"}, []string{def}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			out := f.ok("DescribeSecurityGroups", tt.kv...).(*describeSecurityGroupsReply)
			var got []string
			for _, g := range out.Groups.Item {
				got = append(got, g.GroupID)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v want %v", got, tt.want)
			}
		})
	}
}

func TestFilterValueLimit(t *testing.T) {
	f := newFixture(t)
	kv := []string{"Filter.1.Name", "group-id"}
	for i := 1; i <= 201; i++ {
		kv = append(kv, "Filter.1.Value."+itoa(i), "sg-x")
	}
	f.fail("FilterLimitExceeded", "DescribeSecurityGroups", kv...)
}

// §7 item 14.
func TestDescribeSecurityGroupsPaging(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 5; i++ {
		f.createGroup("g" + itoa(i))
	} // 7 groups with default and node
	f.fail("InvalidParameterValue", "DescribeSecurityGroups", "MaxResults", "4")
	f.fail("InvalidParameterValue", "DescribeSecurityGroups", "MaxResults", "1001")
	p1 := f.ok("DescribeSecurityGroups", "MaxResults", "5").(*describeSecurityGroupsReply)
	if len(p1.Groups.Item) != 5 || p1.NextToken == "" {
		t.Fatalf("page 1: %d groups, token %q", len(p1.Groups.Item), p1.NextToken)
	}
	p2 := f.ok("DescribeSecurityGroups", "MaxResults", "5", "NextToken", p1.NextToken).(*describeSecurityGroupsReply)
	if len(p2.Groups.Item) != 2 || p2.NextToken != "" {
		t.Fatalf("page 2: %d groups, token %q", len(p2.Groups.Item), p2.NextToken)
	}
	all := append(p1.Groups.Item, p2.Groups.Item...)
	for i := 1; i < len(all); i++ {
		if all[i-1].GroupID >= all[i].GroupID {
			t.Fatalf("not sorted by ID: %s, %s", all[i-1].GroupID, all[i].GroupID)
		}
	}
	f.fail("InvalidNextToken", "DescribeSecurityGroups", "MaxResults", "5", "NextToken", p1.NextToken,
		"Filter.1.Name", "vpc-id", "Filter.1.Value.1", f.vpc)
}

// §7 items 28 and 29.
func TestDeleteSecurityGroup(t *testing.T) {
	f := newFixture(t)
	web := f.createGroup("web")
	lb := f.createGroup("lb")
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", lb, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "80",
		"IpPermissions.1.ToPort", "80", "IpPermissions.1.Groups.1.GroupId", web)
	// A self-reference never blocks deletion.
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", web, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.Groups.1.GroupId", web)
	e := f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", web)
	if e.Message != "resource "+web+" has a dependent object" {
		t.Fatalf("message %q", e.Message)
	}
	f.ok("RevokeSecurityGroupIngress", "GroupId", lb, "IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "80",
		"IpPermissions.1.ToPort", "80", "IpPermissions.1.Groups.1.GroupId", web)
	out := f.ok("DeleteSecurityGroup", "GroupId", web).(*deleteSecurityGroupReply)
	if out.GroupID != web {
		t.Fatalf("reply %+v", out)
	}
	f.fail("InvalidGroup.NotFound", "DescribeSecurityGroups", "GroupId.1", web)
	// Still on instance one's ENI.
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", f.seed.SecurityGroups["node"])
	e = f.fail("CannotDelete", "DeleteSecurityGroup", "GroupId", f.seed.DefaultGroups["vpc-A"])
	if !strings.Contains(e.Message, `name: "default" cannot be deleted by a user`) {
		t.Fatalf("message %q", e.Message)
	}
	f.fail("InvalidGroup.NotFound", "DeleteSecurityGroup", "GroupId", nfGroup)
	f.fail("InvalidGroupId.Malformed", "DeleteSecurityGroup", "GroupId", "web")
	f.fail("MissingParameter", "DeleteSecurityGroup")
	f.fail("VPCIdNotSpecified", "DeleteSecurityGroup", "GroupName", "lb")
}

func TestDeleteSecurityGroupHeldByServiceENIUntilReleased(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("lb")
	eni, err := f.b.CreateServiceENI(f.seed.Subnets["a"], []string{sg}, "load_balancer", "ELB app/web/0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", sg)
	f.b.ReleaseENI(eni, time.Minute)
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", sg)
	f.clock.SetTime(f.clock.Now().Add(time.Minute))
	f.ok("DeleteSecurityGroup", "GroupId", sg)
	if _, ok := f.b.st.enis[eni]; ok {
		t.Fatal("released ENI not purged")
	}
}

func TestNewGroupIsInvisibleToDescribeDuringCreateLag(t *testing.T) {
	f := newFixture(t)
	f.b.env.Lag.Create = 5 * time.Second
	sg := f.createGroup("web")
	f.fail("InvalidGroup.NotFound", "DescribeSecurityGroups", "GroupId.1", sg)
	out := f.ok("DescribeSecurityGroups", "Filter.1.Name", "group-name", "Filter.1.Value.1", "web").(*describeSecurityGroupsReply)
	if len(out.Groups.Item) != 0 {
		t.Fatal("visible by filter during lag")
	}
	// The state itself is linearisable: writes see the group.
	f.ingress443(sg, "10.0.0.0/8", "")
	f.clock.SetTime(f.clock.Now().Add(5 * time.Second))
	if g := f.group(sg); len(g.IPPermissions.Item) != 1 {
		t.Fatalf("group %+v", g)
	}
}

func TestTagsAndRulesLag(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.b.env.Lag.Tags = time.Second
	f.b.env.Lag.Rules = 2 * time.Second
	f.ok("CreateTags", "ResourceId.1", sg, "Tag.1.Key", "k", "Tag.1.Value", "v")
	f.ingress443(sg, "10.0.0.0/8", "")
	g := f.group(sg)
	if len(g.Tags) != 0 || len(g.IPPermissions.Item) != 0 {
		t.Fatalf("fresh writes visible: %+v", g)
	}
	f.clock.SetTime(f.clock.Now().Add(time.Second))
	if g = f.group(sg); len(g.Tags) != 1 || len(g.IPPermissions.Item) != 0 {
		t.Fatalf("after 1s: %+v", g)
	}
	f.clock.SetTime(f.clock.Now().Add(time.Second))
	if g = f.group(sg); len(g.IPPermissions.Item) != 1 {
		t.Fatalf("after 2s: %+v", g)
	}
}

func TestGroupNameLookupsInTheDefaultVPC(t *testing.T) {
	f := newFixture(t)
	res, err := f.b.ApplySeed(Seed{VPCs: []SeedVPC{{Name: "default", CIDR: "172.31.0.0/16", Default: true,
		SecurityGroups: []SeedSecurityGroup{{Name: "web"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	out := f.ok("DescribeSecurityGroups", "GroupName.1", "web").(*describeSecurityGroupsReply)
	if len(out.Groups.Item) != 1 || out.Groups.Item[0].GroupID != res.SecurityGroups["web"] {
		t.Fatalf("groups %+v", out.Groups.Item)
	}
	e := f.fail("InvalidGroup.NotFound", "DescribeSecurityGroups", "GroupName.1", "nope")
	if e.Message != "The security group 'nope' does not exist in default VPC '"+res.VPCs["default"]+"'" {
		t.Fatalf("message %q", e.Message)
	}
	// Without VpcId, CreateSecurityGroup uses the default VPC.
	id := f.ok("CreateSecurityGroup", "GroupName", "api", "GroupDescription", "api").(*createSecurityGroupReply).GroupID
	if vpc, _ := f.b.SecurityGroupVPC(id); vpc != res.VPCs["default"] {
		t.Fatalf("created in %s", vpc)
	}
	// Default VPC: unmatched revokes come back as unknown permissions.
	rv := f.ok("RevokeSecurityGroupIngress", "GroupName", "web", "IpPermissions.1.IpProtocol", "tcp",
		"IpPermissions.1.FromPort", "1", "IpPermissions.1.ToPort", "2", "IpPermissions.1.IpRanges.1.CidrIp", "1.2.3.4/32").(*revokeReply)
	if len(rv.Unknown) != 1 || rv.Unknown[0].IPRanges.Item[0].CidrIP != "1.2.3.4/32" {
		t.Fatalf("revoke %+v", rv)
	}
	f.ok("DeleteSecurityGroup", "GroupName", "api")
}
