package rules

import "fmt"

// Spread distributes s over at most maxGroups security groups, each within
// q, for a load balancer whose rules do not fit one SG even after Pack
// (LBC #4800, #3538: ALBs and NLBs take up to five SGs). It is stable: a rule
// already in current[i] stays in group i while that group has room, so a
// change moves no rule it does not have to; the other rules go first-fit in
// Compare order, opening a new group only when none has room. Trailing
// groups left empty are dropped: the caller detaches and deletes those SGs.
// When more than maxGroups would be needed it returns the placement so far
// and an error wrapping ErrOverQuota.
func Spread(s Set, current []Set, q Quota, maxGroups int) ([]Set, error) {
	if maxGroups < 1 {
		maxGroups = 1
	}
	if len(current) > maxGroups {
		current = current[:maxGroups]
	}
	out := make([]Set, max(len(current), 1))
	used := make([]Usage, len(out))
	for i := range out {
		out[i] = Set{}
	}
	fits := func(i int, k Key) bool {
		w := q.Weight(k)
		return q.Fits(Usage{IPv4: used[i].IPv4 + w.IPv4, IPv6: used[i].IPv6 + w.IPv6})
	}
	place := func(i int, k Key) {
		w := q.Weight(k)
		out[i][k] = s[k]
		used[i] = Usage{IPv4: used[i].IPv4 + w.IPv4, IPv6: used[i].IPv6 + w.IPv6}
	}
	var pending []Key
	for _, k := range s.Keys() {
		placed := false
		for i, cur := range current {
			if cur.Has(k) && fits(i, k) {
				place(i, k)
				placed = true
				break
			}
		}
		if !placed {
			pending = append(pending, k)
		}
	}
	var err error
	for _, k := range pending {
		i := 0
		for i < len(out) && !fits(i, k) {
			i++
		}
		if i == len(out) {
			if len(out) == maxGroups || !q.Fits(q.Weight(k)) {
				err = fmt.Errorf("%w: %d rules need more than %d security groups", ErrOverQuota, len(s), maxGroups)
				continue
			}
			out = append(out, Set{})
			used = append(used, Usage{})
		}
		place(i, k)
	}
	for len(out) > 1 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out, err
}
