package controller_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	awswafregional "github.com/aws/aws-sdk-go-v2/service/wafregional"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

var (
	sandboxACL = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/sandbox-web-acl/" + emulator.SandboxWebACLID
	strictACL  = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/sandbox-strict-acl/" + emulator.SandboxStrictWebACLID
)

// albOf returns the ARN of the group's ALB and its listener count ("" when
// there is none).
func (h *harness) albOf(ctx context.Context, ing *networkingv1.Ingress) (string, int, error) {
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	out, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil || len(out.LoadBalancers) == 0 {
		return "", 0, nil //nolint:nilerr // LoadBalancerNotFound: none yet
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(arn)})
	if err != nil {
		return "", 0, err
	}
	return arn, len(ls.Listeners), nil
}

func (h *harness) webACLOf(ctx context.Context, lbARN string) (string, error) {
	out, err := h.emu.WAFv2.GetWebACLForResource(ctx, &awswafv2.GetWebACLForResourceInput{ResourceArn: aws.String(lbARN)})
	if err != nil || out.WebACL == nil {
		return "", err
	}
	return aws.ToString(out.WebACL.ARN), nil
}

// waitACL waits for the Ingress's ALB to have web ACL want ("" none) and
// at least one listener, and returns the ALB's ARN.
func (h *harness) waitACL(ing *networkingv1.Ingress, what, want string) string {
	h.t.Helper()
	var arn string
	testenv.Eventually(h.t, what, func(ctx context.Context) (bool, error) {
		var n int
		var err error
		if arn, n, err = h.albOf(ctx, ing); err != nil || arn == "" || n == 0 {
			return false, err
		}
		got, err := h.webACLOf(ctx, arn)
		return got == want, err
	})
	return arn
}

func (h *harness) resyncIngress(ing *networkingv1.Ingress) int {
	h.t.Helper()
	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(h.t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		h.t.Fatal(err)
	}
	return h.emu.Server.Calls().Total - base
}

// TestAWAFv2WebACLIsAssociatedChangedInPlaceRemovedAndOtherwiseLeftAlone:
// wafv2-acl-arn associates the ACL with the new ALB, wafv2-acl-name
// switches it (one AssociateWebACL), a resync costs nothing, "none"
// disassociates, and without the annotation an ACL associated outside
// lbsg stays.
func TestAWAFv2WebACLIsAssociatedChangedInPlaceRemovedAndOtherwiseLeftAlone(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	h.create(h.nodePortService("web"))
	ing := h.albIngress("shop", "/", "web", map[string]string{annotations.IngWAFv2ACLARN: sandboxACL})
	h.create(ing)
	arn := h.waitACL(ing, "the new ALB has the web ACL of wafv2-acl-arn", sandboxACL)
	if n := h.resyncIngress(ing); n != 0 {
		t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	before := h.emu.Server.Calls()
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		delete(i.Annotations, annotations.IngWAFv2ACLARN)
		i.Annotations[annotations.IngWAFv2ACLName] = "sandbox-strict-acl"
	})
	h.waitACL(ing, "wafv2-acl-name switches the ACL", strictACL)
	h.quiesce()
	after := h.emu.Server.Calls()
	for _, c := range []struct {
		action string
		want   int
	}{{"wafv2:AssociateWebACL", 1}, {"wafv2:DisassociateWebACL", 0}, {"wafv2:ListWebACLs", 1}} {
		if n := after.Count(c.action) - before.Count(c.action); n != c.want {
			t.Errorf("%s calls switching the ACL: %d, want %d", c.action, n, c.want)
		}
	}
	if n := h.resyncIngress(ing); n != 0 {
		t.Errorf("a resync after the switch made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngWAFv2ACLName] = "none" })
	h.waitACL(ing, "wafv2-acl-name none disassociates", "")

	// Without the annotation, WAF is managed outside: lbsg leaves it.
	h.updateIngress(ing, func(i *networkingv1.Ingress) { delete(i.Annotations, annotations.IngWAFv2ACLName) })
	h.quiesce()
	if _, err := h.emu.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(arn), WebACLArn: aws.String(sandboxACL)}); err != nil {
		t.Fatal(err)
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngTags] = "team=web" })
	h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.webACLOf(ctx, arn); err != nil || got != sandboxACL {
		t.Errorf("an ACL associated outside lbsg, no annotation: %q, %v; want it kept", got, err)
	}
	h.deleteAndWait(ing)
}

// TestAnUnknownWebACLNeverLeavesTheALBServingWithoutIt: an unknown
// wafv2-acl-name fails the build (event, no ALB); an unknown ARN stops the
// new ALB before any listener; on an ALB with an ACL, switching to an
// unknown name keeps the ACL it has.
func TestAnUnknownWebACLNeverLeavesTheALBServingWithoutIt(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	h.create(h.nodePortService("web"))
	byName := h.albIngress("by-name", "/", "web", map[string]string{annotations.IngWAFv2ACLName: "no-such-acl"})
	h.create(byName)
	testenv.Eventually(t, "a Warning naming the ACL and the annotation", func(context.Context) (bool, error) {
		return h.events.has("by-name Warning FailedBuildModel: Failed build model due to couldn't find WAFv2 WebACL with name: no-such-acl (alb.ingress.kubernetes.io/wafv2-acl-name)"), nil
	})
	h.quiesce()
	if arn, _, err := h.albOf(ctx, byName); err != nil || arn != "" {
		t.Errorf("an ALB %q was created for an Ingress whose ACL is unknown (%v)", arn, err)
	}

	byARN := h.albIngress("by-arn", "/", "web", map[string]string{annotations.IngWAFv2ACLARN: "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/gone/00000000-0000-4000-a000-000000000000"})
	h.create(byARN)
	testenv.Eventually(t, "a Warning with AWS's code", func(context.Context) (bool, error) {
		return h.events.has("by-arn Warning FailedDeployModel") && h.events.has("WAFNonexistentItemException"), nil
	})
	h.quiesce()
	arn, listeners, err := h.albOf(ctx, byARN)
	if err != nil || arn == "" || listeners != 0 {
		t.Errorf("ALB %q with %d listeners (%v): want the ALB without any listener until its ACL is associated", arn, listeners, err)
	}

	ok := h.albIngress("ok", "/", "web", map[string]string{annotations.IngWAFv2ACLARN: sandboxACL})
	h.create(ok)
	okARN := h.waitACL(ok, "the ALB has its ACL", sandboxACL)
	h.updateIngress(ok, func(i *networkingv1.Ingress) {
		delete(i.Annotations, annotations.IngWAFv2ACLARN)
		i.Annotations[annotations.IngWAFv2ACLName] = "typo-acl"
	})
	testenv.Eventually(t, "a Warning for the unknown name", func(context.Context) (bool, error) {
		return h.events.has("ok Warning FailedBuildModel: Failed build model due to couldn't find WAFv2 WebACL with name: typo-acl"), nil
	})
	h.quiesce()
	if got, err := h.webACLOf(ctx, okARN); err != nil || got != sandboxACL {
		t.Errorf("after switching to an unknown ACL name the ALB has %q (%v), want %s kept", got, err, sandboxACL)
	}
}

// TestAWAFClassicWebACLIsAssociatedAndRemoved: waf-acl-id associates a WAF
// Classic (Regional) ACL, none disassociates.
func TestAWAFClassicWebACLIsAssociatedAndRemoved(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("classic", "/", "web", map[string]string{annotations.IngWAFACLID: emulator.SandboxClassicWebACLID})
	h.create(ing)
	classicOf := func(want string) func(ctx context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) {
			arn, n, err := h.albOf(ctx, ing)
			if err != nil || arn == "" || n == 0 {
				return false, err
			}
			out, err := h.emu.WAFRegional.GetWebACLForResource(ctx, &awswafregional.GetWebACLForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return false, err
			}
			got := ""
			if out.WebACLSummary != nil {
				got = aws.ToString(out.WebACLSummary.WebACLId)
			}
			return got == want, nil
		}
	}
	testenv.Eventually(t, "the WAF Classic ACL is associated", classicOf(emulator.SandboxClassicWebACLID))
	if n := h.resyncIngress(ing); n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngWAFACLID] = "none" })
	testenv.Eventually(t, "waf-acl-id none disassociates", classicOf(""))
}

// TestShieldProtectionFollowsTheAnnotationAndGoesWithTheALB: with an
// active subscription, shield-advanced-protection true creates LBC's
// protection, false deletes it (never one under another name), and
// deleting the Ingress deletes lbsg's protection with the ALB.
func TestShieldProtectionFollowsTheAnnotationAndGoesWithTheALB(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	h.emu.Server.SetShieldSubscription(true)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("shielded", "/", "web", map[string]string{annotations.IngShieldAdvancedProtection: "true"})
	h.create(ing)
	protection := func(arn string) (string, error) {
		out, err := h.emu.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(arn)})
		if awserr.Classify(err) == awserr.NotFound {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Protection.Name), nil
	}
	var arn string
	testenv.Eventually(t, "the ALB is protected under LBC's name", func(ctx context.Context) (bool, error) {
		var err error
		if arn, _, err = h.albOf(ctx, ing); err != nil || arn == "" {
			return false, err
		}
		name, err := protection(arn)
		return name == "managed by aws-load-balancer-controller", err
	})
	if n := h.resyncIngress(ing); n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngShieldAdvancedProtection] = "false" })
	testenv.Eventually(t, "false deletes the protection", func(context.Context) (bool, error) {
		name, err := protection(arn)
		return name == "", err
	})
	// Someone else's protection is not lbsg's to delete.
	if _, err := h.emu.Shield.CreateProtection(ctx, &awsshield.CreateProtectionInput{Name: aws.String("security-team"), ResourceArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngTags] = "team=web" })
	h.quiesce()
	if name, err := protection(arn); err != nil || name != "security-team" {
		t.Errorf("a foreign protection with false: %q, %v; want it kept", name, err)
	}
	out, err := h.emu.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.Shield.DeleteProtection(ctx, &awsshield.DeleteProtectionInput{ProtectionId: out.Protection.Id}); err != nil {
		t.Fatal(err)
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngShieldAdvancedProtection] = "true" })
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngTags] = "team=shop" })
	testenv.Eventually(t, "true protects again", func(context.Context) (bool, error) {
		name, err := protection(arn)
		return name == "managed by aws-load-balancer-controller", err
	})
	h.deleteAndWait(ing)
	testenv.Eventually(t, "no protection is left behind", func(ctx context.Context) (bool, error) {
		l, err := h.emu.Shield.ListProtections(ctx, &awsshield.ListProtectionsInput{})
		return err == nil && len(l.Protections) == 0, err
	})
}

// TestShieldWithoutASubscriptionIsSaidOutLoud: without an active Shield
// Advanced subscription the ALB is built as LBC builds it (no protection
// can be made), and a Warning event on the Ingress says that it is not
// protected, where LBC only logs.
func TestShieldWithoutASubscriptionIsSaidOutLoud(t *testing.T) {
	h := start(t, nil)
	h.emu.Server.SetShieldSubscription(false)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("unshielded", "/", "web", map[string]string{annotations.IngShieldAdvancedProtection: "true"})
	h.create(ing)
	testenv.Eventually(t, "the ALB serves", func(ctx context.Context) (bool, error) {
		arn, n, err := h.albOf(ctx, ing)
		return arn != "" && n == 1, err
	})
	testenv.Eventually(t, "a ShieldNotSubscribed event", func(context.Context) (bool, error) {
		return h.events.has("unshielded Warning " + events.ReasonShieldNotSubscribed + ": the load balancer is not protected by Shield Advanced"), nil
	})
	if a := h.emu.Server.Calls().Actions["shield:CreateProtection"]; a.Calls != 0 {
		t.Errorf("CreateProtection called %d times without a subscription", a.Calls)
	}
}

// TestDisabledAddonsAreNeverCalled: with --enable-wafv2, --enable-waf and
// --enable-shield false, the annotations build (a web ACL name included)
// and no WAF or Shield API is called.
func TestDisabledAddonsAreNeverCalled(t *testing.T) {
	h := start(t, func(o *options.Controller) { o.EnableWAFv2, o.EnableWAF, o.EnableShield = false, false, false })
	h.emu.Server.SetShieldSubscription(true)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("off", "/", "web", map[string]string{annotations.IngWAFv2ACLName: "no-such-acl",
		annotations.IngWAFACLID: emulator.SandboxClassicWebACLID, annotations.IngShieldAdvancedProtection: "true"})
	h.create(ing)
	testenv.Eventually(t, "the ALB serves", func(ctx context.Context) (bool, error) {
		arn, n, err := h.albOf(ctx, ing)
		return arn != "" && n == 1, err
	})
	h.quiesce()
	for k, a := range h.emu.Server.Calls().Actions {
		if strings.HasPrefix(k, "wafv2:") || strings.HasPrefix(k, "waf-regional:") || strings.HasPrefix(k, "shield:") {
			t.Errorf("%s called %d times with its add-on disabled", k, a.Calls)
		}
	}
}
