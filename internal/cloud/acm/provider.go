package acm

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
)

// Certificate types, as ACM names them.
const (
	TypeImported     = string(acmtypes.CertificateTypeImported)
	TypeAmazonIssued = string(acmtypes.CertificateTypeAmazonIssued)
	TypePrivate      = string(acmtypes.CertificateTypePrivate)
)

// Certificate is what discovery needs of one ACM certificate.
type Certificate struct {
	ARN string
	// Type: IMPORTED, AMAZON_ISSUED or PRIVATE.
	Type string
	// CertificateAuthorityARN is the private CA that issued it ("" for
	// others).
	CertificateAuthorityARN string
	// Domains are its subject alternative names (the domain name
	// included), as ACM lists them.
	Domains []string
}

// Provider reads ACM certificates. It holds no state besides the client.
type Provider struct {
	api awsapi.ACMReadAPI
}

// New returns a Provider calling api.
func New(api awsapi.ACMReadAPI) *Provider { return &Provider{api: api} }

// IssuedCertificateARNs lists the ARNs of the account's ISSUED
// certificates of every key type, in ACM's order.
func (p *Provider) IssuedCertificateARNs(ctx context.Context) ([]string, error) {
	pg := awsacm.NewListCertificatesPaginator(p.api, &awsacm.ListCertificatesInput{
		CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusIssued},
		Includes:            &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()},
	})
	var out []string
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing ACM certificates: %w", err)
		}
		for _, c := range page.CertificateSummaryList {
			out = append(out, aws.ToString(c.CertificateArn))
		}
	}
	return out, nil
}

// Certificate describes one certificate; (nil, nil) when it is gone.
func (p *Provider) Certificate(ctx context.Context, arn string) (*Certificate, error) {
	out, err := p.api.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
	if awserr.Is(err, awserr.ACMResourceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing ACM certificate %s: %w", arn, err)
	}
	d := out.Certificate
	if d == nil {
		return nil, nil
	}
	return &Certificate{ARN: arn, Type: string(d.Type), CertificateAuthorityARN: aws.ToString(d.CertificateAuthorityArn),
		Domains: append([]string(nil), d.SubjectAlternativeNames...)}, nil
}
