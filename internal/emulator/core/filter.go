package core

import (
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// MaxFilterValues is EC2's limit on filter values in one call.
const MaxFilterValues = 200

// Filter is one EC2 Describe filter: values are OR'ed.
type Filter struct {
	Name   string
	Values []string
}

// ParseFilters reads Filter.N.Name / Filter.N.Value.M. allowed reports
// whether a filter name is supported (tag:<key> is always accepted); an
// unsupported one is EC2's InvalidParameterValue "The filter 'x' is invalid".
func ParseFilters(p query.Params, allowed func(name string) bool) ([]Filter, error) {
	var out []Filter
	total := 0
	for _, f := range p.Indexed("Filter") {
		name := f.Get("Name")
		if name == "" {
			return nil, query.MissingParameter("Filter.Name")
		}
		if !strings.HasPrefix(name, "tag:") && !allowed(name) {
			return nil, query.BadRequest("InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		vals := f.Strings("Value")
		total += len(vals)
		out = append(out, Filter{Name: name, Values: vals})
	}
	if total > MaxFilterValues {
		return nil, query.BadRequest("FilterLimitExceeded", "The maximum number of filter values specified on a single call is %d", MaxFilterValues)
	}
	return out, nil
}

// Names is a convenience for ParseFilters: a set of allowed filter names.
func Names(names ...string) func(string) bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return func(n string) bool { return set[n] }
}

// MatchAny reports whether value matches any of the patterns.
func MatchAny(patterns []string, value string) bool {
	for _, p := range patterns {
		if Wildcard(p, value) {
			return true
		}
	}
	return false
}

// MatchAnyOf reports whether any value matches any pattern.
func MatchAnyOf(patterns, values []string) bool {
	for _, v := range values {
		if MatchAny(patterns, v) {
			return true
		}
	}
	return false
}

// Wildcard matches value against pattern, where * matches any run of
// characters and ? any one character; case-sensitive, as EC2 filters are.
func Wildcard(pattern, value string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == value
	}
	p, v := []rune(pattern), []rune(value)
	// Iterative matcher with single-star backtracking.
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// MatchTagFilter evaluates the tag filters: tag:<key> (key present with one
// of the values), tag-key and tag-value. handled is false for other names.
func MatchTagFilter(f Filter, tags map[string]string) (handled, ok bool) {
	switch {
	case strings.HasPrefix(f.Name, "tag:"):
		v, present := tags[strings.TrimPrefix(f.Name, "tag:")]
		return true, present && MatchAny(f.Values, v)
	case f.Name == "tag-key":
		for k := range tags {
			if MatchAny(f.Values, k) {
				return true, true
			}
		}
		return true, false
	case f.Name == "tag-value":
		for _, v := range tags {
			if MatchAny(f.Values, v) {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}
