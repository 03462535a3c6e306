package model

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// errGatewaySGsCannotBeAdded refuses security groups for an NLB AWS
// created without them: AWS cannot add them (serving it unprotected
// instead would give less protection than the configuration asks for).
var errGatewaySGsCannotBeAdded = errors.New("the Gateway's NLB was created without security groups (disableSecurityGroup) and AWS cannot add them: set disableSecurityGroup again, or recreate the Gateway")

// withoutSecurityGroups: an NLB whose configuration sets
// disableSecurityGroup gets no security group (LBC; an ALB ignores the
// field, as LBC). LBC then ignores the settings only security groups can
// honour (securityGroupSettings); lbsg refuses them. An existing NLB with security groups
// cannot lose them all (errConflictingSGConfig), nor one without gain
// them. done reports the NLB has none.
func (b *gwBuilder) withoutSecurityGroups() (done bool, err error) {
	if b.gw.ALB {
		return false, nil
	}
	disable := b.gw.Config.DisableSecurityGroup != nil && *b.gw.Config.DisableSecurityGroup
	e := b.f.ExistingLB
	if disable {
		// LBC drops these silently on an NLB without SGs; lbsg says so.
		if with := securityGroupSettings(b.gw.Config); len(with) > 0 {
			return false, fmt.Errorf("disableSecurityGroup cannot be combined with %s: an NLB without security groups has nowhere to apply them",
				strings.Join(with, ", "))
		}
	}
	switch {
	case disable && e != nil && len(e.SecurityGroups) > 0:
		return false, errConflictingSGConfig
	case !disable && e != nil && len(e.SecurityGroups) == 0:
		return false, errGatewaySGsCannotBeAdded
	}
	return disable, nil
}

// securityGroupSettings lists the configuration's settings that only a
// load balancer's security groups can honour.
func securityGroupSettings(c *gwconfig.LoadBalancerConfigurationSpec) []string {
	var out []string
	if c.SecurityGroups != nil && len(*c.SecurityGroups) > 0 {
		out = append(out, "securityGroups")
	}
	if c.SecurityGroupPrefixes != nil && len(*c.SecurityGroupPrefixes) > 0 {
		out = append(out, "securityGroupPrefixes")
	}
	if c.EnableICMP != nil && *c.EnableICMP {
		out = append(out, "enableICMP")
	}
	if c.ManageBackendSecurityGroupRules != nil && *c.ManageBackendSecurityGroupRules {
		out = append(out, "manageBackendSecurityGroupRules")
	}
	if c.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic != nil {
		out = append(out, "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic")
	}
	return out
}

// noSGTargetRules are the node rules of a Gateway NLB without security
// groups, as LBC's gateway builds them (its TargetGroupBinding networking
// for NLBs without SGs), CIDR sources since no SG can be cited: per target
// group, its traffic port from the load balancer's subnets or, when the
// client IP is preserved, from sourceRanges (default 0.0.0.0/0; the VPC's
// CIDRs on internal NLBs); and the health-check port from the subnets
// when the health check cannot ride on the traffic rule.
func (b *gwBuilder) noSGTargetRules(lb *LoadBalancer) {
	groups := b.targetNodeSGs()
	if len(groups) == 0 {
		return
	}
	var subnetCIDRs []string
	for _, id := range lb.Subnets {
		if i := slices.IndexFunc(b.f.Subnets, func(s Subnet) bool { return s.ID == id }); i >= 0 && b.f.Subnets[i].CIDR != "" {
			subnetCIDRs = append(subnetCIDRs, b.f.Subnets[i].CIDR)
		}
	}
	type rule struct {
		proto string
		port  int32
		cidr  string
	}
	var out []rule
	for _, tg := range b.st.TargetGroups {
		proto := transportProto(tg.Protocol)
		udp := proto == ProtoUDP || proto == ProtoTCPUDP
		preserve := udp || gatewayPreserveClientIP(tg)
		sources, defaultRange := subnetCIDRs, false
		if preserve {
			sources = nil
			if r := b.gw.Config.SourceRanges; r != nil {
				sources = *r
			}
			if len(sources) == 0 {
				defaultRange = true
				sources = []string{"0.0.0.0/0"}
				if lb.Scheme == naming.SchemeInternal {
					sources = b.f.VPCCIDRs
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
		if udp || hcPort != tg.Port || (preserve && !defaultRange && !open) {
			for _, c := range subnetCIDRs {
				out = append(out, rule{rules.TCP, hcPort, c})
			}
		}
	}
	for _, g := range groups {
		for _, r := range out {
			b.st.TargetRules = append(b.st.TargetRules, TargetRule{GroupID: g, Source: RefCIDR, CIDR: r.cidr,
				Protocol: r.proto, FromPort: r.port, ToPort: r.port})
		}
	}
}

// gatewayPreserveClientIP is LBC's gateway reading of client IP
// preservation for a TCP or TLS target group: the attribute if set (a
// value that is not a boolean counts as off), else on for instance
// targets.
func gatewayPreserveClientIP(tg TargetGroup) bool {
	if v, ok := tg.Attributes[AttrPreserveClientIP]; ok {
		p, err := strconv.ParseBool(v)
		return err == nil && p
	}
	return tg.TargetType == annotations.TargetTypeInstance
}
