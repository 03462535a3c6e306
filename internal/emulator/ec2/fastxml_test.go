package ec2

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// plainSGReply renders with encoding/xml's reflection (no MarshalXML).
type plainSGReply describeSecurityGroupsReply

func TestFastXMLMatchesEncodingXML(t *testing.T) {
	f := newFixture(t)
	web := f.createGroup("web")
	f.ok("CreateTags", "ResourceId.1", web, "Tag.1.Key", "a<b>&\"c'", "Tag.1.Value", "", "Tag.2.Key", "ünï\tcode", "Tag.2.Value", "\x01bad")
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", web,
		"IpPermissions.1.IpProtocol", "tcp", "IpPermissions.1.FromPort", "0", "IpPermissions.1.ToPort", "65535",
		"IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8", "IpPermissions.1.IpRanges.1.Description", "a&b;{c} [d]",
		"IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0",
		"IpPermissions.1.Groups.1.GroupId", web, "IpPermissions.1.Groups.1.Description", "self",
		"IpPermissions.1.PrefixListIds.1.PrefixListId", "pl-0123456789abcdef0", "IpPermissions.1.PrefixListIds.1.Description", "pl",
		"IpPermissions.2.IpProtocol", "icmp", "IpPermissions.2.FromPort", "-1", "IpPermissions.2.ToPort", "-1",
		"IpPermissions.2.IpRanges.1.CidrIp", "0.0.0.0/0")
	for _, kv := range [][]string{nil, {"MaxResults", "5"}, {"GroupId.1", web}, {"Filter.1.Name", "group-id", "Filter.1.Value.1", nfGroup}} {
		out := f.ok("DescribeSecurityGroups", kv...).(*describeSecurityGroupsReply)
		fast, err := query.EC2Body("DescribeSecurityGroups", "req-1", out)
		if err != nil {
			t.Fatal(err)
		}
		plain := (*plainSGReply)(out)
		var slow bytes.Buffer
		enc := xml.NewEncoder(&slow)
		if err := enc.EncodeElement(plain, xml.StartElement{Name: xml.Name{Local: "DescribeSecurityGroupsResponse"}}); err != nil {
			t.Fatal(err)
		}
		if err := enc.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := xml.Header + slow.String(); string(fast) != want {
			t.Fatalf("fast XML differs:\nfast: %s\nwant: %s", fast, want)
		}
	}
}
