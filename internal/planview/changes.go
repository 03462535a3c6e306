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
	var out []Change
	for _, a := range actions {
		out = append(out, changesOf(a, managed, backend)...)
	}
	return out
}

func sgName(id string) string {
	if id == plan.Managed {
		return "<new managed SG>"
	}
	return id
}

func changesOf(a plan.Action, managed, backend string) []Change {
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
			out = append(out, Change{Op: op, Action: k, Resource: "ingress of " + sgName(a.SecurityGroup), Detail: key.String() + describe(a.Rules[key])})
		}
		return out
	case plan.TagSecurityGroup:
		return one(OpUpdate, "tags of "+a.SecurityGroup, tagChange(a))
	case plan.CreateTargetGroup:
		tg := a.TargetGroup
		return one(OpCreate, "target group "+tg.Name, fmt.Sprintf("%s:%d %s %s (%s)", tg.Protocol, tg.Port, tg.TargetType, tg.IPAddressType, tg.ResourceID))
	case plan.ModifyTargetGroup:
		return one(OpUpdate, "target group "+cmp.Or(a.ARN, a.TargetGroup.Name), "health check "+hcString(a.TargetGroup.HealthCheck))
	case plan.RegisterTargets, plan.DeregisterTargets:
		op := OpCreate
		if a.Kind == plan.DeregisterTargets {
			op = OpDelete
		}
		name := a.ARN
		if a.TargetGroup != nil {
			name = a.TargetGroup.Name
		}
		return one(op, "targets of "+name, targetString(a.Targets))
	case plan.CreateLoadBalancer:
		lb := a.LoadBalancer
		return one(OpCreate, "load balancer "+lb.Name, fmt.Sprintf("%s %s subnets [%s] security groups [%s]",
			lb.Scheme, lb.IPAddressType, strings.Join(lb.Subnets, " "), strings.Join(sgNames(lb, managed, backend), " ")))
	case plan.SetSecurityGroups:
		return one(OpUpdate, "security groups of "+a.ARN, "["+strings.Join(sgNames(a.LoadBalancer, managed, backend), " ")+"]")
	case plan.DeleteLoadBalancer:
		return one(OpDelete, "load balancer "+a.ARN, "replaced: the scheme changed")
	case plan.CreateListener, plan.ModifyListener:
		op := OpCreate
		if a.Kind == plan.ModifyListener {
			op = OpUpdate
		}
		return one(op, fmt.Sprintf("listener %d/%s", a.Listener.Port, a.Listener.Protocol), "forward to "+a.Listener.TargetGroup)
	case plan.DeleteListener, plan.DeleteObsoleteLoadBalancer, plan.DeleteTargetGroup:
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

func hcString(h model.HealthCheck) string {
	s := fmt.Sprintf("%s port %s interval %ds timeout %ds healthy %d unhealthy %d", h.Protocol, h.Port, h.Interval, h.Timeout, h.Healthy, h.Unhealthy)
	if h.Path != "" {
		s += " path " + h.Path
	}
	return s
}

func targetString(ts []model.Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s:%d", t.ID, t.Port)
	}
	return strings.Join(parts, " ")
}
