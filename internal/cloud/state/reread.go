package state

import (
	"context"
	"maps"

	"github.com/lbsg/lbsg/internal/awserr"
	cloudshield "github.com/lbsg/lbsg/internal/cloud/shield"
)

// The drift check's re-reads: facts cached per ARN that only lbsg's own
// writes would otherwise update (add-ons, attributes), read again from AWS
// for the stacks whose desired state asks for them. Each read replaces the
// cached entry, unless lbsg wrote that cache while the read was in flight
// (then the write is newer, and the read is returned but not kept).

// RereadWAFv2Association reads the WAFv2 web ACL of an LB ("" for none)
// and caches it.
func (p *Provider) RereadWAFv2Association(ctx context.Context, lbARN string) (string, error) {
	a := p.addons
	return rereadAddon(a, a.wafv2Assoc, lbARN, func() (string, error) { return a.wafv2.Association(ctx, lbARN) })
}

// RereadWAFRegionalAssociation reads the WAF Classic web ACL of an LB
// ("" for none) and caches it.
func (p *Provider) RereadWAFRegionalAssociation(ctx context.Context, lbARN string) (string, error) {
	a := p.addons
	return rereadAddon(a, a.wafRegAssoc, lbARN, func() (string, error) { return a.wafRegional.Association(ctx, lbARN) })
}

// RereadShieldSubscribed reads the Shield Advanced subscription state and
// caches it.
func (p *Provider) RereadShieldSubscribed(ctx context.Context) (bool, error) {
	a := p.addons
	on, err := a.shield.Subscribed(ctx)
	if err != nil {
		return false, err
	}
	a.mu.Lock()
	a.subscribed = &on
	a.mu.Unlock()
	return on, nil
}

// RereadShieldProtection reads the LB's protection (nil for none) and
// caches it.
func (p *Provider) RereadShieldProtection(ctx context.Context, lbARN string) (*cloudshield.Protection, error) {
	a := p.addons
	return rereadAddon(a, a.protections, lbARN, func() (*cloudshield.Protection, error) { return a.shield.Protection(ctx, lbARN) })
}

// rereadAddon reads m[lbARN] (one of a's maps) and keeps it unless lbsg
// wrote add-ons while the read was in flight.
func rereadAddon[V any](a *addonState, m map[string]V, lbARN string, read func() (V, error)) (V, error) {
	a.mu.Lock()
	gen := a.writes
	a.mu.Unlock()
	v, err := read()
	if err != nil {
		var zero V
		return zero, err
	}
	a.mu.Lock()
	if a.writes == gen {
		m[lbARN] = v
	}
	a.mu.Unlock()
	return v, nil
}

// RereadLoadBalancerAttributes reads every attribute of a load balancer
// and caches them in place of what was known (nil: the LB is gone).
func (p *Provider) RereadLoadBalancerAttributes(ctx context.Context, arn string) (map[string]string, error) {
	return p.rereadAttrs(ctx, arn, p.elb.LoadBalancerAttributes)
}

// RereadTargetGroupAttributes is RereadLoadBalancerAttributes for a
// target group.
func (p *Provider) RereadTargetGroupAttributes(ctx context.Context, arn string) (map[string]string, error) {
	return p.rereadAttrs(ctx, arn, p.elb.TargetGroupAttributes)
}

func (p *Provider) rereadAttrs(ctx context.Context, arn string, describe func(context.Context, string) (map[string]string, error)) (map[string]string, error) {
	p.mu.Lock()
	gen := p.attrWrites
	p.mu.Unlock()
	got, err := describe(ctx, arn)
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attrWrites == gen {
		if p.attrs == nil {
			p.attrs = map[string]map[string]string{}
		}
		p.attrs[arn] = maps.Clone(got)
	}
	return got, nil
}
