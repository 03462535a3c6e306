package annotations_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

const ingP = "alb.ingress.kubernetes.io/"

func ing(ns, name string, ann map[string]string) *networkingv1.Ingress {
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: ann}}
}

func TestParseIngress(t *testing.T) {
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want annotations.Ingress
	}{
		{
			name: "security-group fields are read (SG §2.2)",
			ann: map[string]string{
				ingP + "security-groups": "sg group one, sg-id1", ingP + "manage-backend-security-group-rules": "true",
				ingP + "inbound-cidrs": "20.45.16.0/26, 2001:db8::/32", ingP + "security-group-prefix-lists": "pl-00000000",
				ingP + "ip-address-type": "dualstack-without-public-ipv4", ingP + "tags": "k1=v1,k3=v3a",
			},
			want: annotations.Ingress{
				SecurityGroups: []string{"sg group one", "sg-id1"}, ManageBackendSGRules: new(true),
				InboundCIDRs: []string{"20.45.16.0/26", "2001:db8::/32"}, PrefixLists: []string{"pl-00000000"},
				IPAddressType: "dualstack-without-public-ipv4", Tags: map[string]string{"k1": "v1", "k3": "v3a"},
			},
		},
		{
			name: "load-balancer fields of issue 6 are read",
			ann: map[string]string{
				ingP + "group.name": "shared-public.alb", ingP + "group.order": "-10", ingP + "scheme": "internet-facing",
				ingP + "target-type": "ip", ingP + "ssl-redirect": "443", ingP + "subnets": "subnet-a,subnet-b",
				ingP + "healthcheck-path": "/ping", ingP + "healthcheck-interval-seconds": "15", ingP + "success-codes": "200",
				ingP + "backend-protocol": "HTTPS", ingP + "backend-protocol-version": "GRPC", ingP + "load-balancer-name": "foo",
				ingP + "listen-ports": `[{"HTTPS":443},{"HTTP":80},{"HTTP":8080}]`, ingP + "certificate-arn": "arn:a,arn:b",
			},
			want: annotations.Ingress{
				GroupName: "shared-public.alb", GroupOrder: -10, Scheme: "internet-facing", TargetType: "ip",
				SSLRedirect: new(int32(443)), Subnets: []string{"subnet-a", "subnet-b"},
				HealthCheck:     annotations.HealthCheck{Path: "/ping", Interval: new(int32(15)), SuccessCodes: "200"},
				BackendProtocol: "HTTPS", BackendProtocolVer: "GRPC", LoadBalancerName: "foo",
				ListenPorts:     []annotations.ListenPort{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80}, {Protocol: "HTTP", Port: 8080}},
				CertificateARNs: []string{"arn:a", "arn:b"},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := annotations.ParseIngress(ing("ns-1", "ing-1", tt.ann))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEffectiveListenPorts(t *testing.T) {
	http80 := []annotations.ListenPort{{Protocol: "HTTP", Port: 80}}
	https443 := []annotations.ListenPort{{Protocol: "HTTPS", Port: 443}}
	for _, tt := range []struct {
		name      string
		ann       map[string]string
		otherCert bool
		want      []annotations.ListenPort
	}{
		{name: "no listen-ports gives HTTP:80", want: http80},
		{name: "no listen-ports with certificate-arn gives HTTPS:443", ann: map[string]string{ingP + "certificate-arn": "arn:x"}, want: https443},
		{name: "no listen-ports with an IngressClassParams or ACM certificate gives HTTPS:443", otherCert: true, want: https443},
		{name: "explicit listen-ports win over certificates", ann: map[string]string{ingP + "listen-ports": `[{"HTTP":8080}]`}, otherCert: true,
			want: []annotations.ListenPort{{Protocol: "HTTP", Port: 8080}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := annotations.ParseIngress(ing("ns-1", "ing-1", tt.ann))
			if err != nil {
				t.Fatal(err)
			}
			if got := in.EffectiveListenPorts(tt.otherCert); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseIngressErrors(t *testing.T) {
	for _, tt := range []struct {
		name, key, value, want string
	}{
		{"listen-ports that are not JSON (SG §2.2)", "listen-ports", `[{"HTTP":80}`,
			"failed to parse listen-ports configuration: `[{\"HTTP\":80}`: unexpected end of JSON input (annotation alb.ingress.kubernetes.io/listen-ports)"},
		{"empty listen-ports (SG §2.2)", "listen-ports", `[]`,
			"empty listen-ports configuration: `[]` (annotation alb.ingress.kubernetes.io/listen-ports)"},
		{"listen port out of range (SG §2.2)", "listen-ports", `[{"HTTP":0}]`,
			"listen port must be within [1, 65535]: 0 (annotation alb.ingress.kubernetes.io/listen-ports)"},
		{"listen protocol other than HTTP/HTTPS (SG §2.2)", "listen-ports", `[{"TCP":80}]`,
			"listen protocol must be within [HTTP, HTTPS]: TCP (annotation alb.ingress.kubernetes.io/listen-ports)"},
		{"one port with two protocols in one Ingress", "listen-ports", `[{"HTTP":80},{"HTTPS":80}]`,
			"conflicting protocol for listen port 80: HTTP | HTTPS (annotation alb.ingress.kubernetes.io/listen-ports)"},
		{"bad inbound CIDR names the Ingress (SG §2.2)", "inbound-cidrs", "10.0.0.0/8, 300.0.0.0/8",
			"invalid inbound-cidrs settings on Ingress: ns-1/ing-1: invalid CIDR address: 300.0.0.0/8 (annotation alb.ingress.kubernetes.io/inbound-cidrs)"},
		{"unknown IP address type (SG §2.2)", "ip-address-type", "ipv6",
			"unknown IPAddressType: ipv6 (annotation alb.ingress.kubernetes.io/ip-address-type)"},
		{"non-numeric group order (LB scenario 20)", "group.order", "x",
			`failed to parse int32 annotation, alb.ingress.kubernetes.io/group.order: x: strconv.ParseInt: parsing "x": invalid syntax`},
		{"group order outside [-1000:1000] (LB §6.3)", "group.order", "1001",
			"explicit Ingress group order must be within [-1000:1000], Ingress: ns-1/ing-1, order: 1001 (annotation alb.ingress.kubernetes.io/group.order)"},
		{"64-character group name (LB scenario 20)", "group.name", strings.Repeat("a", 64),
			"invalid ingress group: groupName must be no more than 63 characters (annotation alb.ingress.kubernetes.io/group.name)"},
		{"upper-case group name (LB §6.3)", "group.name", "Team",
			"invalid ingress group: groupName must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (annotation alb.ingress.kubernetes.io/group.name)"},
		{"bad manage-backend bool", "manage-backend-security-group-rules", "on",
			`failed to parse bool annotation, alb.ingress.kubernetes.io/manage-backend-security-group-rules: on: strconv.ParseBool: parsing "on": invalid syntax`},
		{"backend protocol outside HTTP/HTTPS (LB §6.7)", "backend-protocol", "TCP",
			"backend protocol must be within [HTTP, HTTPS]: TCP (annotation alb.ingress.kubernetes.io/backend-protocol)"},
		{"unknown target type (LB §6.7)", "target-type", "pod",
			"unknown targetType: pod (annotation alb.ingress.kubernetes.io/target-type)"},
		{"bad tags stringMap (SG §2.1)", "tags", "novalue",
			"failed to parse stringMap annotation, alb.ingress.kubernetes.io/tags: novalue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := annotations.ParseIngress(ing("ns-1", "ing-1", map[string]string{ingP + tt.key: tt.value}))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			var ae *annotations.Error
			if !errors.As(err, &ae) || ae.Annotation != ingP+tt.key {
				t.Errorf("error does not carry the annotation: %#v", ae)
			}
			if strings.Contains(ae.LBCMessage(), "(annotation") {
				t.Errorf("LBCMessage carries lbsg's suffix: %q", ae.LBCMessage())
			}
		})
	}
}

func TestGroupNameRules(t *testing.T) {
	for name, ok := range map[string]bool{
		"a": true, "shared-public.alb": true, "a-b.c9": true, strings.Repeat("a", 63): true,
		"-a": false, "a-": false, "A": false, "a_b": false, "": false, strings.Repeat("a", 64): false,
	} {
		if err := annotations.ValidateGroupName(name); (err == nil) != ok {
			t.Errorf("ValidateGroupName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func class(name, controller string, def bool, params *networkingv1.IngressClassParametersReference) networkingv1.IngressClass {
	c := networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: networkingv1.IngressClassSpec{Controller: controller, Parameters: params}}
	if def {
		c.Annotations = map[string]string{"ingressclass.kubernetes.io/is-default-class": "true"}
	}
	return c
}

func TestMatchIngressClass(t *testing.T) {
	alb := class("alb", "ingress.k8s.aws/alb", false, nil)
	nginx := class("nginx", "k8s.io/ingress-nginx", false, nil)
	withParams := class("alb-params", "ingress.k8s.aws/alb", false, &networkingv1.IngressClassParametersReference{APIGroup: new("elbv2.k8s.aws"), Kind: "IngressClassParams", Name: "p1"})
	badParams := class("alb-bad", "ingress.k8s.aws/alb", false, &networkingv1.IngressClassParametersReference{APIGroup: new("example.com"), Kind: "Foo", Name: "p"})
	for _, tt := range []struct {
		name       string
		ann        map[string]string
		className  *string
		classes    []networkingv1.IngressClass
		flag       string
		want       bool
		wantParams string
		wantErr    string
	}{
		{name: "the class annotation alb decides alone", ann: map[string]string{"kubernetes.io/ingress.class": "alb"}, className: new("nginx"), classes: []networkingv1.IngressClass{nginx}, flag: "alb", want: true},
		{name: "another class annotation is not ours", ann: map[string]string{"kubernetes.io/ingress.class": "nginx"}, flag: "alb", want: false},
		{name: "annotation alb with an empty flag is ours", ann: map[string]string{"kubernetes.io/ingress.class": "alb"}, flag: "", want: true},
		{name: "ingressClassName of an ingress.k8s.aws/alb class is ours", className: new("alb"), classes: []networkingv1.IngressClass{alb, nginx}, flag: "alb", want: true},
		{name: "ingressClassName of another controller is not ours", className: new("nginx"), classes: []networkingv1.IngressClass{alb, nginx}, flag: "alb", want: false},
		{name: "class parameters name the IngressClassParams", className: new("alb-params"), classes: []networkingv1.IngressClass{withParams}, flag: "alb", want: true, wantParams: "p1"},
		{name: "unknown parameters kind is LBC's error", className: new("alb-bad"), classes: []networkingv1.IngressClass{badParams}, flag: "alb",
			wantErr: "invalid ingress class: IngressClass alb-bad references unknown parameters"},
		{name: "a missing IngressClass is LBC's error", className: new("gone"), classes: []networkingv1.IngressClass{alb}, flag: "alb",
			wantErr: `invalid ingress class: ingressclasses.networking.k8s.io "gone" not found`},
		{name: "no class uses the default IngressClass", classes: []networkingv1.IngressClass{class("d", "ingress.k8s.aws/alb", true, nil)}, flag: "alb", want: true},
		{name: "two default IngressClasses is LBC's error (LB scenario 26)", classes: []networkingv1.IngressClass{class("d1", "ingress.k8s.aws/alb", true, nil), class("d2", "x", true, nil)}, flag: "alb",
			wantErr: "multiple default IngressClasses found"},
		{name: "no class at all is ours only with an empty flag", flag: "", want: true},
		{name: "no class at all is not ours with the default flag", flag: "alb", want: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i := ing("ns", "i", tt.ann)
			i.Spec.IngressClassName = tt.className
			m, err := annotations.MatchIngressClass(i, tt.classes, tt.flag)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Managed != tt.want || m.ParamsName != tt.wantParams {
				t.Errorf("got %+v, want managed=%v params=%q", m, tt.want, tt.wantParams)
			}
		})
	}
}

func TestParseGroupOrder(t *testing.T) {
	for _, tt := range []struct {
		name, raw string
		want      int32
		wantErr   string
	}{
		{name: "absent is 0", want: 0},
		{name: "a negative order", raw: "-10", want: -10},
		{name: "not an int32 (LB scenario 20)", raw: "x",
			wantErr: `failed to load Ingress group order for ingress: namespace/ingress: failed to parse int32 annotation, alb.ingress.kubernetes.io/group.order: x: strconv.ParseInt: parsing "x": invalid syntax`},
		{name: "outside [-1000:1000]", raw: "1001",
			wantErr: "explicit Ingress group order must be within [-1000:1000], Ingress: namespace/ingress, order: 1001"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ann := map[string]string{}
			if tt.raw != "" {
				ann[ingP+"group.order"] = tt.raw
			}
			got, err := annotations.ParseGroupOrder("namespace", "ingress", ann)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}
