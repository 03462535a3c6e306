package shield

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	shieldtypes "github.com/aws/aws-sdk-go-v2/service/shield/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
)

// Protection is a resource's Shield Advanced protection.
type Protection struct {
	ID   string
	Name string
}

// Provider calls Shield.
type Provider struct{ api awsapi.ShieldAPI }

// New returns a Provider calling api.
func New(api awsapi.ShieldAPI) *Provider { return &Provider{api: api} }

// Subscribed reports whether the account's Shield Advanced subscription is
// ACTIVE.
func (p *Provider) Subscribed(ctx context.Context) (bool, error) {
	out, err := p.api.GetSubscriptionState(ctx, &awsshield.GetSubscriptionStateInput{})
	if err != nil {
		return false, fmt.Errorf("reading the Shield subscription state: %w", err)
	}
	return out.SubscriptionState == shieldtypes.SubscriptionStateActive, nil
}

// Protection returns a resource's protection, nil for none.
func (p *Provider) Protection(ctx context.Context, resourceARN string) (*Protection, error) {
	out, err := p.api.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(resourceARN)})
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Shield protection of %s: %w", resourceARN, err)
	}
	if out.Protection == nil {
		return nil, nil
	}
	return &Protection{ID: aws.ToString(out.Protection.Id), Name: aws.ToString(out.Protection.Name)}, nil
}

// Create protects a resource under name and returns the protection ID.
func (p *Provider) Create(ctx context.Context, resourceARN, name string) (string, error) {
	out, err := p.api.CreateProtection(ctx, &awsshield.CreateProtectionInput{ResourceArn: aws.String(resourceARN), Name: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("creating the Shield protection of %s: %w", resourceARN, err)
	}
	return aws.ToString(out.ProtectionId), nil
}

// Delete deletes a protection; one already gone is no error.
func (p *Provider) Delete(ctx context.Context, id string) error {
	_, err := p.api.DeleteProtection(ctx, &awsshield.DeleteProtectionInput{ProtectionId: aws.String(id)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting Shield protection %s: %w", id, err)
	}
	return nil
}
