package audit

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// Default limits (EC2 defaults).
const (
	DefaultRulesLimit = rules.DefaultRulesPerDirection
	DefaultENILimit   = 5
	// quotaWarnPercent: an SG at or above this share of its rule quota is a
	// finding (54 of 60).
	quotaWarnPercent = 90
)

// SG is a security group of the VPC.
type SG struct {
	ID, Name string
	Tags     map[string]string
	Ingress  rules.Set
}

// LB is a load balancer of the VPC.
type LB struct {
	ARN, Name      string
	SecurityGroups []string
	Tags           map[string]string
	// EIPs are the Elastic IP allocations its zones hold.
	EIPs []string
	// WAFv2ACL and WAFClassicACL are the web ACLs associated with an ALB
	// (ARN, WAF Classic ID; "" for none), read for this cluster's ALBs.
	WAFv2ACL, WAFClassicACL string
}

// WAFAsk says which web ACL kinds a stack's Ingresses ask for (any value
// of the annotations or IngressClassParams fields, none included).
type WAFAsk struct{ WAFv2, Classic bool }

// TG is a target group of the VPC.
type TG struct {
	ARN, Name string
	Tags      map[string]string
}

// ENI is a network interface of the VPC and its SGs.
type ENI struct {
	ID     string
	Groups []string
}

// Snapshot is what Audit judges.
type Snapshot struct {
	Cluster        string
	VPCID          string
	SecurityGroups []SG
	LoadBalancers  []LB
	TargetGroups   []TG
	ENIs           []ENI
	// LiveStacks are the stacks of Kubernetes objects lbsg handles now
	// (Services, IngressGroups and Gateways) or still tears down
	// (finalizers).
	LiveStacks []naming.Stack
	// DesiredRules are the owned target-SG rules the live stacks need, by
	// SG ID.
	DesiredRules map[string]rules.Set
	// Incomplete: DesiredRules may miss some Services' rules (a build
	// failed), so no rule is reported as leaked.
	Incomplete bool
	// DesiredLBSGs are the SG IDs each live stack's LB should carry, by LB
	// name; an LB absent here is not checked for drift.
	DesiredLBSGs map[string][]string
	// ListenerDrift are, by load balancer name, the listener, certificate
	// and rule changes the controller would make (plan's lines).
	ListenerDrift map[string][]string
	// BackendInUse: some live stack needs the backend SG.
	BackendInUse bool
	// WAFAsks are the web ACL asks of the live stacks' LBs, by LB name; an
	// LB absent here is not judged.
	WAFAsks map[string]WAFAsk
	// Unsupported lists, per object, what it asks for that lbsg does not
	// do; lbsg leaves its load balancer alone.
	Unsupported map[string][]string
	// RefusedRoutes are the Gateway routes lbsg does not apply because they
	// ask for what it does not build, by "<kind> ns/name": the
	// controller's event message, which names the Gateway.
	RefusedRoutes map[string]string
	// Unauthenticated are the internet-facing ALBs whose frontend admits
	// the whole Internet and which authenticate no request, by LB name
	// (model.UnauthenticatedInternetALB).
	Unauthenticated map[string]naming.Stack
	RulesLimit      int // 0: DefaultRulesLimit
	ENILimit        int // 0: DefaultENILimit
	// Bindings are the TargetGroupBindings lbsg serves that cannot be
	// served, by "namespace/name" (their rules are in DesiredRules).
	Bindings map[string]BindingProblem
	// OwnedTargets are the target groups whose targets the cluster
	// decides, with what is registered and what is wanted; a group absent
	// here (its owner's targets unknown) is not judged.
	OwnedTargets []OwnedTargetGroup
}

// BindingProblem is why a TargetGroupBinding cannot be served:
// targetgroupbinding.Check's reason and message.
type BindingProblem struct {
	Reason, Message string
}

// Kind names a finding.
type Kind string

// Finding kinds.
const (
	LeakedSecurityGroup Kind = "leaked-security-group"
	LeakedRule          Kind = "leaked-rule"
	LeakedLoadBalancer  Kind = "leaked-load-balancer"
	LeakedTargetGroup   Kind = "leaked-target-group"
	LoadBalancerDrift   Kind = "load-balancer-sg-drift"
	ListenerDrift       Kind = "listener-drift"
	OpenNodeRule        Kind = "open-node-rule"
	RuleQuota           Kind = "rule-quota"
	ENIQuota            Kind = "eni-sg-quota"
	OtherClusterSG      Kind = "other-cluster-security-group"
	OtherOwnerRule      Kind = "other-owner-rule"
	// UnsupportedObject: a Service, Ingress or Gateway asks for something
	// lbsg does not do, so lbsg leaves its load balancer alone (event
	// UnsupportedAnnotation, or UnsupportedConfiguration for a Gateway).
	UnsupportedObject Kind = "unsupported-object"
	// RefusedRoute: a Gateway route asks for something lbsg does not
	// build, so lbsg does not apply it (event UnsupportedConfiguration);
	// the Gateway's other routes are applied.
	RefusedRoute Kind = "refused-route"
	// UnrequestedWebACL: a web ACL is associated with an ALB of this
	// cluster that no Ingress of its group asks for one: WAF managed
	// outside lbsg, which lbsg leaves alone (as LBC does).
	UnrequestedWebACL Kind = "unrequested-web-acl"
	// UnauthenticatedALB: an internet-facing ALB open to 0.0.0.0/0 (or
	// ::/0) that authenticates no request (a note: it may be meant).
	UnauthenticatedALB Kind = "unauthenticated-internet-alb"
	// BindingTargetGroupMissing: a TargetGroupBinding's target group does
	// not exist (deleted outside the cluster, or a wrong ARN or name).
	BindingTargetGroupMissing Kind = "binding-target-group-missing"
	// BindingVPCMismatch: a TargetGroupBinding's target group is in another
	// VPC than the binding (or the cluster) says.
	BindingVPCMismatch Kind = "binding-vpc-mismatch"
	// BindingInvalid: another reason a binding is not served (target type,
	// IP address type, protocol).
	BindingInvalid Kind = "binding-invalid"
)

// Reasons of targetgroupbinding.Check that have their own finding kind.
const (
	bindingReasonMissing = "TargetGroupNotFound"
	bindingReasonVPC     = "VpcIDMismatch"
)

// Severity says whether a finding makes audit fail.
type Severity string

// Severities.
const (
	Problem Severity = "problem"
	Info    Severity = "info"
)

// Finding is one thing audit reports.
type Finding struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	// Resource is an SG ID, LB or TG name, or ENI ID.
	Resource string `json:"resource"`
	Detail   string `json:"detail"`
	// Rule is the rule's text for rule findings.
	Rule string `json:"rule,omitempty"`
	// Target is "id:port" for target findings.
	Target string `json:"target,omitempty"`
	// Fixable: --fix removes it (owned leak, SG not attached).
	Fixable bool `json:"fixable"`

	key  rules.Key
	desc string
}

// Quota is the usage of one SG's inbound rules or one ENI's SG slots.
type Quota struct {
	Resource string `json:"resource"`
	Type     string `json:"type"` // "security-group" | "eni"
	IPv4     int    `json:"ipv4,omitempty"`
	IPv6     int    `json:"ipv6,omitempty"`
	Groups   int    `json:"groups,omitempty"`
	Limit    int    `json:"limit"`
}

// Report is Audit's result.
type Report struct {
	Cluster  string    `json:"cluster"`
	VPCID    string    `json:"vpcId"`
	Findings []Finding `json:"findings"`
	Quotas   []Quota   `json:"quotas"`
}

// Problems counts findings of severity Problem.
func (r Report) Problems() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Problem {
			n++
		}
	}
	return n
}

// Audit judges a Snapshot.
func Audit(s Snapshot) Report {
	a := &auditor{s: s, r: Report{Cluster: s.Cluster, VPCID: s.VPCID}}
	a.index()
	for _, sg := range sortedSGs(s.SecurityGroups) {
		a.securityGroup(sg)
		a.rules(sg)
		a.ruleQuota(sg)
	}
	a.loadBalancers()
	a.targetGroups()
	a.ownedTargets()
	a.enis()
	for _, b := range slices.Sorted(maps.Keys(s.Bindings)) {
		p := s.Bindings[b]
		kind := BindingInvalid
		switch p.Reason {
		case bindingReasonMissing:
			kind = BindingTargetGroupMissing
		case bindingReasonVPC:
			kind = BindingVPCMismatch
		}
		a.add(Finding{Kind: kind, Severity: Problem, Resource: "targetgroupbinding " + b,
			Detail: p.Message + " (lbsg registers nothing for it until it is fixed)"})
	}
	for _, obj := range slices.Sorted(maps.Keys(s.Unsupported)) {
		a.add(Finding{Kind: UnsupportedObject, Severity: Problem, Resource: obj,
			Detail: "lbsg leaves its load balancer alone: " + strings.Join(s.Unsupported[obj], ", ")})
	}
	for _, rt := range slices.Sorted(maps.Keys(s.RefusedRoutes)) {
		a.add(Finding{Kind: RefusedRoute, Severity: Problem, Resource: rt, Detail: s.RefusedRoutes[rt]})
	}
	for _, lb := range slices.Sorted(maps.Keys(s.Unauthenticated)) {
		st := s.Unauthenticated[lb]
		how := "no auth-type or jwt-validation"
		if st.IsGateway() {
			how = "no authenticate action"
		}
		a.add(Finding{Kind: UnauthenticatedALB, Severity: Info, Resource: lb,
			Detail: fmt.Sprintf("internet-facing ALB of %s admits 0.0.0.0/0 and authenticates no request (%s)", st, how)})
	}
	slices.SortStableFunc(a.r.Findings, func(x, y Finding) int {
		return cmp.Or(strings.Compare(string(x.Severity), string(y.Severity))*-1, strings.Compare(string(x.Kind), string(y.Kind)),
			strings.Compare(x.Resource, y.Resource), strings.Compare(x.Rule, y.Rule), strings.Compare(x.Target, y.Target))
	})
	return a.r
}

type auditor struct {
	s        Snapshot
	r        Report
	live     map[string]bool // naming.Stack.Key
	attached map[string][]string
}

// stackOf is the stack an SG's ownership names.
func stackOf(k naming.Kind, id string) naming.Stack {
	st, _ := naming.StackFromTags(map[string]string{naming.Stack{Kind: k}.StackTagKey(): id})
	return st
}

func (a *auditor) index() {
	a.live = map[string]bool{}
	for _, st := range a.s.LiveStacks {
		a.live[st.Key()] = true
	}
	a.attached = map[string][]string{}
	for _, e := range a.s.ENIs {
		for _, g := range e.Groups {
			a.attached[g] = append(a.attached[g], e.ID)
		}
	}
	for _, lb := range a.s.LoadBalancers {
		for _, g := range lb.SecurityGroups {
			a.attached[g] = append(a.attached[g], lb.Name)
		}
	}
}

func (a *auditor) add(f Finding) { a.r.Findings = append(a.r.Findings, f) }

func sortedSGs(in []SG) []SG {
	out := slices.Clone(in)
	slices.SortFunc(out, func(x, y SG) int { return strings.Compare(x.ID, y.ID) })
	return out
}

func (a *auditor) securityGroup(sg SG) {
	own := naming.ClassifySecurityGroup(sg.Tags, a.s.Cluster)
	users := a.attached[sg.ID]
	switch own.Role {
	case naming.SGManagedFrontend:
		st := stackOf(own.Kind, own.StackID)
		if a.live[st.Key()] {
			return
		}
		a.leakedSG(sg, fmt.Sprintf("managed SG %s of %s, which no longer exists", sg.Name, st), users)
	case naming.SGBackend:
		if a.s.BackendInUse || len(users) > 0 && !onlyENIs(users, a.s.ENIs) {
			return
		}
		a.leakedSG(sg, "backend SG "+sg.Name+" used by no load balancer and needed by no Service, Ingress or Gateway", users)
	case naming.SGNotOwned:
		other := cmp.Or(sg.Tags[naming.TagCluster], sg.Tags[naming.TagLegacyIngressCluster])
		if other != "" && other != a.s.Cluster && naming.OwnsSecurityGroup(sg.Tags, other) {
			a.add(Finding{Kind: OtherClusterSG, Severity: Info, Resource: sg.ID,
				Detail: fmt.Sprintf("%s is owned by cluster %q; left alone", sg.Name, other)})
		}
	}
}

func onlyENIs(users []string, enis []ENI) bool {
	for _, u := range users {
		if !slices.ContainsFunc(enis, func(e ENI) bool { return e.ID == u }) {
			return false
		}
	}
	return true
}

func (a *auditor) leakedSG(sg SG, detail string, users []string) {
	f := Finding{Kind: LeakedSecurityGroup, Severity: Problem, Resource: sg.ID, Detail: detail, Fixable: len(users) == 0}
	if len(users) > 0 {
		f.Detail += "; still attached to " + strings.Join(users, ", ")
	}
	a.add(f)
}

// isNodeSG: an SG tagged kubernetes.io/cluster/<cluster> (EKS and LBC's
// mark of the cluster's node SGs).
func (a *auditor) isNodeSG(sg SG) bool {
	_, ok := sg.Tags[naming.ClusterTagKey(a.s.Cluster)]
	return ok
}

func (a *auditor) rules(sg SG) {
	desired := a.s.DesiredRules[sg.ID]
	node := a.isNodeSG(sg)
	for _, k := range slices.SortedFunc(maps.Keys(sg.Ingress), rules.Compare) {
		desc := sg.Ingress[k]
		if node && (k.Peer == "0.0.0.0/0" || k.Peer == "::/0") {
			a.add(Finding{Kind: OpenNodeRule, Severity: Problem, Resource: sg.ID, Rule: k.String(), key: k, desc: desc,
				Detail: fmt.Sprintf("node SG %s admits the whole Internet (%s)", sg.Name, describe(desc))})
		}
		switch owner := naming.ClassifyRule(desc, a.s.Cluster); owner {
		case naming.RuleOurs:
			if !a.s.Incomplete && !desired.Has(k) {
				a.add(Finding{Kind: LeakedRule, Severity: Problem, Resource: sg.ID, Rule: k.String(), key: k, desc: desc, Fixable: true,
					Detail: fmt.Sprintf("rule on %s owned by this cluster that no Service, Ingress or Gateway needs%s", sg.Name, a.peerOwner(k.Peer))})
			}
		case naming.RuleOtherCluster, naming.RuleLBC:
			a.add(Finding{Kind: OtherOwnerRule, Severity: Info, Resource: sg.ID, Rule: k.String(), key: k, desc: desc,
				Detail: fmt.Sprintf("rule on %s marked by %s (%s); left alone", sg.Name, owner, desc)})
		case naming.RuleForeign:
		}
	}
}

// peerOwner names the stack whose managed SG peer is (", admitting the
// managed SG of gateway shop/web"), or "" for any other peer.
func (a *auditor) peerOwner(peer string) string {
	for _, sg := range a.s.SecurityGroups {
		if sg.ID != peer {
			continue
		}
		if own := naming.ClassifySecurityGroup(sg.Tags, a.s.Cluster); own.Role == naming.SGManagedFrontend {
			return ", admitting the managed SG of " + stackOf(own.Kind, own.StackID).String()
		}
	}
	return ""
}

func describe(desc string) string {
	if desc == "" {
		return "no description"
	}
	return fmt.Sprintf("description %q", desc)
}

func (a *auditor) ruleQuota(sg SG) {
	limit := cmp.Or(a.s.RulesLimit, DefaultRulesLimit)
	u := rules.Quota{Limit: limit}.Usage(sg.Ingress)
	a.r.Quotas = append(a.r.Quotas, Quota{Resource: sg.ID, Type: "security-group", IPv4: u.IPv4, IPv6: u.IPv6, Limit: limit})
	for _, fam := range []struct {
		name string
		used int
	}{{"IPv4", u.IPv4}, {"IPv6", u.IPv6}} {
		if fam.used*100 >= limit*quotaWarnPercent {
			a.add(Finding{Kind: RuleQuota, Severity: Problem, Resource: sg.ID,
				Detail: fmt.Sprintf("%s uses %d of %d %s inbound rules (%d left)", sg.Name, fam.used, limit, fam.name, max(0, limit-fam.used))})
		}
	}
}

func (a *auditor) loadBalancers() {
	lbs := slices.Clone(a.s.LoadBalancers)
	slices.SortFunc(lbs, func(x, y LB) int { return strings.Compare(x.Name, y.Name) })
	for _, lb := range lbs {
		if lb.Tags[naming.TagCluster] != a.s.Cluster && lb.Tags[naming.TagLegacyIngressCluster] != a.s.Cluster {
			continue
		}
		if st, ok := naming.StackFromTags(lb.Tags); ok && !a.live[st.Key()] {
			detail := fmt.Sprintf("load balancer of %s, which no longer exists (the controller deletes it; --fix does not)", st)
			if len(lb.EIPs) > 0 {
				detail += fmt.Sprintf("; it holds Elastic IPs %s, which stay allocated to the account after it is deleted", strings.Join(lb.EIPs, " "))
			}
			a.add(Finding{Kind: LeakedLoadBalancer, Severity: Problem, Resource: lb.Name, Detail: detail})
			continue
		}
		a.webACLs(lb)
		a.listenerDrift(lb)
		want, ok := a.s.DesiredLBSGs[lb.Name]
		if !ok || sameSet(want, lb.SecurityGroups) {
			continue
		}
		a.add(Finding{Kind: LoadBalancerDrift, Severity: Problem, Resource: lb.Name,
			Detail: fmt.Sprintf("%ssecurity groups [%s], desired [%s]", ownerPrefix(lb.Tags), strings.Join(lb.SecurityGroups, " "), strings.Join(want, " "))})
	}
}

// maxDriftLines bounds the changes a listener-drift finding names.
const maxDriftLines = 5

// listenerDrift: the load balancer's listeners, certificates or rules
// differ from what the manifests ask for (the controller changes them at
// its next reconcile or drift check; a finding that stays says something
// else keeps changing them).
func (a *auditor) listenerDrift(lb LB) {
	changes := a.s.ListenerDrift[lb.Name]
	if len(changes) == 0 {
		return
	}
	shown := changes[:min(len(changes), maxDriftLines)]
	detail := ownerPrefix(lb.Tags) + "listeners differ from the manifests; the controller would " + strings.Join(shown, "; ")
	if n := len(changes) - len(shown); n > 0 {
		detail += fmt.Sprintf("; and %d more", n)
	}
	a.add(Finding{Kind: ListenerDrift, Severity: Problem, Resource: lb.Name, Detail: detail})
}

// ownerPrefix is "<stack>: " for a load balancer whose tags name its
// stack, else "".
func ownerPrefix(tags map[string]string) string {
	if st, ok := naming.StackFromTags(tags); ok {
		return st.String() + ": "
	}
	return ""
}

// webACLs notes web ACLs on a live stack's ALB that none of its
// Ingresses (or its Gateway) asks for.
func (a *auditor) webACLs(lb LB) {
	ask, ok := a.s.WAFAsks[lb.Name]
	if !ok {
		return
	}
	noneV2, noneClassic := "no Ingress asks for one (wafv2-acl-arn, wafv2-acl-name)", "no Ingress asks for one (waf-acl-id)"
	if st, ok := naming.StackFromTags(lb.Tags); ok && st.IsGateway() {
		noneV2 = st.String() + " asks for none"
		noneClassic = noneV2
	}
	if lb.WAFv2ACL != "" && !ask.WAFv2 {
		a.add(Finding{Kind: UnrequestedWebACL, Severity: Info, Resource: lb.Name,
			Detail: "WAFv2 web ACL " + lb.WAFv2ACL + " is associated but " + noneV2 + ": managed outside lbsg, which leaves it"})
	}
	if lb.WAFClassicACL != "" && !ask.Classic {
		a.add(Finding{Kind: UnrequestedWebACL, Severity: Info, Resource: lb.Name,
			Detail: "WAF Classic web ACL " + lb.WAFClassicACL + " is associated but " + noneClassic + ": managed outside lbsg, which leaves it"})
	}
}

// targetGroups reports this cluster's target groups whose stack is gone.
func (a *auditor) targetGroups() {
	tgs := slices.Clone(a.s.TargetGroups)
	slices.SortFunc(tgs, func(x, y TG) int { return strings.Compare(x.Name, y.Name) })
	for _, tg := range tgs {
		if tg.Tags[naming.TagCluster] != a.s.Cluster && tg.Tags[naming.TagLegacyIngressCluster] != a.s.Cluster {
			continue
		}
		if st, ok := naming.StackFromTags(tg.Tags); ok && !a.live[st.Key()] {
			a.add(Finding{Kind: LeakedTargetGroup, Severity: Problem, Resource: tg.Name,
				Detail: fmt.Sprintf("target group of %s, which no longer exists (the controller deletes it; --fix does not)", st)})
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func (a *auditor) enis() {
	limit := cmp.Or(a.s.ENILimit, DefaultENILimit)
	enis := slices.Clone(a.s.ENIs)
	slices.SortFunc(enis, func(x, y ENI) int { return strings.Compare(x.ID, y.ID) })
	for _, e := range enis {
		a.r.Quotas = append(a.r.Quotas, Quota{Resource: e.ID, Type: "eni", Groups: len(e.Groups), Limit: limit})
		if len(e.Groups) >= limit {
			a.add(Finding{Kind: ENIQuota, Severity: Problem, Resource: e.ID,
				Detail: fmt.Sprintf("uses %d of %d security groups: no room for another", len(e.Groups), limit)})
		}
	}
}
