package controller_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

// TestGateALBSingleSubnetBuildsAnALBOnOneSubnet: with LBC's gate
// ALBSingleSubnet, in an account AWS lets create single-subnet ALBs, an
// Ingress naming one subnet gets its ALB there, and a resync costs no AWS
// call.
func TestGateALBSingleSubnetBuildsAnALBOnOneSubnet(t *testing.T) {
	seed := emulator.DefaultSeed(cluster, "us-west-2")
	seed.SingleSubnetALB = true
	emu := emutest.Start(t, emutest.WithOptions(emulator.Options{Seed: &seed}))
	h := startOn(t, testenv.Kube(t), emu, func(o *options.Controller) { o.FeatureGates[options.GateALBSingleSubnet] = true }, true)
	subnet := h.seed.PrivateSubnets[0]
	h.create(h.nodePortService("web"))
	ing := h.albIngress("one", "/", "web", map[string]string{annotations.IngSubnets: subnet})
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	defer func() {
		if t.Failed() {
			t.Logf("events: %v", h.events.got)
		}
	}()
	testenv.Eventually(t, "an ALB on one subnet", func(ctx context.Context) (bool, error) {
		out, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
		if err != nil {
			return false, nil //nolint:nilerr // not created yet
		}
		azs := out.LoadBalancers[0].AvailabilityZones
		return len(azs) == 1 && aws.ToString(azs[0].SubnetId) == subnet, nil
	})
	if n := h.resyncIngress(ing); n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	h.deleteAndWait(ing)
}
