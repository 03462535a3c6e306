package planview

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/model"
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

// String is the change as one line: "<op> <action> <resource>: <detail>".
func (c Change) String() string {
	s := string(c.Op) + " " + c.Action + " " + c.Resource
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

// StackPlan is the plan of one stack: a Service's NLB or an IngressGroup's
// ALB.
type StackPlan struct {
	Stack        string `json:"stack"`
	LoadBalancer string `json:"loadBalancer,omitempty"`
	// LoadBalancerType is network or application.
	LoadBalancerType string `json:"loadBalancerType,omitempty"`
	Error            string `json:"error,omitempty"`
	// Failed are the Ingresses of a group that failed to build and are
	// left out of its plan, with why.
	Failed   []string `json:"failed,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Placeholders explain the stand-ins for ports not known before the
	// Services are applied, as "<nodePort>: the NodePort the apiserver
	// allocates to port 443/TCP of service shop/api when it is applied".
	Placeholders []string `json:"placeholders,omitempty"`
	Changes      []Change `json:"changes"`
}

// TargetSGPlan is the plan of the owned rules of one target (node) SG.
type TargetSGPlan struct {
	GroupID string   `json:"groupId"`
	Changes []Change `json:"changes"`
}

// Summary counts changes by Op, and what failed to build: Services and
// IngressGroups (a stack's Error) and Ingresses left out of their group.
type Summary struct {
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
	Errors int `json:"errors"`
}

// Result is a whole plan.
type Result struct {
	Cluster string `json:"cluster"`
	Live    bool   `json:"live"`
	// Notes name what was left out of the plan and why.
	Notes     []string       `json:"notes,omitempty"`
	Stacks    []StackPlan    `json:"stacks"`
	TargetSGs []TargetSGPlan `json:"targetSecurityGroups"`
	Summary   Summary        `json:"summary"`
}

// Compute plans every Service and IngressGroup of objs that lbsg handles
// under s, against c (nil: against nothing, everything is created). The
// objects are manifests, maybe not applied yet: ports the apiserver
// allocates on apply and those of Ingress backend Services not in the
// input are taken from objs.ClusterServices, else planned as placeholders
// (withPlaceholderPorts).
func Compute(ctx context.Context, c Cloud, objs Objects, s Settings) (Result, error) {
	d := s.Defaults
	objs, ports := withPlaceholderPorts(objs.deduped())
	res := Result{Cluster: d.ClusterName, Live: c != nil}
	if c == nil {
		c, objs.Nodes = offline{cluster: d.ClusterName}, offlineNodes(objs.Nodes)
	}
	nodes, err := service.NodeFacts(ctx, c, objs.Nodes)
	if err != nil {
		return res, fmt.Errorf("reading nodes: %w", err)
	}
	backend, err := c.FindBackendSG(ctx)
	if err != nil {
		return res, fmt.Errorf("finding the backend security group: %w", err)
	}
	backend = cmp.Or(backend, PlaceholderBackendSG)
	contributions := map[string][]rules.Set{}
	managedIDs := map[string]bool{} // managed SGs of planned stacks, for target-SG revokes
	all, notes := buildAll(ctx, c, objs, nodes, s)
	res.Notes = notes
	for _, b := range all {
		sp := planStack(b, d, backend, len(objs.Nodes) > 0, ports)
		if b.err == nil {
			addonChanges(ctx, c, b, &sp)
		}
		res.Stacks = append(res.Stacks, sp)
		if b.err != nil {
			continue
		}
		managed := "sg-<new:" + b.id.ID() + ">"
		if len(b.snap.ManagedSGs) > 0 {
			managed = b.snap.ManagedSGs[0].ID
			managedIDs[managed] = true
		}
		for sg, set := range model.ResolveTargetRules(b.stack, d.ClusterName, backend, managed) {
			contributions[sg] = append(contributions[sg], set)
		}
	}
	var observed []*state.SG
	if res.Live {
		if observed, err = c.FindSecurityGroups(ctx, func(map[string]string) bool { return true }); err != nil {
			return res, fmt.Errorf("reading security groups: %w", err)
		}
	}
	res.TargetSGs = planTargetSGs(observed, contributions, managedIDs, d.ClusterName, ports.names())
	res.Summary = summarize(res)
	return res, nil
}

// planStack diffs one built stack against its snapshot.
func planStack(b built, d model.Defaults, backend string, haveNodes bool, ports *portPlaceholders) StackPlan {
	sp := StackPlan{Stack: b.id.String(), Failed: b.failed, Warnings: b.warnings}
	switch {
	case b.readErr:
		sp.Error = "reading AWS: " + b.err.Error()
		return sp
	case b.err != nil:
		sp.Error = b.err.Error()
		return sp
	}
	if lb := b.stack.LoadBalancer; lb != nil {
		sp.LoadBalancer, sp.LoadBalancerType = lb.Name, cmp.Or(lb.Type, model.TypeNetwork)
	}
	snap := b.snap
	snap.BackendSG = backend
	snap.Cluster, snap.ExternalManagedTags = d.ClusterName, d.ExternalManagedTags
	managed := plan.Managed
	if len(snap.ManagedSGs) > 0 {
		managed = snap.ManagedSGs[0].ID
	}
	actions, skipped := withoutUnknownTargets(plan.Diff(b.stack, snap), b.haveSlices, haveNodes)
	if skipped != "" {
		sp.Warnings = append(sp.Warnings, skipped)
	}
	sp.Changes = changes(actions, managed, backend, ports.names())
	sp.Placeholders = ports.placeholdersOf(b.stack)
	return sp
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
				why = append(why, "no EndpointSlice of a target Service given")
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

// planTargetSGs diffs the owned rules of each target SG (observed: the
// VPC's SGs, nil offline) against the union of the planned stacks' rules
// (coalesced as the targetsg controller does). Revokes are limited to
// rules citing a planned managed SG.
func planTargetSGs(observedSGs []*state.SG, contributions map[string][]rules.Set, managedIDs map[string]bool, cluster string, ports portNames) []TargetSGPlan {
	observed := map[string]rules.Set{}
	for _, sg := range observedSGs {
		if owned := ownedRules(sg, cluster); len(owned) > 0 {
			observed[sg.ID] = owned
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
			ch = append(ch, Change{Op: OpCreate, Action: plan.AuthorizeIngress.String(), Resource: id, Detail: ports.key(k) + describe(want[k])})
		}
		for _, k := range sortedKeys(have.Minus(want)) {
			if managedIDs[k.Peer] {
				ch = append(ch, Change{Op: OpDelete, Action: plan.RevokeIngress.String(), Resource: id, Detail: ports.key(k) + describe(have[k])})
			}
		}
		if len(ch) > 0 {
			out = append(out, TargetSGPlan{GroupID: id, Changes: ch})
		}
	}
	return out
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
		// A group none of whose Ingresses builds fails for them: count
		// each Ingress once.
		switch {
		case len(sp.Failed) > 0:
			s.Errors += len(sp.Failed)
		case sp.Error != "":
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

// addonChanges adds to sp the WAF and Shield writes the controller would
// make (deploy.PlanAddons): read from AWS with --live (the flags'
// --enable-* apply), else for a load balancer that has none yet. A read
// that fails is a warning: the plan shows everything else.
func addonChanges(ctx context.Context, c Cloud, b built, sp *StackPlan) {
	lb := b.stack.LoadBalancer
	if lb == nil || b.stack.Addons.IsZero() {
		return
	}
	prov, _ := c.(*state.Provider)
	lbARN := ""
	if prov != nil && b.snap.LoadBalancer != nil {
		lbARN = b.snap.LoadBalancer.ARN
	}
	steps, err := deploy.PlanAddons(ctx, prov, lbARN, b.stack.Addons)
	if err != nil {
		sp.Warnings = append(sp.Warnings, "reading the load balancer's add-ons: "+err.Error())
		return
	}
	for _, st := range steps {
		op, what := OpCreate, "web ACL of load balancer "
		if strings.HasPrefix(st.Action, "Disassociate") || strings.HasPrefix(st.Action, "Delete") {
			op = OpDelete
		}
		if strings.HasSuffix(st.Action, "Protection") {
			what = "Shield protection of load balancer "
		}
		sp.Changes = append(sp.Changes, Change{Op: op, Action: st.Action, Resource: what + lb.Name, Detail: st.Value})
	}
}
