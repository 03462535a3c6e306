package ec2_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

const cluster = "sandbox"

type fixture struct {
	env  *emutest.Env
	seed emutest.Seeded
	p    *cloudec2.Provider
}

func start(t *testing.T) fixture {
	t.Helper()
	env := emutest.Start(t)
	seed := env.Seeded(t)
	c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: time.Millisecond})
	env.Server.ResetCalls()
	return fixture{env: env, seed: seed, p: cloudec2.New(c.EC2)}
}

func (f fixture) calls(action string) int { return f.env.Server.Calls().Count(action) }

// group creates a group through the provider and forgets the calls.
func (f fixture) group(t *testing.T, name string, tags map[string]string) string {
	t.Helper()
	id, err := f.p.CreateSecurityGroup(t.Context(), cloudec2.NewGroup{VPCID: f.seed.VPCID, Name: name, Description: "test group", Tags: tags})
	if err != nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	f.env.Server.ResetCalls()
	return id
}

// awsRules reads a group's inbound rules straight from the emulator.
func (f fixture) awsRules(t *testing.T, id string) rules.Set {
	t.Helper()
	out, err := f.env.EC2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("describing %s: %v", id, err)
	}
	s, err := cloudec2.RuleSet(out.SecurityGroups[0].IpPermissions)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tcpFrom(port int32, peers ...string) rules.Set {
	s := rules.Set{}
	for _, p := range peers {
		s.Add(rules.MustKey("tcp", port, port, p), naming.RuleDescription(cluster))
	}
	return s
}

func tenRules() rules.Set {
	s := rules.Set{}
	for i := range 10 {
		s.Add(rules.MustKey("tcp", int32(8000+i), int32(8000+i), fmt.Sprintf("10.%d.0.0/16", i)), naming.RuleDescription(cluster))
	}
	return s
}

func TestAuthorizingTenRulesOnOneGroupIsOneCall(t *testing.T) {
	f := start(t)
	id := f.group(t, "ten", nil)
	want := tenRules()
	if err := f.p.AuthorizeIngress(t.Context(), id, want); err != nil {
		t.Fatal(err)
	}
	if n := f.calls("AuthorizeSecurityGroupIngress"); n != 1 {
		t.Errorf("AuthorizeSecurityGroupIngress calls = %d, want 1", n)
	}
	if got := f.awsRules(t, id); !got.Equal(want) {
		t.Errorf("rules in AWS = %v, want %v", got, want)
	}
}

func TestRevokingManyRulesIsOneReadAndOneCall(t *testing.T) {
	f := start(t)
	id := f.group(t, "revoke-ten", nil)
	all := tenRules()
	if err := f.p.AuthorizeIngress(t.Context(), id, all); err != nil {
		t.Fatal(err)
	}
	f.env.Server.ResetCalls()
	gone, err := f.p.RevokeIngress(t.Context(), id, all, rules.OwnsAll)
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != 10 {
		t.Errorf("revoked %d rules, want 10", len(gone))
	}
	if r, d := f.calls("RevokeSecurityGroupIngress"), f.calls("DescribeSecurityGroups"); r != 1 || d != 1 {
		t.Errorf("calls: %d revoke, %d describe; want 1 and 1", r, d)
	}
	if got := f.awsRules(t, id); len(got) != 0 {
		t.Errorf("rules left: %v", got)
	}
}

func TestEachReadIsOneCallAndNothingIsKept(t *testing.T) {
	f := start(t)
	ip := ""
	for _, tt := range []struct {
		name   string
		action string
		read   func() error
		calls  int
	}{
		{"VPC CIDRs", "DescribeVpcs", func() error { _, err := f.p.VPC(t.Context(), f.seed.VPCID); return err }, 1},
		{"all subnets", "DescribeSubnets", func() error { _, err := f.p.Subnets(t.Context(), f.seed.VPCID); return err }, 1},
		{"subnets by role tag", "DescribeSubnets", func() error {
			_, err := f.p.SubnetsByTag(t.Context(), f.seed.VPCID, "kubernetes.io/role/elb", "", "1")
			return err
		}, 1},
		{"a group by ID", "DescribeSecurityGroups", func() error { _, err := f.p.SecurityGroup(t.Context(), f.seed.NodeSG); return err }, 1},
		{"owned groups (by the cluster tag and LBC's legacy one)", "DescribeSecurityGroups", func() error {
			_, err := f.p.OwnedSecurityGroups(t.Context(), f.seed.VPCID, cluster)
			return err
		}, 2},
		{"groups by tag", "DescribeSecurityGroups", func() error {
			_, err := f.p.SecurityGroupsByTags(t.Context(), f.seed.VPCID, map[string]string{naming.ClusterTagKey(cluster): ""})
			return err
		}, 1},
		{"instance ENIs", "DescribeInstances", func() error {
			m, err := f.p.InstanceENIs(t.Context(), f.seed.Instances)
			for _, e := range m {
				ip = e.PrivateIPs[0]
			}
			return err
		}, 1},
		{"ENIs by IP", "DescribeNetworkInterfaces", func() error { _, err := f.p.ENIsByIP(t.Context(), f.seed.VPCID, []string{ip}); return err }, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The caches are cloud/state's: every read here asks AWS.
			for range 2 {
				f.env.Server.ResetCalls()
				if err := tt.read(); err != nil {
					t.Fatal(err)
				}
				want := tt.calls
				if n := f.env.Server.Calls().Total; n != want || f.calls(tt.action) != want {
					t.Errorf("read cost %d AWS calls (%v), want %d %s", n, f.env.Server.Calls().Actions, want, tt.action)
				}
			}
		})
	}
}

func TestReadsSeeEveryWrite(t *testing.T) {
	f := start(t)
	id := f.group(t, "invalidate", map[string]string{"team": "a"})
	g, err := f.p.SecurityGroup(t.Context(), id)
	if err != nil || len(g.Ingress) != 0 {
		t.Fatalf("group = %+v, %v", g, err)
	}
	add := tcpFrom(443, "10.0.0.0/8")
	if err := f.p.AuthorizeIngress(t.Context(), id, add); err != nil {
		t.Fatal(err)
	}
	if g, _ = f.p.SecurityGroup(t.Context(), id); !g.Ingress.Equal(add) {
		t.Errorf("after authorize the provider reads %v, want %v", g.Ingress, add)
	}
	if err := f.p.CreateTags(t.Context(), []string{id}, map[string]string{"team": "b"}); err != nil {
		t.Fatal(err)
	}
	if g, _ = f.p.SecurityGroup(t.Context(), id); g.Tags["team"] != "b" {
		t.Errorf("after CreateTags team = %q", g.Tags["team"])
	}
	if err := f.p.DeleteTags(t.Context(), []string{id}, []string{"team"}); err != nil {
		t.Fatal(err)
	}
	if g, _ = f.p.SecurityGroup(t.Context(), id); g.Tags["team"] != "" {
		t.Errorf("after DeleteTags team = %q", g.Tags["team"])
	}
	if err := f.p.DeleteSecurityGroup(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	var nf *cloudec2.NotFoundError
	if _, err := f.p.SecurityGroup(t.Context(), id); !errors.As(err, &nf) {
		t.Errorf("after delete err = %v, want NotFoundError", err)
	}
}

func TestRevokeNeverActsOnAStaleRead(t *testing.T) {
	ours, foreign := tcpFrom(80, "10.0.0.0/8"), rules.Set{rules.MustKey("tcp", 22, 22, "192.168.0.0/16"): "ssh by hand"}
	for _, tt := range []struct {
		name      string
		meanwhile func(f fixture, id string)
		remove    rules.Set
		wantGone  int
		wantLeft  rules.Set
	}{
		{
			name:     "an owned rule is revoked",
			remove:   ours,
			wantGone: 1, wantLeft: foreign,
		},
		{
			name:     "a foreign rule asked for is left alone",
			remove:   ours.Union(foreign),
			wantGone: 1, wantLeft: foreign,
		},
		{
			name: "a rule whose description was changed by hand since the cached read is spared",
			meanwhile: func(f fixture, id string) {
				_, err := f.env.EC2.UpdateSecurityGroupRuleDescriptionsIngress(t.Context(), &awsec2.UpdateSecurityGroupRuleDescriptionsIngressInput{
					GroupId: aws.String(id),
					IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
						IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("mine now")}}}},
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			remove:   ours,
			wantGone: 0, wantLeft: rules.Set{rules.MustKey("tcp", 80, 80, "10.0.0.0/8"): "mine now"}.Union(foreign),
		},
		{
			name: "a rule already revoked by hand is no error",
			meanwhile: func(f fixture, id string) {
				perms, _ := cloudec2.ToSDK(ours)
				if _, err := f.env.EC2.RevokeSecurityGroupIngress(t.Context(), &awsec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms}); err != nil {
					t.Fatal(err)
				}
			},
			remove:   ours,
			wantGone: 0, wantLeft: foreign,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t)
			id := f.group(t, "stale", nil)
			if err := f.p.AuthorizeIngress(t.Context(), id, ours.Union(foreign)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.p.SecurityGroup(t.Context(), id); err != nil { // the caller's read
				t.Fatal(err)
			}
			if tt.meanwhile != nil {
				tt.meanwhile(f, id)
			}
			gone, err := f.p.RevokeIngress(t.Context(), id, tt.remove, naming.RulePredicate(cluster, false))
			if err != nil {
				t.Fatal(err)
			}
			if len(gone) != tt.wantGone {
				t.Errorf("revoked %v, want %d rules", gone, tt.wantGone)
			}
			if got := f.awsRules(t, id); !got.Equal(tt.wantLeft) {
				t.Errorf("left in AWS %v, want %v", got, tt.wantLeft)
			}
		})
	}
}

func TestRevokeRereadsAndRetriesOnInvalidPermissionNotFound(t *testing.T) {
	f := start(t)
	id := f.group(t, "notfound", nil)
	r := tcpFrom(80, "10.0.0.0/8")
	if err := f.p.AuthorizeIngress(t.Context(), id, r); err != nil {
		t.Fatal(err)
	}
	f.env.Server.Faults().Fail("RevokeSecurityGroupIngress", awserr.EC2InvalidPermissionNotFound, 1)
	gone, err := f.p.RevokeIngress(t.Context(), id, r, rules.OwnsAll)
	if err != nil || len(gone) != 1 {
		t.Fatalf("revoked %v, err %v", gone, err)
	}
	if got := f.awsRules(t, id); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}

func TestAuthorizeRefetchesOnDuplicateAndAddsOnlyWhatIsMissing(t *testing.T) {
	f := start(t)
	id := f.group(t, "dup", nil)
	if _, err := f.p.SecurityGroup(t.Context(), id); err != nil { // cached: no rules
		t.Fatal(err)
	}
	byHand := tcpFrom(80, "10.0.0.0/8")
	perms, _ := cloudec2.ToSDK(byHand)
	if _, err := f.env.EC2.AuthorizeSecurityGroupIngress(t.Context(), &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms}); err != nil {
		t.Fatal(err)
	}
	want := byHand.Union(tcpFrom(443, "10.0.0.0/8"))
	if err := f.p.AuthorizeIngress(t.Context(), id, want); err != nil {
		t.Fatalf("authorize after a duplicate: %v", err)
	}
	if got := f.awsRules(t, id); !got.SameKeys(want) {
		t.Errorf("rules = %v, want %v", got, want)
	}
	if n := f.calls("AuthorizeSecurityGroupIngress"); n != 3 { // by hand, duplicate, retry
		t.Errorf("authorize calls = %d, want 3", n)
	}
}

func TestCreatedGroupsAreTaggedInTheCreateCall(t *testing.T) {
	f := start(t)
	stack := naming.ServiceStack("default", "web")
	tags := naming.ManagedSGTags(cluster, stack, map[string]string{"team": "a"})
	name := naming.ServiceManagedSGName(cluster, "default", "web", "uid-1")
	id, err := f.p.CreateSecurityGroup(t.Context(), cloudec2.NewGroup{VPCID: f.seed.VPCID, Name: name, Description: naming.ManagedSGDescription, Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.calls("CreateTags"); n != 0 {
		t.Errorf("CreateTags calls = %d: tags must come with the create", n)
	}
	owned, err := f.p.OwnedSecurityGroups(t.Context(), f.seed.VPCID, cluster)
	if err != nil {
		t.Fatal(err)
	}
	if len(owned) != 1 || owned[0].ID != id || owned[0].Tags["team"] != "a" || owned[0].Name != name {
		t.Errorf("owned = %+v, want the new group %s", owned, id)
	}
	_, err = f.p.CreateSecurityGroup(t.Context(), cloudec2.NewGroup{VPCID: f.seed.VPCID, Name: name, Description: "again"})
	if awserr.Classify(err) != awserr.Duplicate {
		t.Errorf("second create: %v, want Duplicate", err)
	}
	byName, err := f.p.SecurityGroupsByName(t.Context(), f.seed.VPCID, name)
	if err != nil || len(byName) != 1 || byName[0].ID != id || !naming.OwnsSecurityGroup(byName[0].Tags, cluster) {
		t.Errorf("by name after the duplicate: %+v, %v", byName, err)
	}
}

func TestOwnedGroupsAreWhatNamingSaysIsOurs(t *testing.T) {
	f := start(t)
	backend := f.group(t, naming.BackendSGName(cluster), naming.BackendSGTags(cluster, nil))
	legacy := f.group(t, "legacy-ingress", map[string]string{
		naming.TagLegacyIngressCluster: cluster,
		naming.TagIngressStack:         "default/shop",
		naming.TagIngressResource:      naming.ResourceManagedLBSecurityGroup,
	})
	f.group(t, "half-tagged", map[string]string{naming.TagCluster: cluster})
	f.group(t, "other-cluster", naming.BackendSGTags("other", nil))
	owned, err := f.p.OwnedSecurityGroups(t.Context(), f.seed.VPCID, cluster)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range owned {
		got = append(got, g.ID)
	}
	want := []string{backend, legacy}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("owned = %v, want the backend SG and LBC's legacy-tagged SG %v", got, want)
	}
}

func TestDeletingAGoneGroupSucceeds(t *testing.T) {
	f := start(t)
	id := f.group(t, "gone", nil)
	for i := range 2 {
		if err := f.p.DeleteSecurityGroup(t.Context(), id); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
}

func TestDeletingAnAttachedGroupReportsDependencyViolation(t *testing.T) {
	f := start(t)
	err := f.p.DeleteSecurityGroup(t.Context(), f.seed.NodeSG)
	if awserr.Classify(err) != awserr.DependencyViolation {
		t.Errorf("err = %v, want DependencyViolation", err)
	}
}

func TestResolveSecurityGroupsFromAnnotation(t *testing.T) {
	f := start(t)
	web := f.group(t, "web-group", map[string]string{naming.TagName: "web"})
	db1 := f.group(t, "db-one", map[string]string{naming.TagName: "db"})
	db2 := f.group(t, "db-two", map[string]string{naming.TagName: "db"})
	for _, tt := range []struct {
		name      string
		items     []string
		want      []string
		wantNames []string
		wantIDs   []string
	}{
		{name: "IDs resolve to themselves", items: []string{web}, want: []string{web}},
		{name: "a Name tag resolves, not the GroupName", items: []string{"web"}, want: []string{web}},
		{name: "a name shared by two groups gives both", items: []string{"db"}, want: []string{db1, db2}},
		{name: "IDs come first, then names", items: []string{"web", db1}, want: []string{db1, web}},
		{name: "an unknown name is named in the error", items: []string{"web", "nope"}, wantNames: []string{"nope"}},
		{name: "the GroupName is not a Name tag", items: []string{"web-group"}, wantNames: []string{"web-group"}},
		{name: "an unknown ID is named in the error", items: []string{"sg-0000000000000dead", "nope"}, wantIDs: []string{"sg-0000000000000dead"}, wantNames: []string{"nope"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.p.ResolveSecurityGroups(t.Context(), f.seed.VPCID, tt.items)
			if len(tt.wantNames)+len(tt.wantIDs) > 0 {
				var ue *cloudec2.UnresolvedSecurityGroupsError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want UnresolvedSecurityGroupsError", err)
				}
				if !slices.Equal(ue.Names, tt.wantNames) || !slices.Equal(ue.IDs, tt.wantIDs) {
					t.Errorf("unresolved = %+v, want names %v IDs %v", ue, tt.wantNames, tt.wantIDs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tt.want)
			if tt.name == "a name shared by two groups gives both" {
				slices.Sort(want)
				slices.Sort(got)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestDriftCheckReadsAWholeVPCInOneCall(t *testing.T) {
	f := start(t)
	var ids []string
	for i := range 30 {
		ids = append(ids, f.group(t, fmt.Sprintf("drift-%02d", i), nil))
	}
	gs, err := f.p.VPCSecurityGroups(t.Context(), f.seed.VPCID)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) < 31 {
		t.Errorf("got %d groups, want at least 31", len(gs))
	}
	if n := f.calls("DescribeSecurityGroups"); n != 1 {
		t.Errorf("DescribeSecurityGroups = %d, want 1", n)
	}
	f.env.Server.ResetCalls()
	if _, err := f.p.SecurityGroups(t.Context(), ids...); err != nil {
		t.Fatal(err)
	}
	if n := f.calls("DescribeSecurityGroups"); n != 1 {
		t.Errorf("30 groups by ID cost %d calls, want 1", n)
	}
}

func TestFindingGroupsIsOneReadOfTheVPC(t *testing.T) {
	f := start(t)
	want := f.group(t, "find-me", map[string]string{"team": "a"})
	f.group(t, "not-me", map[string]string{"team": "b"})
	gs, err := f.p.FindSecurityGroups(t.Context(), f.seed.VPCID, func(tags map[string]string) bool { return tags["team"] == "a" })
	if err != nil || len(gs) != 1 || gs[0].ID != want {
		t.Fatalf("found %+v, %v", gs, err)
	}
	if n := f.calls("DescribeSecurityGroups"); n != 1 {
		t.Errorf("find cost %d DescribeSecurityGroups, want 1", n)
	}
	created := f.group(t, "also-me", map[string]string{"team": "a"})
	gs, err = f.p.FindSecurityGroups(t.Context(), f.seed.VPCID, func(tags map[string]string) bool { return tags["team"] == "a" })
	if err != nil || len(gs) != 2 || !slices.ContainsFunc(gs, func(g cloudec2.SecurityGroup) bool { return g.ID == created }) {
		t.Errorf("after a create found %+v, %v", gs, err)
	}
}

func TestGroupsByIDReportMissingOnes(t *testing.T) {
	f := start(t)
	m, err := f.p.SecurityGroups(t.Context(), f.seed.NodeSG, "sg-0000000000000beef")
	var nf *cloudec2.NotFoundError
	if !errors.As(err, &nf) || !slices.Equal(nf.IDs, []string{"sg-0000000000000beef"}) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := m[f.seed.NodeSG]; !ok {
		t.Error("the existing group is missing from the result")
	}
}

func TestVPCAndSubnetDiscovery(t *testing.T) {
	f := start(t)
	v, err := f.p.VPC(t.Context(), f.seed.VPCID)
	if err != nil || !slices.Equal(v.CIDRs, []string{"10.0.0.0/16"}) {
		t.Errorf("VPC = %+v, %v", v, err)
	}
	all, err := f.p.Subnets(t.Context(), f.seed.VPCID)
	if err != nil || len(all) != 6 {
		t.Errorf("subnets = %d, %v; want 6", len(all), err)
	}
	for _, tt := range []struct {
		role string
		want []string
	}{
		{"kubernetes.io/role/elb", f.seed.PublicSubnets},
		{"kubernetes.io/role/internal-elb", f.seed.PrivateSubnets},
	} {
		subs, err := f.p.SubnetsByTag(t.Context(), f.seed.VPCID, tt.role, "", "1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range subs {
			got = append(got, s.ID)
			if s.AZ == "" || s.AvailableIPs == 0 || s.VPCID != f.seed.VPCID {
				t.Errorf("subnet %+v lacks discovery fields", s)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.role, got, tt.want)
		}
	}
}

func TestDiscoverVPC(t *testing.T) {
	f := start(t)
	for _, tt := range []struct {
		name    string
		cluster string
		wantErr bool
	}{
		{"the VPC tagged for the cluster", cluster, false},
		{"the only VPC when none is tagged for the cluster", "elsewhere", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.p.DiscoverVPC(t.Context(), tt.cluster)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != f.seed.VPCID) {
				t.Errorf("got %q, %v; want %s", got, err, f.seed.VPCID)
			}
		})
	}
}

func TestInstancesResolveToPrimaryENIAndItsGroups(t *testing.T) {
	f := start(t)
	m, err := f.p.InstanceENIs(t.Context(), append(slices.Clone(f.seed.Instances), "i-0000000000000dead"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != len(f.seed.Instances) {
		t.Fatalf("resolved %d instances, want %d", len(m), len(f.seed.Instances))
	}
	for _, id := range f.seed.Instances {
		e := m[id]
		if e.ID == "" || e.InstanceID != id || !slices.Contains(e.GroupIDs, f.seed.NodeSG) || len(e.PrivateIPs) == 0 {
			t.Errorf("%s → %+v", id, e)
		}
	}
	if n := f.calls("DescribeInstances"); n != 1 {
		t.Errorf("DescribeInstances = %d, want 1", n)
	}
}

func TestPodIPsResolveToENIsInBatchesWithinTheFilterLimit(t *testing.T) {
	f := start(t)
	nodes, err := f.p.InstanceENIs(t.Context(), f.seed.Instances)
	if err != nil {
		t.Fatal(err)
	}
	var known []string
	for _, e := range nodes {
		known = append(known, e.PrivateIPs[0])
	}
	ips := slices.Clone(known)
	for i := range 400 {
		ips = append(ips, fmt.Sprintf("10.0.%d.%d", 200+i/250, 1+i%250))
	}
	f.env.Server.ResetCalls()
	m, err := f.p.ENIsByIP(t.Context(), f.seed.VPCID, ips)
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range known {
		if e, ok := m[ip]; !ok || !slices.Contains(e.GroupIDs, f.seed.NodeSG) {
			t.Errorf("%s → %+v, %v", ip, e, ok)
		}
	}
	if len(m) != len(known) {
		t.Errorf("resolved %d IPs, want %d", len(m), len(known))
	}
	// 403 IPs, 199 per call (the vpc-id value is the 200th): 3 calls.
	if n := f.calls("DescribeNetworkInterfaces"); n != 3 {
		t.Errorf("DescribeNetworkInterfaces = %d, want 3", n)
	}
}

func TestRunningInstancesShowPrefixesDelegatedToThePrimaryInterface(t *testing.T) {
	f := start(t)
	got, err := f.p.RunningInstances(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range got {
		ids = append(ids, in.ID)
		if in.VPCID != f.seed.VPCID || in.ENIID == "" || in.PrivateIP == "" || in.SubnetID == "" || in.AZ == "" {
			t.Errorf("instance %s lacks placement or primary interface: %+v", in.ID, in)
		}
		if len(in.Prefixes) != 0 {
			t.Errorf("instance %s: prefixes %v before any was delegated", in.ID, in.Prefixes)
		}
	}
	if !slices.Equal(ids, slices.Sorted(slices.Values(f.seed.Instances))) {
		t.Fatalf("running instances %v, want the seeded %v", ids, f.seed.Instances)
	}
	subnets, err := f.p.Subnets(t.Context(), f.seed.VPCID)
	if err != nil {
		t.Fatal(err)
	}
	var prefix string
	for _, s := range subnets {
		if s.ID == got[0].SubnetID {
			p := netip.MustParsePrefix(s.CIDR).Masked().Addr().As4()
			p[3] = 192
			prefix = netip.PrefixFrom(netip.AddrFrom4(p), 28).String()
		}
	}
	if err := f.p.AssignIPv4Prefix(t.Context(), got[0].ENIID, prefix); err != nil {
		t.Fatal(err)
	}
	again, err := f.p.RunningInstances(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again[0].Prefixes, []string{prefix}) || len(again[1].Prefixes) != 0 {
		t.Errorf("after delegating a prefix to %s: %v and %v", got[0].ENIID, again[0].Prefixes, again[1].Prefixes)
	}
}
