package state

import (
	"context"
	"maps"
	"slices"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

// Attributes of NLBs, their target groups and listeners are read only
// when a desired stack has some (an ALB's load balancer and target groups
// are read with the stack, see readStack), and then kept per ARN: what a
// Describe*Attributes returned, what lbsg wrote since, and what AWS gives a
// target group it creates (plan.CreatedTGAttributes). A key the cache does
// not hold costs one Describe of that resource; a stack whose desired keys
// are all known costs none, so a resync, and the reconciles that re-read a
// stack after its targets changed, make no attribute call. A change made
// outside lbsg is seen when the drift check re-reads the load balancer's or
// target group's attributes (reread.go), which it does for stacks that set
// some; listener attributes changed outside lbsg are seen after a restart.

// learnAttrs merges attributes now known to be set on arn.
func (p *Provider) learnAttrs(arn string, attrs map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attrs == nil {
		p.attrs = map[string]map[string]string{}
	}
	p.attrWrites++
	known := p.attrs[arn]
	if known == nil {
		known = map[string]string{}
		p.attrs[arn] = known
	}
	maps.Copy(known, attrs)
}

// forgetAttrs drops what is known of a deleted resource.
func (p *Provider) forgetAttrs(arn string) {
	p.mu.Lock()
	delete(p.attrs, arn)
	p.attrWrites++
	p.mu.Unlock()
}

// knownAttrs returns a copy of arn's known attributes when they hold every
// key of want; ok is false when a key is missing.
func (p *Provider) knownAttrs(arn string, want map[string]string) (map[string]string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	known := p.attrs[arn]
	for k := range want {
		if _, ok := known[k]; !ok {
			return nil, false
		}
	}
	return maps.Clone(known), true
}

// attrsFor returns arn's attributes covering want: from the cache, or
// read with describe (all of them, then cached). A resource gone meanwhile
// gives nil (not read).
func (p *Provider) attrsFor(ctx context.Context, arn string, want map[string]string,
	describe func(context.Context, string) (map[string]string, error)) (map[string]string, error) {
	if got, ok := p.knownAttrs(arn, want); ok {
		return got, nil
	}
	got, err := describe(ctx, arn)
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.learnAttrs(arn, got)
	return maps.Clone(got), nil
}

// FillAttributes adds to snap the attributes desired needs compared: of
// the load balancer, of each target group matched to a desired one (as
// plan.Diff matches them) and of each listener on a desired listener's
// port, wherever desired has attributes and snap has none read. The
// returned Snapshot shares nothing it changed with snap.
func (p *Provider) FillAttributes(ctx context.Context, desired model.Stack, snap plan.Snapshot) (plan.Snapshot, error) {
	if desired.LoadBalancer == nil {
		return snap, nil
	}
	if o := snap.LoadBalancer; o != nil && o.Attributes == nil && len(desired.LoadBalancer.Attributes) > 0 {
		attrs, err := p.attrsFor(ctx, o.ARN, desired.LoadBalancer.Attributes, p.elb.LoadBalancerAttributes)
		if err != nil {
			return snap, err
		}
		lb := *o
		lb.Attributes = attrs
		snap.LoadBalancer = &lb
	}
	tgs := slices.Clone(snap.TargetGroups)
	taken := map[string]bool{}
	for _, d := range desired.TargetGroups {
		for i := range tgs {
			o := &tgs[i]
			if o.ResourceID != d.ResourceID || taken[o.ARN] || !plan.Compatible(d, *o) {
				continue
			}
			taken[o.ARN] = true
			if o.Attributes == nil && len(d.Attributes) > 0 {
				attrs, err := p.attrsFor(ctx, o.ARN, d.Attributes, p.elb.TargetGroupAttributes)
				if err != nil {
					return snap, err
				}
				o.Attributes = attrs
			}
			break
		}
	}
	snap.TargetGroups = tgs
	ls := slices.Clone(snap.Listeners)
	for _, d := range desired.Listeners {
		if len(d.Attributes) == 0 {
			continue
		}
		for i := range ls {
			if o := &ls[i]; o.Port == d.Port && o.Attributes == nil {
				attrs, err := p.attrsFor(ctx, o.ARN, d.Attributes, p.elb.ListenerAttributes)
				if err != nil {
					return snap, err
				}
				o.Attributes = attrs
				break
			}
		}
	}
	snap.Listeners = ls
	return p.fillFrontendAttributes(ctx, desired, snap)
}

// fillFrontendAttributes is FillAttributes for the frontend NLB.
func (p *Provider) fillFrontendAttributes(ctx context.Context, desired model.Stack, snap plan.Snapshot) (plan.Snapshot, error) {
	fe, f := desired.Frontend, snap.Frontend
	if fe == nil || f == nil || f.LoadBalancer == nil {
		return snap, nil
	}
	lb := fe.LoadBalancer
	sub, err := p.FillAttributes(ctx, model.Stack{LoadBalancer: &lb, Listeners: fe.Listeners, TargetGroups: fe.TargetGroups},
		plan.Snapshot{LoadBalancer: f.LoadBalancer, Listeners: f.Listeners, TargetGroups: f.TargetGroups})
	if err != nil {
		return snap, err
	}
	snap.Frontend = &plan.FrontendSnapshot{LoadBalancer: sub.LoadBalancer, Listeners: sub.Listeners, TargetGroups: sub.TargetGroups}
	return snap, nil
}
