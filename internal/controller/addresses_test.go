package controller_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/testenv"
)

// placement is the Service's NLB as DescribeLoadBalancers shows it: ARN
// and "subnet=allocation" per zone, sorted.
func (h *harness) placement(ctx context.Context, name string) (arn string, zones []string, err error) {
	out, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{})
	if err != nil {
		return "", nil, err
	}
	for _, lb := range out.LoadBalancers {
		if !strings.Contains(aws.ToString(lb.LoadBalancerName), name) {
			continue
		}
		for _, az := range lb.AvailabilityZones {
			z := aws.ToString(az.SubnetId)
			for _, a := range az.LoadBalancerAddresses {
				z += "=" + aws.ToString(a.AllocationId)
			}
			zones = append(zones, z)
		}
		slices.Sort(zones)
		return aws.ToString(lb.LoadBalancerArn), zones, nil
	}
	return "", nil, nil
}

func (h *harness) allocate(n int) []string {
	h.t.Helper()
	var ids []string
	for range n {
		out, err := h.emu.EC2.AllocateAddress(h.t.Context(), &awsec2.AllocateAddressInput{})
		if err != nil {
			h.t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.AllocationId))
	}
	return ids
}

// A Service with EIPs gets them per zone; adding a subnet (with its EIP)
// and a capacity reservation changes the NLB in place, and a resync of
// the result costs no AWS call.
func TestServiceEIPsAndSubnetChangesKeepTheNLB(t *testing.T) {
	h := start(t, nil)
	pub, eips := h.seed.PublicSubnets, h.allocate(3)
	svc := h.nlbService("eips", 80)
	svc.Annotations[annotations.SvcScheme] = annotations.SchemeInternetFacing
	svc.Annotations[annotations.SvcSubnets] = pub[0] + "," + pub[1]
	svc.Annotations[annotations.SvcEIPAllocations] = eips[0] + "," + eips[1]
	h.create(svc)
	wantZones := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, pub[i]+"="+eips[i])
		}
		return out
	}
	var arn string
	testenv.Eventually(t, "the NLB holds the EIPs per zone", func(ctx context.Context) (bool, error) {
		a, zones, err := h.placement(ctx, "eips")
		arn = a
		return slices.Equal(zones, wantZones(2)), err
	})

	before := h.emu.Server.Calls()
	h.update(svc, func(s *corev1.Service) {
		s.Annotations[annotations.SvcSubnets] = strings.Join(pub[:3], ",")
		s.Annotations[annotations.SvcEIPAllocations] = strings.Join(eips, ",")
		s.Annotations[annotations.SvcMinimumCapacity] = "CapacityUnits=1500"
	})
	testenv.Eventually(t, "the third zone and the reservation", func(ctx context.Context) (bool, error) {
		a, zones, err := h.placement(ctx, "eips")
		if err != nil || a != arn || !slices.Equal(zones, wantZones(3)) {
			return false, err
		}
		res, err := h.emu.ELBv2.DescribeCapacityReservation(ctx, &elasticloadbalancingv2.DescribeCapacityReservationInput{LoadBalancerArn: aws.String(arn)})
		return err == nil && res.MinimumLoadBalancerCapacity != nil && aws.ToInt32(res.MinimumLoadBalancerCapacity.CapacityUnits) == 1500, err
	})
	h.quiesce()
	after := h.emu.Server.Calls()
	for _, action := range []string{"SetSubnets", "ModifyCapacityReservation", "DeleteLoadBalancer", "CreateLoadBalancer"} {
		key := "elasticloadbalancing:" + action
		n := after.Actions[key].Calls - before.Actions[key].Calls
		want := map[string]int{"SetSubnets": 1, "ModifyCapacityReservation": 1}[action]
		if n != want {
			t.Errorf("%s called %d times, want %d", action, n, want)
		}
	}
	addr, err := h.emu.EC2.DescribeAddresses(t.Context(), &awsec2.DescribeAddressesInput{AllocationIds: eips})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addr.Addresses {
		if aws.ToString(a.NetworkInterfaceId) == "" {
			t.Errorf("EIP %s is not associated with the NLB", aws.ToString(a.AllocationId))
		}
	}

	total := h.emu.Server.Calls().Total
	if err := h.resyncAll(t.Context(), []*corev1.Service{svc}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - total; n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// An EIP annotation on an internal NLB is refused before AWS is touched,
// naming the annotation.
func TestServiceEIPsOnAnInternalNLBAreRefused(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("eips-internal", 80)
	svc.Annotations[annotations.SvcEIPAllocations] = "eipalloc-0123456789abcdef0"
	h.create(svc)
	testenv.Eventually(t, "a warning naming the annotation", func(context.Context) (bool, error) {
		return h.events.has(annotations.SvcEIPAllocations) && h.events.has("EIP allocations can only be set for internet facing load balancers"), nil
	})
	if _, zones, err := h.placement(t.Context(), "eips-internal"); err != nil || zones != nil {
		t.Fatalf("a load balancer was created: %v %v", zones, err)
	}
}

// A new NLB takes its capacity reservation once AWS reports it active: the
// Service is published at once and reconciled again until then.
func TestCapacityReservationWaitsForTheNewNLB(t *testing.T) {
	faults, err := emulator.ParseFaults("provisioning=2s")
	if err != nil {
		t.Fatal(err)
	}
	h := startOn(t, testenv.Kube(t), emutest.Start(t, emutest.WithOptions(emulator.Options{Faults: faults})), nil, true)
	svc := h.nlbService("capacity", 80)
	svc.Annotations[annotations.SvcMinimumCapacity] = "CapacityUnits=800"
	h.create(svc)
	testenv.Eventually(t, "status while the NLB provisions", func(context.Context) (bool, error) {
		cur := h.get(svc)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) > 0, nil
	})
	testenv.EventuallyWithin(t, 40*time.Second, "the reservation once the NLB is active", func(ctx context.Context) (bool, error) {
		arn, _, err := h.placement(ctx, "capacity")
		if err != nil || arn == "" {
			return false, err
		}
		res, err := h.emu.ELBv2.DescribeCapacityReservation(ctx, &elasticloadbalancingv2.DescribeCapacityReservationInput{LoadBalancerArn: aws.String(arn)})
		return err == nil && res.MinimumLoadBalancerCapacity != nil && aws.ToInt32(res.MinimumLoadBalancerCapacity.CapacityUnits) == 800, err
	})
	if errs := h.emu.Server.Calls().Actions["elasticloadbalancing:ModifyCapacityReservation"].Errors; len(errs) > 0 {
		t.Errorf("ModifyCapacityReservation was refused: %v", errs)
	}
}
