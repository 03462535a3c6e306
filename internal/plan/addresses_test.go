package plan

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

// placed is stack() on two subnets as an internet-facing NLB with EIPs, and
// AWS holding it so.
func placed() (model.Stack, Snapshot) {
	d := stack()
	d.LoadBalancer.Scheme, d.LoadBalancer.IPAddressType = "internet-facing", "ipv4"
	d.LoadBalancer.Subnets = []string{"subnet-a", "subnet-b"}
	d.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", AllocationID: "eipalloc-1"}, {SubnetID: "subnet-b", AllocationID: "eipalloc-2"}}
	o := converged()
	o.LoadBalancer.Scheme, o.LoadBalancer.IPAddressType = "internet-facing", "ipv4"
	o.LoadBalancer.Subnets = []string{"subnet-a", "subnet-b"}
	o.LoadBalancer.SubnetMappings = d.LoadBalancer.SubnetMappings
	o.LoadBalancer.SourceNATPrefix, o.LoadBalancer.PrivateLinkInbound = "off", "on"
	return d, o
}

func TestDiffChangesPlacementInPlace(t *testing.T) {
	units := func(n int32) *int32 { return &n }
	for _, tt := range []struct {
		name   string
		change func(d *model.Stack, o *Snapshot)
		want   string
	}{
		{"placed as desired: nothing", func(*model.Stack, *Snapshot) {}, ""},
		{"another subnet: SetSubnets", func(d *model.Stack, _ *Snapshot) {
			d.LoadBalancer.Subnets = append(d.LoadBalancer.Subnets, "subnet-c")
		}, "SetSubnets"},
		{"subnets in another order: nothing", func(d *model.Stack, _ *Snapshot) {
			d.LoadBalancer.Subnets = []string{"subnet-b", "subnet-a"}
		}, ""},
		{"another EIP on a kept subnet: nothing (AWS fixes it at attachment)", func(d *model.Stack, _ *Snapshot) {
			d.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", AllocationID: "eipalloc-9"}, {SubnetID: "subnet-b", AllocationID: "eipalloc-2"}}
		}, ""},
		{"dualstack: SetIpAddressType", func(d *model.Stack, _ *Snapshot) { d.LoadBalancer.IPAddressType = "dualstack" }, "SetIpAddressType"},
		{"dualstack with first IPv6 addresses: SetSubnets then SetIpAddressType", func(d *model.Stack, _ *Snapshot) {
			d.LoadBalancer.IPAddressType = "dualstack"
			d.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", IPv6: "2600::1"}, {SubnetID: "subnet-b", IPv6: "2600::2"}}
		}, "SetSubnets SetIpAddressType"},
		{"source NAT turned on: SetSubnets", func(d *model.Stack, _ *Snapshot) { d.LoadBalancer.SourceNATPrefix = "on" }, "SetSubnets"},
		{"source NAT not asked for: nothing", func(d *model.Stack, _ *Snapshot) { d.LoadBalancer.SourceNATPrefix = "" }, ""},
		{"auto_assigned prefixes AWS picked: nothing", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.SourceNATPrefix, o.LoadBalancer.SourceNATPrefix = "on", "on"
			d.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "auto_assigned"}, {SubnetID: "subnet-b", SourceNATPrefix: "auto_assigned"}}
			o.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "2600:0:0:1:1::/80"}, {SubnetID: "subnet-b", SourceNATPrefix: "2600:0:0:2:1::/80"}}
		}, ""},
		{"auto_assigned where AWS has no prefix: SetSubnets", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.SourceNATPrefix, o.LoadBalancer.SourceNATPrefix = "on", "on"
			d.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "auto_assigned"}, {SubnetID: "subnet-b", SourceNATPrefix: "auto_assigned"}}
			o.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "2600:0:0:1:1::/80"}, {SubnetID: "subnet-b"}}
		}, "SetSubnets"},
		{"a named prefix other than AWS's: SetSubnets", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.SourceNATPrefix, o.LoadBalancer.SourceNATPrefix = "on", "on"
			d.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "2600:0:0:1:5::/80"}, {SubnetID: "subnet-b", SourceNATPrefix: "auto_assigned"}}
			o.LoadBalancer.SubnetMappings = []model.SubnetMapping{{SubnetID: "subnet-a", SourceNATPrefix: "2600:0:0:1:1::/80"}, {SubnetID: "subnet-b", SourceNATPrefix: "2600:0:0:2:1::/80"}}
		}, "SetSubnets"},
		{"PrivateLink off: SetSecurityGroups", func(d *model.Stack, _ *Snapshot) { d.LoadBalancer.PrivateLinkInbound = "off" }, "SetSecurityGroups"},
		{"PrivateLink on as AWS has it: nothing", func(d *model.Stack, _ *Snapshot) { d.LoadBalancer.PrivateLinkInbound = "on" }, ""},
		{"capacity asked for, reservation not read: nothing", func(d *model.Stack, _ *Snapshot) { d.LoadBalancer.MinimumCapacity = units(1000) }, ""},
		{"capacity asked for and none reserved: ModifyCapacityReservation", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.MinimumCapacity, o.LoadBalancer.CapacityRead = units(1000), true
		}, "ModifyCapacityReservation"},
		{"capacity as reserved: nothing", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.MinimumCapacity, o.LoadBalancer.CapacityRead, o.LoadBalancer.MinimumCapacity = units(1000), true, units(1000)
		}, ""},
		{"zero units with none reserved: nothing", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.MinimumCapacity, o.LoadBalancer.CapacityRead = units(0), true
		}, ""},
		{"zero units with a reservation: ModifyCapacityReservation", func(d *model.Stack, o *Snapshot) {
			d.LoadBalancer.MinimumCapacity, o.LoadBalancer.CapacityRead, o.LoadBalancer.MinimumCapacity = units(0), true, units(1000)
		}, "ModifyCapacityReservation"},
		{"another scheme: the only recreate", func(d *model.Stack, _ *Snapshot) {
			d.LoadBalancer.Scheme = "internal"
			d.LoadBalancer.SubnetMappings = nil
		}, "DeleteLoadBalancer CreateLoadBalancer CreateListener"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, o := placed()
			tt.change(&d, &o)
			acts := Diff(d, o)
			if got := kinds(acts); got != tt.want {
				t.Fatalf("actions = %q, want %q", got, tt.want)
			}
			for _, a := range acts {
				if (a.Kind == SetSubnets || a.Kind == SetIPAddressType || a.Kind == ModifyCapacityReservation) && a.ARN != "arn:lb" {
					t.Errorf("%s acts on %q, not the existing load balancer", a.Kind, a.ARN)
				}
			}
		})
	}
}

func TestNewNLBTurnsPrivateLinkOffAfterCreation(t *testing.T) {
	d := stack()
	d.LoadBalancer.PrivateLinkInbound = "off"
	if got := kinds(Diff(d, Snapshot{})); got != "CreateSecurityGroup AuthorizeIngress CreateTargetGroup RegisterTargets CreateLoadBalancer SetSecurityGroups CreateListener" {
		t.Fatalf("actions = %q", got)
	}
	d.LoadBalancer.PrivateLinkInbound = "on" // AWS's default: no extra call
	if got := kinds(Diff(d, Snapshot{})); got != "CreateSecurityGroup AuthorizeIngress CreateTargetGroup RegisterTargets CreateLoadBalancer CreateListener" {
		t.Fatalf("actions = %q", got)
	}
}
