package state_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

// TestCreateOfAnSGThatExistsAdoptsOnlyItsOwn: a create whose reply was lost
// (an InternalError after EC2 acted, a crash) leaves the group in AWS but
// not in the cache; the retry gets InvalidGroup.Duplicate. The group is
// adopted when its tags say it is the same stack's, and refused otherwise
// (a name clash with someone else's group is never taken over).
func TestCreateOfAnSGThatExistsAdoptsOnlyItsOwn(t *testing.T) {
	web := naming.ServiceStack("default", "web")
	api := naming.ServiceStack("default", "api")
	for _, tc := range []struct {
		name     string
		existing map[string]string // tags of the group already named so
		wantErr  bool
	}{
		{"the same stack's group is adopted", naming.ManagedSGTags("sandbox", web, nil), false},
		{"another stack's group is refused", naming.ManagedSGTags("sandbox", api, nil), true},
		{"another cluster's group is refused", naming.ManagedSGTags("other", web, nil), true},
		{"an untagged group is refused", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := emutest.Start(t)
			vpc := vpcOf(t, env)
			name := naming.ManagedSGName("sandbox", web)
			in := &awsec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("x"), VpcId: aws.String(vpc)}
			var ts []ec2types.Tag
			for _, tg := range naming.SortedTags(tc.existing) {
				ts = append(ts, ec2types.Tag{Key: aws.String(tg.Key), Value: aws.String(tg.Value)})
			}
			if len(ts) > 0 {
				in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ts}}
			}
			made, err := env.EC2.CreateSecurityGroup(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			p := state.New(env.EC2, env.ELBv2, "sandbox", vpc)
			if _, err := p.FindSecurityGroups(t.Context(), func(map[string]string) bool { return true }); err != nil {
				t.Fatal(err)
			}
			got, err := p.CreateSecurityGroup(t.Context(), name, "x", naming.ManagedSGTags("sandbox", web, nil))
			if tc.wantErr {
				if err == nil || !awserr.Is(err, awserr.EC2InvalidGroupDuplicate) {
					t.Fatalf("got %q, %v; want the InvalidGroup.Duplicate refusal", got, err)
				}
				return
			}
			if err != nil || got != aws.ToString(made.GroupId) {
				t.Fatalf("got %q, %v; want the existing %s adopted", got, err, aws.ToString(made.GroupId))
			}
			snap, err := p.Snapshot(t.Context(), web)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.ManagedSGs) != 1 || snap.ManagedSGs[0].ID != got {
				t.Errorf("the adopted group is not the stack's managed SG: %+v", snap.ManagedSGs)
			}
		})
	}
}

func vpcOf(t *testing.T, env *emutest.Env) string {
	t.Helper()
	out, err := env.EC2.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{})
	if err != nil || len(out.Vpcs) == 0 {
		t.Fatalf("no VPC: %v", err)
	}
	return aws.ToString(out.Vpcs[0].VpcId)
}
