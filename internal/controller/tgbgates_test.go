package controller_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/tgb"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/testenv"
	"github.com/lbsg/lbsg/internal/webhook"
)

// startScaledHooks runs the controllers with their webhooks; a target is
// "initial" for its health check's interval × healthy threshold times
// scale (the emulator's control-API speed factor), then "healthy".
func startScaledHooks(t *testing.T, scale float64) *harness {
	t.Helper()
	emu := emutest.Start(t)
	emu.Server.ELBv2().Timing.HealthScale = scale
	return startFull(t, testenv.Kube(t), emu, nil, true, newWebhookEnv(t))
}

// tcpTGInitial is how long a target of a TCP target group made with the
// API's defaults (interval 30 s, healthy threshold 5) stays "initial"
// under scale.
func tcpTGInitial(scale float64) time.Duration {
	return time.Duration(float64(30*5*time.Second) * scale)
}

// terraformBinding makes what a Terraform user has: an ip target group
// (TCP 8080) behind an NLB listener, made through the AWS API; then a
// Service name (selecting app=name, port "http") with an empty
// EndpointSlice, and an ip TargetGroupBinding name of the Service.
func (h *harness) terraformBinding(name string) (string, *v1beta1.TargetGroupBinding) {
	h.t.Helper()
	ctx := h.t.Context()
	arn := h.userTG(name, "ip", 8080)
	lb, err := h.emu.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("tf-" + name),
		Type: elbv2types.LoadBalancerTypeEnumNetwork, Scheme: elbv2types.LoadBalancerSchemeEnumInternal, Subnets: h.seed.PrivateSubnets})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.emu.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80),
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(arn)}}}); err != nil {
		h.t.Fatal(err)
	}
	h.backend(name, corev1.ServiceTypeNodePort, nil)
	b := h.binding(name, v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, TargetType: ptr.To(v1beta1.TargetTypeIP),
		ServiceRef: v1beta1.ServiceReference{Name: name, Port: intstr.FromInt32(80)}})
	return arn, b
}

// gatedPod creates a pod labelled app=app (GenerateName prefix) until the
// webhook gives it gate: the webhook's cache learns of a new binding or
// namespace label a moment after it is written.
func (h *harness) gatedPod(prefix, app string, gate corev1.PodConditionType) *corev1.Pod {
	h.t.Helper()
	var pod *corev1.Pod
	testenv.Eventually(h.t, "pod "+prefix+" gated with "+string(gate), func(ctx context.Context) (bool, error) {
		if pod != nil {
			_ = h.kube.Client.Delete(ctx, pod)
		}
		pod = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, GenerateName: prefix + "-", Labels: map[string]string{"app": app}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
		if err := h.kube.Client.Create(ctx, pod); err != nil {
			return false, err
		}
		return slices.Contains(gates(pod), string(gate)), nil
	})
	return pod
}

// waitGate polls pod's gate condition until done says so.
func (h *harness) waitGate(what string, pod *corev1.Pod, gate corev1.PodConditionType, within time.Duration, done func(*corev1.PodCondition) bool) {
	h.t.Helper()
	testenv.EventuallyWithin(h.t, within, what, func(ctx context.Context) (bool, error) {
		cur, err := h.getPod(ctx, pod)
		if err != nil {
			return false, err
		}
		return done(podCondition(cur, gate)), nil
	})
}

// TestBindingGateIsInjectedIntoThePodsItsServiceSelects: in a namespace
// labelled for injection, a pod the Service of an ip binding selects gets
// target-health.elbv2.k8s.aws/<binding>; an instance binding of the same
// Service adds nothing (LBC injects for ip bindings only), a pod the
// Service does not select gets nothing, and nothing is injected before the
// namespace is labelled.
func TestBindingGateIsInjectedIntoThePodsItsServiceSelects(t *testing.T) {
	h := startHooks(t, 0, nil)
	h.terraformBinding("web")
	inst := h.userTG("web-inst", "instance", 80)
	h.binding("web-inst", v1beta1.TargetGroupBindingSpec{TargetGroupARN: inst, TargetType: ptr.To(v1beta1.TargetTypeInstance),
		ServiceRef: v1beta1.ServiceReference{Name: "web", Port: intstr.FromInt32(80)}})
	gate := webhook.GateType("web")

	unlabelled := h.pod("unlabelled", "web")
	h.labelNamespace(webhook.InjectLabel, webhook.Enabled)
	selected := h.gatedPod("selected", "web", gate)
	other := h.pod("other", "other")
	for _, tt := range []struct {
		name string
		pod  *corev1.Pod
		want []string
	}{
		{"a pod of an unlabelled namespace gets no gate", unlabelled, nil},
		{"a pod the binding's Service selects gets the ip binding's gate only", selected, []string{string(gate)}},
		{"a pod no binding's Service selects gets no gate", other, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := gates(tt.pod); !slices.Equal(got, tt.want) {
				t.Errorf("gates %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBindingGateTurnsTrueWhenTheTargetIsHealthy: a gated pod whose
// containers turn ready but which is not ready (its gate holds it) is
// registered by the binding; its gate is False with AWS's reason while
// the target is initial and True once it is healthy (the emulator's
// health clock scaled), and then no more DescribeTargetHealth calls.
func TestBindingGateTurnsTrueWhenTheTargetIsHealthy(t *testing.T) {
	const scale = 0.02
	h := startScaledHooks(t, scale)
	h.labelNamespace(webhook.InjectLabel, webhook.Enabled)
	arn, _ := h.terraformBinding("web")
	gate := webhook.GateType("web")
	pod := h.gatedPod("web", "web", gate)
	const ip = "10.0.100.10"
	// The endpoint first, its containers not ready: not registered. Then
	// the containers turn ready behind the gate: the EndpointSlice does
	// not change (the pod stays unready), the pod event brings the binding.
	h.kubelet(pod, ip, false)
	h.endpointsOn("web", "http", map[*corev1.Pod]bool{pod: false}, map[*corev1.Pod]string{pod: ip})
	time.Sleep(2 * tgb.EndpointBatch) //nolint:forbidigo // asserting that nothing is registered
	if got, err := h.tgTargets(t.Context(), arn); err != nil || len(got) != 0 {
		t.Fatalf("targets %v (%v) before the pod's containers are ready, want none", got, err)
	}
	t0 := time.Now()
	h.kubelet(pod, ip, true)
	h.waitTargets(arn, []string{ip + ":8080"})
	var falseReasons []string
	h.waitGate("gate True", pod, gate, 30*time.Second, func(c *corev1.PodCondition) bool {
		if c == nil {
			return false
		}
		if c.Status == corev1.ConditionFalse && !slices.Contains(falseReasons, c.Reason) {
			falseReasons = append(falseReasons, c.Reason)
		}
		if c.Status != corev1.ConditionTrue {
			return false
		}
		hs, err := h.health(t.Context(), arn)
		if err != nil {
			t.Fatal(err)
		}
		if hs[ip] != "healthy" {
			t.Fatalf("gate opened while the target is %q", hs[ip])
		}
		return true
	})
	t.Logf("gate True %v after the pod's containers turned ready (targets initial for %v); False reasons seen: %v",
		time.Since(t0).Round(100*time.Millisecond), tcpTGInitial(scale), falseReasons)
	if !slices.Contains(falseReasons, "Elb.RegistrationInProgress") {
		t.Errorf("False reasons %v, want AWS's Elb.RegistrationInProgress while the target was initial", falseReasons)
	}
	before := h.emu.Server.Calls().Count("DescribeTargetHealth")
	time.Sleep(3 * readiness.PollStart) //nolint:forbidigo // asserting that nothing happens
	if n := h.emu.Server.Calls().Count("DescribeTargetHealth") - before; n != 0 {
		t.Errorf("%d DescribeTargetHealth calls after every gate opened, want 0", n)
	}
}

// TestBindingRollingUpdateMarksNoPodReadyBeforeItsTargetIsHealthy: two old
// pods serve through a binding; two new gated pods with ready containers
// are registered while unready; each new pod's gate opens only once its
// target is healthy (checked on every poll), the old targets stay until
// then, and go once the new pods are ready.
func TestBindingRollingUpdateMarksNoPodReadyBeforeItsTargetIsHealthy(t *testing.T) {
	h := startHooks(t, 3*time.Second, nil)
	arn, _ := h.terraformBinding("web")
	gate := webhook.GateType("web")
	old1, old2 := h.pod("old-1", "web"), h.pod("old-2", "web")
	ips := map[*corev1.Pod]string{old1: "10.0.100.1", old2: "10.0.100.2"}
	for p, ip := range ips {
		h.kubelet(p, ip, true)
	}
	h.endpointsOn("web", "http", map[*corev1.Pod]bool{old1: true, old2: true}, ips)
	h.waitTargets(arn, []string{"10.0.100.1:8080", "10.0.100.2:8080"})

	h.labelNamespace(webhook.InjectLabel, webhook.Enabled)
	new1, new2 := h.gatedPod("new", "web", gate), h.gatedPod("new", "web", gate)
	ips[new1], ips[new2] = "10.0.100.11", "10.0.100.12"
	h.kubelet(new1, ips[new1], true)
	h.kubelet(new2, ips[new2], true)
	h.endpointsOn("web", "http", map[*corev1.Pod]bool{old1: true, old2: true, new1: false, new2: false}, ips)

	testenv.EventuallyWithin(t, 30*time.Second, "both new gates open", func(ctx context.Context) (bool, error) {
		hs, err := h.health(ctx, arn)
		if err != nil {
			return false, err
		}
		open := 0
		for _, p := range []*corev1.Pod{new1, new2} {
			cur, err := h.getPod(ctx, p)
			if err != nil {
				return false, err
			}
			if c := podCondition(cur, gate); c != nil && c.Status == corev1.ConditionTrue {
				open++
				// Health only moves from initial to healthy: read after the
				// condition, not healthy now means not healthy then.
				if now, err := h.health(ctx, arn); err != nil || now[ips[p]] != "healthy" {
					t.Fatalf("pod %s marked ready while its target is %q (%v)", p.Name, now[ips[p]], err)
				}
			}
		}
		if _, ok := hs[ips[old1]]; !ok {
			t.Fatalf("old target deregistered before the new pods were ready: %v", hs)
		}
		return open == 2, nil
	})
	h.kubelet(new1, ips[new1], true)
	h.kubelet(new2, ips[new2], true)
	h.endpointsOn("web", "http", map[*corev1.Pod]bool{new1: true, new2: true}, ips)
	h.waitTargets(arn, []string{"10.0.100.11:8080", "10.0.100.12:8080"})
}

// TestDeletingABindingOpensItsPodsGates: a pod carrying a binding's gate
// (as LBC injected it before a takeover) is held False while its target is
// initial; deleting the binding opens the gate with LBC's message.
func TestDeletingABindingOpensItsPodsGates(t *testing.T) {
	h := startHooks(t, time.Hour, nil)
	arn, b := h.terraformBinding("web")
	gate := webhook.GateType("web")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "web-lbc", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
			ReadinessGates: []corev1.PodReadinessGate{{ConditionType: gate}}}}
	h.create(pod)
	h.kubelet(pod, "10.0.100.10", true)
	h.endpointsOn("web", "http", map[*corev1.Pod]bool{pod: false}, map[*corev1.Pod]string{pod: "10.0.100.10"})
	h.waitTargets(arn, []string{"10.0.100.10:8080"})
	h.waitGate("gate False while the target is initial", pod, gate, 30*time.Second, func(c *corev1.PodCondition) bool {
		return c != nil && c.Status == corev1.ConditionFalse && c.Reason == "Elb.RegistrationInProgress"
	})

	if err := h.kube.Client.Delete(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	h.waitGate("gate opened by the deletion", pod, gate, 30*time.Second, func(c *corev1.PodCondition) bool {
		return c != nil && c.Status == corev1.ConditionTrue && c.Message == tgb.DeletedMessage
	})
	h.waitTargets(arn, nil)
}
