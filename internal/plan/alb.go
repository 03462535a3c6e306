package plan

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// newTG stands for the ARN of a target group created by this run: it never
// equals an observed ARN, so whatever points at it is rewritten.
const newTG = "<new>"

// diffALBListener compares a matched ALB listener (lbc-load-balancers.md
// §2.5: protocol, default action, default certificate, SSL policy) and its
// tags, then its rules.
func diffALBListener(d *model.Listener, o *ObservedListener, tgARN map[string]string, observed Snapshot) []Action {
	var out []Action
	if listenerChanged(d, o, tgARN) {
		out = append(out, Action{Kind: ModifyListener, ARN: o.ARN, Listener: d})
	}
	out = append(out, certificateActions(d, o)...)
	if a, ok := childTagAction(o.ARN, o.Tags, d.Tags, observed); ok {
		out = append(out, a)
	}
	return append(out, diffRules(d, o, tgARN, observed)...)
}

func listenerChanged(d *model.Listener, o *ObservedListener, tgARN map[string]string) bool {
	if d.Protocol != o.Protocol {
		return true
	}
	if !sameActions(d.DefaultActions(), o.DefaultActions, tgARN) {
		return true
	}
	return securityChanged(d, o)
}

// securityChanged reports whether a matched HTTPS or TLS listener needs
// ModifyListener for its default certificate, SSL policy or ALPN policy
// (changed in place, never recreated). AWS defaults an unset policy, and
// LBC (without EnhancedDefaultBehavior) leaves an unstated ALPN policy as
// it is: only stated ones are compared.
func securityChanged(d *model.Listener, o *ObservedListener) bool {
	if !secure(d.Protocol) {
		return false
	}
	if d.SSLPolicy != "" && d.SSLPolicy != o.SSLPolicy {
		return true
	}
	if d.ALPNPolicy != "" && d.ALPNPolicy != o.ALPNPolicy {
		return true
	}
	if mutualAuthChanged(d.MutualAuth, o.MutualAuth) {
		return true
	}
	return len(d.Certificates) > 0 && (len(o.Certificates) == 0 || o.Certificates[0] != d.Certificates[0])
}

// mutualAuthChanged reports whether a listener's mutual TLS needs
// ModifyListener, as LBC (without EnhancedDefaultBehavior) decides: an
// unstated one (nil) never does; off matches a listener without any; other
// modes compare mode, trust store, IgnoreClientCertificateExpiry and
// AdvertiseTrustStoreCaNames (AWS's association status is not compared).
func mutualAuthChanged(d, o *model.MutualAuth) bool {
	off := func(m *model.MutualAuth) bool { return m == nil || m.Mode == "" || m.Mode == "off" }
	switch {
	case d == nil:
		return false
	case d.Mode == "off":
		return !off(o)
	case o == nil:
		return true
	}
	return *d != *o
}

// certificateActions converge the certificate list of an HTTPS or TLS
// listener (o nil: created by this run) to all its desired certificates,
// the default one included, as LBC keeps it: compared as sets against the
// non-default entries, removals first, only the difference written. A
// listener that stops being secure loses its list with its protocol.
func certificateActions(d *model.Listener, o *ObservedListener) []Action {
	if !secure(d.Protocol) {
		return nil
	}
	want := slices.Compact(slices.Sorted(slices.Values(d.Certificates)))
	var have []string
	arn := ""
	if o != nil {
		arn = o.ARN
		have = slices.Compact(slices.Sorted(slices.Values(o.ExtraCertificates)))
	}
	var add, del []string
	for _, c := range want {
		if !slices.Contains(have, c) {
			add = append(add, c)
		}
	}
	for _, c := range have {
		if !slices.Contains(want, c) {
			del = append(del, c)
		}
	}
	var out []Action
	if len(del) > 0 {
		out = append(out, Action{Kind: RemoveListenerCertificates, ARN: arn, Listener: d, Certificates: del})
	}
	if len(add) > 0 {
		out = append(out, Action{Kind: AddListenerCertificates, ARN: arn, Listener: d, Certificates: add})
	}
	return out
}

func secure(protocol string) bool { return protocol == "HTTPS" || protocol == "TLS" }

// diffRules converges one listener's rules as LBC does (§2.6): a desired
// rule takes the observed rule with equal conditions and actions (moved by
// SetRulePriorities if its priority differs), else the observed rule at
// its priority (ModifyRule); the rest are created, then the leftovers
// deleted. Priorities never collide: the one SetRulePriorities call also
// parks each doomed rule that sits on a priority a moved rule takes, and a
// created rule's priority is free by construction (an observed rule on it
// was either matched at it, moved away, or parked).
func diffRules(d *model.Listener, o *ObservedListener, tgARN map[string]string, observed Snapshot) []Action {
	var out []Action
	pair := make([]int, len(d.Rules)) // desired → observed index, -1: none
	taken := make([]bool, len(o.Rules))
	for i := range pair {
		pair[i] = -1
	}
	match := func(ok func(w *model.ListenerRule, h *ObservedRule) bool) {
		for i := range d.Rules {
			for j := range o.Rules {
				if pair[i] < 0 && !taken[j] && ok(&d.Rules[i], &o.Rules[j]) {
					pair[i], taken[j] = j, true
				}
			}
		}
	}
	same := func(w *model.ListenerRule, h *ObservedRule) bool {
		return sameConditions(w.Conditions, h.Conditions) && sameActions(w.Actions, h.Actions, tgARN) &&
			sameTransforms(w.Transforms, h.Transforms)
	}
	match(func(w *model.ListenerRule, h *ObservedRule) bool { return w.Priority == h.Priority && same(w, h) })
	match(same)
	moves := map[string]int32{}
	for i, j := range pair {
		if j >= 0 && o.Rules[j].Priority != d.Rules[i].Priority {
			moves[o.Rules[j].ARN] = d.Rules[i].Priority
		}
	}
	unchanged := slices.Clone(pair)
	match(func(w *model.ListenerRule, h *ObservedRule) bool { return w.Priority == h.Priority })
	for i, j := range pair {
		w := &d.Rules[i]
		switch {
		case j < 0:
			out = append(out, Action{Kind: CreateRule, ARN: o.ARN, Listener: d, Rule: w})
			continue
		case unchanged[i] < 0:
			out = append(out, Action{Kind: ModifyRule, ARN: o.Rules[j].ARN, Listener: d, Rule: w})
		}
		if a, ok := childTagAction(o.Rules[j].ARN, o.Rules[j].Tags, w.Tags, observed); ok {
			out = append(out, a)
		}
	}
	if len(moves) > 0 {
		parkDoomed(d, o, taken, moves)
		out = append(out, Action{Kind: SetRulePriorities, ARN: o.ARN, Listener: d, Priorities: moves})
	}
	for j, h := range o.Rules {
		if !taken[j] {
			out = append(out, Action{Kind: DeleteRule, ARN: h.ARN})
		}
	}
	return out
}

// parkDoomed adds to moves a free priority for every unmatched observed
// rule sitting on a priority that a moved rule takes.
func parkDoomed(d *model.Listener, o *ObservedListener, taken []bool, moves map[string]int32) {
	used := map[int32]bool{}
	for _, r := range d.Rules {
		used[r.Priority] = true
	}
	for _, r := range o.Rules {
		used[r.Priority] = true
	}
	targets := map[int32]bool{}
	for _, p := range moves {
		targets[p] = true
	}
	next := int32(0)
	for p := range used {
		next = max(next, p)
	}
	for j, h := range o.Rules {
		if taken[j] || !targets[h.Priority] {
			continue
		}
		next = freePriority(next, used)
		used[next] = true
		moves[h.ARN] = next
	}
}

// maxPriority is ELBv2's highest rule priority.
const maxPriority = 50000

// freePriority returns an unused priority above after, or the lowest
// unused one when none is left above.
func freePriority(after int32, used map[int32]bool) int32 {
	for p := after + 1; p <= maxPriority; p++ {
		if !used[p] {
			return p
		}
	}
	for p := int32(1); p <= maxPriority; p++ {
		if !used[p] {
			return p
		}
	}
	return maxPriority
}

// sameActions compares desired actions (target groups as resource IDs,
// resolved through tgARN) with observed ones (target groups as ARNs) as
// LBC does: AWS's redirect defaults count as unset, forward targets are
// compared as a set (a lone target's weight ignored), and stickiness only
// when the desired action states it.
func sameActions(want, have []model.Action, tgARN map[string]string) bool {
	if len(want) != len(have) {
		return false
	}
	for i := range want {
		if !sameAction(resolveTargets(want[i], tgARN), have[i]) {
			return false
		}
	}
	return true
}

// resolveTargets replaces a desired action's target group resource IDs
// with their ARNs (newTG for one not created yet).
func resolveTargets(w model.Action, tgARN map[string]string) model.Action {
	if w.TargetGroup != "" {
		w.TargetGroup = cmp.Or(tgARN[w.TargetGroup], newTG)
	}
	if w.Forward != nil {
		fw := *w.Forward
		fw.TargetGroups = slices.Clone(fw.TargetGroups)
		for i, t := range fw.TargetGroups {
			if t.TargetGroup != "" {
				fw.TargetGroups[i] = model.WeightedTarget{ARN: cmp.Or(tgARN[t.TargetGroup], newTG), Weight: t.Weight}
			}
		}
		w.Forward = &fw
	}
	return w
}

func sameAction(a, b model.Action) bool {
	return a.Type == b.Type && sameForward(a, b) &&
		samePtr(normRedirect(a.Redirect), normRedirect(b.Redirect)) && samePtr(a.FixedResponse, b.FixedResponse) &&
		sameCognito(a.AuthCognito, b.AuthCognito) && sameOIDC(a.AuthOIDC, b.AuthOIDC) && sameJWT(a.JWT, b.JWT)
}

// sameSession compares the settings both authenticate actions share (an
// empty ExtraParams map equals none).
func sameSession(a, b model.AuthSession) bool {
	return maps.Equal(a.ExtraParams, b.ExtraParams) && a.OnUnauthenticatedRequest == b.OnUnauthenticatedRequest &&
		a.Scope == b.Scope && a.SessionCookieName == b.SessionCookieName && a.SessionTimeout == b.SessionTimeout
}

func sameCognito(a, b *model.AuthCognito) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.UserPoolARN == b.UserPoolARN && a.UserPoolClientID == b.UserPoolClientID &&
		a.UserPoolDomain == b.UserPoolDomain && sameSession(a.AuthSession, b.AuthSession)
}

// sameOIDC compares desired a with observed b. ELBv2 never returns the
// client secret: b's SecretHash is the digest of the secret lbsg last
// wrote to that action, "" when unknown (written by someone else, or
// before lbsg started), which never matches, so an unknown secret is
// written once.
func sameOIDC(a, b *model.AuthOIDC) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Issuer == b.Issuer && a.AuthorizationEndpoint == b.AuthorizationEndpoint && a.TokenEndpoint == b.TokenEndpoint &&
		a.UserInfoEndpoint == b.UserInfoEndpoint && a.ClientID == b.ClientID &&
		b.SecretHash != "" && a.SecretHash == b.SecretHash && sameSession(a.AuthSession, b.AuthSession)
}

func sameJWT(a, b *model.JWTValidation) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.JwksEndpoint == b.JwksEndpoint && a.Issuer == b.Issuer &&
		slices.EqualFunc(a.AdditionalClaims, b.AdditionalClaims, func(x, y model.JWTClaim) bool {
			return x.Format == y.Format && x.Name == y.Name && slices.Equal(x.Values, y.Values)
		})
}

// forwardTargets are an action's forward targets as ARN → weight (a lone
// target's weight and an unset weight read as 1).
func forwardTargets(a model.Action) map[string]int32 {
	out := map[string]int32{}
	if a.TargetGroup != "" {
		out[a.TargetGroup] = 1
	}
	if a.Forward != nil {
		for _, t := range a.Forward.TargetGroups {
			w := int32(1)
			if t.Weight != nil && len(a.Forward.TargetGroups) > 1 {
				w = *t.Weight
			}
			out[t.ARN] = w
		}
	}
	return out
}

// sameForward compares the forward parts of desired a and observed b.
func sameForward(a, b model.Action) bool {
	if !maps.Equal(forwardTargets(a), forwardTargets(b)) {
		return false
	}
	if a.Forward == nil || a.Forward.Stickiness == nil {
		return true
	}
	want := a.Forward.Stickiness
	var have *model.Stickiness
	if b.Forward != nil {
		have = b.Forward.Stickiness
	}
	on := func(s *model.Stickiness) bool { return s != nil && s.Enabled != nil && *s.Enabled }
	if on(want) != on(have) {
		return false
	}
	return !on(want) || ptrValue(want.DurationSeconds) == ptrValue(have.DurationSeconds)
}

func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// normRedirect blanks the URI components AWS fills in when they are left
// out ("#{protocol}", "#{port}", "#{host}", "/#{path}", "#{query}").
func normRedirect(r *model.Redirect) *model.Redirect {
	if r == nil {
		return nil
	}
	n := *r
	for _, f := range []struct {
		field *string
		def   string
	}{{&n.Protocol, "#{protocol}"}, {&n.Port, "#{port}"}, {&n.Host, "#{host}"}, {&n.Path, "/#{path}"}, {&n.Query, "#{query}"}} {
		if *f.field == f.def {
			*f.field = ""
		}
	}
	return &n
}

// sameConditions compares conditions regardless of their order; values
// keep theirs.
func sameConditions(a, b []model.Condition) bool {
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = conditionKey(a[i]), conditionKey(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// sameTransforms compares transforms regardless of their order (AWS allows
// one of each type); rewrites keep theirs.
func sameTransforms(a, b []model.Transform) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(t model.Transform) string {
		parts := []string{t.Type}
		for _, rw := range t.Rewrites {
			parts = append(parts, rw.Regex+"\x01"+rw.Replace)
		}
		return strings.Join(parts, "\x00")
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// conditionKey is a condition as one comparable string.
func conditionKey(c model.Condition) string {
	parts := []string{c.Field, c.HTTPHeaderName, strings.Join(c.Values, "\x01"), strings.Join(c.RegexValues, "\x01")}
	for _, q := range c.QueryString {
		parts = append(parts, q.Key+"\x02"+q.Value)
	}
	return strings.Join(parts, "\x00")
}

// childTagAction drives a listener's or rule's tags: only aws:* and
// --external-managed-tags keys are left alone (§3.3); nil observed tags
// mean "not read".
func childTagAction(arn string, have, want map[string]string, observed Snapshot) (Action, bool) {
	if have == nil || want == nil {
		return Action{}, false
	}
	set, remove := naming.TagChanges(have, want, func(k string) bool {
		return strings.HasPrefix(k, naming.AWSTagPrefix) || slices.Contains(observed.ExternalManagedTags, k)
	})
	if len(set) == 0 && len(remove) == 0 {
		return Action{}, false
	}
	return Action{Kind: TagResource, ARN: arn, SetTags: set, RemoveTags: remove}, true
}

// listenerTarget names what a listener does, for Action.String.
func listenerTarget(l *model.Listener) string {
	a := l.DefaultAction
	switch {
	case a == nil:
		return l.TargetGroup
	case a.Type == model.ActionForward:
		return strings.Join(a.TargetGroupIDs(), ",")
	}
	return a.Type
}
