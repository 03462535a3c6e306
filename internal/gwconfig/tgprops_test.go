package gwconfig_test

import (
	"reflect"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

func TestForRoutePicksLBCsLongestMatch(t *testing.T) {
	rc := func(kind, ns, name, tt string) gwconfig.RouteConfiguration {
		return gwconfig.RouteConfiguration{RouteIdentifier: gwconfig.RouteIdentifier{Kind: kind, Namespace: ns, Name: name},
			TargetGroupProps: gwconfig.TargetGroupProps{TargetType: ptr.To(tt)}}
	}
	spec := &gwconfig.TargetGroupConfigurationSpec{
		DefaultConfiguration: gwconfig.TargetGroupProps{TargetType: ptr.To("default"), Protocol: ptr.To("TCP")},
		RouteConfigurations: []gwconfig.RouteConfiguration{
			rc("TCPRoute", "", "", "kind"),
			rc("TCPRoute", "a", "", "kind+ns"),
			rc("TCPRoute", "a", "web", "full"),
			rc("UDPRoute", "", "dns", "named-without-ns"),
		},
	}
	for _, tc := range []struct {
		name            string
		kind, ns, rname string
		want            string
	}{
		{name: "kind, namespace and name match exactly", kind: "TCPRoute", ns: "a", rname: "web", want: "full"},
		{name: "kind and namespace beat kind alone", kind: "TCPRoute", ns: "a", rname: "other", want: "kind+ns"},
		{name: "kind alone when the namespace differs", kind: "TCPRoute", ns: "b", rname: "web", want: "kind"},
		{name: "an entry naming a route matches only that route in that namespace", kind: "UDPRoute", ns: "a", rname: "dns", want: "default"},
		{name: "no entry for the kind: the default configuration", kind: "TLSRoute", ns: "a", rname: "web", want: "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := spec.ForRoute(tc.kind, tc.ns, tc.rname)
			if *got.TargetType != tc.want || *got.Protocol != "TCP" {
				t.Errorf("ForRoute = targetType %s protocol %v, want %s over the default's TCP", *got.TargetType, got.Protocol, tc.want)
			}
		})
	}
	var none *gwconfig.TargetGroupConfigurationSpec
	if none.ForRoute("TCPRoute", "a", "web") != nil {
		t.Error("a nil configuration has settings")
	}
}

func TestMergeTargetGroupPropsHighWinsFieldByField(t *testing.T) {
	hi := &gwconfig.TargetGroupProps{TargetType: ptr.To("ip"), Tags: &map[string]string{"team": "svc"},
		TargetGroupAttributes: []gwconfig.Attribute{{Key: "a", Value: "hi"}}}
	lo := &gwconfig.TargetGroupProps{TargetType: ptr.To("instance"), Protocol: ptr.To("TCP"),
		HealthCheckConfig:     &gwconfig.HealthCheckConfiguration{HealthCheckPath: ptr.To("/lo")},
		Tags:                  &map[string]string{"team": "gw", "env": "prod"},
		TargetGroupAttributes: []gwconfig.Attribute{{Key: "a", Value: "lo"}, {Key: "b", Value: "lo"}}}
	got := gwconfig.MergeTargetGroupProps(hi, lo)
	want := &gwconfig.TargetGroupProps{TargetType: ptr.To("ip"), Protocol: ptr.To("TCP"),
		HealthCheckConfig:     &gwconfig.HealthCheckConfiguration{HealthCheckPath: ptr.To("/lo")},
		Tags:                  &map[string]string{"team": "svc", "env": "prod"},
		TargetGroupAttributes: []gwconfig.Attribute{{Key: "a", Value: "hi"}, {Key: "b", Value: "lo"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged %+v, want %+v", got, want)
	}
	if gwconfig.MergeTargetGroupProps(nil, lo) != lo || gwconfig.MergeTargetGroupProps(hi, nil) != hi {
		t.Error("a nil side does not yield the other")
	}
}

func TestMergeDefaultTargetGroupsFollowsMergingMode(t *testing.T) {
	class := &gwconfig.TargetGroupConfigurationSpec{DefaultConfiguration: gwconfig.TargetGroupProps{TargetType: ptr.To("ip")},
		RouteConfigurations: []gwconfig.RouteConfiguration{{RouteIdentifier: gwconfig.RouteIdentifier{Kind: "TCPRoute"}}}}
	gw := &gwconfig.TargetGroupConfigurationSpec{DefaultConfiguration: gwconfig.TargetGroupProps{TargetType: ptr.To("instance"), Protocol: ptr.To("TLS")}}
	m := gwconfig.MergeDefaultTargetGroups(class, gw, nil)
	if *m.DefaultConfiguration.TargetType != "ip" || *m.DefaultConfiguration.Protocol != "TLS" || len(m.RouteConfigurations) != 1 {
		t.Errorf("prefer-gateway-class: %+v", m)
	}
	m = gwconfig.MergeDefaultTargetGroups(class, gw, ptr.To(gwconfig.MergeModePreferGateway))
	if *m.DefaultConfiguration.TargetType != "instance" || len(m.RouteConfigurations) != 0 {
		t.Errorf("prefer-gateway: %+v", m)
	}
	if gwconfig.MergeDefaultTargetGroups(nil, gw, nil) != gw {
		t.Error("without the class's default the Gateway's is used")
	}
}
