package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/testenv"
)

// editNode changes one of the harness's Nodes (status too, when mutate
// touches it).
func (h *harness) editNode(i int, mutate func(*corev1.Node)) {
	h.t.Helper()
	testenv.Eventually(h.t, "node updated", func(ctx context.Context) (bool, error) {
		n := &corev1.Node{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: h.nodes[i]}, n); err != nil {
			return false, err
		}
		before := n.Status.Conditions
		mutate(n)
		conditions := n.Status.Conditions
		if err := h.kube.Client.Update(ctx, n); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		if !slices.Equal(before, conditions) {
			n.Status.Conditions = conditions
			return true, h.kube.Client.Status().Update(ctx, n)
		}
		return true, nil
	})
}

// callDelta lists the calls per action between two call logs.
func callDelta(before, after emulator.CallStats) []string {
	var out []string
	for _, k := range after.Sorted() {
		if d := after.Actions[k].Calls - before.Actions[k].Calls; d > 0 {
			out = append(out, fmt.Sprintf("%s×%d", k, d))
		}
	}
	return out
}

// instanceTargets waits until every target group of the harness holds
// exactly the seeded instances at indexes want (besides extra, foreign
// targets) and returns the world.
func (h *harness) instanceTargets(what string, groups int, want ...int) world {
	h.t.Helper()
	return h.eventually(what, func(w world) string {
		if len(w.tgs) != groups {
			return fmt.Sprintf("%d target groups, want %d: %v", len(w.tgs), groups, w.tgs)
		}
		for name, tg := range w.tgs {
			for i, id := range h.seed.Instances {
				if strings.Contains(tg, id+":") != slices.Contains(want, i) {
					return fmt.Sprintf("tg %s: %s, want instances %v of %v", name, tg, want, h.seed.Instances)
				}
			}
		}
		return ""
	})
}

// TestNodeExclusionLabelDeregistersWithOneCallPerTargetGroup: labelling a
// node exclude-from-external-load-balancers takes it out of every instance
// target group with one DeregisterTargets per group and nothing else.
func TestNodeExclusionLabelDeregistersWithOneCallPerTargetGroup(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80, 443)
	h.create(svc)
	h.instanceTargets("three instance targets in both groups", 2, 0, 1, 2)
	before := h.quiesce()
	calls := h.emu.Server.Calls()
	h.editNode(1, func(n *corev1.Node) {
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels[model.LabelExcludeFromLB] = "true"
	})
	// Wait on the call log alone (polling AWS would count too).
	testenv.Eventually(t, "the deregistrations", func(context.Context) (bool, error) {
		return h.emu.Server.Calls().Count("DeregisterTargets") >= calls.Count("DeregisterTargets")+2, nil
	})
	h.quiesce()
	after := h.emu.Server.Calls()
	t.Logf("AWS calls for the label: %d %v", after.Total-before, callDelta(calls, after))
	h.instanceTargets("node 1 deregistered from both groups", 2, 0, 2)
	if n := after.Count("DeregisterTargets") - calls.Count("DeregisterTargets"); n != 2 {
		t.Errorf("%d DeregisterTargets calls, want one per target group (2)", n)
	}
	if n := after.Mutations() - calls.Mutations(); n != 2 {
		t.Errorf("%d AWS writes for the label, want the 2 DeregisterTargets: %v", n, after.Sorted())
	}

	// An unrelated label reconciles nothing that calls AWS.
	quiet := h.quiesce()
	h.editNode(0, func(n *corev1.Node) {
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels["team"] = "web"
	})
	if n := h.quiesce() - quiet; n != 0 {
		t.Errorf("an unrelated node label cost %d AWS calls", n)
	}
}

// TestNodeReadinessAndRemovalTaintsFollowLBC: a not-Ready node and one
// Cluster Autoscaler is about to delete leave the target groups; a node
// that is Ready again comes back.
func TestNodeReadinessAndRemovalTaintsFollowLBC(t *testing.T) {
	h := start(t, nil)
	h.create(h.nlbService("web", 80))
	h.instanceTargets("three instance targets", 1, 0, 1, 2)
	h.editNode(0, func(n *corev1.Node) {
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}
	})
	h.editNode(2, func(n *corev1.Node) {
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: model.TaintClusterAutoscalerDelete, Effect: corev1.TaintEffectNoSchedule})
	})
	h.instanceTargets("the not-ready and the tainted node deregistered", 1, 1)
	h.editNode(0, func(n *corev1.Node) {
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	})
	h.instanceTargets("the node Ready again registered", 1, 0, 1)
}

// TestTargetNodeLabelsSelectNodes: only nodes with the labels are targets;
// a node that gains them is registered.
func TestTargetNodeLabelsSelectNodes(t *testing.T) {
	h := start(t, nil)
	h.editNode(0, func(n *corev1.Node) { n.Labels = map[string]string{"pool": "edge"} })
	svc := h.nlbService("web", 80)
	svc.Annotations[annotations.SvcTargetNodeLabels] = "pool=edge"
	h.create(svc)
	h.instanceTargets("only the labelled node", 1, 0)
	h.editNode(2, func(n *corev1.Node) { n.Labels = map[string]string{"pool": "edge"} })
	h.instanceTargets("the newly labelled node registered", 1, 0, 2)
}

// TestMultiClusterTargetGroupLeavesOtherClustersTargets: in a shared target
// group a target another cluster registered survives lbsg's reconciles;
// lbsg keeps LBC's record of its own targets; on the Service's deletion
// the target group goes (as with LBC, which deletes it with the stack)
// without a deregistration of the foreign target, and the record with it.
func TestMultiClusterTargetGroupLeavesOtherClustersTargets(t *testing.T) {
	h := start(t, nil)
	// Node 2 is another cluster's: excluded here, registered by "them".
	h.editNode(2, func(n *corev1.Node) { n.Labels = map[string]string{model.LabelExcludeFromLB: "true"} })
	svc := h.nlbService("web", 80)
	svc.Annotations[annotations.SvcMultiClusterTargetGroup] = "true"
	h.create(svc)
	w := h.instanceTargets("this cluster's nodes", 1, 0, 1)
	var tgName string
	for name := range w.tgs {
		tgName = name
	}
	ctx := t.Context()
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{tgName}})
	if err != nil {
		t.Fatal(err)
	}
	tg := tgs.TargetGroups[0]
	foreign := h.seed.Instances[2]
	if _, err := h.emu.ELBv2.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn,
		Targets: []elbv2types.TargetDescription{{Id: aws.String(foreign), Port: tg.Port}}}); err != nil {
		t.Fatal(err)
	}

	cm := &corev1.ConfigMap{}
	testenv.Eventually(t, "LBC's record of this cluster's targets", func(ctx context.Context) (bool, error) {
		err := h.kube.Client.Get(ctx, client.ObjectKey{Namespace: svc.Namespace, Name: multicluster.Name(tgName)}, cm)
		return err == nil, client.IgnoreNotFound(err)
	})
	want := multicluster.Format([]model.Target{{ID: h.seed.Instances[0], Port: aws.ToInt32(tg.Port)}, {ID: h.seed.Instances[1], Port: aws.ToInt32(tg.Port)}})
	if cm.Data["targets"] != want {
		t.Errorf("record %q, want %q", cm.Data["targets"], want)
	}

	// Node 0 leaves: lbsg deregisters it, and only it.
	h.editNode(0, func(n *corev1.Node) { n.Labels = map[string]string{model.LabelExcludeFromLB: "true"} })
	h.instanceTargets("node 0 deregistered, the foreign target kept", 1, 1, 2)
	h.quiesce()
	h.instanceTargets("the foreign target still there", 1, 1, 2)

	deregs := h.emu.Server.Calls().Count("DeregisterTargets")
	if err := h.kube.Client.Delete(ctx, svc); err != nil {
		t.Fatal(err)
	}
	h.waitGone(svc)
	h.eventually("the target group deleted", func(w world) string {
		if len(w.tgs) != 0 {
			return fmt.Sprintf("tgs %v", w.tgs)
		}
		return ""
	})
	if n := h.emu.Server.Calls().Count("DeregisterTargets") - deregs; n != 0 {
		t.Errorf("%d DeregisterTargets on deletion, want none", n)
	}
	err = h.kube.Client.Get(ctx, client.ObjectKey{Namespace: svc.Namespace, Name: multicluster.Name(tgName)}, &corev1.ConfigMap{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("record after deletion: %v, want NotFound", err)
	}
}

// TestIngressInstanceTargetsFollowNodeRules: an ALB's instance target group
// takes the Ingress's target-node-labels, and a node labelled
// exclude-from-external-load-balancers leaves it.
func TestIngressInstanceTargetsFollowNodeRules(t *testing.T) {
	h := start(t, nil)
	for _, i := range []int{0, 1} {
		h.editNode(i, func(n *corev1.Node) { n.Labels = map[string]string{"pool": "web"} })
	}
	h.create(h.nodePortService("web"))
	h.create(h.albIngress("shop", "/", "web", map[string]string{
		annotations.IngTargetType: "instance", annotations.IngTargetNodeLabels: "pool=web"}))
	h.instanceTargets("the labelled nodes", 1, 0, 1)
	h.quiesce()
	calls := h.emu.Server.Calls()
	h.editNode(1, func(n *corev1.Node) { n.Labels[model.LabelExcludeFromLB] = "" })
	testenv.Eventually(t, "the deregistration", func(context.Context) (bool, error) {
		return h.emu.Server.Calls().Count("DeregisterTargets") > calls.Count("DeregisterTargets"), nil
	})
	h.quiesce()
	t.Logf("AWS calls for the label: %v", callDelta(calls, h.emu.Server.Calls()))
	h.instanceTargets("the excluded node deregistered", 1, 0)
}
