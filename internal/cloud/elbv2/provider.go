package elbv2

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"k8s.io/utils/clock"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cache"
)

// describeTagsBatch is DescribeTags' limit on ARNs per call.
const describeTagsBatch = 20

// pageSize is the largest ELBv2 page.
const pageSize = 400

// Provider reads and writes ELBv2 load balancers, target groups, listeners,
// rules, targets and tags. Safe for concurrent use; build one per process.
type Provider struct {
	api awsapi.ELBV2API

	tags      *cache.TTL[string, map[string]string] // ARN → tags
	lbs       *cache.TTL[string, []LoadBalancer]    // VPC → its LBs (no tags)
	tgs       *cache.TTL[string, []TargetGroup]     // VPC → its TGs (no tags)
	listeners *cache.TTL[string, []Listener]        // LB ARN → listeners (no tags)
	rules     *cache.TTL[string, []Rule]            // listener ARN → rules (no tags)
	lbAttrs   *cache.TTL[string, map[string]string] // LB ARN → attributes
	tgAttrs   *cache.TTL[string, map[string]string] // TG ARN → attributes
	targets   *cache.TTL[string, []TargetHealth]    // TG ARN → registered targets
}

// New returns a Provider calling api, with caches timed by clk.
func New(api awsapi.ELBV2API, clk clock.PassiveClock) *Provider {
	return &Provider{
		api:       api,
		tags:      cache.New[string, map[string]string](clk, cache.ELBV2TagsTTL),
		lbs:       cache.New[string, []LoadBalancer](clk, cache.ELBV2TTL),
		tgs:       cache.New[string, []TargetGroup](clk, cache.ELBV2TTL),
		listeners: cache.New[string, []Listener](clk, cache.ELBV2TTL),
		rules:     cache.New[string, []Rule](clk, cache.ELBV2TTL),
		lbAttrs:   cache.New[string, map[string]string](clk, cache.ELBV2TTL),
		tgAttrs:   cache.New[string, map[string]string](clk, cache.ELBV2TTL),
		targets:   cache.New[string, []TargetHealth](clk, cache.ELBV2TTL),
	}
}

// Invalidate drops every cached read.
func (p *Provider) Invalidate() {
	p.tags.Clear()
	p.lbs.Clear()
	p.tgs.Clear()
	p.listeners.Clear()
	p.rules.Clear()
	p.lbAttrs.Clear()
	p.tgAttrs.Clear()
	p.targets.Clear()
}

// LoadBalancers lists the VPC's load balancers with their tags: one paged,
// unfiltered DescribeLoadBalancers (ELBv2 cannot filter by VPC or tag), then
// DescribeTags for 20 ARNs at a time, as LBC does (lbc-load-balancers.md
// §3.4). The list is cached ELBV2TTL, the tags ELBV2TagsTTL; lbsg's writes
// drop what they change.
func (p *Provider) LoadBalancers(ctx context.Context, vpcID string) ([]LoadBalancer, error) {
	return listWithTags(ctx, p, p.lbs, vpcID, func(ctx context.Context) ([]LoadBalancer, error) {
		var out []LoadBalancer
		pg := awselbv2.NewDescribeLoadBalancersPaginator(p.api, &awselbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(pageSize)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing load balancers: %w", err)
			}
			for _, lb := range page.LoadBalancers {
				if aws.ToString(lb.VpcId) == vpcID {
					out = append(out, lbFromSDK(lb))
				}
			}
		}
		return out, nil
	}, func(lb LoadBalancer) string { return lb.ARN }, func(lb LoadBalancer, tags map[string]string) LoadBalancer {
		lb = cloneLB(lb)
		lb.Tags = tags
		return lb
	})
}

// Refresh is the drift check's read: the VPC's load balancers and target
// groups from AWS (one paged Describe each, whatever the number of
// Services), replacing the cached lists. Tags are read only for ARNs whose
// tags are not cached (new ones, or older than ELBV2TagsTTL).
func (p *Provider) Refresh(ctx context.Context, vpcID string) ([]LoadBalancer, []TargetGroup, error) {
	p.lbs.Delete(vpcID)
	p.tgs.Delete(vpcID)
	lbs, err := p.LoadBalancers(ctx, vpcID)
	if err != nil {
		return nil, nil, err
	}
	tgs, err := p.TargetGroups(ctx, vpcID)
	if err != nil {
		return nil, nil, err
	}
	return lbs, tgs, nil
}

// FindLoadBalancers is LoadBalancers kept to those whose tags match (e.g.
// naming.OwnsStackResource bound to a stack).
func (p *Provider) FindLoadBalancers(ctx context.Context, vpcID string, match func(tags map[string]string) bool) ([]LoadBalancer, error) {
	all, err := p.LoadBalancers(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(lb LoadBalancer) bool { return !match(lb.Tags) }), nil
}

// TargetGroups lists the VPC's target groups with their tags, like
// LoadBalancers.
func (p *Provider) TargetGroups(ctx context.Context, vpcID string) ([]TargetGroup, error) {
	return listWithTags(ctx, p, p.tgs, vpcID, func(ctx context.Context) ([]TargetGroup, error) {
		var out []TargetGroup
		pg := awselbv2.NewDescribeTargetGroupsPaginator(p.api, &awselbv2.DescribeTargetGroupsInput{PageSize: aws.Int32(pageSize)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing target groups: %w", err)
			}
			for _, tg := range page.TargetGroups {
				if aws.ToString(tg.VpcId) == vpcID {
					out = append(out, tgFromSDK(tg))
				}
			}
		}
		return out, nil
	}, func(tg TargetGroup) string { return tg.ARN }, func(tg TargetGroup, tags map[string]string) TargetGroup {
		tg = cloneTG(tg)
		tg.Tags = tags
		return tg
	})
}

// listWithTags is the shape LoadBalancers and TargetGroups share: the VPC's
// list from the cache or list (sorted by ARN), then the tags of every
// listed ARN. A resource that vanishes between the two reads makes it list
// again, once.
func listWithTags[T any](ctx context.Context, p *Provider, c *cache.TTL[string, []T], vpcID string,
	list func(context.Context) ([]T, error), arn func(T) string, tagged func(T, map[string]string) T,
) ([]T, error) {
	read := func() ([]T, error) {
		items, err := c.GetOrLoad(ctx, vpcID, func(ctx context.Context) ([]T, error) {
			out, err := list(ctx)
			if err != nil {
				return nil, err
			}
			slices.SortFunc(out, func(a, b T) int { return strings.Compare(arn(a), arn(b)) })
			return out, nil
		})
		if err != nil {
			return nil, err
		}
		arns := make([]string, len(items))
		for i, it := range items {
			arns[i] = arn(it)
		}
		tags, err := p.Tags(ctx, arns...)
		if err != nil {
			return nil, err
		}
		out := make([]T, 0, len(items))
		for _, it := range items {
			out = append(out, tagged(it, tags[arn(it)]))
		}
		return out, nil
	}
	out, err := read()
	if awserr.Classify(err) == awserr.NotFound {
		c.Delete(vpcID)
		out, err = read()
	}
	return out, err
}

// FindTargetGroups is TargetGroups kept to those whose tags match.
func (p *Provider) FindTargetGroups(ctx context.Context, vpcID string, match func(tags map[string]string) bool) ([]TargetGroup, error) {
	all, err := p.TargetGroups(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(tg TargetGroup) bool { return !match(tg.Tags) }), nil
}

// Tags returns the tags of each ARN (any ELBv2 resource), from the cache
// where it can and with DescribeTags for 20 uncached ARNs per call. An ARN
// that no longer exists fails the call (its NotFound code).
func (p *Provider) Tags(ctx context.Context, arns ...string) (map[string]map[string]string, error) {
	out := make(map[string]map[string]string, len(arns))
	var missing []string
	for _, arn := range arns {
		if t, ok := p.tags.Get(arn); ok {
			out[arn] = maps.Clone(t)
		} else if !slices.Contains(missing, arn) {
			missing = append(missing, arn)
		}
	}
	for len(missing) > 0 {
		batch := missing[:min(describeTagsBatch, len(missing))]
		missing = missing[len(batch):]
		res, err := p.api.DescribeTags(ctx, &awselbv2.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return nil, fmt.Errorf("describing tags of %d resources: %w", len(batch), err)
		}
		for _, d := range res.TagDescriptions {
			t := tagsFromSDK(d.Tags)
			p.tags.Set(aws.ToString(d.ResourceArn), t)
			out[aws.ToString(d.ResourceArn)] = maps.Clone(t)
		}
	}
	return out, nil
}

// LoadBalancer reads one load balancer (with tags) by ARN, uncached: for
// the state after a create and before decisions that must be current.
func (p *Provider) LoadBalancer(ctx context.Context, arn string) (LoadBalancer, error) {
	res, err := p.api.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
	if err != nil {
		return LoadBalancer{}, fmt.Errorf("describing load balancer %s: %w", arn, err)
	}
	if len(res.LoadBalancers) != 1 {
		return LoadBalancer{}, fmt.Errorf("describing load balancer %s: %d returned", arn, len(res.LoadBalancers))
	}
	lb := lbFromSDK(res.LoadBalancers[0])
	tags, err := p.Tags(ctx, arn)
	if err != nil {
		return LoadBalancer{}, err
	}
	lb.Tags = tags[arn]
	return lb, nil
}

// Listeners returns the load balancer's listeners with their tags (cached).
func (p *Provider) Listeners(ctx context.Context, lbARN string) ([]Listener, error) {
	ls, err := p.listeners.GetOrLoad(ctx, lbARN, func(ctx context.Context) ([]Listener, error) {
		var out []Listener
		pg := awselbv2.NewDescribeListenersPaginator(p.api, &awselbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN), PageSize: aws.Int32(pageSize)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing listeners of %s: %w", lbARN, err)
			}
			for _, l := range page.Listeners {
				out = append(out, listenerFromSDK(l))
			}
		}
		slices.SortFunc(out, func(a, b Listener) int { return int(a.Port - b.Port) })
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	arns := make([]string, len(ls))
	for i, l := range ls {
		arns[i] = l.ARN
	}
	tags, err := p.Tags(ctx, arns...)
	if err != nil {
		return nil, err
	}
	out := make([]Listener, 0, len(ls))
	for _, l := range ls {
		l = cloneListener(l)
		l.Tags = tags[l.ARN]
		out = append(out, l)
	}
	return out, nil
}

// Rules returns a listener's rules, the default rule included, with their
// tags (the default rule has none), cached.
func (p *Provider) Rules(ctx context.Context, listenerARN string) ([]Rule, error) {
	rs, err := p.rules.GetOrLoad(ctx, listenerARN, func(ctx context.Context) ([]Rule, error) {
		var out []Rule
		pg := awselbv2.NewDescribeRulesPaginator(p.api, &awselbv2.DescribeRulesInput{ListenerArn: aws.String(listenerARN), PageSize: aws.Int32(pageSize)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describing rules of %s: %w", listenerARN, err)
			}
			for _, r := range page.Rules {
				out = append(out, ruleFromSDK(listenerARN, r))
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, r := range rs {
		if !r.IsDefault {
			arns = append(arns, r.ARN)
		}
	}
	tags, err := p.Tags(ctx, arns...)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(rs))
	for _, r := range rs {
		r = cloneRule(r)
		r.Tags = tags[r.ARN]
		out = append(out, r)
	}
	return out, nil
}

// LoadBalancerAttributes returns all attributes of a load balancer (cached).
func (p *Provider) LoadBalancerAttributes(ctx context.Context, arn string) (map[string]string, error) {
	m, err := p.lbAttrs.GetOrLoad(ctx, arn, func(ctx context.Context) (map[string]string, error) {
		res, err := p.api.DescribeLoadBalancerAttributes(ctx, &awselbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describing attributes of %s: %w", arn, err)
		}
		out := map[string]string{}
		for _, a := range res.Attributes {
			out[aws.ToString(a.Key)] = aws.ToString(a.Value)
		}
		return out, nil
	})
	return maps.Clone(m), err
}

// TargetGroupAttributes returns all attributes of a target group (cached).
func (p *Provider) TargetGroupAttributes(ctx context.Context, arn string) (map[string]string, error) {
	m, err := p.tgAttrs.GetOrLoad(ctx, arn, func(ctx context.Context) (map[string]string, error) {
		res, err := p.api.DescribeTargetGroupAttributes(ctx, &awselbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describing attributes of %s: %w", arn, err)
		}
		out := map[string]string{}
		for _, a := range res.Attributes {
			out[aws.ToString(a.Key)] = aws.ToString(a.Value)
		}
		return out, nil
	})
	return maps.Clone(m), err
}

// Targets returns the targets registered in a target group and their
// health (cached ELBV2TTL, dropped on lbsg's register/deregister: the
// health states it returns may be that old).
func (p *Provider) Targets(ctx context.Context, tgARN string) ([]TargetHealth, error) {
	ts, err := p.targets.GetOrLoad(ctx, tgARN, func(ctx context.Context) ([]TargetHealth, error) {
		res, err := p.api.DescribeTargetHealth(ctx, &awselbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN)})
		if err != nil {
			return nil, fmt.Errorf("describing targets of %s: %w", tgARN, err)
		}
		out := make([]TargetHealth, 0, len(res.TargetHealthDescriptions))
		for _, d := range res.TargetHealthDescriptions {
			th := TargetHealth{}
			if d.Target != nil {
				th.Target = Target{ID: aws.ToString(d.Target.Id), Port: aws.ToInt32(d.Target.Port), AZ: aws.ToString(d.Target.AvailabilityZone)}
			}
			if d.TargetHealth != nil {
				th.State = string(d.TargetHealth.State)
				th.Reason = string(d.TargetHealth.Reason)
				th.Description = aws.ToString(d.TargetHealth.Description)
			}
			out = append(out, th)
		}
		return out, nil
	})
	return slices.Clone(ts), err
}

func cloneLB(lb LoadBalancer) LoadBalancer {
	lb.Subnets = slices.Clone(lb.Subnets)
	lb.SecurityGroups = slices.Clone(lb.SecurityGroups)
	lb.Tags = maps.Clone(lb.Tags)
	return lb
}

func cloneTG(tg TargetGroup) TargetGroup {
	tg.LoadBalancerARNs = slices.Clone(tg.LoadBalancerARNs)
	tg.Tags = maps.Clone(tg.Tags)
	return tg
}

func cloneListener(l Listener) Listener {
	l.Certificates = slices.Clone(l.Certificates)
	l.ALPNPolicy = slices.Clone(l.ALPNPolicy)
	l.DefaultActions = slices.Clone(l.DefaultActions)
	l.Tags = maps.Clone(l.Tags)
	return l
}

func cloneRule(r Rule) Rule {
	r.Conditions = slices.Clone(r.Conditions)
	r.Actions = slices.Clone(r.Actions)
	r.Tags = maps.Clone(r.Tags)
	return r
}
