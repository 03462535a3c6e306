package ec2

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

const (
	account = "123456789012"
	region  = "us-west-2"
	nfGroup = "sg-00000000000000000"
)

// fixture is aws-api.md §7's world: a non-default vpc-A with subnets in 2a
// and 2b, no default VPC, an instance with one ENI, an instance with two,
// and a standalone ENI.
type fixture struct {
	t     *testing.T
	b     *Backend
	clock *clocktesting.FakePassiveClock
	seed  SeedResult
	vpc   string
}

func testSeed() Seed {
	return Seed{VPCs: []SeedVPC{{
		Name: "vpc-A", CIDR: "10.0.0.0/16", IPv6CIDR: "2600:1f14:abc:de00::/56",
		Subnets: []SeedSubnet{
			{Name: "a", AZ: "us-west-2a", CIDR: "10.0.1.0/24"},
			{Name: "b", AZ: "us-west-2b", CIDR: "10.0.2.0/24"},
		},
		SecurityGroups: []SeedSecurityGroup{{Name: "node", Tags: map[string]string{"team": "alpha"}}},
		Instances: []SeedInstance{
			{Name: "one", Subnet: "a", SecurityGroups: []string{"node"}, PrivateIP: "10.0.1.10"},
			{Name: "two", Subnet: "b", SecurityGroups: []string{"node"}},
		},
		NetworkInterfaces: []SeedENI{
			{Name: "second", Subnet: "b", Instance: "two", PrivateIP: "10.0.2.50"},
			{Name: "loose", Subnet: "a", Description: "standalone"},
		},
	}}}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := clocktesting.NewFakePassiveClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	env := &core.Env{Region: region, Account: account, Clock: clk, IDs: core.NewIDs(42)}
	b := New(env)
	res, err := b.ApplySeed(testSeed())
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return &fixture{t: t, b: b, clock: clk, seed: res, vpc: res.VPCs["vpc-A"]}
}

// params builds Params from alternating key, value strings.
func params(kv ...string) query.Params {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return query.FromValues(v)
}

func (f *fixture) do(action string, kv ...string) (any, error) {
	f.t.Helper()
	out, err := f.b.Handle(action, params(kv...))
	if err == nil {
		if _, merr := query.EC2Body(action, "req", out); merr != nil {
			f.t.Fatalf("%s: rendering: %v", action, merr)
		}
	}
	return out, err
}

func (f *fixture) ok(action string, kv ...string) any {
	f.t.Helper()
	out, err := f.do(action, kv...)
	if err != nil {
		f.t.Fatalf("%s: unexpected error %v", action, err)
	}
	return out
}

// fail asserts an error with code and status 400 unless status is given.
func (f *fixture) fail(code string, action string, kv ...string) *query.Error {
	f.t.Helper()
	_, err := f.do(action, kv...)
	var qe *query.Error
	if !errors.As(err, &qe) {
		f.t.Fatalf("%s: want %s, got %v", action, code, err)
	}
	if qe.Code != code {
		f.t.Fatalf("%s: want %s, got %s: %s", action, code, qe.Code, qe.Message)
	}
	return qe
}

func (f *fixture) createGroup(name string) string {
	f.t.Helper()
	out := f.ok("CreateSecurityGroup", "GroupName", name, "GroupDescription", name, "VpcId", f.vpc)
	return out.(*createSecurityGroupReply).GroupID
}

func (f *fixture) group(id string) securityGroupItem {
	f.t.Helper()
	out := f.ok("DescribeSecurityGroups", "GroupId.1", id).(*describeSecurityGroupsReply)
	if len(out.Groups.Item) != 1 {
		f.t.Fatalf("want 1 group, got %d", len(out.Groups.Item))
	}
	return out.Groups.Item[0]
}

func (f *fixture) ingress443(sg, cidr, desc string) *authorizeReply {
	f.t.Helper()
	return f.ok("AuthorizeSecurityGroupIngress", "GroupId", sg, "IpPermissions.1.IpProtocol", "tcp",
		"IpPermissions.1.FromPort", "443", "IpPermissions.1.ToPort", "443",
		"IpPermissions.1.IpRanges.1.CidrIp", cidr, "IpPermissions.1.IpRanges.1.Description", desc).(*authorizeReply)
}

func (f *fixture) snapshot() string {
	f.t.Helper()
	raw, err := f.b.Snapshot()
	if err != nil {
		f.t.Fatal(err)
	}
	return string(raw)
}

func itoa(i int) string { return strconv.Itoa(i) }

func renderEC2(action string, body any) (string, error) {
	b, err := query.EC2Body(action, "req", body)
	return string(b), err
}

// with returns the fixture bound to a subtest's t.
func (f *fixture) with(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}
