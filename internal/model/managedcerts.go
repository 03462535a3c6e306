package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// Certificate types of certificates lbsg requests (ACM's names).
const (
	CertificateAmazonIssued = "AMAZON_ISSUED"
	CertificatePrivate      = "PRIVATE"
)

// ManagedCertificate is a certificate lbsg requests from ACM and owns
// (create-acm-cert, gate EnableCertificateManagement), one per Ingress
// (LBC v3.6.2 pkg/ingress/model_build_certificates.go).
type ManagedCertificate struct {
	// ResourceID is LBC's: "<type, lower case>/<domain>-<8 hex digits of
	// sha256(namespace/name)>", a "*" in the domain spelt "wildcard". It is
	// the certificate's resource tag, by which it is found again.
	ResourceID string
	// Ingress is the namespace/name of the Ingress it serves.
	Ingress string
	// Type is CertificateAmazonIssued (DNS validated in Route 53) or
	// CertificatePrivate (issued by CertificateAuthorityARN).
	Type                    string
	CertificateAuthorityARN string
	// DomainName is the first of SANs, which are the Ingress's hosts
	// (rules and spec.tls), sorted and de-duplicated.
	DomainName string
	SANs       []string
	// Tags are the certificate's tags: the stack's tracking tags with the
	// resource ID over --default-tags over the IngressClassParams tags
	// over the Ingress's tags annotation.
	Tags map[string]string
}

// NoCertificateHostsError is create-acm-cert on an Ingress without a host:
// no certificate can be requested (LBC fails the group's build).
type NoCertificateHostsError struct{ Ingress string }

func (e *NoCertificateHostsError) Error() string {
	return "ingress " + e.Ingress + " has create-acm-cert enabled but no hostnames defined in spec.rules[].host or spec.tls[].hosts — cannot create a certificate without at least one hostname"
}

// createsCertificate reports whether a member's HTTPS listeners use a
// certificate lbsg requests: create-acm-cert is true and neither its
// certificate-arn annotation nor its IngressClassParams certificateArn
// names one (those win, and then no certificate is requested).
func createsCertificate(cfg annotations.Ingress, im IngressMember) bool {
	return cfg.CreateACMCert && len(cfg.CertificateARNs) == 0 && (im.Params == nil || len(im.Params.CertificateArn) == 0)
}

// certificateResourceID is LBC's resource ID of an Ingress's certificate.
func certificateResourceID(typ, domain, ingress string) string {
	sum := sha256.Sum256([]byte(ingress))
	return strings.ToLower(typ) + "/" + strings.ReplaceAll(domain, "*", "wildcard") + "-" + hex.EncodeToString(sum[:])[:8]
}

// IngressManagedCertificates are the certificates the members ask lbsg to
// request (create-acm-cert), by Ingress order, when certificate management
// is on (nil when it is off: the group is then refused, see
// BuildIngressGroup). An Ingress without a host fails the group
// (*NoCertificateHostsError), as in LBC; so does an annotation that does
// not parse.
func IngressManagedCertificates(stack naming.Stack, members []IngressMember, d Defaults) ([]ManagedCertificate, error) {
	if !d.CertificateManagement {
		return nil, nil
	}
	var out []ManagedCertificate
	for _, im := range members {
		cfg, err := annotations.ParseIngress(im.Ingress)
		if err != nil {
			return nil, err
		}
		if !createsCertificate(cfg, im) {
			continue
		}
		hosts := ingressHosts(im)
		if len(hosts) == 0 {
			return nil, &NoCertificateHostsError{Ingress: im.Key()}
		}
		mc := ManagedCertificate{Ingress: im.Key(), Type: CertificateAmazonIssued, DomainName: hosts[0], SANs: hosts}
		if ca := cmpOr(cfg.ACMPCAARN, d.DefaultPCAARN); ca != "" {
			mc.Type, mc.CertificateAuthorityARN = CertificatePrivate, ca
		}
		mc.ResourceID = certificateResourceID(mc.Type, mc.DomainName, im.Key())
		user := maps.Clone(cfg.Tags)
		if user == nil {
			user = map[string]string{}
		}
		if im.Params != nil {
			for _, t := range im.Params.Tags {
				user[t.Key] = t.Value
			}
		}
		mc.Tags = naming.WithTracking(naming.TrackingTags(d.ClusterName, stack, mc.ResourceID), naming.MergeUserTags(d.DefaultTags, user, false))
		out = append(out, mc)
	}
	slices.SortStableFunc(out, func(a, b ManagedCertificate) int { return strings.Compare(a.ResourceID, b.ResourceID) })
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// managedCertificate gives a member that creates its certificate the
// issued one of Facts.ManagedCertificates.
func (m *member) managedCertificate(f Facts, d Defaults) error {
	if !d.CertificateManagement || !createsCertificate(m.cfg, m.IngressMember) {
		return nil
	}
	typ := CertificateAmazonIssued
	if cmpOr(m.cfg.ACMPCAARN, d.DefaultPCAARN) != "" {
		typ = CertificatePrivate
	}
	hosts := ingressHosts(m.IngressMember)
	if len(hosts) == 0 {
		return &NoCertificateHostsError{Ingress: m.key}
	}
	arn, ok := f.ManagedCertificates[certificateResourceID(typ, hosts[0], m.key)]
	if !ok {
		return fmt.Errorf("the certificate lbsg requests for Ingress %s (create-acm-cert) is not issued yet", m.key)
	}
	m.certs = []string{arn}
	return nil
}

// unsupportedCertificateManagement refuses create-acm-cert when the
// EnableCertificateManagement gate is off: LBC would then serve the
// Ingress without the certificate it asks for.
func unsupportedCertificateManagement(members []IngressMember, d Defaults) error {
	if d.CertificateManagement {
		return nil
	}
	found := map[string][]string{}
	for _, m := range members {
		v, ok := m.Ingress.Annotations[annotations.IngCreateACMCert]
		if b, err := strconv.ParseBool(v); ok && (err != nil || b) {
			found["Ingress "+m.Key()] = []string{annotations.IngCreateACMCert +
				" (ACM certificate management: requesting certificates and validating them in Route 53; the EnableCertificateManagement feature gate is off)"}
		}
	}
	if len(found) == 0 {
		return nil
	}
	return &UnsupportedError{Keys: found}
}
