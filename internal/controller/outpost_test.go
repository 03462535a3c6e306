package controller_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// TestIngressOnAnOutpostGetsItsCustomerOwnedPool: an Ingress naming one
// Outpost subnet and a customer-owned IPv4 pool converges to an ALB on that
// subnet with the pool; a resync makes no AWS call; another pool on the
// existing ALB is only logged (LBC: AWS sets it at creation), never a write.
func TestIngressOnAnOutpostGetsItsCustomerOwnedPool(t *testing.T) {
	h := startOn(t, testenv.Kube(t), emutest.Start(t, emutest.WithOutpostSubnet()), nil, true)
	if len(h.seed.OutpostSubnets) != 1 {
		t.Fatalf("Outpost subnets %v, want one", h.seed.OutpostSubnets)
	}
	subnet := h.seed.OutpostSubnets[0]
	const pool = "ipv4pool-coip-0123456789abcdef0"
	h.create(h.nodePortService("web"))
	ing := h.albIngress("edge", "/", "web", map[string]string{annotations.IngSubnets: subnet, annotations.IngCustomerOwnedIPv4Pool: pool})
	h.create(ing)
	name := naming.IngressLBName(cluster, naming.ImplicitIngressStack(ing.Namespace, ing.Name), naming.SchemeInternal)

	var lbARN string
	testenv.Eventually(t, "the ALB on the Outpost with the pool", func(ctx context.Context) (bool, error) {
		lbs, _ := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{Names: []string{name}}) // errors until the ALB exists
		if lbs == nil || len(lbs.LoadBalancers) == 0 {
			return false, nil
		}
		lb := lbs.LoadBalancers[0]
		if len(lb.AvailabilityZones) != 1 || aws.ToString(lb.AvailabilityZones[0].SubnetId) != subnet {
			t.Fatalf("ALB subnets %+v, want only %s", lb.AvailabilityZones, subnet)
		}
		if got := aws.ToString(lb.CustomerOwnedIpv4Pool); got != pool {
			t.Fatalf("ALB pool %q, want %q", got, pool)
		}
		lbARN = aws.ToString(lb.LoadBalancerArn)
		return true, nil
	})
	testenv.Eventually(t, "the Ingress status names the ALB", func(ctx context.Context) (bool, error) {
		var cur networkingv1.Ingress
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(ing), &cur); err != nil {
			return false, err
		}
		return len(cur.Status.LoadBalancer.Ingress) == 1, nil
	})
	h.assertResyncFree(ing)

	// Another pool: logged as drift, the ALB neither written nor replaced.
	base := h.quiesce()
	writes := h.emu.Server.Calls().Mutations()
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations[annotations.IngCustomerOwnedIPv4Pool] = "ipv4pool-coip-0fffffffffffffff0"
	})
	testenv.Eventually(t, "the changed Ingress reconciled", func(context.Context) (bool, error) {
		return h.emu.Server.Calls().Total > base, nil
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
		t.Errorf("%d AWS writes for a pool AWS cannot change: %v", n, h.emu.Server.Calls().Sorted())
	}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elasticloadbalancingv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	if got := lbs.LoadBalancers[0]; aws.ToString(got.LoadBalancerArn) != lbARN || aws.ToString(got.CustomerOwnedIpv4Pool) != pool {
		t.Errorf("ALB %s with pool %s, want %s with %s", aws.ToString(got.LoadBalancerArn), aws.ToString(got.CustomerOwnedIpv4Pool), lbARN, pool)
	}
	h.deleteAndWait(ing)
}
