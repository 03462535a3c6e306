package wafregional

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awswafregional "github.com/aws/aws-sdk-go-v2/service/wafregional"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// Provider calls WAF Regional.
type Provider struct{ api awsapi.WAFRegionalAPI }

// New returns a Provider calling api.
func New(api awsapi.WAFRegionalAPI) *Provider { return &Provider{api: api} }

// Association returns the ID of the web ACL associated with a resource
// ("" for none).
func (p *Provider) Association(ctx context.Context, resourceARN string) (string, error) {
	out, err := p.api.GetWebACLForResource(ctx, &awswafregional.GetWebACLForResourceInput{ResourceArn: aws.String(resourceARN)})
	if err != nil {
		return "", fmt.Errorf("reading the WAF Classic web ACL of %s: %w", resourceARN, err)
	}
	if out.WebACLSummary == nil {
		return "", nil
	}
	return aws.ToString(out.WebACLSummary.WebACLId), nil
}

// Associate associates a web ACL with a resource (replacing any other).
func (p *Provider) Associate(ctx context.Context, resourceARN, webACLID string) error {
	if _, err := p.api.AssociateWebACL(ctx, &awswafregional.AssociateWebACLInput{ResourceArn: aws.String(resourceARN), WebACLId: aws.String(webACLID)}); err != nil {
		return fmt.Errorf("associating WAF Classic web ACL %s with %s: %w", webACLID, resourceARN, err)
	}
	return nil
}

// Disassociate removes a resource's web ACL.
func (p *Provider) Disassociate(ctx context.Context, resourceARN string) error {
	if _, err := p.api.DisassociateWebACL(ctx, &awswafregional.DisassociateWebACLInput{ResourceArn: aws.String(resourceARN)}); err != nil {
		return fmt.Errorf("disassociating the WAF Classic web ACL of %s: %w", resourceARN, err)
	}
	return nil
}
