package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/crds/gatewayapi"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
)

// TestAuditAndGraphModelGateways deploys an NLB Gateway with a TCPRoute
// through the controller's engine (gateway.Builder, deploy, the target
// rules): audit counts all of it as needed, yet reports an owned node rule
// nothing needs and the managed SG of a Gateway that is gone, by name; graph
// --kubeconfig draws the Gateway from its NLB to the node SG.
func TestAuditAndGraphModelGateways(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	if err := crds.Install(ctx, w.restConfig); err != nil {
		t.Fatal(err)
	}
	if err := gatewayapi.Install(ctx, w.restConfig); err != nil {
		t.Fatal(err)
	}
	kube, err := client.New(w.restConfig, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := w.ec2.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var nodes []corev1.Node
	for _, r := range inst.Reservations {
		for _, i := range r.Instances {
			id := aws.ToString(i.InstanceId)
			nodes = append(nodes, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-" + id},
				Spec:   corev1.NodeSpec{ProviderID: "aws:///" + aws.ToString(i.Placement.AvailabilityZone) + "/" + id},
				Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}})
		}
	}
	ns := gwv1.Namespace("default")
	port := gwv1.PortNumber(9000)
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "echo-gw", Finalizers: []string{naming.FinalizerGatewayNLB}},
		Spec: gwv1.GatewaySpec{GatewayClassName: "nlb", Listeners: []gwv1.Listener{{Name: "tcp", Protocol: gwv1.TCPProtocolType, Port: 9000}}}}
	objs := []client.Object{
		&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: "nlb"}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb"}},
		gw,
		&gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "echo"}, Spec: gwv1.TCPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: "echo-gw", Namespace: &ns}}},
			Rules:           []gwv1.TCPRouteRule{{BackendRefs: []gwv1.BackendRef{{BackendObjectReference: gwv1.BackendObjectReference{Name: "echo", Port: &port}}}}}}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "echo"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort,
			Ports: []corev1.ServicePort{{Port: 9000, NodePort: 30900, Protocol: corev1.ProtocolTCP}}}},
	}
	for i := range nodes {
		objs = append(objs, &nodes[i])
	}
	for _, o := range objs {
		if err := kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}

	cfg := emutest.Config(w.srv)
	ec2c, elbc := awsec2.NewFromConfig(cfg), awselbv2.NewFromConfig(cfg)
	prov := state.New(ec2c, elbc, DefaultCLICluster, w.vpcID)
	o := options.New()
	o.ClusterName = DefaultCLICluster
	d := controller.Defaults(o)
	b := gateway.Builder{Kube: kube}
	st := b.Stack("default", "echo-gw")
	class, err := b.Class(ctx, gw)
	if err != nil || class == nil {
		t.Fatalf("class: %v %v", class, err)
	}
	p, err := b.Prepare(ctx, gw, class, st)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gateway.Facts(ctx, prov, st, p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Nodes, err = service.NodeFacts(ctx, prov, nodes); err != nil {
		t.Fatal(err)
	}
	stack, _, err := gateway.BuildStack(p, f, d)
	if err != nil || len(stack.TargetGroups) != 1 {
		t.Fatalf("building the Gateway: %v (%d target groups)", err, len(stack.TargetGroups))
	}
	reg := registry.New()
	dep := &deploy.Deployer{AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{}, Defaults: d}
	if _, err := dep.Apply(ctx, st, stack); err != nil {
		t.Fatal(err)
	}
	prov = state.New(ec2c, elbc, DefaultCLICluster, w.vpcID)
	backend, err := prov.FindBackendSG(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := prov.Snapshot(ctx, st)
	if err != nil || len(snap.ManagedSGs) != 1 || snap.LoadBalancer == nil {
		t.Fatalf("the deployed NLB: %v %+v", err, snap)
	}
	for sg, set := range model.ResolveTargetRules(stack, DefaultCLICluster, backend, snap.ManagedSGs[0].ID) {
		if err := prov.Authorize(ctx, sg, set); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Contains(w.ingressSG(t, w.nodeSG), "tcp 30900 "+backend) {
		t.Fatalf("node SG rules %q lack the Gateway's", w.ingressSG(t, w.nodeSG))
	}
	// An owned rule nothing needs, and the managed SG of a Gateway gone.
	w.authorize(t, w.nodeSG, 31999, "10.1.0.0/16", naming.RuleDescription(DefaultCLICluster))
	gone := w.createSG(t, "k8s-default-oldgw", map[string]string{naming.TagCluster: DefaultCLICluster,
		naming.TagGatewayNLBResource: naming.ResourceManagedLBSecurityGroup, naming.TagGatewayNLBStack: "default/old-gw"})

	_, got, stderr := w.audit(t)
	want := []string{"leaked-rule " + w.nodeSG + " tcp 31999 ← 10.1.0.0/16", "leaked-security-group " + gone}
	if leaks := slices.DeleteFunc(slices.Clone(got), func(f string) bool {
		return !strings.HasPrefix(f, "leaked-") && !strings.HasPrefix(f, "load-balancer-sg-drift")
	}); !slices.Equal(leaks, want) {
		t.Errorf("audit findings %q, want the leaks %q and no other\nstderr: %s", got, want, stderr)
	}
	_, text, _ := runCmd(t, append([]string{"audit"}, w.flags()...)...)
	if !strings.Contains(text, "managed SG k8s-default-oldgw of gateway default/old-gw, which no longer exists") {
		t.Errorf("the leaked SG's finding does not name its Gateway:\n%s", text)
	}

	code, dot, stderr := runCmd(t, append([]string{"graph", "-o", "-"}, w.flags()...)...)
	if code != 0 {
		t.Fatalf("graph exit %d: %s", code, stderr)
	}
	tg := "tg:" + stack.TargetGroups[0].Name
	for _, edge := range []string{
		`"lb:` + snap.LoadBalancer.Name + `" -> "gw:default/echo-gw" [label="serves"];`,
		`"gw:default/echo-gw" -> "gw:default/echo-gw/tcp";`,
		`"gw:default/echo-gw/tcp" -> "route:TCPRoute/default/echo";`,
		`"route:TCPRoute/default/echo" -> "` + tg + `" [label="weight 1"];`,
		`"` + tg + `" -> "` + w.nodeSG + `" [label="tcp 30900"];`,
	} {
		if !strings.Contains(dot, edge) {
			t.Errorf("graph lacks %s:\n%s", edge, dot)
		}
	}

	// plan --live --kubeconfig of the same manifests: nothing to change,
	// and the load balancer named as the one that exists (the Gateway's UID
	// is its cluster copy's).
	manifests := `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: gateway.k8s.aws/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: echo-gw}
spec:
  gatewayClassName: nlb
  listeners: [{name: tcp, protocol: TCP, port: 9000}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: echo}
spec:
  parentRefs: [{name: echo-gw}]
  rules: [{backendRefs: [{name: echo, port: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  ports: [{port: 9000, nodePort: 30900, protocol: TCP}]
`
	file := filepath.Join(t.TempDir(), "gw.yaml")
	if err := os.WriteFile(file, []byte(manifests), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, append([]string{"plan", "--live", "-f", file}, w.flags()...)...)
	if code != 0 || !strings.Contains(out, "gateway default/echo-gw (NLB "+snap.LoadBalancer.Name+")\n  (no changes)") {
		t.Errorf("plan --live of the converged Gateway: exit %d\n%s\n%s", code, out, stderr)
	}
}
