package acm

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

type requestInput struct {
	DomainName              string   `json:"DomainName"`
	SubjectAlternativeNames []string `json:"SubjectAlternativeNames"`
	ValidationMethod        string   `json:"ValidationMethod"`
	IdempotencyToken        string   `json:"IdempotencyToken"`
	CertificateAuthorityArn string   `json:"CertificateAuthorityArn"`
	KeyAlgorithm            string   `json:"KeyAlgorithm"`
	Tags                    []tag    `json:"Tags"`
}

// domainRe is ACM's DomainNameString pattern (an optional leading "*.").
var domainRe = regexp.MustCompile(`^(\*\.)?(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

var pcaARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority/[0-9a-zA-Z-]+$`)

// requestKeyAlgorithms are the key algorithms RequestCertificate accepts.
var requestKeyAlgorithms = []string{"RSA_2048", "EC_prime256v1", "EC_secp384r1"}

// idempotencyWindow: a repeated IdempotencyToken within it returns the
// first request's certificate.
const idempotencyWindow = time.Hour

// requestCertificate is RequestCertificate: an AMAZON_ISSUED certificate
// waits in PENDING_VALIDATION until its DNS validation records resolve in
// a public hosted zone (Validate) or IssueCertificate (the control API's
// stand-in for email validation); one from a private CA
// (CertificateAuthorityArn) is PRIVATE and ISSUED at once.
func (b *Backend) requestCertificate(in requestInput) (any, *Error) {
	switch {
	case in.DomainName == "":
		return nil, validation("1 validation error detected: Value null at 'domainName' failed to satisfy constraint: Member must not be null")
	case len(in.DomainName) > 253 || !domainRe.MatchString(in.DomainName):
		return nil, validation("1 validation error detected: Value '%s' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(\\*\\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$", in.DomainName)
	case len(in.SubjectAlternativeNames) > 100:
		return nil, validation("1 validation error detected: Value at 'subjectAlternativeNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	case in.ValidationMethod != "" && in.ValidationMethod != "DNS" && in.ValidationMethod != "EMAIL":
		return nil, validation("1 validation error detected: Value '%s' at 'validationMethod' failed to satisfy constraint: Member must satisfy enum value set: [EMAIL, DNS]", in.ValidationMethod)
	case in.KeyAlgorithm != "" && !slices.Contains(requestKeyAlgorithms, in.KeyAlgorithm):
		return nil, validation("The key algorithm %s is not supported for requested certificates", in.KeyAlgorithm)
	case in.CertificateAuthorityArn != "" && !pcaARNRe.MatchString(in.CertificateAuthorityArn):
		return nil, badRequest("InvalidArnException", "String '%s' is not a valid ARN", in.CertificateAuthorityArn)
	}
	for _, d := range in.SubjectAlternativeNames {
		if len(d) > 253 || !domainRe.MatchString(d) {
			return nil, validation("1 validation error detected: Value '[%s]' at 'subjectAlternativeNames' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern]", d)
		}
	}
	now := b.env.Now().UTC()
	if in.IdempotencyToken != "" {
		for _, c := range b.certs {
			if c.IdempotencyToken == in.IdempotencyToken && now.Sub(c.CreatedAt) < idempotencyWindow {
				return map[string]string{"CertificateArn": c.ARN}, nil
			}
		}
	}
	c := &Certificate{DomainName: in.DomainName, SANs: []string{in.DomainName},
		KeyAlgorithm: cmp.Or(in.KeyAlgorithm, "RSA_2048"), CreatedAt: now, IdempotencyToken: in.IdempotencyToken,
		KeyUsages: issuedKeyUsages, ExtendedKeyUsages: issuedExtendedKeyUsages}
	for _, d := range in.SubjectAlternativeNames {
		if !slices.Contains(c.SANs, d) {
			c.SANs = append(c.SANs, d)
		}
	}
	if err := addTags(c, in.Tags); err != nil {
		return nil, err
	}
	if in.CertificateAuthorityArn != "" {
		c.Type, c.CertificateAuthorityArn = TypePrivate, in.CertificateAuthorityArn
		b.issue(c, now, "CN="+in.CertificateAuthorityArn[strings.LastIndex(in.CertificateAuthorityArn, "/")+1:])
	} else {
		c.Type, c.Pending, c.ValidationMethod = TypeAmazonIssued, true, cmp.Or(in.ValidationMethod, "EMAIL")
	}
	b.store(c)
	b.validate(c)
	return map[string]string{"CertificateArn": c.ARN}, nil
}

// Validate issues every pending DNS-validated certificate whose validation
// records resolve (Route 53 calls it after a change).
func (b *Backend) Validate() {
	for _, c := range b.certs {
		b.validate(c)
	}
}

// validate issues c when it waits for DNS validation and every name's
// validation CNAME resolves.
func (b *Backend) validate(c *Certificate) {
	if !c.Pending || c.ValidationMethod != "DNS" || b.ResolvesRecord == nil {
		return
	}
	for _, d := range c.SANs {
		name, value := b.validationRecord(d)
		if !b.ResolvesRecord(name, "CNAME", value) {
			return
		}
	}
	b.issue(c, b.env.Now().UTC(), "CN=Amazon RSA 2048 M03, O=Amazon, C=US")
}

// validationRecord is the CNAME DNS validation asks for a name: the same
// for every certificate of the account naming that domain (a wildcard
// shares its base domain's), as ACM's.
func (b *Backend) validationRecord(domain string) (name, value string) {
	base := strings.TrimPrefix(domain, "*.")
	sum := sha256.Sum256([]byte(b.env.Account + "/" + strings.ToLower(base)))
	h := hex.EncodeToString(sum[:])
	return "_" + h[:32] + "." + base + ".", "_" + h[32:] + ".acm-validations.aws."
}

// issue fills what an issued certificate has.
func (b *Backend) issue(c *Certificate, now time.Time, issuer string) {
	c.Pending, c.IssuedAt = false, now
	c.NotBefore, c.NotAfter = now, now.AddDate(0, 13, 0)
	c.Subject, c.Issuer, c.SignatureAlgorithm = "CN="+c.DomainName, issuer, "SHA256WITHRSA"
	sum := sha256.Sum256([]byte(c.ARN))
	c.Serial = strings.TrimSuffix(strings.Join(splitPairs(hex.EncodeToString(sum[:16])), ":"), ":")
}

func splitPairs(h string) []string {
	var out []string
	for i := 0; i+2 <= len(h); i += 2 {
		out = append(out, h[i:i+2])
	}
	return out
}

// store gives c a new ARN and keeps it.
func (b *Backend) store(c *Certificate) {
	h := b.env.IDs.Hex(32)
	c.ARN = fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s-%s-%s-%s-%s", b.env.Region, b.env.Account, h[:8], h[8:12], h[12:16], h[16:20], h[20:])
	b.seq++
	c.Seq = b.seq
	b.certs[c.ARN] = c
}

// IssueCertificate completes the validation of a requested AMAZON_ISSUED
// certificate: it turns ISSUED (the control API's POST /_lbsg/acm/issue).
func (b *Backend) IssueCertificate(arn string) error {
	c, err := b.lookup(arn)
	if err != nil {
		return err
	}
	if !c.Pending {
		return fmt.Errorf("certificate %s is not pending validation", arn)
	}
	b.issue(c, b.env.Now().UTC(), "CN=Amazon RSA 2048 M03, O=Amazon, C=US")
	return nil
}

// validationOptions are an AMAZON_ISSUED certificate's domain validations,
// one per name, with the CNAME record DNS validation asks for.
func (b *Backend) validationOptions(c *Certificate) []map[string]any {
	status := "SUCCESS"
	if c.Pending {
		status = "PENDING_VALIDATION"
	}
	out := []map[string]any{}
	for _, d := range c.SANs {
		o := map[string]any{"DomainName": d, "ValidationDomain": d, "ValidationStatus": status, "ValidationMethod": c.ValidationMethod}
		if c.ValidationMethod == "DNS" {
			name, value := b.validationRecord(d)
			o["ResourceRecord"] = map[string]string{"Name": name, "Type": "CNAME", "Value": value}
		}
		out = append(out, o)
	}
	return out
}
