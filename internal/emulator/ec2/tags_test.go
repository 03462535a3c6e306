package ec2

import (
	"testing"
)

// §7 items 30 and 31, and the other CreateTags errors.
func TestCreateTags(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	e := f.fail("InvalidParameterValue", "CreateTags", "ResourceId.1", sg, "Tag.1.Key", "aws:x", "Tag.1.Value", "v")
	if e.Message != "Value ( aws:x ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use" {
		t.Fatalf("message %q", e.Message)
	}
	kv := []string{"ResourceId.1", sg}
	for i := 1; i <= 50; i++ {
		kv = append(kv, "Tag."+itoa(i)+".Key", "k"+itoa(i), "Tag."+itoa(i)+".Value", "v")
	}
	f.ok("CreateTags", kv...)
	before := f.snapshot()
	f.fail("TagLimitExceeded", "CreateTags", "ResourceId.1", sg, "Tag.1.Key", "k51")
	if f.snapshot() != before {
		t.Fatal("state changed")
	}
	f.ok("CreateTags", "ResourceId.1", sg, "Tag.1.Key", "k50", "Tag.1.Value", "overwritten")
	if tg := f.b.st.groups[sg].Tags; len(tg) != 50 || tg[tg.find("k50")].Value != "overwritten" {
		t.Fatalf("tags %+v", tg)
	}
	for _, tt := range []struct {
		name, code string
		kv         []string
	}{
		{"unknown group", "InvalidGroup.NotFound", []string{"ResourceId.1", nfGroup, "Tag.1.Key", "k"}},
		{"unknown instance", "InvalidInstanceID.NotFound", []string{"ResourceId.1", "i-00000000000000000", "Tag.1.Key", "k"}},
		{"unknown ENI", "InvalidNetworkInterfaceID.NotFound", []string{"ResourceId.1", "eni-00000000000000000", "Tag.1.Key", "k"}},
		{"unknown subnet", "InvalidSubnetID.NotFound", []string{"ResourceId.1", "subnet-00000000000000000", "Tag.1.Key", "k"}},
		{"unknown VPC", "InvalidVpcID.NotFound", []string{"ResourceId.1", "vpc-00000000000000000", "Tag.1.Key", "k"}},
		{"unknown rule", "InvalidSecurityGroupRuleId.NotFound", []string{"ResourceId.1", "sgr-00000000000000000", "Tag.1.Key", "k"}},
		{"unrecognised prefix", "InvalidID", []string{"ResourceId.1", "foo-1", "Tag.1.Key", "k"}},
		{"no resource", "MissingParameter", []string{"Tag.1.Key", "k"}},
		{"no tag", "MissingParameter", []string{"ResourceId.1", f.vpc}},
		{"empty key", "InvalidParameterValue", []string{"ResourceId.1", f.vpc, "Tag.1.Key", ""}},
		{"one bad resource fails all", "InvalidGroup.NotFound", []string{"ResourceId.1", f.vpc, "ResourceId.2", nfGroup, "Tag.1.Key", "k"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			before := f.snapshot()
			f.fail(tt.code, "CreateTags", tt.kv...)
			if f.snapshot() != before {
				t.Fatal("state changed")
			}
		})
	}
}

// §7 item 32 and the other DeleteTags forms.
func TestDeleteTags(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.ok("CreateTags", "ResourceId.1", sg, "Tag.1.Key", "team", "Tag.1.Value", "alpha", "Tag.2.Key", "env", "Tag.2.Value", "",
		"Tag.3.Key", "keep", "Tag.3.Value", "x")
	f.ok("DeleteTags", "ResourceId.1", sg, "Tag.1.Key", "team")
	f.ok("DeleteTags", "ResourceId.1", sg, "Tag.1.Key", "keep", "Tag.1.Value", "other")
	f.ok("DeleteTags", "ResourceId.1", sg, "Tag.1.Key", "env", "Tag.1.Value", "")
	f.ok("DeleteTags", "ResourceId.1", sg, "Tag.1.Key", "missing")
	if tg := f.b.st.groups[sg].Tags; len(tg) != 1 || tg[0].Key != "keep" {
		t.Fatalf("tags %+v", tg)
	}
	f.ok("DeleteTags", "ResourceId.1", sg)
	if tg := f.b.st.groups[sg].Tags; len(tg) != 0 {
		t.Fatalf("tags %+v", tg)
	}
	f.fail("InvalidGroup.NotFound", "DeleteTags", "ResourceId.1", nfGroup, "Tag.1.Key", "k")
}

func TestDescribeTags(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.ok("CreateTags", "ResourceId.1", sg, "ResourceId.2", f.vpc, "Tag.1.Key", "team", "Tag.1.Value", "alpha")
	for _, tt := range []struct {
		name string
		kv   []string
		want int
	}{
		{"by key", []string{"Filter.1.Name", "key", "Filter.1.Value.1", "team"}, 3}, // with the seeded node group
		{"by resource type", []string{"Filter.1.Name", "key", "Filter.1.Value.1", "team", "Filter.2.Name", "resource-type", "Filter.2.Value.1", "security-group"}, 2},
		{"by resource id", []string{"Filter.1.Name", "resource-id", "Filter.1.Value.1", sg}, 1},
		{"by value wildcard", []string{"Filter.1.Name", "value", "Filter.1.Value.1", "al*"}, 3},
		{"seeded Name tags", []string{"Filter.1.Name", "key", "Filter.1.Value.1", "Name"}, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			out := f.ok("DescribeTags", tt.kv...).(*describeTagsReply)
			if len(out.Tags.Item) != tt.want {
				t.Fatalf("got %+v", out.Tags.Item)
			}
		})
	}
	out := f.ok("DescribeTags", "Filter.1.Name", "resource-id", "Filter.1.Value.1", sg).(*describeTagsReply)
	if out.Tags.Item[0] != (tagDescription{ResourceID: sg, ResourceType: "security-group", Key: "team", Value: "alpha"}) {
		t.Fatalf("tag %+v", out.Tags.Item[0])
	}
	p1 := f.ok("DescribeTags", "MaxResults", "5").(*describeTagsReply)
	if len(p1.Tags.Item) != 5 || p1.NextToken == "" {
		t.Fatalf("paging %d %q", len(p1.Tags.Item), p1.NextToken)
	}
	f.fail("InvalidParameterValue", "DescribeTags", "Filter.1.Name", "bogus", "Filter.1.Value.1", "x")
}
