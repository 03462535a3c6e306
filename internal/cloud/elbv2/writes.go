package elbv2

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/naming"
)

// CreateLoadBalancer creates a load balancer with its subnets, security
// groups and tags in one call and returns it. ELBv2 answers an identical
// repeat with the existing LB, so a retried create is safe.
func (p *Provider) CreateLoadBalancer(ctx context.Context, n NewLoadBalancer) (LoadBalancer, error) {
	in := &awselbv2.CreateLoadBalancerInput{
		Name:   aws.String(n.Name),
		Type:   elbv2types.LoadBalancerTypeEnum(n.Type),
		Scheme: elbv2types.LoadBalancerSchemeEnum(n.Scheme),
		Tags:   tagsToSDK(n.Tags),
	}
	if n.IPAddressType != "" {
		in.IpAddressType = elbv2types.IpAddressType(n.IPAddressType)
	}
	in.SubnetMappings = mappingsToSDK(n.Subnets, n.Mappings)
	if n.SourceNAT != "" {
		in.EnablePrefixForIpv6SourceNat = elbv2types.EnablePrefixForIpv6SourceNatEnum(n.SourceNAT)
	}
	if len(n.SecurityGroups) > 0 {
		in.SecurityGroups = n.SecurityGroups
	}
	if n.IPAMPool != "" {
		in.IpamPools = &elbv2types.IpamPools{Ipv4IpamPoolId: aws.String(n.IPAMPool)}
	}
	if n.CustomerOwnedPool != "" {
		in.CustomerOwnedIpv4Pool = aws.String(n.CustomerOwnedPool)
	}
	res, err := p.api.CreateLoadBalancer(ctx, in)
	if err != nil {
		return LoadBalancer{}, fmt.Errorf("creating load balancer %s: %w", n.Name, err)
	}
	if len(res.LoadBalancers) != 1 {
		return LoadBalancer{}, fmt.Errorf("creating load balancer %s: %d returned", n.Name, len(res.LoadBalancers))
	}
	lb := lbFromSDK(res.LoadBalancers[0])
	lb.Tags = maps.Clone(n.Tags)
	return lb, nil
}

// DeleteLoadBalancer deletes a load balancer (its listeners and rules go
// with it). One already gone is success, as ELBv2 itself answers.
func (p *Provider) DeleteLoadBalancer(ctx context.Context, arn string) error {
	_, err := p.api.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting load balancer %s: %w", arn, err)
	}
	return nil
}

// SetSecurityGroups replaces the load balancer's security groups. An NLB
// created without groups cannot get any: AWS answers
// InvalidConfigurationRequest (awserr.Invalid), which is returned as is.
// enforcePrivateLink sets EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
// ("on" | "off", NLB only); "" leaves it as it is.
func (p *Provider) SetSecurityGroups(ctx context.Context, arn string, groups []string, enforcePrivateLink string) error {
	in := &awselbv2.SetSecurityGroupsInput{LoadBalancerArn: aws.String(arn), SecurityGroups: groups}
	if enforcePrivateLink != "" {
		in.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic = elbv2types.EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum(enforcePrivateLink)
	}
	if _, err := p.api.SetSecurityGroups(ctx, in); err != nil {
		return fmt.Errorf("setting security groups %v on %s: %w", groups, arn, err)
	}
	return nil
}

// SetSubnets attaches the load balancer to subnets (with their addresses
// when mappings are given) and returns the zones AWS reports. sourceNAT
// sets EnablePrefixForIpv6SourceNat ("" leaves it).
func (p *Provider) SetSubnets(ctx context.Context, arn string, subnets []string, mappings []SubnetMapping, sourceNAT string) ([]SubnetMapping, error) {
	in := &awselbv2.SetSubnetsInput{LoadBalancerArn: aws.String(arn), SubnetMappings: mappingsToSDK(subnets, mappings)}
	if sourceNAT != "" {
		in.EnablePrefixForIpv6SourceNat = elbv2types.EnablePrefixForIpv6SourceNatEnum(sourceNAT)
	}
	out, err := p.api.SetSubnets(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("setting subnets %v on %s: %w", subnets, arn, err)
	}
	return zonesFromSDK(out.AvailabilityZones), nil
}

// ModifyIPAMPool sets the load balancer's IPv4 IPAM pool, or removes it
// ("" pool).
func (p *Provider) ModifyIPAMPool(ctx context.Context, arn, pool string) error {
	in := &awselbv2.ModifyIpPoolsInput{LoadBalancerArn: aws.String(arn)}
	if pool == "" {
		in.RemoveIpamPools = []elbv2types.RemoveIpamPoolEnum{elbv2types.RemoveIpamPoolEnumIpv4}
	} else {
		in.IpamPools = &elbv2types.IpamPools{Ipv4IpamPoolId: aws.String(pool)}
	}
	if _, err := p.api.ModifyIpPools(ctx, in); err != nil {
		return fmt.Errorf("modifying IPAM pools of %s: %w", arn, err)
	}
	return nil
}

// SetIPAddressType sets the load balancer's IP address type.
func (p *Provider) SetIPAddressType(ctx context.Context, arn, ipType string) error {
	_, err := p.api.SetIpAddressType(ctx, &awselbv2.SetIpAddressTypeInput{LoadBalancerArn: aws.String(arn), IpAddressType: elbv2types.IpAddressType(ipType)})
	if err != nil {
		return fmt.Errorf("setting IP address type %s on %s: %w", ipType, arn, err)
	}
	return nil
}

// CapacityReservation reads the load balancer's capacity reservation.
func (p *Provider) CapacityReservation(ctx context.Context, arn string) (CapacityReservation, error) {
	out, err := p.api.DescribeCapacityReservation(ctx, &awselbv2.DescribeCapacityReservationInput{LoadBalancerArn: aws.String(arn)})
	if err != nil {
		return CapacityReservation{}, fmt.Errorf("describing the capacity reservation of %s: %w", arn, err)
	}
	var res CapacityReservation
	if out.MinimumLoadBalancerCapacity != nil && out.MinimumLoadBalancerCapacity.CapacityUnits != nil {
		res.MinimumCapacity = aws.Int32(*out.MinimumLoadBalancerCapacity.CapacityUnits)
	}
	for _, z := range out.CapacityReservationState {
		if res.States == nil {
			res.States = map[string]string{}
		}
		if z.State != nil {
			res.States[aws.ToString(z.AvailabilityZone)] = string(z.State.Code)
		}
	}
	return res, nil
}

// ModifyCapacityReservation reserves units capacity units, or resets the
// reservation when units is 0.
func (p *Provider) ModifyCapacityReservation(ctx context.Context, arn string, units int32) error {
	in := &awselbv2.ModifyCapacityReservationInput{LoadBalancerArn: aws.String(arn)}
	if units == 0 {
		in.ResetCapacityReservation = aws.Bool(true)
	} else {
		in.MinimumLoadBalancerCapacity = &elbv2types.MinimumLoadBalancerCapacity{CapacityUnits: aws.Int32(units)}
	}
	if _, err := p.api.ModifyCapacityReservation(ctx, in); err != nil {
		return fmt.Errorf("modifying the capacity reservation of %s to %d units: %w", arn, units, err)
	}
	return nil
}

// ModifyLoadBalancerAttributes writes the given attributes (only those)
// in one call.
func (p *Provider) ModifyLoadBalancerAttributes(ctx context.Context, arn string, attrs map[string]string) error {
	_, err := p.api.ModifyLoadBalancerAttributes(ctx, &awselbv2.ModifyLoadBalancerAttributesInput{
		LoadBalancerArn: aws.String(arn), Attributes: attrsToSDK(attrs),
	})
	if err != nil {
		return fmt.Errorf("modifying %d attributes of %s: %w", len(attrs), arn, err)
	}
	return nil
}

// ModifyTargetGroupAttributes writes the given attributes (only those) in
// one call.
func (p *Provider) ModifyTargetGroupAttributes(ctx context.Context, arn string, attrs map[string]string) error {
	_, err := p.api.ModifyTargetGroupAttributes(ctx, &awselbv2.ModifyTargetGroupAttributesInput{
		TargetGroupArn: aws.String(arn), Attributes: tgAttrsToSDK(attrs),
	})
	if err != nil {
		return fmt.Errorf("modifying %d attributes of %s: %w", len(attrs), arn, err)
	}
	return nil
}

// ModifyListenerAttributes writes the given attributes (only those) in
// one call.
func (p *Provider) ModifyListenerAttributes(ctx context.Context, arn string, attrs map[string]string) error {
	_, err := p.api.ModifyListenerAttributes(ctx, &awselbv2.ModifyListenerAttributesInput{
		ListenerArn: aws.String(arn), Attributes: listenerAttrsToSDK(attrs),
	})
	if err != nil {
		return fmt.Errorf("modifying %d attributes of %s: %w", len(attrs), arn, err)
	}
	return nil
}

// UpdateLoadBalancerAttributes reads the current attributes and sends those
// of desired that differ, in one call; none differing costs no write. Keys
// not in desired are left as they are. It reports whether it wrote.
func (p *Provider) UpdateLoadBalancerAttributes(ctx context.Context, arn string, desired map[string]string) (bool, error) {
	return updateAttrs(ctx, arn, desired, p.LoadBalancerAttributes, p.ModifyLoadBalancerAttributes)
}

// UpdateTargetGroupAttributes is UpdateLoadBalancerAttributes for a target
// group.
func (p *Provider) UpdateTargetGroupAttributes(ctx context.Context, arn string, desired map[string]string) (bool, error) {
	return updateAttrs(ctx, arn, desired, p.TargetGroupAttributes, p.ModifyTargetGroupAttributes)
}

// updateAttrs writes the attributes of arn that differ from what read
// returns.
func updateAttrs(ctx context.Context, arn string, desired map[string]string,
	read func(context.Context, string) (map[string]string, error),
	write func(context.Context, string, map[string]string) error,
) (bool, error) {
	cur, err := read(ctx, arn)
	if err != nil {
		return false, err
	}
	changed := changedAttrs(cur, desired)
	if len(changed) == 0 {
		return false, nil
	}
	if err := write(ctx, arn, changed); err != nil {
		return false, err
	}
	return true, nil
}

func changedAttrs(cur, desired map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range desired {
		if c, ok := cur[k]; !ok || c != v {
			out[k] = v
		}
	}
	return out
}

// CreateTargetGroup creates a target group with its health check and tags
// in one call.
func (p *Provider) CreateTargetGroup(ctx context.Context, n NewTargetGroup) (TargetGroup, error) {
	en, proto, port, path, matcher, interval, timeout, healthy, unhealthy := healthCheckInput(n.HealthCheck)
	in := &awselbv2.CreateTargetGroupInput{
		Name:                       aws.String(n.Name),
		Protocol:                   elbv2types.ProtocolEnum(n.Protocol),
		ProtocolVersion:            optString(n.ProtocolVersion),
		Port:                       optInt32(n.Port),
		VpcId:                      optString(n.VPCID),
		TargetType:                 elbv2types.TargetTypeEnum(n.TargetType),
		IpAddressType:              elbv2types.TargetGroupIpAddressTypeEnum(n.IPAddressType),
		HealthCheckEnabled:         en,
		HealthCheckProtocol:        proto,
		HealthCheckPort:            port,
		HealthCheckPath:            path,
		Matcher:                    matcher,
		HealthCheckIntervalSeconds: interval,
		HealthCheckTimeoutSeconds:  timeout,
		HealthyThresholdCount:      healthy,
		UnhealthyThresholdCount:    unhealthy,
		TargetControlPort:          n.TargetControlPort,
		Tags:                       tagsToSDK(n.Tags),
	}
	res, err := p.api.CreateTargetGroup(ctx, in)
	if err != nil {
		return TargetGroup{}, fmt.Errorf("creating target group %s: %w", n.Name, err)
	}
	if len(res.TargetGroups) != 1 {
		return TargetGroup{}, fmt.Errorf("creating target group %s: %d returned", n.Name, len(res.TargetGroups))
	}
	tg := tgFromSDK(res.TargetGroups[0])
	tg.Tags = maps.Clone(n.Tags)
	return tg, nil
}

// ModifyTargetGroup changes the health check (the only mutable settings)
// and returns the group.
func (p *Provider) ModifyTargetGroup(ctx context.Context, arn string, h HealthCheck) (TargetGroup, error) {
	en, proto, port, path, matcher, interval, timeout, healthy, unhealthy := healthCheckInput(h)
	res, err := p.api.ModifyTargetGroup(ctx, &awselbv2.ModifyTargetGroupInput{
		TargetGroupArn:             aws.String(arn),
		HealthCheckEnabled:         en,
		HealthCheckProtocol:        proto,
		HealthCheckPort:            port,
		HealthCheckPath:            path,
		Matcher:                    matcher,
		HealthCheckIntervalSeconds: interval,
		HealthCheckTimeoutSeconds:  timeout,
		HealthyThresholdCount:      healthy,
		UnhealthyThresholdCount:    unhealthy,
	})
	if err != nil {
		return TargetGroup{}, fmt.Errorf("modifying health check of %s: %w", arn, err)
	}
	if len(res.TargetGroups) != 1 {
		return TargetGroup{}, fmt.Errorf("modifying health check of %s: %d returned", arn, len(res.TargetGroups))
	}
	return tgFromSDK(res.TargetGroups[0]), nil
}

// DeleteTargetGroup deletes a target group; one already gone is success.
// ResourceInUse (a listener or rule still forwards to it; awserr.InUse) is
// returned for the caller to requeue.
func (p *Provider) DeleteTargetGroup(ctx context.Context, arn string) error {
	_, err := p.api.DeleteTargetGroup(ctx, &awselbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting target group %s: %w", arn, err)
	}
	return nil
}

// RegisterTargets registers targets in one call.
func (p *Provider) RegisterTargets(ctx context.Context, tgARN string, ts []Target) error {
	if len(ts) == 0 {
		return nil
	}
	if _, err := p.api.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: aws.String(tgARN), Targets: targetsToSDK(ts)}); err != nil {
		return fmt.Errorf("registering %d targets in %s: %w", len(ts), tgARN, err)
	}
	return nil
}

// DeregisterTargets deregisters targets in one call.
func (p *Provider) DeregisterTargets(ctx context.Context, tgARN string, ts []Target) error {
	if len(ts) == 0 {
		return nil
	}
	if _, err := p.api.DeregisterTargets(ctx, &awselbv2.DeregisterTargetsInput{TargetGroupArn: aws.String(tgARN), Targets: targetsToSDK(ts)}); err != nil {
		return fmt.Errorf("deregistering %d targets from %s: %w", len(ts), tgARN, err)
	}
	return nil
}

// SyncTargets drives the group's registrations to desired: one register
// call for the missing, then one deregister call for the extra (targets are
// keyed by ID and port; draining ones count as gone). Nothing to change
// costs no write; the read is one DescribeTargetHealth.
func (p *Provider) SyncTargets(ctx context.Context, tgARN string, desired []Target) (added, removed []Target, err error) {
	cur, err := p.Targets(ctx, tgARN)
	if err != nil {
		return nil, nil, err
	}
	type key struct {
		id   string
		port int32
	}
	have := map[key]bool{}
	for _, t := range cur {
		if t.State != string(elbv2types.TargetHealthStateEnumDraining) {
			have[key{t.ID, t.Port}] = true
		}
	}
	want := map[key]bool{}
	for _, t := range desired {
		k := key{t.ID, t.Port}
		if !want[k] && !have[k] {
			added = append(added, t)
		}
		want[k] = true
	}
	for _, t := range cur {
		k := key{t.ID, t.Port}
		if have[k] && !want[k] {
			removed = append(removed, t.Target)
		}
	}
	if err := p.RegisterTargets(ctx, tgARN, added); err != nil {
		return nil, nil, err
	}
	if err := p.DeregisterTargets(ctx, tgARN, removed); err != nil {
		return added, nil, err
	}
	return added, removed, nil
}

// CreateListener creates a listener with its default actions and tags.
func (p *Provider) CreateListener(ctx context.Context, lbARN string, s ListenerSpec, tags map[string]string) (Listener, error) {
	in := &awselbv2.CreateListenerInput{
		LoadBalancerArn:      aws.String(lbARN),
		Protocol:             elbv2types.ProtocolEnum(s.Protocol),
		Port:                 aws.Int32(s.Port),
		SslPolicy:            optString(s.SSLPolicy),
		AlpnPolicy:           s.ALPNPolicy,
		Certificates:         certificates(s.Certificates),
		DefaultActions:       actionsToSDK(s.DefaultActions),
		Tags:                 tagsToSDK(tags),
		MutualAuthentication: mutualAuthToSDK(s.MutualAuth),
	}
	res, err := p.api.CreateListener(ctx, in)
	if err != nil {
		return Listener{}, fmt.Errorf("creating listener %s:%d on %s: %w", s.Protocol, s.Port, lbARN, err)
	}
	if len(res.Listeners) != 1 {
		return Listener{}, fmt.Errorf("creating listener %s:%d on %s: %d returned", s.Protocol, s.Port, lbARN, len(res.Listeners))
	}
	l := listenerFromSDK(res.Listeners[0])
	l.Tags = maps.Clone(tags)
	return l, nil
}

// ModifyListener replaces the listener's settings with s (ELBv2 replaces
// lists wholesale).
func (p *Provider) ModifyListener(ctx context.Context, arn string, s ListenerSpec) (Listener, error) {
	in := &awselbv2.ModifyListenerInput{
		ListenerArn:          aws.String(arn),
		Protocol:             elbv2types.ProtocolEnum(s.Protocol),
		Port:                 optInt32(s.Port),
		SslPolicy:            optString(s.SSLPolicy),
		AlpnPolicy:           s.ALPNPolicy,
		Certificates:         certificates(s.Certificates),
		DefaultActions:       actionsToSDK(s.DefaultActions),
		MutualAuthentication: mutualAuthToSDK(s.MutualAuth),
	}
	res, err := p.api.ModifyListener(ctx, in)
	if err != nil {
		return Listener{}, fmt.Errorf("modifying listener %s: %w", arn, err)
	}
	if len(res.Listeners) != 1 {
		return Listener{}, fmt.Errorf("modifying listener %s: %d returned", arn, len(res.Listeners))
	}
	return listenerFromSDK(res.Listeners[0]), nil
}

// DeleteListener deletes a listener and its rules; one already gone is
// success.
func (p *Provider) DeleteListener(ctx context.Context, arn string) error {
	_, err := p.api.DeleteListener(ctx, &awselbv2.DeleteListenerInput{ListenerArn: aws.String(arn)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting listener %s: %w", arn, err)
	}
	return nil
}

// AddListenerCertificates adds certificates to a listener's certificate
// list (one call).
func (p *Provider) AddListenerCertificates(ctx context.Context, listenerARN string, arns []string) error {
	_, err := p.api.AddListenerCertificates(ctx, &awselbv2.AddListenerCertificatesInput{
		ListenerArn: aws.String(listenerARN), Certificates: certificates(arns)})
	if err != nil {
		return fmt.Errorf("adding certificates %v to listener %s: %w", arns, listenerARN, err)
	}
	return nil
}

// RemoveListenerCertificates removes certificates from a listener's
// certificate list (one call).
func (p *Provider) RemoveListenerCertificates(ctx context.Context, listenerARN string, arns []string) error {
	_, err := p.api.RemoveListenerCertificates(ctx, &awselbv2.RemoveListenerCertificatesInput{
		ListenerArn: aws.String(listenerARN), Certificates: certificates(arns)})
	if err != nil {
		return fmt.Errorf("removing certificates %v from listener %s: %w", arns, listenerARN, err)
	}
	return nil
}

func certificates(arns []string) []elbv2types.Certificate {
	var out []elbv2types.Certificate
	for _, a := range arns {
		out = append(out, elbv2types.Certificate{CertificateArn: aws.String(a)})
	}
	return out
}

// CreateRule creates a listener rule with its tags.
func (p *Provider) CreateRule(ctx context.Context, listenerARN string, s RuleSpec, tags map[string]string) (Rule, error) {
	res, err := p.api.CreateRule(ctx, &awselbv2.CreateRuleInput{
		ListenerArn: aws.String(listenerARN),
		Priority:    aws.Int32(s.Priority),
		Conditions:  conditionsToSDK(s.Conditions),
		Actions:     actionsToSDK(s.Actions),
		Transforms:  transformsToSDK(s.Transforms),
		Tags:        tagsToSDK(tags),
	})
	if err != nil {
		return Rule{}, fmt.Errorf("creating rule %d on %s: %w", s.Priority, listenerARN, err)
	}
	if len(res.Rules) != 1 {
		return Rule{}, fmt.Errorf("creating rule %d on %s: %d returned", s.Priority, listenerARN, len(res.Rules))
	}
	r := ruleFromSDK(listenerARN, res.Rules[0])
	r.Tags = maps.Clone(tags)
	return r, nil
}

// ModifyRule replaces a rule's conditions, actions and transforms (none:
// ResetTransforms).
func (p *Provider) ModifyRule(ctx context.Context, arn string, s RuleSpec) (Rule, error) {
	in := &awselbv2.ModifyRuleInput{
		RuleArn:    aws.String(arn),
		Conditions: conditionsToSDK(s.Conditions),
		Actions:    actionsToSDK(s.Actions),
		Transforms: transformsToSDK(s.Transforms),
	}
	if len(s.Transforms) == 0 {
		in.ResetTransforms = aws.Bool(true)
	}
	res, err := p.api.ModifyRule(ctx, in)
	if err != nil {
		return Rule{}, fmt.Errorf("modifying rule %s: %w", arn, err)
	}
	if len(res.Rules) != 1 {
		return Rule{}, fmt.Errorf("modifying rule %s: %d returned", arn, len(res.Rules))
	}
	return ruleFromSDK(listenerOf(arn), res.Rules[0]), nil
}

// DeleteRule deletes a rule; one already gone is success.
func (p *Provider) DeleteRule(ctx context.Context, arn string) error {
	_, err := p.api.DeleteRule(ctx, &awselbv2.DeleteRuleInput{RuleArn: aws.String(arn)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting rule %s: %w", arn, err)
	}
	return nil
}

// SetRulePriorities moves rules (ARN → priority) in one atomic call.
func (p *Provider) SetRulePriorities(ctx context.Context, priorities map[string]int32) error {
	if len(priorities) == 0 {
		return nil
	}
	var pairs []elbv2types.RulePriorityPair
	for _, arn := range sortedKeys(priorities) {
		pairs = append(pairs, elbv2types.RulePriorityPair{RuleArn: aws.String(arn), Priority: aws.Int32(priorities[arn])})
	}
	if _, err := p.api.SetRulePriorities(ctx, &awselbv2.SetRulePrioritiesInput{RulePriorities: pairs}); err != nil {
		return fmt.Errorf("setting priorities of %d rules: %w", len(pairs), err)
	}
	return nil
}

// AddTags sets tags on ELBv2 resources in one call.
func (p *Provider) AddTags(ctx context.Context, arns []string, tags map[string]string) error {
	if len(arns) == 0 || len(tags) == 0 {
		return nil
	}
	if _, err := p.api.AddTags(ctx, &awselbv2.AddTagsInput{ResourceArns: arns, Tags: tagsToSDK(tags)}); err != nil {
		return fmt.Errorf("tagging %v: %w", arns, err)
	}
	return nil
}

// RemoveTags removes tag keys from ELBv2 resources in one call.
func (p *Provider) RemoveTags(ctx context.Context, arns []string, keys []string) error {
	if len(arns) == 0 || len(keys) == 0 {
		return nil
	}
	if _, err := p.api.RemoveTags(ctx, &awselbv2.RemoveTagsInput{ResourceArns: arns, TagKeys: keys}); err != nil {
		return fmt.Errorf("removing tags %v from %v: %w", keys, arns, err)
	}
	return nil
}

// UpdateTags drives one resource's tags to desired, as LBC does
// (lbc-load-balancers.md §3.3): AddTags for missing or changed keys, then
// RemoveTags for extra keys that keep does not protect (naming.KeepTag
// bound to the cluster; nil protects only aws:*). Current tags are read
// (one DescribeTags); nothing to change costs no write.
func (p *Provider) UpdateTags(ctx context.Context, arn string, desired map[string]string, keep func(key string) bool) error {
	cur, err := p.Tags(ctx, arn)
	if err != nil {
		return err
	}
	set, remove := naming.TagChanges(cur[arn], desired, keep)
	if err := p.AddTags(ctx, []string{arn}, set); err != nil {
		return err
	}
	return p.RemoveTags(ctx, []string{arn}, remove)
}

// listenerOf derives a rule's listener ARN from the rule ARN
// (…:listener-rule/app/<lb>/<lb-id>/<listener-id>/<rule-id> →
// …:listener/app/<lb>/<lb-id>/<listener-id>); "" when it is not one.
func listenerOf(ruleARN string) string {
	i := strings.Index(ruleARN, ":listener-rule/")
	j := strings.LastIndex(ruleARN, "/")
	if i < 0 || j <= i {
		return ""
	}
	return ruleARN[:i] + ":listener/" + ruleARN[i+len(":listener-rule/"):j]
}
