package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// TestIngressFrontendNLBLifecycle: enable-frontend-nlb puts an NLB named
// after the ALB in front of it, with a TCP listener per ALB port forwarding
// to an alb-type target group whose target is the ALB, and the ALB's SGs;
// a resync costs no AWS call; a port mapping change moves the listener and
// its target group in place of the old ones; a mapping to a port the ALB
// does not listen on is refused with a Warning and no write; removing the
// annotation deletes the NLB and its target groups and leaves the ALB;
// deleting the Ingress leaves nothing.
func TestIngressFrontendNLBLifecycle(t *testing.T) {
	h := start(t, nil)
	svc := h.nodePortService("web")
	h.create(svc)
	ing := h.albIngress("front", "/", "web", map[string]string{annotations.IngEnableFrontendNLB: "true"})
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	alb := albName(st)
	nlb := naming.Cut(28, alb) + "-nlb" // LBC keeps 28 characters of the ALB name
	tgName := func(port string) string {
		return naming.FrontendTargetGroupName(cluster, st, port, "traffic-port", "HTTP")
	}

	w := h.eventually("an NLB in front of the ALB, TCP:80 → alb target group → ALB:80", func(w world) string {
		if _, ok := w.lbs[alb]; !ok {
			return fmt.Sprintf("LBs %v, want %s", w.lbs, alb)
		}
		sgs, ok := w.lbs[nlb]
		if !ok {
			return fmt.Sprintf("LBs %v, want %s", w.lbs, nlb)
		}
		if !slices.Equal(sgs, w.lbs[alb]) {
			return fmt.Sprintf("NLB SGs %v, want the ALB's %v", sgs, w.lbs[alb])
		}
		if got, want := w.listeners[nlb], []string{"80/TCP→" + tgName("80")}; !slices.Equal(got, want) {
			return fmt.Sprintf("NLB listeners %v, want %v", got, want)
		}
		return ""
	})
	albARN := ""
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{alb}})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("describing the ALB: %v", err)
	}
	albARN = aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn)
	if got, want := w.tgs[tgName("80")], fmt.Sprintf("80 alb [%s:80]", albARN); got != want {
		t.Errorf("frontend target group %q, want %q", got, want)
	}
	h.eventually("status: the ALB with its port, then the NLB", func(w world) string {
		cur := h.getIngress(ing)
		got := cur.Status.LoadBalancer.Ingress
		if len(got) != 2 || got[0].Hostname != strings.ToLower(w.dns[alb]) || got[1].Hostname != strings.ToLower(w.dns[nlb]) {
			return fmt.Sprintf("status %+v", got)
		}
		return ""
	})

	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations[annotations.IngFrontendNLBPortMapping] = "8080=80"
		i.Annotations[annotations.IngFrontendNLBHCInterval] = "10"
	})
	h.eventually("the listener moved to 8080 with its own target group; the old ones gone", func(w world) string {
		if got, want := w.listeners[nlb], []string{"8080/TCP→" + tgName("8080")}; !slices.Equal(got, want) {
			return fmt.Sprintf("NLB listeners %v, want %v", got, want)
		}
		if _, ok := w.tgs[tgName("80")]; ok {
			return "the 80 target group is still there"
		}
		if got, want := w.tgs[tgName("8080")], fmt.Sprintf("8080 alb [%s:80]", albARN); got != want {
			return fmt.Sprintf("frontend target group %q, want %q", got, want)
		}
		return ""
	})

	h.quiesce()
	writes := h.emu.Server.Calls().Mutations()
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations[annotations.IngFrontendNLBPortMapping] = "8080=443"
	})
	h.eventually("a Warning names the annotation", func(world) string {
		if !h.events.has("frontend-nlb-listener-port-mapping maps NLB port 8080 to ALB port 443") {
			return "no event"
		}
		return ""
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
		t.Errorf("a mapping to a port the ALB does not listen on made %d AWS writes", n)
	}
	h.eventually("nothing changed", func(w world) string {
		if got, want := w.listeners[nlb], []string{"8080/TCP→" + tgName("8080")}; !slices.Equal(got, want) {
			return fmt.Sprintf("NLB listeners %v, want %v", got, want)
		}
		return ""
	})

	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		for k := range i.Annotations {
			if strings.Contains(k, "frontend-nlb") {
				delete(i.Annotations, k)
			}
		}
	})
	h.eventually("the NLB and its target groups are gone, the ALB stays", func(w world) string {
		if _, ok := w.lbs[nlb]; ok {
			return "the NLB is still there"
		}
		if _, ok := w.lbs[alb]; !ok {
			return "the ALB is gone"
		}
		for name, tg := range w.tgs {
			if strings.Contains(tg, " alb ") {
				return "frontend target group left: " + name
			}
		}
		return ""
	})

	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngEnableFrontendNLB] = "true" })
	h.eventually("the NLB is back", func(w world) string {
		if _, ok := w.lbs[nlb]; !ok {
			return "no NLB"
		}
		return ""
	})
	h.deleteAndWait(ing)
	h.eventually("nothing is left", func(w world) string {
		managed, _ := w.ownedSGs()
		if len(w.lbs) != 0 || len(w.tgs) != 0 || len(managed) != 0 {
			return fmt.Sprintf("lbs %v tgs %v managed %d", w.lbs, w.tgs, len(managed))
		}
		return ""
	})
}

// nlbAttributes reads a load balancer's attributes by name.
func (h *harness) nlbAttributes(t *testing.T, name string) (arn string, attrs map[string]string) {
	t.Helper()
	ctx := t.Context()
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		return "", nil
	}
	out, err := h.emu.ELBv2.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	attrs = map[string]string{}
	for _, a := range out.Attributes {
		attrs[aws.ToString(a.Key)] = aws.ToString(a.Value)
	}
	return aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn), attrs
}

// TestIngressFrontendNLBChanges: attributes change on the NLB in place;
// frontend-nlb-status-only leaves the NLB alone in the status; a new NLB
// scheme replaces the NLB; a new ALB scheme replaces the ALB, which leaves
// the frontend target group before it is deleted and joins it again.
func TestIngressFrontendNLBChanges(t *testing.T) {
	h := start(t, nil)
	svc := h.nodePortService("web")
	h.create(svc)
	ing := h.albIngress("front", "/", "web", map[string]string{annotations.IngEnableFrontendNLB: "true",
		annotations.IngFrontendNLBAttributes: "load_balancing.cross_zone.enabled=true"})
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	alb := albName(st)
	nlb := naming.Cut(28, alb) + "-nlb"
	tg := naming.FrontendTargetGroupName(cluster, st, "80", "traffic-port", "HTTP")

	var firstARN string
	h.eventually("the NLB with cross-zone on", func(world) string {
		arn, attrs := h.nlbAttributes(t, nlb)
		if attrs["load_balancing.cross_zone.enabled"] != "true" {
			return fmt.Sprintf("attributes %v", attrs)
		}
		firstARN = arn
		return ""
	})
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations[annotations.IngFrontendNLBAttributes] = "load_balancing.cross_zone.enabled=false"
		i.Annotations[annotations.IngFrontendNLBStatusOnly] = "true"
	})
	h.eventually("cross-zone off on the same NLB; the status names the NLB only", func(w world) string {
		arn, attrs := h.nlbAttributes(t, nlb)
		if arn != firstARN || attrs["load_balancing.cross_zone.enabled"] != "false" {
			return fmt.Sprintf("NLB %s attributes %v", arn, attrs)
		}
		got := h.getIngress(ing).Status.LoadBalancer.Ingress
		if len(got) != 1 || got[0].Hostname != strings.ToLower(w.dns[nlb]) {
			return fmt.Sprintf("status %+v", got)
		}
		return ""
	})
	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync after an attribute change made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngFrontendNLBScheme] = "internet-facing" })
	h.eventually("a new internet-facing NLB", func(world) string {
		arn, _ := h.nlbAttributes(t, nlb)
		lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{nlb}})
		if arn == "" || arn == firstARN || err != nil || lbs.LoadBalancers[0].Scheme != "internet-facing" {
			return "NLB " + arn
		}
		return ""
	})

	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngScheme] = "internet-facing" })
	newALB := naming.IngressLBName(cluster, st, naming.SchemeInternetFacing)
	h.eventually("a new ALB, registered in the frontend target group in place of the old one", func(w world) string {
		if _, ok := w.lbs[alb]; ok {
			return "the old ALB is still there"
		}
		lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{newALB}})
		if err != nil || len(lbs.LoadBalancers) != 1 {
			return fmt.Sprintf("no new ALB: %v", err)
		}
		if got, want := w.tgs[tg], fmt.Sprintf("80 alb [%s:80]", aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn)); got != want {
			return fmt.Sprintf("frontend target group %q, want %q", got, want)
		}
		return ""
	})
	h.deleteAndWait(ing)
	h.eventually("nothing is left", func(w world) string {
		managed, _ := w.ownedSGs()
		if len(w.lbs) != 0 || len(w.tgs) != 0 || len(managed) != 0 {
			return fmt.Sprintf("lbs %v tgs %v managed %d", w.lbs, w.tgs, len(managed))
		}
		return ""
	})
}

// TestIngressGroupFrontendNLBCombinesItsMembers: two members of a group,
// each with its own listen port and one of them enabling the frontend NLB,
// get one NLB with a listener per port; when the member on 8080 leaves,
// its NLB listener and target group go with its ALB listener.
func TestIngressGroupFrontendNLBCombinesItsMembers(t *testing.T) {
	h := start(t, nil)
	svc := h.nodePortService("web")
	h.create(svc)
	group := map[string]string{annotations.IngGroupName: "shop"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range group {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	a := h.albIngress("a", "/a", "web", with(map[string]string{annotations.IngEnableFrontendNLB: "true"}))
	b := h.albIngress("b", "/b", "web", with(map[string]string{annotations.IngListenPorts: `[{"HTTP":8080}]`}))
	h.create(a)
	h.create(b)
	st := naming.ExplicitIngressStack("shop")
	nlb := naming.Cut(28, albName(st)) + "-nlb"
	tgName := func(port string) string {
		return naming.FrontendTargetGroupName(cluster, st, port, "traffic-port", "HTTP")
	}
	h.eventually("one NLB with listeners on 80 and 8080", func(w world) string {
		if got, want := w.listeners[nlb], []string{"80/TCP→" + tgName("80"), "8080/TCP→" + tgName("8080")}; !slices.Equal(got, want) {
			return fmt.Sprintf("NLB listeners %v, want %v", got, want)
		}
		return ""
	})
	h.deleteAndWait(b)
	h.eventually("the 8080 listener and target group gone with member b", func(w world) string {
		if got, want := w.listeners[nlb], []string{"80/TCP→" + tgName("80")}; !slices.Equal(got, want) {
			return fmt.Sprintf("NLB listeners %v, want %v", got, want)
		}
		if _, ok := w.tgs[tgName("8080")]; ok {
			return "the 8080 target group is still there"
		}
		return ""
	})
	h.deleteAndWait(a)
	h.eventually("nothing is left", func(w world) string {
		if len(w.lbs) != 0 || len(w.tgs) != 0 {
			return fmt.Sprintf("lbs %v tgs %v", w.lbs, w.tgs)
		}
		return ""
	})
}

// TestIngressFrontendNLBRestartWritesAndReadsNothingPerStack: after a
// restart, a converged Ingress with a frontend NLB is recognised from the
// batched listings and the applied-state record alone: no write, no read
// of its listeners or targets.
func TestIngressFrontendNLBRestartWritesAndReadsNothingPerStack(t *testing.T) {
	h := start(t, nil)
	svc := h.nodePortService("web")
	h.create(svc)
	ing := h.albIngress("front", "/", "web", map[string]string{annotations.IngEnableFrontendNLB: "true",
		annotations.IngFrontendNLBAttributes: "load_balancing.cross_zone.enabled=true"})
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	nlb := naming.Cut(28, albName(st)) + "-nlb"
	h.eventually("the NLB listener and the status", func(w world) string {
		if len(w.listeners[nlb]) != 1 || len(h.getIngress(ing).Status.LoadBalancer.Ingress) != 2 {
			return fmt.Sprintf("listeners %v", w.listeners[nlb])
		}
		return ""
	})
	h.quiesce()
	before := h.emu.Server.Calls()
	h.stopManager()
	h2 := startOn(t, h.kube, h.emu, nil, false)
	// Polling events only: the harness's world() reads would count.
	testenv.Eventually(t, "the restarted controller reconciled the Ingress", func(context.Context) (bool, error) {
		return h2.events.has("Successfully reconciled"), nil
	})
	h2.quiesce()
	after := h.emu.Server.Calls()
	if n := after.Mutations() - before.Mutations(); n != 0 {
		t.Errorf("the restart made %d writes", n)
	}
	for _, op := range []string{"DescribeListeners", "DescribeTargetHealth", "DescribeRules", "DescribeLoadBalancerAttributes"} {
		if n := after.Count(op) - before.Count(op); n != 0 {
			t.Errorf("the restart made %d %s calls", n, op)
		}
	}
}
