package ec2

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// FuzzHandle feeds arbitrary actions and form bodies to a seeded backend:
// it must never panic, must answer *query.Error with a 4xx status for bad
// input, must render every success, and must keep its state snapshot
// restorable.
func FuzzHandle(f *testing.F) {
	for _, s := range []struct{ action, body string }{
		{"DescribeSecurityGroups", "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&MaxResults=5"},
		{"AuthorizeSecurityGroupIngress", "GroupId=SG&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=1&IpPermissions.1.ToPort=2&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.1/8"},
		{"AuthorizeSecurityGroupEgress", "GroupId=SG&IpPermissions.1.IpProtocol=-1&IpPermissions.1.Groups.1.GroupId=SG"},
		{"RevokeSecurityGroupIngress", "GroupId=SG&IpPermissions="},
		{"RevokeSecurityGroupEgress", "GroupId=SG&SecurityGroupRuleId.1=sgr-1"},
		{"ModifySecurityGroupRules", "GroupId=SG&SecurityGroupRule.1.SecurityGroupRuleId=sgr-1&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=-1&SecurityGroupRule.1.SecurityGroupRule.CidrIpv6=::/0"},
		{"CreateSecurityGroup", "GroupName=web&GroupDescription=web&VpcId=VPC&TagSpecification.1.ResourceType=security-group&TagSpecification.1.Tag.1.Key=k"},
		{"DeleteSecurityGroup", "GroupId=SG"},
		{"CreateTags", "ResourceId.1=SG&Tag.1.Key=a&Tag.1.Value=b"},
		{"DeleteTags", "ResourceId.1=SG"},
		{"DescribeTags", "Filter.1.Name=key&Filter.1.Value.1=*"},
		{"DescribeInstances", "InstanceId.1=i-1&MaxResults=5"},
		{"DescribeNetworkInterfaces", "Filter.1.Name=addresses.private-ip-address&Filter.1.Value.1=10.0.1.10"},
		{"ModifyNetworkInterfaceAttribute", "NetworkInterfaceId=ENI&SecurityGroupId.1=SG"},
		{"ModifyInstanceAttribute", "InstanceId=I&GroupId.1=SG"},
		{"AssignPrivateIpAddresses", "NetworkInterfaceId=ENI&Ipv4Prefix.1=10.0.1.64/26"},
		{"AssignPrivateIpAddresses", "NetworkInterfaceId=ENI&Ipv4PrefixCount=3"},
		{"UpdateSecurityGroupRuleDescriptionsIngress", "GroupId=SG&IpPermissions.1.IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0"},
		{"DescribeSecurityGroupRules", "Filter.1.Name=group-id&Filter.1.Value.1=SG"},
		{"DescribeAvailabilityZones", "ZoneName.1=us-west-2a"},
		{"DescribeVpcs", "NextToken=abc"},
		{"DescribeSubnets", "Filter.999999.Name=x"},
		{"NoSuchThing", ""},
	} {
		f.Add(s.action, s.body)
	}
	clk := clocktesting.NewFakePassiveClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, action, body string) {
		b := New(&core.Env{Region: region, Account: account, Clock: clk, IDs: core.NewIDs(7)})
		res, err := b.ApplySeed(testSeed())
		if err != nil {
			t.Fatal(err)
		}
		// Let seeds name real resources.
		body = strings.NewReplacer("SG", res.SecurityGroups["node"], "VPC", res.VPCs["vpc-A"],
			"ENI", res.NetworkInterfaces["loose"], "=I&", "="+res.Instances["one"]+"&").Replace(body)
		v, perr := url.ParseQuery(body)
		if perr != nil {
			return
		}
		out, err := b.Handle(action, query.FromValues(v))
		if err != nil {
			var qe *query.Error
			if !errors.As(err, &qe) || qe.Status < 400 || qe.Status >= 500 {
				t.Fatalf("%s %q: error %#v", action, body, err)
			}
			return
		}
		if _, err := query.EC2Body(action, "req", out); err != nil {
			t.Fatalf("%s %q: render: %v", action, body, err)
		}
		snap, err := b.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if err := New(b.env).Restore(snap); err != nil {
			t.Fatalf("%s %q: snapshot does not restore: %v", action, body, err)
		}
	})
}
