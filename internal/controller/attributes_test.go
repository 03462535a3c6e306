package controller_test

import (
	"context"
	"strings"
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

// nlbAttrs is what the emulator holds of a load balancer's attributes and
// of its listeners' and their target groups' attributes, by listener port.
type nlbAttrs struct {
	lb        map[string]string
	listeners map[int32]map[string]string
	tgs       map[int32]map[string]string
	tgARN     map[int32]string
}

func toMap[T any](as []T, kv func(T) (string, string)) map[string]string {
	out := map[string]string{}
	for _, a := range as {
		k, v := kv(a)
		out[k] = v
	}
	return out
}

func (h *harness) nlbAttrs(ctx context.Context, name string) (nlbAttrs, error) {
	out := nlbAttrs{listeners: map[int32]map[string]string{}, tgs: map[int32]map[string]string{}, tgARN: map[int32]string{}}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil {
		return out, err
	}
	arn := lbs.LoadBalancers[0].LoadBalancerArn
	la, err := h.emu.ELBv2.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: arn})
	if err != nil {
		return out, err
	}
	out.lb = toMap(la.Attributes, func(a elbv2types.LoadBalancerAttribute) (string, string) { return *a.Key, *a.Value })
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: arn})
	if err != nil {
		return out, err
	}
	for _, l := range ls.Listeners {
		port := *l.Port
		lsa, err := h.emu.ELBv2.DescribeListenerAttributes(ctx, &elbv2.DescribeListenerAttributesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return out, err
		}
		out.listeners[port] = toMap(lsa.Attributes, func(a elbv2types.ListenerAttribute) (string, string) { return *a.Key, *a.Value })
		tg := l.DefaultActions[0].TargetGroupArn
		out.tgARN[port] = *tg
		ta, err := h.emu.ELBv2.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: tg})
		if err != nil {
			return out, err
		}
		out.tgs[port] = toMap(ta.Attributes, func(a elbv2types.TargetGroupAttribute) (string, string) { return *a.Key, *a.Value })
	}
	return out, nil
}

// mismatch names the first attribute of got that differs from want.
func mismatch(what string, got, want map[string]string) string {
	for k, v := range want {
		if got[k] != v {
			return what + " " + k + "=" + got[k] + ", want " + v
		}
	}
	return ""
}

// waitAttrs polls the emulator until check passes.
func (h *harness) waitAttrs(name, what string, check func(a nlbAttrs) string) nlbAttrs {
	h.t.Helper()
	var a nlbAttrs
	testenv.Eventually(h.t, what, func(ctx context.Context) (bool, error) {
		var err error
		if a, err = h.nlbAttrs(ctx, name); err != nil {
			return false, nil //nolint:nilerr // not created yet
		}
		if why := check(a); why != "" {
			return false, nil
		}
		return true, nil
	})
	return a
}

// TestNLBAttributesProxyProtocolAndListenerAttributes: a Service's
// load-balancer, target-group and listener attributes and proxy protocol
// reach AWS; a later change writes only the key that changed (a value set
// by hand on another key stays, so nothing else was written) with no
// attribute read; a resync makes no AWS call at all.
func TestNLBAttributesProxyProtocolAndListenerAttributes(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	svc := h.nlbService("attrs", 80, 443)
	svc.Annotations[annotations.SvcName] = "attrs-nlb"
	svc.Annotations[annotations.SvcLoadBalancerAttributes] = "dns_record.client_routing_policy=partial_availability_zone_affinity,load_balancing.cross_zone.enabled=false"
	svc.Annotations[annotations.SvcCrossZoneEnabled] = "true" // the deprecated key wins
	svc.Annotations[annotations.SvcTargetGroupAttributes] = "deregistration_delay.timeout_seconds=30"
	svc.Annotations[annotations.SvcProxyProtocolPerTG] = "443"
	svc.Annotations[annotations.SvcListenerAttributesPrefix+"TCP-80"] = "tcp.idle_timeout.seconds=600"
	h.create(svc)

	h.waitAttrs("attrs-nlb", "attributes in AWS", func(a nlbAttrs) string {
		return mismatch("LB", a.lb, map[string]string{"dns_record.client_routing_policy": "partial_availability_zone_affinity",
			"load_balancing.cross_zone.enabled": "true"}) +
			mismatch("TG 80", a.tgs[80], map[string]string{"deregistration_delay.timeout_seconds": "30", "proxy_protocol_v2.enabled": "false"}) +
			mismatch("TG 443", a.tgs[443], map[string]string{"deregistration_delay.timeout_seconds": "30", "proxy_protocol_v2.enabled": "true"}) +
			mismatch("listener 80", a.listeners[80], map[string]string{"tcp.idle_timeout.seconds": "600"}) +
			mismatch("listener 443", a.listeners[443], map[string]string{"tcp.idle_timeout.seconds": "350"})
	})
	testenv.Eventually(t, "status written", func(context.Context) (bool, error) {
		cur := h.get(svc)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) > 0, nil
	})

	// A resync of the converged Service costs nothing.
	before := h.quiesce()
	if _, err := h.ctrls.Service.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(svc)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	// By hand: port 80's deregistration delay. lbsg does not re-read it,
	// so a write of every desired key would put 30 back.
	a, err := h.nlbAttrs(ctx, "attrs-nlb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.ELBv2.ModifyTargetGroupAttributes(ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(a.tgARN[80]),
		Attributes: []elbv2types.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("100")}}}); err != nil {
		t.Fatal(err)
	}
	h.quiesce()
	base := h.emu.Server.Calls()
	h.update(svc, func(s *corev1.Service) { s.Annotations[annotations.SvcProxyProtocol] = "*" })
	h.waitAttrs("attrs-nlb", "proxy protocol on port 80", func(a nlbAttrs) string {
		return mismatch("TG 80", a.tgs[80], map[string]string{"proxy_protocol_v2.enabled": "true"})
	})
	// The poll above only reads: every write counted is the controller's.
	h.quiesce()
	got := h.emu.Server.Calls()
	for action, want := range map[string]int{"ModifyTargetGroupAttributes": 1, "ModifyLoadBalancerAttributes": 0, "ModifyListenerAttributes": 0} {
		if n := got.Count(action) - base.Count(action); n != want {
			t.Errorf("proxy protocol on: %d %s calls, want %d", n, action, want)
		}
	}
	if got.Mutations()-base.Mutations() != 1 {
		t.Errorf("proxy protocol on: %d writes, want the one ModifyTargetGroupAttributes", got.Mutations()-base.Mutations())
	}
	a, err = h.nlbAttrs(ctx, "attrs-nlb")
	if err != nil {
		t.Fatal(err)
	}
	if why := mismatch("TG 80", a.tgs[80], map[string]string{"deregistration_delay.timeout_seconds": "100"}); why != "" {
		t.Errorf("a key that did not change was written: %s", why)
	}

	// A listener attribute change: one ModifyListenerAttributes, and no
	// attribute read (the values are known).
	h.quiesce()
	base = h.emu.Server.Calls()
	h.update(svc, func(s *corev1.Service) {
		s.Annotations[annotations.SvcListenerAttributesPrefix+"TCP-80"] = "tcp.idle_timeout.seconds=700"
	})
	time.Sleep(time.Second) //nolint:forbidigo // let the reconcile run before counting
	h.quiesce()
	got = h.emu.Server.Calls()
	for action, want := range map[string]int{"ModifyListenerAttributes": 1, "DescribeListenerAttributes": 0,
		"DescribeTargetGroupAttributes": 0, "DescribeLoadBalancerAttributes": 0} {
		if n := got.Count(action) - base.Count(action); n != want {
			t.Errorf("listener attribute change: %d %s calls, want %d", n, action, want)
		}
	}
	h.waitAttrs("attrs-nlb", "idle timeout 700", func(a nlbAttrs) string {
		return mismatch("listener 80", a.listeners[80], map[string]string{"tcp.idle_timeout.seconds": "700"})
	})
}

// TestADeletedServiceWithDeletionProtectionKeepsItsNLB: LBC's refusal —
// the NLB and the finalizer stay, with a FailedBuildModel event, until
// the attribute is turned off; then the Service goes.
func TestADeletedServiceWithDeletionProtectionKeepsItsNLB(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	svc := h.nlbService("protected", 80)
	svc.Annotations[annotations.SvcName] = "protected-nlb"
	svc.Annotations[annotations.SvcLoadBalancerAttributes] = "deletion_protection.enabled=true"
	h.create(svc)
	h.waitAttrs("protected-nlb", "deletion protection on", func(a nlbAttrs) string {
		return mismatch("LB", a.lb, map[string]string{"deletion_protection.enabled": "true"})
	})
	if err := h.kube.Client.Delete(ctx, h.get(svc)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the refusal event", func(context.Context) (bool, error) {
		return h.events.has("deletion_protection is enabled, cannot delete the service: protected"), nil
	})
	time.Sleep(time.Second) //nolint:forbidigo // proving nothing happens takes a wait
	if _, err := h.nlbAttrs(ctx, "protected-nlb"); err != nil {
		t.Fatalf("the protected NLB is gone: %v", err)
	}
	if cur := h.get(svc); cur == nil || len(cur.Finalizers) == 0 {
		t.Fatalf("the protected Service lost its finalizer: %+v", cur)
	}
	h.update(svc, func(s *corev1.Service) {
		s.Annotations[annotations.SvcLoadBalancerAttributes] = "deletion_protection.enabled=false"
	})
	h.waitGone(svc)
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lb := range lbs.LoadBalancers {
		if strings.Contains(*lb.LoadBalancerName, "protected") {
			t.Errorf("load balancer %s left behind", *lb.LoadBalancerName)
		}
	}
}
