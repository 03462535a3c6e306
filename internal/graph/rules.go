package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/cloud/elbv2"
)

// maxRuleLines bounds the rule lines of one load balancer's label; the rest
// are counted in a last line.
const maxRuleLines = 12

// ruleLines renders an ALB's listener rules, one line each, listener port
// then priority order, the default rule last: "443 p1: host a.example path
// /api → authenticate-oidc https://issuer, forward web-tg". Target groups
// are named by name when they are the load balancer's own.
func ruleLines(lb LoadBalancer) []string {
	tgName := map[string]string{}
	for _, tg := range lb.TargetGroups {
		if tg.ARN != "" {
			tgName[tg.ARN] = tg.Name
		}
	}
	listeners := slices.Clone(lb.Listeners)
	slices.SortFunc(listeners, func(a, b Listener) int { return cmp.Compare(a.Port, b.Port) })
	var out []string
	for _, l := range listeners {
		rs := slices.Clone(l.Rules)
		slices.SortFunc(rs, func(a, b elbv2.Rule) int {
			if a.IsDefault != b.IsDefault {
				if a.IsDefault {
					return 1
				}
				return -1
			}
			x, _ := strconv.Atoi(a.Priority)
			y, _ := strconv.Atoi(b.Priority)
			return cmp.Compare(x, y)
		})
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%d %s", l.Port, ruleString(r, tgName)))
		}
	}
	if len(out) > maxRuleLines {
		n := len(out) - maxRuleLines + 1
		out = append(out[:maxRuleLines-1], fmt.Sprintf("… %d more rules", n))
	}
	return out
}

// ruleString renders one rule: "p<priority>: <conditions> → <actions>" or
// "default → <actions>", with transforms after the actions.
func ruleString(r elbv2.Rule, tgName map[string]string) string {
	head := "default"
	if !r.IsDefault {
		head = "p" + r.Priority + ":"
		for _, c := range r.Conditions {
			head += " " + conditionString(c)
		}
	}
	actions := slices.Clone(r.Actions)
	slices.SortStableFunc(actions, func(a, b elbv2.Action) int { return cmp.Compare(a.Order, b.Order) })
	parts := make([]string, len(actions))
	for i, a := range actions {
		parts[i] = actionString(a, tgName)
	}
	s := head + " → " + strings.Join(parts, ", ")
	for _, t := range r.Transforms {
		s += " (" + t.Type + ")"
	}
	return s
}

func conditionString(c elbv2.Condition) string {
	field := map[string]string{
		"host-header": "host", "path-pattern": "path", "http-request-method": "method",
		"source-ip": "from", "query-string": "query", "http-header": "header " + c.HTTPHeaderName,
	}[c.Field]
	if field == "" {
		field = c.Field
	}
	vals := slices.Clone(c.Values)
	for _, re := range c.RegexValues {
		vals = append(vals, "~"+re)
	}
	for _, q := range c.QueryString {
		if q.Key == "" {
			vals = append(vals, q.Value)
		} else {
			vals = append(vals, q.Key+"="+q.Value)
		}
	}
	return field + " " + strings.Join(vals, ",")
}

func actionString(a elbv2.Action, tgName map[string]string) string {
	switch {
	case a.Cognito != nil:
		return "authenticate-cognito " + lastPart(a.Cognito.UserPoolARN)
	case a.OIDC != nil:
		return "authenticate-oidc " + a.OIDC.Issuer
	case a.JWT != nil:
		return "jwt-validation " + a.JWT.Issuer
	case a.Redirect != nil:
		r := a.Redirect
		to := strings.Trim(strings.Join([]string{r.Protocol, r.Host, r.Port, r.Path, r.Query}, " "), " ")
		return "redirect " + strings.Join(strings.Fields(to), " ") + " " + r.StatusCode
	case a.FixedResponse != nil:
		return "fixed-response " + a.FixedResponse.StatusCode
	case a.Type == "forward":
		var tgs []string
		for _, t := range a.TargetGroups {
			name := tgName[t.ARN]
			if name == "" {
				name = arnName(t.ARN, ":targetgroup/")
			}
			if len(a.TargetGroups) > 1 && t.Weight != nil {
				name += fmt.Sprintf("(%d)", *t.Weight)
			}
			tgs = append(tgs, name)
		}
		s := "forward " + strings.Join(tgs, " ")
		if a.Stickiness != nil && a.Stickiness.Enabled {
			s += fmt.Sprintf(" sticky %ds", a.Stickiness.DurationSeconds)
		}
		return s
	}
	return a.Type
}

// arnName is the name segment that follows marker in an ARN
// (":targetgroup/" or "/webacl/"), or the whole ARN (an ID) without one.
func arnName(arn, marker string) string {
	_, rest, ok := strings.Cut(arn, marker)
	if !ok {
		return arn
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// webACLName is a WAFv2 web ACL's name, or a WAF Regional web ACL's ID.
func webACLName(acl string) string { return arnName(acl, "/webacl/") }

// lastPart is what follows an ARN's last "/" or ":" (a user pool's ID, a
// certificate's ID, a target group's ID).
func lastPart(arn string) string {
	return arn[strings.LastIndexAny(arn, "/:")+1:]
}
