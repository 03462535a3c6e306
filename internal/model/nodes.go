package model

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Node labels and taints that decide whether a node is an instance target,
// as LBC v3.6.2's pkg/backend has them.
const (
	// LabelExcludeFromLB on a node, with any value (even "false"), keeps it
	// out of every instance target group: LBC selects nodes where the key
	// does not exist.
	LabelExcludeFromLB = "node.kubernetes.io/exclude-from-external-load-balancers"
	// LabelExcludeBalancerLegacy is the alpha form of LabelExcludeFromLB.
	LabelExcludeBalancerLegacy = "alpha.service-controller.kubernetes.io/exclude-balancer"
	// LabelControlPlaneLegacy (any value) marks a control-plane node.
	LabelControlPlaneLegacy = "node-role.kubernetes.io/master"
	// LabelComputeType "fargate" marks an EKS Fargate node.
	LabelComputeType = "eks.amazonaws.com/compute-type"

	// TaintClusterAutoscalerDelete (any effect) is Cluster Autoscaler's
	// mark on a node it is about to remove.
	TaintClusterAutoscalerDelete = "ToBeDeletedByClusterAutoscaler"
	// TaintKarpenterDisrupted with effect NoSchedule is Karpenter's mark on
	// a node it is disrupting.
	TaintKarpenterDisrupted = "karpenter.sh/disrupted"
)

// NodeTargetable reports whether n may proxy traffic for an instance target
// group whose target-node-labels are selector (nil: none): an EC2 node
// that is no control-plane or Fargate node, carries neither exclusion
// label, is not being removed by Cluster Autoscaler or Karpenter, and has
// every selector label with its value. Its Ready condition is not judged
// here (see TargetNodes).
func NodeTargetable(n Node, selector map[string]string) bool {
	if n.InstanceID == "" {
		return false
	}
	for _, k := range []string{LabelControlPlaneLegacy, LabelExcludeFromLB, LabelExcludeBalancerLegacy} {
		if _, ok := n.Labels[k]; ok {
			return false
		}
	}
	if n.Labels[LabelComputeType] == "fargate" {
		return false
	}
	for _, t := range n.Taints {
		if t.Key == TaintClusterAutoscalerDelete ||
			(t.Key == TaintKarpenterDisrupted && t.Effect == corev1.TaintEffectNoSchedule) {
			return false
		}
	}
	for k, v := range selector {
		if have, ok := n.Labels[k]; !ok || have != v {
			return false
		}
	}
	return true
}

// TargetNodes are the instance targets among nodes: the targetable ones
// (NodeTargetable) whose Ready condition is True; when none is, those
// whose Ready condition is Unknown (LBC's EndpointsFailOpen, on by
// default and the only setting lbsg accepts). A node without a Ready
// condition, or Ready False, is never a target. Nodes whose readiness
// flips therefore leave and rejoin the target groups, as with LBC.
func TargetNodes(nodes []Node, selector map[string]string) []Node {
	var cands []Node
	for _, n := range nodes {
		if NodeTargetable(n, selector) {
			cands = append(cands, n)
		}
	}
	pick := func(s corev1.ConditionStatus) []Node {
		var out []Node
		for _, n := range cands {
			if n.Ready == s {
				out = append(out, n)
			}
		}
		return out
	}
	if out := pick(corev1.ConditionTrue); len(out) > 0 {
		return out
	}
	return pick(corev1.ConditionUnknown)
}

// NodeReadyStatus is the status of n's Ready condition, "" without one.
func NodeReadyStatus(n *corev1.Node) corev1.ConditionStatus {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return ""
}

// NodeTargetingChanged reports whether a Node update (before → after, the same
// EC2 instance) can change the instance targets of a stack whose
// target-node-labels are selector: the node became or stopped being
// targetable (NodeTargetable) while not known not-ready, or its readiness
// changed while targetable (readiness decides, with fail-open, which
// targetable nodes are targets). LBC enqueues its TargetGroupBindings on
// the same transitions.
func NodeTargetingChanged(before, after *corev1.Node, selector map[string]string) bool {
	view := func(n *corev1.Node) (bool, corev1.ConditionStatus) {
		ready := NodeReadyStatus(n)
		if ready == "" {
			ready = corev1.ConditionFalse
		}
		return NodeTargetable(Node{InstanceID: "-", Labels: n.Labels, Taints: n.Spec.Taints}, selector), ready
	}
	wasTarget, wasReady := view(before)
	isTarget, isReady := view(after)
	switch {
	case wasTarget && isTarget:
		return wasReady != isReady
	case wasTarget:
		return wasReady != corev1.ConditionFalse
	case isTarget:
		return isReady != corev1.ConditionFalse
	}
	return false
}

// ServiceInstanceNodeSelector reports whether svc's load balancer has
// instance targets and, if so, its target-node-labels. A Service whose
// annotations do not parse reports instance targets with err: its next
// build reports the problem.
func ServiceInstanceNodeSelector(svc *corev1.Service, d Defaults) (map[string]string, bool, error) {
	cfg, err := annotations.ParseService(svc.Annotations)
	if err != nil {
		return nil, true, err
	}
	b := &builder{svc: svc, cfg: cfg, d: d}
	if b.targetType() != annotations.TargetTypeInstance {
		return nil, false, nil
	}
	return cfg.TargetNodeLabels, true, nil
}
