package model

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/rules"
)

// frontendRules are the managed SG's inbound rules (lbc-security-groups.md
// §3.7): per Service port, each source CIDR (+ ICMP PMTU when asked) and
// each prefix list.
func frontendRules(svc *corev1.Service, cfg annotations.Service) (rules.Set, error) {
	cidrs, err := annotations.SourceRanges(svc, cfg)
	if err != nil {
		return nil, err
	}
	if len(cidrs) == 0 && cfg.PrefixLists == nil {
		cidrs = []string{"0.0.0.0/0"}
		if cfg.DualStack() {
			cidrs = append(cidrs, "::/0")
		}
	}
	out := rules.Set{}
	for _, p := range svc.Spec.Ports {
		proto := strings.ToLower(string(p.Protocol))
		if proto == "" {
			proto = rules.TCP
		}
		for _, c := range cidrs {
			k, err := rules.NewKey(proto, p.Port, p.Port, c)
			if err != nil {
				return nil, err
			}
			out.Add(k, "")
			if !cfg.ICMPForPathMTU {
				continue
			}
			if strings.Contains(c, ":") {
				out.Add(rules.MustKey(rules.ICMPv6, 2, 0, c), "")
			} else {
				out.Add(rules.MustKey(rules.ICMP, 3, 4, c), "")
			}
		}
		for _, pl := range cfg.PrefixLists {
			k, err := rules.NewKey(proto, p.Port, p.Port, pl)
			if err != nil {
				return nil, err
			}
			out.Add(k, "")
		}
	}
	return out, nil
}

// packFrontend fits the managed SG's inbound rules into EC2's default quota
// (see packManagedRules) and records the warning.
func (b *builder) packFrontend(sgName string, ingress rules.Set) (rules.Set, error) {
	packed, warns, err := packManagedRules(sgName, ingress)
	b.warnings = append(b.warnings, warns...)
	return packed, err
}

// packManagedRules fits a managed SG's inbound rules into EC2's default
// quota of rules.DefaultRulesPerDirection per address family (LBC fails
// instead, #4800): ports of one (protocol, source) are merged into ranges
// with the least widening (rules.Pack), and a WarnRulesPacked warning names
// every widened rule. When even packing cannot fit (more sources than the
// quota), it fails with an error wrapping rules.ErrOverQuota, so nothing is
// changed on AWS and the existing rules stay as they are. Shared by the NLB
// and ALB builders.
func packManagedRules(sgName string, ingress rules.Set) (rules.Set, []Warning, error) {
	q := rules.Quota{}
	usage := q.Usage(ingress)
	packed, widened, err := rules.Pack(ingress, q)
	if err != nil {
		return nil, nil, fmt.Errorf("managed security group %s: %d inbound rules (%s) from %d sources: %w",
			sgName, len(ingress), usage, sources(ingress), err)
	}
	if len(widened) == 0 {
		return packed, nil, nil
	}
	parts := make([]string, len(widened))
	for i, w := range widened {
		parts[i] = w.String()
	}
	return packed, []Warning{{Reason: WarnRulesPacked, Message: fmt.Sprintf(
		"managed security group %s: %d inbound rules (%s) would exceed the quota of %d per address family; merged ports from the same source into %d rules: %s",
		sgName, len(ingress), usage, rules.DefaultRulesPerDirection, len(packed), strings.Join(parts, "; "))}}, nil
}

// sources counts the distinct peers of s.
func sources(s rules.Set) int {
	peers := map[string]bool{}
	for k := range s {
		peers[k.Peer] = true
	}
	return len(peers)
}
