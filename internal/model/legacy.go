package model

import (
	"slices"
	"strconv"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// legacyTargetRules are the node rules of an NLB without SGs
// (lbc-security-groups.md §6.4): CIDR sources, since no SG can be cited.
// Skipped when the manage-backend annotation is "false".
func (b *builder) legacyTargetRules(lb *LoadBalancer) {
	if m := b.cfg.ManageBackendSGRules; m != nil && !*m {
		return
	}
	groups := b.targetSGs()
	if len(groups) == 0 {
		return
	}
	ranges, _ := annotations.SourceRanges(b.svc, b.cfg)
	// LBC's Service builder adds the health-check rule for UDP groups, not
	// QUIC or TCP_UDP ones.
	cidrTargetRules(&b.st, lb, b.f, groups, ranges, func(tg TargetGroup) bool { return tg.Protocol == ProtoUDP })
}

// cidrTargetRules adds to st the node rules of an NLB without security
// groups on groups (lbc-security-groups.md §6.4), CIDR sources since no SG
// can be cited: per target group, its traffic port from the load
// balancer's subnets or, when the client IP is preserved (always for UDP
// and TCP_UDP), from ranges (default 0.0.0.0/0; the VPC's CIDRs on an
// internal NLB); and the health-check port from the subnets when the
// health check cannot ride on the traffic rule: a group udpHealth picks,
// a health-check port of its own, or client IPs from ranges not open to
// all.
func cidrTargetRules(st *Stack, lb *LoadBalancer, f Facts, groups, ranges []string, udpHealth func(TargetGroup) bool) {
	var subnetCIDRs []string
	for _, id := range lb.Subnets {
		if i := slices.IndexFunc(f.Subnets, func(s Subnet) bool { return s.ID == id }); i >= 0 && f.Subnets[i].CIDR != "" {
			subnetCIDRs = append(subnetCIDRs, f.Subnets[i].CIDR)
		}
	}
	type rule struct {
		proto string
		port  int32
		cidr  string
	}
	var out []rule
	for _, tg := range st.TargetGroups {
		if tg.TargetType == TargetTypeALB {
			continue // an ALB Gateway's target (Gateway chaining): no node rules
		}
		proto := transportProto(tg.Protocol)
		clientIP := proto == ProtoUDP || proto == ProtoTCPUDP || preserveClientIP(tg)
		sources, defaultRange := subnetCIDRs, false
		if clientIP {
			sources = ranges
			if len(sources) == 0 {
				defaultRange = true
				sources = []string{"0.0.0.0/0"}
				if lb.Scheme == naming.SchemeInternal {
					sources = f.VPCCIDRs
				}
			}
		}
		protos := []string{rules.TCP}
		switch proto {
		case ProtoUDP:
			protos = []string{rules.UDP}
		case ProtoTCPUDP:
			protos = []string{rules.TCP, rules.UDP}
		}
		for _, c := range sources {
			for _, p := range protos {
				out = append(out, rule{p, tg.Port, c})
			}
		}
		hcPort := tg.Port
		if n, err := strconv.Atoi(tg.HealthCheck.Port); err == nil {
			hcPort = int32(n)
		}
		open := slices.Contains(sources, "0.0.0.0/0") || slices.Contains(sources, "::/0")
		if udpHealth(tg) || hcPort != tg.Port || (clientIP && !defaultRange && !open) {
			for _, c := range subnetCIDRs {
				out = append(out, rule{rules.TCP, hcPort, c})
			}
		}
	}
	for _, g := range groups {
		for _, r := range out {
			st.TargetRules = append(st.TargetRules, TargetRule{GroupID: g, Source: RefCIDR, CIDR: r.cidr,
				Protocol: r.proto, FromPort: r.port, ToPort: r.port})
		}
	}
}

// preserveClientIP: the TG's attribute if set (checked by the builder),
// else AWS's default (on for instance targets, off for ip).
func preserveClientIP(tg TargetGroup) bool {
	if v, ok := tg.Attributes[AttrPreserveClientIP]; ok {
		p, err := strconv.ParseBool(v)
		return err == nil && p
	}
	return tg.TargetType == annotations.TargetTypeInstance
}
