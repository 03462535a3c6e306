package model

import (
	"slices"
	"strconv"
)

// memberRoute is a route with the member it came from.
type memberRoute struct {
	m *member
	route
}

// optimizeRoutes drops the rules LBC's rule optimizer drops from one
// listener: a redirect that would send a request back to this same rule
// (an infinite loop), and any rule after a redirect rule whose host and
// path conditions cover it (it could never match).
func optimizeRoutes(port int32, protocol string, rs []memberRoute) []memberRoute {
	var kept []memberRoute
	for _, r := range rs {
		if !loopingRedirect(port, protocol, r.route) {
			kept = append(kept, r)
		}
	}
	var out []memberRoute
	for _, r := range kept {
		shadowed := slices.ContainsFunc(out, func(e memberRoute) bool {
			return e.action.Type == ActionRedirect && coversConditions(e.conds, r.conds)
		})
		if !shadowed {
			out = append(out, r)
		}
	}
	return out
}

// loopingRedirect reports whether a redirect rule redirects to a URL the
// same rule matches again (each redirect component unset, AWS's "#{…}"
// placeholder, or equal to what the rule requires).
func loopingRedirect(port int32, protocol string, r route) bool {
	rd := r.action.Redirect
	if r.action.Type != ActionRedirect || rd == nil {
		return false
	}
	var hosts, paths []string
	for _, c := range r.conds {
		switch c.Field {
		case FieldHostHeader:
			hosts = append(hosts, c.Values...)
		case FieldPathPattern:
			if len(c.RegexValues) > 0 {
				return false
			}
			paths = append(paths, c.Values...)
		}
	}
	same := func(v, placeholder string, ok func(string) bool) bool {
		return v == "" || v == placeholder || ok(v)
	}
	return same(rd.Host, "#{host}", func(v string) bool { return slices.Contains(hosts, v) }) &&
		same(rd.Path, "/#{path}", func(v string) bool { return slices.Contains(paths, v) }) &&
		same(rd.Port, "#{port}", func(v string) bool { return v == strconv.Itoa(int(port)) }) &&
		same(rd.Protocol, "#{protocol}", func(v string) bool { return v == protocol }) &&
		same(rd.Query, "#{query}", func(string) bool { return false })
}

// coversConditions reports whether a rule with conditions lhs (host and
// path only; any other condition makes it narrower) matches every request
// a rule with rhs matches, judged on host and path values as LBC does.
func coversConditions(lhs, rhs []Condition) bool {
	lh, lp, ok := hostsAndPaths(lhs, true)
	if !ok {
		return false
	}
	rh, rp, _ := hostsAndPaths(rhs, false)
	hostsCover := len(lh) == 0 || (len(rh) != 0 && superset(lh, rh))
	pathsCover := len(lp) == 0 || slices.Contains(lp, "/*") || (len(rp) != 0 && superset(lp, rp))
	return hostsCover && pathsCover
}

// hostsAndPaths collects host values and path values (a path condition's
// regex values when it has them); strict: false when another field is
// present.
func hostsAndPaths(cs []Condition, strict bool) (hosts, paths []string, ok bool) {
	for _, c := range cs {
		switch c.Field {
		case FieldHostHeader:
			hosts = append(hosts, c.Values...)
		case FieldPathPattern:
			if len(c.RegexValues) > 0 {
				paths = append(paths, c.RegexValues...)
			} else {
				paths = append(paths, c.Values...)
			}
		default:
			if strict {
				return nil, nil, false
			}
		}
	}
	return hosts, paths, true
}

func superset(a, b []string) bool {
	for _, v := range b {
		if !slices.Contains(a, v) {
			return false
		}
	}
	return true
}
