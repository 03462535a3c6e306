package elbv2

import (
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

func (b *Backend) renderRule(r *rule) xRule {
	return xRule{
		RuleArn:    r.ARN,
		Priority:   priorityString(r),
		Conditions: renderConditions(r.Conditions),
		Actions:    renderActions(b.st.actionsOf(r)),
		Transforms: renderTransforms(r.Transforms),
		IsDefault:  r.IsDefault,
	}
}

// rulesOnLB counts the non-default rules over all listeners of a load balancer.
func (b *Backend) rulesOnLB(lbARN string) int {
	n := 0
	for _, r := range b.st.Rules {
		if r.IsDefault {
			continue
		}
		if l := b.st.Listeners[r.Listener]; l != nil && l.LoadBalancer == lbARN {
			n++
		}
	}
	return n
}

func priorityParam(p query.Params) (int, error) {
	s, ok := p.Lookup("Priority")
	if !ok || s == "" {
		return 0, query.ValidationError("A rule priority must be specified")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 50000 {
		return 0, constraint(s, "priority", "Member must have value between 1 and 50000")
	}
	return n, nil
}

func priorityInUse(n int) error {
	return errf("PriorityInUse", "Priority '%d' is currently in use", n)
}

func (b *Backend) createRule(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	lb := b.st.LoadBalancers[l.LoadBalancer]
	if lb.Type != "application" {
		return nil, invalidConfig("Rules are not supported for listeners of load balancers of type '%s'", lb.Type)
	}
	prio, err := priorityParam(p)
	if err != nil {
		return nil, err
	}
	transforms, err := parseTransforms(p)
	if err != nil {
		return nil, err
	}
	conds, err := b.parseConditions(p)
	if err != nil {
		return nil, err
	}
	if len(conds) == 0 {
		return nil, query.ValidationError("A rule must have at least one condition")
	}
	actions, err := b.parseActions(p, "Actions", lb, l.Protocol, nil)
	if err != nil {
		return nil, err
	}
	tags, err := b.parseTags(p, nil)
	if err != nil {
		return nil, err
	}
	for _, r := range b.st.rulesOf(l.ARN) {
		if !r.IsDefault && r.Priority == prio {
			return nil, priorityInUse(prio)
		}
	}
	if b.rulesOnLB(lb.ARN) >= b.Quotas.RulesPerALB {
		return nil, errf("TooManyRules", "You've reached the limit on the number of rules per load balancer (%d)", b.Quotas.RulesPerALB)
	}
	if err := b.checkLBTargetGroups(lb, actions); err != nil {
		return nil, err
	}
	now := b.env.Now()
	listenerID := l.ARN[strings.LastIndex(l.ARN, "/")+1:]
	r := &rule{
		Seq:        b.st.next(),
		ARN:        b.ruleARN(lb, listenerID),
		Listener:   l.ARN,
		Priority:   prio,
		Conditions: conds,
		Actions:    actions,
		Transforms: transforms,
		Tags:       stamp(tags, now),
		Created:    now,
	}
	b.st.Rules[r.ARN] = r
	return &rulesResult{Rules: []xRule{b.renderRule(r)}}, nil
}

func (b *Backend) lookupRule(arn string) (*rule, error) {
	if err := checkARN(arn, "listener-rule"); err != nil {
		return nil, err
	}
	r := b.st.Rules[arn]
	if r == nil {
		return nil, ruleNotFound()
	}
	return r, nil
}

func defaultRuleImmutable(r *rule) error {
	return errf("OperationNotPermitted", "Default rule '%s' cannot be modified", r.ARN)
}

func (b *Backend) describeRules(p query.Params) (any, error) {
	lARN := p.Get("ListenerArn")
	arns := p.MemberStrings("RuleArns")
	var out []*rule
	switch {
	case lARN != "" && len(arns) > 0:
		return nil, query.ValidationError("Rule ARNs and a listener ARN cannot be specified at the same time")
	case lARN != "":
		if err := checkARN(lARN, "listener"); err != nil {
			return nil, err
		}
		if b.st.Listeners[lARN] == nil {
			return nil, listenerNotFound()
		}
		out = b.st.rulesOf(lARN)
	case len(arns) > 0:
		for _, a := range dedupe(arns) {
			r, err := b.lookupRule(a)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	default:
		return nil, query.ValidationError("You must specify either listener ARN or rule ARNs")
	}
	pg, err := core.ELBv2Page(p, len(out))
	if err != nil {
		return nil, err
	}
	res := &rulesResult{Rules: []xRule{}, NextMarker: pg.Next}
	for _, r := range out[pg.Start:pg.End] {
		res.Rules = append(res.Rules, b.renderRule(r))
	}
	return res, nil
}

func (b *Backend) modifyRule(p query.Params) (any, error) {
	arn, err := p.Require("RuleArn")
	if err != nil {
		return nil, err
	}
	r, err := b.lookupRule(arn)
	if err != nil {
		return nil, err
	}
	if r.IsDefault {
		return nil, defaultRuleImmutable(r)
	}
	transforms, err := parseTransforms(p)
	if err != nil {
		return nil, err
	}
	reset, _, err := boolParam(p, "ResetTransforms", "resetTransforms")
	if err != nil {
		return nil, err
	}
	if reset && len(transforms) > 0 {
		return nil, query.ValidationError("You cannot specify both Transforms and ResetTransforms")
	}
	l := b.st.Listeners[r.Listener]
	lb := b.st.LoadBalancers[l.LoadBalancer]
	conds, actions := r.Conditions, r.Actions
	if p.Has("Conditions") {
		if conds, err = b.parseConditions(p); err != nil {
			return nil, err
		}
		if len(conds) == 0 {
			return nil, query.ValidationError("A rule must have at least one condition")
		}
	}
	if p.Has("Actions") {
		if actions, err = b.parseActions(p, "Actions", lb, l.Protocol, r.Actions); err != nil {
			return nil, err
		}
		if err := b.checkLBTargetGroups(lb, actions); err != nil {
			return nil, err
		}
	}
	r.Conditions, r.Actions = conds, actions
	switch {
	case reset:
		r.Transforms = nil
	case len(transforms) > 0:
		r.Transforms = transforms
	}
	return &rulesResult{Rules: []xRule{b.renderRule(r)}}, nil
}

func (b *Backend) deleteRule(p query.Params) (any, error) {
	arn, err := p.Require("RuleArn")
	if err != nil {
		return nil, err
	}
	r, err := b.lookupRule(arn)
	if err != nil {
		return nil, err
	}
	if r.IsDefault {
		return nil, errf("OperationNotPermitted", "Default rule '%s' cannot be deleted", r.ARN)
	}
	delete(b.st.Rules, arn)
	return nil, nil
}

// priorityPairs reads RulePriorities.member.N: the new priority per rule
// ARN, and the rules in request order.
func (b *Backend) priorityPairs(p query.Params) (map[string]int, []*rule, error) {
	pairs := p.Members("RulePriorities")
	if len(pairs) == 0 {
		return nil, nil, query.MissingParameter("RulePriorities")
	}
	next := map[string]int{}
	var order []*rule
	for _, pp := range pairs {
		arn := pp.Get("RuleArn")
		if arn == "" {
			return nil, nil, query.ValidationError("A rule ARN must be specified")
		}
		prio, err := priorityParam(pp)
		if err != nil {
			return nil, nil, err
		}
		r, err := b.lookupRule(arn)
		if err != nil {
			return nil, nil, err
		}
		if r.IsDefault {
			return nil, nil, defaultRuleImmutable(r)
		}
		if _, dup := next[arn]; dup {
			return nil, nil, query.ValidationError("Rule '%s' is specified more than once", arn)
		}
		next[arn] = prio
		order = append(order, r)
	}
	return next, order, nil
}

// setRulePriorities moves rules atomically: every pair is validated against
// the state the whole request produces before anything changes.
func (b *Backend) setRulePriorities(p query.Params) (any, error) {
	next, order, err := b.priorityPairs(p)
	if err != nil {
		return nil, err
	}
	// Resulting priorities per listener must be unique.
	all := make([]*rule, 0, len(b.st.Rules))
	for _, r := range b.st.Rules {
		all = append(all, r)
	}
	sortRules(all)
	byListener := map[string]map[int]string{}
	for _, r := range all {
		if r.IsDefault {
			continue
		}
		prio := r.Priority
		if n, moved := next[r.ARN]; moved {
			prio = n
		}
		m := byListener[r.Listener]
		if m == nil {
			m = map[int]string{}
			byListener[r.Listener] = m
		}
		if other, clash := m[prio]; clash && other != r.ARN {
			return nil, priorityInUse(prio)
		}
		m[prio] = r.ARN
	}
	for _, r := range order {
		r.Priority = next[r.ARN]
	}
	sortRules(order)
	res := &rulesResult{Rules: []xRule{}}
	for _, r := range order {
		res.Rules = append(res.Rules, b.renderRule(r))
	}
	return res, nil
}
