package state

import (
	"context"
	"time"
)

// tgNameTTL is how long a target group found by name is trusted: LBC's
// name → ARN cache keeps an answer as long.
const tgNameTTL = 20 * time.Minute

type tgNameEntry struct {
	arn string
	at  time.Time
}

// TargetGroupARNsByName resolves target group names (actions annotations'
// targetGroupName) to ARNs: a name found within tgNameTTL is answered from
// the cache, others cost one DescribeTargetGroups each; a name with no
// target group is left out (and asked again next time).
func (p *Provider) TargetGroupARNsByName(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	now := time.Now()
	var ask []string
	p.mu.Lock()
	for _, n := range names {
		if e, ok := p.tgNames[n]; ok && now.Sub(e.at) < tgNameTTL {
			out[n] = e.arn
		} else {
			ask = append(ask, n)
		}
	}
	p.mu.Unlock()
	for _, n := range ask {
		tg, err := p.elb.TargetGroupNamed(ctx, n)
		if err != nil {
			return nil, err
		}
		if tg == nil {
			continue
		}
		out[n] = tg.ARN
		p.mu.Lock()
		if p.tgNames == nil {
			p.tgNames = map[string]tgNameEntry{}
		}
		p.tgNames[n] = tgNameEntry{arn: tg.ARN, at: now}
		p.mu.Unlock()
	}
	return out, nil
}

// trustStoreNameTTL is how long a trust store found by name is trusted, as
// long as LBC's name → ARN cache keeps one.
const trustStoreNameTTL = 10 * time.Minute

// TrustStoreARNsByName resolves trust store names (mutual-authentication
// annotations) to ARNs: names found within trustStoreNameTTL are answered
// from the cache, the others cost one DescribeTrustStores; a name with no
// trust store is left out (and asked again next time).
func (p *Provider) TrustStoreARNsByName(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	now := time.Now()
	var ask []string
	p.mu.Lock()
	for _, n := range names {
		if e, ok := p.tsNames[n]; ok && now.Sub(e.at) < trustStoreNameTTL {
			out[n] = e.arn
		} else {
			ask = append(ask, n)
		}
	}
	p.mu.Unlock()
	if len(ask) == 0 {
		return out, nil
	}
	found, err := p.elb.TrustStoresNamed(ctx, ask)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tsNames == nil {
		p.tsNames = map[string]tgNameEntry{}
	}
	for n, arn := range found {
		out[n] = arn
		p.tsNames[n] = tgNameEntry{arn: arn, at: now}
	}
	return out, nil
}
