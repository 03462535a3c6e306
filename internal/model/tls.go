package model

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// ALPN policies of TLS listeners, in the order LBC names them in its error.
var alpnPolicies = []string{"None", "HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred"}

// backendSSL is the backend-protocol value that makes TLS target groups;
// LBC ignores any other value.
const backendSSL = "ssl"

// tlsConfig is what a Service's ssl-* annotations ask of its listeners.
type tlsConfig struct {
	certs []string
	// ports are the ssl-ports items (names or numbers); empty: every port.
	ports     []string
	sslPolicy string
}

// tlsConfig reads the Service's TLS settings; an ssl-ports item that names
// no Service port is LBC's error, even without certificates.
func (b *builder) tlsConfig() (tlsConfig, error) {
	c := tlsConfig{certs: b.cfg.SSLCerts, ports: b.cfg.SSLPorts, sslPolicy: b.cfg.SSLPolicy}
	if c.sslPolicy == "" {
		c.sslPolicy = cmp.Or(b.d.DefaultSSLPolicy, DefaultSSLPolicy)
	}
	var unused []string
	for _, item := range c.ports {
		if !slices.ContainsFunc(b.svc.Spec.Ports, func(p corev1.ServicePort) bool { return matchesPort(item, p) }) {
			unused = append(unused, item)
		}
	}
	if len(unused) > 0 {
		return c, annotations.NewError(annotations.SvcSSLPorts, strings.Join(c.ports, ","),
			"Unused port in ssl-ports annotation [%s]", strings.Join(unused, " "))
	}
	return c, nil
}

func matchesPort(item string, p corev1.ServicePort) bool {
	return item == p.Name || item == strconv.Itoa(int(p.Port))
}

// listener returns the listener of Service port p (listener protocol proto
// before TLS: TCP, UDP or TCP_UDP) without port, target and tags, and its
// target group's protocol. A TCP port becomes TLS when the Service has
// certificates and ssl-ports is absent or lists the port; its target group
// is TLS too with backend-protocol ssl. UDP and TCP_UDP ports never do.
func (c tlsConfig) listener(cfg annotations.Service, p corev1.ServicePort, proto string) (Listener, string, error) {
	l := Listener{Protocol: proto}
	if proto == ProtoUDP || proto == ProtoTCPUDP || len(c.certs) == 0 ||
		(len(c.ports) > 0 && !slices.ContainsFunc(c.ports, func(item string) bool { return matchesPort(item, p) })) {
		return l, proto, nil
	}
	tgProto := proto
	if cfg.BackendProtocol == backendSSL {
		tgProto = ProtoTLS
	}
	l.Protocol, l.Certificates, l.SSLPolicy = ProtoTLS, slices.Clone(c.certs), c.sslPolicy
	if cfg.ALPNPolicy != "" {
		if !slices.Contains(alpnPolicies, cfg.ALPNPolicy) {
			return l, "", annotations.NewError(annotations.SvcALPNPolicy, cfg.ALPNPolicy,
				"invalid ALPN policy %s, policy must be one of [%s]", cfg.ALPNPolicy,
				strings.Join(alpnPolicies, ", "))
		}
		l.ALPNPolicy = cfg.ALPNPolicy
	}
	return l, tgProto, nil
}
