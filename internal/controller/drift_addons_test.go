package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	awswafregional "github.com/aws/aws-sdk-go-v2/service/wafregional"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// fact reads one fact of an ALB from the emulator ("" when absent).
type fact func(ctx context.Context, h *harness, lbARN string) (string, error)

func classicACLOf(ctx context.Context, h *harness, lbARN string) (string, error) {
	out, err := h.emu.WAFRegional.GetWebACLForResource(ctx, &awswafregional.GetWebACLForResourceInput{ResourceArn: aws.String(lbARN)})
	if err != nil || out.WebACLSummary == nil {
		return "", err
	}
	return aws.ToString(out.WebACLSummary.WebACLId), nil
}

func protectionOf(ctx context.Context, h *harness, lbARN string) (*awsshield.DescribeProtectionOutput, error) {
	out, err := h.emu.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(lbARN)})
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	return out, err
}

func lbAttr(key string) fact {
	return func(ctx context.Context, h *harness, lbARN string) (string, error) {
		out, err := h.emu.ELBv2.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lbARN)})
		if err != nil {
			return "", err
		}
		return toMap(out.Attributes, func(a elbv2types.LoadBalancerAttribute) (string, string) { return *a.Key, *a.Value })[key], nil
	}
}

func setLBAttr(ctx context.Context, h *harness, lbARN, key, value string) error {
	_, err := h.emu.ELBv2.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lbARN),
		Attributes: []elbv2types.LoadBalancerAttribute{{Key: aws.String(key), Value: aws.String(value)}}})
	return err
}

// albTGARN is the ARN of the ALB's only target group.
func albTGARN(ctx context.Context, h *harness, lbARN string) (string, error) {
	out, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(lbARN)})
	if err != nil || len(out.TargetGroups) != 1 {
		return "", fmt.Errorf("target groups of %s: %d, %w", lbARN, len(out.TargetGroups), err)
	}
	return aws.ToString(out.TargetGroups[0].TargetGroupArn), nil
}

func tgAttr(key string) fact {
	return func(ctx context.Context, h *harness, lbARN string) (string, error) {
		arn, err := albTGARN(ctx, h, lbARN)
		if err != nil {
			return "", err
		}
		out, err := h.emu.ELBv2.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
		if err != nil {
			return "", err
		}
		return toMap(out.Attributes, func(a elbv2types.TargetGroupAttribute) (string, string) { return *a.Key, *a.Value })[key], nil
	}
}

// TestDriftCheckRestoresAddonsAndAttributesChangedByHand: what an
// Ingress's annotations ask of its ALB and someone undoes by hand — a web
// ACL disassociated, a Shield protection deleted, an attribute flipped —
// is found by the next drift check (no Kubernetes change, no restart) and
// put back by the Ingress's reconcile.
func TestDriftCheckRestoresAddonsAndAttributesChangedByHand(t *testing.T) {
	const dropInvalid = "routing.http.drop_invalid_header_fields.enabled"
	const delay = "deregistration_delay.timeout_seconds"
	for _, tt := range []struct {
		name   string
		ann    map[string]string
		read   fact
		want   string
		tamper func(ctx context.Context, h *harness, lbARN string) error
	}{
		{
			name: "a WAFv2 web ACL disassociated by hand is associated again",
			ann:  map[string]string{annotations.IngWAFv2ACLARN: sandboxACL},
			read: func(ctx context.Context, h *harness, lbARN string) (string, error) { return h.webACLOf(ctx, lbARN) },
			want: sandboxACL,
			tamper: func(ctx context.Context, h *harness, lbARN string) error {
				_, err := h.emu.WAFv2.DisassociateWebACL(ctx, &awswafv2.DisassociateWebACLInput{ResourceArn: aws.String(lbARN)})
				return err
			},
		},
		{
			name: "a WAF Classic web ACL disassociated by hand is associated again",
			ann:  map[string]string{annotations.IngWAFACLID: emulator.SandboxClassicWebACLID},
			read: classicACLOf,
			want: emulator.SandboxClassicWebACLID,
			tamper: func(ctx context.Context, h *harness, lbARN string) error {
				_, err := h.emu.WAFRegional.DisassociateWebACL(ctx, &awswafregional.DisassociateWebACLInput{ResourceArn: aws.String(lbARN)})
				return err
			},
		},
		{
			name: "a Shield protection deleted by hand is created again",
			ann:  map[string]string{annotations.IngShieldAdvancedProtection: "true"},
			read: func(ctx context.Context, h *harness, lbARN string) (string, error) {
				out, err := protectionOf(ctx, h, lbARN)
				if err != nil || out == nil {
					return "", err
				}
				return aws.ToString(out.Protection.Name), nil
			},
			want: deploy.ProtectionName,
			tamper: func(ctx context.Context, h *harness, lbARN string) error {
				out, err := protectionOf(ctx, h, lbARN)
				if err != nil {
					return err
				}
				_, err = h.emu.Shield.DeleteProtection(ctx, &awsshield.DeleteProtectionInput{ProtectionId: out.Protection.Id})
				return err
			},
		},
		{
			name: "a load-balancer attribute the annotation sets, flipped by hand, is restored",
			ann:  map[string]string{annotations.IngLoadBalancerAttributes: dropInvalid + "=true"},
			read: lbAttr(dropInvalid),
			want: "true",
			tamper: func(ctx context.Context, h *harness, lbARN string) error {
				return setLBAttr(ctx, h, lbARN, dropInvalid, "false")
			},
		},
		{
			name: "a target-group attribute the annotation sets, changed by hand, is restored",
			ann:  map[string]string{annotations.IngTargetGroupAttributes: delay + "=30"},
			read: tgAttr(delay),
			want: "30",
			tamper: func(ctx context.Context, h *harness, lbARN string) error {
				arn, err := albTGARN(ctx, h, lbARN)
				if err != nil {
					return err
				}
				_, err = h.emu.ELBv2.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(arn),
					Attributes: []elbv2types.TargetGroupAttribute{{Key: aws.String(delay), Value: aws.String("100")}}})
				return err
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, nil)
			h.emu.Server.SetShieldSubscription(true)
			h.create(h.nodePortService("web"))
			ing := h.albIngress("guarded", "/", "web", tt.ann)
			h.create(ing)
			st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
			var lbARN string
			testenv.Eventually(t, "the ALB serves with what the annotation asks", func(ctx context.Context) (bool, error) {
				var n int
				var err error
				if lbARN, n, err = h.albOf(ctx, ing); err != nil || lbARN == "" || n == 0 {
					return false, err
				}
				got, err := tt.read(ctx, h, lbARN)
				return got == tt.want, err
			})
			h.quiesce()
			ctx := t.Context()
			if err := tt.tamper(ctx, h, lbARN); err != nil {
				t.Fatal(err)
			}
			if got, err := tt.read(ctx, h, lbARN); err != nil || got == tt.want {
				t.Fatalf("after the hand edit: %q, %v; want it changed", got, err)
			}
			res, err := h.ctrls.Drift.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(res.Stacks, st.Key()) {
				t.Errorf("drift check enqueued %v, want %s", res.Stacks, st.Key())
			}
			testenv.Eventually(t, "restored", func(ctx context.Context) (bool, error) {
				got, err := tt.read(ctx, h, lbARN)
				return got == tt.want, err
			})
		})
	}
}

// TestDriftCheckRestoresAServicesTargetGroupAttributeChangedByHand: an
// NLB target group's attribute (cached per ARN, never re-read by a
// reconcile) set by the annotation and changed by hand is restored after
// the next drift check.
func TestDriftCheckRestoresAServicesTargetGroupAttributeChangedByHand(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	svc := h.nlbService("attrs", 80)
	svc.Annotations[annotations.SvcName] = "attrs-nlb"
	svc.Annotations[annotations.SvcTargetGroupAttributes] = "deregistration_delay.timeout_seconds=30"
	h.create(svc)
	want := map[string]string{"deregistration_delay.timeout_seconds": "30"}
	a := h.waitAttrs("attrs-nlb", "attributes in AWS", func(a nlbAttrs) string { return mismatch("TG 80", a.tgs[80], want) })
	h.quiesce()
	if _, err := h.emu.ELBv2.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(a.tgARN[80]),
		Attributes: []elbv2types.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("100")}}}); err != nil {
		t.Fatal(err)
	}
	res, err := h.ctrls.Drift.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if key := naming.ServiceStack(svc.Namespace, svc.Name).Key(); !slices.Contains(res.Stacks, key) {
		t.Errorf("drift check enqueued %v, want %s", res.Stacks, key)
	}
	h.waitAttrs("attrs-nlb", "the delay restored", func(a nlbAttrs) string { return mismatch("TG 80", a.tgs[80], want) })
}

// TestDriftCheckLeavesWhatTheManifestDoesNotAskFor: a web ACL associated
// by hand with an ALB whose Ingress has no WAF annotation, and an
// attribute its annotation does not set changed by hand, stay: the drift
// check makes no WAF or Shield call, reads only the attributes the
// annotation sets (one DescribeLoadBalancerAttributes), and enqueues
// nothing. A plain NLB Service beside it (lbsg's implicit proxy-protocol
// attribute only) costs no call at all.
func TestDriftCheckLeavesWhatTheManifestDoesNotAskFor(t *testing.T) {
	const dropInvalid, idle = "routing.http.drop_invalid_header_fields.enabled", "idle_timeout.timeout_seconds"
	h := start(t, nil)
	ctx := t.Context()
	h.emu.Server.SetShieldSubscription(true)
	h.create(h.nodePortService("web"))
	h.create(h.nlbService("plain", 80))
	ing := h.albIngress("unguarded", "/", "web", map[string]string{annotations.IngLoadBalancerAttributes: dropInvalid + "=true"})
	h.create(ing)
	var lbARN string
	testenv.Eventually(t, "the ALB serves", func(ctx context.Context) (bool, error) {
		var n int
		var err error
		if lbARN, n, err = h.albOf(ctx, ing); err != nil || lbARN == "" || n == 0 {
			return false, err
		}
		got, err := lbAttr(dropInvalid)(ctx, h, lbARN)
		return got == "true", err
	})
	h.eventually("both load balancers", func(w world) string {
		if len(w.lbs) != 2 {
			return fmt.Sprintf("LBs %v", w.lbs)
		}
		return ""
	})
	h.quiesce()
	if _, err := h.emu.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(lbARN), WebACLArn: aws.String(sandboxACL)}); err != nil {
		t.Fatal(err)
	}
	if err := setLBAttr(ctx, h, lbARN, idle, "120"); err != nil {
		t.Fatal(err)
	}
	before := h.emu.Server.Calls()
	res, err := h.ctrls.Drift.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := h.emu.Server.Calls()
	if len(res.Stacks) != 0 {
		t.Errorf("drift check enqueued %v, want nothing", res.Stacks)
	}
	for k, a := range after.Actions {
		n := a.Calls - before.Actions[k].Calls
		switch {
		case n == 0:
		case strings.HasPrefix(k, "wafv2:") || strings.HasPrefix(k, "waf-regional:") || strings.HasPrefix(k, "shield:"):
			t.Errorf("%s called %d times by the drift check; no Ingress asks for WAF or Shield", k, n)
		case strings.HasSuffix(k, ":DescribeLoadBalancerAttributes") && n != 1:
			t.Errorf("%s called %d times, want once (the ALB's annotation sets an attribute)", k, n)
		case strings.HasSuffix(k, "Attributes") && !strings.HasSuffix(k, ":DescribeLoadBalancerAttributes"):
			t.Errorf("%s called %d times; no annotation sets such attributes", k, n)
		}
	}
	if n := after.Count("DescribeLoadBalancerAttributes") - before.Count("DescribeLoadBalancerAttributes"); n != 1 {
		t.Errorf("DescribeLoadBalancerAttributes: %d calls, want 1", n)
	}
	h.quiesce()
	if got, err := h.webACLOf(ctx, lbARN); err != nil || got != sandboxACL {
		t.Errorf("a web ACL associated outside lbsg, no annotation: %q, %v; want it kept", got, err)
	}
	if got, err := lbAttr(idle)(ctx, h, lbARN); err != nil || got != "120" {
		t.Errorf("%s set by hand, not in the annotation: %q, %v; want it kept", idle, got, err)
	}
}

// TestDriftCheckCostOfAnALBWithAddonsAndAttributes: on a converged ALB
// whose Ingress asks for a WAFv2 web ACL, Shield protection, a
// load-balancer and a target-group attribute, a drift check finds nothing
// and costs, beyond the listings, one read per fact asked for: one
// GetWebACLForResource, one DescribeProtection, one
// DescribeLoadBalancerAttributes and one DescribeTargetGroupAttributes per
// ALB, and one GetSubscriptionState per check.
func TestDriftCheckCostOfAnALBWithAddonsAndAttributes(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	h.emu.Server.SetShieldSubscription(true)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("guarded", "/", "web", map[string]string{annotations.IngWAFv2ACLARN: sandboxACL,
		annotations.IngShieldAdvancedProtection: "true", annotations.IngLoadBalancerAttributes: "idle_timeout.timeout_seconds=120",
		annotations.IngTargetGroupAttributes: "deregistration_delay.timeout_seconds=30"})
	h.create(ing)
	testenv.Eventually(t, "the ALB serves, protected and with its web ACL", func(ctx context.Context) (bool, error) {
		arn, n, err := h.albOf(ctx, ing)
		if err != nil || arn == "" || n == 0 {
			return false, err
		}
		acl, err := h.webACLOf(ctx, arn)
		if err != nil || acl != sandboxACL {
			return false, err
		}
		pr, err := protectionOf(ctx, h, arn)
		return pr != nil, err
	})
	h.quiesce()
	before := h.emu.Server.Calls()
	res, err := h.ctrls.Drift.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := h.emu.Server.Calls()
	if len(res.Stacks) != 0 {
		t.Errorf("drift check on a converged ALB enqueued %v", res.Stacks)
	}
	want := map[string]int{"wafv2:GetWebACLForResource": 1, "shield:DescribeProtection": 1, "shield:GetSubscriptionState": 1,
		"DescribeLoadBalancerAttributes": 1, "DescribeTargetGroupAttributes": 1}
	for action, n := range want {
		if got := after.Count(action) - before.Count(action); got != n {
			t.Errorf("%s: %d calls, want %d", action, got, n)
		}
	}
	if got := after.Mutations() - before.Mutations(); got != 0 {
		t.Errorf("the drift check made %d writes", got)
	}
	t.Logf("drift check: %d calls (%d for the ALB's add-ons and attributes)", after.Total-before.Total, len(want))
}

// TestDriftCheckRestoresAnALBGatewaysWebACLAndAttribute: a Gateway's
// LoadBalancerConfiguration add-ons and attributes share the Ingresses'
// path: a web ACL disassociated and an attribute changed by hand are put
// back after the next drift check.
func TestDriftCheckRestoresAnALBGatewaysWebACLAndAttribute(t *testing.T) {
	const idle = "idle_timeout.timeout_seconds"
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.create(lbConfig(ns, "guarded", map[string]any{"wafV2": map[string]any{"webACL": sandboxACL},
		"loadBalancerAttributes": []any{map[string]any{"key": idle, "value": "120"}}}))
	h.configuredGateway(ns, "gw", "guarded", httpListener("http", 80))
	restored := func(ctx context.Context, arn string) (bool, error) {
		acl, err := h.webACLOf(ctx, arn)
		if err != nil || acl != sandboxACL {
			return false, err
		}
		v, err := lbAttr(idle)(ctx, h.harness, arn)
		return v == "120", err
	}
	var arn string
	testenv.Eventually(t, "the ALB has its web ACL and attribute", func(ctx context.Context) (bool, error) {
		var err error
		if arn, err = h.gatewayLBARN(ctx, ns, "gw"); err != nil || arn == "" {
			return false, err
		}
		return restored(ctx, arn)
	})
	h.quiesce()
	ctx := t.Context()
	if _, err := h.emu.WAFv2.DisassociateWebACL(ctx, &awswafv2.DisassociateWebACLInput{ResourceArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if err := setLBAttr(ctx, h.harness, arn, idle, "60"); err != nil {
		t.Fatal(err)
	}
	res, err := h.ctrls.Drift.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if key := naming.GatewayALBStack(ns, "gw").Key(); !slices.Contains(res.Stacks, key) {
		t.Errorf("drift check enqueued %v, want %s", res.Stacks, key)
	}
	testenv.Eventually(t, "web ACL and attribute restored", func(ctx context.Context) (bool, error) { return restored(ctx, arn) })
}
