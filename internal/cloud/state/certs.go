package state

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudacm "github.com/lbsg/lbsg/internal/cloud/acm"
	"github.com/lbsg/lbsg/internal/model"
)

// Certificate discovery's cache durations. The listing is kept until the
// drift check re-lists it, or until a host has no certificate and the
// listing is older than CertificateRelistAfter (LBC keeps its listing a
// minute). A certificate's names are read again at a re-listing when older
// than importedNamesTTL for an imported certificate (re-importing may
// change them) and privateNamesTTL for others (LBC's 5 minutes and 10
// hours).
const (
	CertificateRelistAfter = time.Minute
	importedNamesTTL       = 5 * time.Minute
	issuedNamesTTL         = 10 * time.Hour
)

// certCatalog is the account's ISSUED ACM certificates with their names.
type certCatalog struct {
	loaded   bool
	listedAt time.Time
	arns     []string
	byARN    map[string]certEntry
	// users are the stacks that asked (drift re-enqueues them on change).
	users map[string]bool
}

type certEntry struct {
	cert   model.Certificate
	typ    string
	readAt time.Time
}

// UseACM gives the Provider the ACM client certificate discovery reads
// through (the controller's; plan and audit need none).
func (p *Provider) UseACM(api awsapi.ACMReadAPI) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.acm = cloudacm.New(api)
}

// Certificates returns the account's ISSUED certificates with their names
// for stack's certificate discovery of hosts: from the cache when it has
// a certificate for every host (then no AWS call), else listed again if
// the listing is older than CertificateRelistAfter (a certificate issued
// since).
func (p *Provider) Certificates(ctx context.Context, stackKey string, hosts []string) ([]model.Certificate, error) {
	p.fillCerts.Lock()
	defer p.fillCerts.Unlock()
	p.mu.Lock()
	if p.certs.users == nil {
		p.certs.users = map[string]bool{}
	}
	p.certs.users[stackKey] = true
	loaded, listedAt := p.certs.loaded, p.certs.listedAt
	certs := p.certList()
	p.mu.Unlock()
	if loaded && (covered(hosts, certs) || time.Since(listedAt) < CertificateRelistAfter) {
		return certs, nil
	}
	if _, err := p.relistCertificates(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.certList(), nil
}

// covered reports whether every host has a certificate (any CA).
func covered(hosts []string, certs []model.Certificate) bool {
	_, err := model.DiscoverCertificates(hosts, certs, nil)
	return err == nil
}

// RefreshCertificates is the drift check's: it lists the certificates
// again when discovery has used them, and returns the stacks that used
// them when anything changed (nil when nothing did).
func (p *Provider) RefreshCertificates(ctx context.Context) ([]string, error) {
	p.fillCerts.Lock()
	defer p.fillCerts.Unlock()
	p.mu.Lock()
	loaded := p.certs.loaded
	p.mu.Unlock()
	if !loaded {
		return nil, nil
	}
	changed, err := p.relistCertificates(ctx)
	if err != nil || !changed {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.certs.users))
	for k := range p.certs.users {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// relistCertificates lists the ISSUED certificates and describes those not
// known or known for longer than their names' TTL; it reports whether the
// catalog changed. Callers hold fillCerts.
func (p *Provider) relistCertificates(ctx context.Context) (bool, error) {
	p.mu.Lock()
	api := p.acm
	old := p.certs.byARN
	p.mu.Unlock()
	if api == nil {
		return false, errors.New("certificate discovery needs an ACM client")
	}
	now := time.Now()
	arns, err := api.IssuedCertificateARNs(ctx)
	if err != nil {
		return false, err
	}
	byARN := make(map[string]certEntry, len(arns))
	var kept []string
	changed := len(arns) != len(old)
	for _, arn := range arns {
		e, ok := old[arn]
		ttl := issuedNamesTTL
		if e.typ == cloudacm.TypeImported {
			ttl = importedNamesTTL
		}
		if !ok || e.typ == "" || now.Sub(e.readAt) >= ttl {
			c, err := api.Certificate(ctx, arn)
			if err != nil {
				return false, err
			}
			if c == nil { // deleted since the listing
				changed = true
				continue
			}
			n := certEntry{cert: model.Certificate{ARN: arn, CertificateAuthorityARN: c.CertificateAuthorityARN, Domains: c.Domains},
				typ: c.Type, readAt: now}
			if !ok || !slices.Equal(e.cert.Domains, n.cert.Domains) || e.cert.CertificateAuthorityARN != n.cert.CertificateAuthorityARN {
				changed = true
			}
			e = n
		}
		byARN[arn] = e
		kept = append(kept, arn)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.certs.loaded, p.certs.listedAt, p.certs.arns, p.certs.byARN = true, now, kept, byARN
	return changed, nil
}

// certList is the catalog in listing order. Callers hold mu.
func (p *Provider) certList() []model.Certificate {
	out := make([]model.Certificate, 0, len(p.certs.arns))
	for _, arn := range p.certs.arns {
		out = append(out, p.certs.byARN[arn].cert)
	}
	return out
}
