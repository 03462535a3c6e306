package elbv2

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Error codes are the model's short awsquery codes (aws-api.md §1.5).
func errf(code, format string, args ...any) *query.Error {
	return query.BadRequest(code, format, args...)
}

func invalidConfig(format string, args ...any) *query.Error {
	return errf("InvalidConfigurationRequest", format, args...)
}

func lbNotFound() *query.Error {
	return errf("LoadBalancerNotFound", "One or more load balancers not found")
}

func tgNotFound() *query.Error {
	return errf("TargetGroupNotFound", "One or more target groups not found")
}

func listenerNotFound() *query.Error {
	return errf("ListenerNotFound", "One or more listeners not found")
}

func ruleNotFound() *query.Error {
	return errf("RuleNotFound", "One or more rules not found")
}

// validationf is the "1 validation error detected" shape of ELBv2's input
// constraint failures.
func constraint(value, member, rule string) *query.Error {
	return query.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`)

// validateName checks a load balancer or target group name.
func validateName(kind, name string) error {
	switch {
	case name == "":
		return query.MissingParameter("Name")
	case len(name) > 32:
		return query.ValidationError("The %s name '%s' cannot be longer than '32' characters", kind, name)
	case !nameRe.MatchString(name):
		return query.ValidationError("The %s name '%s' can only contain characters that are alphanumeric characters and hyphens(-), and must not begin or end with a hyphen", kind, name)
	case kind == "load balancer" && strings.HasPrefix(strings.ToLower(name), "internal-"):
		return query.ValidationError("The load balancer name '%s' cannot begin with 'internal-'", name)
	}
	return nil
}

// intParam reads an optional integer in [lo, hi] as a ValidationError.
func intParam(p query.Params, key, member string, lo, hi int) (int, bool, error) {
	s, ok := p.Lookup(key)
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, true, constraint(s, member, fmt.Sprintf("Member must be an integer between %d and %d", lo, hi))
	}
	if n < lo {
		return 0, true, constraint(s, member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if n > hi {
		return 0, true, constraint(s, member, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
	return n, true, nil
}

// boolParam reads an optional boolean.
func boolParam(p query.Params, key, member string) (bool, bool, error) {
	v, ok, err := p.Bool(key)
	if err != nil {
		return false, true, constraint(p.Get(key), member, "Member must be a boolean")
	}
	return v, ok, nil
}

// enumParam reads an optional enum value.
func enumParam(p query.Params, key, member string, allowed ...string) (string, error) {
	v, ok := p.Lookup(key)
	if !ok {
		return "", nil
	}
	if slices.Contains(allowed, v) {
		return v, nil
	}
	return "", constraint(v, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// arnKind classifies an ELBv2 ARN by its resource type:
// loadbalancer, targetgroup, listener, listener-rule, truststore; "" if
// malformed.
func arnKind(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "elasticloadbalancing" {
		return ""
	}
	kind, _, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "loadbalancer", "targetgroup", "listener", "listener-rule", "truststore":
		return kind
	}
	return ""
}

func checkARN(arn, kind string) error {
	if arnKind(arn) != kind {
		return query.ValidationError("'%s' is not a valid %s ARN", arn, strings.ReplaceAll(kind, "-", " "))
	}
	return nil
}

func contains(list []string, s string) bool {
	return slices.Contains(list, s)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
		if m[x] < 0 {
			return false
		}
	}
	return true
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
