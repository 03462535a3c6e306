package route53

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsroute53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
)

// ValidationRecordTTL is the TTL of the validation records (LBC's).
const ValidationRecordTTL = 60

// Zone is one hosted zone.
type Zone struct {
	// ID without Route 53's /hostedzone/ prefix.
	ID string
	// Name as Route 53 gives it (ending in a dot).
	Name    string
	Private bool
}

// Record is one single-value record set.
type Record struct {
	Name, Type, Value string
	TTL               int64
}

// Provider calls Route 53. It holds no state besides the client.
type Provider struct {
	api awsapi.Route53API
}

// New returns a Provider calling api.
func New(api awsapi.Route53API) *Provider { return &Provider{api: api} }

// HostedZones lists the account's hosted zones.
func (p *Provider) HostedZones(ctx context.Context) ([]Zone, error) {
	pg := awsroute53.NewListHostedZonesPaginator(p.api, &awsroute53.ListHostedZonesInput{})
	var out []Zone
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Route 53 hosted zones: %w", err)
		}
		for _, z := range page.HostedZones {
			out = append(out, Zone{ID: strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"), Name: aws.ToString(z.Name),
				Private: z.Config != nil && z.Config.PrivateZone})
		}
	}
	return out, nil
}

// NearestZone is the ID of the zone whose name is the longest suffix of
// name by labels (public zones only when publicOnly), "" when none is.
func NearestZone(zones []Zone, name string, publicOnly bool) string {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(name, ".")), ".")
	best, bestLen := "", -1
	for _, z := range zones {
		if publicOnly && z.Private {
			continue
		}
		zl := strings.Split(strings.ToLower(strings.TrimSuffix(z.Name, ".")), ".")
		if len(zl) > len(labels) || len(zl) <= bestLen {
			continue
		}
		if slices.Equal(labels[len(labels)-len(zl):], zl) {
			best, bestLen = z.ID, len(zl)
		}
	}
	return best
}

func (p *Provider) change(ctx context.Context, zoneID string, action r53types.ChangeAction, r Record) error {
	_, err := p.api.ChangeResourceRecordSets(ctx, &awsroute53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String(r.Name), Type: r53types.RRType(r.Type), TTL: aws.Int64(r.TTL),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(r.Value)}},
		}}}},
	})
	return err
}

// CreateRecord creates a record in a zone; one already there is written.
func (p *Provider) CreateRecord(ctx context.Context, zoneID string, r Record) error {
	err := p.change(ctx, zoneID, r53types.ChangeActionCreate, r)
	if err != nil && !awserr.IsChangeBatch(err, awserr.Route53RecordExists) {
		return fmt.Errorf("creating record %s %s in hosted zone %s: %w", r.Type, r.Name, zoneID, err)
	}
	return nil
}

// DeleteRecord deletes a record from a zone; one gone, or whose values
// changed since, is deleted (LBC's rule).
func (p *Provider) DeleteRecord(ctx context.Context, zoneID string, r Record) error {
	err := p.change(ctx, zoneID, r53types.ChangeActionDelete, r)
	if err != nil && !awserr.IsChangeBatch(err, awserr.Route53RecordNotFound) && !awserr.IsChangeBatch(err, awserr.Route53RecordValuesDiffer) &&
		!awserr.Is(err, awserr.Route53NoSuchHostedZone) {
		return fmt.Errorf("deleting record %s %s from hosted zone %s: %w", r.Type, r.Name, zoneID, err)
	}
	return nil
}
