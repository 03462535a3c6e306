package acm

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
)

// Certificate statuses, as ACM names them.
const (
	StatusIssued            = string(acmtypes.CertificateStatusIssued)
	StatusPendingValidation = string(acmtypes.CertificateStatusPendingValidation)
)

// Request is one RequestCertificate.
type Request struct {
	DomainName string
	// SANs are every name of the certificate (the domain name included).
	SANs []string
	// CertificateAuthorityARN makes a PRIVATE certificate; "" an Amazon
	// issued one, validated by DNS.
	CertificateAuthorityARN string
	Tags                    map[string]string
}

// ValidationRecord is the DNS record ACM looks for to validate one name.
type ValidationRecord struct {
	Domain, Name, Type, Value string
}

// Detail is what certificate management reads of one certificate.
type Detail struct {
	ARN    string
	Type   string
	Status string
	// SANs as ACM lists them (the domain name included).
	SANs      []string
	CreatedAt time.Time
	// Validations are the DNS validation records of its names; one whose
	// record ACM has not published yet has an empty Name.
	Validations []ValidationRecord
}

// Summary is one certificate of the account's listing.
type Summary struct {
	ARN    string
	Status string
	SANs   []string
}

// Manager makes certificate management's calls. It holds no state
// besides the client.
type Manager struct {
	api awsapi.ACMManageAPI
}

// NewManager returns a Manager calling api.
func NewManager(api awsapi.ACMManageAPI) *Manager { return &Manager{api: api} }

// RequestCertificate requests a certificate and returns its ARN.
func (m *Manager) RequestCertificate(ctx context.Context, r Request) (string, error) {
	in := &awsacm.RequestCertificateInput{DomainName: aws.String(r.DomainName), SubjectAlternativeNames: r.SANs}
	if r.CertificateAuthorityARN != "" {
		in.CertificateAuthorityArn = aws.String(r.CertificateAuthorityARN)
	} else {
		in.ValidationMethod = acmtypes.ValidationMethodDns
	}
	for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
		in.Tags = append(in.Tags, acmtypes.Tag{Key: aws.String(k), Value: aws.String(r.Tags[k])})
	}
	out, err := m.api.RequestCertificate(ctx, in)
	if err != nil {
		return "", fmt.Errorf("requesting an ACM certificate for %s: %w", r.DomainName, err)
	}
	return aws.ToString(out.CertificateArn), nil
}

// Describe reads one certificate; (nil, nil) when it is gone.
func (m *Manager) Describe(ctx context.Context, arn string) (*Detail, error) {
	out, err := m.api.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
	if awserr.Is(err, awserr.ACMResourceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing ACM certificate %s: %w", arn, err)
	}
	c := out.Certificate
	if c == nil {
		return nil, nil
	}
	d := &Detail{ARN: arn, Type: string(c.Type), Status: string(c.Status), SANs: append([]string(nil), c.SubjectAlternativeNames...),
		CreatedAt: aws.ToTime(c.CreatedAt)}
	for _, o := range c.DomainValidationOptions {
		if o.ValidationMethod != acmtypes.ValidationMethodDns {
			continue
		}
		v := ValidationRecord{Domain: aws.ToString(o.DomainName)}
		if rr := o.ResourceRecord; rr != nil {
			v.Name, v.Type, v.Value = aws.ToString(rr.Name), string(rr.Type), aws.ToString(rr.Value)
		}
		d.Validations = append(d.Validations, v)
	}
	return d, nil
}

// List lists every certificate of the account, of every key type and
// status, in ACM's order.
func (m *Manager) List(ctx context.Context) ([]Summary, error) {
	pg := awsacm.NewListCertificatesPaginator(m.api, &awsacm.ListCertificatesInput{
		Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()},
	})
	var out []Summary
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing ACM certificates: %w", err)
		}
		for _, c := range page.CertificateSummaryList {
			out = append(out, Summary{ARN: aws.ToString(c.CertificateArn), Status: string(c.Status), SANs: c.SubjectAlternativeNameSummaries})
		}
	}
	return out, nil
}

// Tags reads one certificate's tags; (nil, nil) when it is gone.
func (m *Manager) Tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := m.api.ListTagsForCertificate(ctx, &awsacm.ListTagsForCertificateInput{CertificateArn: aws.String(arn)})
	if awserr.Is(err, awserr.ACMResourceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the tags of ACM certificate %s: %w", arn, err)
	}
	tags := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// Delete deletes one certificate; one already gone is not an error. A
// certificate a listener still uses fails with ResourceInUseException.
func (m *Manager) Delete(ctx context.Context, arn string) error {
	_, err := m.api.DeleteCertificate(ctx, &awsacm.DeleteCertificateInput{CertificateArn: aws.String(arn)})
	if err != nil && !awserr.Is(err, awserr.ACMResourceNotFound) {
		return fmt.Errorf("deleting ACM certificate %s: %w", arn, err)
	}
	return nil
}
