package planview

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// liveShop is the shop manifests on an emulator: Nodes for the seeded
// instances, the group's ALB deployed by the controller's engine and its
// node-SG rules authorized, as a converged cluster would have them.
type liveShop struct {
	emu  *emutest.Env
	seed emutest.Seeded
	objs Objects
}

// seedCluster is the cluster the emulator's default seed tags its subnets
// and node SG for.
const seedCluster = "sandbox"

func liveSettings() Settings {
	s := shopSettings()
	s.Defaults.ClusterName = seedCluster
	return s
}

func (l *liveShop) provider() *state.Provider {
	// A fresh reader per plan, as each `lbsg plan --live` run has.
	return state.New(l.emu.EC2, l.emu.ELBv2, seedCluster, l.seed.VPCID)
}

func startLiveShop(t *testing.T) *liveShop {
	t.Helper()
	l := &liveShop{emu: emutest.Start(t)}
	l.seed = l.emu.Seeded(t)
	files := map[string]string{}
	for k, v := range shopManifests {
		if k != "nodes.json" {
			files[k] = v
		}
	}
	objs, err := ReadPath(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	objs.Services = slices.DeleteFunc(objs.Services, func(s corev1.Service) bool { return s.Name == "api" })
	// The cluster has the class of the Ingress lbsg leaves to another controller.
	objs.IngressClasses = append(objs.IngressClasses, networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"},
		Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}})
	objs.Nodes = append(objs.Nodes, seededNodes(l.seed.Instances)...)
	l.objs = objs

	ctx := t.Context()
	prov := l.provider()
	reg := registry.New()
	d := &deploy.Deployer{AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{}, Defaults: liveSettings().Defaults}
	nodes, err := Nodes(ctx, prov, objs.Nodes, seedCluster)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := buildAll(ctx, prov, objs, nodes, liveSettings())
	var group built
	for _, b := range all {
		if b.id == naming.ExplicitIngressStack("shop") {
			group = b
		}
	}
	if group.err != nil || group.stack.LoadBalancer == nil {
		t.Fatalf("building the group: %v", group.err)
	}
	if _, err := d.Apply(ctx, group.id, group.stack); err != nil {
		t.Fatalf("deploying the group: %v", err)
	}
	prov = l.provider()
	backend, err := prov.FindBackendSG(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := prov.Snapshot(ctx, group.id)
	if err != nil || len(snap.ManagedSGs) != 1 {
		t.Fatalf("reading the deployed group: %v, %+v", err, snap.ManagedSGs)
	}
	for sg, set := range model.ResolveTargetRules(group.stack, seedCluster, backend, snap.ManagedSGs[0].ID) {
		if err := prov.Authorize(ctx, sg, set); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// seededNodes are Ready Nodes of the seeded instances.
func seededNodes(instances []string) []corev1.Node {
	var out []corev1.Node
	for i, id := range instances {
		out = append(out, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-" + string(rune('a'+i))},
			Spec: corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + id}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}})
	}
	return out
}

// deleteRule removes the listener rule whose first path pattern is path.
func (l *liveShop) deleteRule(t *testing.T, lbName string, port int32, path string) {
	t.Helper()
	ctx := t.Context()
	lbs, err := l.emu.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := l.emu.ELBv2.DescribeListeners(ctx, &awselbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, li := range ls.Listeners {
		if aws.ToInt32(li.Port) != port {
			continue
		}
		rs, err := l.emu.ELBv2.DescribeRules(ctx, &awselbv2.DescribeRulesInput{ListenerArn: li.ListenerArn})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs.Rules {
			if len(r.Conditions) > 0 && r.Conditions[0].PathPatternConfig != nil && r.Conditions[0].PathPatternConfig.Values[0] == path {
				if _, err := l.emu.ELBv2.DeleteRule(ctx, &awselbv2.DeleteRuleInput{RuleArn: r.RuleArn}); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
	}
	t.Fatalf("no rule %s on %s:%d", path, lbName, port)
}

func TestLivePlanOfAnIngressGroup(t *testing.T) {
	l := startLiveShop(t)
	plan := func(t *testing.T) Result {
		t.Helper()
		before := l.emu.Server.Calls().Mutations()
		res, err := Compute(t.Context(), l.provider(), l.objs, liveSettings())
		if err != nil {
			t.Fatal(err)
		}
		if n := l.emu.Server.Calls().Mutations(); n != before {
			t.Errorf("plan --live made %d mutating calls", n-before)
		}
		return res
	}

	res := plan(t)
	alb := stackByName(t, res, "ingress group shop")
	if !res.Live || len(alb.Changes) != 0 || len(res.TargetSGs) != 0 {
		t.Fatalf("a converged group plans changes: %+v", res)
	}

	l.deleteRule(t, alb.LoadBalancer, 80, "/cart")
	res = plan(t)
	alb = stackByName(t, res, "ingress group shop")
	want := []string{"+ CreateRule rule 1 of listener 80/HTTP: path-pattern=/cart,/cart/* → forward to shop/cart-cart:80"}
	if got := lines(alb.Changes); !slices.Equal(got, want) {
		t.Errorf("after a rule was deleted the plan is\n %q\nwant\n %q", got, want)
	}
	if len(res.TargetSGs) != 0 || res.Summary != (Summary{Create: 1, Errors: 1}) {
		t.Errorf("target SGs %+v, summary %+v", res.TargetSGs, res.Summary)
	}
	if strings.Contains(strings.Join(lines(alb.Changes), "\n"), "CreateLoadBalancer") {
		t.Error("the existing ALB is planned anew")
	}
}

func TestDesiredStateCountsIngressGroups(t *testing.T) {
	l := startLiveShop(t)
	ctx := t.Context()
	prov := l.provider()
	want, err := DesiredState(ctx, prov, l.objs, liveSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(want.Stacks, naming.ExplicitIngressStack("shop")) || len(want.Errors) != 0 || !want.BackendInUse {
		t.Fatalf("desired: stacks %v, errors %v, backend in use %v", want.Stacks, want.Errors, want.BackendInUse)
	}
	// Every owned rule the group's deploy put on the node SG is needed.
	sgs, err := prov.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, sg := range sgs {
		owned := ownedRules(sg, seedCluster)
		if len(owned) == 0 {
			continue
		}
		if missing := owned.Minus(want.TargetRules[sg.ID]); len(missing) > 0 {
			t.Errorf("owned rules on %s no stack needs: %v", sg.ID, missing)
		}
	}
	if len(want.TargetRules[l.seed.NodeSG]) == 0 {
		t.Error("the node SG needs no rule")
	}
	snap, err := prov.Snapshot(ctx, naming.ExplicitIngressStack("shop"))
	if err != nil || snap.LoadBalancer == nil {
		t.Fatalf("snapshot: %v", err)
	}
	if got := want.LBSGs[snap.LoadBalancer.Name]; len(got) != 2 || !sameElements(got, snap.LoadBalancer.SecurityGroups) {
		t.Errorf("desired SGs of the ALB %v, it carries %v", got, snap.LoadBalancer.SecurityGroups)
	}
}

func sameElements(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}
