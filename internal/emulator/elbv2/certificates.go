package elbv2

import (
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Listener certificates beyond the default one, and SSL policies.

// sslPolicyTypes are the load balancer types every known SSL policy
// supports (gateway load balancers have no TLS listeners).
var sslPolicyTypes = []string{"application", "network"}

func (b *Backend) describeListenerCertificates(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	pg, err := core.ELBv2Page(p, len(l.Certificates))
	if err != nil {
		return nil, err
	}
	res := &certificatesResult{Certificates: []xCertificate{}, NextMarker: pg.Next}
	for _, c := range l.Certificates[pg.Start:pg.End] {
		d := c.IsDefault
		res.Certificates = append(res.Certificates, xCertificate{CertificateArn: c.ARN, IsDefault: &d})
	}
	return res, nil
}

func (b *Backend) certificateArgs(p query.Params, l *listener) ([]string, error) {
	members := p.Members("Certificates")
	if len(members) == 0 {
		return nil, query.MissingParameter("Certificates")
	}
	if !secure(l.Protocol) {
		return nil, invalidConfig("Certificates can only be added to HTTPS and TLS listeners")
	}
	if err := noIsDefault(members); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range members {
		c := m.Get("CertificateArn")
		if err := b.checkCert(c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return dedupe(out), nil
}

// noIsDefault refuses Certificate.IsDefault in a request: AWS documents it
// as output only (the default certificate is the one CreateListener and
// ModifyListener name).
func noIsDefault(certs []query.Params) error {
	for _, c := range certs {
		if _, ok := c.Lookup("IsDefault"); ok {
			return query.ValidationError("IsDefault cannot be specified for a certificate in a request")
		}
	}
	return nil
}

func (b *Backend) addListenerCertificates(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	certs, err := b.certificateArgs(p, l)
	if err != nil {
		return nil, err
	}
	// The list is apart from the default certificate: adding the default
	// one lists it twice (IsDefault true, then false), as on AWS.
	next := append([]certificate{}, l.Certificates...)
	listed := 0
	for _, c := range certs {
		found := false
		for _, have := range next {
			if have.ARN == c && !have.IsDefault {
				found = true
			}
		}
		if !found {
			next = append(next, certificate{ARN: c})
		}
	}
	for _, c := range next {
		if !c.IsDefault {
			listed++
		}
	}
	if listed > b.Quotas.CertificatesPerALB {
		return nil, errf("TooManyCertificates", "You've reached the limit on the number of certificates per load balancer (%d)", b.Quotas.CertificatesPerALB)
	}
	l.Certificates = next
	res := &certificatesResult{}
	for _, c := range certs {
		f := false
		res.Certificates = append(res.Certificates, xCertificate{CertificateArn: c, IsDefault: &f})
	}
	return res, nil
}

func (b *Backend) removeListenerCertificates(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	certs, err := b.certificateArgs(p, l)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		listed := false
		for _, have := range l.Certificates {
			listed = listed || (have.ARN == c && !have.IsDefault)
		}
		if c == defaultCert(l) && !listed {
			return nil, errf("OperationNotPermitted", "The default certificate '%s' cannot be removed; use ModifyListener to replace it", c)
		}
	}
	var kept []certificate
	for _, c := range l.Certificates {
		if c.IsDefault || !contains(certs, c.ARN) {
			kept = append(kept, c)
		}
	}
	l.Certificates = kept
	return nil, nil
}

func (b *Backend) describeSSLPolicies(p query.Params) (any, error) {
	names := p.MemberStrings("Names")
	for _, n := range names {
		if !contains(sslPolicies, n) {
			return nil, errf("SSLPolicyNotFound", "SSL policy '%s' not found", n)
		}
	}
	lbType, err := enumParam(p, "LoadBalancerType", "loadBalancerType", "application", "network", "gateway")
	if err != nil {
		return nil, err
	}
	var list []string
	for _, n := range sslPolicies {
		if (len(names) == 0 || contains(names, n)) && (lbType == "" || contains(sslPolicyTypes, lbType)) {
			list = append(list, n)
		}
	}
	pg, err := core.ELBv2Page(p, len(list))
	if err != nil {
		return nil, err
	}
	res := &sslPoliciesResult{SslPolicies: []xSSLPolicy{}, NextMarker: pg.Next}
	for _, n := range list[pg.Start:pg.End] {
		protos := []string{"TLSv1.2"}
		if strings.Contains(n, "TLS13") {
			protos = append(protos, "TLSv1.3")
		}
		res.SslPolicies = append(res.SslPolicies, xSSLPolicy{Name: n, SslProtocols: protos, SupportedLoadBalancerTypes: sslPolicyTypes})
	}
	return res, nil
}
