package model

import (
	"github.com/lbsg/lbsg/internal/annotations"
)

// nlbLacksServiceTargets is what lbsg lacks when an NLB actions annotation
// names another Service: LBC builds that Service's target group inside the
// stack, which lbsg does not.
const nlbLacksServiceTargets = "serviceName targets of NLB listener actions (target groups of other Services)"

// listenerAction sets the default action of NLB listener ls from its
// actions.<PROTOCOL>-<port> annotation, as LBC builds it: a forward to the
// Service's own target group (ownTG, weighted baseServiceWeight) followed
// by the annotation's target groups, with its stickiness. Without the
// annotation the listener keeps its plain forward to ownTG.
func (b *builder) listenerAction(ls *Listener, ownTG string) error {
	cfg, ok, err := annotations.ParseNLBAction(b.svc.Annotations, ls.Protocol, ls.Port)
	if err != nil || !ok {
		return err
	}
	fc := cfg.ForwardConfig
	fw := &Forward{TargetGroups: []WeightedTarget{{TargetGroup: ownTG, Weight: fc.BaseServiceWeight}}}
	for _, t := range fc.TargetGroups {
		if t.ServiceName != nil {
			key := annotations.NLBActionKey(ls.Protocol, ls.Port)
			return &UnsupportedError{Keys: map[string][]string{
				"Service " + b.svc.Namespace + "/" + b.svc.Name: {key + " (" + nlbLacksServiceTargets + ")"}}}
		}
		fw.TargetGroups = append(fw.TargetGroups, WeightedTarget{ARN: *t.TargetGroupARN, Weight: t.Weight})
	}
	if b.d.NoWeightedTargetGroups {
		// The listener keeps its plain forward to ownTG, the lone group.
		if err := unweighted(fw); err != nil {
			key := annotations.NLBActionKey(ls.Protocol, ls.Port)
			return annotations.Errorf(key, b.svc.Annotations[key], "%s", err.Error())
		}
		return nil
	}
	if s := fc.Stickiness; s != nil {
		fw.Stickiness = &Stickiness{Enabled: s.Enabled}
	}
	ls.DefaultAction = &Action{Type: ActionForward, Forward: fw}
	return nil
}
