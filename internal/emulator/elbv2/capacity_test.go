package elbv2

import (
	"testing"
	"time"
)

func TestCapacityReservationIsSetReadAndReset(t *testing.T) {
	h := newHarness(t)
	lb := h.nlb("net", "Subnets.member.2", subB).LoadBalancerArn
	empty := h.ok("DescribeCapacityReservation", "LoadBalancerArn", lb).(*capacityResult)
	if empty.MinimumLoadBalancerCapacity != nil || len(empty.CapacityReservationState) != 0 || empty.DecreaseRequestsRemaining != 2 {
		t.Fatalf("a new load balancer has a reservation: %+v", empty)
	}
	set := h.ok("ModifyCapacityReservation", "LoadBalancerArn", lb, "MinimumLoadBalancerCapacity.CapacityUnits", "1000").(*capacityResult)
	got := h.ok("DescribeCapacityReservation", "LoadBalancerArn", lb).(*capacityResult)
	for _, r := range []*capacityResult{set, got} {
		if r.MinimumLoadBalancerCapacity == nil || r.MinimumLoadBalancerCapacity.CapacityUnits != 1000 || len(r.CapacityReservationState) != 2 ||
			r.CapacityReservationState[0].State.Code != "provisioned" || r.CapacityReservationState[0].EffectiveCapacityUnits != 500 {
			t.Fatalf("reservation = %+v", r)
		}
	}
	mustContain(t, render(t, "DescribeCapacityReservation", got), "<MinimumLoadBalancerCapacity><CapacityUnits>1000</CapacityUnits>",
		"<CapacityReservationState><member><State><Code>provisioned</Code>")
	h.ok("ModifyCapacityReservation", "LoadBalancerArn", lb, "ResetCapacityReservation", "true")
	reset := h.ok("DescribeCapacityReservation", "LoadBalancerArn", lb).(*capacityResult)
	if reset.MinimumLoadBalancerCapacity != nil || len(reset.CapacityReservationState) != 0 || reset.DecreaseRequestsRemaining != 1 {
		t.Fatalf("after reset = %+v", reset)
	}
}

func TestModifyCapacityReservationRefusals(t *testing.T) {
	h := newHarness(t)
	lb := h.nlb("net").LoadBalancerArn
	for _, tt := range []struct {
		name, code string
		args       []string
	}{
		{"neither units nor reset", "ValidationError", nil},
		{"both units and reset", "ValidationError", []string{"MinimumLoadBalancerCapacity.CapacityUnits", "100", "ResetCapacityReservation", "true"}},
		{"zero units", "ValidationError", []string{"MinimumLoadBalancerCapacity.CapacityUnits", "0"}},
		{"units not a number", "InvalidParameterValue", []string{"MinimumLoadBalancerCapacity.CapacityUnits", "many"}},
	} {
		if msg := h.fail(tt.code, "ModifyCapacityReservation", append([]string{"LoadBalancerArn", lb}, tt.args...)...); msg == "" {
			t.Errorf("%s: no message", tt.name)
		}
	}
	h.fail("LoadBalancerNotFound", "DescribeCapacityReservation", "LoadBalancerArn", lb+"0")
}

func TestCapacityDecreasesAreLimitedPerDay(t *testing.T) {
	h := newHarness(t)
	lb := h.nlb("net").LoadBalancerArn
	set := func(units string) {
		h.ok("ModifyCapacityReservation", "LoadBalancerArn", lb, "MinimumLoadBalancerCapacity.CapacityUnits", units)
	}
	set("3000")
	set("2000")
	set("4000") // increases are unlimited
	set("1000")
	h.fail("CapacityDecreaseRequestLimitExceeded", "ModifyCapacityReservation", "LoadBalancerArn", lb, "ResetCapacityReservation", "true")
	h.clock.Step(25 * time.Hour)
	h.ok("ModifyCapacityReservation", "LoadBalancerArn", lb, "ResetCapacityReservation", "true")
}

func TestCapacityReservationWaitsForAnActiveLoadBalancer(t *testing.T) {
	h := newHarness(t)
	h.env.Lag.Provisioning = time.Minute
	lb := h.nlb("net").LoadBalancerArn
	h.fail("OperationNotPermitted", "ModifyCapacityReservation", "LoadBalancerArn", lb, "MinimumLoadBalancerCapacity.CapacityUnits", "100")
	h.clock.Step(2 * time.Minute)
	h.ok("ModifyCapacityReservation", "LoadBalancerArn", lb, "MinimumLoadBalancerCapacity.CapacityUnits", "100")
}

func TestSubnetMappingAllocations(t *testing.T) {
	h := newHarness(t)
	mapped := func(name string, extra ...string) []string {
		return append([]string{"Name", name, "Type", "network", "SubnetMappings.member.1.SubnetId", subA}, extra...)
	}
	lb := h.ok("CreateLoadBalancer", mapped("one", "SubnetMappings.member.1.AllocationId", "eipalloc-0a1")...).(*loadBalancersResult).LoadBalancers[0]
	if got := lb.AvailabilityZones[0].LoadBalancerAddresses; len(got) != 1 || got[0].AllocationID != "eipalloc-0a1" {
		t.Fatalf("zones = %+v", lb.AvailabilityZones)
	}
	if h.net.addresses["eipalloc-0a1"] == "" {
		t.Fatalf("the allocation is not associated with the subnet's ENI")
	}
	h.fail("AllocationIdNotFound", "CreateLoadBalancer", mapped("two", "SubnetMappings.member.1.AllocationId", "eipalloc-0ff")...)
	h.fail("InvalidConfigurationRequest", "CreateLoadBalancer", mapped("two", "SubnetMappings.member.1.AllocationId", "eipalloc-0a1")...)
	h.fail("InvalidConfigurationRequest", "CreateLoadBalancer", mapped("two", "SubnetMappings.member.1.AllocationId", "eipalloc-0a2", "Scheme", "internal")...)
	// SetSubnets: a kept subnet keeps its address, a new one takes its own.
	set := h.ok("SetSubnets", "LoadBalancerArn", lb.LoadBalancerArn,
		"SubnetMappings.member.1.SubnetId", subA, "SubnetMappings.member.1.AllocationId", "eipalloc-0a1",
		"SubnetMappings.member.2.SubnetId", subB, "SubnetMappings.member.2.AllocationId", "eipalloc-0a2").(*setSubnetsResult)
	if len(set.AvailabilityZones) != 2 || set.AvailabilityZones[1].LoadBalancerAddresses[0].AllocationID != "eipalloc-0a2" {
		t.Fatalf("zones = %+v", set.AvailabilityZones)
	}
	h.fail("InvalidConfigurationRequest", "SetSubnets", "LoadBalancerArn", lb.LoadBalancerArn,
		"SubnetMappings.member.1.SubnetId", subA, "SubnetMappings.member.1.AllocationId", "eipalloc-0a3",
		"SubnetMappings.member.2.SubnetId", subB)
	h.ok("DeleteLoadBalancer", "LoadBalancerArn", lb.LoadBalancerArn)
	if h.net.addresses["eipalloc-0a1"] != "" || h.net.addresses["eipalloc-0a2"] != "" {
		t.Fatalf("a deleted load balancer still holds its addresses: %v", h.net.addresses)
	}
}

func TestSubnetMappingPrivateIPv4(t *testing.T) {
	h := newHarness(t)
	create := func(name, scheme, ip string) (any, error) {
		return h.call("CreateLoadBalancer", "Name", name, "Type", "network", "Scheme", scheme,
			"SubnetMappings.member.1.SubnetId", subA, "SubnetMappings.member.1.PrivateIPv4Address", ip)
	}
	if _, err := create("inside", "internal", "10.0.0.9"); err != nil {
		t.Fatalf("an address of the subnet: %v", err)
	}
	for _, tt := range []struct{ name, scheme, ip string }{
		{"outside", "internal", "10.0.16.9"},
		{"public", "internet-facing", "10.0.0.10"},
	} {
		if _, err := create(tt.name, tt.scheme, tt.ip); err == nil {
			t.Errorf("%s: %s on an %s NLB was accepted", tt.name, tt.ip, tt.scheme)
		}
	}
}
