package planview

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

// Changes turns plan actions into Changes; managed and backend name the
// managed SG (an ID or plan.Managed) and the backend SG in SG lists.
func Changes(actions []plan.Action, managed, backend string) []Change {
	return changes(actions, managed, backend, nil)
}

// changes is Changes with placeholder ports shown by ports.
func changes(actions []plan.Action, managed, backend string, ports portNames) []Change {
	var out []Change
	for _, a := range actions {
		cs := changesOf(a, managed, backend, ports)
		if a.Frontend {
			for i := range cs {
				cs[i].Resource = "frontend NLB " + cs[i].Resource
				cs[i].Detail = strings.ReplaceAll(cs[i].Detail, model.ALBTarget, "the ALB")
			}
		}
		out = append(out, cs...)
	}
	return out
}

func sgName(id string) string {
	if id == plan.Managed {
		return "<new managed SG>"
	}
	return id
}

func changesOf(a plan.Action, managed, backend string, ports portNames) []Change {
	k := a.Kind.String()
	one := func(op Op, res, detail string) []Change {
		return []Change{{Op: op, Action: k, Resource: res, Detail: detail}}
	}
	switch a.Kind {
	case plan.CreateSecurityGroup:
		return one(OpCreate, "security group "+a.ManagedSG.Name, "managed frontend SG, tags "+tagString(a.ManagedSG.Tags))
	case plan.AuthorizeIngress, plan.RevokeIngress:
		op := OpCreate
		if a.Kind == plan.RevokeIngress {
			op = OpDelete
		}
		var out []Change
		for _, key := range sortedKeys(a.Rules) {
			out = append(out, Change{Op: op, Action: k, Resource: "ingress of " + sgName(a.SecurityGroup), Detail: ports.key(key) + describe(a.Rules[key])})
		}
		return out
	case plan.TagSecurityGroup:
		return one(OpUpdate, "tags of "+a.SecurityGroup, tagChange(a))
	case plan.CreateTargetGroup:
		tg := a.TargetGroup
		return one(OpCreate, "target group "+tg.Name, fmt.Sprintf("%s:%s %s %s (%s)", tg.Protocol, ports.port(tg.Port), tg.TargetType, tg.IPAddressType, tg.ResourceID))
	case plan.ModifyTargetGroup:
		return one(OpUpdate, "target group "+cmp.Or(a.ARN, a.TargetGroup.Name), "health check "+hcString(a.TargetGroup.HealthCheck, ports))
	case plan.RegisterTargets, plan.DeregisterTargets:
		op := OpCreate
		if a.Kind == plan.DeregisterTargets {
			op = OpDelete
		}
		name := a.ARN
		if a.TargetGroup != nil {
			name = a.TargetGroup.Name
		}
		return one(op, "targets of "+name, targetString(a.Targets, ports))
	case plan.CreateLoadBalancer:
		lb := a.LoadBalancer
		kind := ""
		if lb.IsALB() {
			kind = "application "
		}
		detail := fmt.Sprintf("%s%s %s subnets [%s] security groups [%s]",
			kind, lb.Scheme, lb.IPAddressType, subnetString(lb), strings.Join(sgNames(lb, managed, backend), " "))
		if lb.MinimumCapacity != nil {
			detail += fmt.Sprintf(" capacity %d units (once active)", *lb.MinimumCapacity)
		}
		return one(OpCreate, "load balancer "+lb.Name, detail)
	case plan.SetSecurityGroups:
		detail := "[" + strings.Join(sgNames(a.LoadBalancer, managed, backend), " ") + "]"
		if v := a.LoadBalancer.PrivateLinkInbound; v != "" {
			detail += " inbound rules on PrivateLink traffic " + v
		}
		return one(OpUpdate, "security groups of "+cmp.Or(a.ARN, a.LoadBalancer.Name), detail)
	case plan.SetSubnets:
		detail := "[" + subnetString(a.LoadBalancer) + "]"
		if v := a.LoadBalancer.SourceNATPrefix; v != "" {
			detail += " IPv6 source NAT prefixes " + v
		}
		return one(OpUpdate, "subnets of "+a.ARN, detail)
	case plan.RemoveIPAMPool:
		return one(OpUpdate, "IPAM pool of "+a.ARN, "removed")
	case plan.SetIPAMPool:
		return one(OpUpdate, "IPAM pool of "+a.ARN, a.LoadBalancer.IPAMPool)
	case plan.SetIPAddressType:
		return one(OpUpdate, "IP address type of "+a.ARN, a.LoadBalancer.IPAddressType)
	case plan.ModifyCapacityReservation:
		detail := fmt.Sprintf("%d capacity units", *a.LoadBalancer.MinimumCapacity)
		if *a.LoadBalancer.MinimumCapacity == 0 {
			detail = "reset"
		}
		return one(OpUpdate, "capacity reservation of "+a.ARN, detail)
	case plan.DeleteLoadBalancer:
		return one(OpDelete, "load balancer "+a.ARN, "replaced: the scheme or type changed")
	case plan.ModifyLoadBalancerAttributes:
		name := a.ARN
		if name == "" && a.LoadBalancer != nil {
			name = a.LoadBalancer.Name
		}
		return one(OpUpdate, "attributes of "+name, tagString(a.Attributes))
	case plan.ModifyTargetGroupAttributes:
		name := a.ARN
		if name == "" && a.TargetGroup != nil {
			name = a.TargetGroup.Name
		}
		return one(OpUpdate, "attributes of target group "+name, tagString(a.Attributes))
	case plan.ModifyListenerAttributes:
		name := listenerName(a.Listener)
		if a.ARN != "" {
			name += " (" + a.ARN + ")"
		}
		return one(OpUpdate, "attributes of "+name, tagString(a.Attributes))
	case plan.CreateListener, plan.ModifyListener:
		op := OpCreate
		if a.Kind == plan.ModifyListener {
			op = OpUpdate
		}
		return one(op, listenerName(a.Listener), listenerDetail(a.Listener))
	case plan.CreateRule, plan.ModifyRule:
		op, res := OpCreate, fmt.Sprintf("rule %d of %s", a.Rule.Priority, listenerName(a.Listener))
		if a.Kind == plan.ModifyRule {
			op, res = OpUpdate, fmt.Sprintf("rule %s (priority %d of %s)", a.ARN, a.Rule.Priority, listenerName(a.Listener))
		}
		return one(op, res, conditionString(a.Rule.Conditions)+" → "+actionsString(a.Rule.Actions)+transformsString(a.Rule.Transforms))
	case plan.AddListenerCertificates, plan.RemoveListenerCertificates:
		op := OpCreate
		if a.Kind == plan.RemoveListenerCertificates {
			op = OpDelete
		}
		return one(op, "certificates of "+listenerName(a.Listener), "["+strings.Join(a.Certificates, " ")+"]")
	case plan.SetRulePriorities:
		parts := make([]string, 0, len(a.Priorities))
		for _, arn := range slices.Sorted(maps.Keys(a.Priorities)) {
			parts = append(parts, fmt.Sprintf("%s→%d", arn, a.Priorities[arn]))
		}
		return one(OpUpdate, "rule priorities of "+listenerName(a.Listener), strings.Join(parts, " "))
	case plan.DeleteRule:
		return one(OpDelete, "rule "+a.ARN, "")
	case plan.DeleteListener, plan.DeleteListenerBeforeQUIC, plan.DeleteObsoleteLoadBalancer, plan.DeleteTargetGroup:
		return one(OpDelete, strings.TrimPrefix(k, "Delete")+" "+a.ARN, "")
	case plan.DeleteSecurityGroup:
		return one(OpDelete, "security group "+a.SecurityGroup, "")
	default:
		// Kinds added to package plan later (tagging LBs, TGs…) render
		// generically.
		if a.SetTags != nil || a.RemoveTags != nil {
			return one(OpUpdate, "tags of "+cmp.Or(a.ARN, a.SecurityGroup), tagChange(a))
		}
	}
	return one(OpUpdate, a.String(), "")
}

// subnetString lists the load balancer's subnets, each with the addresses
// it takes there (subnet=eipalloc-…).
func subnetString(lb *model.LoadBalancer) string {
	if len(lb.SubnetMappings) == 0 {
		return strings.Join(lb.Subnets, " ")
	}
	parts := make([]string, 0, len(lb.SubnetMappings))
	for _, m := range lb.SubnetMappings {
		parts = append(parts, m.String())
	}
	return strings.Join(parts, " ")
}

func listenerName(l *model.Listener) string {
	return fmt.Sprintf("listener %d/%s", l.Port, l.Protocol)
}

// listenerDetail: an NLB listener's forward target, or an ALB listener's
// default action; then the certificates (the default first), SSL policy and
// ALPN policy of an HTTPS or TLS listener.
func listenerDetail(l *model.Listener) string {
	s := "forward to " + l.TargetGroup
	if l.DefaultAction != nil {
		s = "default " + actionsString(l.DefaultActions())
	}
	if len(l.Certificates) > 0 {
		s += " certificates [" + strings.Join(l.Certificates, " ") + "]"
	}
	if l.SSLPolicy != "" {
		s += " policy " + l.SSLPolicy
	}
	if l.ALPNPolicy != "" {
		s += " alpn " + l.ALPNPolicy
	}
	if l.MutualAuth != nil {
		s += " mtls " + l.MutualAuth.String()
	}
	return s
}

func actionsString(as []model.Action) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = actionString(a)
	}
	return strings.Join(parts, ", ")
}

// actionString renders an ALB action: "forward to ns/ing-svc:80",
// "redirect to HTTPS:443 (HTTP_301)", "fixed-response 404 text/plain".
func actionString(a model.Action) string {
	switch {
	case a.AuthCognito != nil:
		return "authenticate with Cognito pool " + a.AuthCognito.UserPoolARN + " (client " + a.AuthCognito.UserPoolClientID + ")"
	case a.AuthOIDC != nil:
		return "authenticate with OIDC issuer " + a.AuthOIDC.Issuer + " (client " + a.AuthOIDC.ClientID + ")"
	case a.JWT != nil:
		return "validate JWT from issuer " + a.JWT.Issuer
	case a.Type == model.ActionForward && a.Forward != nil:
		var ts []string
		for _, t := range a.Forward.TargetGroups {
			s := t.TargetGroup + t.ARN
			if t.Weight != nil {
				s += fmt.Sprintf(" (weight %d)", *t.Weight)
			}
			ts = append(ts, s)
		}
		out := "forward to " + strings.Join(ts, ", ")
		if st := a.Forward.Stickiness; st != nil && st.Enabled != nil && *st.Enabled && st.DurationSeconds != nil {
			out += fmt.Sprintf(", sticky for %ds", *st.DurationSeconds)
		}
		return out
	case a.Type == model.ActionForward:
		return "forward to " + a.TargetGroup
	case a.Type == model.ActionRedirect && a.Redirect != nil:
		r := a.Redirect
		var to []string
		for _, p := range []struct{ k, v string }{{"", r.Protocol}, {"host ", r.Host}, {"port ", r.Port}, {"path ", r.Path}, {"query ", r.Query}} {
			if p.v != "" {
				to = append(to, p.k+p.v)
			}
		}
		return fmt.Sprintf("redirect to %s (%s)", strings.Join(to, " "), r.StatusCode)
	case a.Type == model.ActionFixedResponse && a.FixedResponse != nil:
		f := a.FixedResponse
		s := strings.TrimSpace("fixed-response " + f.StatusCode + " " + f.ContentType)
		if f.MessageBody != "" {
			s += fmt.Sprintf(" %q", f.MessageBody)
		}
		return s
	}
	return a.Type
}

// transformsString renders a rule's transforms: " (url-rewrite ^/a→/b)".
func transformsString(ts []model.Transform) string {
	var parts []string
	for _, t := range ts {
		p := t.Type
		for _, rw := range t.Rewrites {
			p += " " + rw.Regex + "→" + rw.Replace
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func conditionString(cs []model.Condition) string {
	if len(cs) == 0 {
		return "any request"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		field := c.Field
		if c.HTTPHeaderName != "" {
			field += "[" + c.HTTPHeaderName + "]"
		}
		vals := slices.Clone(c.Values)
		for _, q := range c.QueryString {
			if q.Key == "" {
				vals = append(vals, q.Value)
			} else {
				vals = append(vals, q.Key+":"+q.Value)
			}
		}
		if len(c.RegexValues) > 0 {
			parts[i] = field + "~" + strings.Join(c.RegexValues, ",")
			continue
		}
		parts[i] = field + "=" + strings.Join(vals, ",")
	}
	return strings.Join(parts, " ")
}

func tagChange(a plan.Action) string {
	var parts []string
	if len(a.SetTags) > 0 {
		parts = append(parts, "set "+tagString(a.SetTags))
	}
	if len(a.RemoveTags) > 0 {
		parts = append(parts, "remove "+strings.Join(slices.Sorted(slices.Values(a.RemoveTags)), ","))
	}
	return strings.Join(parts, "; ")
}

func sgNames(lb *model.LoadBalancer, managed, backend string) []string {
	ids := lb.ResolveSGs(sgName(managed), backend)
	if len(ids) == 0 {
		return []string{"none"}
	}
	return ids
}

func tagString(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

func hcString(h model.HealthCheck, ports portNames) string {
	s := fmt.Sprintf("%s port %s interval %ds timeout %ds healthy %d unhealthy %d", h.Protocol, ports.portString(h.Port), h.Interval, h.Timeout, h.Healthy, h.Unhealthy)
	if h.Path != "" {
		s += " path " + h.Path
	}
	return s
}

func targetString(ts []model.Target, ports portNames) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.ID + ":" + ports.port(t.Port)
		if t.QUICServerID != "" {
			parts[i] += ":" + t.QUICServerID // LBC's form of a QUIC target
		}
	}
	return strings.Join(parts, " ")
}
