package deploy

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

// executor applies plan Actions, resolving symbolic IDs as it goes.
type executor struct {
	aws       *state.Provider
	desired   model.Stack
	backendID string
	managedID string
	lbARN     string
	dnsName   string
	tgARN     map[string]string // by resource ID
	listener  map[int32]string  // listener ARN by port
	// createdSG and createdTGs are what this run created before its load
	// balancer existed, for undoCreates.
	createdSG  string
	createdTGs []string
	// front holds the frontend NLB's ARN, DNS name, target groups and
	// listeners while the ALB's are in use (swapped in for Frontend
	// actions).
	front frontState
}

// frontState is the symbolic-ID state of one load balancer of the stack.
type frontState struct {
	lbARN, dnsName string
	tgARN          map[string]string
	listener       map[int32]string
}

// swap exchanges the ALB's state with the frontend NLB's.
func (ex *executor) swap() {
	cur := frontState{ex.lbARN, ex.dnsName, ex.tgARN, ex.listener}
	ex.lbARN, ex.dnsName, ex.tgARN, ex.listener = ex.front.lbARN, ex.front.dnsName, ex.front.tgARN, ex.front.listener
	ex.front = cur
}

func newExecutor(aws *state.Provider, desired model.Stack, snap plan.Snapshot, backendID string) *executor {
	ex := &executor{aws: aws, desired: desired, backendID: backendID, tgARN: map[string]string{}, listener: map[int32]string{}}
	if len(snap.ManagedSGs) > 0 && desired.ManagedSG != nil {
		ex.managedID = snap.ManagedSGs[0].ID
	}
	if snap.LoadBalancer != nil {
		ex.lbARN, ex.dnsName = snap.LoadBalancer.ARN, snap.LoadBalancer.DNSName
	}
	for _, l := range snap.Listeners {
		ex.listener[l.Port] = l.ARN
	}
	matchTGs(ex.tgARN, desired.TargetGroups, snap.TargetGroups)
	ex.front = frontState{tgARN: map[string]string{}, listener: map[int32]string{}}
	if f := snap.Frontend; f != nil {
		if f.LoadBalancer != nil {
			ex.front.lbARN, ex.front.dnsName = f.LoadBalancer.ARN, f.LoadBalancer.DNSName
		}
		for _, l := range f.Listeners {
			ex.front.listener[l.Port] = l.ARN
		}
		if desired.Frontend != nil {
			matchTGs(ex.front.tgARN, desired.Frontend.TargetGroups, f.TargetGroups)
		}
	}
	return ex
}

// matchTGs makes the same choice as plan.Diff: the first compatible TG per
// resource ID.
func matchTGs(arns map[string]string, desired []model.TargetGroup, observed []plan.ObservedTG) {
	taken := map[string]bool{}
	for _, d := range desired {
		for _, o := range observed {
			if o.ResourceID == d.ResourceID && !taken[o.ARN] && plan.Compatible(d, o) {
				arns[d.ResourceID], taken[o.ARN] = o.ARN, true
				break
			}
		}
	}
}

// frontendDNS is the frontend NLB's DNS name ("" when there is none).
func (ex *executor) frontendDNS() string { return ex.front.dnsName }

func (ex *executor) sg(id string) string {
	if id == plan.Managed {
		return ex.managedID
	}
	return id
}

func (ex *executor) tg(a plan.Action) string {
	if a.ARN != "" {
		return a.ARN
	}
	if a.TargetGroup != nil {
		return ex.tgARN[a.TargetGroup.ResourceID]
	}
	return ""
}

// undoCreates deletes the target groups and the managed SG this run
// created for a load balancer AWS then refused to create (a quota): nothing
// is left behind for a load balancer that does not exist. Deletes of what is
// already gone succeed; the first other failure is returned.
func (ex *executor) undoCreates(ctx context.Context) error {
	for _, arn := range ex.createdTGs {
		if err := ex.aws.DeleteTargetGroup(ctx, arn); err != nil {
			return fmt.Errorf("deleting target group %s of the refused load balancer: %w", arn, err)
		}
	}
	ex.createdTGs = nil
	if ex.createdSG != "" {
		if err := ex.aws.DeleteSecurityGroup(ctx, ex.createdSG); err != nil {
			return fmt.Errorf("deleting security group %s of the refused load balancer: %w", ex.createdSG, err)
		}
		ex.createdSG, ex.managedID = "", ""
	}
	return nil
}

// run executes the actions keep selects, in order, stopping at the first
// failure.
func (ex *executor) run(ctx context.Context, actions []plan.Action, keep func(plan.Action) bool) error {
	for _, a := range actions {
		if !keep(a) {
			continue
		}
		if err := ex.do(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func (ex *executor) do(ctx context.Context, a plan.Action) error {
	if !a.Frontend {
		return ex.doAction(ctx, a)
	}
	// A frontend NLB action: its target is the ALB, its symbolic IDs are
	// the frontend NLB's.
	if a.Kind == plan.RegisterTargets || a.Kind == plan.DeregisterTargets {
		a.Targets = slices.Clone(a.Targets)
		for i := range a.Targets {
			if a.Targets[i].ID == model.ALBTarget {
				a.Targets[i].ID = ex.lbARN
			}
		}
	}
	ex.swap()
	defer ex.swap()
	return ex.doAction(ctx, a)
}

func (ex *executor) doAction(ctx context.Context, a plan.Action) error {
	var err error
	switch a.Kind {
	case plan.CreateSecurityGroup:
		ex.managedID, err = ex.aws.CreateSecurityGroup(ctx, a.ManagedSG.Name, a.ManagedSG.Description, a.ManagedSG.Tags)
		if err == nil {
			ex.createdSG = ex.managedID
		}
	case plan.AuthorizeIngress:
		err = ex.aws.Authorize(ctx, ex.sg(a.SecurityGroup), a.Rules)
	case plan.RevokeIngress:
		// Never revoke from a cached read (LBC #4889): re-read, revoke what
		// is still there.
		id := ex.sg(a.SecurityGroup)
		var fresh *state.SG
		if fresh, err = ex.aws.SecurityGroup(ctx, id, true); err == nil && fresh != nil {
			err = ex.aws.Revoke(ctx, id, a.Rules.Intersect(fresh.Ingress))
		}
	case plan.TagSecurityGroup:
		err = ex.aws.TagSecurityGroup(ctx, ex.sg(a.SecurityGroup), a.SetTags, a.RemoveTags)
	case plan.CreateTargetGroup:
		var arn string
		arn, err = ex.aws.CreateTargetGroup(ctx, *a.TargetGroup)
		ex.tgARN[a.TargetGroup.ResourceID] = arn
		if err == nil {
			ex.createdTGs = append(ex.createdTGs, arn)
		}
	case plan.ModifyTargetGroup:
		err = ex.aws.ModifyHealthCheck(ctx, a.ARN, a.TargetGroup.HealthCheck, a.TargetGroup.ProtocolVersion)
	case plan.ModifyTargetGroupAttributes:
		err = ex.aws.ModifyTargetGroupAttributes(ctx, ex.tg(a), a.Attributes)
	case plan.RegisterTargets:
		if len(a.Replaced) > 0 {
			err = ex.aws.DeregisterTargets(ctx, ex.tg(a), a.Replaced)
		}
		if err == nil {
			err = ex.aws.RegisterTargets(ctx, ex.tg(a), a.Targets)
		}
	case plan.DeregisterTargets:
		err = ex.aws.DeregisterTargets(ctx, ex.tg(a), a.Targets)
	case plan.DeleteLoadBalancer, plan.DeleteObsoleteLoadBalancer:
		err = ex.aws.DeleteLoadBalancer(ctx, a.ARN)
		ex.lbARN, ex.dnsName = "", ""
	case plan.CreateLoadBalancer:
		var lb plan.ObservedLB
		lb, err = ex.aws.CreateLoadBalancer(ctx, *a.LoadBalancer, a.LoadBalancer.ResolveSGs(ex.managedID, ex.backendID))
		ex.lbARN, ex.dnsName = lb.ARN, lb.DNSName
	case plan.TagResource:
		err = ex.aws.TagResource(ctx, a.ARN, a.SetTags, a.RemoveTags)
	case plan.SetSecurityGroups:
		err = ex.aws.SetSecurityGroups(ctx, cmp.Or(a.ARN, ex.lbARN), a.LoadBalancer.ResolveSGs(ex.managedID, ex.backendID), a.LoadBalancer.PrivateLinkInbound)
	case plan.SetSubnets:
		err = ex.aws.SetSubnets(ctx, a.ARN, *a.LoadBalancer)
	case plan.SetIPAddressType:
		err = ex.aws.SetIPAddressType(ctx, a.ARN, a.LoadBalancer.IPAddressType)
	case plan.ModifyCapacityReservation:
		err = ex.aws.ModifyCapacityReservation(ctx, a.ARN, *a.LoadBalancer.MinimumCapacity)
	case plan.ModifyLoadBalancerAttributes:
		err = ex.aws.ModifyLoadBalancerAttributes(ctx, cmp.Or(a.ARN, ex.lbARN), a.Attributes)
	case plan.CreateListener:
		var arn string
		arn, err = ex.aws.CreateListener(ctx, ex.lbARN, *a.Listener, ex.tgARN)
		ex.listener[a.Listener.Port] = arn
	case plan.ModifyListener:
		err = ex.aws.ModifyListener(ctx, a.ARN, *a.Listener, ex.tgARN)
	case plan.RemoveListenerCertificates:
		err = ex.aws.RemoveListenerCertificates(ctx, a.ARN, a.Certificates)
	case plan.AddListenerCertificates:
		err = ex.aws.AddListenerCertificates(ctx, cmp.Or(a.ARN, ex.listener[a.Listener.Port]), a.Certificates)
	case plan.ModifyListenerAttributes:
		err = ex.aws.ModifyListenerAttributes(ctx, cmp.Or(a.ARN, ex.listener[a.Listener.Port]), a.Attributes)
	case plan.SetRulePriorities:
		err = ex.aws.SetRulePriorities(ctx, a.Priorities)
	case plan.ModifyRule:
		err = ex.aws.ModifyRule(ctx, a.ARN, *a.Rule, ex.tgARN)
	case plan.CreateRule:
		_, err = ex.aws.CreateRule(ctx, cmp.Or(a.ARN, ex.listener[a.Listener.Port]), *a.Rule, ex.tgARN)
	case plan.DeleteRule:
		err = ex.aws.DeleteRule(ctx, a.ARN)
	case plan.DeleteListener, plan.DeleteListenerBeforeQUIC:
		err = ex.aws.DeleteListener(ctx, a.ARN)
	case plan.DeleteTargetGroup:
		err = ex.aws.DeleteTargetGroup(ctx, a.ARN)
	case plan.DeleteSecurityGroup:
		err = ex.aws.DeleteSecurityGroup(ctx, a.SecurityGroup)
	default:
		err = fmt.Errorf("unknown action %v", a.Kind)
	}
	return err
}
