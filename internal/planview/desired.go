package planview

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
	"github.com/lbsg/lbsg/internal/rules"
)

// Desired is what the handled Services, IngressGroups and Gateways of a
// cluster need, as audit judges AWS against it.
type Desired struct {
	// Stacks of the handled Services, of the managed Ingresses' groups and
	// of the Gateways of lbsg's classes.
	Stacks []naming.Stack
	// TargetRules are the owned rules each target SG should hold: the
	// union of every stack's, coalesced and packed as the targetsg
	// controller does.
	TargetRules map[string]rules.Set
	// LBSGs are the SG IDs each stack's existing LB should carry, by LB
	// name (only where every ID is known).
	LBSGs map[string][]string
	// Addons are the WAF and Shield asks of each stack's existing LB, by
	// LB name (only stacks that built).
	Addons map[string]model.Addons
	// BackendInUse: a stack needs the backend SG.
	BackendInUse bool
	// Errors are the stacks whose model failed to build, and Ingresses
	// whose group is unknown (invalid group name, unreadable class);
	// TargetRules may then miss their rules.
	Errors []string
	// Unsupported lists, per object, what it asks for that lbsg does not
	// do (model.UnsupportedError; for a Gateway "Gateway ns/name", its
	// configuration's gwconfig.UnsupportedError): lbsg leaves those stacks
	// alone.
	Unsupported map[string][]string
	// RefusedRoutes are the Gateway routes lbsg does not apply, by
	// "<kind> ns/name": the controller's event message (several Gateways'
	// joined by "; ").
	RefusedRoutes map[string]string
	// ListenerDrift are, by existing load balancer name, the listener,
	// certificate and rule changes the controller would make to bring its
	// listeners in line with the manifests (plan.Diff's, rendered as plan
	// renders them); none when they match.
	ListenerDrift map[string][]string
	// Unauthenticated are the internet-facing ALBs open to the whole
	// Internet that authenticate nothing (model.UnauthenticatedInternetALB):
	// LB name → stack.
	Unauthenticated map[string]naming.Stack
	// TargetGroups are the stacks' existing target groups with the targets
	// the model registers and those registered (stackTargets).
	TargetGroups []StackTargets
}

// DesiredState builds the model of every handled Service and IngressGroup
// of objs against AWS as c reads it.
func DesiredState(ctx context.Context, c Cloud, objs Objects, s Settings) (Desired, error) {
	d := s.Defaults
	objs = objs.deduped()
	out := Desired{TargetRules: map[string]rules.Set{}, LBSGs: map[string][]string{}, Addons: map[string]model.Addons{}}
	nodes, err := service.NodeFacts(ctx, c, objs.Nodes)
	if err != nil {
		return out, fmt.Errorf("reading nodes: %w", err)
	}
	backend, err := c.FindBackendSG(ctx)
	if err != nil {
		return out, fmt.Errorf("finding the backend security group: %w", err)
	}
	contributions := map[string][]rules.Set{}
	all, notes := buildAll(ctx, c, objs, nodes, s)
	// An Ingress whose class cannot be read may still be served by a group
	// the controller holds as it is: its rules are unknown.
	out.Errors = append(out.Errors, notes...)
	for _, b := range all {
		out.Stacks = append(out.Stacks, b.id)
		if b.readErr {
			return out, fmt.Errorf("reading AWS for %s: %w", b.id, b.err)
		}
		out.TargetGroups = append(out.TargetGroups, stackTargets(b)...)
		for _, rt := range slices.Sorted(maps.Keys(b.refusedRoutes)) {
			if out.RefusedRoutes == nil {
				out.RefusedRoutes = map[string]string{}
			}
			if prev := out.RefusedRoutes[rt]; prev != "" {
				out.RefusedRoutes[rt] = prev + "; " + b.refusedRoutes[rt]
				continue
			}
			out.RefusedRoutes[rt] = b.refusedRoutes[rt]
		}
		if b.err != nil {
			out.Errors = append(out.Errors, b.err.Error())
			unsupported := map[string][]string{}
			var ue *model.UnsupportedError
			var ge *gwconfig.UnsupportedError
			switch {
			case errors.As(b.err, &ue):
				unsupported = ue.Keys
			case b.id.IsGateway() && errors.As(b.err, &ge):
				unsupported["Gateway "+b.id.ID()] = []string{ge.Error()}
			}
			if len(unsupported) > 0 {
				if out.Unsupported == nil {
					out.Unsupported = map[string][]string{}
				}
				maps.Copy(out.Unsupported, unsupported)
			}
			continue
		}
		stack, snap := b.stack, b.snap
		out.BackendInUse = out.BackendInUse || stack.UsesBackendSG()
		if model.UnauthenticatedInternetALB(stack) {
			if out.Unauthenticated == nil {
				out.Unauthenticated = map[string]naming.Stack{}
			}
			out.Unauthenticated[stack.LoadBalancer.Name] = b.id
		}
		managed := ""
		if len(snap.ManagedSGs) > 0 {
			managed = snap.ManagedSGs[0].ID
		}
		if stack.LoadBalancer != nil && snap.LoadBalancer != nil {
			out.Addons[snap.LoadBalancer.Name] = stack.Addons
			if lines := listenerDrift(b, d, backend, managed); len(lines) > 0 {
				if out.ListenerDrift == nil {
					out.ListenerDrift = map[string][]string{}
				}
				out.ListenerDrift[snap.LoadBalancer.Name] = lines
			}
		}
		if lb := stack.LoadBalancer; lb != nil && snap.LoadBalancer != nil && (managed != "" || stack.ManagedSG == nil) && (backend != "" || !stack.UsesBackendSG()) {
			out.LBSGs[snap.LoadBalancer.Name] = lb.ResolveSGs(managed, backend)
		}
		for sg, set := range model.ResolveTargetRules(stack, d.ClusterName, backend, managed) {
			contributions[sg] = append(contributions[sg], set)
		}
	}
	if len(contributions) == 0 {
		return out, nil
	}
	sgs, err := c.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
	if err != nil {
		return out, fmt.Errorf("reading security groups: %w", err)
	}
	foreign := map[string]rules.Set{}
	for _, sg := range sgs {
		foreign[sg.ID] = sg.Ingress.Minus(ownedRules(sg, d.ClusterName))
	}
	for id, cs := range contributions {
		// A packing failure still returns the packed Set, which is what
		// the controller keeps trying to hold.
		want, _, _ := model.TargetSGDesired(id, cs, foreign[id], rules.DefaultRulesPerDirection)
		out.TargetRules[id] = want
	}
	return out, nil
}

// listenerKinds are the plan actions on listeners, their certificates and
// their rules.
var listenerKinds = []plan.Kind{plan.DeleteListenerBeforeQUIC, plan.CreateListener, plan.ModifyListener,
	plan.RemoveListenerCertificates, plan.AddListenerCertificates, plan.ModifyListenerAttributes,
	plan.SetRulePriorities, plan.ModifyRule, plan.CreateRule, plan.DeleteRule, plan.DeleteListener}

// listenerDrift is what plan.Diff would change on the existing load
// balancer's listeners, certificates and rules, as plan prints it.
func listenerDrift(b built, d model.Defaults, backend, managed string) []string {
	snap := b.snap
	snap.BackendSG = backend
	snap.Cluster, snap.ExternalManagedTags = d.ClusterName, d.ExternalManagedTags
	var acts []plan.Action
	for _, a := range plan.Diff(b.stack, snap) {
		if slices.Contains(listenerKinds, a.Kind) && !a.Frontend {
			acts = append(acts, a)
		}
	}
	if len(acts) == 0 {
		return nil
	}
	if managed == "" {
		managed = plan.Managed
	}
	var out []string
	for _, c := range changes(acts, managed, backend, nil) {
		out = append(out, c.String())
	}
	return out
}
