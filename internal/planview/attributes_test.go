package planview

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

// TestLivePlanShowsNLBAttributeChanges: a deployed NLB Service whose
// listener and target-group attributes then change plans exactly those
// keys (read with a fresh provider, as `lbsg plan --live` does), and
// nothing else, without writing.
func TestLivePlanShowsNLBAttributeChanges(t *testing.T) {
	emu := emutest.Start(t)
	seed := emu.Seeded(t)
	ctx := t.Context()
	svc := corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "tcp", UID: "0f0e0d0c-0000-4000-8000-000000000001", Annotations: map[string]string{
			annotations.SvcListenerAttributesPrefix + "TCP-80": "tcp.idle_timeout.seconds=600",
			annotations.SvcTargetGroupAttributes:               "deregistration_delay.timeout_seconds=30",
		}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To(annotations.DefaultLoadBalancerClass),
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080), NodePort: 30080}}},
	}
	objs := Objects{Services: []corev1.Service{svc}}
	for i, id := range seed.Instances {
		objs.Nodes = append(objs.Nodes, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-" + string(rune('a'+i))},
			Spec: corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + id}})
	}
	provider := func() *state.Provider { return state.New(emu.EC2, emu.ELBv2, seedCluster, seed.VPCID) }
	prov := provider()
	reg := registry.New()
	d := &deploy.Deployer{AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{}, Defaults: liveSettings().Defaults}
	nodes, err := Nodes(ctx, prov, objs.Nodes, seedCluster)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := buildAll(ctx, prov, objs, nodes, liveSettings())
	if len(all) != 1 || all[0].err != nil {
		t.Fatalf("building the Service: %+v", all)
	}
	if _, err := d.Apply(ctx, all[0].id, all[0].stack); err != nil {
		t.Fatalf("deploying the Service: %v", err)
	}

	objs.Services[0].Annotations[annotations.SvcListenerAttributesPrefix+"TCP-80"] = "tcp.idle_timeout.seconds=700"
	objs.Services[0].Annotations[annotations.SvcTargetGroupAttributes] = "deregistration_delay.timeout_seconds=30,stickiness.enabled=true"
	before := emu.Server.Calls().Mutations()
	res, err := Compute(ctx, provider(), objs, liveSettings())
	if err != nil {
		t.Fatal(err)
	}
	if n := emu.Server.Calls().Mutations(); n != before {
		t.Errorf("plan --live made %d mutating calls", n-before)
	}
	var attrs []string
	for _, l := range lines(stackByName(t, res, naming.ServiceStack("shop", "tcp").String()).Changes) {
		if strings.Contains(l, "RegisterTargets") {
			continue // the input has no EndpointSlices; targets are not this test's
		}
		attrs = append(attrs, l)
	}
	if len(attrs) != 2 ||
		!strings.HasPrefix(attrs[0], "~ ModifyTargetGroupAttributes attributes of target group arn:") || !strings.HasSuffix(attrs[0], ": stickiness.enabled=true") ||
		!strings.HasPrefix(attrs[1], "~ ModifyListenerAttributes attributes of listener 80/TCP (arn:") || !strings.HasSuffix(attrs[1], ": tcp.idle_timeout.seconds=700") {
		t.Errorf("the plan is\n %q\nwant the new stickiness key and the new idle timeout only", attrs)
	}
}
