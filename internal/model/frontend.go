package model

import (
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
