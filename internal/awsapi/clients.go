package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/shield"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
)

// DefaultMaxAttempts is LBC's --aws-max-retries default: ten attempts ride
// out a throttling burst that the SDK's default three would surface as a
// reconcile error.
const DefaultMaxAttempts = 10

// DefaultMaxBackoff is the SDK's cap on one backoff delay (jittered).
const DefaultMaxBackoff = 20 * time.Second

// Options shape the clients; the zero value is production behaviour.
type Options struct {
	// MaxAttempts per operation, first attempt included; 0 means
	// DefaultMaxAttempts (--aws-max-retries).
	MaxAttempts int
	// MaxBackoff caps one retry delay; 0 means DefaultMaxBackoff. Tests set
	// a few milliseconds.
	MaxBackoff time.Duration
	// Limits overrides client-side buckets by class; classes not named keep
	// DefaultLimits.
	Limits Limits
	// NoRateLimit turns the client-side buckets off (tests that want to see
	// AWS throttle, and nothing else).
	NoRateLimit bool
	// Observer hears every attempt (metrics, benchmarks); nil for none.
	Observer Observer
	// Endpoints override one service's endpoint, keyed by the SDK's service
	// ID ("EC2", "Elastic Load Balancing v2", "EKS", "WAFV2", "WAF Regional", "Shield"), as LBC's
	// --aws-api-endpoints; IDs of services lbsg does not call are ignored.
	Endpoints map[string]string
}

// Config is what New needs beyond Options.
type Config struct {
	// Region, e.g. us-west-2 (--aws-region); empty: the default chain's.
	Region string
	// Endpoint overrides every service's endpoint (--aws-endpoint), so one
	// binary talks to the emulator or to AWS; empty: the SDK's resolution,
	// which honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
	Endpoint string
	Options
}

// Clients are the AWS clients lbsg uses, all going through one retryer
// configuration, one set of client-side buckets and one observer.
type Clients struct {
	EC2   EC2API
	ELBV2 ELBV2API
	EKS   EKSAPI
	// ACM: the controller reads certificates through it (certificate
	// discovery, ACMReadAPI); tools and tests also import them.
	ACM ACMAPI
	// Route53 holds the DNS validation records of the certificates
	// certificate management requests.
	Route53 Route53API
	// WAFv2, WAFRegional and Shield serve the WAF and Shield annotations
	// of ALBs (--enable-wafv2, --enable-waf, --enable-shield).
	WAFv2       WAFV2API
	WAFRegional WAFRegionalAPI
	Shield      ShieldAPI
	// Region the clients call.
	Region string

	assume assumer
}

// New loads credentials and settings from the default chain (environment,
// shared config, web identity, IMDS) and builds the clients.
func New(ctx context.Context, c Config) (*Clients, error) {
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(c.Endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set --aws-region or AWS_REGION")
	}
	return FromConfig(cfg, c.Options), nil
}

// FromConfig builds the clients from an aws.Config (in tests, emutest's),
// replacing its retryer with lbsg's and adding the client-side buckets and
// the observer. cfg itself is not modified.
func FromConfig(cfg aws.Config, o Options) *Clients {
	cfg = cfg.Copy()
	cfg.Retryer = NewRetryer(o)
	var lim *limiter
	if !o.NoRateLimit {
		l := DefaultLimits()
		for k, b := range o.Limits {
			l[k] = b
		}
		lim = newLimiter(l)
	}
	// A fresh slice: Copy is shallow, and appending to the caller's backing
	// array would let two FromConfig calls overwrite each other's option.
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), stackOptions(lim, o.Observer))
	endpoint := func(id string) *string {
		if u, ok := o.Endpoints[id]; ok {
			return aws.String(u)
		}
		return cfg.BaseEndpoint
	}
	return &Clients{
		EC2:         ec2.NewFromConfig(cfg, func(c *ec2.Options) { c.BaseEndpoint = endpoint(ec2.ServiceID) }),
		ELBV2:       elbv2.NewFromConfig(cfg, func(c *elbv2.Options) { c.BaseEndpoint = endpoint(elbv2.ServiceID) }),
		EKS:         eks.NewFromConfig(cfg, func(c *eks.Options) { c.BaseEndpoint = endpoint(eks.ServiceID) }),
		ACM:         acm.NewFromConfig(cfg, func(c *acm.Options) { c.BaseEndpoint = endpoint(acm.ServiceID) }),
		Route53:     route53.NewFromConfig(cfg, func(c *route53.Options) { c.BaseEndpoint = endpoint(route53.ServiceID) }),
		WAFv2:       wafv2.NewFromConfig(cfg, func(c *wafv2.Options) { c.BaseEndpoint = endpoint(wafv2.ServiceID) }),
		WAFRegional: wafregional.NewFromConfig(cfg, func(c *wafregional.Options) { c.BaseEndpoint = endpoint(wafregional.ServiceID) }),
		Shield:      shield.NewFromConfig(cfg, func(c *shield.Options) { c.BaseEndpoint = endpoint(shield.ServiceID) }),
		Region:      cfg.Region,
		assume:      newAssumer(cfg, endpoint),
	}
}

// NewRetryer returns lbsg's retryer factory: the SDK's standard retryer
// (throttling codes, 5xx, timeouts; jittered exponential backoff) with
// MaxAttempts from o and NO retry quota. The default quota (500 tokens,
// 5 per retry) empties during a throttling storm and then fails calls
// client-side without sending them (aws/aws-sdk-go-v2#1665, #2562);
// the client-side buckets are what keep lbsg from storming instead.
func NewRetryer(o Options) func() aws.Retryer {
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	backoff := o.MaxBackoff
	if backoff <= 0 {
		backoff = DefaultMaxBackoff
	}
	return func() aws.Retryer {
		return retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = backoff
			so.Backoff = retry.NewExponentialJitterBackoff(backoff)
			so.RateLimiter = ratelimit.None
		})
	}
}
