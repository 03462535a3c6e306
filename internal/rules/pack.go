package rules

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrOverQuota is returned (wrapped) by Pack when no merge of ports can make a
// Set fit its quota.
var ErrOverQuota = errors.New("rules exceed the per-security-group quota")

// Widening reports one rule Pack produced by merging others.
type Widening struct {
	Result Key   // the merged rule
	Merged []Key // the rules it replaces, in Compare order
	Opened int   // ports Result opens that none of Merged did
}

// String describes the widening for an event message.
func (w Widening) String() string {
	parts := make([]string, len(w.Merged))
	for i, k := range w.Merged {
		parts[i] = k.String()
	}
	return fmt.Sprintf("%s replaces %s (opens %d more ports)", w.Result, strings.Join(parts, ", "), w.Opened)
}

type interval struct {
	from, to int32
	desc     string
	members  []Key
}

type group struct {
	proto, peer string
	weight      Usage
	ivs         []interval // sorted by from, disjoint after coalescing
}

// Pack returns s unchanged (a copy, no widenings) when it fits q. Otherwise
// it merges TCP/UDP rules that share protocol and peer into port ranges,
// only in groups whose peer counts against an address family that is over
// the limit: overlapping and adjacent ranges first (no port is opened), then
// the pairs with the smallest gap between them, until the Set fits. Closing
// the k smallest gaps opens the fewest ports for k fewer rules, so for one
// address family the result is optimal. A merged rule keeps the description
// of its lowest range. No rule is dropped and no port closed; portless
// protocols (icmp, -1, …) are left as they are. If the Set still does not fit, Pack returns the packed
// Set, its widenings and an error wrapping ErrOverQuota; the caller decides
// (LBC would fail with RulesPerSecurityGroupLimitExceeded, #4800).
func Pack(s Set, q Quota) (Set, []Widening, error) {
	usage := q.Usage(s)
	if q.Fits(usage) {
		return s.Clone(), nil, nil
	}
	out, groups := groupByPeer(s, q)
	// 1. Coalesce overlapping and touching ranges: free, in every group that
	// counts against an over-limit family.
	over := q.Headroom(usage)
	for _, g := range groups {
		if g.relieves(over) {
			usage = sub(usage, g.weight.times(g.coalesce()))
		}
	}
	// 2. Close the smallest gaps that relieve an over-limit family.
	for !q.Fits(usage) {
		g, i := smallestGap(groups, q.Headroom(usage))
		if g == nil {
			break
		}
		g.merge(i)
		usage = sub(usage, g.weight)
	}
	widened := collect(out, groups)
	if u := q.Usage(out); !q.Fits(u) {
		return out, widened, fmt.Errorf("%w: %s after packing ports into ranges, limit %d per family", ErrOverQuota, u, q.limit())
	}
	return out, widened, nil
}

// groupByPeer copies portless rules to out and groups the others by
// (protocol, peer), groups in (peer, protocol) order.
func groupByPeer(s Set, q Quota) (Set, []*group) {
	out := Set{}
	byGroup := map[[2]string]*group{}
	for k, d := range s {
		if !k.HasPorts() {
			out[k] = d
			continue
		}
		gk := [2]string{k.Protocol, k.Peer}
		g := byGroup[gk]
		if g == nil {
			g = &group{proto: k.Protocol, peer: k.Peer, weight: q.Weight(k)}
			byGroup[gk] = g
		}
		g.ivs = append(g.ivs, interval{from: k.FromPort, to: k.ToPort, desc: d, members: []Key{k}})
	}
	groups := make([]*group, 0, len(byGroup))
	for _, g := range byGroup {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(strings.Compare(a.peer, b.peer), strings.Compare(a.proto, b.proto))
	})
	return out, groups
}

// relieves reports whether merging in g lowers a family that is over
// (negative headroom).
func (g *group) relieves(head Usage) bool {
	return (head.IPv4 < 0 && g.weight.IPv4 > 0) || (head.IPv6 < 0 && g.weight.IPv6 > 0)
}

// coalesce sorts g's ranges and merges overlapping and touching ones,
// returning how many rules disappeared.
func (g *group) coalesce() int {
	slices.SortFunc(g.ivs, func(a, b interval) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), strings.Compare(a.desc, b.desc))
	})
	merged := g.ivs[:0:0]
	for _, iv := range g.ivs {
		n := len(merged)
		if n > 0 && int(iv.from) <= int(merged[n-1].to)+1 {
			last := &merged[n-1]
			last.to = max(last.to, iv.to)
			last.members = append(last.members, iv.members...)
			continue
		}
		merged = append(merged, iv)
	}
	removed := len(g.ivs) - len(merged)
	g.ivs = merged
	return removed
}

// merge joins ranges i and i+1.
func (g *group) merge(i int) {
	a, b := g.ivs[i], g.ivs[i+1]
	a.to = max(a.to, b.to)
	a.members = append(a.members, b.members...)
	g.ivs[i] = a
	g.ivs = slices.Delete(g.ivs, i+1, i+2)
}

// smallestGap finds, among groups relieving an over-limit family, the pair
// of neighbouring ranges with the fewest ports between them; the first in
// group and port order wins ties. nil when there is none.
func smallestGap(groups []*group, head Usage) (*group, int) {
	var best *group
	bestIdx, bestGap := -1, 0
	for _, g := range groups {
		if !g.relieves(head) {
			continue
		}
		for i := 0; i+1 < len(g.ivs); i++ {
			gap := int(g.ivs[i+1].from) - int(g.ivs[i].to) - 1
			if bestIdx < 0 || gap < bestGap {
				best, bestIdx, bestGap = g, i, gap
			}
		}
	}
	return best, bestIdx
}

// collect writes the groups' ranges to out and reports the merged ones.
func collect(out Set, groups []*group) []Widening {
	var widened []Widening
	for _, g := range groups {
		for _, iv := range g.ivs {
			k := Key{Protocol: g.proto, FromPort: iv.from, ToPort: iv.to, Peer: g.peer}
			out[k] = iv.desc
			if len(iv.members) == 1 {
				continue
			}
			slices.SortFunc(iv.members, Compare)
			widened = append(widened, Widening{Result: k, Merged: iv.members, Opened: k.Ports() - covered(iv.members)})
		}
	}
	slices.SortFunc(widened, func(a, b Widening) int { return Compare(a.Result, b.Result) })
	return widened
}

func (u Usage) times(n int) Usage { return Usage{IPv4: u.IPv4 * n, IPv6: u.IPv6 * n} }

func sub(u, w Usage) Usage { return Usage{IPv4: u.IPv4 - w.IPv4, IPv6: u.IPv6 - w.IPv6} }

// covered counts the distinct ports of keys sorted by FromPort.
func covered(keys []Key) int {
	n, end := 0, int32(-1)
	for _, k := range keys {
		from := max(k.FromPort, end+1)
		if k.ToPort >= from {
			n += int(k.ToPort-from) + 1
			end = k.ToPort
		}
	}
	return n
}

// SpanPerSource is LBC's restricted-mode aggregation for target SGs
// (lbc-security-groups.md §6.8): rules whose peer is an SG or a prefix list
// are grouped by (protocol, peer) and replaced by one rule spanning the
// lowest FromPort to the highest ToPort of the group; a TCP/UDP rule with
// ports 0-0 (LBC's "no port") makes its group 0-65535. CIDR-sourced rules and
// portless protocols are kept one by one. lbsg emits exact ports and uses
// Pack only when over quota (LBC #3460, #1731); this exists for compatibility
// modes and for audit to explain what LBC would have written.
func SpanPerSource(s Set) Set {
	out := Set{}
	type gk struct{ proto, peer string }
	span := map[gk]Key{}
	desc := map[gk]string{}
	for _, k := range s.Keys() {
		kind := k.PeerKind()
		if !k.HasPorts() || (kind != PeerSecurityGroup && kind != PeerPrefixList) {
			out[k] = s[k]
			continue
		}
		from, to := k.FromPort, k.ToPort
		if from == 0 && to == 0 {
			to = MaxPort
		}
		g := gk{k.Protocol, k.Peer}
		cur, ok := span[g]
		if !ok {
			span[g] = Key{Protocol: k.Protocol, FromPort: from, ToPort: to, Peer: k.Peer}
			desc[g] = s[k]
			continue
		}
		cur.FromPort = min(cur.FromPort, from)
		cur.ToPort = max(cur.ToPort, to)
		span[g] = cur
	}
	for g, k := range span {
		out[k] = desc[g]
	}
	return out
}
