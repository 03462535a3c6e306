package controller_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/testenv"
)

// listenerForward is the listener on port 80 of load balancer name: its
// ARN and its forward as "<target group ARN>=<weight>" entries, sorted,
// plus the stickiness.
func (h *harness) listenerForward(ctx context.Context, name string) (arn string, targets []string, sticky bool, err error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil {
		return "", nil, false, err
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil || len(ls.Listeners) != 1 {
		return "", nil, false, fmt.Errorf("listeners %v: %w", ls, err)
	}
	l := ls.Listeners[0]
	fc := l.DefaultActions[0].ForwardConfig
	for _, t := range fc.TargetGroups {
		targets = append(targets, fmt.Sprintf("%s=%d", *t.TargetGroupArn, aws.ToInt32(t.Weight)))
	}
	slices.Sort(targets)
	if s := fc.TargetGroupStickinessConfig; s != nil {
		sticky = aws.ToBool(s.Enabled)
	}
	return *l.ListenerArn, targets, sticky, nil
}

// TestNLBListenerActionsWeightedForward: actions.TCP-80 splits port 80
// between the Service's own target group and one by ARN (80/20, sticky);
// a resync makes no AWS call; a weight change is one ModifyListener on the
// same listener.
func TestNLBListenerActionsWeightedForward(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	canary, err := h.emu.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("canary"),
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(8080), VpcId: aws.String(h.seed.VPCID)})
	if err != nil {
		t.Fatal(err)
	}
	canaryARN := *canary.TargetGroups[0].TargetGroupArn
	action := func(base, other int) string {
		return fmt.Sprintf(`{"type":"forward","forwardConfig":{"baseServiceWeight":%d,
			"targetGroups":[{"targetGroupARN":%q,"weight":%d}],"targetGroupStickinessConfig":{"enabled":true}}}`, base, canaryARN, other)
	}
	svc := h.nlbService("weighted", 80)
	svc.Annotations[annotations.SvcName] = "weighted-nlb"
	svc.Annotations[annotations.SvcActionsPrefix+"TCP-80"] = action(80, 20)
	h.create(svc)

	waitWeights := func(what string, own, other int) string {
		t.Helper()
		var arn string
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			a, targets, sticky, err := h.listenerForward(ctx, "weighted-nlb")
			if err != nil || len(targets) != 2 || !sticky {
				return false, nil //nolint:nilerr // not there yet
			}
			want := fmt.Sprintf("%s=%d", canaryARN, other)
			i := slices.Index(targets, want)
			if i < 0 || !hasSuffixWeight(targets[1-i], own) {
				return false, nil
			}
			arn = a
			return true, nil
		})
		return arn
	}
	arn := waitWeights("80/20 in AWS", 80, 20)
	testenv.Eventually(t, "status written", func(context.Context) (bool, error) {
		cur := h.get(svc)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) > 0, nil
	})

	before := h.quiesce()
	if _, err := h.ctrls.Service.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(svc)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	base := h.emu.Server.Calls()
	h.update(svc, func(s *corev1.Service) { s.Annotations[annotations.SvcActionsPrefix+"TCP-80"] = action(50, 50) })
	if got := waitWeights("50/50 in AWS", 50, 50); got != arn {
		t.Errorf("the weight change replaced the listener: %s, was %s", got, arn)
	}
	time.Sleep(time.Second) //nolint:forbidigo // let a stray second write show
	h.quiesce()
	got := h.emu.Server.Calls()
	if n := got.Count("ModifyListener") - base.Count("ModifyListener"); n != 1 {
		t.Errorf("weight change: %d ModifyListener calls, want 1", n)
	}
	if n := got.Mutations() - base.Mutations(); n != 1 {
		t.Errorf("weight change: %d writes, want the one ModifyListener: %v", n, got.Sorted())
	}
}

// hasSuffixWeight reports whether a "<arn>=<weight>" entry has weight w.
func hasSuffixWeight(entry string, w int) bool {
	suffix := fmt.Sprintf("=%d", w)
	return len(entry) > len(suffix) && entry[len(entry)-len(suffix):] == suffix
}
