package gwconfig_test

import (
	"reflect"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

func TestMergeFollowsTheClasssMergingMode(t *testing.T) {
	class := gwconfig.LoadBalancerConfigurationSpec{Scheme: ptr.To("internet-facing"), SourceRanges: &[]string{"10.0.0.0/8"},
		Tags:                   &map[string]string{"team": "platform", "env": "prod"},
		LoadBalancerAttributes: []gwconfig.Attribute{{Key: "a", Value: "class"}, {Key: "b", Value: "class"}},
		ListenerConfigurations: &[]gwconfig.ListenerConfiguration{{ProtocolPort: "TLS:443", DefaultCertificate: ptr.To("class-cert")}}}
	gw := gwconfig.LoadBalancerConfigurationSpec{Scheme: ptr.To("internal"), LoadBalancerName: ptr.To("mine"),
		Tags:                   &map[string]string{"team": "app"},
		LoadBalancerAttributes: []gwconfig.Attribute{{Key: "a", Value: "gw"}},
		ListenerConfigurations: &[]gwconfig.ListenerConfiguration{{ProtocolPort: "TLS:443", DefaultCertificate: ptr.To("gw-cert")}, {ProtocolPort: "TLS:8443"}}}

	m := gwconfig.Merge(class, gw) // default: prefer-gateway-class
	if *m.Scheme != "internet-facing" || *m.LoadBalancerName != "mine" || (*m.SourceRanges)[0] != "10.0.0.0/8" {
		t.Errorf("take-one fields: scheme %s name %s ranges %v", *m.Scheme, *m.LoadBalancerName, *m.SourceRanges)
	}
	if !reflect.DeepEqual(*m.Tags, map[string]string{"team": "platform", "env": "prod"}) {
		t.Errorf("tags %v", *m.Tags)
	}
	if !reflect.DeepEqual(m.LoadBalancerAttributes, []gwconfig.Attribute{{Key: "a", Value: "class"}, {Key: "b", Value: "class"}}) {
		t.Errorf("attributes %v", m.LoadBalancerAttributes)
	}
	if ls := *m.ListenerConfigurations; len(ls) != 2 || *ls[0].DefaultCertificate != "class-cert" || ls[1].ProtocolPort != "TLS:8443" {
		t.Errorf("listener configurations %+v", ls)
	}

	class.MergingMode = ptr.To(gwconfig.MergeModePreferGateway)
	m = gwconfig.Merge(class, gw)
	if *m.Scheme != "internal" || (*m.Tags)["team"] != "app" || m.LoadBalancerAttributes[0].Value != "gw" ||
		*(*m.ListenerConfigurations)[0].DefaultCertificate != "gw-cert" {
		t.Errorf("prefer-gateway: %+v", m)
	}
}

func TestMergeTakesOneOfEachAddon(t *testing.T) {
	class := gwconfig.LoadBalancerConfigurationSpec{WAFv2: &gwconfig.WAFv2Configuration{ACL: "arn:class"},
		MinimumLoadBalancerCapacity: &gwconfig.MinimumLoadBalancerCapacity{CapacityUnits: 100}}
	gw := gwconfig.LoadBalancerConfigurationSpec{WAFv2: &gwconfig.WAFv2Configuration{ACL: "arn:gw"},
		ShieldConfiguration: &gwconfig.ShieldConfiguration{Enabled: true}, IPv4IPAMPoolId: ptr.To("ipam-pool-1"),
		CustomerOwnedIpv4Pool: ptr.To("ipv4pool-coip-1")}
	m := gwconfig.Merge(class, gw)
	if m.WAFv2.ACL != "arn:class" || m.ShieldConfiguration == nil || !m.ShieldConfiguration.Enabled ||
		*m.IPv4IPAMPoolId != "ipam-pool-1" || *m.CustomerOwnedIpv4Pool != "ipv4pool-coip-1" {
		t.Errorf("merged %+v", m)
	}
	// LBC v3.6.2's merge drops minimumLoadBalancerCapacity; lbsg keeps it
	// (a reservation asked for is never dropped silently).
	if m.MinimumLoadBalancerCapacity == nil || m.MinimumLoadBalancerCapacity.CapacityUnits != 100 {
		t.Errorf("capacity %+v", m.MinimumLoadBalancerCapacity)
	}
}
