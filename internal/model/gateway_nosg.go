package model

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lbsg/lbsg/internal/gwconfig"
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
// for NLBs without SGs): cidrTargetRules with the configuration's
// sourceRanges.
func (b *gwBuilder) noSGTargetRules(lb *LoadBalancer) {
	groups := b.targetNodeSGs()
	if len(groups) == 0 {
		return
	}
	var ranges []string
	if r := b.gw.Config.SourceRanges; r != nil {
		ranges = *r
	}
	// LBC's Gateway builder adds the health-check rule for UDP and TCP_UDP
	// groups.
	cidrTargetRules(&b.st, lb, b.f, groups, ranges, func(tg TargetGroup) bool {
		p := transportProto(tg.Protocol)
		return p == ProtoUDP || p == ProtoTCPUDP
	})
}
