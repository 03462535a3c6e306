package model

import (
	"errors"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

func TestDomainMatchesHost(t *testing.T) {
	for _, tt := range []struct {
		domain, host string
		want         bool
	}{
		{"www.example.com", "www.example.com", true},
		{"www.example.com", "api.example.com", false},
		{"*.example.com", "www.example.com", true},
		{"*.example.com", "example.com", false},     // the wildcard needs a label
		{"*.example.com", "a.b.example.com", false}, // one label only
		{"*.example.com", "*.example.com", true},    // a wildcard host, as LBC compares labels
		{"*.example.com", "www.example.org", false},
		{"WWW.example.com", "www.example.com", false}, // case matters, as in LBC
		{"www.*.com", "www.example.com", false},       // only a leading wildcard is one
		{"example.com", "www.example.com", false},
	} {
		if got := DomainMatchesHost(tt.domain, tt.host); got != tt.want {
			t.Errorf("DomainMatchesHost(%q, %q) = %v, want %v", tt.domain, tt.host, got, tt.want)
		}
	}
}

func TestDiscoverCertificates(t *testing.T) {
	certs := []Certificate{
		{ARN: "arn:c-wild", Domains: []string{"*.example.com"}},
		{ARN: "arn:b-www", Domains: []string{"www.example.com", "www.example.org"}},
		{ARN: "arn:a-san", Domains: []string{"shop.example.net", "api.example.com"}},
		{ARN: "arn:d-private", CertificateAuthorityARN: "arn:ca-1", Domains: []string{"internal.example.com"}},
	}
	for _, tt := range []struct {
		name    string
		hosts   []string
		allowed []string
		want    []string
		noCert  string
	}{
		{name: "every certificate matching a host, sorted by ARN", hosts: []string{"www.example.com"}, want: []string{"arn:b-www", "arn:c-wild"}},
		{name: "a subject alternative name matches", hosts: []string{"shop.example.net"}, want: []string{"arn:a-san"}},
		{name: "hosts add up, each certificate once", hosts: []string{"api.example.com", "www.example.org", "x.example.com"},
			want: []string{"arn:a-san", "arn:b-www", "arn:c-wild"}},
		{name: "no host, no certificate", want: []string{}},
		{name: "the first host without a certificate fails", hosts: []string{"a.example.org", "b.example.org"}, noCert: "a.example.org"},
		{name: "allowed CAs keep only their certificates", hosts: []string{"internal.example.com"}, allowed: []string{"arn:ca-1"}, want: []string{"arn:d-private"}},
		{name: "a host only other CAs cover fails", hosts: []string{"www.example.com"}, allowed: []string{"arn:ca-1"}, noCert: "www.example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DiscoverCertificates(tt.hosts, certs, tt.allowed)
			if tt.noCert != "" {
				var nc *NoCertificateError
				if !errors.As(err, &nc) || nc.Host != tt.noCert {
					t.Fatalf("error %v, want no certificate for %s", err, tt.noCert)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "certificates", got, tt.want)
		})
	}
}

// §6.5 with certificate discovery: an HTTPS listener without certificate-arn
// takes the certificates matching the rules' and spec.tls hosts.
func TestIngressHTTPSListenerDiscoversCertificates(t *testing.T) {
	f := ingFacts()
	f.Certificates = []Certificate{
		{ARN: "arn:wild", Domains: []string{"*.example.com"}},
		{ARN: "arn:app-1", Domains: []string{"app-1.example.com"}},
		{ARN: "arn:tls", Domains: []string{"tls.example.org"}},
	}
	https := map[string]string{annotations.IngListenPorts: `[{"HTTPS":443}]`}
	withTLS := func(ing *networkingv1.Ingress, hosts ...string) *networkingv1.Ingress {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: hosts}}
		return ing
	}
	t.Run("rule hosts and spec.tls hosts", func(t *testing.T) {
		st := buildOne(t, ingMember(withTLS(ing1(https), "tls.example.org")), f, ingDefaults())
		eq(t, "certificates", listener(t, st, 443).Certificates, []string{"arn:app-1", "arn:tls", "arn:wild"})
	})
	t.Run("no HTTPS listen port: no discovery", func(t *testing.T) {
		st := buildOne(t, ingMember(withTLS(ing1(nil), "nothing.example.net")), f, ingDefaults())
		eq(t, "listeners", len(st.Listeners), 1)
		eq(t, "certificates", len(listener(t, st, 80).Certificates), 0)
	})
	t.Run("certificate-arn turns discovery off", func(t *testing.T) {
		ann := map[string]string{annotations.IngListenPorts: `[{"HTTPS":443}]`, annotations.IngCertificateARN: "arn:given"}
		st := buildOne(t, ingMember(withTLS(ing1(ann), "nothing.example.net")), f, ingDefaults())
		eq(t, "certificates", listener(t, st, 443).Certificates, []string{"arn:given"})
	})
	t.Run("IngressClassParams certificateArn turns discovery off", func(t *testing.T) {
		m := ingMember(withTLS(ing1(https), "nothing.example.net"))
		m.Params = &v1beta1.IngressClassParamsSpec{CertificateArn: []string{"arn:icp"}}
		st := buildOne(t, m, f, ingDefaults())
		eq(t, "certificates", listener(t, st, 443).Certificates, []string{"arn:icp"})
	})
	t.Run("a host without a certificate leaves the member out", func(t *testing.T) {
		m := ingMember(withTLS(ing1(https), "nothing.example.net"))
		_, _, errs, err := buildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, f, ingDefaults())
		if !errors.Is(err, ErrNoUsableIngress) {
			t.Fatalf("group error %v", err)
		}
		var nc *NoCertificateError
		if !errors.As(errs["ns-1/ing-1"], &nc) || nc.Host != "nothing.example.net" {
			t.Errorf("member error %v", errs["ns-1/ing-1"])
		}
	})
	t.Run("group members discover their own; the first member's first is the default", func(t *testing.T) {
		g := func(name, host string) IngressMember {
			ann := map[string]string{annotations.IngGroupName: "g", annotations.IngListenPorts: `[{"HTTPS":443}]`}
			return ingMember(ingress("ns", name, ann, ingRule(host, path("/"+name, networkingv1.PathTypePrefix, backend("svc-1", "http")))))
		}
		st, errs := buildGroup(t, naming.ExplicitIngressStack("g"), f, ingDefaults(), g("a", "tls.example.org"), g("b", "app-1.example.com"))
		eq(t, "errors", len(errs), 0)
		eq(t, "certificates", listener(t, st, 443).Certificates, []string{"arn:tls", "arn:app-1", "arn:wild"})
	})
}

func TestIngressCertificateHosts(t *testing.T) {
	https := map[string]string{annotations.IngListenPorts: `[{"HTTPS":443}]`}
	given := map[string]string{annotations.IngListenPorts: `[{"HTTPS":443}]`, annotations.IngCertificateARN: "arn:x"}
	hosts, any := IngressCertificateHosts([]IngressMember{
		ingMember(ing1(https)), ingMember(ingress("ns", "b", given, ingRule("given.example.com"))), ingMember(ingress("ns", "c", nil, ingRule("http.example.com"))),
	})
	eq(t, "discovers", any, true)
	eq(t, "hosts", hosts, []string{"app-1.example.com", "app-2.example.com"})
	_, any = IngressCertificateHosts([]IngressMember{ingMember(ing1(nil))})
	eq(t, "an HTTP-only member discovers", any, false)
}
