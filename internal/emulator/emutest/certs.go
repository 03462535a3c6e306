package emutest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// SelfSigned returns a PEM certificate for domain (its common name, and a
// DNS name with sans) valid for a year, and its PEM private key: ECDSA
// P-256, or RSA 2048 with rsaKey.
func SelfSigned(tb testing.TB, domain string, rsaKey bool, sans ...string) (certPEM, keyPEM []byte) {
	tb.Helper()
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: domain},
		DNSNames:     append([]string{domain}, sans...),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
}

// ImportCertificate imports a fresh self-signed ECDSA certificate for
// domain through api and returns its ARN.
func ImportCertificate(tb testing.TB, api awsapi.ACMAPI, domain string) string {
	tb.Helper()
	certPEM, keyPEM := SelfSigned(tb, domain, false)
	out, err := api.ImportCertificate(tb.Context(), &awsacm.ImportCertificateInput{Certificate: certPEM, PrivateKey: keyPEM})
	if err != nil {
		tb.Fatalf("importing a certificate for %s: %v", domain, err)
	}
	return aws.ToString(out.CertificateArn)
}
