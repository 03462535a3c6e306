package annotations_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

const svcP = "service.beta.kubernetes.io/"

func TestParseServiceConventions(t *testing.T) {
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want annotations.Service
	}{
		{
			name: "string lists are split on commas, trimmed and empty items dropped",
			ann:  map[string]string{svcP + "aws-load-balancer-security-groups": " sg-1, named security group ,,sg-2 "},
			want: annotations.Service{SecurityGroups: []string{"sg-1", "named security group", "sg-2"}},
		},
		{
			name: "a present but empty prefix-list annotation is present (suppresses default CIDRs)",
			ann:  map[string]string{svcP + "aws-load-balancer-security-group-prefix-lists": ""},
			want: annotations.Service{PrefixLists: []string{}},
		},
		{
			name: "bools accept everything strconv.ParseBool does",
			ann:  map[string]string{svcP + "aws-load-balancer-manage-backend-security-group-rules": "T", svcP + "aws-load-balancer-disable-nlb-sg": "1"},
			want: annotations.Service{ManageBackendSGRules: new(true), DisableNLBSG: true},
		},
		{
			name: "additional resource tags are a stringMap with escaped commas",
			ann:  map[string]string{svcP + "aws-load-balancer-additional-resource-tags": `team=a\,b, env = prod ,`},
			want: annotations.Service{AdditionalTags: map[string]string{"team": "a,b", "env": "prod"}},
		},
		{
			name: "ICMP for path MTU discovery needs exactly on; other values are ignored as in LBC",
			ann:  map[string]string{svcP + "aws-load-balancer-enable-icmp-for-path-mtu-discovery": "true"},
			want: annotations.Service{},
		},
		{
			name: "ICMP for path MTU discovery on",
			ann:  map[string]string{svcP + "aws-load-balancer-enable-icmp-for-path-mtu-discovery": "on"},
			want: annotations.Service{ICMPForPathMTU: true},
		},
		{
			name: "NLB load-balancer fields of issue 5 are read",
			ann: map[string]string{
				svcP + "aws-load-balancer-type": "external", svcP + "aws-load-balancer-nlb-target-type": "ip",
				svcP + "aws-load-balancer-scheme": "internet-facing", svcP + "aws-load-balancer-subnets": "subnet-1,web-a",
				svcP + "aws-load-balancer-ip-address-type": "dualstack", svcP + "aws-load-balancer-healthcheck-protocol": "http",
				svcP + "aws-load-balancer-healthcheck-port": "traffic-port", svcP + "aws-load-balancer-healthcheck-interval": "10",
				svcP + "aws-load-balancer-healthcheck-path": "/healthz", svcP + "aws-load-balancer-healthcheck-success-codes": "200-399",
				svcP + "aws-load-balancer-ssl-cert": "arn1,arn2", svcP + "aws-load-balancer-ssl-ports": "83",
				svcP + "aws-load-balancer-inbound-sg-rules-on-private-link-traffic": "off",
				svcP + "aws-load-balancer-proxy-protocol":                           "*",
				svcP + "load-balancer-source-ranges":                                "10.0.0.0/8, 2001:db8::/32",
			},
			want: annotations.Service{
				Type: "external", TargetType: "ip", Scheme: "internet-facing", Subnets: []string{"subnet-1", "web-a"},
				IPAddressType: "dualstack", SSLCerts: []string{"arn1", "arn2"}, SSLPorts: []string{"83"},
				PrivateLinkInbound: "off", ProxyProtocol: "*", SourceRanges: []string{"10.0.0.0/8", "2001:db8::/32"},
				HealthCheck: annotations.HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/healthz", Interval: new(int32(10)), SuccessCodes: "200-399"},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := annotations.ParseService(tt.ann)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseServiceErrors(t *testing.T) {
	for _, tt := range []struct {
		name, key, value, want string
	}{
		{"bad bool gives LBC's text naming the annotation (SG §2.1)", "aws-load-balancer-manage-backend-security-group-rules", "yes",
			`failed to parse bool annotation, service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules: yes: strconv.ParseBool: parsing "yes": invalid syntax`},
		{"bad stringMap gives LBC's text", "aws-load-balancer-additional-resource-tags", "a=b,c",
			"failed to parse stringMap annotation, service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags: a=b,c"},
		{"unknown IP address type (SG §2.5)", "aws-load-balancer-ip-address-type", "dualstack-without-public-ipv4",
			"unknown IPAddressType: dualstack-without-public-ipv4 (annotation service.beta.kubernetes.io/aws-load-balancer-ip-address-type)"},
		{"unknown scheme (LB §5.2)", "aws-load-balancer-scheme", "public",
			"unknown scheme: public (annotation service.beta.kubernetes.io/aws-load-balancer-scheme)"},
		{"private-link flag must be on or off (SG §2.5)", "aws-load-balancer-inbound-sg-rules-on-private-link-traffic", "yes",
			"Invalid value for securityGroupsInboundRulesOnPrivateLink status: yes, value must be one of [on, off] (annotation service.beta.kubernetes.io/aws-load-balancer-inbound-sg-rules-on-private-link-traffic)"},
		{"proxy protocol only accepts * (LB §5.4)", "aws-load-balancer-proxy-protocol", "v2",
			"invalid value v2 for Load Balancer proxy protocol v2 annotation, only value currently supported is * (annotation service.beta.kubernetes.io/aws-load-balancer-proxy-protocol)"},
		{"unsupported health-check protocol (LB §5.4)", "aws-load-balancer-healthcheck-protocol", "udp",
			"unsupported health check protocol udp (annotation service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol)"},
		{"explicit name over 32 characters (LB scenario 2)", "aws-load-balancer-name", strings.Repeat("n", 33),
			"load balancer name cannot be longer than 32 characters (annotation service.beta.kubernetes.io/aws-load-balancer-name)"},
		{"bad health-check interval names the annotation", "aws-load-balancer-healthcheck-interval", "ten",
			`failed to parse int32 annotation, service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval: ten: strconv.ParseInt: parsing "ten": invalid syntax`},
		{"target-node-labels with a key but no value is LBC's stringMap error", "aws-load-balancer-target-node-labels", "k1=v1,k2",
			"failed to parse stringMap annotation, service.beta.kubernetes.io/aws-load-balancer-target-node-labels: k1=v1,k2"},
		{"target-node-labels must be a valid label selector", "aws-load-balancer-target-node-labels", "pool=a b",
			`invalid target node labels service.beta.kubernetes.io/aws-load-balancer-target-node-labels: pool=a b: values[0][pool]: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`},
		{"multi-cluster-target-group is a bool", "aws-load-balancer-multi-cluster-target-group", "yes",
			`failed to parse bool annotation, service.beta.kubernetes.io/aws-load-balancer-multi-cluster-target-group: yes: strconv.ParseBool: parsing "yes": invalid syntax`},
		{"bad source range names the annotation", "load-balancer-source-ranges", "10.0.0.0/33",
			"invalid source range: invalid CIDR address: 10.0.0.0/33 (annotation service.beta.kubernetes.io/load-balancer-source-ranges)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := annotations.ParseService(map[string]string{svcP + tt.key: tt.value})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			var ae *annotations.Error
			if !errors.As(err, &ae) || ae.Annotation != svcP+tt.key || ae.Value != tt.value {
				t.Errorf("error does not carry the annotation: %#v", ae)
			}
		})
	}
}

func TestParseServiceReportsAllProblemsTogether(t *testing.T) {
	_, err := annotations.ParseService(map[string]string{
		svcP + "aws-load-balancer-scheme":          "x",
		svcP + "aws-load-balancer-ip-address-type": "y",
	})
	if err == nil || !strings.Contains(err.Error(), "unknown scheme: x") || !strings.Contains(err.Error(), "unknown IPAddressType: y") {
		t.Errorf("err = %v", err)
	}
}

func svc(class *string, typ corev1.ServiceType, ann map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "s", Annotations: ann},
		Spec:       corev1.ServiceSpec{Type: typ, LoadBalancerClass: class},
	}
}

func TestIsNLBService(t *testing.T) {
	lb := corev1.ServiceTypeLoadBalancer
	for _, tt := range []struct {
		name   string
		svc    *corev1.Service
		flag   string
		lbOnly bool
		want   bool
	}{
		{"loadBalancerClass service.k8s.aws/nlb is handled (LB scenario 8)", svc(new("service.k8s.aws/nlb"), lb, nil), "", false, true},
		{"another loadBalancerClass is not handled, whatever the annotations", svc(new("other"), lb, map[string]string{svcP + "aws-load-balancer-type": "nlb-ip"}), "", false, false},
		{"a custom --load-balancer-class is honoured", svc(new("corp/nlb"), lb, nil), "corp/nlb", false, true},
		{"no class and type nlb-ip is handled", svc(nil, lb, map[string]string{svcP + "aws-load-balancer-type": "nlb-ip"}), "", false, true},
		{"type external with nlb-target-type instance is handled", svc(nil, lb, map[string]string{svcP + "aws-load-balancer-type": "external", svcP + "aws-load-balancer-nlb-target-type": "instance"}), "", false, true},
		{"type external alone is not handled (LB scenario 9)", svc(nil, lb, map[string]string{svcP + "aws-load-balancer-type": "external"}), "", false, false},
		{"a plain LoadBalancer Service is left to the cloud provider", svc(nil, lb, nil), "", false, false},
		{"NodePort with ServiceTypeLoadBalancerOnly is not handled (LB scenario 9)", svc(new("service.k8s.aws/nlb"), corev1.ServiceTypeNodePort, nil), "", true, false},
		{"NodePort without the gate is handled", svc(new("service.k8s.aws/nlb"), corev1.ServiceTypeNodePort, nil), "", false, true},
		{"nil Service", nil, "", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := annotations.IsNLBService(tt.svc, tt.flag, tt.lbOnly); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSourceRanges(t *testing.T) {
	for _, tt := range []struct {
		name    string
		spec    []string
		ann     map[string]string
		want    []string
		wantErr string
	}{
		{name: "no ranges anywhere gives nil (default 0.0.0.0/0 is the model's)", want: nil},
		{name: "spec.loadBalancerSourceRanges beats the annotation", spec: []string{"10.20.0.0/16", "1.2.3.4/19"},
			ann: map[string]string{svcP + "load-balancer-source-ranges": "192.168.0.0/16"}, want: []string{"10.20.0.0/16", "1.2.3.4/19"}},
		{name: "the annotation is the fallback", ann: map[string]string{svcP + "load-balancer-source-ranges": "192.168.0.0/16"}, want: []string{"192.168.0.0/16"}},
		{name: "an IPv6 range on an ipv4 NLB is LBC's error (SG scenario 26)", spec: []string{"2002::1234:abcd:ffff:c0a8:101/64"},
			wantErr: "unsupported v6 cidr 2002::1234:abcd:ffff:c0a8:101/64 when lb is not dualstack (field spec.loadBalancerSourceRanges)"},
		{name: "an IPv6 range on a dualstack NLB is fine", spec: []string{"2002::/64"},
			ann: map[string]string{svcP + "aws-load-balancer-ip-address-type": "dualstack"}, want: []string{"2002::/64"}},
		{name: "an unparsable spec range names the field", spec: []string{"nope"}, wantErr: "invalid source range: invalid CIDR address: nope (field spec.loadBalancerSourceRanges)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := svc(nil, corev1.ServiceTypeLoadBalancer, tt.ann)
			s.Spec.LoadBalancerSourceRanges = tt.spec
			cfg, err := annotations.ParseService(s.Annotations)
			if err != nil {
				t.Fatal(err)
			}
			got, err := annotations.SourceRanges(s, cfg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestServiceTargetTypeAndScheme(t *testing.T) {
	for _, tt := range []struct {
		name       string
		ann        map[string]string
		wantTarget string
		wantScheme string
	}{
		{"nlb-ip means ip targets", map[string]string{svcP + "aws-load-balancer-type": "nlb-ip"}, "ip", ""},
		{"nlb-target-type instance", map[string]string{svcP + "aws-load-balancer-nlb-target-type": "instance"}, "instance", ""},
		{"no target type takes the default", nil, "instance", ""},
		{"deprecated internal=false means internet-facing (LB scenario 6)", map[string]string{svcP + "aws-load-balancer-internal": "false"}, "instance", "internet-facing"},
		{"scheme beats the deprecated internal flag", map[string]string{svcP + "aws-load-balancer-internal": "false", svcP + "aws-load-balancer-scheme": "internal"}, "instance", "internal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := annotations.ParseService(tt.ann)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.EffectiveTargetType(""); got != tt.wantTarget {
				t.Errorf("target type %q, want %q", got, tt.wantTarget)
			}
			if got := s.ExplicitScheme(); got != tt.wantScheme {
				t.Errorf("scheme %q, want %q", got, tt.wantScheme)
			}
		})
	}
}
