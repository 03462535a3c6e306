package elbv2

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
)

// describeTagsBatch is DescribeTags' limit on ARNs per call.
const describeTagsBatch = 20

// Provider reads and writes ELBv2 load balancers, target groups, listeners,
// rules, targets and tags. It holds no state besides the client: every
// method is one or a few calls, safe for concurrent use.
type Provider struct {
	api awsapi.ELBV2API
}

// New returns a Provider calling api.
func New(api awsapi.ELBV2API) *Provider {
	return &Provider{api: api}
}

// ListLoadBalancers lists the VPC's load balancers without their tags: one
// paged, unfiltered DescribeLoadBalancers (ELBv2 cannot filter by VPC or
// tag; no PageSize, so AWS serves its largest pages), sorted by ARN.
func (p *Provider) ListLoadBalancers(ctx context.Context, vpcID string) ([]LoadBalancer, error) {
	pg := awselbv2.NewDescribeLoadBalancersPaginator(p.api, &awselbv2.DescribeLoadBalancersInput{})
	out, err := pages(ctx, pg.HasMorePages, pg.NextPage, "load balancers", func(o *awselbv2.DescribeLoadBalancersOutput, out []LoadBalancer) []LoadBalancer {
		for _, lb := range o.LoadBalancers {
			if aws.ToString(lb.VpcId) == vpcID {
				out = append(out, lbFromSDK(lb))
			}
		}
		return out
	})
	slices.SortFunc(out, func(a, b LoadBalancer) int { return strings.Compare(a.ARN, b.ARN) })
	return out, err
}

// pages reads every page of one paged Describe, adding each page's items to
// the result with add.
func pages[O, T any](ctx context.Context, more func() bool, next func(context.Context, ...func(*awselbv2.Options)) (O, error),
	what string, add func(O, []T) []T,
) ([]T, error) {
	var out []T
	for more() {
		page, err := next(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing %s: %w", what, err)
		}
		out = add(page, out)
	}
	return out, nil
}

// ListTargetGroups lists the VPC's target groups without their tags, like
// ListLoadBalancers.
func (p *Provider) ListTargetGroups(ctx context.Context, vpcID string) ([]TargetGroup, error) {
	pg := awselbv2.NewDescribeTargetGroupsPaginator(p.api, &awselbv2.DescribeTargetGroupsInput{})
	out, err := pages(ctx, pg.HasMorePages, pg.NextPage, "target groups", func(o *awselbv2.DescribeTargetGroupsOutput, out []TargetGroup) []TargetGroup {
		for _, tg := range o.TargetGroups {
			if aws.ToString(tg.VpcId) == vpcID {
				out = append(out, tgFromSDK(tg))
			}
		}
		return out
	})
	slices.SortFunc(out, func(a, b TargetGroup) int { return strings.Compare(a.ARN, b.ARN) })
	return out, err
}

// TargetGroupNamed finds a target group by name (one DescribeTargetGroups);
// nil when there is none.
func (p *Provider) TargetGroupNamed(ctx context.Context, name string) (*TargetGroup, error) {
	o, err := p.api.DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{Names: []string{name}})
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing target group %s: %w", name, err)
	}
	if len(o.TargetGroups) != 1 {
		return nil, fmt.Errorf("describing target group %s: %d returned", name, len(o.TargetGroups))
	}
	tg := tgFromSDK(o.TargetGroups[0])
	return &tg, nil
}

// TrustStoresNamed resolves trust store names to ARNs in one
// DescribeTrustStores; names without a trust store are left out (AWS
// answers TrustStoreNotFound for the call, which then resolves each name
// on its own).
func (p *Provider) TrustStoresNamed(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	if len(names) == 0 {
		return out, nil
	}
	o, err := p.api.DescribeTrustStores(ctx, &awselbv2.DescribeTrustStoresInput{Names: names})
	if awserr.Classify(err) == awserr.NotFound && len(names) > 1 {
		for _, n := range names {
			one, err := p.TrustStoresNamed(ctx, []string{n})
			if err != nil {
				return nil, err
			}
			maps.Copy(out, one)
		}
		return out, nil
	}
	if awserr.Classify(err) == awserr.NotFound {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing trust stores %v: %w", names, err)
	}
	for _, ts := range o.TrustStores {
		out[aws.ToString(ts.Name)] = aws.ToString(ts.TrustStoreArn)
	}
	return out, nil
}

// TargetGroupByARN finds a target group by ARN (one DescribeTargetGroups);
// nil when there is none or the ARN is malformed (ValidationError), as a
// binding naming either cannot use it.
func (p *Provider) TargetGroupByARN(ctx context.Context, arn string) (*TargetGroup, error) {
	o, err := p.api.DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	if awserr.Classify(err) == awserr.NotFound || awserr.Code(err) == "ValidationError" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing target group %s: %w", arn, err)
	}
	if len(o.TargetGroups) != 1 {
		return nil, fmt.Errorf("describing target group %s: %d returned", arn, len(o.TargetGroups))
	}
	tg := tgFromSDK(o.TargetGroups[0])
	return &tg, nil
}

// TargetGroupsOf lists the target groups a load balancer forwards to,
// without their tags (one paged DescribeTargetGroups).
func (p *Provider) TargetGroupsOf(ctx context.Context, lbARN string) ([]TargetGroup, error) {
	pg := awselbv2.NewDescribeTargetGroupsPaginator(p.api, &awselbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(lbARN)})
	return pages(ctx, pg.HasMorePages, pg.NextPage, "target groups of "+lbARN, func(o *awselbv2.DescribeTargetGroupsOutput, out []TargetGroup) []TargetGroup {
		for _, tg := range o.TargetGroups {
			out = append(out, tgFromSDK(tg))
		}
		return out
	})
}

// LoadBalancers lists the VPC's load balancers with their tags
// (ListLoadBalancers, then DescribeTags for 20 ARNs at a time, as LBC does:
// lbc-load-balancers.md §3.4). One that vanishes between the two reads is
// left out.
func (p *Provider) LoadBalancers(ctx context.Context, vpcID string) ([]LoadBalancer, error) {
	lbs, err := p.ListLoadBalancers(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	return withTags(ctx, p, lbs, func(lb *LoadBalancer) (string, *map[string]string) { return lb.ARN, &lb.Tags })
}

// TargetGroups lists the VPC's target groups with their tags, like
// LoadBalancers.
func (p *Provider) TargetGroups(ctx context.Context, vpcID string) ([]TargetGroup, error) {
	tgs, err := p.ListTargetGroups(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	return withTags(ctx, p, tgs, func(tg *TargetGroup) (string, *map[string]string) { return tg.ARN, &tg.Tags })
}

// withTags reads the tags of items (TagsOrGone) and sets them through
// field, leaving out the items deleted since they were listed.
func withTags[T any](ctx context.Context, p *Provider, items []T, field func(*T) (string, *map[string]string)) ([]T, error) {
	arns := make([]string, len(items))
	for i := range items {
		arns[i], _ = field(&items[i])
	}
	tags, gone, err := p.TagsOrGone(ctx, arns)
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for i := range items {
		arn, t := field(&items[i])
		if slices.Contains(gone, arn) {
			continue
		}
		*t = tags[arn]
		out = append(out, items[i])
	}
	return out, nil
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

// FindTargetGroups is TargetGroups kept to those whose tags match.
func (p *Provider) FindTargetGroups(ctx context.Context, vpcID string, match func(tags map[string]string) bool) ([]TargetGroup, error) {
	all, err := p.TargetGroups(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(tg TargetGroup) bool { return !match(tg.Tags) }), nil
}

// Tags returns the tags of each ARN (any ELBv2 resource), with
// DescribeTags for 20 ARNs per call. An ARN that no longer exists fails the
// call (its NotFound code); TagsOrGone tells them apart.
func (p *Provider) Tags(ctx context.Context, arns ...string) (map[string]map[string]string, error) {
	out := make(map[string]map[string]string, len(arns))
	for batch := range slices.Chunk(dedupe(arns), describeTagsBatch) {
		res, err := p.api.DescribeTags(ctx, &awselbv2.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return nil, fmt.Errorf("describing tags of %d resources: %w", len(batch), err)
		}
		for _, d := range res.TagDescriptions {
			out[aws.ToString(d.ResourceArn)] = tagsFromSDK(d.Tags)
		}
	}
	return out, nil
}

// TagsOrGone is Tags for resources that may have been deleted since they
// were listed: a batch that fails with a NotFound code is read again one
// ARN at a time, and the vanished ARNs are returned in gone (each costs a
// call of its own then).
func (p *Provider) TagsOrGone(ctx context.Context, arns []string) (tags map[string]map[string]string, gone []string, err error) {
	tags = map[string]map[string]string{}
	for batch := range slices.Chunk(arns, describeTagsBatch) {
		g, err := p.tagsOrGone(ctx, batch, tags)
		if err != nil {
			return nil, nil, err
		}
		gone = append(gone, g...)
	}
	return tags, gone, nil
}

func (p *Provider) tagsOrGone(ctx context.Context, arns []string, into map[string]map[string]string) (gone []string, err error) {
	res, err := p.api.DescribeTags(ctx, &awselbv2.DescribeTagsInput{ResourceArns: arns})
	if err == nil {
		for _, d := range res.TagDescriptions {
			into[aws.ToString(d.ResourceArn)] = tagsFromSDK(d.Tags)
		}
		return nil, nil
	}
	if awserr.Classify(err) != awserr.NotFound {
		return nil, fmt.Errorf("describing tags of %d resources: %w", len(arns), err)
	}
	if len(arns) == 1 {
		return arns, nil
	}
	for _, arn := range arns {
		g, err := p.tagsOrGone(ctx, []string{arn}, into)
		if err != nil {
			return nil, err
		}
		gone = append(gone, g...)
	}
	return gone, nil
}

// LoadBalancer reads one load balancer (with tags) by ARN.
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

// LoadBalancerState is the load balancer's state code (provisioning,
// active, …): one DescribeLoadBalancers, no tags.
func (p *Provider) LoadBalancerState(ctx context.Context, arn string) (string, error) {
	res, err := p.api.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
	if err != nil {
		return "", fmt.Errorf("describing load balancer %s: %w", arn, err)
	}
	if len(res.LoadBalancers) != 1 {
		return "", fmt.Errorf("describing load balancer %s: %d returned", arn, len(res.LoadBalancers))
	}
	return lbFromSDK(res.LoadBalancers[0]).State, nil
}

// ListListeners returns the load balancer's listeners without their tags,
// in AWS's order (one paged DescribeListeners).
func (p *Provider) ListListeners(ctx context.Context, lbARN string) ([]Listener, error) {
	pg := awselbv2.NewDescribeListenersPaginator(p.api, &awselbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
	return pages(ctx, pg.HasMorePages, pg.NextPage, "listeners of "+lbARN, func(o *awselbv2.DescribeListenersOutput, out []Listener) []Listener {
		for _, l := range o.Listeners {
			out = append(out, listenerFromSDK(l))
		}
		return out
	})
}

// ExtraCertificates returns the entries of an HTTPS or TLS listener's
// certificate list that are not its default certificate (one paged
// DescribeListenerCertificates, which lists the default one with IsDefault
// true, and again with false when it is also on the list).
func (p *Provider) ExtraCertificates(ctx context.Context, listenerARN string) ([]string, error) {
	pg := awselbv2.NewDescribeListenerCertificatesPaginator(p.api, &awselbv2.DescribeListenerCertificatesInput{ListenerArn: aws.String(listenerARN)})
	return pages(ctx, pg.HasMorePages, pg.NextPage, "certificates of "+listenerARN, func(o *awselbv2.DescribeListenerCertificatesOutput, out []string) []string {
		for _, c := range o.Certificates {
			if !aws.ToBool(c.IsDefault) {
				out = append(out, aws.ToString(c.CertificateArn))
			}
		}
		return out
	})
}

// Listeners returns the load balancer's listeners with their tags, sorted
// by port.
func (p *Provider) Listeners(ctx context.Context, lbARN string) ([]Listener, error) {
	ls, err := p.ListListeners(ctx, lbARN)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ls, func(a, b Listener) int { return int(a.Port - b.Port) })
	arns := make([]string, len(ls))
	for i, l := range ls {
		arns[i] = l.ARN
	}
	tags, err := p.Tags(ctx, arns...)
	if err != nil {
		return nil, err
	}
	for i := range ls {
		ls[i].Tags = tags[ls[i].ARN]
	}
	return ls, nil
}

// ListRules returns a listener's rules, the default rule included, without
// their tags (one paged DescribeRules).
func (p *Provider) ListRules(ctx context.Context, listenerARN string) ([]Rule, error) {
	pg := awselbv2.NewDescribeRulesPaginator(p.api, &awselbv2.DescribeRulesInput{ListenerArn: aws.String(listenerARN)})
	return pages(ctx, pg.HasMorePages, pg.NextPage, "rules of "+listenerARN, func(o *awselbv2.DescribeRulesOutput, out []Rule) []Rule {
		for _, r := range o.Rules {
			out = append(out, ruleFromSDK(listenerARN, r))
		}
		return out
	})
}

// Rules returns a listener's rules, the default rule included, with their
// tags (the default rule has none).
func (p *Provider) Rules(ctx context.Context, listenerARN string) ([]Rule, error) {
	rs, err := p.ListRules(ctx, listenerARN)
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
	for i := range rs {
		rs[i].Tags = tags[rs[i].ARN]
	}
	return rs, nil
}

// LoadBalancerAttributes returns all attributes of a load balancer.
func (p *Provider) LoadBalancerAttributes(ctx context.Context, arn string) (map[string]string, error) {
	res, err := p.api.DescribeLoadBalancerAttributes(ctx, &awselbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describing attributes of %s: %w", arn, err)
	}
	return attrMap(res.Attributes, func(a elbv2types.LoadBalancerAttribute) (*string, *string) { return a.Key, a.Value }), nil
}

// attrMap turns an SDK attribute list into a map.
func attrMap[T any](as []T, kv func(T) (key, value *string)) map[string]string {
	out := make(map[string]string, len(as))
	for _, a := range as {
		k, v := kv(a)
		out[aws.ToString(k)] = aws.ToString(v)
	}
	return out
}

// TargetGroupAttributes returns all attributes of a target group.
func (p *Provider) TargetGroupAttributes(ctx context.Context, arn string) (map[string]string, error) {
	res, err := p.api.DescribeTargetGroupAttributes(ctx, &awselbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describing attributes of %s: %w", arn, err)
	}
	return attrMap(res.Attributes, func(a elbv2types.TargetGroupAttribute) (*string, *string) { return a.Key, a.Value }), nil
}

// ListenerAttributes returns all attributes of a listener.
func (p *Provider) ListenerAttributes(ctx context.Context, arn string) (map[string]string, error) {
	res, err := p.api.DescribeListenerAttributes(ctx, &awselbv2.DescribeListenerAttributesInput{ListenerArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describing attributes of %s: %w", arn, err)
	}
	return attrMap(res.Attributes, func(a elbv2types.ListenerAttribute) (*string, *string) { return a.Key, a.Value }), nil
}

// Targets returns the targets registered in a target group and their
// health (one DescribeTargetHealth).
func (p *Provider) Targets(ctx context.Context, tgARN string) ([]TargetHealth, error) {
	res, err := p.api.DescribeTargetHealth(ctx, &awselbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN)})
	if err != nil {
		return nil, fmt.Errorf("describing targets of %s: %w", tgARN, err)
	}
	out := make([]TargetHealth, 0, len(res.TargetHealthDescriptions))
	for _, d := range res.TargetHealthDescriptions {
		th := TargetHealth{}
		if d.Target != nil {
			th.Target = Target{ID: aws.ToString(d.Target.Id), Port: aws.ToInt32(d.Target.Port), AZ: aws.ToString(d.Target.AvailabilityZone),
				QUICServerID: aws.ToString(d.Target.QuicServerId)}
		}
		if d.TargetHealth != nil {
			th.State = string(d.TargetHealth.State)
			th.Reason = string(d.TargetHealth.Reason)
			th.Description = aws.ToString(d.TargetHealth.Description)
		}
		out = append(out, th)
	}
	return out, nil
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
