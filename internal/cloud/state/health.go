package state

import (
	"context"

	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
)

// TargetHealth reads a target group's targets and their health (one
// DescribeTargetHealth), uncached: the readiness gates poll it only while
// some pod waits on it.
func (p *Provider) TargetHealth(ctx context.Context, tgARN string) ([]cloudelbv2.TargetHealth, error) {
	return p.elb.Targets(ctx, tgARN)
}
