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

// tlsCertificates are the certificates of an NLB TLS listener (LBC's L4
// listener builder): those its listener configuration (TLS:port) names,
// else the ACM certificates discovery finds for the port's hostnames (the
// listeners' and the attached TLSRoutes'); the first is the listener's
// default, the others its SNI certificates. With nothing to discover by,
// or a hostname without a certificate, it is LBC's error.
func (b *gwBuilder) tlsCertificates(p GatewayPort, lc *gwconfig.ListenerConfiguration) ([]string, error) {
	if certs := explicitCertificates(lc); len(certs) > 0 {
		return certs, nil
	}
	if len(p.Hostnames) == 0 {
		return nil, fmt.Errorf("No hostnames found for TLS cert discovery for listener on gateway %s/%s with protocol:port TLS:%d", b.gw.Namespace, b.gw.Name, p.Port)
	}
	return DiscoverCertificates(p.Hostnames, b.f.Certificates, b.d.AllowedCAs)
}

// GatewayTLSHosts are the hostnames an NLB Gateway's certificate discovery
// looks for (sorted, de-duplicated), and whether any TLS listener
// discovers (it terminates TLS, has a route and its listener configuration
// names no certificate).
func GatewayTLSHosts(gw Gateway) ([]string, bool) {
	b := &gwBuilder{gw: gw}
	if b.gw.Config == nil {
		b.gw.Config = &gwconfig.LoadBalancerConfigurationSpec{}
	}
	var hosts []string
	discovers := false
	for _, p := range gw.Ports {
		if p.Route == nil || p.listenerProtocol() != ProtoTLS {
			continue
		}
		if len(explicitCertificates(b.listenerConfig(ProtoTLS, p.Port))) > 0 {
			continue
		}
		discovers = true
		hosts = append(hosts, p.Hostnames...)
	}
	slices.Sort(hosts)
	return slices.Compact(hosts), discovers
}

// GatewayCertificateHosts are the hostnames a Gateway's certificate
// discovery looks for and whether it discovers at all: the HTTPS
// listeners' of an ALB Gateway, the TLS listeners' of an NLB Gateway.
func GatewayCertificateHosts(gw Gateway) ([]string, bool) {
	if gw.ALB {
		return GatewayHTTPSHosts(gw)
	}
	return GatewayTLSHosts(gw)
}
