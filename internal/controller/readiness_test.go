package controller_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/controller/applied"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
	"github.com/lbsg/lbsg/internal/webhook"
)

// startHooks runs the controllers with their webhooks; targets turn
// healthy healthyAfter after registration.
func startHooks(t *testing.T, healthyAfter time.Duration, mutate func(*options.Controller)) *harness {
	t.Helper()
	emu := emutest.Start(t)
	emu.Server.ELBv2().Timing.HealthyAfter = healthyAfter
	return startFull(t, testenv.Kube(t), emu, mutate, true, newWebhookEnv(t))
}

func (h *harness) labelNamespace(key, value string) {
	h.t.Helper()
	testenv.Eventually(h.t, "namespace labelled", func(ctx context.Context) (bool, error) {
		ns := &corev1.Namespace{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: h.kube.Namespace}, ns); err != nil {
			return false, err
		}
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[key] = value
		return true, h.kube.Client.Update(ctx, ns)
	})
}

// ipService is an ip-target NLB Service selecting app=name.
func (h *harness) ipService(name string) *corev1.Service {
	svc := h.nlbService(name, 80)
	svc.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeIP
	h.create(svc)
	return svc
}

// onlyTargetGroup waits for the emulator's one target group.
func (h *harness) onlyTargetGroup() (name, arn string) {
	h.t.Helper()
	testenv.Eventually(h.t, "target group created", func(ctx context.Context) (bool, error) {
		out, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
		if err != nil || len(out.TargetGroups) != 1 {
			return false, err
		}
		name, arn = aws.ToString(out.TargetGroups[0].TargetGroupName), aws.ToString(out.TargetGroups[0].TargetGroupArn)
		_, known := h.ctrls.Deploy.Readiness.Group(h.kube.Namespace, name)
		return known, nil
	})
	return name, arn
}

func (h *harness) pod(name, app string) *corev1.Pod {
	h.t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name, Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
	h.create(pod)
	return pod
}

// kubelet sets what a kubelet would: the pod's IP, ContainersReady, and
// Ready = containers ready and every readiness gate True.
func (h *harness) kubelet(pod *corev1.Pod, ip string, containersReady bool) {
	h.t.Helper()
	testenv.Eventually(h.t, "pod status set", func(ctx context.Context) (bool, error) {
		cur := &corev1.Pod{}
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(pod), cur); err != nil {
			return false, err
		}
		cur.Status.PodIP, cur.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
		ready := containersReady
		for _, g := range cur.Spec.ReadinessGates {
			if c := podCondition(cur, g.ConditionType); c == nil || c.Status != corev1.ConditionTrue {
				ready = false
			}
		}
		setPodCondition(cur, corev1.ContainersReady, containersReady)
		setPodCondition(cur, corev1.PodReady, ready)
		return true, h.kube.Client.Status().Update(ctx, cur)
	})
}

func podCondition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func setPodCondition(pod *corev1.Pod, t corev1.PodConditionType, v bool) {
	s := corev1.ConditionFalse
	if v {
		s = corev1.ConditionTrue
	}
	if c := podCondition(pod, t); c != nil {
		c.Status = s
		return
	}
	pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: t, Status: s})
}

func (h *harness) getPod(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, error) {
	cur := &corev1.Pod{}
	return cur, h.kube.Client.Get(ctx, client.ObjectKeyFromObject(pod), cur)
}

// endpoints writes the Service's one EndpointSlice: each pod at its IP,
// ready as given.
func (h *harness) endpoints(svc string, eps map[*corev1.Pod]bool, ips map[*corev1.Pod]string) {
	h.t.Helper()
	h.endpointsOn(svc, "p80", eps, ips)
}

// endpointsOn is endpoints for a Service whose port is named port.
func (h *harness) endpointsOn(svc, port string, eps map[*corev1.Pod]bool, ips map[*corev1.Pod]string) {
	h.t.Helper()
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: svc + "-1", Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To(port), Port: ptr.To[int32](8080), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	for pod, ready := range eps {
		e := podEndpoint(ips[pod], h.nodes[0], pod)
		e.Conditions.Ready = ptr.To(ready)
		slice.Endpoints = append(slice.Endpoints, e)
	}
	slices.SortFunc(slice.Endpoints, func(a, b discoveryv1.Endpoint) int { return strings.Compare(a.Addresses[0], b.Addresses[0]) })
	testenv.Eventually(h.t, "endpoints written", func(ctx context.Context) (bool, error) {
		cur := &discoveryv1.EndpointSlice{}
		err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(slice), cur)
		if err != nil {
			return true, h.kube.Client.Create(ctx, slice)
		}
		cur.Endpoints = slice.Endpoints
		return true, h.kube.Client.Update(ctx, cur)
	})
}

// health is the target group's targets: IP → state (draining left out).
func (h *harness) health(ctx context.Context, arn string) (map[string]string, error) {
	out, err := h.emu.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, d := range out.TargetHealthDescriptions {
		if s := string(d.TargetHealth.State); s != "draining" {
			m[aws.ToString(d.Target.Id)] = s
		}
	}
	return m, nil
}

func gates(pod *corev1.Pod) []string {
	var out []string
	for _, g := range pod.Spec.ReadinessGates {
		out = append(out, string(g.ConditionType))
	}
	return out
}

// TestPodsOfALabelledNamespaceGetTheGatesOfTheirIPTargetGroups: the pod
// webhook injects target-health.elbv2.k8s.aws/<target group name> (the
// name LBC's TargetGroupBinding has) into pods an ip-target Service
// selects, only in a namespace labelled for injection, and replaces the
// legacy ALB Ingress Controller gate.
func TestPodsOfALabelledNamespaceGetTheGatesOfTheirIPTargetGroups(t *testing.T) {
	h := startHooks(t, 0, nil)
	h.ipService("web")
	tg, _ := h.onlyTargetGroup()
	want := []string{webhook.GatePrefix + tg}

	before := h.pod("before-label", "web")
	if g := gates(before); g != nil {
		t.Errorf("pod in an unlabelled namespace got gates %v", g)
	}
	h.labelNamespace(webhook.InjectLabel, webhook.Enabled)
	testenv.Eventually(t, "webhook sees the label", func(ctx context.Context) (bool, error) {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, GenerateName: "probe-", Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
		if err := h.kube.Client.Create(ctx, p); err != nil {
			return false, err
		}
		return len(p.Spec.ReadinessGates) > 0, nil
	})
	selected := h.pod("selected", "web")
	other := h.pod("other", "other")
	legacy := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "legacy", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
			ReadinessGates: []corev1.PodReadinessGate{{ConditionType: "target-health.alb.ingress.k8s.aws/web_80"}, {ConditionType: "custom"}}}}
	h.create(legacy)
	for _, tt := range []struct {
		pod  *corev1.Pod
		want []string
	}{
		{selected, want},
		{other, nil},
		{legacy, append([]string{"custom"}, want...)},
	} {
		if got := gates(tt.pod); !slices.Equal(got, tt.want) {
			t.Errorf("pod %s: gates %v, want %v", tt.pod.Name, got, tt.want)
		}
	}
}

// TestTheGateOpensWhenTheTargetIsHealthy: a gated pod whose containers are
// ready is registered although unready, its condition is False while the
// target is initial and True once healthy; then no more
// DescribeTargetHealth calls.
func TestTheGateOpensWhenTheTargetIsHealthy(t *testing.T) {
	h := startHooks(t, 3*time.Second, nil)
	h.labelNamespace(webhook.InjectLabel, webhook.Enabled)
	h.ipService("web")
	tg, arn := h.onlyTargetGroup()
	gate := corev1.PodConditionType(webhook.GatePrefix + tg)
	pod := h.pod("web-1", "web")
	if !slices.Equal(gates(pod), []string{string(gate)}) {
		t.Fatalf("gates %v", gates(pod))
	}
	h.kubelet(pod, "10.0.100.10", true)
	calls0, t0 := h.emu.Server.Calls().Count("DescribeTargetHealth"), time.Now()
	h.endpoints("web", map[*corev1.Pod]bool{pod: false}, map[*corev1.Pod]string{pod: "10.0.100.10"})
	sawFalse := false
	testenv.EventuallyWithin(t, 30*time.Second, "gate condition True", func(ctx context.Context) (bool, error) {
		cur, err := h.getPod(ctx, pod)
		if err != nil {
			return false, err
		}
		c := podCondition(cur, gate)
		if c == nil {
			return false, nil
		}
		if c.Status == corev1.ConditionFalse {
			sawFalse = true
		}
		if c.Status != corev1.ConditionTrue {
			return false, nil
		}
		hs, err := h.health(ctx, arn)
		if err != nil {
			return false, err
		}
		if hs["10.0.100.10"] != "healthy" {
			t.Fatalf("gate opened while the target is %q", hs["10.0.100.10"])
		}
		t.Logf("gate open %v after the pod's endpoint appeared (targets healthy 3s after registration), %d DescribeTargetHealth calls by lbsg",
			time.Since(t0).Round(100*time.Millisecond), h.emu.Server.Calls().Count("DescribeTargetHealth")-calls0-1)
		return true, nil
	})
	if !sawFalse {
		t.Log("the False (initial) condition was not observed; the poll may have been too slow")
	}
	before := h.emu.Server.Calls().Count("DescribeTargetHealth")
	time.Sleep(3 * readiness.PollStart) //nolint:forbidigo // asserting that nothing happens
	if n := h.emu.Server.Calls().Count("DescribeTargetHealth") - before; n != 0 {
		t.Errorf("%d DescribeTargetHealth calls after every gate opened, want 0", n)
	}
}

// TestARollingUpdateMarksNoPodReadyBeforeItsTargetIsHealthy: old pods serve
// while two new gated pods are registered; each new pod's gate opens only
// once its target is healthy (checked on every poll), the old targets stay
// registered until the new pods are ready, and then go.
func TestARollingUpdateMarksNoPodReadyBeforeItsTargetIsHealthy(t *testing.T) {
	h := startHooks(t, 3*time.Second, nil)
	h.ipService("web")
	_, arn := h.onlyTargetGroup()
	old1, old2 := h.pod("old-1", "web"), h.pod("old-2", "web")
	ips := map[*corev1.Pod]string{old1: "10.0.100.1", old2: "10.0.100.2"}
	for p, ip := range ips {
		h.kubelet(p, ip, true)
	}
	h.endpoints("web", map[*corev1.Pod]bool{old1: true, old2: true}, ips)

	h.labelNamespace(webhook.InjectLabel, webhook.Enabled)
	var new1, new2 *corev1.Pod
	testenv.Eventually(t, "new pods gated", func(ctx context.Context) (bool, error) {
		for _, p := range []**corev1.Pod{&new1, &new2} {
			if *p != nil && len((*p).Spec.ReadinessGates) == 0 {
				_ = h.kube.Client.Delete(ctx, *p)
				*p = nil
			}
		}
		if new1 == nil {
			new1 = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, GenerateName: "new-", Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
			if err := h.kube.Client.Create(ctx, new1); err != nil {
				return false, err
			}
		}
		if new2 == nil {
			new2 = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, GenerateName: "new-", Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
			if err := h.kube.Client.Create(ctx, new2); err != nil {
				return false, err
			}
		}
		return len(new1.Spec.ReadinessGates) > 0 && len(new2.Spec.ReadinessGates) > 0, nil
	})
	ips[new1], ips[new2] = "10.0.100.11", "10.0.100.12"
	h.kubelet(new1, ips[new1], true)
	h.kubelet(new2, ips[new2], true)
	h.endpoints("web", map[*corev1.Pod]bool{old1: true, old2: true, new1: false, new2: false}, ips)

	gate := new1.Spec.ReadinessGates[0].ConditionType
	testenv.EventuallyWithin(t, 30*time.Second, "both new gates open", func(ctx context.Context) (bool, error) {
		open := 0
		for _, p := range []*corev1.Pod{new1, new2} {
			cur, err := h.getPod(ctx, p)
			if err != nil {
				return false, err
			}
			if c := podCondition(cur, gate); c != nil && c.Status == corev1.ConditionTrue {
				open++
				// Health only moves from initial to healthy: not healthy
				// now means it was not when the gate opened.
				hs, err := h.health(ctx, arn)
				if err != nil {
					return false, err
				}
				if hs[ips[p]] != "healthy" {
					t.Fatalf("pod %s marked ready while its target is %q", p.Name, hs[ips[p]])
				}
			}
		}
		hs, err := h.health(ctx, arn)
		if err != nil {
			return false, err
		}
		if _, ok := hs[ips[old1]]; !ok {
			t.Fatalf("old target deregistered before the new pods were ready: %v", hs)
		}
		return open == 2, nil
	})
	// The kubelet marks the new pods ready; the old ones go.
	h.kubelet(new1, ips[new1], true)
	h.kubelet(new2, ips[new2], true)
	h.endpoints("web", map[*corev1.Pod]bool{new1: true, new2: true}, ips)
	testenv.Eventually(t, "old targets gone", func(ctx context.Context) (bool, error) {
		hs, err := h.health(ctx, arn)
		if err != nil {
			return false, err
		}
		_, o1 := hs[ips[old1]]
		_, o2 := hs[ips[old2]]
		return !o1 && !o2 && hs[ips[new1]] == "healthy" && hs[ips[new2]] == "healthy", nil
	})
}

// TestAGateLbsgDoesNotKnowIsOpened: a pod carrying the gate of a
// TargetGroupBinding that no longer exists (created under LBC) would never
// become ready; once every stack has reported, lbsg opens it.
func TestAGateLbsgDoesNotKnowIsOpened(t *testing.T) {
	h := startHooks(t, 0, nil)
	gate := corev1.PodConditionType(webhook.GatePrefix + "k8s-default-gone-0123456789")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "orphan"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
			ReadinessGates: []corev1.PodReadinessGate{{ConditionType: gate}}}}
	h.create(pod)
	testenv.Eventually(t, "unknown gate opened", func(ctx context.Context) (bool, error) {
		cur, err := h.getPod(ctx, pod)
		if err != nil {
			return false, err
		}
		c := podCondition(cur, gate)
		return c != nil && c.Status == corev1.ConditionTrue && c.Reason == readiness.ReasonGateUnknown, nil
	})
}

// TestQUICServerIDsAreInjectedInLBCsFormat: in a namespace labelled for
// QUIC server IDs, each container the quic-enabled-containers annotation
// names gets AWS_LBC_QUIC_SERVER_ID: 8 bytes, base64, 39 bits of
// milliseconds since 2020, the worker ID taken from LBC's ConfigMap, 7
// bits of sequence; a container that has the variable keeps it.
func TestQUICServerIDsAreInjectedInLBCsFormat(t *testing.T) {
	h := startHooks(t, 0, nil)
	h.labelNamespace(webhook.QUICInjectLabel, webhook.Enabled)
	var pod *corev1.Pod
	start := time.Now()
	testenv.Eventually(t, "server IDs injected", func(ctx context.Context) (bool, error) {
		pod = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, GenerateName: "quic-",
			Annotations: map[string]string{annotations.PodQUICEnabledContainers: "app,sidecar"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "envoy"}, {Name: "other", Image: "x"},
				{Name: "sidecar", Image: "x", Env: []corev1.EnvVar{{Name: model.QUICServerIDEnv, Value: "kept"}}}}}}
		if err := h.kube.Client.Create(ctx, pod); err != nil {
			return false, err
		}
		return len(pod.Spec.Containers[0].Env) == 1, nil
	})
	if e := pod.Spec.Containers[1].Env; len(e) != 0 {
		t.Errorf("container not named got %v", e)
	}
	if e := pod.Spec.Containers[2].Env; len(e) != 1 || e[0].Value != "kept" {
		t.Errorf("container with the variable: %v", e)
	}
	env := pod.Spec.Containers[0].Env[0]
	raw, err := base64.StdEncoding.DecodeString(env.Value)
	if err != nil || len(raw) != 8 || env.Name != model.QUICServerIDEnv {
		t.Fatalf("server ID %s=%q: %v", env.Name, env.Value, err)
	}
	id := binary.BigEndian.Uint64(raw)
	ms := int64(id>>24) + 1577836800000
	if at := time.UnixMilli(ms); at.Before(start.Add(-time.Minute)) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("timestamp bits say %v", at)
	}
	cm := &corev1.ConfigMap{}
	if err := h.kube.Client.Get(t.Context(), client.ObjectKey{Namespace: webhook.WorkerConfigMapNamespace, Name: webhook.WorkerConfigMapName}, cm); err != nil {
		t.Fatalf("worker-ID ConfigMap: %v", err)
	}
	if cm.Data["nextWorkerId"] == "" {
		t.Errorf("worker-ID ConfigMap holds %v", cm.Data)
	}
	if worker := (id >> 7) & (1<<17 - 1); fmt.Sprint(worker) == "" {
		t.Errorf("worker bits %d", worker)
	}
}

// TestTheServiceWebhookDefaultsTheLoadBalancerClass: a new LoadBalancer
// Service without a class gets --load-balancer-class; one with a class, or
// of another type, keeps its own.
func TestTheServiceWebhookDefaultsTheLoadBalancerClass(t *testing.T) {
	h := startHooks(t, 0, func(o *options.Controller) { o.LoadBalancerClass = "example.com/lbsg-test" })
	mk := func(name string, typ corev1.ServiceType, class *string) *corev1.Service {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name},
			Spec: corev1.ServiceSpec{Type: typ, LoadBalancerClass: class, Ports: []corev1.ServicePort{{Port: 80}}}}
		h.create(svc)
		return svc
	}
	for _, tt := range []struct {
		svc  *corev1.Service
		want *string
	}{
		{mk("plain", corev1.ServiceTypeLoadBalancer, nil), ptr.To("example.com/lbsg-test")},
		{mk("own", corev1.ServiceTypeLoadBalancer, ptr.To("example.com/other")), ptr.To("example.com/other")},
		{mk("cluster-ip", corev1.ServiceTypeClusterIP, nil), nil},
	} {
		if got := tt.svc.Spec.LoadBalancerClass; !equalPtr(got, tt.want) {
			t.Errorf("%s: loadBalancerClass %v, want %v", tt.svc.Name, ptr.Deref(got, "<nil>"), ptr.Deref(tt.want, "<nil>"))
		}
	}
}

func equalPtr(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// TestTheIngressWebhookRefusesWhatLBCRefuses: with both disable flags, new
// uses of the class annotation and group.name are refused, as are a
// missing IngressClass and an invalid conditions annotation; an Ingress of
// another class, and an unchanged group.name on update, are admitted.
func TestTheIngressWebhookRefusesWhatLBCRefuses(t *testing.T) {
	h := startHooks(t, 0, func(o *options.Controller) {
		o.Webhook.DisableIngressClassAnnotation = true
		o.Webhook.DisableIngressGroupNameAnnotation = true
	})
	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "alb-" + h.kube.Namespace},
		Spec: networkingv1.IngressClassSpec{Controller: "ingress.k8s.aws/alb"}}
	h.create(class)
	t.Cleanup(func() { _ = h.kube.Client.Delete(context.WithoutCancel(t.Context()), class) })
	mk := func(name string, className *string, ann map[string]string) *networkingv1.Ingress {
		ing := h.albIngress(name, "/", "web", ann)
		delete(ing.Annotations, "kubernetes.io/ingress.class")
		if v, ok := ann["kubernetes.io/ingress.class"]; ok {
			ing.Annotations["kubernetes.io/ingress.class"] = v
		}
		ing.Spec.IngressClassName = className
		return ing
	}
	albClass := ptr.To(class.Name)
	for _, tt := range []struct {
		name string
		ing  *networkingv1.Ingress
		want string // "" admitted
	}{
		{"class annotation", mk("a", nil, map[string]string{"kubernetes.io/ingress.class": "alb"}), "new usage of `kubernetes.io/ingress.class` annotation is forbidden"},
		{"another controller's class annotation", mk("b", nil, map[string]string{"kubernetes.io/ingress.class": "nginx"}), ""},
		{"group.name", mk("c", albClass, map[string]string{annotations.IngGroupName: "g"}), "new usage of `alb.ingress.kubernetes.io/group.name` annotation is forbidden"},
		{"missing IngressClass", mk("d", ptr.To("no-such-class"), nil), "invalid ingress class"},
		{"invalid conditions", mk("e", albClass, map[string]string{annotations.IngConditionsPrefix + "web": `[{"field":"host-header"}]`}), "conditions.web"},
		{"valid", mk("f", albClass, nil), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			testenv.Eventually(t, "admission answered", func(ctx context.Context) (bool, error) {
				ing := tt.ing.DeepCopy()
				ing.GenerateName, ing.Name = ing.Name+"-", ""
				err = h.kube.Client.Create(ctx, ing)
				// Until the configuration is live, everything is admitted.
				return err != nil || tt.want == "", nil //nolint:nilerr // the refusal is the result, checked below
			})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestAReplicaThatDoesNotLeadInjectsTheLeadersGates: the leader publishes
// its gate names per Service in a ConfigMap; the pod webhook of a replica
// that does not lead (an empty, non-leading Index) answers from it.
func TestAReplicaThatDoesNotLeadInjectsTheLeadersGates(t *testing.T) {
	h := startHooks(t, 0, nil)
	h.ipService("web")
	tg, _ := h.onlyTargetGroup()
	shared := readiness.SharedName(cluster)
	ns := applied.Namespace("")
	key := h.kube.Namespace + ".web"
	testenv.Eventually(t, "leader published the gate names", func(ctx context.Context) (bool, error) {
		cm := &corev1.ConfigMap{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: shared}, cm); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return cm.Data[key] == tg, nil
	})
	follower := readiness.Gates{Index: readiness.NewIndex(), Services: h.kube.Client,
		Shared: &readiness.Shared{Reader: h.kube.Client, Namespace: ns, Name: shared}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}}
	got, err := follower.PodGates(t.Context(), h.kube.Namespace, pod)
	if err != nil {
		t.Fatal(err)
	}
	if want := []corev1.PodConditionType{corev1.PodConditionType(webhook.GatePrefix + tg)}; !slices.Equal(got, want) {
		t.Errorf("follower's gates %v, want %v", got, want)
	}
}
