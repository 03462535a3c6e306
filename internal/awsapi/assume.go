package awsapi

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STSAPI is the STS operation lbsg calls (TargetGroupBindings'
// iamRoleArnToAssume), with the SDK's signature.
type STSAPI interface {
	stscreds.AssumeRoleAPIClient
}

var _ STSAPI = (*sts.Client)(nil)

// SessionName is the RoleSessionName of lbsg's AssumeRole calls.
const SessionName = "lbsg-targetgroupbinding"

type roleKey struct{ role, externalID string }

// assumer builds ELBv2 clients that act as an assumed role: one per
// (role, external ID), each with a cached credentials provider, so
// AssumeRole is called once per credential lifetime, not per request.
type assumer struct {
	cfg      aws.Config
	endpoint func(id string) *string
	sts      *sts.Client

	mu   sync.Mutex
	elbs map[roleKey]ELBV2API
}

func newAssumer(cfg aws.Config, endpoint func(string) *string) assumer {
	return assumer{cfg: cfg, endpoint: endpoint,
		sts: sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint(sts.ServiceID) })}
}

// ELBV2As returns the ELBv2 client acting as role (assumed with
// externalID when not empty); role "" is c.ELBV2. The client shares c's
// retryer, buckets and observer.
func (c *Clients) ELBV2As(role, externalID string) ELBV2API {
	if role == "" {
		return c.ELBV2
	}
	a := &c.assume
	a.mu.Lock()
	defer a.mu.Unlock()
	k := roleKey{role, externalID}
	if api, ok := a.elbs[k]; ok {
		return api
	}
	cfg := a.cfg.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(a.sts, role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = SessionName
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	}))
	api := elbv2.NewFromConfig(cfg, func(o *elbv2.Options) { o.BaseEndpoint = a.endpoint(elbv2.ServiceID) })
	if a.elbs == nil {
		a.elbs = map[roleKey]ELBV2API{}
	}
	a.elbs[k] = api
	return api
}
