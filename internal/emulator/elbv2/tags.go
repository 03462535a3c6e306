package elbv2

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

var tagRe = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

// parseTags reads Tags.member.N.{Key,Value} and checks them against the
// resource's current tags (nil on create): DuplicateTagKeys, TooManyTags
// and the key/value constraints.
func (b *Backend) parseTags(p query.Params, current []tag) ([]tag, error) {
	members := p.Members("Tags")
	seen := map[string]bool{}
	out := make([]tag, 0, len(members))
	for _, m := range members {
		k, ok := m.Lookup("Key")
		v := m.Get("Value")
		switch {
		case !ok || k == "":
			return nil, constraint(k, "tags.member.key", "Member must have length greater than or equal to 1")
		case utf8.RuneCountInString(k) > 128:
			return nil, constraint(k, "tags.member.key", "Member must have length less than or equal to 128")
		case !tagRe.MatchString(k):
			return nil, constraint(k, "tags.member.key", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return nil, query.ValidationError("Tag keys starting with 'aws:' are reserved for internal use")
		case utf8.RuneCountInString(v) > 256:
			return nil, constraint(v, "tags.member.value", "Member must have length less than or equal to 256")
		case !tagRe.MatchString(v):
			return nil, constraint(v, "tags.member.value", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		}
		if seen[k] {
			return nil, errf("DuplicateTagKeys", "Tag key '%s' was specified more than once", k)
		}
		seen[k] = true
		out = append(out, tag{Key: k, Value: v})
	}
	total := len(out)
	for _, t := range current {
		if !seen[t.Key] {
			total++
		}
	}
	if total > b.Quotas.TagsPerResource {
		return nil, errf("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached (%d)", b.Quotas.TagsPerResource)
	}
	return out, nil
}

// stamp records when tags were set (for the tag-visibility lag).
func stamp(tags []tag, now time.Time) []tag {
	if len(tags) == 0 {
		return nil
	}
	for i := range tags {
		tags[i].Set = now
	}
	return tags
}

// tagsOf resolves an ARN to its resource's tags, with that type's NotFound
// error.
func (b *Backend) tagsOf(arn string) (*[]tag, error) {
	switch arnKind(arn) {
	case "loadbalancer":
		if lb := b.st.LoadBalancers[arn]; lb != nil {
			return &lb.Tags, nil
		}
		return nil, errf("LoadBalancerNotFound", "Load balancer '%s' not found", arn)
	case "targetgroup":
		if tg := b.st.TargetGroups[arn]; tg != nil {
			return &tg.Tags, nil
		}
		return nil, errf("TargetGroupNotFound", "Target group '%s' not found", arn)
	case "listener":
		if l := b.st.Listeners[arn]; l != nil {
			return &l.Tags, nil
		}
		return nil, errf("ListenerNotFound", "Listener '%s' not found", arn)
	case "listener-rule":
		if r := b.st.Rules[arn]; r != nil {
			return &r.Tags, nil
		}
		return nil, errf("RuleNotFound", "Rule '%s' not found", arn)
	case "truststore":
		if ts := b.st.TrustStores[arn]; ts != nil {
			return &ts.Tags, nil
		}
		return nil, trustStoreNotFound(arn)
	}
	return nil, query.ValidationError("'%s' is not a valid resource ARN", arn)
}

func (b *Backend) resourceArns(p query.Params) ([]string, error) {
	arns := p.MemberStrings("ResourceArns")
	if len(arns) == 0 {
		return nil, query.MissingParameter("ResourceArns")
	}
	if len(arns) > b.Quotas.ResourceArnsPerTagCall {
		return nil, constraint(strconv.Itoa(len(arns)), "resourceArns", fmt.Sprintf("Member must have length less than or equal to %d", b.Quotas.ResourceArnsPerTagCall))
	}
	return arns, nil
}

func (b *Backend) addTags(p query.Params) (any, error) {
	arns, err := b.resourceArns(p)
	if err != nil {
		return nil, err
	}
	if len(p.Members("Tags")) == 0 {
		return nil, query.MissingParameter("Tags")
	}
	targets := make([]*[]tag, 0, len(arns))
	var parsed []tag
	for _, a := range arns {
		cur, err := b.tagsOf(a)
		if err != nil {
			return nil, err
		}
		if parsed, err = b.parseTags(p, *cur); err != nil {
			return nil, err
		}
		targets = append(targets, cur)
	}
	now := b.env.Now()
	for _, cur := range targets {
		for _, t := range parsed {
			t.Set = now
			replaced := false
			for i := range *cur {
				if (*cur)[i].Key == t.Key {
					(*cur)[i] = t
					replaced = true
				}
			}
			if !replaced {
				*cur = append(*cur, t)
			}
		}
	}
	return nil, nil
}

func (b *Backend) removeTags(p query.Params) (any, error) {
	arns, err := b.resourceArns(p)
	if err != nil {
		return nil, err
	}
	keys := p.MemberStrings("TagKeys")
	if len(keys) == 0 {
		return nil, query.MissingParameter("TagKeys")
	}
	targets := make([]*[]tag, 0, len(arns))
	for _, a := range arns {
		cur, err := b.tagsOf(a)
		if err != nil {
			return nil, err
		}
		targets = append(targets, cur)
	}
	for _, cur := range targets {
		var kept []tag
		for _, t := range *cur {
			if !contains(keys, t.Key) {
				kept = append(kept, t)
			}
		}
		*cur = kept
	}
	return nil, nil
}

func (b *Backend) describeTags(p query.Params) (any, error) {
	arns, err := b.resourceArns(p)
	if err != nil {
		return nil, err
	}
	res := &tagsResult{TagDescriptions: []xTagDescription{}}
	for _, a := range arns {
		cur, err := b.tagsOf(a)
		if err != nil {
			return nil, err
		}
		d := xTagDescription{ResourceArn: a, Tags: []xTag{}}
		for _, t := range *cur {
			if b.env.Visible(t.Set, b.env.Lag.Tags) {
				d.Tags = append(d.Tags, xTag{Key: t.Key, Value: t.Value})
			}
		}
		res.TagDescriptions = append(res.TagDescriptions, d)
	}
	return res, nil
}

func (b *Backend) describeAccountLimits(p query.Params) (any, error) {
	q := b.Quotas
	limits := []struct {
		name string
		max  int
	}{
		{"application-load-balancers", q.ApplicationLoadBalancers},
		{"certificates-per-application-load-balancer", q.CertificatesPerALB},
		{"condition-values-per-alb-rule", q.ConditionValuesPerRule},
		{"condition-wildcards-per-alb-rule", q.ConditionWildcardsPerRule},
		{"gateway-load-balancers", q.GatewayLoadBalancers},
		{"listeners-per-application-load-balancer", q.ListenersPerALB},
		{"listeners-per-network-load-balancer", q.ListenersPerNLB},
		{"network-load-balancers", q.NetworkLoadBalancers},
		{"rules-per-application-load-balancer", q.RulesPerALB},
		{"target-groups", q.TargetGroups},
		{"target-groups-per-action-on-application-load-balancer", q.TargetGroupsPerActionALB},
		{"target-groups-per-action-on-network-load-balancer", q.TargetGroupsPerActionNLB},
		{"target-groups-per-application-load-balancer", q.TargetGroupsPerALB},
		{"targets-per-application-load-balancer", q.TargetsPerALB},
		{"targets-per-network-load-balancer", q.TargetsPerNLB},
		{"targets-per-target-group", q.TargetsPerTargetGroup},
	}
	pg, err := core.ELBv2Page(p, len(limits))
	if err != nil {
		return nil, err
	}
	res := &limitsResult{Limits: []xLimit{}, NextMarker: pg.Next}
	for _, l := range limits[pg.Start:pg.End] {
		res.Limits = append(res.Limits, xLimit{Name: l.name, Max: strconv.Itoa(l.max)})
	}
	return res, nil
}
