package model

import (
	"fmt"
	"slices"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// explicitCertificates are the certificates a listener configuration names:
// defaultCertificate first, then certificates, each once (none: lc is nil
// or names none).
func explicitCertificates(lc *gwconfig.ListenerConfiguration) []string {
	if lc == nil {
		return nil
	}
	var out []string
	if lc.DefaultCertificate != nil {
		out = append(out, *lc.DefaultCertificate)
	}
	for _, c := range lc.Certificates {
		if c != nil && !slices.Contains(out, *c) {
			out = append(out, *c)
		}
	}
	return out
}

// listenerCertificates are the certificates of an NLB TLS or ALB HTTPS
// listener (proto), as LBC's listener builders pick them: those its
// listener configuration (PROTO:port) names, else the ACM certificates
// discovery finds for the port's hostnames (its listeners' and attached
// routes'); the first is the listener's default, the others its SNI
// certificates. With nothing to discover by, or a hostname without a
// certificate, it is LBC's error.
func (b *gwBuilder) listenerCertificates(proto string, p GatewayPort, lc *gwconfig.ListenerConfiguration) ([]string, error) {
	if certs := explicitCertificates(lc); len(certs) > 0 {
		return certs, nil
	}
	if len(p.Hostnames) == 0 {
		return nil, fmt.Errorf("No hostnames found for TLS cert discovery for listener on gateway %s/%s with protocol:port %s:%d", b.gw.Namespace, b.gw.Name, proto, p.Port)
	}
	return DiscoverCertificates(p.Hostnames, b.f.Certificates, b.d.AllowedCAs)
}

// GatewayCertificateHosts are the hostnames a Gateway's certificate
// discovery looks for (sorted, de-duplicated), and whether any listener
// discovers: an ALB Gateway's HTTPS ports with routes, an NLB Gateway's
// terminating TLS ports with a route, when their listener configuration
// names no certificate.
func GatewayCertificateHosts(gw Gateway) ([]string, bool) {
	b := &gwBuilder{gw: gw}
	if b.gw.Config == nil {
		b.gw.Config = &gwconfig.LoadBalancerConfigurationSpec{}
	}
	proto := ProtoTLS
	if gw.ALB {
		proto = ProtoHTTPS
	}
	var hosts []string
	discovers := false
	for _, p := range gw.Ports {
		served := p.Route != nil && p.listenerProtocol() == ProtoTLS
		if gw.ALB {
			served = len(p.HTTPRoutes) > 0 && slices.Contains(p.Protocols, ProtoHTTPS)
		}
		if !served || len(explicitCertificates(b.listenerConfig(proto, p.Port))) > 0 {
			continue
		}
		discovers = true
		hosts = append(hosts, p.Hostnames...)
	}
	slices.Sort(hosts)
	return slices.Compact(hosts), discovers
}
