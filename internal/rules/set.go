package rules

import (
	"maps"
	"slices"
	"strings"
)

// Set is a set of rules for one SG and direction; the value is the rule's
// description (carrying the ownership marker, or "").
type Set map[Key]string

// Add puts k into s with the given description (last write wins).
func (s Set) Add(k Key, desc string) { s[k] = desc }

// Has reports whether k is in s.
func (s Set) Has(k Key) bool {
	_, ok := s[k]
	return ok
}

// Clone returns a copy of s (nil for nil).
func (s Set) Clone() Set { return maps.Clone(s) }

// Minus returns the rules of s whose keys are not in o.
func (s Set) Minus(o Set) Set {
	out := Set{}
	for k, d := range s {
		if _, ok := o[k]; !ok {
			out[k] = d
		}
	}
	return out
}

// Union returns the rules in s or o; on a shared key s's description wins.
func (s Set) Union(o Set) Set {
	out := make(Set, len(s)+len(o))
	maps.Copy(out, o)
	maps.Copy(out, s)
	return out
}

// Intersect returns the rules of s whose keys are also in o (s's descriptions).
func (s Set) Intersect(o Set) Set {
	out := Set{}
	for k, d := range s {
		if _, ok := o[k]; ok {
			out[k] = d
		}
	}
	return out
}

// Equal reports whether s and o hold the same keys with the same descriptions.
func (s Set) Equal(o Set) bool { return maps.Equal(s, o) }

// SameKeys reports whether s and o hold the same keys, ignoring descriptions
// (AWS's notion of equality).
func (s Set) SameKeys(o Set) bool {
	if len(s) != len(o) {
		return false
	}
	for k := range s {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	return true
}

// Filter returns the rules whose description satisfies keep.
func (s Set) Filter(keep func(desc string) bool) Set {
	out := Set{}
	for k, d := range s {
		if keep(d) {
			out[k] = d
		}
	}
	return out
}

// Keys returns the keys in Compare order.
func (s Set) Keys() []Key {
	return slices.SortedFunc(maps.Keys(s), Compare)
}

// String lists the rules in Compare order, e.g. "[tcp 80 ← 0.0.0.0/0]".
func (s Set) String() string {
	parts := make([]string, 0, len(s))
	for _, k := range s.Keys() {
		parts = append(parts, k.String())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Delta is everything Compare found. Authorize, Revoke and Describe are the
// calls to make (authorize first, revoke last); Foreign are observed rules
// outside the desired set that lbsg does not own: never touched, reported by
// audit. Shared are desired rules already present under a foreign
// description: satisfied, left as they are and never claimed.
type Delta struct {
	Authorize Set // desired, not observed
	Revoke    Set // observed, owned, not desired
	Describe  Set // observed and desired, owned, description differs: the desired description
	Foreign   Set // observed, not owned, not desired
	Shared    Set // observed under a description lbsg does not own, and desired
}

// Empty reports whether nothing needs to be sent to AWS.
func (d Delta) Empty() bool {
	return len(d.Authorize) == 0 && len(d.Revoke) == 0 && len(d.Describe) == 0
}

// CompareSets diffs observed against desired. owns decides, from an observed
// rule's description, whether lbsg may revoke or rewrite it; nil owns nothing.
func CompareSets(observed, desired Set, owns func(desc string) bool) Delta {
	if owns == nil {
		owns = func(string) bool { return false }
	}
	d := Delta{Authorize: Set{}, Revoke: Set{}, Describe: Set{}, Foreign: Set{}, Shared: Set{}}
	for k, want := range desired {
		got, ok := observed[k]
		switch {
		case !ok:
			d.Authorize[k] = want
		case got == want:
		case owns(got):
			d.Describe[k] = want
		default:
			d.Shared[k] = got
		}
	}
	for k, got := range observed {
		if _, ok := desired[k]; ok {
			continue
		}
		if owns(got) {
			d.Revoke[k] = got
		} else {
			d.Foreign[k] = got
		}
	}
	return d
}

// Diff is CompareSets reduced to the two calls that change rule identity:
// what to authorize and what to revoke. It never returns a rule in revoke
// whose observed description owns rejects. Description-only changes are in
// CompareSets(…).Describe.
func Diff(observed, desired Set, owns func(desc string) bool) (authorize, revoke Set) {
	d := CompareSets(observed, desired, owns)
	return d.Authorize, d.Revoke
}

// OwnsAll is the predicate for an SG lbsg owns entirely (a managed frontend
// SG): every rule on it is lbsg's to revoke, as in LBC (lbc-security-groups.md
// §3.8).
func OwnsAll(string) bool { return true }
