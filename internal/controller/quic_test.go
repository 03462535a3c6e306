package controller_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/testenv"
)

// quicPod is a pod whose container app listens on UDP 3000; with id, it
// carries LBC's quic-enabled-containers annotation and the server ID
// variable (base64 of the 8 bytes of id).
func (h *harness) quicPod(name string, id uint64) *corev1.Pod {
	h.t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name, Annotations: map[string]string{}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "envoy",
			Ports: []corev1.ContainerPort{{ContainerPort: 3000, Protocol: corev1.ProtocolUDP}}}}},
	}
	if id != 0 {
		raw := make([]byte, 8)
		for i := range raw {
			raw[i] = byte(id >> (8 * (7 - i)))
		}
		pod.Annotations[annotations.PodQUICEnabledContainers] = "app"
		pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: model.QUICServerIDEnv, Value: base64.StdEncoding.EncodeToString(raw)}}
	}
	h.create(pod)
	return pod
}

func podEndpoint(ip, node string, pod *corev1.Pod) discoveryv1.Endpoint {
	return discoveryv1.Endpoint{Addresses: []string{ip}, NodeName: ptr.To(node),
		Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
		TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID}}
}

// quicView is the NLB's listener protocols, its target groups' protocols
// and the targets registered (id:port:serverID), sorted.
func (h *harness) quicView(ctx context.Context, svc *corev1.Service) (string, error) {
	ls, err := h.listenersOf(ctx, svc)
	if err != nil || len(ls) == 0 {
		return "", err
	}
	var out []string
	for port, l := range ls {
		out = append(out, fmt.Sprintf("%d %s→%s", port, l.protocol, l.tgProtocol))
		res, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{l.arn}})
		if err != nil {
			return "", err
		}
		th, err := h.emu.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{
			TargetGroupArn: res.Listeners[0].DefaultActions[0].TargetGroupArn})
		if err != nil {
			return "", err
		}
		var ts []string
		for _, d := range th.TargetHealthDescriptions {
			if d.TargetHealth != nil && d.TargetHealth.State == "draining" {
				continue
			}
			ts = append(ts, fmt.Sprintf("%s:%d:%s", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port), aws.ToString(d.Target.QuicServerId)))
		}
		slices.Sort(ts)
		out = append(out, fmt.Sprint(ts))
	}
	return fmt.Sprint(out), nil
}

// TestAQUICServiceGetsQUICListenersAndItsPodsServerIDs: a UDP port listed
// in quic-enabled-ports on ip targets becomes a QUIC listener and target
// group, each pod with a server ID is registered with it (a pod without
// one is left out, as LBC does), a pod replaced on the same IP with
// another ID is registered again with the new ID, and a resync afterwards
// costs no AWS call.
func TestAQUICServiceGetsQUICListenersAndItsPodsServerIDs(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	svc := h.nlbService("quic")
	svc.Spec.Ports = []corev1.ServicePort{{Name: "h3", Port: 443, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(3000)}}
	svc.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeIP
	svc.Annotations[annotations.SvcDisableNLBSG] = "true" // AWS: no QUIC listener on an NLB with security groups
	svc.Annotations[annotations.SvcQUICEnabledPorts] = "443"
	h.create(svc)
	withID, withoutID := h.quicPod("quic-a", 0x0102030405060708), h.quicPod("quic-b", 0)
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: svc.Namespace, Name: "quic-1", Labels: map[string]string{discoveryv1.LabelServiceName: "quic"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{podEndpoint("10.0.100.7", h.nodes[0], withID),
			podEndpoint("10.0.100.8", h.nodes[0], withoutID)},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To("h3"), Port: ptr.To[int32](3000), Protocol: ptr.To(corev1.ProtocolUDP)}},
	}
	h.create(slice)
	converge := func(what, want string) {
		t.Helper()
		var got string
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			var err error
			got, err = h.quicView(ctx, svc)
			return got == want, err
		})
	}
	converge("a QUIC listener and group with the pod that has a server ID",
		"[443 QUIC→QUIC [10.0.100.7:3000:0x0102030405060708]]")

	// The pod is replaced by one on the same IP with another server ID.
	if err := h.kube.Client.Delete(ctx, withID); err != nil {
		t.Fatal(err)
	}
	replacement := h.quicPod("quic-c", 0x1112131415161718)
	testenv.Eventually(t, "slice updated", func(ctx context.Context) (bool, error) {
		cur := &discoveryv1.EndpointSlice{}
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(slice), cur); err != nil {
			return false, err
		}
		cur.Endpoints[0] = podEndpoint("10.0.100.7", h.nodes[0], replacement)
		return true, h.kube.Client.Update(ctx, cur)
	})
	converge("the target registered again with the new server ID",
		"[443 QUIC→QUIC [10.0.100.7:3000:0x1112131415161718]]")

	before := h.quiesce()
	if err := h.resyncAll(ctx, []*corev1.Service{svc}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of the unchanged QUIC Service made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}
