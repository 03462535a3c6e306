package plan

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// ObservedLB is the stack's NLB or ALB as AWS reports it.
type ObservedLB struct {
	ARN, Name, DNSName string
	// Type is network | application; "" (not read) matches any desired type.
	Type           string
	Scheme         string
	IPAddressType  string
	SecurityGroups []string
	Subnets        []string
	State          string
	Tags           map[string]string
	// Attributes are read for ALBs, and for NLBs whose desired
	// attributes need it; nil means not read (never diffed).
	Attributes map[string]string
	// SubnetMappings are the AvailabilityZones with their addresses (EIP
	// allocation, private IPv4, IPv6, first source-NAT prefix), as
	// DescribeLoadBalancers reports them; nil when not read.
	SubnetMappings []model.SubnetMapping
	// SourceNATPrefix is EnablePrefixForIpv6SourceNat ("" not reported).
	SourceNATPrefix string
	// PrivateLinkInbound is EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
	// ("" not reported).
	PrivateLinkInbound string
	// CapacityRead says MinimumCapacity was read (DescribeCapacityReservation);
	// unread, the reservation is never diffed.
	CapacityRead bool
	// MinimumCapacity is the reservation's capacity units; nil: none.
	MinimumCapacity *int32
	// IPAMPool is the IPv4 IPAM pool ("" none).
	IPAMPool string
	// CustomerOwnedPool is the customer-owned IPv4 pool ("" none); never
	// diffed (AWS sets it at creation only).
	CustomerOwnedPool string
}

// ObservedTG is one of the stack's target groups.
type ObservedTG struct {
	ARN, Name  string
	ResourceID string // service.k8s.aws/resource tag
	Port       int32
	Protocol   string
	// ProtocolVersion is HTTP1 | HTTP2 | GRPC for HTTP(S) groups, else "".
	ProtocolVersion string
	TargetType      string
	// TargetControlPort is the group's TargetControlPort (nil: none).
	TargetControlPort *int32
	HealthCheck       model.HealthCheck
	Targets           []model.Target
	Tags              map[string]string
	// Attributes are read for HTTP/HTTPS (ALB) groups, and for NLB groups
	// whose desired attributes need it; nil means not read (never diffed).
	Attributes map[string]string
}

// ObservedListener is a listener of the stack's load balancer.
type ObservedListener struct {
	ARN      string
	Port     int32
	Protocol string
	// TargetGroupARN is the (first) forward target of an NLB listener.
	TargetGroupARN string
	// DefaultActions of the listener (ALB, and NLB for weighted forwards);
	// a forward's TargetGroup holds the target group's ARN (not its
	// resource ID).
	DefaultActions []model.Action
	// Certificates: the default certificate (HTTPS/TLS).
	Certificates []string
	SSLPolicy    string
	// ExtraCertificates are the entries of the listener's certificate list
	// that are not the default (DescribeListenerCertificates, IsDefault
	// false; the default certificate may be among them too); read for
	// HTTPS and TLS listeners only.
	ExtraCertificates []string
	// ALPNPolicy of a TLS listener ("" when AWS reports none).
	ALPNPolicy string
	// MutualAuth is the listener's mutual TLS (nil: AWS reports none).
	MutualAuth *model.MutualAuth
	// Rules are the ALB listener's non-default rules.
	Rules []ObservedRule
	// Tags are read for ALB listeners only; nil means not read.
	Tags map[string]string
	// Attributes are read only when the desired listener has some; nil
	// means not read (never diffed).
	Attributes map[string]string
}

// ObservedRule is a non-default rule of an ALB listener; its actions'
// TargetGroup fields hold target group ARNs.
type ObservedRule struct {
	ARN        string
	Priority   int32
	Conditions []model.Condition
	Actions    []model.Action
	Transforms []model.Transform
	Tags       map[string]string // nil: not read
}

// ObservedSG is a managed frontend SG of the stack.
type ObservedSG struct {
	ID      string
	Tags    map[string]string
	Ingress rules.Set
}

// Snapshot is what exists in AWS for one stack.
type Snapshot struct {
	LoadBalancer *ObservedLB
	Listeners    []ObservedListener
	TargetGroups []ObservedTG
	ManagedSGs   []ObservedSG
	// BackendSG is the backend SG's ID as the controller knows it ("" if
	// none), used to resolve the desired LB's SG list.
	BackendSG string
	// Cluster and ExternalManagedTags decide which tags on a managed SG are
	// left alone (naming.KeepTag).
	Cluster             string
	ExternalManagedTags []string
	// Frontend is the stack's frontend NLB (resource FrontendNlb) with its
	// listeners and alb-type target groups; nil when there is none.
	Frontend *FrontendSnapshot
}

// FrontendSnapshot is what exists in AWS of a stack's frontend NLB.
type FrontendSnapshot struct {
	LoadBalancer *ObservedLB
	Listeners    []ObservedListener
	TargetGroups []ObservedTG
}

// Kind is what an Action does.
type Kind int

// Action kinds, in execution order.
const (
	CreateSecurityGroup Kind = iota + 1
	AuthorizeIngress
	RevokeIngress
	TagSecurityGroup
	CreateTargetGroup
	ModifyTargetGroup
	ModifyTargetGroupAttributes
	RegisterTargets
	DeregisterTargets
	DeleteLoadBalancer // replacement: before the new one is created
	CreateLoadBalancer
	// RemoveIPAMPool comes before the other load balancer changes (an IP
	// address type change may need it gone), SetIPAMPool after them, as
	// LBC orders ModifyIpPools.
	RemoveIPAMPool
	SetSecurityGroups
	SetSubnets
	SetIPAddressType
	ModifyLoadBalancerAttributes
	ModifyCapacityReservation
	SetIPAMPool
	TagResource
	// DeleteListenerBeforeQUIC deletes a listener that AWS would not let a
	// new QUIC listener stand beside (another QUIC one, or a UDP one),
	// before the creates, as LBC deletes listeners first.
	DeleteListenerBeforeQUIC
	CreateListener
	ModifyListener
	RemoveListenerCertificates
	AddListenerCertificates
	ModifyListenerAttributes
	SetRulePriorities // moves matched rules (and parks doomed ones) first
	ModifyRule
	CreateRule
	DeleteRule // after the creates: traffic always has a route
	DeleteListener
	DeleteObsoleteLoadBalancer // teardown: after its listeners
	DeleteTargetGroup
	DeleteSecurityGroup
)

var kindNames = map[Kind]string{
	CreateSecurityGroup: "CreateSecurityGroup", AuthorizeIngress: "AuthorizeIngress", RevokeIngress: "RevokeIngress",
	TagSecurityGroup: "TagSecurityGroup", CreateTargetGroup: "CreateTargetGroup", ModifyTargetGroup: "ModifyTargetGroup",
	ModifyTargetGroupAttributes: "ModifyTargetGroupAttributes", RegisterTargets: "RegisterTargets",
	DeregisterTargets: "DeregisterTargets", DeleteLoadBalancer: "DeleteLoadBalancer", CreateLoadBalancer: "CreateLoadBalancer",
	SetSecurityGroups: "SetSecurityGroups", SetSubnets: "SetSubnets", SetIPAddressType: "SetIpAddressType",
	RemoveIPAMPool: "ModifyIpPools", SetIPAMPool: "ModifyIpPools",
	ModifyLoadBalancerAttributes: "ModifyLoadBalancerAttributes", ModifyCapacityReservation: "ModifyCapacityReservation", TagResource: "TagResource",
	DeleteListenerBeforeQUIC: "DeleteListener", CreateListener: "CreateListener", ModifyListener: "ModifyListener", ModifyListenerAttributes: "ModifyListenerAttributes",
	RemoveListenerCertificates: "RemoveListenerCertificates", AddListenerCertificates: "AddListenerCertificates", SetRulePriorities: "SetRulePriorities", ModifyRule: "ModifyRule",
	CreateRule: "CreateRule", DeleteRule: "DeleteRule",
	DeleteListener: "DeleteListener", DeleteObsoleteLoadBalancer: "DeleteLoadBalancer", DeleteTargetGroup: "DeleteTargetGroup",
	DeleteSecurityGroup: "DeleteSecurityGroup",
}

func (k Kind) String() string { return kindNames[k] }

// Managed is the symbolic ID of the stack's managed SG, resolved by the
// executor (observed or created).
const Managed = "<managed>"

// Action is one AWS change.
type Action struct {
	Kind Kind
	// SecurityGroup: an SG ID or Managed.
	SecurityGroup string
	Rules         rules.Set
	ManagedSG     *model.ManagedSG
	// TargetGroup: desired TG (create, modify, register, listener target).
	TargetGroup *model.TargetGroup
	// ARN of the existing resource acted on (TG, LB, listener, rule). For
	// CreateRule it is the listener's ARN, "" when the listener is created
	// by an earlier Action (resolve by Listener.Port); for
	// ModifyLoadBalancerAttributes "" means the LB created earlier.
	ARN     string
	Targets []model.Target
	// Replaced (RegisterTargets): registered targets whose QUIC server ID
	// changes; AWS takes a new ID only after a deregistration, so they are
	// deregistered just before Targets are registered.
	Replaced     []model.Target
	LoadBalancer *model.LoadBalancer
	// Listener: the desired listener (listener actions, and the rule's
	// listener for CreateRule and ModifyRule).
	Listener *model.Listener
	// Rule: the desired rule (CreateRule, ModifyRule).
	Rule *model.ListenerRule
	// Priorities: rule ARN → new priority (SetRulePriorities, one call).
	Priorities map[string]int32
	// Attributes: the LB's, TG's or listener's attributes to write (only
	// differing keys). ModifyTargetGroupAttributes with ARN "" means the TG
	// created earlier (resolve by TargetGroup.ResourceID),
	// ModifyListenerAttributes with ARN "" the listener created earlier
	// (resolve by Listener.Port).
	Attributes map[string]string
	// SetTags and RemoveTags drive an SG's or an ELB resource's tags
	// (TagSecurityGroup, TagResource).
	SetTags    map[string]string
	RemoveTags []string
	// Certificates to add to or remove from a listener's certificate list
	// (Add/RemoveListenerCertificates); ARN "" for AddListenerCertificates
	// means the listener created earlier (resolve by Listener.Port).
	Certificates []string
	// Frontend: the action is on the stack's frontend NLB, its listeners
	// or its target groups (symbolic references resolve among those);
	// model.ALBTarget in Targets is the stack's ALB.
	Frontend bool
}

func (a Action) String() string {
	if a.Frontend {
		b := a
		b.Frontend = false
		return "[frontend NLB] " + b.String()
	}
	switch {
	case a.Rules != nil:
		return fmt.Sprintf("%s %s %s", a.Kind, a.SecurityGroup, a.Rules)
	case a.ManagedSG != nil:
		return fmt.Sprintf("%s %s", a.Kind, a.ManagedSG.Name)
	case a.Rule != nil && a.Listener != nil:
		return fmt.Sprintf("%s %d:%d", a.Kind, a.Listener.Port, a.Rule.Priority)
	case a.Certificates != nil && a.Listener != nil:
		return fmt.Sprintf("%s %d/%s %v", a.Kind, a.Listener.Port, a.Listener.Protocol, a.Certificates)
	case a.Priorities != nil:
		return fmt.Sprintf("%s %v", a.Kind, a.Priorities)
	case a.Attributes != nil:
		name := cmp.Or(a.ARN, tgID(a.TargetGroup))
		switch {
		case name != "":
		case a.LoadBalancer != nil:
			name = a.LoadBalancer.Name
		case a.Listener != nil:
			name = fmt.Sprintf("%d/%s", a.Listener.Port, a.Listener.Protocol)
		}
		return fmt.Sprintf("%s %s %v", a.Kind, name, a.Attributes)
	case a.Listener != nil:
		return fmt.Sprintf("%s %d/%s → %s", a.Kind, a.Listener.Port, a.Listener.Protocol, listenerTarget(a.Listener))
	case a.Targets != nil:
		return fmt.Sprintf("%s %s %v", a.Kind, cmp.Or(a.ARN, tgID(a.TargetGroup)), a.Targets)
	case a.TargetGroup != nil:
		return fmt.Sprintf("%s %s", a.Kind, a.TargetGroup.Name)
	case a.LoadBalancer != nil:
		return fmt.Sprintf("%s %s", a.Kind, a.LoadBalancer.Name)
	}
	return fmt.Sprintf("%s %s", a.Kind, cmp.Or(a.ARN, a.SecurityGroup))
}

func tgID(tg *model.TargetGroup) string {
	if tg == nil {
		return ""
	}
	return tg.ResourceID
}

// Diff returns the Actions converging observed to desired, sorted by Kind
// (stable within a Kind). A desired Stack without LoadBalancer tears
// everything down.
func Diff(desired model.Stack, observed Snapshot) []Action {
	main := diffStack(desired, observed)
	front := diffFrontend(desired, observed)
	if len(front) == 0 {
		return main
	}
	// The ALB leaves the frontend target groups before anything else (AWS
	// will not delete an ALB registered as a target); the frontend NLB is
	// built once the ALB and its listeners exist, and goes before the ALB's
	// own deletions.
	var out []Action
	for _, a := range front {
		if a.Kind == DeregisterTargets {
			out = append(out, a)
		}
	}
	for _, a := range main {
		if a.Kind < DeleteRule {
			out = append(out, a)
		}
	}
	for _, a := range front {
		if a.Kind < DeleteRule && a.Kind != DeregisterTargets {
			out = append(out, a)
		}
	}
	for _, a := range front {
		if a.Kind >= DeleteRule {
			out = append(out, a)
		}
	}
	for _, a := range main {
		if a.Kind >= DeleteRule {
			out = append(out, a)
		}
	}
	return out
}

// frontendStack is the frontend NLB of desired as a Stack of its own
// (empty when desired has none), with the ALB target resolved to the
// observed ALB's ARN when that ALB stays; and the matching observed
// Snapshot.
func frontendStack(desired model.Stack, observed Snapshot) (model.Stack, Snapshot) {
	sub := model.Stack{ID: desired.ID, ManagedSG: desired.ManagedSG}
	obs := Snapshot{ManagedSGs: observed.ManagedSGs, BackendSG: observed.BackendSG,
		Cluster: observed.Cluster, ExternalManagedTags: observed.ExternalManagedTags}
	if f := observed.Frontend; f != nil {
		obs.LoadBalancer, obs.Listeners, obs.TargetGroups = f.LoadBalancer, f.Listeners, f.TargetGroups
	}
	fe := desired.Frontend
	if fe == nil || desired.LoadBalancer == nil {
		return sub, obs
	}
	albARN := ""
	if o, d := observed.LoadBalancer, desired.LoadBalancer; o != nil && o.Scheme == d.Scheme && (o.Type == "" || o.Type == lbType(d)) {
		albARN = o.ARN
	}
	lb := fe.LoadBalancer
	sub.LoadBalancer = &lb
	sub.Listeners = fe.Listeners
	sub.TargetGroups = make([]model.TargetGroup, len(fe.TargetGroups))
	for i, tg := range fe.TargetGroups {
		tg.Targets = slices.Clone(tg.Targets)
		for j := range tg.Targets {
			if tg.Targets[j].ID == model.ALBTarget && albARN != "" {
				tg.Targets[j].ID = albARN
			}
		}
		sub.TargetGroups[i] = tg
	}
	return sub, obs
}

// diffFrontend is Diff of the frontend NLB, its Actions marked Frontend.
func diffFrontend(desired model.Stack, observed Snapshot) []Action {
	sub, obs := frontendStack(desired, observed)
	var out []Action
	for _, a := range diffStack(sub, obs) {
		if sgKind(a.Kind) {
			continue // the ALB's managed SG: diffed once, with the ALB
		}
		a.Frontend = true
		out = append(out, a)
	}
	return out
}

// sgKind reports whether k acts on a security group.
func sgKind(k Kind) bool {
	return k == CreateSecurityGroup || k == AuthorizeIngress || k == RevokeIngress || k == TagSecurityGroup || k == DeleteSecurityGroup
}

// diffStack is Diff of one load balancer with its SGs, target groups and
// listeners.
func diffStack(desired model.Stack, observed Snapshot) []Action {
	var out []Action
	out = append(out, diffSGs(desired, observed)...)
	tgs, tgARN := diffTargetGroups(desired, observed)
	out = append(out, tgs...)
	lbActs, lbReplaced := diffLoadBalancer(desired, observed)
	out = append(out, lbActs...)
	out = append(out, diffListeners(desired, observed, tgARN, lbReplaced)...)
	slices.SortStableFunc(out, func(a, b Action) int { return cmp.Compare(a.Kind, b.Kind) })
	return out
}

func diffSGs(desired model.Stack, observed Snapshot) []Action {
	var out []Action
	obs := observed.ManagedSGs
	if desired.ManagedSG == nil || desired.LoadBalancer == nil {
		for _, sg := range obs {
			out = append(out, Action{Kind: DeleteSecurityGroup, SecurityGroup: sg.ID})
		}
		return out
	}
	if len(obs) == 0 {
		out = append(out, Action{Kind: CreateSecurityGroup, SecurityGroup: Managed, ManagedSG: desired.ManagedSG})
		if len(desired.ManagedSG.Ingress) > 0 {
			out = append(out, Action{Kind: AuthorizeIngress, SecurityGroup: Managed, Rules: desired.ManagedSG.Ingress.Clone()})
		}
		return out
	}
	keep := obs[0] // LBC keeps the first and deletes duplicates
	for _, sg := range obs[1:] {
		out = append(out, Action{Kind: DeleteSecurityGroup, SecurityGroup: sg.ID})
	}
	add, del := rules.Diff(keep.Ingress, desired.ManagedSG.Ingress, rules.OwnsAll)
	if len(add) > 0 {
		out = append(out, Action{Kind: AuthorizeIngress, SecurityGroup: keep.ID, Rules: add})
	}
	if len(del) > 0 {
		out = append(out, Action{Kind: RevokeIngress, SecurityGroup: keep.ID, Rules: del})
	}
	set, remove := naming.TagChanges(keep.Tags, desired.ManagedSG.Tags, func(k string) bool {
		return naming.KeepTag(k, observed.Cluster, observed.ExternalManagedTags)
	})
	if len(set) > 0 || len(remove) > 0 {
		out = append(out, Action{Kind: TagSecurityGroup, SecurityGroup: keep.ID, SetTags: set, RemoveTags: remove})
	}
	return out
}

// Compatible reports whether the observed TG can serve as the desired one:
// a TG is replaced when target type, protocol, protocol version or target
// control port differ (lbc-load-balancers.md §2.3). A desired TG without a
// protocol version (NLB) takes any.
func Compatible(d model.TargetGroup, o ObservedTG) bool {
	return d.TargetType == o.TargetType && d.Protocol == o.Protocol &&
		(d.ProtocolVersion == "" || d.ProtocolVersion == o.ProtocolVersion) &&
		sameOptional(d.TargetControlPort, o.TargetControlPort)
}

// sameOptional reports whether two optional values are both unset or equal.
func sameOptional[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// diffTargetGroups returns the TG actions and, per desired resource ID, the
// ARN of the observed TG kept ("" when one is created).
func diffTargetGroups(desired model.Stack, observed Snapshot) ([]Action, map[string]string) {
	var out []Action
	arn := map[string]string{}
	matched := map[string]bool{}
	if desired.LoadBalancer != nil {
		for i := range desired.TargetGroups {
			d := &desired.TargetGroups[i]
			var o *ObservedTG
			for j := range observed.TargetGroups {
				c := &observed.TargetGroups[j]
				if c.ResourceID == d.ResourceID && !matched[c.ARN] && Compatible(*d, *c) {
					o = c
					break
				}
			}
			if o == nil {
				out = append(out, Action{Kind: CreateTargetGroup, TargetGroup: d})
				if attrs := ChangedAttributes(CreatedTGAttributes(*d), d.Attributes); len(attrs) > 0 {
					out = append(out, Action{Kind: ModifyTargetGroupAttributes, TargetGroup: d, Attributes: attrs})
				}
				if len(d.Targets) > 0 {
					out = append(out, Action{Kind: RegisterTargets, TargetGroup: d, Targets: d.Targets})
				}
				continue
			}
			matched[o.ARN] = true
			arn[d.ResourceID] = o.ARN
			if a, ok := tagAction(o.ARN, o.Tags, d.Tags, observed); ok {
				out = append(out, a)
			}
			if o.HealthCheck != d.HealthCheck {
				out = append(out, Action{Kind: ModifyTargetGroup, TargetGroup: d, ARN: o.ARN})
			}
			if changed := ChangedAttributes(o.Attributes, d.Attributes); o.Attributes != nil && len(changed) > 0 {
				out = append(out, Action{Kind: ModifyTargetGroupAttributes, TargetGroup: d, ARN: o.ARN, Attributes: changed})
			}
			add, del := targetDiff(d.Targets, o.Targets)
			if d.MultiCluster {
				del = onlyTracked(del, d.Tracked)
			}
			var replaced []model.Target
			replaced, del = splitReplaced(add, del)
			if len(add) > 0 {
				out = append(out, Action{Kind: RegisterTargets, TargetGroup: d, ARN: o.ARN, Targets: add, Replaced: replaced})
			}
			if len(del) > 0 {
				out = append(out, Action{Kind: DeregisterTargets, TargetGroup: d, ARN: o.ARN, Targets: del})
			}
		}
	}
	for _, o := range observed.TargetGroups {
		if !matched[o.ARN] {
			out = append(out, Action{Kind: DeleteTargetGroup, ARN: o.ARN})
		}
	}
	return out, arn
}

// onlyTracked keeps the targets of a multi-cluster group's deregistration
// that this cluster registered: the others belong to other clusters.
func onlyTracked(del, tracked []model.Target) []model.Target {
	var out []model.Target
	for _, t := range del {
		if slices.Contains(tracked, t) {
			out = append(out, t)
		}
	}
	return out
}

// splitReplaced takes out of del the targets that add registers again
// with another QUIC server ID (same ID and port).
func splitReplaced(add, del []model.Target) (replaced, rest []model.Target) {
	for _, d := range del {
		if slices.ContainsFunc(add, func(a model.Target) bool { return a.ID == d.ID && a.Port == d.Port }) {
			replaced = append(replaced, d)
		} else {
			rest = append(rest, d)
		}
	}
	return replaced, rest
}

func targetDiff(want, have []model.Target) (add, del []model.Target) {
	for _, t := range want {
		if !slices.Contains(have, t) {
			add = append(add, t)
		}
	}
	for _, t := range have {
		if !slices.Contains(want, t) {
			del = append(del, t)
		}
	}
	return add, del
}

func diffLoadBalancer(desired model.Stack, observed Snapshot) ([]Action, bool) {
	o, d := observed.LoadBalancer, desired.LoadBalancer
	switch {
	case d == nil && o == nil:
		return nil, false
	case d == nil:
		return []Action{{Kind: DeleteObsoleteLoadBalancer, ARN: o.ARN}}, false
	case o == nil:
		return created(d), false
	case o.Scheme != d.Scheme || (o.Type != "" && o.Type != lbType(d)):
		// Only scheme and type are fixed at creation (as LBC decides);
		// subnets, addresses and IP address type change in place.
		return append([]Action{{Kind: DeleteLoadBalancer, ARN: o.ARN}}, created(d)...), true
	}
	var out []Action
	if a, ok := tagAction(o.ARN, o.Tags, d.Tags, observed); ok {
		out = append(out, a)
	}
	if changed := ChangedAttributes(o.Attributes, d.Attributes); o.Attributes != nil && len(changed) > 0 {
		out = append(out, Action{Kind: ModifyLoadBalancerAttributes, ARN: o.ARN, Attributes: changed})
	}
	if subnetsDiffer(d, o) {
		out = append(out, Action{Kind: SetSubnets, ARN: o.ARN, LoadBalancer: d})
	}
	if o.IPAddressType != "" && d.IPAddressType != "" && o.IPAddressType != d.IPAddressType {
		out = append(out, Action{Kind: SetIPAddressType, ARN: o.ARN, LoadBalancer: d})
	}
	if capacityDiffers(d, o) {
		out = append(out, Action{Kind: ModifyCapacityReservation, ARN: o.ARN, LoadBalancer: d})
	}
	if d.IsALB() && d.IPAMPool != o.IPAMPool {
		kind := SetIPAMPool
		if d.IPAMPool == "" {
			kind = RemoveIPAMPool
		}
		out = append(out, Action{Kind: kind, ARN: o.ARN, LoadBalancer: d})
	}
	// AWS only allows SetSecurityGroups on an NLB that has SGs; an ALB
	// always takes them (lbc-security-groups.md §7). Compared as sets, as
	// LBC does (§7.1). A managed SG still to be created differs.
	if len(d.SecurityGroups) == 0 || (!d.IsALB() && len(o.SecurityGroups) == 0) {
		return out, false
	}
	managed := Managed
	if desired.ManagedSG != nil && len(observed.ManagedSGs) > 0 {
		managed = observed.ManagedSGs[0].ID
	}
	want := d.ResolveSGs(managed, observed.BackendSG)
	privateLink := d.PrivateLinkInbound != "" && !d.IsALB() && d.PrivateLinkInbound != o.PrivateLinkInbound
	if !sameSet(want, o.SecurityGroups) || privateLink {
		out = append(out, Action{Kind: SetSecurityGroups, ARN: o.ARN, LoadBalancer: d})
	}
	return out, false
}

// subnetsDiffer is LBC's test for SetSubnets: another set of subnets, other
// source-NAT prefixes, another source-NAT setting asked for, or IPv6
// addresses asked for on an IPv4 NLB turning dualstack. EIPs and private
// IPv4 addresses are fixed once the subnet is attached, so they never
// cause a SetSubnets on their own.
func subnetsDiffer(d *model.LoadBalancer, o *ObservedLB) bool {
	if len(o.Subnets) == 0 {
		return false // not read
	}
	if !sameSet(d.Subnets, o.Subnets) {
		return true
	}
	var want, have, wantV6, haveV6 []string
	picked := map[string]string{}
	for _, m := range o.SubnetMappings {
		have = appendSet(have, m.SourceNATPrefix)
		haveV6 = appendSet(haveV6, m.IPv6)
		picked[m.SubnetID] = m.SourceNATPrefix
	}
	for _, m := range d.SubnetMappings {
		p := m.SourceNATPrefix
		if p == model.SourceNATAutoAssigned && picked[m.SubnetID] != "" {
			// AWS reports the prefix it picked, never auto_assigned: any
			// prefix of the subnet is the one asked for (LBC compares the
			// words and calls SetSubnets on every reconcile).
			p = picked[m.SubnetID]
		}
		want = appendSet(want, p)
		wantV6 = appendSet(wantV6, m.IPv6)
	}
	if !sameSet(want, have) {
		return true
	}
	if d.SourceNATPrefix != "" && o.SourceNATPrefix != "" && d.SourceNATPrefix != o.SourceNATPrefix {
		return true
	}
	toDual := !d.IsALB() && d.IPAddressType == "dualstack" && o.IPAddressType != "" && o.IPAddressType != d.IPAddressType
	return toDual && len(haveV6) == 0 && len(wantV6) > 0
}

func appendSet(s []string, v string) []string {
	if v == "" {
		return s
	}
	return append(s, v)
}

// capacityDiffers: a reservation asked for (0: none) that differs from the
// one read.
func capacityDiffers(d *model.LoadBalancer, o *ObservedLB) bool {
	if d.MinimumCapacity == nil || !o.CapacityRead {
		return false
	}
	want, have := *d.MinimumCapacity, int32(0)
	if o.MinimumCapacity != nil {
		have = *o.MinimumCapacity
	}
	return want != have
}

// created is what a new load balancer needs: the create, then its
// attributes and the PrivateLink setting AWS does not take at creation
// (ARN "": the LB just created). A capacity reservation waits for the
// next reconcile: AWS takes it once the load balancer is active.
func created(d *model.LoadBalancer) []Action {
	out := []Action{{Kind: CreateLoadBalancer, LoadBalancer: d}}
	if len(d.Attributes) > 0 {
		out = append(out, Action{Kind: ModifyLoadBalancerAttributes, LoadBalancer: d, Attributes: maps.Clone(d.Attributes)})
	}
	if !d.IsALB() && len(d.SecurityGroups) > 0 && d.PrivateLinkInbound == "off" { // AWS's default is on
		out = append(out, Action{Kind: SetSecurityGroups, LoadBalancer: d})
	}
	return out
}

func lbType(d *model.LoadBalancer) string { return cmp.Or(d.Type, model.TypeNetwork) }

// CreatedTGAttributes are the attributes AWS gives a new target group
// that lbsg relies on without reading them: proxy protocol v2 is off on
// every NLB group (TCP, UDP, TCP_UDP, TLS). A created group's attributes
// are written only where the desired ones differ.
func CreatedTGAttributes(tg model.TargetGroup) map[string]string {
	switch tg.Protocol {
	case "HTTP", "HTTPS", "GENEVE":
		return nil
	}
	return map[string]string{model.AttrProxyProtocolV2: "false"}
}

// ChangedAttributes are the desired attributes whose observed value
// differs; keys only observed keep their value (lbc-load-balancers.md
// §6.4). The drift check compares re-read attributes with it.
func ChangedAttributes(have, want map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range want {
		if cur, ok := have[k]; !ok || cur != v {
			out[k] = v
		}
	}
	return out
}

func diffListeners(desired model.Stack, observed Snapshot, tgARN map[string]string, lbReplaced bool) []Action {
	var out []Action
	matched := map[string]bool{}
	if desired.LoadBalancer != nil {
		for i := range desired.Listeners {
			d := &desired.Listeners[i]
			tg := findTG(desired, d.TargetGroup)
			var o *ObservedListener
			if !lbReplaced {
				for j := range observed.Listeners {
					if observed.Listeners[j].Port == d.Port {
						o = &observed.Listeners[j]
						break
					}
				}
			}
			if o == nil {
				out = append(out, Action{Kind: CreateListener, Listener: d, TargetGroup: tg})
				out = append(out, certificateActions(d, nil)...)
				if len(d.Attributes) > 0 {
					out = append(out, Action{Kind: ModifyListenerAttributes, Listener: d, Attributes: maps.Clone(d.Attributes)})
				}
				for k := range d.Rules {
					out = append(out, Action{Kind: CreateRule, Listener: d, Rule: &d.Rules[k]})
				}
				continue
			}
			matched[o.ARN] = true
			if changed := ChangedAttributes(o.Attributes, d.Attributes); o.Attributes != nil && len(changed) > 0 {
				out = append(out, Action{Kind: ModifyListenerAttributes, ARN: o.ARN, Listener: d, Attributes: changed})
			}
			if d.DefaultAction != nil && desired.LoadBalancer.IsALB() {
				out = append(out, diffALBListener(d, o, tgARN, observed)...)
				continue
			}
			if nlbListenerChanged(d, o, tgARN) {
				out = append(out, Action{Kind: ModifyListener, ARN: o.ARN, Listener: d, TargetGroup: tg})
			}
			out = append(out, certificateActions(d, o)...)
		}
	}
	if lbReplaced {
		return out // the old LB took its listeners with it
	}
	for _, o := range observed.Listeners {
		if !matched[o.ARN] {
			kind := DeleteListener
			if quicConflict(desired.Listeners, o.Protocol) {
				kind = DeleteListenerBeforeQUIC
			}
			out = append(out, Action{Kind: kind, ARN: o.ARN})
		}
	}
	return out
}

// nlbListenerChanged reports whether a matched NLB listener needs
// ModifyListener (in place, never recreated): its protocol, its forward
// (the plain one to TargetGroup, or the weighted one of an actions
// annotation, compared as ALB forwards are) or its TLS settings.
func nlbListenerChanged(d *model.Listener, o *ObservedListener, tgARN map[string]string) bool {
	if d.DefaultAction != nil {
		return listenerChanged(d, o, tgARN)
	}
	return o.Protocol != d.Protocol || tgARN[d.TargetGroup] == "" || o.TargetGroupARN != tgARN[d.TargetGroup] ||
		plainForwardChanged(o) || securityChanged(d, o)
}

// plainForwardChanged reports whether an observed NLB listener forwards to
// more than its one target group (an actions annotation was removed).
// Listeners read without their actions (nil) count as plain.
func plainForwardChanged(o *ObservedListener) bool {
	for _, a := range o.DefaultActions {
		if a.Forward != nil && len(a.Forward.TargetGroups) > 1 {
			return true
		}
	}
	return false
}

// quicConflict reports whether a listener of protocol proto, to be deleted,
// could keep a desired listener from being created or modified: AWS allows
// one QUIC or TCP_QUIC listener per NLB and none beside UDP or TCP_UDP.
func quicConflict(desired []model.Listener, proto string) bool {
	quic := func(p string) bool { return p == "QUIC" || p == "TCP_QUIC" }
	udp := func(p string) bool { return p == "UDP" || p == "TCP_UDP" }
	for _, d := range desired {
		if (quic(d.Protocol) && (quic(proto) || udp(proto))) || (udp(d.Protocol) && quic(proto)) {
			return true
		}
	}
	return false
}

func findTG(s model.Stack, resourceID string) *model.TargetGroup {
	for i := range s.TargetGroups {
		if s.TargetGroups[i].ResourceID == resourceID {
			return &s.TargetGroups[i]
		}
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// tagAction drives an LB's or TG's tags to desired (lbc-load-balancers.md
// §3.3); nil observed tags mean "not read" and change nothing.
func tagAction(arn string, have, want map[string]string, observed Snapshot) (Action, bool) {
	if have == nil || want == nil {
		return Action{}, false
	}
	set, remove := naming.TagChanges(have, want, func(k string) bool {
		return naming.KeepTag(k, observed.Cluster, observed.ExternalManagedTags)
	})
	if len(set) == 0 && len(remove) == 0 {
		return Action{}, false
	}
	return Action{Kind: TagResource, ARN: arn, SetTags: set, RemoveTags: remove}, true
}
