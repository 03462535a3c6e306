package ec2

import (
	"net/http"
	"strings"
	"testing"
)

// §7 item 1.
func TestDescribeVpcsListsTheSeededVPC(t *testing.T) {
	f := newFixture(t)
	out := f.ok("DescribeVpcs", "Action", "DescribeVpcs", "Version", "2016-11-15").(*describeVpcsReply)
	if len(out.Vpcs.Item) != 1 || out.Vpcs.Item[0].VpcID != f.vpc || out.Vpcs.Item[0].CIDRBlock != "10.0.0.0/16" {
		t.Fatalf("vpcs = %+v", out.Vpcs.Item)
	}
	if len(out.Vpcs.Item[0].IPv6Assocs) != 1 || out.Vpcs.Item[0].Tags[0] != (tagItem{"Name", "vpc-A"}) {
		t.Fatalf("vpc = %+v", out.Vpcs.Item[0])
	}
	body, err := renderEC2("DescribeVpcs", out)
	if err != nil || !strings.Contains(body, "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>req</requestId><vpcSet><item><vpcId>") {
		t.Fatalf("body = %s (%v)", body, err)
	}
}

func TestDescribeVpcsErrors(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name, code string
		kv         []string
	}{
		{"unknown VPC ID is InvalidVpcID.NotFound", "InvalidVpcID.NotFound", []string{"VpcId.1", "vpc-00000000000000000"}},
		{"malformed VPC ID", "InvalidVpcID.Malformed", []string{"VpcId.1", "vpcA"}},
		{"unknown filter", "InvalidParameterValue", []string{"Filter.1.Name", "bogus", "Filter.1.Value.1", "x"}},
		{"MaxResults below 5", "InvalidParameterValue", []string{"MaxResults", "4"}},
		{"bad NextToken", "InvalidNextToken", []string{"NextToken", "garbage"}},
	} {
		t.Run(tt.name, func(t *testing.T) { f.with(t).fail(tt.code, "DescribeVpcs", tt.kv...) })
	}
}

// §7 item 3.
func TestUnknownActionIsInvalidAction(t *testing.T) {
	f := newFixture(t)
	e := f.fail("InvalidAction", "NoSuchThing")
	if e.Status != http.StatusBadRequest {
		t.Fatalf("status %d", e.Status)
	}
	if f.b.Mutating("NoSuchThing") {
		t.Fatal("unknown action reported as mutating")
	}
}

func TestUnknownParameterIsRejected(t *testing.T) {
	f := newFixture(t)
	e := f.fail("UnknownParameter", "DescribeVpcs", "Bogus.1", "x")
	if e.Message != "The parameter Bogus is not recognized" {
		t.Fatalf("message %q", e.Message)
	}
}

func TestDryRunAnswersDryRunOperationWithoutChanges(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot()
	e := f.fail("DryRunOperation", "CreateSecurityGroup", "GroupName", "web", "GroupDescription", "web", "VpcId", f.vpc, "DryRun", "true")
	if e.Status != http.StatusPreconditionFailed || e.Message != "Request would have succeeded, but DryRun flag is set." {
		t.Fatalf("%d %q", e.Status, e.Message)
	}
	if f.snapshot() != before {
		t.Fatal("dry run changed state")
	}
	f.fail("InvalidParameterValue", "DescribeVpcs", "DryRun", "maybe")
	f.ok("DescribeVpcs", "DryRun", "false")
}

// §7 item 4: indexes are numeric, not textual.
func TestFiltersAreAppliedByNumericIndex(t *testing.T) {
	f := newFixture(t)
	kv := []string{}
	// Filter.1..Filter.10; Filter.10 must not be mistaken for Filter.1.
	for i := 1; i <= 9; i++ {
		kv = append(kv, "Filter."+itoa(i)+".Name", "vpc-id", "Filter."+itoa(i)+".Value.1", f.vpc)
	}
	kv = append(kv, "Filter.10.Name", "subnet-id", "Filter.10.Value.1", f.seed.Subnets["b"])
	out := f.ok("DescribeSubnets", kv...).(*describeSubnetsReply)
	if len(out.Subnets.Item) != 1 || out.Subnets.Item[0].SubnetID != f.seed.Subnets["b"] {
		t.Fatalf("subnets = %+v", out.Subnets.Item)
	}
}

// §7 item 5.
func TestEmptyIpPermissionsIsAClientErrorNotAPanic(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	before := f.snapshot()
	for _, a := range []string{"RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"} {
		f.fail("MissingParameter", a, "GroupId", sg, "IpPermissions", "")
	}
	if f.snapshot() != before {
		t.Fatal("state changed")
	}
}

func TestDescribeSubnetsFiltersLikeLBC(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name string
		kv   []string
		want []string
	}{
		{"by vpc-id", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", f.vpc}, []string{"a", "b"}},
		{"by availability zone", []string{"Filter.1.Name", "availability-zone", "Filter.1.Value.1", "us-west-2b"}, []string{"b"}},
		{"by zone id", []string{"Filter.1.Name", "availability-zone-id", "Filter.1.Value.1", "usw2-az1"}, []string{"a"}},
		{"by cidr-block", []string{"Filter.1.Name", "cidr-block", "Filter.1.Value.1", "10.0.2.0/24"}, []string{"b"}},
		{"by tag Name with a wildcard", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "?"}, []string{"a", "b"}},
		{"by ID", []string{"SubnetId.1", "SUBNET_A"}, []string{"a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			for i, v := range tt.kv {
				if v == "SUBNET_A" {
					tt.kv[i] = f.seed.Subnets["a"]
				}
			}
			out := f.ok("DescribeSubnets", tt.kv...).(*describeSubnetsReply)
			var got []string
			for _, s := range out.Subnets.Item {
				for n, id := range f.seed.Subnets {
					if id == s.SubnetID {
						got = append(got, n)
					}
				}
			}
			if strings.Join(sortStrings(got), ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v want %v", got, tt.want)
			}
		})
	}
	f.fail("InvalidSubnetID.NotFound", "DescribeSubnets", "SubnetId.1", "subnet-00000000000000000")
	out := f.ok("DescribeSubnets", "SubnetId.1", f.seed.Subnets["a"]).(*describeSubnetsReply)
	// /24 minus 5 reserved, minus instance one's IP and the loose ENI's.
	if s := out.Subnets.Item[0]; s.AvailableIPAddressCount != 256-5-2 || s.AvailabilityZoneID != "usw2-az1" ||
		s.SubnetArn != "arn:aws:ec2:us-west-2:123456789012:subnet/"+s.SubnetID {
		t.Fatalf("subnet = %+v", s)
	}
}

func TestDescribeAvailabilityZones(t *testing.T) {
	f := newFixture(t)
	out := f.ok("DescribeAvailabilityZones").(*describeAZsReply)
	if len(out.Zones.Item) != 4 || out.Zones.Item[3].ZoneName != "us-west-2d" || out.Zones.Item[3].ZoneID != "usw2-az4" || out.Zones.Item[0].ZoneState != "available" {
		t.Fatalf("zones = %+v", out.Zones.Item)
	}
	out = f.ok("DescribeAvailabilityZones", "ZoneName.1", "us-west-2b", "ZoneId.1", "usw2-az3").(*describeAZsReply)
	if len(out.Zones.Item) != 2 {
		t.Fatalf("zones = %+v", out.Zones.Item)
	}
	out = f.ok("DescribeAvailabilityZones", "Filter.1.Name", "zone-id", "Filter.1.Value.1", "usw2-az1").(*describeAZsReply)
	if len(out.Zones.Item) != 1 || out.Zones.Item[0].ZoneName != "us-west-2a" {
		t.Fatalf("zones = %+v", out.Zones.Item)
	}
	f.fail("InvalidParameterValue", "DescribeAvailabilityZones", "ZoneName.1", "us-west-2z")
	f.fail("UnknownParameter", "DescribeAvailabilityZones", "MaxResults", "5")
	for region, code := range map[string]string{"us-west-2": "usw2", "ap-northeast-1": "apne1", "eu-central-1": "euc1", "us-east-1": "use1", "ap-southeast-2": "apse2"} {
		if got := regionCode(region); got != code {
			t.Errorf("regionCode(%s) = %s, want %s", region, got, code)
		}
	}
}

// Every top-level key aws-sdk-go-v2 v1.344.3 serialises for these actions
// (serializers.go) must be known: unsupported ones get a proper error, not
// UnknownParameter.
func TestEveryParameterTheSDKSendsIsKnown(t *testing.T) {
	sdk := map[string]string{
		"DescribeVpcs":                               "DryRun Filter MaxResults NextToken VpcId",
		"DescribeSubnets":                            "DryRun Filter MaxResults NextToken SubnetId",
		"DescribeAvailabilityZones":                  "AllAvailabilityZones DryRun Filter ZoneId ZoneName",
		"DescribeSecurityGroups":                     "DryRun Filter GroupId GroupName MaxResults NextToken",
		"DescribeSecurityGroupRules":                 "DryRun Filter MaxResults NextToken SecurityGroupRuleId",
		"CreateSecurityGroup":                        "GroupDescription DryRun GroupName TagSpecification VpcId",
		"DeleteSecurityGroup":                        "DryRun GroupId GroupName",
		"AuthorizeSecurityGroupIngress":              "CidrIp DryRun FromPort GroupId GroupName IpPermissions IpProtocol SourceSecurityGroupName SourceSecurityGroupOwnerId TagSpecification ToPort",
		"AuthorizeSecurityGroupEgress":               "CidrIp DryRun FromPort GroupId IpPermissions IpProtocol SourceSecurityGroupName SourceSecurityGroupOwnerId TagSpecification ToPort",
		"RevokeSecurityGroupIngress":                 "CidrIp DryRun FromPort GroupId GroupName IpPermissions IpProtocol SecurityGroupRuleId SourceSecurityGroupName SourceSecurityGroupOwnerId ToPort",
		"RevokeSecurityGroupEgress":                  "CidrIp DryRun FromPort GroupId IpPermissions IpProtocol SecurityGroupRuleId SourceSecurityGroupName SourceSecurityGroupOwnerId ToPort",
		"ModifySecurityGroupRules":                   "DryRun GroupId SecurityGroupRule",
		"UpdateSecurityGroupRuleDescriptionsIngress": "DryRun GroupId GroupName IpPermissions SecurityGroupRuleDescription",
		"UpdateSecurityGroupRuleDescriptionsEgress":  "DryRun GroupId GroupName IpPermissions SecurityGroupRuleDescription",
		"CreateTags":                                 "DryRun ResourceId Tag",
		"DeleteTags":                                 "DryRun ResourceId Tag",
		"DescribeTags":                               "DryRun Filter MaxResults NextToken",
		"DescribeInstances":                          "DryRun Filter IncludeManagedResources InstanceId MaxResults NextToken",
		"DescribeNetworkInterfaces":                  "DryRun Filter IncludeManagedResources MaxResults NetworkInterfaceId NextToken",
		"ModifyNetworkInterfaceAttribute":            "AssociatedSubnetId AssociatePublicIpAddress Attachment ConnectionTrackingSpecification Description DryRun EnablePrimaryIpv6 EnaSrdSpecification SecurityGroupId NetworkInterfaceId SourceDestCheck",
		"ModifyInstanceAttribute":                    "Attribute BlockDeviceMapping DisableApiStop DisableApiTermination DryRun EbsOptimized EnaSupport EnclaveOptions GroupId InstanceId InstanceInitiatedShutdownBehavior InstanceType Kernel Ramdisk SourceDestCheck SriovNetSupport UserData Value",
		"AllocateAddress":                            "Address CustomerOwnedIpv4Pool Domain DryRun IpamPoolId NetworkBorderGroup PublicIpv4Pool TagSpecification",
		"DescribeAddresses":                          "AllocationId DryRun Filter PublicIp",
		"ReleaseAddress":                             "AllocationId DryRun NetworkBorderGroup PublicIp",
		"AssignPrivateIpAddresses":                   "AllowReassignment Ipv4PrefixCount Ipv4Prefix NetworkInterfaceId PrivateIpAddress SecondaryPrivateIpAddressCount",
	}
	if len(sdk) != len(Actions()) {
		t.Fatalf("table covers %d of %d actions", len(sdk), len(Actions()))
	}
	f := newFixture(t)
	for action, keys := range sdk {
		for _, k := range strings.Fields(keys) {
			_, err := f.b.Handle(action, params(k+".1.Value", "x"))
			if e, ok := err.(interface{ Error() string }); ok && strings.HasPrefix(e.Error(), "UnknownParameter") {
				t.Errorf("%s: %s is unknown", action, k)
			}
		}
	}
}
