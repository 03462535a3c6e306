package controller_test

import (
	"context"
	"testing"

	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2api "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/emulator/elbv2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// stackResources counts the target groups and security groups tagged for
// a Service's stack.
func (h *harness) stackResources(ctx context.Context, ns, name string) (tgs, sgs int) {
	h.t.Helper()
	stackID := naming.ServiceStack(ns, name).ID()
	out, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2api.DescribeTargetGroupsInput{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, tg := range out.TargetGroups {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2api.DescribeTagsInput{ResourceArns: []string{*tg.TargetGroupArn}})
		if awserr.Code(err) == "TargetGroupNotFound" {
			continue // deleted since the listing (the controller's cleanup)
		}
		if err != nil {
			h.t.Fatal(err)
		}
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				if *tag.Key == "service.k8s.aws/stack" && *tag.Value == stackID {
					tgs++
				}
			}
		}
	}
	groups, err := h.emu.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, g := range groups.SecurityGroups {
		for _, tag := range g.Tags {
			if *tag.Key == "service.k8s.aws/stack" && *tag.Value == stackID {
				sgs++
			}
		}
	}
	return tgs, sgs
}

// TestALoadBalancerAWSRefusesLeavesNothingBehindAndRecovers: past the NLB
// quota, the Service gets an event with AWS's code, the target group and
// managed SG made for it are deleted again, and once the quota is raised
// the Service gets its NLB.
func TestALoadBalancerAWSRefusesLeavesNothingBehindAndRecovers(t *testing.T) {
	emu := emutest.Start(t)
	emu.Server.UpdateELBv2Quotas(func(q *elbv2.Quotas) { q.NetworkLoadBalancers = 1 })
	h := startOn(t, testenv.Kube(t), emu, nil, true)
	ctx := t.Context()
	first, second := h.nlbService("first", 80), h.nlbService("second", 80)
	h.create(first)
	testenv.Eventually(t, "the first Service's NLB", func(context.Context) (bool, error) {
		cur := h.get(first)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) == 1, nil
	})
	h.create(second)
	testenv.Eventually(t, "TooManyLoadBalancers on the second Service", func(context.Context) (bool, error) {
		return h.events.has("second Warning FailedDeployModel") && h.events.has("TooManyLoadBalancers"), nil
	})
	testenv.Eventually(t, "nothing left behind for the refused NLB", func(context.Context) (bool, error) {
		tgs, sgs := h.stackResources(ctx, second.Namespace, second.Name)
		return tgs == 0 && sgs == 0, nil
	})
	emu.Server.UpdateELBv2Quotas(func(q *elbv2.Quotas) { q.NetworkLoadBalancers = 2 })
	// The retry comes within deploy.QuotaRequeue; any change retries at once.
	h.update(second, func(s *corev1.Service) { s.Labels = map[string]string{"retry": "now"} })
	testenv.Eventually(t, "the second Service's NLB once the quota is raised", func(context.Context) (bool, error) {
		cur := h.get(second)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) == 1, nil
	})
}
