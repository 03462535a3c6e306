package targetgroupbinding

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

func svc(typ corev1.ServiceType) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}, Spec: corev1.ServiceSpec{Type: typ,
		Ports: []corev1.ServicePort{{Name: "http", Port: 80, NodePort: 30080, TargetPort: intstr.FromString("web")},
			{Name: "admin", Port: 9000, NodePort: 30900, TargetPort: intstr.FromInt32(9090)}}}}
}

func node(name, id string, lbls map[string]string, ready corev1.ConditionStatus) model.Node {
	return model.Node{Name: name, InstanceID: id, ENIID: "eni-" + id, Labels: lbls, Ready: ready,
		SecurityGroups: []model.SecurityGroupInfo{{ID: "sg-" + name}}}
}

func strs(ts []model.Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%s:%d", t.ID, t.Port))
	}
	return out
}

func TestTargets(t *testing.T) {
	nodes := []model.Node{
		node("a", "i-a", map[string]string{"pool": "edge"}, corev1.ConditionTrue),
		node("b", "i-b", nil, corev1.ConditionTrue),
		node("c", "i-c", map[string]string{"pool": "edge", model.LabelExcludeFromLB: ""}, corev1.ConditionTrue),
		node("d", "i-d", map[string]string{"pool": "edge"}, corev1.ConditionFalse),
	}
	eps := []model.Endpoint{
		{IP: "10.0.1.1", NodeName: "a", Ports: map[string]int32{"http": 8080, "admin": 9090}},
		{IP: "10.0.1.2", NodeName: "b", Ports: map[string]int32{"http": 8080, "admin": 9090}},
		{IP: "2600::1", NodeName: "b", Ports: map[string]int32{"http": 8080}},
	}
	ip := Resolved{TargetType: v1beta1.TargetTypeIP, IPAddressType: v1beta1.TargetGroupIPAddressTypeIPv4}
	inst := Resolved{TargetType: v1beta1.TargetTypeInstance}
	ref := func(p intstr.IntOrString, sel *metav1.LabelSelector) *v1beta1.TargetGroupBinding {
		b := bind(nil)
		b.Spec.ServiceRef = v1beta1.ServiceReference{Name: "web", Port: p}
		b.Spec.NodeSelector = sel
		return b
	}
	for _, tc := range []struct {
		name    string
		b       *v1beta1.TargetGroupBinding
		r       Resolved
		svc     *corev1.Service
		want    []string
		wantErr string
	}{
		{"ip targets by port number: the slice's port of that Service port", ref(intstr.FromInt32(80), nil), ip, svc(corev1.ServiceTypeClusterIP),
			[]string{"10.0.1.1:8080", "10.0.1.2:8080"}, ""},
		{"ip targets by port name", ref(intstr.FromString("admin"), nil), ip, svc(corev1.ServiceTypeClusterIP), []string{"10.0.1.1:9090", "10.0.1.2:9090"}, ""},
		{"ipv6 target groups take the IPv6 addresses", ref(intstr.FromInt32(80), nil), Resolved{TargetType: v1beta1.TargetTypeIP, IPAddressType: "ipv6"},
			svc(corev1.ServiceTypeClusterIP), []string{"2600::1:8080"}, ""},
		{"instance targets: every targetable ready node on the NodePort", ref(intstr.FromInt32(80), nil), inst, svc(corev1.ServiceTypeNodePort),
			[]string{"i-a:30080", "i-b:30080"}, ""},
		{"instance targets with a nodeSelector", ref(intstr.FromString("http"), &metav1.LabelSelector{MatchLabels: map[string]string{"pool": "edge"}}),
			inst, svc(corev1.ServiceTypeLoadBalancer), []string{"i-a:30080"}, ""},
		{"instance targets need a NodePort", ref(intstr.FromInt32(80), nil), inst, svc(corev1.ServiceTypeClusterIP), nil, "service type must be either 'NodePort' or 'LoadBalancer'"},
		{"a missing port", ref(intstr.FromInt32(81), nil), ip, svc(corev1.ServiceTypeClusterIP), nil, "unable to find port 81 on service ns/web"},
		{"a missing Service", ref(intstr.FromInt32(80), nil), ip, nil, nil, "service ns/web not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.Namespace = "ns"
			got, err := Targets(tc.b, tc.r, tc.svc, nodes, eps)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(strs(got), tc.want) {
				t.Errorf("targets %v, want %v", strs(got), tc.want)
			}
		})
	}
}

func TestDiffIsOneRegisterAndOneDeregister(t *testing.T) {
	var have, want []model.Target
	for i := range 50 {
		have = append(have, model.Target{ID: fmt.Sprintf("10.0.0.%d", i), Port: 80})
	}
	want = append(want, have[10:]...)
	for i := range 10 {
		want = append(want, model.Target{ID: fmt.Sprintf("10.0.1.%d", i), Port: 80})
	}
	add, remove := Diff(Normalize(have), Normalize(want))
	if len(add) != 10 || len(remove) != 10 {
		t.Errorf("add %d remove %d, want 10 and 10", len(add), len(remove))
	}
}

func TestRulesAreEveryPeerAndPortOnTheTargetsNodeSGs(t *testing.T) {
	udp := v1beta1.NetworkingProtocolUDP
	b := bind(func(s *v1beta1.TargetGroupBindingSpec) {
		s.Networking = &v1beta1.TargetGroupBindingNetworking{Ingress: []v1beta1.NetworkingIngressRule{
			{From: []v1beta1.NetworkingPeer{{SecurityGroup: &v1beta1.SecurityGroup{GroupID: "sg-lb"}}, {IPBlock: &v1beta1.IPBlock{CIDR: "10.1.0.0/16"}}},
				Ports: []v1beta1.NetworkingPort{{Port: ptr.To(intstr.FromInt32(8080))}, {Protocol: &udp, Port: ptr.To(intstr.FromString("dns"))}}},
			{From: []v1beta1.NetworkingPeer{{IPBlock: &v1beta1.IPBlock{CIDR: "192.168.0.0/24"}}}},
		}}
	})
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Ports: []corev1.ContainerPort{{Name: "dns", ContainerPort: 5353}}}}}}
	in := RuleInput{Resolved: Resolved{TargetType: v1beta1.TargetTypeIP}, Cluster: "c",
		Nodes:     []model.Node{node("a", "i-a", nil, corev1.ConditionTrue), node("b", "i-b", nil, corev1.ConditionTrue)},
		Endpoints: []model.Endpoint{{IP: "10.0.1.1", NodeName: "a", Pod: "p1"}},
		Pods:      map[string]*corev1.Pod{"p1": pod}}
	got, warns, err := Rules(b, in)
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	if _, ok := got["sg-b"]; ok || len(got) != 1 {
		t.Errorf("rules on %v, want only sg-a (the endpoint's node)", got)
	}
	want := rules.Set{}
	desc := naming.RuleDescription("c")
	for _, k := range []rules.Key{
		rules.MustKey("tcp", 8080, 8080, "sg-lb"), rules.MustKey("tcp", 8080, 8080, "10.1.0.0/16"),
		rules.MustKey("udp", 5353, 5353, "sg-lb"), rules.MustKey("udp", 5353, 5353, "10.1.0.0/16"),
		rules.MustKey("tcp", 0, 65535, "192.168.0.0/24"),
	} {
		want.Add(k, desc)
	}
	if !got["sg-a"].Equal(want) {
		t.Errorf("rules %v, want %v", got["sg-a"].Keys(), want.Keys())
	}
	if !NamedPorts(b) {
		t.Error("NamedPorts misses the named port")
	}
	inst := in
	inst.Resolved.TargetType = v1beta1.TargetTypeInstance
	inst.Selected = in.Nodes
	if _, _, err := Rules(b, inst); err == nil {
		t.Error("a named port with instance targets is accepted")
	}
}
