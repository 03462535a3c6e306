package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

func readyNode(name string, mod func(*Node)) Node {
	n := Node{Name: name, InstanceID: "i-" + name, ENIID: "eni-" + name, Ready: corev1.ConditionTrue,
		SecurityGroups: []SecurityGroupInfo{{ID: "sg-" + name}}}
	if mod != nil {
		mod(&n)
	}
	return n
}

func labelled(kv ...string) func(*Node) {
	return func(n *Node) {
		n.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			n.Labels[kv[i]] = kv[i+1]
		}
	}
}

func tainted(key string, effect corev1.TaintEffect) func(*Node) {
	return func(n *Node) { n.Taints = []corev1.Taint{{Key: key, Effect: effect}} }
}

func ready(s corev1.ConditionStatus) func(*Node) { return func(n *Node) { n.Ready = s } }

func names(ns []Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

func TestTargetNodesFollowLBCNodeRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		node     func(*Node)
		selector map[string]string
		target   bool
	}{
		{"a ready EC2 node is a target", nil, nil, true},
		{"exclude-from-external-load-balancers=true excludes", labelled(LabelExcludeFromLB, "true"), nil, false},
		{"exclude-from-external-load-balancers with any value excludes, even false", labelled(LabelExcludeFromLB, "false"), nil, false},
		{"exclude-from-external-load-balancers with an empty value excludes", labelled(LabelExcludeFromLB, ""), nil, false},
		{"the legacy exclude-balancer label excludes", labelled(LabelExcludeBalancerLegacy, "true"), nil, false},
		{"a legacy control-plane node is excluded", labelled(LabelControlPlaneLegacy, ""), nil, false},
		{"the control-plane label of today does not exclude", labelled("node-role.kubernetes.io/control-plane", ""), nil, true},
		{"a Fargate node is excluded", labelled(LabelComputeType, "fargate"), nil, false},
		{"an EC2 compute-type node is kept", labelled(LabelComputeType, "ec2"), nil, true},
		{"Cluster Autoscaler's deletion taint excludes whatever its effect", tainted(TaintClusterAutoscalerDelete, corev1.TaintEffectPreferNoSchedule), nil, false},
		{"Karpenter's disrupted NoSchedule taint excludes", tainted(TaintKarpenterDisrupted, corev1.TaintEffectNoSchedule), nil, false},
		{"Karpenter's disrupted taint with another effect does not exclude", tainted(TaintKarpenterDisrupted, corev1.TaintEffectNoExecute), nil, true},
		{"an unrelated NoSchedule taint does not exclude", tainted("dedicated", corev1.TaintEffectNoSchedule), nil, true},
		{"a not-Ready node is excluded", ready(corev1.ConditionFalse), nil, false},
		{"a node without a Ready condition is excluded", ready(""), nil, false},
		{"target-node-labels: a node with every label and value is a target", labelled("pool", "edge", "zone", "a"), map[string]string{"pool": "edge"}, true},
		{"target-node-labels: a different value excludes", labelled("pool", "batch"), map[string]string{"pool": "edge"}, false},
		{"target-node-labels: a missing label excludes", nil, map[string]string{"pool": "edge"}, false},
		{"target-node-labels: an empty value needs the label with an empty value", labelled("edge", ""), map[string]string{"edge": ""}, true},
		{"a non-EC2 node is never a target", func(n *Node) { n.InstanceID = "" }, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes := []Node{readyNode("a", tc.node)}
			got := len(TargetNodes(nodes, tc.selector)) == 1
			if got != tc.target {
				t.Errorf("target = %v, want %v", got, tc.target)
			}
		})
	}
}

func TestTargetNodesFailOpenOnUnknownReadiness(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes []Node
		want  []string
	}{
		{"ready nodes only, while any is Ready", []Node{readyNode("a", nil), readyNode("b", ready(corev1.ConditionUnknown)), readyNode("c", ready(corev1.ConditionFalse))}, []string{"a"}},
		{"with none Ready, the Unknown ones", []Node{readyNode("a", ready(corev1.ConditionFalse)), readyNode("b", ready(corev1.ConditionUnknown)), readyNode("c", ready(corev1.ConditionUnknown))}, []string{"b", "c"}},
		{"an excluded Ready node does not stop the fail-open", []Node{readyNode("a", labelled(LabelExcludeFromLB, "true")), readyNode("b", ready(corev1.ConditionUnknown))}, []string{"b"}},
		{"all False: none", []Node{readyNode("a", ready(corev1.ConditionFalse))}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eq(t, "targets", names(TargetNodes(tc.nodes, nil)), tc.want)
		})
	}
}

func instanceSvc(ann map[string]string) *corev1.Service {
	svc := svcLocal()
	svc.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	svc.Spec.HealthCheckNodePort = 0
	for k, v := range ann {
		svc.Annotations[k] = v
	}
	return svc
}

func threeNodes() []Node {
	return []Node{
		readyNode("a", labelled("pool", "edge")),
		readyNode("b", labelled("pool", "edge", LabelExcludeFromLB, "true")),
		readyNode("c", labelled("pool", "batch")),
	}
}

func TestServiceInstanceTargetsAndTargetSGsFollowNodeSelection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ann     map[string]string
		targets []Target
		sgs     []string
	}{
		{"without target-node-labels every eligible node", nil,
			[]Target{{ID: "i-a", Port: 31223}, {ID: "i-c", Port: 31223}}, []string{"sg-a", "sg-c"}},
		{"target-node-labels selects", map[string]string{annotations.SvcTargetNodeLabels: "pool=edge"},
			[]Target{{ID: "i-a", Port: 31223}}, []string{"sg-a"}},
		{"target-node-labels matching nothing leaves the group empty", map[string]string{annotations.SvcTargetNodeLabels: "pool=none"},
			nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts()
			f.Nodes = threeNodes()
			st, _ := mustBuild(t, instanceSvc(tc.ann), f, defaults())
			eq(t, "targets", st.TargetGroups[0].Targets, tc.targets)
			var sgs []string
			for _, r := range st.TargetRules {
				if len(sgs) == 0 || sgs[len(sgs)-1] != r.GroupID {
					sgs = append(sgs, r.GroupID)
				}
			}
			eq(t, "target SGs", sgs, tc.sgs)
		})
	}
}

// LBC registers every eligible node for externalTrafficPolicy Local too, not
// only the nodes with a local endpoint: the health check on the
// healthCheckNodePort takes the others out of service.
func TestLocalPolicyRegistersEveryEligibleNode(t *testing.T) {
	f := facts()
	f.Nodes = threeNodes()
	f.Endpoints = []Endpoint{{IP: "10.0.1.5", NodeName: "a"}}
	st, _ := mustBuild(t, svcLocal(), f, defaults())
	eq(t, "targets", st.TargetGroups[0].Targets, []Target{{ID: "i-a", Port: 31223}, {ID: "i-c", Port: 31223}})
	eq(t, "HC port", st.TargetGroups[0].HealthCheck.Port, "29123")
}

func TestMultiClusterTargetGroupFlag(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ann   map[string]string
		multi bool
	}{
		{"off by default", nil, false},
		{"true: the group is shared", map[string]string{annotations.SvcMultiClusterTargetGroup: "true"}, true},
		{"false: off", map[string]string{annotations.SvcMultiClusterTargetGroup: "false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := mustBuild(t, instanceSvc(tc.ann), facts(), defaults())
			eq(t, "multi-cluster", st.TargetGroups[0].MultiCluster, tc.multi)
			eq(t, "tracked (the deployer's)", st.TargetGroups[0].Tracked == nil, true)
		})
	}
}

func TestNodeTargetingChangedEnqueuesOnTheTransitionsLBCDoes(t *testing.T) {
	node := func(ready corev1.ConditionStatus, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
		n := &corev1.Node{}
		n.Labels, n.Spec.Taints = labels, taints
		if ready != "" {
			n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
		}
		return n
	}
	exclude := map[string]string{LabelExcludeFromLB: "true"}
	ca := corev1.Taint{Key: TaintClusterAutoscalerDelete, Effect: corev1.TaintEffectNoSchedule}
	for _, tc := range []struct {
		name          string
		before, after *corev1.Node
		selector      map[string]string
		want          bool
	}{
		{"a ready node gets the exclusion label", node("True", nil), node("True", exclude), nil, true},
		{"an excluded node loses the label", node("True", exclude), node("True", nil), nil, true},
		{"a not-ready node gets the exclusion label: it was no target", node("False", nil), node("False", exclude), nil, false},
		{"a target node becomes not ready", node("True", nil), node("False", nil), nil, true},
		{"readiness flips on an excluded node", node("True", exclude), node("False", exclude), nil, false},
		{"Cluster Autoscaler taints a ready node", node("True", nil), node("True", nil, ca), nil, true},
		{"an unrelated label changes", node("True", map[string]string{"a": "1"}), node("True", map[string]string{"a": "2"}), nil, false},
		{"a node gains the selected label", node("True", nil), node("True", map[string]string{"pool": "edge"}), map[string]string{"pool": "edge"}, true},
		{"a node outside the selection changes readiness", node("True", nil), node("False", nil), map[string]string{"pool": "edge"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NodeTargetingChanged(tc.before, tc.after, tc.selector); got != tc.want {
				t.Errorf("changed = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIngressInstanceTargetsFollowNodeSelection(t *testing.T) {
	p := annotations.IngressPrefix
	for _, tc := range []struct {
		name         string
		ing, svc     map[string]string
		targets      []Target
		multiCluster bool
	}{
		{"every eligible node", nil, nil, []Target{{ID: "i-a", Port: 32768}, {ID: "i-c", Port: 32768}}, false},
		{"the Ingress's target-node-labels", map[string]string{p + "target-node-labels": "pool=edge"}, nil,
			[]Target{{ID: "i-a", Port: 32768}}, false},
		{"the Service's target-node-labels win over the Ingress's", map[string]string{p + "target-node-labels": "pool=edge"},
			map[string]string{p + "target-node-labels": "pool=batch"}, []Target{{ID: "i-c", Port: 32768}}, false},
		{"multi-cluster on the Ingress", map[string]string{p + "multi-cluster-target-group": "true"}, nil,
			[]Target{{ID: "i-a", Port: 32768}, {ID: "i-c", Port: 32768}}, true},
		{"multi-cluster on the Service", nil, map[string]string{p + "multi-cluster-target-group": "true"},
			[]Target{{ID: "i-a", Port: 32768}, {ID: "i-c", Port: 32768}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := simple("ns-1", "ing-1", tc.ing)
			m.Services["svc-1"].Annotations = tc.svc
			f := ingFacts()
			f.Nodes = threeNodes()
			st := buildOne(t, m, f, ingDefaults())
			eq(t, "targets", st.TargetGroups[0].Targets, tc.targets)
			eq(t, "multi-cluster", st.TargetGroups[0].MultiCluster, tc.multiCluster)
		})
	}
}
