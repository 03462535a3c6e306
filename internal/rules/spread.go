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
	maxGroups = max(maxGroups, 1)
	if len(current) > maxGroups {
		current = current[:maxGroups]
	}
	b := newBins(s, q, max(len(current), 1))
	var pending []Key
	for _, k := range s.Keys() {
		if i := b.home(k, current); i >= 0 {
			b.place(i, k)
		} else {
			pending = append(pending, k)
		}
	}
	var err error
	for _, k := range pending {
		i := b.firstFit(k)
		if i < 0 && len(b.sets) < maxGroups && q.Fits(q.Weight(k)) {
			b.sets, b.used = append(b.sets, Set{}), append(b.used, Usage{})
			i = len(b.sets) - 1
		}
		if i < 0 {
			err = fmt.Errorf("%w: %d rules need more than %d security groups", ErrOverQuota, len(s), maxGroups)
			continue
		}
		b.place(i, k)
	}
	out := b.sets
	for len(out) > 1 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out, err
}

// bins is Spread's placement state.
type bins struct {
	src  Set
	q    Quota
	sets []Set
	used []Usage
}

func newBins(src Set, q Quota, n int) *bins {
	b := &bins{src: src, q: q, sets: make([]Set, n), used: make([]Usage, n)}
	for i := range b.sets {
		b.sets[i] = Set{}
	}
	return b
}

func (b *bins) fits(i int, k Key) bool {
	w := b.q.Weight(k)
	return b.q.Fits(Usage{IPv4: b.used[i].IPv4 + w.IPv4, IPv6: b.used[i].IPv6 + w.IPv6})
}

func (b *bins) place(i int, k Key) {
	w := b.q.Weight(k)
	b.sets[i][k] = b.src[k]
	b.used[i] = Usage{IPv4: b.used[i].IPv4 + w.IPv4, IPv6: b.used[i].IPv6 + w.IPv6}
}

// home is the current group holding k that still has room, or -1.
func (b *bins) home(k Key, current []Set) int {
	for i, cur := range current {
		if cur.Has(k) && b.fits(i, k) {
			return i
		}
	}
	return -1
}

// firstFit is the first group with room for k, or -1.
func (b *bins) firstFit(k Key) int {
	for i := range b.sets {
		if b.fits(i, k) {
			return i
		}
	}
	return -1
}
