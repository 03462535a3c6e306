package planview

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
	"github.com/lbsg/lbsg/internal/rules"
)

// Op is the sign of a Change.
type Op string

// Ops.
const (
	OpCreate Op = "+"
	OpUpdate Op = "~"
	OpDelete Op = "-"
)

// Change is one line of a plan.
type Change struct {
	Op       Op     `json:"op"`
	Action   string `json:"action"`   // plan.Kind name
	Resource string `json:"resource"` // what is acted on
	Detail   string `json:"detail,omitempty"`
}

// StackPlan is the plan of one Service.
type StackPlan struct {
	Stack        string   `json:"stack"`
	LoadBalancer string   `json:"loadBalancer,omitempty"`
	Error        string   `json:"error,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
	Changes      []Change `json:"changes"`
}

// TargetSGPlan is the plan of the owned rules of one target (node) SG.
type TargetSGPlan struct {
	GroupID string   `json:"groupId"`
	Changes []Change `json:"changes"`
}

// Summary counts changes by Op.
type Summary struct {
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
	Errors int `json:"errors"`
}

// Result is a whole plan.
type Result struct {
	Cluster   string         `json:"cluster"`
	Live      bool           `json:"live"`
	Stacks    []StackPlan    `json:"stacks"`
	TargetSGs []TargetSGPlan `json:"targetSecurityGroups"`
	Summary   Summary        `json:"summary"`
}

// Compute plans every Service of objs that lbsg handles under d, against
// c (nil: against nothing, everything is created).
func Compute(ctx context.Context, c Cloud, objs Objects, d model.Defaults) (Result, error) {
	res := Result{Cluster: d.ClusterName, Live: c != nil}
	nodes, err := Nodes(ctx, c, objs.Nodes, d.ClusterName)
	if err != nil {
		return res, fmt.Errorf("reading nodes: %w", err)
	}
	backend := PlaceholderBackendSG
	if c != nil {
		id, err := c.FindBackendSG(ctx)
		if err != nil {
			return res, fmt.Errorf("finding the backend security group: %w", err)
		}
		backend = cmp.Or(id, backend)
	}
	svcs := slices.Clone(objs.Services)
	slices.SortFunc(svcs, func(a, b corev1.Service) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	contributions := map[string][]rules.Set{}
	managedIDs := map[string]bool{} // managed SGs of planned stacks, for target-SG revokes
	for i := range svcs {
		svc := &svcs[i]
		if svc.Namespace == "" {
			svc.Namespace = corev1.NamespaceDefault
		}
		if !model.Handled(svc, d) {
			continue
		}
		sp, stack, snap, ok := planService(ctx, c, svc, objs, nodes, d, backend)
		res.Stacks = append(res.Stacks, sp)
		if !ok {
			continue
		}
		managed := "sg-<new:" + stack.ID.ID() + ">"
		if len(snap.ManagedSGs) > 0 {
			managed = snap.ManagedSGs[0].ID
			managedIDs[managed] = true
		}
		for sg, set := range model.ResolveTargetRules(stack, d.ClusterName, backend, managed) {
			contributions[sg] = append(contributions[sg], set)
		}
	}
	tsgs, err := planTargetSGs(ctx, c, contributions, managedIDs, d.ClusterName)
	if err != nil {
		return res, err
	}
	res.TargetSGs = tsgs
	res.Summary = summarize(res)
	return res, nil
}

func planService(ctx context.Context, c Cloud, svc *corev1.Service, objs Objects, nodes []model.Node, d model.Defaults, backend string) (StackPlan, model.Stack, plan.Snapshot, bool) {
	sp := StackPlan{Stack: naming.ServiceStack(svc.Namespace, svc.Name).String()}
	f, snap, err := facts(ctx, c, svc, objs, nodes, d)
	if err != nil {
		sp.Error = "reading AWS: " + err.Error()
		return sp, model.Stack{}, snap, false
	}
	stack, warns, err := model.Build(svc, f, d)
	if err != nil {
		sp.Error = err.Error()
		return sp, model.Stack{}, snap, false
	}
	for _, w := range warns {
		sp.Warnings = append(sp.Warnings, w.Reason+": "+w.Message)
	}
	if stack.LoadBalancer != nil {
		sp.LoadBalancer = stack.LoadBalancer.Name
	}
	snap.BackendSG = backend
	snap.Cluster, snap.ExternalManagedTags = d.ClusterName, d.ExternalManagedTags
	managed := plan.Managed
	if len(snap.ManagedSGs) > 0 {
		managed = snap.ManagedSGs[0].ID
	}
	actions, skipped := withoutUnknownTargets(plan.Diff(stack, snap), len(f.Endpoints) > 0 || hasSlices(objs, svc), len(objs.Nodes) > 0)
	if skipped != "" {
		sp.Warnings = append(sp.Warnings, skipped)
	}
	sp.Changes = Changes(actions, managed, backend)
	return sp, stack, snap, true
}

func hasSlices(objs Objects, svc *corev1.Service) bool {
	for _, s := range objs.EndpointSlices {
		if s.Namespace == svc.Namespace && s.Labels[discoveryv1.LabelServiceName] == svc.Name {
			return true
		}
	}
	return false
}

// withoutUnknownTargets drops target (de)registrations the input cannot
// decide: of ip target groups when no EndpointSlice of the Service was
// given, of instance target groups when no Node was.
func withoutUnknownTargets(actions []plan.Action, haveSlices, haveNodes bool) ([]plan.Action, string) {
	var out []plan.Action
	var why []string
	for _, a := range actions {
		if (a.Kind == plan.RegisterTargets || a.Kind == plan.DeregisterTargets) && a.TargetGroup != nil {
			if a.TargetGroup.TargetType == "ip" && !haveSlices {
				why = append(why, "no EndpointSlice of the Service given")
				continue
			}
			if a.TargetGroup.TargetType == "instance" && !haveNodes {
				why = append(why, "no Node given")
				continue
			}
		}
		out = append(out, a)
	}
	if len(why) == 0 {
		return out, ""
	}
	return out, "targets not planned: " + strings.Join(slices.Compact(why), "; ") + " (add them to -f, or --kubeconfig with --live)"
}

// planTargetSGs diffs the owned rules of each target SG against the union
// of the planned Services' rules (coalesced as the targetsg controller
// does). Revokes are limited to rules citing a planned managed SG.
func planTargetSGs(ctx context.Context, c Cloud, contributions map[string][]rules.Set, managedIDs map[string]bool, cluster string) ([]TargetSGPlan, error) {
	observed := map[string]rules.Set{}
	if c != nil {
		sgs, err := c.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
		if err != nil {
			return nil, fmt.Errorf("reading security groups: %w", err)
		}
		for _, sg := range sgs {
			if owned := ownedRules(sg, cluster); len(owned) > 0 {
				observed[sg.ID] = owned
			}
		}
	}
	ids := slices.Sorted(maps.Keys(contributions))
	for id := range observed {
		if _, ok := contributions[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var out []TargetSGPlan
	for _, id := range ids {
		want := rules.Set{}
		for _, s := range contributions[id] {
			want = want.Union(s)
		}
		want = model.Coalesce(want)
		have := observed[id]
		var ch []Change
		for _, k := range sortedKeys(want.Minus(have)) {
			ch = append(ch, Change{Op: OpCreate, Action: plan.AuthorizeIngress.String(), Resource: id, Detail: k.String() + describe(want[k])})
		}
		for _, k := range sortedKeys(have.Minus(want)) {
			if managedIDs[k.Peer] {
				ch = append(ch, Change{Op: OpDelete, Action: plan.RevokeIngress.String(), Resource: id, Detail: k.String() + describe(have[k])})
			}
		}
		if len(ch) > 0 {
			out = append(out, TargetSGPlan{GroupID: id, Changes: ch})
		}
	}
	return out, nil
}

func summarize(r Result) Summary {
	var s Summary
	count := func(ch []Change) {
		for _, c := range ch {
			switch c.Op {
			case OpCreate:
				s.Create++
			case OpUpdate:
				s.Update++
			case OpDelete:
				s.Delete++
			}
		}
	}
	for _, sp := range r.Stacks {
		count(sp.Changes)
		if sp.Error != "" {
			s.Errors++
		}
	}
	for _, t := range r.TargetSGs {
		count(t.Changes)
	}
	return s
}

func sortedKeys(s rules.Set) []rules.Key {
	return slices.SortedFunc(maps.Keys(s), rules.Compare)
}

func describe(desc string) string {
	if desc == "" {
		return ""
	}
	return fmt.Sprintf(" %q", desc)
}
