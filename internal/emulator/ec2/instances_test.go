package ec2

import (
	"strings"
	"testing"
	"time"
)

// §7 item 33.
func TestDescribeNetworkInterfacesByPrivateIP(t *testing.T) {
	f := newFixture(t)
	two := f.seed.InstanceDetails["two"]
	second := f.seed.NetworkInterfaces["second"]
	f.ok("AssignPrivateIpAddresses", "NetworkInterfaceId", second, "PrivateIpAddress.1", "10.0.2.17")
	for _, tt := range []struct {
		name, ip, want string
	}{
		{"primary address finds the instance's primary ENI", "10.0.1.10", f.seed.InstanceDetails["one"].NetworkInterfaceID},
		{"secondary address finds the ENI holding it", "10.0.2.17", second},
		{"primary address of a second ENI", "10.0.2.50", second},
		{"unknown address finds nothing", "10.0.9.9", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			out := f.ok("DescribeNetworkInterfaces", "Filter.1.Name", "vpc-id", "Filter.1.Value.1", f.vpc,
				"Filter.2.Name", "addresses.private-ip-address", "Filter.2.Value.1", tt.ip).(*describeNetworkInterfacesReply)
			if tt.want == "" {
				if len(out.Interfaces.Item) != 0 {
					t.Fatalf("got %+v", out.Interfaces.Item)
				}
				return
			}
			if len(out.Interfaces.Item) != 1 || out.Interfaces.Item[0].NetworkInterfaceID != tt.want || len(out.Interfaces.Item[0].Groups) == 0 {
				t.Fatalf("got %+v", out.Interfaces.Item)
			}
		})
	}
	out := f.ok("DescribeNetworkInterfaces", "NetworkInterfaceId.1", two.NetworkInterfaceID).(*describeNetworkInterfacesReply)
	e := out.Interfaces.Item[0]
	if e.Attachment == nil || e.Attachment.DeviceIndex != 0 || e.Attachment.InstanceID != two.ID || e.Status != "in-use" ||
		e.InterfaceType != "interface" || e.Groups[0].GroupName != "node" || !e.PrivateIPs[0].Primary || e.MacAddress == "" {
		t.Fatalf("eni %+v", e)
	}
	f.fail("InvalidNetworkInterfaceID.NotFound", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", "eni-00000000000000000")
	f.fail("InvalidNetworkInterfaceId.Malformed", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", "eni")
	f.fail("InvalidParameterCombination", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", two.NetworkInterfaceID, "MaxResults", "5")
	loose := f.ok("DescribeNetworkInterfaces", "Filter.1.Name", "status", "Filter.1.Value.1", "available").(*describeNetworkInterfacesReply)
	if len(loose.Interfaces.Item) != 1 || loose.Interfaces.Item[0].Description != "standalone" || loose.Interfaces.Item[0].Attachment != nil {
		t.Fatalf("loose %+v", loose.Interfaces.Item)
	}
}

// §7 item 34.
func TestModifyNetworkInterfaceAttributeGroups(t *testing.T) {
	f := newFixture(t)
	eni := f.seed.NetworkInterfaces["loose"]
	var ids []string
	for i := 0; i < 6; i++ {
		ids = append(ids, f.createGroup("g"+itoa(i)))
	}
	kv := []string{"NetworkInterfaceId", eni}
	for i, id := range ids {
		kv = append(kv, "SecurityGroupId."+itoa(i+1), id)
	}
	e := f.fail("SecurityGroupsPerInterfaceLimitExceeded", "ModifyNetworkInterfaceAttribute", kv...)
	if e.Message != "The maximum number of security groups per interface has been reached." {
		t.Fatalf("message %q", e.Message)
	}
	f.ok("ModifyNetworkInterfaceAttribute", kv[:12]...)
	if g := f.b.st.enis[eni].Groups; len(g) != 5 || g[0] != ids[0] {
		t.Fatalf("groups %v", g)
	}
	f.fail("DependencyViolation", "DeleteSecurityGroup", "GroupId", ids[0])
	f.fail("InvalidGroup.NotFound", "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId", eni, "SecurityGroupId.1", nfGroup)
	f.fail("InvalidNetworkInterfaceID.NotFound", "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId", "eni-00000000000000000", "SecurityGroupId.1", ids[0])
	f.fail("InvalidParameterCombination", "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId", eni, "SecurityGroupId.1", ids[0],
		"Description.Value", "x")
	f.ok("ModifyNetworkInterfaceAttribute", "NetworkInterfaceId", eni, "SourceDestCheck.Value", "false")
	f.ok("ModifyNetworkInterfaceAttribute", "NetworkInterfaceId", eni, "Description.Value", "renamed")
	if e := f.b.st.enis[eni]; e.SourceDestCheck || e.Description != "renamed" {
		t.Fatalf("eni %+v", e)
	}
	res, err := f.b.ApplySeed(Seed{VPCs: []SeedVPC{{Name: "other", CIDR: "192.168.0.0/16", SecurityGroups: []SeedSecurityGroup{{Name: "foreign"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.fail("InvalidParameterValue", "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId", eni, "SecurityGroupId.1", res.SecurityGroups["foreign"])
}

// §7 item 35.
func TestModifyInstanceAttributeGroups(t *testing.T) {
	f := newFixture(t)
	web := f.createGroup("web")
	two := f.seed.Instances["two"]
	e := f.fail("InvalidInstanceID", "ModifyInstanceAttribute", "InstanceId", two, "GroupId.1", web)
	if e.Message != "There are multiple interfaces attached to instance '"+two+"'. Please specify an interface ID for the operation instead." {
		t.Fatalf("message %q", e.Message)
	}
	one := f.seed.Instances["one"]
	f.ok("ModifyInstanceAttribute", "InstanceId", one, "GroupId.1", web, "GroupId.2", f.seed.SecurityGroups["node"])
	out := f.ok("DescribeInstances", "InstanceId.1", one).(*describeInstancesReply)
	if g := out.Reservations.Item[0].Instances[0].Groups; len(g) != 2 || g[0].GroupID != web || g[0].GroupName != "web" {
		t.Fatalf("groups %+v", g)
	}
	kv := []string{"InstanceId", one}
	for i := 0; i < 6; i++ {
		kv = append(kv, "GroupId."+itoa(i+1), f.createGroup("x"+itoa(i)))
	}
	f.fail("SecurityGroupsPerInstanceLimitExceeded", "ModifyInstanceAttribute", kv...)
	f.fail("InvalidInstanceID.NotFound", "ModifyInstanceAttribute", "InstanceId", "i-00000000000000000", "GroupId.1", web)
	f.ok("ModifyInstanceAttribute", "InstanceId", one, "SourceDestCheck.Value", "false")
}

// §7 item 36.
func TestDescribeInstances(t *testing.T) {
	f := newFixture(t)
	one := f.seed.InstanceDetails["one"]
	e := f.fail("InvalidParameterCombination", "DescribeInstances", "InstanceId.1", one.ID, "MaxResults", "5")
	if e.Message != "The parameter instancesSet cannot be used with the parameter maxResults" {
		t.Fatalf("message %q", e.Message)
	}
	e = f.fail("InvalidInstanceID.NotFound", "DescribeInstances", "InstanceId.1", "i-1a2b3c4d")
	if e.Message != "The instance ID 'i-1a2b3c4d' does not exist" {
		t.Fatalf("message %q", e.Message)
	}
	out := f.ok("DescribeInstances", "InstanceId.1", one.ID).(*describeInstancesReply)
	if len(out.Reservations.Item) != 1 || len(out.Reservations.Item[0].Instances) != 1 {
		t.Fatalf("reservations %+v", out.Reservations.Item)
	}
	i := out.Reservations.Item[0].Instances[0]
	if i.PrivateIPAddress != "10.0.1.10" || i.PrivateDNSName != "ip-10-0-1-10.us-west-2.compute.internal" ||
		i.State != (instanceState{16, "running"}) || i.Placement.AvailabilityZone != "us-west-2a" || i.InstanceType != "m5.large" ||
		len(i.NetworkInterfaces) != 1 || i.NetworkInterfaces[0].Attachment.DeviceIndex != 0 {
		t.Fatalf("instance %+v", i)
	}
	for _, tt := range []struct {
		name string
		kv   []string
		want int
	}{
		{"by state", []string{"Filter.1.Name", "instance-state-name", "Filter.1.Value.1", "running"}, 2},
		{"by private IP", []string{"Filter.1.Name", "private-ip-address", "Filter.1.Value.1", "10.0.1.10"}, 1},
		{"by private DNS name", []string{"Filter.1.Name", "private-dns-name", "Filter.1.Value.1", one.PrivateDNSName}, 1},
		{"by group", []string{"Filter.1.Name", "instance.group-id", "Filter.1.Value.1", f.seed.SecurityGroups["node"]}, 2},
		{"by a second ENI's address", []string{"Filter.1.Name", "network-interface.addresses.private-ip-address", "Filter.1.Value.1", "10.0.2.50"}, 1},
		{"by Name tag", []string{"Filter.1.Name", "tag:Name", "Filter.1.Value.1", "t*"}, 1},
		{"by vpc-id", []string{"Filter.1.Name", "vpc-id", "Filter.1.Value.1", f.vpc}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			out := f.ok("DescribeInstances", tt.kv...).(*describeInstancesReply)
			if len(out.Reservations.Item) != tt.want {
				t.Fatalf("got %d reservations", len(out.Reservations.Item))
			}
		})
	}
	f.fail("InvalidParameterValue", "DescribeInstances", "Filter.1.Name", "bogus", "Filter.1.Value.1", "x")
	body, _ := renderEC2("DescribeInstances", out)
	if !strings.Contains(body, "<reservationSet><item><reservationId>r-") || !strings.Contains(body, "<instanceState><code>16</code><name>running</name></instanceState>") {
		t.Fatalf("body %s", body)
	}
}

func TestAssignPrivateIpAddressesRegistersPodCIDRPrefix(t *testing.T) {
	f := newFixture(t)
	eni := f.seed.InstanceDetails["one"].NetworkInterfaceID
	out := f.ok("AssignPrivateIpAddresses", "NetworkInterfaceId", eni, "Ipv4Prefix.1", "10.0.1.128/26").(*assignPrivateIPsReply)
	if len(out.AssignedPrefixes) != 1 || out.AssignedPrefixes[0].IPv4Prefix != "10.0.1.128/26" {
		t.Fatalf("reply %+v", out)
	}
	d := f.ok("DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni).(*describeNetworkInterfacesReply)
	if px := d.Interfaces.Item[0].IPv4Prefixes; len(px) != 1 || px[0].IPv4Prefix != "10.0.1.128/26" {
		t.Fatalf("prefixes %+v", px)
	}
	inst := f.ok("DescribeInstances", "Filter.1.Name", "network-interface.ipv4-prefix", "Filter.1.Value.1", "10.0.1.128/26").(*describeInstancesReply)
	if len(inst.Reservations.Item) != 1 || len(inst.Reservations.Item[0].Instances[0].NetworkInterfaces[0].IPv4Prefixes) != 1 {
		t.Fatalf("instances %+v", inst.Reservations.Item)
	}
	for _, tt := range []struct {
		name, code string
		kv         []string
	}{
		{"overlapping prefix", "PrivateIpAddressInUse", []string{"Ipv4Prefix.1", "10.0.1.160/27"}},
		{"prefix outside the subnet", "InvalidParameterValue", []string{"Ipv4Prefix.1", "10.0.2.0/28"}},
		{"unaligned prefix", "InvalidParameterValue", []string{"Ipv4Prefix.1", "10.0.1.65/28"}},
		{"prefix too small", "InvalidParameterValue", []string{"Ipv4Prefix.1", "10.0.1.64/29"}},
		{"address already in use", "PrivateIpAddressInUse", []string{"PrivateIpAddress.1", "10.0.1.10"}},
		{"address inside an assigned prefix", "PrivateIpAddressInUse", []string{"PrivateIpAddress.1", "10.0.1.130"}},
		{"reserved address", "InvalidParameterValue", []string{"PrivateIpAddress.1", "10.0.1.1"}},
		{"addresses and prefixes together", "InvalidParameterCombination", []string{"PrivateIpAddress.1", "10.0.1.20", "Ipv4Prefix.1", "10.0.1.64/28"}},
		{"nothing to assign", "MissingParameter", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			before := f.snapshot()
			f.fail(tt.code, "AssignPrivateIpAddresses", append([]string{"NetworkInterfaceId", eni}, tt.kv...)...)
			if f.snapshot() != before {
				t.Fatal("state changed")
			}
		})
	}
	c := f.ok("AssignPrivateIpAddresses", "NetworkInterfaceId", eni, "SecondaryPrivateIpAddressCount", "2").(*assignPrivateIPsReply)
	if len(c.AssignedIPs) != 2 || c.AssignedIPs[0].PrivateIPAddress != "10.0.1.5" { // .4 is the loose ENI's
		t.Fatalf("assigned %+v", c.AssignedIPs)
	}
	p := f.ok("AssignPrivateIpAddresses", "NetworkInterfaceId", eni, "Ipv4PrefixCount", "1").(*assignPrivateIPsReply)
	if len(p.AssignedPrefixes) != 1 || p.AssignedPrefixes[0].IPv4Prefix != "10.0.1.16/28" {
		t.Fatalf("assigned %+v", p.AssignedPrefixes)
	}
}

func TestNetworkInterfaceForLoadBalancers(t *testing.T) {
	f := newFixture(t)
	f.b.env.Lag.Create = time.Second
	sg := f.createGroup("lb")
	if info, ok := f.b.Subnet(f.seed.Subnets["a"]); !ok || info.AvailabilityZoneID != "usw2-az1" || info.CIDR != "10.0.1.0/24" || info.VPCID != f.vpc {
		t.Fatalf("subnet %+v", info)
	}
	if info, ok := f.b.VPC(f.vpc); !ok || info.CIDRs[0] != "10.0.0.0/16" || info.IPv6CIDRs[0] != "2600:1f14:abc:de00::/56" {
		t.Fatalf("vpc %+v", info)
	}
	if id, ok := f.b.DefaultSecurityGroup(f.vpc); !ok || id != f.seed.DefaultGroups["vpc-A"] {
		t.Fatalf("default group %q", id)
	}
	if info, ok := f.b.Instance(f.seed.Instances["one"]); !ok || info.PrivateIP != "10.0.1.10" || info.State != "running" {
		t.Fatalf("instance %+v", info)
	}
	if _, ok := f.b.Instance("i-00000000000000000"); ok {
		t.Fatal("unknown instance found")
	}
	eni, err := f.b.CreateServiceENI(f.seed.Subnets["b"], []string{sg}, "network_load_balancer", "ELB net/nlb/0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	f.fail("InvalidNetworkInterfaceID.NotFound", "DescribeNetworkInterfaces", "NetworkInterfaceId.1", eni)
	f.clock.SetTime(f.clock.Now().Add(time.Second))
	out := f.ok("DescribeNetworkInterfaces", "Filter.1.Name", "group-id", "Filter.1.Value.1", sg).(*describeNetworkInterfacesReply)
	if len(out.Interfaces.Item) != 1 || out.Interfaces.Item[0].InterfaceType != "network_load_balancer" || !bool(*out.Interfaces.Item[0].RequesterManaged) {
		t.Fatalf("enis %+v", out.Interfaces.Item)
	}
	if err := f.b.SetENIGroups(eni, []string{nfGroup}); err == nil {
		t.Fatal("unknown group accepted")
	}
	if err := f.b.SetENIGroups(eni, []string{f.seed.SecurityGroups["node"]}); err != nil {
		t.Fatal(err)
	}
	f.ok("DeleteSecurityGroup", "GroupId", sg)
	f.b.ReleaseENI(eni, 0)
	if _, ok := f.b.st.enis[eni]; ok {
		t.Fatal("ENI not released")
	}
	if _, err := f.b.CreateServiceENI("subnet-00000000000000000", nil, "load_balancer", ""); err == nil {
		t.Fatal("unknown subnet accepted")
	}
}
