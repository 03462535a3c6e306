package emutest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	awsroute53 "github.com/aws/aws-sdk-go-v2/service/route53"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	awswafregional "github.com/aws/aws-sdk-go-v2/service/wafregional"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
)

// Env is a running emulator and SDK clients for it.
type Env struct {
	Server *emulator.Server
	Config aws.Config
	EC2    *awsec2.Client
	ELBv2  *awselbv2.Client
	EKS    *awseks.Client
	ACM    *awsacm.Client
	// Route53 holds the hosted zones DNS validation writes to.
	Route53 *awsroute53.Client
	// WAFv2, WAFRegional and Shield are the awsJson services of web ACLs
	// and DDoS protection.
	WAFv2       *awswafv2.Client
	WAFRegional *awswafregional.Client
	Shield      *awsshield.Client
}

// Option changes how Start builds the emulator or the clients.
type Option func(*settings)

type settings struct {
	opts        emulator.Options
	maxAttempts int
	retryer     func() aws.Retryer
}

// WithOptions sets the emulator options (Region and seed included).
func WithOptions(o emulator.Options) Option { return func(s *settings) { s.opts = o } }

// OutpostARN is the Outpost of WithOutpostSubnet's subnet.
const OutpostARN = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"

// WithOutpostSubnet adds to the default seed (us-west-2, cluster sandbox)
// a subnet on the Outpost OutpostARN, anchored in us-west-2a, named
// sandbox-outpost and without role tags (discovery never picks it).
func WithOutpostSubnet() Option {
	return func(s *settings) {
		seed := emulator.DefaultSeed("sandbox", "us-west-2")
		seed.VPCs[0].Subnets = append(seed.VPCs[0].Subnets, ec2.SeedSubnet{Name: "sandbox-outpost", AZ: "us-west-2a",
			CIDR: "10.0.96.0/20", OutpostARN: OutpostARN, Tags: map[string]string{"kubernetes.io/cluster/sandbox": "shared"}})
		s.opts.Seed = &seed
	}
}

// IPv6VPCCIDR is the VPC IPv6 block of WithIPv6Subnets.
const IPv6VPCCIDR = "2600:1f14:abc:de00::/56"

// WithIPv6Subnets gives the default seed's VPC the IPv6 block IPv6VPCCIDR
// and its subnets in zones a and b (public and private) a /64 of it each;
// the zone-c subnets keep none.
func WithIPv6Subnets() Option {
	return func(s *settings) {
		seed := emulator.DefaultSeed("sandbox", "us-west-2")
		v := &seed.VPCs[0]
		v.IPv6CIDR = IPv6VPCCIDR
		for i := range v.Subnets {
			if !strings.HasSuffix(v.Subnets[i].AZ, "c") {
				v.Subnets[i].IPv6CIDR = fmt.Sprintf("2600:1f14:abc:de%02x::/64", i)
			}
		}
		s.opts.Seed = &seed
	}
}

// WithSDKRetries keeps the SDK's default standard retryer instead of the
// single-attempt one tests use to see errors directly.
func WithSDKRetries() Option { return func(s *settings) { s.maxAttempts = 0 } }

// WithRetryer sets the clients' retryer.
func WithRetryer(f func() aws.Retryer) Option { return func(s *settings) { s.retryer = f } }

// Start builds a fresh emulator (default seed unless options say otherwise)
// and clients for it.
func Start(tb testing.TB, opts ...Option) *Env {
	tb.Helper()
	st := settings{maxAttempts: 1}
	for _, o := range opts {
		o(&st)
	}
	srv, err := emulator.New(st.opts)
	if err != nil {
		tb.Fatalf("starting emulator: %v", err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	cfg := Config(srv)
	switch {
	case st.retryer != nil:
		cfg.Retryer = st.retryer
	case st.maxAttempts > 0:
		n := st.maxAttempts
		cfg.Retryer = func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), n) }
	}
	return &Env{
		Server: srv,
		Config: cfg,
		EC2:    awsec2.NewFromConfig(cfg),
		ELBv2:  awselbv2.NewFromConfig(cfg),
		EKS:    awseks.NewFromConfig(cfg),
		ACM:    awsacm.NewFromConfig(cfg),

		Route53: awsroute53.NewFromConfig(cfg),

		WAFv2:       awswafv2.NewFromConfig(cfg),
		WAFRegional: awswafregional.NewFromConfig(cfg),
		Shield:      awsshield.NewFromConfig(cfg),
	}
}

// Config returns an aws.Config whose clients reach srv in-process.
func Config(srv *emulator.Server) aws.Config {
	return aws.Config{
		Region:       srv.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEMULATOR", "emulator-secret", ""),
		HTTPClient:   srv.HTTPClient(),
		BaseEndpoint: aws.String("http://emulator.lbsg.invalid"),
	}
}

// Seeded returns the IDs of the default seed's VPC, subnets, node security
// group and instances, read through the EC2 API.
type Seeded struct {
	VPCID          string
	PublicSubnets  []string
	PrivateSubnets []string
	NodeSG         string
	Instances      []string
	// OutpostSubnets are the subnets on an Outpost (WithOutpostSubnet).
	OutpostSubnets []string
}

// Seeded looks up the default seed's resources by their tags.
func (e *Env) Seeded(tb testing.TB) Seeded {
	tb.Helper()
	ctx := tb.Context()
	var out Seeded
	vpcs, err := e.EC2.DescribeVpcs(ctx, &awsec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		tb.Fatalf("describing seeded VPCs: %v (%d found)", err, len(vpcs.Vpcs))
	}
	out.VPCID = aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, err := e.EC2.DescribeSubnets(ctx, &awsec2.DescribeSubnetsInput{})
	if err != nil {
		tb.Fatalf("describing subnets: %v", err)
	}
	for _, s := range subs.Subnets {
		if aws.ToString(s.OutpostArn) != "" {
			out.OutpostSubnets = append(out.OutpostSubnets, aws.ToString(s.SubnetId))
		}
		for _, t := range s.Tags {
			switch aws.ToString(t.Key) {
			case "kubernetes.io/role/elb":
				out.PublicSubnets = append(out.PublicSubnets, aws.ToString(s.SubnetId))
			case "kubernetes.io/role/internal-elb":
				out.PrivateSubnets = append(out.PrivateSubnets, aws.ToString(s.SubnetId))
			}
		}
	}
	sort.Strings(out.PublicSubnets)
	sort.Strings(out.PrivateSubnets)
	sort.Strings(out.OutpostSubnets)
	inst, err := e.EC2.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil {
		tb.Fatalf("describing instances: %v", err)
	}
	for _, r := range inst.Reservations {
		for _, i := range r.Instances {
			out.Instances = append(out.Instances, aws.ToString(i.InstanceId))
			if out.NodeSG == "" && len(i.SecurityGroups) > 0 {
				out.NodeSG = aws.ToString(i.SecurityGroups[0].GroupId)
			}
		}
	}
	sort.Strings(out.Instances)
	return out
}
