package gwconfig

import (
	"maps"
	"slices"
	"strings"
)

// Merging modes of a GatewayClass's LoadBalancerConfiguration.
const (
	MergeModePreferGatewayClass = "prefer-gateway-class"
	MergeModePreferGateway      = "prefer-gateway"
)

// Merge combines the GatewayClass's configuration with the Gateway's as
// LBC does: the class's mergingMode (default prefer-gateway-class) says
// which one wins a field both set; tags, load-balancer attributes (by key)
// and listener configurations (by protocolPort) are unions with the
// winner's entries first. One difference: LBC v3.6.2's merge leaves
// minimumLoadBalancerCapacity out (the reservation is dropped when both
// configurations exist); lbsg takes it like the other take-one fields.
func Merge(class, gateway LoadBalancerConfigurationSpec) LoadBalancerConfigurationSpec {
	hi, lo := class, gateway
	if class.MergingMode != nil && *class.MergingMode == MergeModePreferGateway {
		hi, lo = gateway, class
	}
	out := LoadBalancerConfigurationSpec{
		LoadBalancerName: first(hi.LoadBalancerName, lo.LoadBalancerName),
		Scheme:           first(hi.Scheme, lo.Scheme),
		IPAddressType:    first(hi.IPAddressType, lo.IPAddressType),
		EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: first(hi.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic,
			lo.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic),
		LoadBalancerSubnets:             first(hi.LoadBalancerSubnets, lo.LoadBalancerSubnets),
		LoadBalancerSubnetsSelector:     first(hi.LoadBalancerSubnetsSelector, lo.LoadBalancerSubnetsSelector),
		DisableSecurityGroup:            first(hi.DisableSecurityGroup, lo.DisableSecurityGroup),
		SecurityGroups:                  first(hi.SecurityGroups, lo.SecurityGroups),
		SecurityGroupPrefixes:           first(hi.SecurityGroupPrefixes, lo.SecurityGroupPrefixes),
		SourceRanges:                    first(hi.SourceRanges, lo.SourceRanges),
		EnableICMP:                      first(hi.EnableICMP, lo.EnableICMP),
		ManageBackendSecurityGroupRules: first(hi.ManageBackendSecurityGroupRules, lo.ManageBackendSecurityGroupRules),
		DefaultTargetGroupConfiguration: first(hi.DefaultTargetGroupConfiguration, lo.DefaultTargetGroupConfiguration),
		CustomerOwnedIpv4Pool:           first(hi.CustomerOwnedIpv4Pool, lo.CustomerOwnedIpv4Pool),
		IPv4IPAMPoolId:                  first(hi.IPv4IPAMPoolId, lo.IPv4IPAMPoolId),
		MinimumLoadBalancerCapacity:     first(hi.MinimumLoadBalancerCapacity, lo.MinimumLoadBalancerCapacity),
		WAFv2:                           first(hi.WAFv2, lo.WAFv2),
		ShieldConfiguration:             first(hi.ShieldConfiguration, lo.ShieldConfiguration),
	}
	out.Tags = unionTags(lo.Tags, hi.Tags)
	out.LoadBalancerAttributes = unionAttributes(lo.LoadBalancerAttributes, hi.LoadBalancerAttributes)
	listeners := map[string]ListenerConfiguration{}
	for _, l := range []*[]ListenerConfiguration{lo.ListenerConfigurations, hi.ListenerConfigurations} {
		if l != nil {
			for _, c := range *l {
				listeners[c.ProtocolPort] = c
			}
		}
	}
	if len(listeners) > 0 {
		ls := slices.Collect(maps.Values(listeners))
		slices.SortFunc(ls, func(a, b ListenerConfiguration) int { return strings.Compare(a.ProtocolPort, b.ProtocolPort) })
		out.ListenerConfigurations = &ls
	}
	return out
}

func first[T any](hi, lo *T) *T {
	if hi != nil {
		return hi
	}
	return lo
}

// unionTags is lo's tags overridden by hi's (never nil).
func unionTags(lo, hi *map[string]string) *map[string]string {
	tags := map[string]string{}
	for _, t := range []*map[string]string{lo, hi} {
		if t != nil {
			maps.Copy(tags, *t)
		}
	}
	return &tags
}

// unionAttributes is lo's attributes overridden by hi's, sorted by key.
func unionAttributes(lo, hi []Attribute) []Attribute {
	attrs := map[string]string{}
	for _, l := range [][]Attribute{lo, hi} {
		for _, a := range l {
			attrs[a.Key] = a.Value
		}
	}
	var out []Attribute
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		out = append(out, Attribute{Key: k, Value: attrs[k]})
	}
	return out
}
