package model

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

func TestManagedCertificatesFollowLBC(t *testing.T) {
	const ca = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/ca-1"
	st := naming.ExplicitIngressStack("shop")
	on := ingDefaults()
	on.CertificateManagement, on.DefaultTags = true, map[string]string{"env": "prod"}
	withHosts := func(name string, ann map[string]string, hosts ...string) IngressMember {
		var rules []networkingv1.IngressRule
		for _, h := range hosts {
			rules = append(rules, ingRule(h, path("/", networkingv1.PathTypePrefix, backend("svc-1", "http"))))
		}
		return ingMember(ingress("ns-1", name, ann, rules...))
	}
	create := map[string]string{"alb.ingress.kubernetes.io/create-acm-cert": "true"}
	for _, tt := range []struct {
		name    string
		d       func(Defaults) Defaults
		members []IngressMember
		want    []string // "resourceID type ca domain sans"
		err     string
	}{
		{name: "the rules' and spec.tls hosts, sorted, the first as domain",
			members: []IngressMember{func() IngressMember {
				m := withHosts("a", create, "www.shop.example", "*.api.shop.example")
				m.Ingress.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"apex.shop.example", "www.shop.example"}}}
				return m
			}()},
			want: []string{"amazon_issued/wildcard.api.shop.example-" + hash8("ns-1/a") + " AMAZON_ISSUED  *.api.shop.example [*.api.shop.example apex.shop.example www.shop.example]"}},
		{name: "acm-pca-arn makes it private",
			members: []IngressMember{withHosts("b", map[string]string{"alb.ingress.kubernetes.io/create-acm-cert": "true", "alb.ingress.kubernetes.io/acm-pca-arn": ca}, "b.shop.example")},
			want:    []string{"private/b.shop.example-" + hash8("ns-1/b") + " PRIVATE " + ca + " b.shop.example [b.shop.example]"}},
		{name: "--default-pca-arn too", d: func(d Defaults) Defaults { d.DefaultPCAARN = ca; return d },
			members: []IngressMember{withHosts("c", create, "c.shop.example")},
			want:    []string{"private/c.shop.example-" + hash8("ns-1/c") + " PRIVATE " + ca + " c.shop.example [c.shop.example]"}},
		{name: "certificate-arn wins: nothing to request",
			members: []IngressMember{withHosts("d", map[string]string{"alb.ingress.kubernetes.io/create-acm-cert": "true",
				"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-west-2:123456789012:certificate/x"}, "d.shop.example")}},
		{name: "IngressClassParams certificateArn wins too",
			members: []IngressMember{func() IngressMember {
				m := withHosts("e", create, "e.shop.example")
				m.Params = &v1beta1.IngressClassParamsSpec{CertificateArn: []string{"arn:aws:acm:us-west-2:123456789012:certificate/y"}}
				return m
			}()}},
		{name: "false asks for nothing", members: []IngressMember{withHosts("f", map[string]string{"alb.ingress.kubernetes.io/create-acm-cert": "false"}, "f.shop.example")}},
		{name: "the gate off: nothing (the group is refused instead)", d: func(d Defaults) Defaults { d.CertificateManagement = false; return d },
			members: []IngressMember{withHosts("g", create, "g.shop.example")}},
		{name: "no host fails the group with LBC's message", members: []IngressMember{withHosts("h", create)},
			err: "ingress ns-1/h has create-acm-cert enabled but no hostnames defined in spec.rules[].host or spec.tls[].hosts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := on
			if tt.d != nil {
				d = tt.d(d)
			}
			got, err := IngressManagedCertificates(st, tt.members, d)
			if tt.err != "" {
				var nh *NoCertificateHostsError
				if !errors.As(err, &nh) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, mc := range got {
				lines = append(lines, mc.ResourceID+" "+mc.Type+" "+mc.CertificateAuthorityARN+" "+mc.DomainName+" ["+strings.Join(mc.SANs, " ")+"]")
				wantTags := map[string]string{naming.TagCluster: ingCluster, naming.TagIngressStack: "shop", naming.TagIngressResource: mc.ResourceID, "env": "prod"}
				if !maps.Equal(mc.Tags, wantTags) {
					t.Errorf("tags %v, want %v", mc.Tags, wantTags)
				}
			}
			if !slices.Equal(lines, tt.want) {
				t.Errorf("certificates\n%q\nwant\n%q", lines, tt.want)
			}
		})
	}
}

func TestCreateACMCertListensOnHTTPSWithTheIssuedCertificate(t *testing.T) {
	d := ingDefaults()
	d.CertificateManagement = true
	st := naming.ExplicitIngressStack("shop")
	m := ingMember(ingress("ns-1", "a", map[string]string{"alb.ingress.kubernetes.io/create-acm-cert": "true", "alb.ingress.kubernetes.io/group.name": "shop"},
		ingRule("a.shop.example", path("/", networkingv1.PathTypePrefix, backend("svc-1", "http")))))
	want, err := IngressManagedCertificates(st, []IngressMember{m}, d)
	if err != nil || len(want) != 1 {
		t.Fatalf("%v, %v", want, err)
	}
	f := ingFacts()
	f.ManagedCertificates = map[string]string{want[0].ResourceID: "arn:aws:acm:us-west-2:123456789012:certificate/issued"}
	got, errs := buildGroup(t, st, f, d, m)
	if len(errs) != 0 || len(got.Listeners) != 1 || got.Listeners[0].Port != 443 || got.Listeners[0].Protocol != "HTTPS" ||
		len(got.Listeners[0].Certificates) == 0 || got.Listeners[0].Certificates[0] != "arn:aws:acm:us-west-2:123456789012:certificate/issued" {
		t.Errorf("listeners %+v, member errors %v", got.Listeners, errs)
	}
	if _, _, errs, _ := buildIngressGroup(st, []IngressMember{m}, ingFacts(), d); errs["ns-1/a"] == nil {
		t.Error("a member whose certificate is not issued was built")
	}
}

// hash8 is the first 8 hex digits of sha256(s).
func hash8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

func TestCreateACMCertWithTheGateOffIsRefused(t *testing.T) {
	st := naming.ExplicitIngressStack("shop")
	for _, tt := range []struct {
		value   string
		refused bool
	}{{"true", true}, {"yes", true}, {"false", false}} {
		m := ingMember(ingress("ns-1", "a", map[string]string{"alb.ingress.kubernetes.io/create-acm-cert": tt.value},
			ingRule("a.shop.example", path("/", networkingv1.PathTypePrefix, backend("svc-1", "http")))))
		_, _, _, err := BuildIngressGroup(st, []IngressMember{m}, ingFacts(), ingDefaults())
		var unsupported *UnsupportedError
		if got := errors.As(err, &unsupported); got != tt.refused {
			t.Errorf("create-acm-cert %q with the gate off: %v, refused %v", tt.value, err, tt.refused)
		}
		if tt.refused && !strings.Contains(err.Error(), "EnableCertificateManagement feature gate is off") {
			t.Errorf("the error does not name the gate: %v", err)
		}
	}
}
