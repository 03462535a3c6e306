package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/rules"
)

func TestSDKPermissionsConvertToRuleKeysAndBack(t *testing.T) {
	for _, tt := range []struct {
		name  string
		perms []ec2types.IpPermission
		want  rules.Set
	}{
		{
			name:  "a -1 rule has no ports on the wire and none in its key",
			perms: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}},
			want:  rules.Set{rules.MustKey("-1", 0, 0, "10.0.0.0/8"): ""},
		},
		{
			name: "a merged permission expands to one rule per source, each with its description",
			perms: []ec2types.IpPermission{{
				IpProtocol:       aws.String("tcp"),
				FromPort:         aws.Int32(80),
				ToPort:           aws.Int32(80),
				IpRanges:         []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("web")}},
				Ipv6Ranges:       []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
				PrefixListIds:    []ec2types.PrefixListId{{PrefixListId: aws.String("pl-12345678")}},
				UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-0123456789abcdef0"), Description: aws.String("lb")}},
			}},
			want: rules.Set{
				rules.MustKey("tcp", 80, 80, "0.0.0.0/0"):            "web",
				rules.MustKey("tcp", 80, 80, "::/0"):                 "",
				rules.MustKey("tcp", 80, 80, "pl-12345678"):          "",
				rules.MustKey("tcp", 80, 80, "sg-0123456789abcdef0"): "lb",
			},
		},
		{
			name: "icmp keeps type and code",
			perms: []ec2types.IpPermission{{IpProtocol: aws.String("icmp"), FromPort: aws.Int32(3), ToPort: aws.Int32(4),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/16")}}}},
			want: rules.Set{rules.MustKey("icmp", 3, 4, "10.0.0.0/16"): ""},
		},
		{
			name: "protocol numbers and host-bit CIDRs are canonical",
			perms: []ec2types.IpPermission{{IpProtocol: aws.String("6"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.1.2.3/8")}}}},
			want: rules.Set{rules.MustKey("tcp", 443, 443, "10.0.0.0/8"): ""},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RuleSet(tt.perms)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("RuleSet = %v, want %v", got, tt.want)
			}
			back, err := ToSDK(got)
			if err != nil {
				t.Fatal(err)
			}
			again, err := RuleSet(back)
			if err != nil || !again.Equal(tt.want) {
				t.Fatalf("round trip = %v (%v), want %v", again, err, tt.want)
			}
		})
	}
}

func TestToSDKSendsOnePermissionPerProtocolAndPorts(t *testing.T) {
	s := rules.Set{}
	for _, cidr := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} {
		s.Add(rules.MustKey("tcp", 80, 80, cidr), "")
		s.Add(rules.MustKey("tcp", 443, 443, cidr), "")
	}
	s.Add(rules.MustKey("-1", 0, 0, "sg-0123456789abcdef0"), "d")
	perms, err := ToSDK(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(perms) != 3 {
		t.Fatalf("got %d permissions, want 3: %+v", len(perms), perms)
	}
	for _, p := range perms {
		switch aws.ToString(p.IpProtocol) {
		case "-1":
			if p.FromPort != nil || p.ToPort != nil {
				t.Errorf("-1 permission carries ports %v-%v", p.FromPort, p.ToPort)
			}
			if len(p.UserIdGroupPairs) != 1 || aws.ToString(p.UserIdGroupPairs[0].Description) != "d" {
				t.Errorf("-1 permission peers = %+v", p.UserIdGroupPairs)
			}
		case "tcp":
			if len(p.IpRanges) != 3 {
				t.Errorf("tcp %d has %d ranges, want 3", aws.ToInt32(p.FromPort), len(p.IpRanges))
			}
			if p.IpRanges[0].Description != nil {
				t.Error("an empty description must be absent, not \"\"")
			}
		}
	}
}
