package acm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
)

// TargetPrefix is the X-Amz-Target prefix of ACM's operations.
const TargetPrefix = "CertificateManager."

// Certificate is one certificate of the account.
type Certificate struct {
	ARN                string            `json:"arn"`
	Seq                int64             `json:"seq"`
	DomainName         string            `json:"domainName"`
	SANs               []string          `json:"subjectAlternativeNames,omitempty"`
	Serial             string            `json:"serial,omitempty"`
	Subject            string            `json:"subject,omitempty"`
	Issuer             string            `json:"issuer,omitempty"`
	SignatureAlgorithm string            `json:"signatureAlgorithm,omitempty"`
	KeyAlgorithm       string            `json:"keyAlgorithm"`
	NotBefore          time.Time         `json:"notBefore"`
	NotAfter           time.Time         `json:"notAfter"`
	ImportedAt         time.Time         `json:"importedAt"`
	Tags               map[string]string `json:"tags,omitempty"`
	// Type is IMPORTED (the zero value), AMAZON_ISSUED or PRIVATE.
	Type string `json:"type,omitempty"`
	// Pending: an AMAZON_ISSUED certificate requested and not validated yet
	// (PENDING_VALIDATION until IssueCertificate).
	Pending bool `json:"pending,omitempty"`
	// CertificateAuthorityArn is the private CA of a PRIVATE certificate.
	CertificateAuthorityArn string    `json:"certificateAuthorityArn,omitempty"`
	CreatedAt               time.Time `json:"createdAt,omitzero"`
	IssuedAt                time.Time `json:"issuedAt,omitzero"`
	ValidationMethod        string    `json:"validationMethod,omitempty"`
	// IdempotencyToken of the RequestCertificate that made it, with the
	// time of that request (a repeat within an hour gets the same ARN).
	IdempotencyToken string `json:"idempotencyToken,omitempty"`
	// KeyUsages and ExtendedKeyUsages are ACM's names of the certificate's
	// key usage extensions (DIGITAL_SIGNATURE, TLS_WEB_SERVER_AUTHENTICATION…).
	KeyUsages         []string `json:"keyUsages,omitempty"`
	ExtendedKeyUsages []string `json:"extendedKeyUsages,omitempty"`
}

// issuedKeyUsages and issuedExtendedKeyUsages are what ACM puts on the
// certificates it issues (and the seed on its certificates).
var (
	issuedKeyUsages         = []string{"DIGITAL_SIGNATURE", "KEY_ENCIPHERMENT"}
	issuedExtendedKeyUsages = []string{"TLS_WEB_SERVER_AUTHENTICATION", "TLS_WEB_CLIENT_AUTHENTICATION"}
)

// extendedKeyUsageOIDs are the OIDs DescribeCertificate gives the usages.
var extendedKeyUsageOIDs = map[string]string{
	"TLS_WEB_SERVER_AUTHENTICATION": "1.3.6.1.5.5.7.3.1", "TLS_WEB_CLIENT_AUTHENTICATION": "1.3.6.1.5.5.7.3.2",
	"CODE_SIGNING": "1.3.6.1.5.5.7.3.3", "EMAIL_PROTECTION": "1.3.6.1.5.5.7.3.4", "TIME_STAMPING": "1.3.6.1.5.5.7.3.8",
	"OCSP_SIGNING": "1.3.6.1.5.5.7.3.9", "IPSEC_END_SYSTEM": "1.3.6.1.5.5.7.3.5", "IPSEC_TUNNEL": "1.3.6.1.5.5.7.3.6",
	"IPSEC_USER": "1.3.6.1.5.5.7.3.7", "ANY": "2.5.29.37.0",
}

// usagesFromX509 names an X.509 certificate's key usages as ACM does.
func usagesFromX509(cert *x509.Certificate) (ku, eku []string) {
	for _, b := range []struct {
		bit  x509.KeyUsage
		name string
	}{
		{x509.KeyUsageDigitalSignature, "DIGITAL_SIGNATURE"}, {x509.KeyUsageContentCommitment, "NON_REPUDIATION"},
		{x509.KeyUsageKeyEncipherment, "KEY_ENCIPHERMENT"}, {x509.KeyUsageDataEncipherment, "DATA_ENCIPHERMENT"},
		{x509.KeyUsageKeyAgreement, "KEY_AGREEMENT"}, {x509.KeyUsageCertSign, "CERTIFICATE_SIGNING"},
		{x509.KeyUsageCRLSign, "CRL_SIGNING"}, {x509.KeyUsageEncipherOnly, "ENCIPHER_ONLY"}, {x509.KeyUsageDecipherOnly, "DECIPHER_ONLY"},
	} {
		if cert.KeyUsage&b.bit != 0 {
			ku = append(ku, b.name)
		}
	}
	for _, e := range cert.ExtKeyUsage {
		switch e {
		case x509.ExtKeyUsageServerAuth:
			eku = append(eku, "TLS_WEB_SERVER_AUTHENTICATION")
		case x509.ExtKeyUsageClientAuth:
			eku = append(eku, "TLS_WEB_CLIENT_AUTHENTICATION")
		case x509.ExtKeyUsageCodeSigning:
			eku = append(eku, "CODE_SIGNING")
		case x509.ExtKeyUsageEmailProtection:
			eku = append(eku, "EMAIL_PROTECTION")
		case x509.ExtKeyUsageTimeStamping:
			eku = append(eku, "TIME_STAMPING")
		case x509.ExtKeyUsageOCSPSigning:
			eku = append(eku, "OCSP_SIGNING")
		case x509.ExtKeyUsageAny:
			eku = append(eku, "ANY")
		default:
			eku = append(eku, "CUSTOM")
		}
	}
	return ku, eku
}

// exportOption is ENABLED for certificates that can be exported (private
// ones), DISABLED for the others.
func (c *Certificate) exportOption() string {
	if c.certType() == TypePrivate {
		return "ENABLED"
	}
	return "DISABLED"
}

// matchesIncludes applies ListCertificates' keyUsage, extendedKeyUsage and
// exportOption filters: a certificate with any of the usages asked for
// (ANY: any certificate), exportable as asked.
func (c *Certificate) matchesIncludes(ku, eku []string, export string) bool {
	has := func(want, got []string) bool {
		return len(want) == 0 || slices.Contains(want, "ANY") || slices.ContainsFunc(want, func(w string) bool { return slices.Contains(got, w) })
	}
	return has(ku, c.KeyUsages) && has(eku, c.ExtendedKeyUsages) && (export == "" || export == c.exportOption())
}

// Certificate types.
const (
	TypeImported     = "IMPORTED"
	TypeAmazonIssued = "AMAZON_ISSUED"
	TypePrivate      = "PRIVATE"
)

func (c *Certificate) certType() string {
	if c.Type == "" {
		return TypeImported
	}
	return c.Type
}

// Backend holds the account's certificates.
type Backend struct {
	env   *core.Env
	certs map[string]*Certificate
	seq   int64
	// InUseBy, when set, lists the resources (load balancer ARNs) using a
	// certificate: DescribeCertificate reports them and DeleteCertificate
	// refuses a certificate in use.
	InUseBy func(arn string) []string
	// ResolvesRecord, when set, reports whether public DNS answers name
	// (of type typ) with value: a DNS-validated certificate whose
	// validation records all resolve is issued (Validate).
	ResolvesRecord func(name, typ, value string) bool
}

// New returns an empty backend.
func New(env *core.Env) *Backend { return &Backend{env: env, certs: map[string]*Certificate{}} }

// Error is an awsJson error reply.
type Error struct {
	Status int
	Type   string
	Msg    string
}

func (e *Error) Error() string { return e.Type + ": " + e.Msg }

func badRequest(typ, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Msg: fmt.Sprintf(format, args...)}
}

func validation(format string, args ...any) *Error {
	return badRequest("ValidationException", format, args...)
}

// Mutating reports whether an action changes state.
func Mutating(action string) bool {
	switch action {
	case "ImportCertificate", "RequestCertificate", "DeleteCertificate", "AddTagsToCertificate", "RemoveTagsFromCertificate":
		return true
	}
	return false
}

// Exists reports whether arn names a certificate of the account.
func (b *Backend) Exists(arn string) bool { _, ok := b.certs[arn]; return ok }

// Serve runs one action on its JSON body and returns the reply body.
func (b *Backend) Serve(action string, body []byte) (any, *Error) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	switch action {
	case "ImportCertificate":
		var in importInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return b.importCertificate(in)
	case "RequestCertificate":
		var in requestInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return b.requestCertificate(in)
	case "DescribeCertificate":
		c, err := b.named(body, &arnInput{})
		if err != nil {
			return nil, err
		}
		return map[string]any{"Certificate": b.detail(c)}, nil
	case "ListCertificates":
		var in listInput
		if err := decode(body, &in); err != nil {
			return nil, err
		}
		return b.list(in)
	case "DeleteCertificate":
		c, err := b.named(body, &arnInput{})
		if err != nil {
			return nil, err
		}
		if users := b.inUseBy(c.ARN); len(users) > 0 {
			return nil, badRequest("ResourceInUseException", "Certificate %s in use by %s", c.ARN, strings.Join(users, ", "))
		}
		delete(b.certs, c.ARN)
		return struct{}{}, nil
	case "AddTagsToCertificate", "RemoveTagsFromCertificate":
		var in tagsInput
		c, err := b.named(body, &in)
		if err != nil {
			return nil, err
		}
		if len(in.Tags) == 0 {
			return nil, validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
		}
		if action == "AddTagsToCertificate" {
			return struct{}{}, addTags(c, in.Tags)
		}
		for _, t := range in.Tags {
			if v, ok := c.Tags[t.Key]; ok && (t.Value == nil || *t.Value == v) {
				delete(c.Tags, t.Key)
			}
		}
		return struct{}{}, nil
	case "ListTagsForCertificate":
		c, err := b.named(body, &arnInput{})
		if err != nil {
			return nil, err
		}
		tags := []map[string]string{}
		for _, k := range sortedKeys(c.Tags) {
			tags = append(tags, map[string]string{"Key": k, "Value": c.Tags[k]})
		}
		return map[string]any{"Tags": tags}, nil
	}
	return nil, badRequest("UnknownOperationException", "Operation %s is not emulated", action)
}

func decode(body []byte, v any) *Error {
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("SerializationException", "%v", err)
	}
	return nil
}

type tag struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value"`
}

type importInput struct {
	CertificateArn   string `json:"CertificateArn"`
	Certificate      []byte `json:"Certificate"`
	PrivateKey       []byte `json:"PrivateKey"`
	CertificateChain []byte `json:"CertificateChain"`
	Tags             []tag  `json:"Tags"`
}

type arnInput struct {
	CertificateArn string `json:"CertificateArn"`
}

func (in *arnInput) certificateARN() string { return in.CertificateArn }

type tagsInput struct {
	arnInput
	Tags []tag `json:"Tags"`
}

// named decodes an input that names a certificate and finds it.
func (b *Backend) named(body []byte, in interface{ certificateARN() string }) (*Certificate, *Error) {
	if err := decode(body, in); err != nil {
		return nil, err
	}
	return b.lookup(in.certificateARN())
}

type listInput struct {
	CertificateStatuses []string `json:"CertificateStatuses"`
	Includes            *struct {
		KeyTypes         []string `json:"keyTypes"`
		KeyUsage         []string `json:"keyUsage"`
		ExtendedKeyUsage []string `json:"extendedKeyUsage"`
		ExportOption     string   `json:"exportOption"`
		ManagedBy        string   `json:"managedBy"`
	} `json:"Includes"`
	MaxItems  *int   `json:"MaxItems"`
	NextToken string `json:"NextToken"`
	SortBy    string `json:"SortBy"`
	SortOrder string `json:"SortOrder"`
}

var arnRe = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-zA-Z-]+$`)

// lookup validates an ARN and finds its certificate.
func (b *Backend) lookup(arn string) (*Certificate, *Error) {
	switch {
	case arn == "":
		return nil, validation("1 validation error detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null")
	case !arnRe.MatchString(arn):
		return nil, badRequest("InvalidArnException", "String '%s' is not a valid ARN", arn)
	}
	c, ok := b.certs[arn]
	if !ok {
		return nil, badRequest("ResourceNotFoundException", "Could not find certificate %s.", arn)
	}
	return c, nil
}

func (b *Backend) inUseBy(arn string) []string {
	if b.InUseBy == nil {
		return nil
	}
	return b.InUseBy(arn)
}

// importCertificate parses the PEM certificate and key (which must match),
// and stores the certificate under a new ARN, or under CertificateArn when
// re-importing.
func (b *Backend) importCertificate(in importInput) (any, *Error) {
	switch {
	case len(in.Certificate) == 0:
		return nil, validation("1 validation error detected: Value null at 'certificate' failed to satisfy constraint: Member must not be null")
	case len(in.PrivateKey) == 0:
		return nil, validation("1 validation error detected: Value null at 'privateKey' failed to satisfy constraint: Member must not be null")
	}
	cert, err := parseCertificate(in.Certificate)
	if err != nil {
		return nil, err
	}
	if err := matchKey(cert, in.PrivateKey); err != nil {
		return nil, err
	}
	alg, err := keyAlgorithm(cert)
	if err != nil {
		return nil, err
	}
	c := &Certificate{
		Serial: serial(cert), Subject: cert.Subject.String(), Issuer: cert.Issuer.String(),
		SignatureAlgorithm: signatureAlgorithm(cert.SignatureAlgorithm),
		KeyAlgorithm:       alg, NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(), ImportedAt: b.env.Now().UTC(),
	}
	c.KeyUsages, c.ExtendedKeyUsages = usagesFromX509(cert)
	c.DomainName = cert.Subject.CommonName
	if c.DomainName == "" && len(cert.DNSNames) > 0 {
		c.DomainName = cert.DNSNames[0]
	}
	if c.DomainName == "" {
		return nil, validation("The certificate must have a domain name (a subject common name or a DNS subject alternative name)")
	}
	c.SANs = []string{c.DomainName}
	for _, n := range cert.DNSNames {
		if !slices.Contains(c.SANs, n) {
			c.SANs = append(c.SANs, n)
		}
	}
	if in.CertificateArn != "" {
		old, lerr := b.lookup(in.CertificateArn)
		if lerr != nil {
			return nil, lerr
		}
		if len(in.Tags) > 0 {
			return nil, validation("Tags cannot be specified when re-importing a certificate")
		}
		if old.certType() != TypeImported {
			return nil, validation("Certificate %s is not an imported certificate and cannot be re-imported", old.ARN)
		}
		c.ARN, c.Seq, c.Tags = old.ARN, old.Seq, old.Tags
		b.certs[c.ARN] = c
		return map[string]string{"CertificateArn": c.ARN}, nil
	}
	if err := addTags(c, in.Tags); err != nil {
		return nil, err
	}
	b.store(c)
	return map[string]string{"CertificateArn": c.ARN}, nil
}

func addTags(c *Certificate, tags []tag) *Error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || strings.HasPrefix(t.Key, "aws:") {
			return badRequest("InvalidTagException", "Tag key '%s' is not valid", t.Key)
		}
	}
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	for _, t := range tags {
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		c.Tags[t.Key] = v
	}
	if len(c.Tags) > 50 {
		return badRequest("TooManyTagsException", "A certificate can have at most 50 tags")
	}
	return nil
}

func parseCertificate(body []byte) (*x509.Certificate, *Error) {
	blk, rest := pem.Decode(body)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, validation("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, validation("The certificate field contains more than one certificate. You can specify only one certificate in this field.")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, validation("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	return cert, nil
}

// matchKey checks that the PEM private key is the certificate's.
func matchKey(cert *x509.Certificate, body []byte) *Error {
	blk, _ := pem.Decode(body)
	if blk == nil {
		return validation("Unable to parse key; the key may not be in PEM format.")
	}
	var key any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	}
	if err != nil {
		return validation("Unable to parse key; the key may not be in PEM format.")
	}
	pub, ok := key.(crypto.Signer)
	if !ok {
		return validation("The private key is not supported.")
	}
	eq, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(cert.PublicKey) {
		return validation("The private key does not match the public key in the certificate.")
	}
	return nil
}

func keyAlgorithm(cert *x509.Certificate) (string, *Error) {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits == 1024 || bits == 2048 || bits == 3072 || bits == 4096 {
			return "RSA_" + strconv.Itoa(bits), nil
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "EC_prime256v1", nil
		case elliptic.P384():
			return "EC_secp384r1", nil
		case elliptic.P521():
			return "EC_secp521r1", nil
		}
	}
	return "", validation("The certificate's key algorithm is not supported.")
}

// signatureAlgorithm names a signature algorithm as ACM does
// (SHA256WITHRSA, SHA384WITHECDSA, …).
func signatureAlgorithm(a x509.SignatureAlgorithm) string {
	hash, key, ok := strings.Cut(a.String(), "-")
	if !ok {
		return strings.ToUpper(a.String())
	}
	if hash == "ECDSA" {
		hash, key = key, hash
	}
	return strings.ToUpper(hash + "WITH" + strings.TrimSuffix(key, "PSS"))
}

func serial(cert *x509.Certificate) string {
	b := cert.SerialNumber.Bytes()
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}

func (b *Backend) status(c *Certificate) string {
	if c.Pending {
		return "PENDING_VALIDATION"
	}
	if b.env.Now().After(c.NotAfter) {
		return "EXPIRED"
	}
	return "ISSUED"
}

func epoch(t time.Time) float64 { return float64(t.Unix()) }

func (b *Backend) detail(c *Certificate) map[string]any {
	inUse := b.inUseBy(c.ARN)
	if inUse == nil {
		inUse = []string{}
	}
	out := map[string]any{
		"CertificateArn": c.ARN, "DomainName": c.DomainName, "SubjectAlternativeNames": c.SANs,
		"KeyAlgorithm": c.KeyAlgorithm, "Status": b.status(c), "Type": c.certType(),
		"InUseBy": inUse, "RenewalEligibility": "INELIGIBLE",
		"Options": map[string]string{"CertificateTransparencyLoggingPreference": "ENABLED", "Export": c.exportOption()},
	}
	if !c.Pending {
		ku, eku := []map[string]string{}, []map[string]string{}
		for _, u := range c.KeyUsages {
			ku = append(ku, map[string]string{"Name": u})
		}
		for _, u := range c.ExtendedKeyUsages {
			e := map[string]string{"Name": u}
			if oid, ok := extendedKeyUsageOIDs[u]; ok {
				e["OID"] = oid
			}
			eku = append(eku, e)
		}
		out["KeyUsages"], out["ExtendedKeyUsages"] = ku, eku
	}
	if !c.Pending {
		out["Serial"], out["Subject"], out["Issuer"], out["SignatureAlgorithm"] = c.Serial, c.Subject, c.Issuer, c.SignatureAlgorithm
		out["NotBefore"], out["NotAfter"] = epoch(c.NotBefore), epoch(c.NotAfter)
	}
	switch c.certType() {
	case TypeImported:
		out["ImportedAt"] = epoch(c.ImportedAt)
	default:
		out["CreatedAt"] = epoch(c.CreatedAt)
		if !c.IssuedAt.IsZero() {
			out["IssuedAt"] = epoch(c.IssuedAt)
		}
		out["RenewalEligibility"] = "ELIGIBLE"
		if c.Pending {
			out["RenewalEligibility"] = "INELIGIBLE"
		}
	}
	if c.CertificateAuthorityArn != "" {
		out["CertificateAuthorityArn"] = c.CertificateAuthorityArn
	}
	if c.certType() == TypeAmazonIssued {
		out["DomainValidationOptions"] = b.validationOptions(c)
	}
	return out
}

// certificateStatuses are ACM's CertificateStatus values.
var certificateStatuses = []string{"PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"}

// keyAlgorithms are ACM's KeyAlgorithm values.
var keyAlgorithms = []string{"RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"}

// list is ListCertificates: by status and key type (AWS's default key
// types are RSA_1024 and RSA_2048), oldest first unless sorted otherwise,
// paged by MaxItems and an opaque NextToken.
func (b *Backend) list(in listInput) (any, *Error) {
	keyTypes := []string{"RSA_1024", "RSA_2048"}
	if in.Includes != nil && len(in.Includes.KeyTypes) > 0 {
		keyTypes = in.Includes.KeyTypes
	}
	for _, st := range in.CertificateStatuses {
		if !slices.Contains(certificateStatuses, st) {
			return nil, validation("1 validation error detected: Value '[%s]' at 'certificateStatuses' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [%s]]",
				strings.Join(in.CertificateStatuses, ", "), strings.Join(certificateStatuses, ", "))
		}
	}
	for _, k := range keyTypes {
		if !slices.Contains(keyAlgorithms, k) {
			return nil, validation("1 validation error detected: Value '[%s]' at 'includes.keyTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [%s]]",
				strings.Join(keyTypes, ", "), strings.Join(keyAlgorithms, ", "))
		}
	}
	limit := 1000
	if in.MaxItems != nil {
		if *in.MaxItems < 1 || *in.MaxItems > 1000 {
			return nil, validation("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", *in.MaxItems)
		}
		limit = *in.MaxItems
	}
	var certs []*Certificate
	for _, c := range b.certs {
		if (len(in.CertificateStatuses) == 0 || slices.Contains(in.CertificateStatuses, b.status(c))) && slices.Contains(keyTypes, c.KeyAlgorithm) &&
			(in.Includes == nil || (in.Includes.ManagedBy == "" && c.matchesIncludes(in.Includes.KeyUsage, in.Includes.ExtendedKeyUsage, in.Includes.ExportOption))) {
			certs = append(certs, c)
		}
	}
	slices.SortFunc(certs, func(x, y *Certificate) int { return int(x.Seq - y.Seq) })
	if in.SortOrder == "DESCENDING" {
		slices.Reverse(certs)
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "acm-page-"))
		if err != nil || !strings.HasPrefix(in.NextToken, "acm-page-") || n < 0 || n > len(certs) {
			return nil, badRequest("InvalidArgsException", "The NextToken is not valid")
		}
		start = n
	}
	end := min(start+limit, len(certs))
	out := map[string]any{}
	list := []map[string]any{}
	for _, c := range certs[start:end] {
		sum := map[string]any{
			"CertificateArn": c.ARN, "DomainName": c.DomainName, "SubjectAlternativeNameSummaries": c.SANs,
			"HasAdditionalSubjectAlternativeNames": false, "Status": b.status(c), "Type": c.certType(),
			"KeyAlgorithm": c.KeyAlgorithm, "InUse": len(b.inUseBy(c.ARN)) > 0, "RenewalEligibility": "INELIGIBLE",
			"KeyUsages": nonNil(c.KeyUsages), "ExtendedKeyUsages": nonNil(c.ExtendedKeyUsages),
			"ExportOption": c.exportOption(), "Exported": false,
		}
		if !c.Pending {
			sum["NotBefore"], sum["NotAfter"] = epoch(c.NotBefore), epoch(c.NotAfter)
		}
		if c.certType() == TypeImported {
			sum["ImportedAt"] = epoch(c.ImportedAt)
		} else {
			sum["CreatedAt"] = epoch(c.CreatedAt)
			if !c.IssuedAt.IsZero() {
				sum["IssuedAt"] = epoch(c.IssuedAt)
			}
		}
		list = append(list, sum)
	}
	out["CertificateSummaryList"] = list
	if end < len(certs) {
		out["NextToken"] = "acm-page-" + strconv.Itoa(end)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Seeded is a certificate placed by a seed: metadata only (no PEM), under
// a fixed certificate ID, valid for ten years from now.
type Seeded struct {
	ID     string `json:"id"`
	Domain string `json:"domain"`
	// SANs are further names (the domain is always the first).
	SANs []string `json:"subjectAlternativeNames,omitempty"`
	// Type: IMPORTED (default), AMAZON_ISSUED or PRIVATE.
	Type string `json:"type,omitempty"`
	// CertificateAuthorityArn: the private CA of a PRIVATE certificate.
	CertificateAuthorityArn string `json:"certificateAuthorityArn,omitempty"`
	// KeyAlgorithm: RSA_2048 unless set (EC_prime256v1, …).
	KeyAlgorithm string `json:"keyAlgorithm,omitempty"`
	// Pending: an AMAZON_ISSUED certificate still PENDING_VALIDATION.
	Pending bool `json:"pending,omitempty"`
}

// Add stores a seeded certificate.
func (b *Backend) Add(s Seeded) {
	now := b.env.Now().UTC()
	b.seq++
	c := &Certificate{
		ARN: fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", b.env.Region, b.env.Account, s.ID), Seq: b.seq,
		DomainName: s.Domain, SANs: []string{s.Domain}, KeyAlgorithm: "RSA_2048", Subject: "CN=" + s.Domain, Issuer: "CN=" + s.Domain,
		SignatureAlgorithm: "SHA256WITHRSA", NotBefore: now, NotAfter: now.AddDate(10, 0, 0), ImportedAt: now,
		KeyUsages: issuedKeyUsages, ExtendedKeyUsages: issuedExtendedKeyUsages,
	}
	for _, d := range s.SANs {
		if !slices.Contains(c.SANs, d) {
			c.SANs = append(c.SANs, d)
		}
	}
	if s.KeyAlgorithm != "" {
		c.KeyAlgorithm = s.KeyAlgorithm
	}
	if s.Type != "" && s.Type != TypeImported {
		c.Type, c.CertificateAuthorityArn, c.ImportedAt, c.CreatedAt = s.Type, s.CertificateAuthorityArn, time.Time{}, now
		if s.Type == TypeAmazonIssued {
			c.ValidationMethod = "DNS"
		}
		if s.Pending && s.Type == TypeAmazonIssued {
			c.Pending = true
		} else {
			c.IssuedAt = now
		}
	}
	b.certs[c.ARN] = c
}

type persisted struct {
	Seq   int64                   `json:"seq"`
	Certs map[string]*Certificate `json:"certificates"`
}

// Snapshot returns the certificates as JSON.
func (b *Backend) Snapshot() (json.RawMessage, error) {
	return json.Marshal(persisted{Seq: b.seq, Certs: b.certs})
}

// Restore loads what Snapshot saved.
func (b *Backend) Restore(raw json.RawMessage) error {
	p := persisted{Certs: map[string]*Certificate{}}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
	}
	if p.Certs == nil {
		p.Certs = map[string]*Certificate{}
	}
	b.seq, b.certs = p.Seq, p.Certs
	return nil
}

// Reset drops every certificate.
func (b *Backend) Reset() { b.certs, b.seq = map[string]*Certificate{}, 0 }
