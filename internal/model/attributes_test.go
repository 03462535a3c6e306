package model

import (
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

// twoPorts is svcTLS with ports 80 and 443.
func twoPorts(ann map[string]string) *corev1.Service {
	svc := svcTLS(ann)
	svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8443), NodePort: 31001})
	return svc
}

func TestLoadBalancerAttributes(t *testing.T) {
	for _, tc := range []struct {
		name string
		ann  map[string]string
		want map[string]string
	}{
		{"none: nothing is written", nil, nil},
		{"attributes map as given",
			map[string]string{annotations.SvcLoadBalancerAttributes: "deletion_protection.enabled=true, dns_record.client_routing_policy=availability_zone_affinity"},
			map[string]string{"deletion_protection.enabled": "true", "dns_record.client_routing_policy": "availability_zone_affinity"}},
		{"deprecated access-log annotations",
			map[string]string{annotations.SvcAccessLogEnabled: "true", annotations.SvcAccessLogS3BucketName: "logs", annotations.SvcAccessLogS3BucketPrefix: "nlb/"},
			map[string]string{"access_logs.s3.enabled": "true", "access_logs.s3.bucket": "logs", "access_logs.s3.prefix": "nlb/"}},
		{"access log off writes nothing, bucket ignored",
			map[string]string{annotations.SvcAccessLogEnabled: "false", annotations.SvcAccessLogS3BucketName: "logs"}, nil},
		{"deprecated annotations win over the map",
			map[string]string{
				annotations.SvcLoadBalancerAttributes: "load_balancing.cross_zone.enabled=false,access_logs.s3.bucket=map,deletion_protection.enabled=false",
				annotations.SvcCrossZoneEnabled:       "true", annotations.SvcAccessLogEnabled: "true", annotations.SvcAccessLogS3BucketName: "deprecated"},
			map[string]string{"load_balancing.cross_zone.enabled": "true", "access_logs.s3.enabled": "true", "access_logs.s3.bucket": "deprecated",
				"deletion_protection.enabled": "false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := mustBuild(t, svcTLS(tc.ann), facts(), defaults())
			eq(t, "LB attributes", st.LoadBalancer.Attributes, tc.want)
		})
	}
}

func TestTargetGroupAttributesAndProxyProtocol(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ann      map[string]string
		want80   map[string]string
		want443  map[string]string
		preserve bool // legacy view of port 80's client IP preservation
	}{
		{"default: proxy protocol off, as LBC sets it", nil,
			map[string]string{"proxy_protocol_v2.enabled": "false"}, map[string]string{"proxy_protocol_v2.enabled": "false"}, false},
		{"proxy-protocol * turns it on everywhere",
			map[string]string{annotations.SvcProxyProtocol: "*"},
			map[string]string{"proxy_protocol_v2.enabled": "true"}, map[string]string{"proxy_protocol_v2.enabled": "true"}, false},
		{"per-target-group list: on for listed ports, off for others",
			map[string]string{annotations.SvcProxyProtocolPerTG: " 443 ,"},
			map[string]string{"proxy_protocol_v2.enabled": "false"}, map[string]string{"proxy_protocol_v2.enabled": "true"}, false},
		{"per-target-group list beats target-group-attributes, * beats both",
			map[string]string{annotations.SvcTargetGroupAttributes: "proxy_protocol_v2.enabled=true", annotations.SvcProxyProtocolPerTG: "80"},
			map[string]string{"proxy_protocol_v2.enabled": "true"}, map[string]string{"proxy_protocol_v2.enabled": "false"}, false},
		{"* beats the per-target-group list",
			map[string]string{annotations.SvcProxyProtocol: "*", annotations.SvcProxyProtocolPerTG: "80"},
			map[string]string{"proxy_protocol_v2.enabled": "true"}, map[string]string{"proxy_protocol_v2.enabled": "true"}, false},
		{"port-specific attributes override general ones, empty keeps the general value",
			map[string]string{
				annotations.SvcTargetGroupAttributes:          "deregistration_delay.timeout_seconds=10,preserve_client_ip.enabled=true",
				annotations.SvcTargetGroupAttributes + ".443": "deregistration_delay.timeout_seconds=,preserve_client_ip.enabled=false",
			},
			map[string]string{"proxy_protocol_v2.enabled": "false", "deregistration_delay.timeout_seconds": "10", "preserve_client_ip.enabled": "true"},
			map[string]string{"proxy_protocol_v2.enabled": "false", "deregistration_delay.timeout_seconds": "10", "preserve_client_ip.enabled": "false"}, true},
		{"an empty proxy_protocol_v2.enabled leaves AWS's value",
			map[string]string{annotations.SvcTargetGroupAttributes: "proxy_protocol_v2.enabled=,stickiness.enabled=true"},
			map[string]string{"stickiness.enabled": "true"}, map[string]string{"stickiness.enabled": "true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := mustBuild(t, twoPorts(tc.ann), facts(), defaults())
			eq(t, "TG 80 attributes", st.TargetGroups[0].Attributes, tc.want80)
			eq(t, "TG 443 attributes", st.TargetGroups[1].Attributes, tc.want443)
			if got := preserveClientIP(st.TargetGroups[0]); got != tc.preserve {
				t.Errorf("preserveClientIP = %v, want %v", got, tc.preserve)
			}
		})
	}
}

func TestListenerAttributes(t *testing.T) {
	st, _ := mustBuild(t, twoPorts(map[string]string{
		annotations.SvcListenerAttributesPrefix + "TCP-443": "tcp.idle_timeout.seconds=600",
		annotations.SvcListenerAttributesPrefix + "tcp-80":  "tcp.idle_timeout.seconds=700", // LBC's key has the upper-case protocol
		annotations.SvcListenerAttributesPrefix + "UDP-443": "tcp.idle_timeout.seconds=800",
	}), facts(), defaults())
	eq(t, "listener 80 attributes", st.Listeners[0].Attributes, map[string]string(nil))
	eq(t, "listener 443 attributes", st.Listeners[1].Attributes, map[string]string{"tcp.idle_timeout.seconds": "600"})
}

func TestBadAttributeValuesNameTheAnnotation(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ann       map[string]string
		wantParts []string
	}{
		{"dns routing policy", map[string]string{annotations.SvcLoadBalancerAttributes: "dns_record.client_routing_policy=nearest"},
			[]string{"invalid dns_record.client_routing_policy set in annotation", "got 'nearest'", annotations.SvcLoadBalancerAttributes}},
		{"proxy protocol other than *", map[string]string{annotations.SvcProxyProtocol: "80"},
			[]string{"invalid value 80 for Load Balancer proxy protocol v2 annotation, only value currently supported is *", annotations.SvcProxyProtocol}},
		{"per-target-group port", map[string]string{annotations.SvcProxyProtocolPerTG: "80,http"},
			[]string{"invalid port number in proxy-protocol-per-target-group: http", annotations.SvcProxyProtocolPerTG}},
		{"preserve_client_ip not a bool", map[string]string{annotations.SvcTargetGroupAttributes: "preserve_client_ip.enabled=yes"},
			[]string{"failed to parse attribute preserve_client_ip.enabled=yes", annotations.SvcTargetGroupAttributes}},
		{"port-specific preserve_client_ip not a bool", map[string]string{annotations.SvcTargetGroupAttributes + ".80": "preserve_client_ip.enabled=1x"},
			[]string{"preserve_client_ip.enabled=1x", annotations.SvcTargetGroupAttributes + ".80"}},
		{"access-log-enabled not a bool", map[string]string{annotations.SvcAccessLogEnabled: "on"},
			[]string{"failed to parse bool annotation", annotations.SvcAccessLogEnabled}},
		{"cross-zone not a bool", map[string]string{annotations.SvcCrossZoneEnabled: "maybe"},
			[]string{annotations.SvcCrossZoneEnabled, "maybe"}},
		{"listener attributes not a map", map[string]string{annotations.SvcListenerAttributesPrefix + "TCP-80": "tcp.idle_timeout.seconds"},
			[]string{"failed to parse stringMap annotation", annotations.SvcListenerAttributesPrefix + "TCP-80"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := buildService(svcTLS(tc.ann), facts(), defaults())
			if err == nil {
				t.Fatal("built without error")
			}
			for _, p := range tc.wantParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q lacks %q", err, p)
				}
			}
		})
	}
}

func TestServiceDeletionProtected(t *testing.T) {
	svc := func(v string, set bool) *corev1.Service {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: map[string]string{}}}
		if set {
			s.Annotations[annotations.SvcLoadBalancerAttributes] = v
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		svc     *corev1.Service
		wantErr string
	}{
		{"no annotation", svc("", false), ""},
		{"protection not mentioned", svc("load_balancing.cross_zone.enabled=true", true), ""},
		{"protection off", svc("deletion_protection.enabled=false", true), ""},
		{"protection on: LBC's refusal", svc("deletion_protection.enabled=true", true), "deletion_protection is enabled, cannot delete the service: web"},
		{"not a bool", svc("deletion_protection.enabled=yes", true), "deletion_protection.enabled=yes"},
		{"map does not parse", svc("deletion_protection.enabled", true), "failed to parse stringMap annotation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ServiceDeletionProtected(tc.svc)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestIngressListenerAttributes(t *testing.T) {
	key := annotations.IngListenerAttributesPrefix + "HTTP-80"
	g := naming.ExplicitIngressStack("g")
	member := func(name, attrs string) IngressMember {
		ann := map[string]string{annotations.IngGroupName: "g"}
		if attrs != "" {
			ann[key] = attrs
		}
		return simple("ns", name, ann)
	}
	t.Run("members' attributes are merged onto their port", func(t *testing.T) {
		st, errs := buildGroup(t, g, ingFacts(), ingDefaults(),
			member("a", "routing.http.response.server.enabled=false"), member("b", "routing.http.response.server.enabled=false"), member("c", ""))
		eq(t, "errors", len(errs), 0)
		eq(t, "attributes", listener(t, st, 80).Attributes, map[string]string{"routing.http.response.server.enabled": "false"})
	})
	t.Run("a conflicting member is left out", func(t *testing.T) {
		st, errs := buildGroup(t, g, ingFacts(), ingDefaults(),
			member("a", "routing.http.response.server.enabled=false"), member("b", "routing.http.response.server.enabled=true"))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting listener attributes routing.http.response.server.enabled: false | true for ingress ns/b")})
		eq(t, "attributes", listener(t, st, 80).Attributes, map[string]string{"routing.http.response.server.enabled": "false"})
	})
	t.Run("IngressClassParams listeners win and settle a conflict", func(t *testing.T) {
		params := &v1beta1.IngressClassParamsSpec{Listeners: []v1beta1.Listener{
			{Protocol: "HTTPS", Port: 80, ListenerAttributes: []v1beta1.Attribute{{Key: "x", Value: "wrong protocol"}}},
			{Protocol: "HTTP", Port: 80, ListenerAttributes: []v1beta1.Attribute{{Key: "routing.http.response.server.enabled", Value: "true"}}},
		}}
		a, b := member("a", "routing.http.response.server.enabled=false"), member("b", "routing.http.response.server.enabled=false,other=1")
		a.Params, b.Params = params, params
		st, errs := buildGroup(t, g, ingFacts(), ingDefaults(), a, b)
		eq(t, "errors", len(errs), 0)
		eq(t, "attributes", listener(t, st, 80).Attributes, map[string]string{"routing.http.response.server.enabled": "true", "other": "1"})
	})
	t.Run("none: nil", func(t *testing.T) {
		st, _ := buildGroup(t, g, ingFacts(), ingDefaults(), member("a", ""))
		eq(t, "attributes", listener(t, st, 80).Attributes, map[string]string(nil))
	})
}
