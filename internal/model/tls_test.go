package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
)

const (
	certA = "arn:aws:acm:us-west-2:123456789012:certificate/a"
	certB = "arn:aws:acm:us-west-2:123456789012:certificate/b"
)

// tlsService is an ip-mode Service with ports https (443/TCP), http
// (80/TCP) and dns (53/UDP).
func tlsService(ann map[string]string) *corev1.Service {
	svc := svcTLS(ann)
	svc.Spec.Ports = []corev1.ServicePort{
		{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8443)},
		{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)},
		{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(5353)},
	}
	return svc
}

// listenerLine renders a listener and its target group's protocol.
func listenerLine(st Stack, l Listener) string {
	tg := ""
	for _, g := range st.TargetGroups {
		if g.ResourceID == l.TargetGroup {
			tg = g.Protocol
		}
	}
	s := fmt.Sprintf("%d %s→%s", l.Port, l.Protocol, tg)
	if len(l.Certificates) > 0 {
		s += " certs=" + strings.Join(l.Certificates, ",")
	}
	if l.SSLPolicy != "" {
		s += " policy=" + l.SSLPolicy
	}
	if l.ALPNPolicy != "" {
		s += " alpn=" + l.ALPNPolicy
	}
	return s
}

func TestTLSListenersAreBuiltForTheSSLPortsAsLBCDoes(t *testing.T) {
	const def = "policy=ELBSecurityPolicy-2016-08"
	for _, tt := range []struct {
		name string
		ann  map[string]string
		d    func(*Defaults)
		want []string // by port: 53, 80, 443
	}{
		{name: "no certificate: every port as it is",
			ann:  map[string]string{annotations.SvcSSLPorts: "443"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TCP→TCP"}},
		{name: "certificates without ssl-ports: every TCP port is TLS, UDP stays",
			ann:  map[string]string{annotations.SvcSSLCert: certA + ", " + certB},
			want: []string{"53 UDP→UDP", "80 TLS→TCP certs=" + certA + "," + certB + " " + def, "443 TLS→TCP certs=" + certA + "," + certB + " " + def}},
		{name: "ssl-ports by number",
			ann:  map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "443"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TCP certs=" + certA + " " + def}},
		{name: "ssl-ports by name",
			ann:  map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "https"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TCP certs=" + certA + " " + def}},
		{name: "a UDP port listed stays UDP",
			ann:  map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "dns,443"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TCP certs=" + certA + " " + def}},
		{name: "backend-protocol ssl makes the TLS listeners' target groups TLS",
			ann:  map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "443", annotations.SvcBackendProtocol: "ssl"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TLS certs=" + certA + " " + def}},
		{name: "another backend-protocol value is ignored",
			ann:  map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "443", annotations.SvcBackendProtocol: "tcp"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TCP certs=" + certA + " " + def}},
		{name: "the negotiation policy and ALPN policy go on TLS listeners only",
			ann: map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "443",
				annotations.SvcSSLNegotiationPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", annotations.SvcALPNPolicy: "HTTP2Preferred"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TCP certs=" + certA + " policy=ELBSecurityPolicy-TLS13-1-2-2021-06 alpn=HTTP2Preferred"}},
		{name: "--default-ssl-policy without the annotation",
			ann:  map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "443"},
			d:    func(d *Defaults) { d.DefaultSSLPolicy = "ELBSecurityPolicy-FS-1-2-2019-08" },
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TLS→TCP certs=" + certA + " policy=ELBSecurityPolicy-FS-1-2-2019-08"}},
		{name: "a bad ALPN policy without TLS listeners is not looked at (LBC)",
			ann:  map[string]string{annotations.SvcALPNPolicy: "HTTP3"},
			want: []string{"53 UDP→UDP", "80 TCP→TCP", "443 TCP→TCP"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := defaults()
			if tt.d != nil {
				tt.d(&d)
			}
			st, _, err := Build(tlsService(tt.ann), facts(), d)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range st.Listeners {
				got = append(got, listenerLine(st, l))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("listeners:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
			}
		})
	}
}

func TestTLSListenersOnTCPUDPPortsStayTCPUDP(t *testing.T) {
	svc := tlsService(map[string]string{annotations.SvcSSLCert: certA, annotations.SvcEnableTCPUDPListener: "true"})
	svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: "https-udp", Port: 443, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(8443)})
	st, _, err := Build(svc, facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range st.Listeners {
		if l.Port == 443 && (l.Protocol != ProtoTCPUDP || len(l.Certificates) != 0) {
			t.Errorf("443 with TCP and UDP: %s, want TCP_UDP without certificates", listenerLine(st, l))
		}
	}
}

func TestBadTLSAnnotationsFailNamingTheAnnotation(t *testing.T) {
	for _, tt := range []struct {
		name string
		ann  map[string]string
		key  string
		text string // LBC's text
	}{
		{"a port that is no Service port", map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "443,8443"},
			annotations.SvcSSLPorts, "Unused port in ssl-ports annotation [8443]"},
		{"* is no port (LBC matches it against none)", map[string]string{annotations.SvcSSLCert: certA, annotations.SvcSSLPorts: "*"},
			annotations.SvcSSLPorts, "Unused port in ssl-ports annotation [*]"},
		{"an unused port fails even without certificates", map[string]string{annotations.SvcSSLPorts: "web"},
			annotations.SvcSSLPorts, "Unused port in ssl-ports annotation [web]"},
		{"an unknown ALPN policy on a TLS listener", map[string]string{annotations.SvcSSLCert: certA, annotations.SvcALPNPolicy: "HTTP3"},
			annotations.SvcALPNPolicy, "invalid ALPN policy HTTP3, policy must be one of [None, HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Build(tlsService(tt.ann), facts(), defaults())
			var ae *annotations.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Build: %v, want an annotation error", err)
			}
			if ae.Annotation != tt.key || ae.LBCMessage() != tt.text || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("error %q (annotation %s, LBC text %q), want %s: %q", err, ae.Annotation, ae.LBCMessage(), tt.key, tt.text)
			}
		})
	}
}
