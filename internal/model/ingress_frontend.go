package model

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// Resource IDs of a frontend NLB (LBC's buildFrontendNlbResourceID).
const (
	ResourceFrontendNLB = "FrontendNlb"
)

// FrontendTargetGroupResourceID is "FrontendNlb-tg-TCP-<port>".
func FrontendTargetGroupResourceID(port int32) string {
	return fmt.Sprintf("%s-tg-TCP-%d", ResourceFrontendNLB, port)
}

// frontendListenerResourceID is "FrontendNlb-ls-TCP-<port>".
func frontendListenerResourceID(port int32) string {
	return fmt.Sprintf("%s-ls-TCP-%d", ResourceFrontendNLB, port)
}

// LBC's frontend NLB target-group health check defaults (its model
// builder's, not the docs' table).
const (
	frontendHCInterval  = 15
	frontendHCTimeout   = 5
	frontendHCThreshold = 2
)

// frontendPort is one merged frontend NLB listener: the ALB port it
// forwards to and its target group's health check, with the fields some
// member set explicitly.
type frontendPort struct {
	target     int32
	targetFrom *member
	hc         HealthCheck
	explicit   map[string]bool
}

// frontendNLB builds the group's frontend NLB (LBC's
// model_build_frontend_nlb.go) once the ALB and its SG list are known.
// Conflicts between members are blamed on the later member; a port
// mapping to a port the Ingress's ALB listeners do not have is a group
// error (LBC skips that listener silently; lbsg writes nothing and says
// why).
func (b *albBuilder) frontendNLB(alb *LoadBalancer, albUserTags map[string]string) error {
	var enabled *bool
	for _, m := range b.members {
		if e := m.cfg.FrontendNLB.Enable; e != nil {
			if enabled != nil && *enabled != *e {
				return blame(m, errors.New("conflicting enable frontend NLB values"))
			}
			enabled = e
		}
	}
	if enabled == nil || !*enabled {
		return nil
	}
	lb := LoadBalancer{Type: TypeNetwork, IPAddressType: alb.IPAddressType}
	if err := b.frontendScheme(&lb); err != nil {
		return err
	}
	if err := b.frontendSubnets(&lb); err != nil {
		return err
	}
	sgs, err := b.frontendSGs()
	if err != nil {
		return err
	}
	if sgs == nil {
		sgs = slices.Clone(alb.SecurityGroups)
	}
	lb.SecurityGroups = sgs
	lb.Name = naming.Cut(28, alb.Name) + "-nlb"
	user, err := b.frontendTags(albUserTags)
	if err != nil {
		return err
	}
	lb.Tags = naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.stack, ResourceFrontendNLB), user)
	if lb.Attributes, err = b.frontendAttributes(); err != nil {
		return err
	}
	ports, err := b.frontendPorts()
	if err != nil {
		return err
	}
	fe := &FrontendNLB{LoadBalancer: lb}
	for _, p := range slices.Sorted(maps.Keys(ports)) {
		fp := ports[p]
		tg := TargetGroup{
			ResourceID:    FrontendTargetGroupResourceID(p),
			Name:          b.frontendTGName(p, fp.hc),
			Port:          p,
			Protocol:      "TCP",
			TargetType:    TargetTypeALB,
			IPAddressType: annotations.IPAddressTypeIPv4,
			HealthCheck:   fp.hc,
			Targets:       []Target{{ID: ALBTarget, Port: fp.target}},
			Tags:          naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.stack, FrontendTargetGroupResourceID(p)), user),
		}
		fe.TargetGroups = append(fe.TargetGroups, tg)
		fe.Listeners = append(fe.Listeners, Listener{Port: p, Protocol: "TCP", TargetGroup: tg.ResourceID,
			Tags: naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.stack, frontendListenerResourceID(p)), user)})
	}
	for _, m := range b.members {
		if m.cfg.FrontendNLB.StatusOnly {
			if fe.StatusOnly == nil {
				fe.StatusOnly = map[string]bool{}
			}
			fe.StatusOnly[m.key] = true
		}
	}
	b.st.Frontend = fe
	return nil
}

// frontendScheme: the members' frontend-nlb-scheme, else
// --default-load-balancer-scheme (not the ALB's scheme, as in LBC).
func (b *albBuilder) frontendScheme(lb *LoadBalancer) error {
	for _, m := range b.members {
		s := m.cfg.FrontendNLB.Scheme
		if s == "" {
			continue
		}
		if lb.Scheme != "" && lb.Scheme != s {
			return blame(m, fmt.Errorf("conflicting scheme: %v", []string{lb.Scheme, s}))
		}
		lb.Scheme = s
	}
	lb.Scheme = cmp.Or(lb.Scheme, b.d.DefaultScheme, naming.SchemeInternal)
	return nil
}

// frontendSubnets: frontend-nlb-subnets (the same set on every member
// setting it) or discovery for the NLB's scheme, with
// frontend-nlb-eip-allocations mapped onto them in order.
func (b *albBuilder) frontendSubnets(lb *LoadBalancer) error {
	var subnets, eips []string
	var eipFrom *member
	for _, m := range b.members {
		f := m.cfg.FrontendNLB
		// The first member's lists (and order) are kept; later ones must
		// hold the same items.
		if f.Subnets != nil {
			if subnets != nil && !sameSet(subnets, f.Subnets) {
				return blame(m, fmt.Errorf("conflicting subnets: %v | %v", subnets, f.Subnets))
			}
			if subnets == nil {
				subnets = f.Subnets
			}
		}
		if f.EIPAllocations != nil {
			if eipFrom != nil && !sameSet(eips, f.EIPAllocations) {
				return blame(m, fmt.Errorf("all EIP allocations for the ingress group must be the same: %v | %v", eips, f.EIPAllocations))
			}
			if eipFrom == nil {
				eipFrom, eips = m, f.EIPAllocations
			}
		}
	}
	var ids []string
	var err error
	if subnets != nil {
		ids, err = explicitSubnets(b.f.Subnets, subnets, 1)
	} else if ids, err = DiscoverSubnets(b.f.Subnets, lb.Scheme, b.d.ClusterName, isDualStack(lb.IPAddressType)); err == nil {
		err = checkSubnetCount(b.f.Subnets, ids, 1)
	}
	if err != nil {
		return err
	}
	lb.Subnets = ids
	if eipFrom == nil {
		return nil
	}
	if lb.Scheme != naming.SchemeInternetFacing {
		return blame(eipFrom, errors.New("EIP allocations can only be set for internet facing load balancers"))
	}
	if len(eips) != len(ids) {
		return blame(eipFrom, fmt.Errorf("count of EIP allocations (%d) and subnets (%d) must match", len(eips), len(ids)))
	}
	for i, id := range ids {
		lb.SubnetMappings = append(lb.SubnetMappings, SubnetMapping{SubnetID: id, AllocationID: eips[i]})
	}
	return nil
}

// frontendSGs resolves frontend-nlb-security-groups (the same list on
// every member setting it); nil when no member sets it: the NLB then takes
// the ALB's SGs.
func (b *albBuilder) frontendSGs() ([]SGRef, error) {
	var list []string
	for _, m := range b.members {
		if sgs := m.cfg.FrontendNLB.SecurityGroups; sgs != nil {
			if list != nil && !slices.Equal(list, sgs) {
				return nil, blame(m, fmt.Errorf("conflicting securityGroups: %v | %v", list, sgs))
			}
			list = sgs
		}
	}
	if len(list) == 0 {
		return nil, nil
	}
	l := b.f.SecurityGroupLookup
	if l == nil {
		return nil, fmt.Errorf("%s: security groups were not looked up", annotations.IngFrontendNLBSecurityGroup)
	}
	ids, err := ResolveSecurityGroups(list, l.ByID, l.ByName)
	if err != nil {
		return nil, err
	}
	var out []SGRef
	for _, id := range ids {
		out = append(out, SGRef{Kind: RefID, ID: id})
	}
	return out, nil
}

// frontendTags: frontend-nlb-tags (equal on every member setting it), else
// the ALB's user tags (with --default-tags).
func (b *albBuilder) frontendTags(albUserTags map[string]string) (map[string]string, error) {
	var tags map[string]string
	set := false
	for _, m := range b.members {
		f := m.cfg.FrontendNLB
		if !f.HasTags {
			continue
		}
		if set && !maps.Equal(tags, f.Tags) {
			return nil, blame(m, fmt.Errorf("conflicting frontend NLB tags: %v | %v", tags, f.Tags))
		}
		tags, set = f.Tags, true
	}
	if !set {
		return maps.Clone(albUserTags), nil
	}
	return maps.Clone(tags), nil
}

// frontendAttributes is frontend-nlb-attributes as LBC merges it: once a
// member set it, every later member must carry the same map (a later
// member without it conflicts too).
func (b *albBuilder) frontendAttributes() (map[string]string, error) {
	var chosen map[string]string
	for _, m := range b.members {
		a := m.cfg.FrontendNLB.Attributes
		if chosen == nil {
			chosen = a
			continue
		}
		if a == nil || !maps.Equal(chosen, a) {
			return nil, blame(m, fmt.Errorf("conflicting frontend NLB attributes: %v | %v", chosen, a))
		}
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	return maps.Clone(chosen), nil
}

// frontendPorts merges the members' NLB listeners by NLB port: each
// member's port mapping (or its own ALB ports, one to one), with the
// member's health check; the ALB port and explicitly set health-check
// fields must agree.
func (b *albBuilder) frontendPorts() (map[int32]*frontendPort, error) {
	out := map[int32]*frontendPort{}
	for _, m := range b.members {
		f := m.cfg.FrontendNLB
		mapping := f.PortMapping
		if len(mapping) == 0 {
			mapping = map[int32]int32{}
			for _, lp := range m.ports {
				mapping[lp.Port] = lp.Port
			}
		}
		hc, explicit := frontendHealthCheck(f.HealthCheck)
		for _, nlbPort := range slices.Sorted(maps.Keys(mapping)) {
			albPort := mapping[nlbPort]
			if !slices.ContainsFunc(m.ports, func(lp annotations.ListenPort) bool { return lp.Port == albPort }) {
				return nil, fmt.Errorf("ingress %s: %s maps NLB port %d to ALB port %d, on which the Ingress has no listener",
					m.key, annotations.IngFrontendNLBPortMapping, nlbPort, albPort)
			}
			cur := out[nlbPort]
			if cur == nil {
				out[nlbPort] = &frontendPort{target: albPort, targetFrom: m, hc: hc, explicit: explicit}
				continue
			}
			if cur.target != albPort {
				return nil, blame(m, fmt.Errorf("failed to merge NLB listenPort config for port: %d: conflicting Target Port: %d, previous: %d",
					nlbPort, albPort, cur.target))
			}
			if err := cur.mergeHealthCheck(hc, explicit); err != nil {
				return nil, blame(m, fmt.Errorf("failed to merge NLB listenPort config for port: %d: %w", nlbPort, err))
			}
		}
	}
	return out, nil
}

// frontendHealthCheck is a member's frontend NLB health check with LBC's
// defaults, and the fields it set.
func frontendHealthCheck(a annotations.HealthCheck) (HealthCheck, map[string]bool) {
	explicit := map[string]bool{}
	hc := HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Matcher: "200",
		Interval: frontendHCInterval, Timeout: frontendHCTimeout, Healthy: frontendHCThreshold, Unhealthy: frontendHCThreshold}
	str := func(name, v string, dst *string) {
		if v != "" {
			*dst, explicit[name] = v, true
		}
	}
	num := func(name string, v *int32, dst *int32) {
		if v != nil {
			*dst, explicit[name] = *v, true
		}
	}
	str("Protocol", a.Protocol, &hc.Protocol)
	str("Port", a.Port, &hc.Port)
	str("Path", a.Path, &hc.Path)
	str("Matcher", a.SuccessCodes, &hc.Matcher)
	num("IntervalSeconds", a.Interval, &hc.Interval)
	num("TimeoutSeconds", a.Timeout, &hc.Timeout)
	num("HealthyThresholdCount", a.HealthyThreshold, &hc.Healthy)
	num("UnhealthyThresholdCount", a.UnhealthyThreshold, &hc.Unhealthy)
	return hc, explicit
}

// mergeHealthCheck lays a later member's health check over the port's:
// a field it set explicitly wins over a default, and must equal one an
// earlier member set.
func (p *frontendPort) mergeHealthCheck(hc HealthCheck, explicit map[string]bool) error {
	type field struct {
		name     string
		cur, new any
		set      func()
	}
	fields := []field{
		{"IntervalSeconds", p.hc.Interval, hc.Interval, func() { p.hc.Interval = hc.Interval }},
		{"TimeoutSeconds", p.hc.Timeout, hc.Timeout, func() { p.hc.Timeout = hc.Timeout }},
		{"HealthyThresholdCount", p.hc.Healthy, hc.Healthy, func() { p.hc.Healthy = hc.Healthy }},
		{"UnhealthyThresholdCount", p.hc.Unhealthy, hc.Unhealthy, func() { p.hc.Unhealthy = hc.Unhealthy }},
		{"Protocol", p.hc.Protocol, hc.Protocol, func() { p.hc.Protocol = hc.Protocol }},
		{"Path", p.hc.Path, hc.Path, func() { p.hc.Path = hc.Path }},
		{"Matcher", p.hc.Matcher, hc.Matcher, func() { p.hc.Matcher = hc.Matcher }},
		{"Port", p.hc.Port, hc.Port, func() { p.hc.Port = hc.Port }},
	}
	for _, f := range fields {
		switch {
		case !explicit[f.name]:
		case p.explicit[f.name] && f.cur != f.new:
			return fmt.Errorf("conflicting %s: %v, previous: %v", f.name, f.new, f.cur)
		default:
			f.set()
			p.explicit[f.name] = true
		}
	}
	return nil
}

// frontendTGName is LBC's frontend NLB target-group name: the hash covers
// cluster, group ID, NLB port, target type, protocol, health-check port
// and protocol.
func (b *albBuilder) frontendTGName(port int32, hc HealthCheck) string {
	return naming.FrontendTargetGroupName(b.d.ClusterName, b.stack, strconv.Itoa(int(port)), hc.Port, hc.Protocol)
}
