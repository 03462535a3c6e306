package awsapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/smithy-go/middleware"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

const fastBackoff = 2 * time.Millisecond

func TestThrottledCallsAreRetriedAndSucceed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		action string
		code   string
		call   func(context.Context, *awsapi.Clients) error
	}{
		{"EC2 RequestLimitExceeded twice, then success", "DescribeVpcs", "RequestLimitExceeded", func(ctx context.Context, c *awsapi.Clients) error {
			_, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}},
		{"ELBv2 Throttling twice, then success", "DescribeLoadBalancers", "Throttling", func(ctx context.Context, c *awsapi.Clients) error {
			_, err := c.ELBV2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
			return err
		}},
		{"EC2 InternalError twice, then success", "DescribeSubnets", "InternalError", func(ctx context.Context, c *awsapi.Clients) error {
			_, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := emutest.Start(t)
			var n awsapi.Counter
			c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: fastBackoff, Observer: n.Observe})
			env.Server.Faults().Fail(tt.action, tt.code, 2)
			if err := tt.call(t.Context(), c); err != nil {
				t.Fatalf("call failed after retries: %v", err)
			}
			if got := env.Server.Calls().Count(tt.action); got != 3 {
				t.Errorf("emulator saw %d attempts, want 3", got)
			}
			if got := n.Count(tt.action); got != 3 {
				t.Errorf("observer saw %d attempts, want 3", got)
			}
		})
	}
}

func TestObserverReportsCodeAttemptAndThrottling(t *testing.T) {
	env := emutest.Start(t)
	var mu sync.Mutex
	var calls []awsapi.Call
	c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: fastBackoff, Observer: func(call awsapi.Call) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call)
	}})
	env.Server.Faults().Fail("DescribeVpcs", "RequestLimitExceeded", 1)
	if _, err := c.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 {
		t.Fatalf("got %d observations, want 2: %+v", len(calls), calls)
	}
	first, second := calls[0], calls[1]
	if first.Service != ec2.ServiceID || first.Operation != "DescribeVpcs" || first.Attempt != 1 || !first.Sent ||
		first.Code != "RequestLimitExceeded" || !first.Throttled || first.Class != awserr.Throttled {
		t.Errorf("first attempt = %+v", first)
	}
	if second.Attempt != 2 || second.Code != "" || second.Throttled || second.Class != awserr.None {
		t.Errorf("second attempt = %+v", second)
	}
}

func TestEveryRetryPaysAClientSideToken(t *testing.T) {
	env := emutest.Start(t)
	var mu sync.Mutex
	var calls []awsapi.Call
	const rate = 4 // tokens per second: one every 250 ms, far above the 2 ms backoff
	c := awsapi.FromConfig(env.Config, awsapi.Options{
		MaxBackoff: fastBackoff,
		Limits:     awsapi.Limits{awsapi.EC2NonMutating: {Burst: 1, Rate: rate}},
		Observer: func(call awsapi.Call) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, call)
		},
	})
	env.Server.Faults().Fail("DescribeVpcs", "RequestLimitExceeded", 2)
	start := time.Now()
	if _, err := c.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 3 {
		t.Fatalf("%d attempts observed, want 3", len(calls))
	}
	if calls[0].Waited != 0 {
		t.Errorf("the first attempt waited %v with a full bucket", calls[0].Waited)
	}
	if calls[1].Waited < 100*time.Millisecond {
		t.Errorf("the first retry waited %v for a token, want ~250ms", calls[1].Waited)
	}
	// Three attempts from a one-token bucket need two refills, whatever the
	// scheduler does: the limiter, not the backoff, paced the retries.
	if floor := 2 * time.Second / rate * 9 / 10; elapsed < floor {
		t.Errorf("three attempts took %v, want at least %v", elapsed, floor)
	}
}

func TestTwoClientSetsFromOneConfigKeepTheirOwnObservers(t *testing.T) {
	env := emutest.Start(t)
	cfg := env.Config.Copy()
	cfg.APIOptions = make([]func(*middleware.Stack) error, 0, 4) // spare capacity
	var a, b awsapi.Counter
	ca := awsapi.FromConfig(cfg, awsapi.Options{Observer: a.Observe})
	cb := awsapi.FromConfig(cfg, awsapi.Options{Observer: b.Observe})
	if err := describeVpcs(t.Context(), ca); err != nil {
		t.Fatal(err)
	}
	if err := describeVpcs(t.Context(), cb); err != nil {
		t.Fatal(err)
	}
	if a.Total() != 1 || b.Total() != 1 {
		t.Errorf("observers saw %d and %d calls, want 1 each", a.Total(), b.Total())
	}
}

func TestMaxAttemptsBoundsRetriesAndTheErrorStaysClassified(t *testing.T) {
	env := emutest.Start(t)
	c := awsapi.FromConfig(env.Config, awsapi.Options{MaxAttempts: 3, MaxBackoff: fastBackoff})
	env.Server.Faults().Fail("DescribeVpcs", "RequestLimitExceeded", 5)
	_, err := c.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	if awserr.Classify(err) != awserr.Throttled {
		t.Fatalf("err = %v (class %v), want Throttled", err, awserr.Classify(err))
	}
	if got := env.Server.Calls().Count("DescribeVpcs"); got != 3 {
		t.Errorf("attempts = %d, want 3", got)
	}
}

func TestALongThrottlingStormNeverExhaustsARetryQuota(t *testing.T) {
	// The SDK's default quota (500 tokens, 5 per retry) fails the 101st retry
	// client-side; lbsg's retryer has no quota.
	const failures = 120
	for _, tt := range []struct {
		name     string
		retryer  func(o awsapi.Options) func() aws.Retryer
		wantFail bool
	}{
		{"SDK default quota runs dry (the bug lbsg avoids)", func(o awsapi.Options) func() aws.Retryer {
			return func() aws.Retryer {
				return retry.NewStandard(func(so *retry.StandardOptions) {
					so.MaxAttempts = failures + 1
					so.Backoff = retry.NewExponentialJitterBackoff(time.Microsecond)
				})
			}
		}, true},
		{"lbsg retryer keeps retrying", awsapi.NewRetryer, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := emutest.Start(t)
			o := awsapi.Options{MaxAttempts: failures + 1, MaxBackoff: time.Microsecond, NoRateLimit: true}
			cfg := env.Config.Copy()
			cfg.Retryer = tt.retryer(o)
			client := ec2.NewFromConfig(cfg)
			env.Server.Faults().Fail("DescribeVpcs", "RequestLimitExceeded", failures)
			_, err := client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
			if (err != nil) != tt.wantFail {
				t.Fatalf("err = %v, want failure %v", err, tt.wantFail)
			}
			if tt.wantFail && awserr.Code(err) != awserr.ClientRetryQuotaExceeded {
				t.Errorf("code = %q, want the client-side quota error", awserr.Code(err))
			}
		})
	}
	// And the retryer FromConfig installs is that one.
	env := emutest.Start(t)
	c := awsapi.FromConfig(env.Config, awsapi.Options{MaxAttempts: failures + 1, MaxBackoff: time.Microsecond, NoRateLimit: true})
	env.Server.Faults().Fail("DescribeVpcs", "RequestLimitExceeded", failures)
	if _, err := c.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("FromConfig retryer gave up: %v", err)
	}
}

func TestClientSideLimiterKeepsABurstUnderAWSBuckets(t *testing.T) {
	for _, tt := range []struct {
		name          string
		calls         int
		noLimit       bool
		wantThrottled bool
		call          func(context.Context, *awsapi.Clients) error
		// refill: how long the client-side bucket needs to refill the
		// calls beyond its burst (DefaultLimits: EC2 90 + 20/s, ELBv2 36 + 10/s).
		refill time.Duration
	}{
		{"120 concurrent DescribeVpcs with the limiter: the emulator never throttles", 120, false, false, describeVpcs, 1500 * time.Millisecond},
		{"200 concurrent DescribeVpcs without it: the emulator throttles", 200, true, true, describeVpcs, 0},
		{"50 concurrent ELBv2 describes with the limiter: never throttled", 50, false, false, describeLBs, 1400 * time.Millisecond},
		{"100 concurrent ELBv2 describes without it: throttled", 100, true, true, describeLBs, 0},
	} {
		// Not parallel: the claim is about timing, and a loaded scheduler
		// delaying sends by more than the burst margin covers (0.4 s for
		// ELBv2, 0.5 s for EC2) is not what is being tested.
		t.Run(tt.name, func(t *testing.T) {
			env := emutest.Start(t, emutest.WithOptions(emulator.Options{Throttle: true}))
			var n awsapi.Counter
			c := awsapi.FromConfig(env.Config, awsapi.Options{MaxAttempts: 1, NoRateLimit: tt.noLimit, Observer: n.Observe})
			var wg sync.WaitGroup
			began := time.Now()
			for range tt.calls {
				wg.Go(func() { _ = tt.call(t.Context(), c) })
			}
			wg.Wait()
			took := time.Since(began)
			throttled := env.Server.Calls().Errors
			if (throttled > 0) != tt.wantThrottled {
				t.Errorf("emulator answered %d errors (%v), want throttling %v", throttled, env.Server.Calls().Actions, tt.wantThrottled)
			}
			// The limiter must act when the calls outran its refill; on a
			// machine so loaded that the burst trickled in slower than the
			// bucket refills, it rightly had nothing to do.
			if !tt.noLimit && n.Delayed() == 0 && took < tt.refill {
				t.Errorf("the limiter delayed no call in %v, so it did not act", took)
			}
			if tt.noLimit && n.Delayed() != 0 {
				t.Errorf("%d calls delayed with the limiter off", n.Delayed())
			}
			t.Logf("%d calls, %d throttled by AWS, %d delayed client-side", n.Total(), n.Throttled(), n.Delayed())
		})
	}
}

func describeVpcs(ctx context.Context, c *awsapi.Clients) error {
	_, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	return err
}

func describeLBs(ctx context.Context, c *awsapi.Clients) error {
	_, err := c.ELBV2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	return err
}

func TestWaitingForATokenHonoursContextCancellation(t *testing.T) {
	env := emutest.Start(t)
	var n awsapi.Counter
	c := awsapi.FromConfig(env.Config, awsapi.Options{
		MaxBackoff: fastBackoff,
		Limits:     awsapi.Limits{awsapi.EC2NonMutating: {Burst: 1, Rate: 0.001}},
		Observer:   n.Observe,
	})
	if _, err := c.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	if got := env.Server.Calls().Count("DescribeVpcs"); got != 1 {
		t.Errorf("emulator saw %d calls, want 1 (the held call is never sent)", got)
	}
	if got := n.Total(); got != 1 {
		t.Errorf("counter saw %d sent calls, want 1", got)
	}
}

func TestNewReachesTheEndpointGivenByFlagOrEnvironment(t *testing.T) {
	env := emutest.Start(t)
	srv := httptest.NewServer(env.Server)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, tt := range []struct {
		name     string
		flag     string
		envURL   string
		wantCall bool
	}{
		{"--aws-endpoint", srv.URL, "", true},
		{"AWS_ENDPOINT_URL", "", srv.URL, true},
		{"the flag wins over the environment", srv.URL, "http://127.0.0.1:1", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tt.envURL)
			env.Server.ResetCalls()
			c, err := awsapi.New(t.Context(), awsapi.Config{Region: env.Server.Region(), Endpoint: tt.flag, Options: awsapi.Options{MaxAttempts: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}); err != nil {
				t.Fatalf("EC2: %v", err)
			}
			if _, err := c.ELBV2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{}); err != nil {
				t.Fatalf("ELBv2: %v", err)
			}
			if _, err := c.EKS.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("sandbox")}); err != nil {
				t.Fatalf("EKS: %v", err)
			}
			if got := env.Server.Calls().Total; got != 3 {
				t.Errorf("emulator saw %d calls, want 3", got)
			}
		})
	}
}

func TestNewWithoutRegionFails(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if _, err := awsapi.New(t.Context(), awsapi.Config{}); err == nil {
		t.Fatal("New without a region succeeded")
	}
}

func TestTheACMClientTakesItsOwnEndpoint(t *testing.T) {
	env := emutest.Start(t)
	srv := httptest.NewServer(env.Server)
	t.Cleanup(srv.Close)
	cfg := env.Config.Copy()
	cfg.HTTPClient = nil // over the network, to srv only
	cfg.BaseEndpoint = aws.String("http://127.0.0.1:1")
	c := awsapi.FromConfig(cfg, awsapi.Options{MaxAttempts: 1, Endpoints: map[string]string{"ACM": srv.URL}})
	out, err := c.ACM.ListCertificates(t.Context(), &acm.ListCertificatesInput{})
	if err != nil {
		t.Fatalf("ACM through --aws-api-endpoints ACM=%s: %v", srv.URL, err)
	}
	if len(out.CertificateSummaryList) != 1 || !strings.HasSuffix(aws.ToString(out.CertificateSummaryList[0].CertificateArn), emulator.SandboxCertificateID) {
		t.Errorf("listed %+v, want the seeded certificate", out.CertificateSummaryList)
	}
}
