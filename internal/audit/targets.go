package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// UnexplainedTarget: a target registered in a target group this cluster
// owns that none of the cluster's stacks or TargetGroupBindings wants: it
// gets traffic the cluster did not mean to send it. Report only.
const UnexplainedTarget Kind = "unexplained-target"

// stateDraining is the health state of a target being deregistered.
const stateDraining = "draining"

// Target is one registration: an instance ID or IP and a port, and, for a
// registered one, its health state when known ("" when the read left it
// out).
type Target struct {
	ID    string
	Port  int32
	State string
}

// String is "id:port".
func (t Target) String() string { return t.ID + ":" + strconv.Itoa(int(t.Port)) }

// OwnedTargetGroup is a target group whose targets the cluster decides:
// made by one of its stacks, or bound by one of its TargetGroupBindings
// (even when made outside lbsg), with the targets registered in it and
// those its owners want.
type OwnedTargetGroup struct {
	ARN, Name string
	// Owners name what wants targets in it ("service ns/name",
	// "targetgroupbinding ns/name"), sorted.
	Owners []string
	// Registered are the group's targets (one DescribeTargetHealth).
	Registered []Target
	// Explained are the targets the owners want: the model's targets of a
	// stack, targetgroupbinding.Targets of a binding (States unused).
	Explained []Target
	// MultiCluster: an owner shares the group with other clusters
	// (multi-cluster-target-group, multiClusterTargetGroup), so a target
	// not explained is another cluster's unless Recorded holds it.
	MultiCluster bool
	// Recorded are the targets this cluster's records (LBC's ConfigMaps
	// aws-lbc-targets-<name>) say it registered; Records name them
	// ("ns/name"). Empty: no record, nothing is known to be this cluster's.
	Recorded []Target
	Records  []string
	// LeftAlone says why lbsg leaves the group alone (its stack asks for
	// what lbsg does not do, or did not build): its targets are not
	// judged. "" when they are.
	LeftAlone string
}

// ownedTargets reports each registered target of an owned target group
// that no owner explains: not draining (already on its way out), and, in a
// multi-cluster group, recorded by this cluster (the others belong to
// other clusters). Groups lbsg leaves alone are not judged.
func (a *auditor) ownedTargets() {
	groups := slices.Clone(a.s.OwnedTargets)
	slices.SortFunc(groups, func(x, y OwnedTargetGroup) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.ARN, y.ARN))
	})
	for _, g := range groups {
		if g.LeftAlone != "" {
			continue
		}
		for _, t := range g.Registered {
			if t.ID == "" || t.State == stateDraining || hasTarget(g.Explained, t) {
				continue
			}
			if g.MultiCluster && !hasTarget(g.Recorded, t) {
				continue // another cluster's
			}
			a.add(Finding{Kind: UnexplainedTarget, Severity: Problem, Resource: g.Name, Target: t.String(), Detail: unexplainedDetail(g, t)})
		}
	}
}

func hasTarget(ts []Target, t Target) bool {
	return slices.ContainsFunc(ts, func(x Target) bool { return x.ID == t.ID && x.Port == t.Port })
}

// unexplainedDetail says who owns the group, why they do not want the
// target, and what becomes of it.
func unexplainedDetail(g OwnedTargetGroup, t Target) string {
	var b strings.Builder
	fmt.Fprintf(&b, "target %s", t)
	if t.State != "" {
		fmt.Fprintf(&b, " (%s)", t.State)
	}
	owners := strings.Join(g.Owners, " and ")
	fmt.Fprintf(&b, " is registered but %s does not want it: ", owners)
	var ports []string
	for _, x := range g.Explained {
		if x.ID == t.ID {
			ports = append(ports, strconv.Itoa(int(x.Port)))
		}
	}
	switch {
	case len(ports) > 0:
		fmt.Fprintf(&b, "it wants %s on port %s", t.ID, strings.Join(ports, ", "))
	case len(g.Explained) == 0:
		b.WriteString("it wants no target")
	case strings.HasPrefix(t.ID, "i-"):
		fmt.Fprintf(&b, "%s is none of the %d node targets it wants", t.ID, len(g.Explained))
	default:
		fmt.Fprintf(&b, "%s is none of the %d endpoint targets it wants", t.ID, len(g.Explained))
	}
	if g.MultiCluster {
		fmt.Fprintf(&b, "; this cluster's record (%s) holds it, so it is not another cluster's", strings.Join(g.Records, ", "))
	}
	b.WriteString("; the controller deregisters it when it next reads the group (if it stays, something else registers it); audit reports it only")
	return b.String()
}
