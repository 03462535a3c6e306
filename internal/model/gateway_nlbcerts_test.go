package model

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// tlsPort is a terminating TLS port 443 with hostnames and a TLSRoute.
func tlsPort(hosts ...string) GatewayPort {
	return GatewayPort{Port: 443, Protocols: []string{ProtoTLS}, TLSTerminate: true, Hostnames: hosts,
		Route: &GatewayRoute{Kind: "TLSRoute", Namespace: "app", Name: "r", Backends: []GatewayBackend{be(gwService(false), 1, nil)}}}
}

// An NLB TLS listener takes its listener configuration's certificates, else
// those ACM discovery finds for its port's hostnames (the first its
// default, the others SNI certificates); without a hostname, or with one no
// certificate covers, it is LBC's error.
func TestBuildGatewayNLBTLSCertificates(t *testing.T) {
	certs := []Certificate{
		{ARN: "arn:b-wild", Domains: []string{"*.example.com"}},
		{ARN: "arn:a-api", Domains: []string{"api.example.org"}},
		{ARN: "arn:c-private", CertificateAuthorityARN: "arn:ca-1", Domains: []string{"internal.example.net"}},
	}
	cfg := func(lc gwconfig.ListenerConfiguration) *gwconfig.LoadBalancerConfigurationSpec {
		lc.ProtocolPort = "TLS:443"
		return &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{lc}}
	}
	for _, tt := range []struct {
		name       string
		cfg        *gwconfig.LoadBalancerConfigurationSpec
		port       GatewayPort
		allowedCAs []string
		want       []string
		policy     string
		err        string
	}{
		{name: "configured certificates win over discovery",
			cfg:  cfg(gwconfig.ListenerConfiguration{DefaultCertificate: ptr.To("arn:conf"), Certificates: []*string{ptr.To("arn:conf"), ptr.To("arn:more")}}),
			port: tlsPort("a.example.com"), want: []string{"arn:conf", "arn:more"}},
		{name: "certificates without defaultCertificate are used as configured",
			cfg:  cfg(gwconfig.ListenerConfiguration{Certificates: []*string{ptr.To("arn:only")}}),
			port: tlsPort(), want: []string{"arn:only"}},
		{name: "one hostname discovers its certificate",
			port: tlsPort("a.example.com"), want: []string{"arn:b-wild"}},
		{name: "several hostnames discover SNI certificates, sorted by ARN",
			port: tlsPort("a.example.com", "api.example.org"), want: []string{"arn:a-api", "arn:b-wild"}},
		{name: "a configuration with only an SSL policy still discovers",
			cfg:  cfg(gwconfig.ListenerConfiguration{SSLPolicy: ptr.To("ELBSecurityPolicy-TLS13-1-2-2021-06")}),
			port: tlsPort("a.example.com"), want: []string{"arn:b-wild"}, policy: "ELBSecurityPolicy-TLS13-1-2-2021-06"},
		{name: "an allowed private CA's certificate is discovered",
			port: tlsPort("internal.example.net"), allowedCAs: []string{"arn:ca-1"}, want: []string{"arn:c-private"}},
		{name: "a certificate from a CA not allowed is not",
			port: tlsPort("a.example.com"), allowedCAs: []string{"arn:ca-1"}, err: "no certificate found for host: a.example.com"},
		{name: "a hostname no certificate covers is an error",
			port: tlsPort("a.example.com", "deep.a.example.com"), err: "no certificate found for host: deep.a.example.com"},
		{name: "no hostname to discover by is an error",
			port: tlsPort(), err: "No hostnames found for TLS cert discovery for listener on gateway infra/gw with protocol:port TLS:443"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts()
			f.Certificates = certs
			d := defaults()
			d.AllowedCAs = tt.allowedCAs
			st, _, err := BuildGateway(gw(tt.cfg, tt.port), f, d)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ls := st.Listeners[0]
			if tt.policy == "" {
				tt.policy = DefaultSSLPolicy
			}
			eq(t, "listener", []any{ls.Protocol, ls.Certificates, ls.SSLPolicy}, []any{ProtoTLS, tt.want, tt.policy})
		})
	}
}

// GatewayCertificateHosts are the hostnames of the NLB TLS ports that
// discover (a route, no configured certificate), nothing for passthrough
// (TCP) ports, ports without routes or with configured certificates.
func TestGatewayTLSHosts(t *testing.T) {
	configured := &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{
		{ProtocolPort: "TLS:8443", DefaultCertificate: ptr.To("arn:conf")}}}
	passthrough := tlsPort("pass.example.com")
	passthrough.Port, passthrough.Protocols, passthrough.TLSTerminate = 9443, []string{ProtoTCP}, false
	noRoute := tlsPort("idle.example.com")
	noRoute.Port, noRoute.Route = 7443, nil
	withCert := tlsPort("conf.example.com")
	withCert.Port = 8443
	for _, tt := range []struct {
		name      string
		gw        Gateway
		hosts     []string
		discovers bool
	}{
		{"discovering port", gw(nil, tlsPort("b.example.com", "a.example.com"), tlsPort("a.example.com")), []string{"a.example.com", "b.example.com"}, true},
		{"configured, passthrough and idle ports", gw(configured, withCert, passthrough, noRoute), nil, false},
		{"TCP only", gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil))), nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hosts, discovers := GatewayCertificateHosts(tt.gw)
			eq(t, "hosts", []any{hosts, discovers}, []any{tt.hosts, tt.discovers})
		})
	}
}
