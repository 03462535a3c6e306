package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// ResolveTargetRules turns a Stack's target rules into rule Sets per target
// SG, with the source resolved (backendID, managedID) and the cluster's
// ownership marker as description. Rules whose source ID is unknown are left
// out (the controller creates the SG first).
func ResolveTargetRules(s Stack, cluster, backendID, managedID string) map[string]rules.Set {
	out := map[string]rules.Set{}
	desc := naming.RuleDescription(cluster)
	for _, r := range s.TargetRules {
		peer := backendID
		switch r.Source {
		case RefManaged:
			peer = managedID
		case RefCIDR:
			peer = r.CIDR
		case RefBackend, RefID:
		}
		if peer == "" {
			continue
		}
		k, err := rules.NewKey(r.Protocol, r.FromPort, r.ToPort, peer)
		if err != nil {
			continue
		}
		if out[r.GroupID] == nil {
			out[r.GroupID] = rules.Set{}
		}
		out[r.GroupID].Add(k, desc)
	}
	return out
}

// TargetSGDesired is the desired owned rules of one target SG: the union of
// every Stack's contribution, overlapping or touching port ranges of one
// (protocol, source) merged (no port opened), then packed to fit the quota
// left by the rules lbsg does not own (foreign). A widening is reported as a
// Warning; a Set that cannot fit returns the packed Set and an error.
func TargetSGDesired(sgID string, contributions []rules.Set, foreign rules.Set, limit int) (rules.Set, []Warning, error) {
	union := rules.Set{}
	for _, c := range contributions {
		union = union.Union(c)
	}
	union = Coalesce(union)
	if limit <= 0 {
		limit = rules.DefaultRulesPerDirection
	}
	used := rules.Quota{}.Usage(foreign)
	q := rules.Quota{Limit: limit - max(used.IPv4, used.IPv6)}
	if q.Limit <= 0 {
		return union, nil, fmt.Errorf("security group %s: rules lbsg does not own use the whole quota of %d", sgID, limit)
	}
	packed, widened, err := rules.Pack(union, q)
	var warns []Warning
	if len(widened) > 0 {
		parts := make([]string, len(widened))
		for i, w := range widened {
			parts[i] = w.String()
		}
		warns = append(warns, Warning{Reason: WarnRulesPacked, Message: fmt.Sprintf(
			"security group %s: %d rules would exceed the quota of %d; merged ports into ranges: %s",
			sgID, len(union), q.Limit, strings.Join(parts, "; "))})
	}
	if err != nil {
		return packed, warns, fmt.Errorf("security group %s: %w", sgID, err)
	}
	return packed, warns, nil
}

// Coalesce merges TCP/UDP rules of one (protocol, peer) whose port ranges
// overlap or touch; no port is opened. The lowest range's description wins.
func Coalesce(s rules.Set) rules.Set {
	out := rules.Set{}
	type gk struct{ proto, peer string }
	groups := map[gk][]rules.Key{}
	for k, d := range s {
		if !k.HasPorts() {
			out[k] = d
			continue
		}
		g := gk{k.Protocol, k.Peer}
		groups[g] = append(groups[g], k)
	}
	for _, ks := range groups {
		slices.SortFunc(ks, func(a, b rules.Key) int {
			return cmp.Or(cmp.Compare(a.FromPort, b.FromPort), cmp.Compare(a.ToPort, b.ToPort))
		})
		cur, desc := ks[0], s[ks[0]]
		for _, k := range ks[1:] {
			if int(k.FromPort) <= int(cur.ToPort)+1 {
				cur.ToPort = max(cur.ToPort, k.ToPort)
				continue
			}
			out[cur] = desc
			cur, desc = k, s[k]
		}
		out[cur] = desc
	}
	return out
}
