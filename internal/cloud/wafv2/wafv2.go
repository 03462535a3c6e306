package wafv2

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"
	wafv2types "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// Provider calls WAFv2.
type Provider struct{ api awsapi.WAFV2API }

// New returns a Provider calling api.
func New(api awsapi.WAFV2API) *Provider { return &Provider{api: api} }

// WebACLs lists the account's REGIONAL web ACLs, name → ARN (ListWebACLs,
// every page, 100 a page).
func (p *Provider) WebACLs(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	var marker *string
	for {
		page, err := p.api.ListWebACLs(ctx, &awswafv2.ListWebACLsInput{Scope: wafv2types.ScopeRegional, Limit: aws.Int32(100), NextMarker: marker})
		if err != nil {
			return nil, fmt.Errorf("listing WAFv2 web ACLs: %w", err)
		}
		for _, a := range page.WebACLs {
			if n := aws.ToString(a.Name); n != "" {
				if _, dup := out[n]; !dup {
					out[n] = aws.ToString(a.ARN)
				}
			}
		}
		// No marker, or an empty page, ends the listing.
		if page.NextMarker == nil || len(page.WebACLs) == 0 {
			return out, nil
		}
		marker = page.NextMarker
	}
}

// Association returns the ARN of the web ACL associated with a resource
// ("" for none).
func (p *Provider) Association(ctx context.Context, resourceARN string) (string, error) {
	out, err := p.api.GetWebACLForResource(ctx, &awswafv2.GetWebACLForResourceInput{ResourceArn: aws.String(resourceARN)})
	if err != nil {
		return "", fmt.Errorf("reading the WAFv2 web ACL of %s: %w", resourceARN, err)
	}
	if out.WebACL == nil {
		return "", nil
	}
	return aws.ToString(out.WebACL.ARN), nil
}

// Associate associates a web ACL with a resource (replacing any other).
func (p *Provider) Associate(ctx context.Context, resourceARN, webACLARN string) error {
	if _, err := p.api.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(resourceARN), WebACLArn: aws.String(webACLARN)}); err != nil {
		return fmt.Errorf("associating WAFv2 web ACL %s with %s: %w", webACLARN, resourceARN, err)
	}
	return nil
}

// Disassociate removes a resource's web ACL.
func (p *Provider) Disassociate(ctx context.Context, resourceARN string) error {
	if _, err := p.api.DisassociateWebACL(ctx, &awswafv2.DisassociateWebACLInput{ResourceArn: aws.String(resourceARN)}); err != nil {
		return fmt.Errorf("disassociating the WAFv2 web ACL of %s: %w", resourceARN, err)
	}
	return nil
}
