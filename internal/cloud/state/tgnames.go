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
