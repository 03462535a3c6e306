package planview

import (
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// StackTargets is a target group of a stack as the controller would sync
// it: the targets the model registers and those registered (as the
// stack's Snapshot read them: one DescribeTargetHealth, draining targets
// left out).
type StackTargets struct {
	Stack      naming.Stack
	ARN, Name  string
	ResourceID string
	// MultiCluster: multi-cluster-target-group; the record of this
	// cluster's targets is the ConfigMap multicluster.Name(Name) in the
	// namespace of ResourceID.
	MultiCluster       bool
	Wanted, Registered []model.Target
	// LeftAlone says why the controller does not sync the group (its
	// stack did not build: unsupported, or a failure); Wanted is then
	// unknown. "" when it does.
	LeftAlone string
}

// stackTargets are b's target groups: those its model matches to an
// existing group, as plan.Diff matches them (resource ID, compatible), or,
// when b did not build, every group its Snapshot holds, left alone. A group
// the model no longer wants (the controller deletes it) is not listed.
func stackTargets(b built) []StackTargets {
	var out []StackTargets
	if b.err != nil {
		for _, o := range b.snap.TargetGroups {
			out = append(out, StackTargets{Stack: b.id, ARN: o.ARN, Name: o.Name, ResourceID: o.ResourceID,
				Registered: o.Targets, LeftAlone: b.err.Error()})
		}
		return out
	}
	if b.stack.LoadBalancer == nil {
		return nil
	}
	matched := map[string]bool{}
	for _, d := range b.stack.TargetGroups {
		for _, o := range b.snap.TargetGroups {
			if o.ResourceID != d.ResourceID || matched[o.ARN] || !plan.Compatible(d, o) {
				continue
			}
			matched[o.ARN] = true
			out = append(out, StackTargets{Stack: b.id, ARN: o.ARN, Name: o.Name, ResourceID: d.ResourceID,
				MultiCluster: d.MultiCluster, Wanted: d.Targets, Registered: o.Targets})
			break
		}
	}
	return out
}
