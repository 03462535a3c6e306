package model

import (
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Certificate is an ISSUED ACM certificate certificate discovery may pick.
type Certificate struct {
	ARN string
	// CertificateAuthorityARN is the private CA that issued it ("" when
	// none did).
	CertificateAuthorityARN string
	// Domains are its subject alternative names (its domain name among
	// them).
	Domains []string
}

// NoCertificateError is certificate discovery finding no certificate for a
// host: the member cannot be served over HTTPS until one is issued.
type NoCertificateError struct{ Host string }

func (e *NoCertificateError) Error() string { return "no certificate found for host: " + e.Host }

// DomainMatchesHost is LBC's match of a certificate name to a host: a
// wildcard name (*.example.com) matches a host of as many labels whose
// labels after the first are the same; any other name matches itself
// only. Case matters, as in LBC.
func DomainMatchesHost(domain, host string) bool {
	if strings.HasPrefix(domain, "*.") {
		ds, hs := strings.Split(domain, "."), strings.Split(host, ".")
		return len(ds) == len(hs) && slices.Equal(ds[1:], hs[1:])
	}
	return domain == host
}

// DiscoverCertificates is LBC's certificate discovery for one Ingress:
// every certificate with a name matching a host, from a CA in allowedCAs
// when that is not empty, sorted by ARN; the first host (in order) without
// one is a *NoCertificateError.
func DiscoverCertificates(hosts []string, certs []Certificate, allowedCAs []string) ([]string, error) {
	found := map[string]bool{}
	for _, h := range hosts {
		matched := false
		for _, c := range certs {
			if len(allowedCAs) > 0 && !slices.Contains(allowedCAs, c.CertificateAuthorityARN) {
				continue
			}
			if slices.ContainsFunc(c.Domains, func(d string) bool { return DomainMatchesHost(d, h) }) {
				found[c.ARN], matched = true, true
			}
		}
		if !matched {
			return nil, &NoCertificateError{Host: h}
		}
	}
	return slices.Sorted(maps.Keys(found)), nil
}

// ingressHosts are the hosts certificate discovery looks for: the rules'
// hosts and spec.tls hosts, sorted and de-duplicated (LBC's set).
func ingressHosts(im IngressMember) []string {
	var out []string
	for _, r := range im.Ingress.Spec.Rules {
		if r.Host != "" {
			out = append(out, r.Host)
		}
	}
	for _, t := range im.Ingress.Spec.TLS {
		out = append(out, t.Hosts...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// discovers reports whether a member's HTTPS listeners discover their
// certificates: it listens on HTTPS, neither its IngressClassParams
// certificateArn nor its certificate-arn annotation names one, and it does
// not ask lbsg to request one (create-acm-cert).
func discovers(cfg annotations.Ingress, im IngressMember) bool {
	if len(cfg.CertificateARNs) > 0 || (im.Params != nil && len(im.Params.CertificateArn) > 0) || cfg.CreateACMCert {
		return false
	}
	return slices.ContainsFunc(cfg.EffectiveListenPorts(false), func(lp annotations.ListenPort) bool {
		return lp.Protocol == annotations.ProtocolHTTPS
	})
}

// IngressCertificateHosts are the hosts the members' certificate discovery
// looks for, sorted and de-duplicated, and whether any member discovers
// at all (the caller then reads Facts.Certificates). Members whose
// annotations do not parse are skipped (their build fails anyway).
func IngressCertificateHosts(members []IngressMember) (hosts []string, any bool) {
	for _, im := range members {
		cfg, err := annotations.ParseIngress(im.Ingress)
		if err != nil || !discovers(cfg, im) {
			continue
		}
		any = true
		hosts = append(hosts, ingressHosts(im)...)
	}
	slices.Sort(hosts)
	return slices.Compact(hosts), any
}

// discoverCertificates gives a member that discovers its
// certificates those of Facts.Certificates matching its hosts.
func (m *member) discoverCertificates(f Facts, d Defaults) error {
	if !discovers(m.cfg, m.IngressMember) {
		return nil
	}
	certs, err := DiscoverCertificates(ingressHosts(m.IngressMember), f.Certificates, d.AllowedCAs)
	if err != nil {
		return err
	}
	m.certs = certs
	return nil
}
