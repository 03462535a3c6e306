package ec2

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

func TestSnapshotRoundTripsExactly(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.ingress443(sg, "10.0.0.0/16", "lb")
	f.ok("AuthorizeSecurityGroupIngress", "GroupId", sg, "IpPermissions.1.IpProtocol", "-1", "IpPermissions.1.Groups.1.GroupId", f.seed.SecurityGroups["node"],
		"TagSpecification.1.ResourceType", "security-group-rule", "TagSpecification.1.Tag.1.Key", "k")
	f.ok("AssignPrivateIpAddresses", "NetworkInterfaceId", f.seed.NetworkInterfaces["loose"], "Ipv4Prefix.1", "10.0.1.64/28")
	eni, err := f.b.CreateServiceENI(f.seed.Subnets["a"], []string{sg}, "load_balancer", "ELB app/x/1")
	if err != nil {
		t.Fatal(err)
	}
	f.b.ReleaseENI(eni, time.Hour)
	first := f.snapshot()

	b2 := New(f.b.env)
	if err := b2.Restore(json.RawMessage(first)); err != nil {
		t.Fatal(err)
	}
	second, err := b2.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if string(second) != first {
		t.Fatalf("round trip differs:\n%s\n%s", first, second)
	}
	// Indexes were rebuilt: references and names work after a restore.
	f.b = b2
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", f.seed.SecurityGroups["node"])
	f.fail("InvalidGroup.Duplicate", "CreateSecurityGroup", "GroupName", "WEB", "GroupDescription", "x", "VpcId", f.vpc)
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", sg)

	if err := b2.Restore(json.RawMessage(`{"securityGroups":[{"id":"sg-1","vpcId":"vpc-none"}]}`)); err == nil {
		t.Fatal("dangling group accepted")
	}
	if err := b2.Restore(json.RawMessage(`not json`)); err == nil {
		t.Fatal("garbage accepted")
	}
	if b2.snapshotString(t) != first {
		t.Fatal("failed restore changed state")
	}
	b2.Reset()
	if b2.snapshotString(t) != `{"vpcs":[],"subnets":[],"securityGroups":[],"instances":[],"networkInterfaces":[]}` {
		t.Fatalf("reset: %s", b2.snapshotString(t))
	}
}

func (b *Backend) snapshotString(t *testing.T) string {
	raw, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestDefaultSeed(t *testing.T) {
	env := &core.Env{Region: "eu-west-1", Account: account, Clock: clocktesting.NewFakePassiveClock(time.Unix(0, 0)), IDs: core.NewIDs(1)}
	b := New(env)
	res, err := b.ApplySeed(DefaultSeed("demo", "eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.VPCs) != 1 || len(res.Subnets) != 6 || len(res.Instances) != 3 || res.SecurityGroups["demo-node"] == "" {
		t.Fatalf("result %+v", res)
	}
	h := func(action string, kv ...string) any {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		out, err := b.Handle(action, query.FromValues(v))
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		return out
	}
	pub := h("DescribeSubnets", "Filter.1.Name", "tag:kubernetes.io/role/elb", "Filter.1.Value.1", "1",
		"Filter.2.Name", "tag:kubernetes.io/cluster/demo", "Filter.2.Value.1", "shared", "Filter.2.Value.2", "owned").(*describeSubnetsReply)
	if len(pub.Subnets.Item) != 3 {
		t.Fatalf("public subnets %+v", pub.Subnets.Item)
	}
	priv := h("DescribeSubnets", "Filter.1.Name", "tag-key", "Filter.1.Value.1", "kubernetes.io/role/internal-elb",
		"Filter.2.Name", "cidr-block", "Filter.2.Value.1", "10.0.128.0/20").(*describeSubnetsReply)
	if len(priv.Subnets.Item) != 1 || priv.Subnets.Item[0].AvailabilityZone != "eu-west-1a" || priv.Subnets.Item[0].AvailabilityZoneID != "euw1-az1" {
		t.Fatalf("private subnets %+v", priv.Subnets.Item)
	}
	node := h("DescribeSecurityGroups", "Filter.1.Name", "tag:kubernetes.io/cluster/demo", "Filter.1.Value.1", "owned").(*describeSecurityGroupsReply)
	if len(node.Groups.Item) != 1 || node.Groups.Item[0].GroupName != "demo-node" {
		t.Fatalf("node groups %+v", node.Groups.Item)
	}
	in := node.Groups.Item[0].IPPermissions.Item
	if len(in) != 1 || in[0].IPProtocol != "-1" || in[0].Groups.Item[0].GroupID != node.Groups.Item[0].GroupID {
		t.Fatalf("node ingress %+v", in)
	}
	inst := h("DescribeInstances", "Filter.1.Name", "instance.group-id", "Filter.1.Value.1", node.Groups.Item[0].GroupID).(*describeInstancesReply)
	if len(inst.Reservations.Item) != 3 {
		t.Fatalf("instances %+v", inst.Reservations.Item)
	}
	for name, d := range res.InstanceDetails {
		if d.PrivateIP == "" || d.NetworkInterfaceID == "" || d.SubnetID == "" || d.PrivateDNSName != "ip-"+dashes(d.PrivateIP)+".eu-west-1.compute.internal" {
			t.Fatalf("%s: %+v", name, d)
		}
	}
	// The default group of the VPC.
	def := h("DescribeSecurityGroups", "Filter.1.Name", "group-name", "Filter.1.Value.1", "default").(*describeSecurityGroupsReply)
	if len(def.Groups.Item) != 1 || def.Groups.Item[0].IPPermissions.Item[0].Groups.Item[0].GroupID != def.Groups.Item[0].GroupID ||
		len(def.Groups.Item[0].IPPermissionsEgress.Item[0].IPv6Ranges.Item) != 0 {
		t.Fatalf("default %+v", def.Groups.Item)
	}
}

func dashes(ip string) string {
	out := []byte(ip)
	for i, c := range out {
		if c == '.' {
			out[i] = '-'
		}
	}
	return string(out)
}

func TestDefaultGroupOfAnIPv6VPCAllowsAllIPv6Egress(t *testing.T) {
	f := newFixture(t)
	g := f.group(f.seed.DefaultGroups["vpc-A"])
	eg := g.IPPermissionsEgress.Item
	if len(eg) != 1 || eg[0].IPRanges.Item[0].CidrIP != "0.0.0.0/0" || eg[0].IPv6Ranges.Item[0].CidrIPv6 != "::/0" {
		t.Fatalf("egress %+v", eg)
	}
}

func TestApplySeedIsAtomic(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot()
	for _, tt := range []struct {
		name string
		seed Seed
	}{
		{"bad VPC CIDR", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "nope"}}}},
		{"subnet outside the VPC", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "10.9.0.0/16", Subnets: []SeedSubnet{{Name: "s", AZ: "us-west-2a", CIDR: "10.8.0.0/24"}}}}}},
		{"unknown zone", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "10.9.0.0/16", Subnets: []SeedSubnet{{Name: "s", AZ: "eu-west-1a", CIDR: "10.9.0.0/24"}}}}}},
		{"repeated subnet name", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "10.9.0.0/16", Subnets: []SeedSubnet{{Name: "a", AZ: "us-west-2a", CIDR: "10.9.0.0/24"}, {Name: "a", AZ: "us-west-2a", CIDR: "10.9.1.0/24"}}}}}},
		{"instance in unknown subnet", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "10.9.0.0/16", Instances: []SeedInstance{{Name: "i", Subnet: "nope"}}}}}},
		{"rule to unknown group", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "10.9.0.0/16", SecurityGroups: []SeedSecurityGroup{{Name: "g", Ingress: []SeedRule{{Protocol: "-1", Group: "nope"}}}}}}}},
		{"taken private IP", Seed{VPCs: []SeedVPC{{Name: "x", CIDR: "10.9.0.0/16", Subnets: []SeedSubnet{{Name: "s", AZ: "us-west-2a", CIDR: "10.9.0.0/24"}},
			Instances: []SeedInstance{{Name: "i", Subnet: "s", PrivateIP: "10.9.0.9"}, {Name: "j", Subnet: "s", PrivateIP: "10.9.0.9"}}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.b.ApplySeed(tt.seed); err == nil {
				t.Fatal("accepted")
			}
			if f.with(t).snapshot() != before {
				t.Fatal("state changed")
			}
		})
	}
}

func TestMutatingActions(t *testing.T) {
	b := New(&core.Env{Region: region, Account: account, Clock: clocktesting.NewFakePassiveClock(time.Unix(0, 0)), IDs: core.NewIDs(1)})
	for _, a := range Actions() {
		want := !(len(a) > 8 && a[:8] == "Describe")
		if b.Mutating(a) != want {
			t.Errorf("Mutating(%s) = %v", a, !want)
		}
	}
}

// The server runs read-only actions under a shared lock: they must never
// write (go test -race fails this test if one does).
func TestReadOnlyActionsAreSafeInParallel(t *testing.T) {
	f := newFixture(t)
	sg := f.createGroup("web")
	f.ingress443(sg, "10.0.0.0/16", "lb")
	f.ok("AssignPrivateIpAddresses", "NetworkInterfaceId", f.seed.NetworkInterfaces["loose"], "Ipv4Prefix.1", "10.0.1.64/28")
	eni, err := f.b.CreateServiceENI(f.seed.Subnets["a"], []string{sg}, "load_balancer", "ELB app/x/1")
	if err != nil {
		t.Fatal(err)
	}
	f.b.ReleaseENI(eni, time.Second)
	f.clock.SetTime(f.clock.Now().Add(2 * time.Second)) // released, not yet purged
	reads := [][]string{
		{"DescribeVpcs"}, {"DescribeSubnets"}, {"DescribeAvailabilityZones"},
		{"DescribeSecurityGroups", "Filter.1.Name", "ip-permission.cidr", "Filter.1.Value.1", "10.0.0.0/16"},
		{"DescribeSecurityGroupRules"}, {"DescribeTags"}, {"DescribeInstances"}, {"DescribeNetworkInterfaces"},
		{"DescribeSecurityGroups", "GroupId.1", sg, "GroupId.2", sg},
	}
	for _, a := range reads {
		if f.b.Mutating(a[0]) {
			t.Fatalf("%s is mutating", a[0])
		}
	}
	before := f.snapshot()
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func() {
			var err error
			for i := 0; i < 20 && err == nil; i++ {
				for _, a := range reads {
					var out any
					if out, err = f.b.Handle(a[0], params(a[1:]...)); err == nil {
						_, err = query.EC2Body(a[0], "req", out)
					}
				}
			}
			done <- err
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if f.snapshot() != before {
		t.Fatal("a read-only action changed state")
	}
}
