package emulator_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestRoutingBySigV4Scope(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	// DescribeTags exists in both APIs: each client must reach its own.
	if _, err := env.EC2.DescribeTags(ctx, &awsec2.DescribeTagsInput{}); err != nil {
		t.Fatalf("EC2 DescribeTags: %v", err)
	}
	_, err := env.ELBv2.DescribeTags(ctx, &awselbv2.DescribeTagsInput{ResourceArns: []string{"arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/nope/0123456789abcdef"}})
	if code := apiCode(err); code != "LoadBalancerNotFound" {
		t.Fatalf("ELBv2 DescribeTags of an unknown LB: got %v", err)
	}
	calls := env.Server.Calls()
	if calls.Count("ec2:DescribeTags") != 1 || calls.Count("elasticloadbalancing:DescribeTags") != 1 {
		t.Fatalf("call log: %+v", calls.Actions)
	}
}

func TestUnknownActionIsInvalidAction(t *testing.T) {
	env := emutest.Start(t)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=NoSuchThing&Version=2016-11-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/ec2/aws4_request, SignedHeaders=host, Signature=00")
	rec := httptest.NewRecorder()
	env.Server.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 400 || !strings.Contains(body, "<Response><Errors><Error><Code>InvalidAction</Code>") || !strings.Contains(body, "<RequestID>") {
		t.Fatalf("status %d body %s", rec.Code, body)
	}
}

func TestMalformedRequestsNeverAnswer500(t *testing.T) {
	env := emutest.Start(t)
	for _, body := range []string{
		"Action=RevokeSecurityGroupEgress&Version=2016-11-15&GroupId=sg-00000000000000000&IpPermissions=",
		"Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&IpPermissions.1.IpProtocol=tcp",
		"Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=abc",
		"%%%",
		"",
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("%q: status %d: %s", body, rec.Code, rec.Body.String())
		}
	}
}

func throttledEnv(t *testing.T) (*emutest.Env, *clocktesting.FakeClock) {
	t.Helper()
	clk := clocktesting.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{Throttle: true, Clock: clk}))
	return env, clk
}

func TestThrottlingEC2UnfilteredDescribeBucket(t *testing.T) {
	env, _ := throttledEnv(t)
	ctx := t.Context()
	for i := 1; i <= 51; i++ {
		_, err := env.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{})
		if i <= 50 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 51 && (apiCode(err) != "RequestLimitExceeded" || httpStatus(err) != 503) {
			t.Fatalf("call 51: want 503 RequestLimitExceeded, got %v", err)
		}
	}
	// Filtered calls use the larger non-mutating bucket of their own.
	for i := 1; i <= 100; i++ {
		_, err := env.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{
			Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-x"}}},
		})
		if err != nil {
			t.Fatalf("filtered call %d: %v", i, err)
		}
	}
}

func TestThrottlingELBv2SharedAccountBucket(t *testing.T) {
	env, clk := throttledEnv(t)
	ctx := t.Context()
	arn := "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/nope/0123456789abcdef"
	for i := 1; i <= 21; i++ {
		_, err := env.ELBv2.AddTags(ctx, &awselbv2.AddTagsInput{ResourceArns: []string{arn}, Tags: []elbv2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		if i == 21 {
			if apiCode(err) != "Throttling" || httpStatus(err) != 400 || !strings.Contains(err.Error(), "Rate exceeded") {
				t.Fatalf("21st AddTags: want 400 Throttling Rate exceeded, got %v", err)
			}
		} else if apiCode(err) == "Throttling" {
			t.Fatalf("AddTags %d throttled early", i)
		}
	}
	clk.Step(time.Hour) // refill everything
	throttled := 0
	for i := 1; i <= 41; i++ {
		var err error
		if i%2 == 0 {
			_, err = env.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{})
		} else {
			_, err = env.ELBv2.DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{})
		}
		if apiCode(err) == "Throttling" {
			throttled++
			if i != 41 {
				t.Fatalf("call %d throttled; the shared bucket holds 40", i)
			}
		}
	}
	if throttled != 1 {
		t.Fatalf("want the 41st call throttled, got %d throttled", throttled)
	}
}

func TestThrottlingAbsorbedBySDKRetries(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Throttle: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.OverrideBucket("tags", emulator.BucketSpec{Capacity: 5, Refill: 5})
	cfg := emutest.Config(srv)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 20
			o.MaxBackoff = 300 * time.Millisecond
			o.RateLimiter = ratelimit.None
		})
	}
	client := awsec2.NewFromConfig(cfg)
	vpcs, err := client.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(vpcs.Vpcs[0].VpcId)
	for i := 0; i < 30; i++ {
		if _, err := client.CreateTags(t.Context(), &awsec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
			t.Fatalf("CreateTags %d: %v", i, err)
		}
	}
	if n := srv.Calls().Actions["ec2:CreateTags"].Errors["RequestLimitExceeded"]; n == 0 {
		t.Fatal("expected some throttled attempts that the retryer absorbed")
	}
}

func TestScriptedFaults(t *testing.T) {
	env := emutest.Start(t)
	env.Server.Faults().Fail("DescribeVpcs", "InternalError", 2)
	for i := 0; i < 2; i++ {
		_, err := env.EC2.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{})
		if apiCode(err) != "InternalError" || httpStatus(err) != 500 {
			t.Fatalf("call %d: want 500 InternalError, got %v", i, err)
		}
	}
	if _, err := env.EC2.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("third call: %v", err)
	}
}

func TestRandomFaultsAreReproducible(t *testing.T) {
	run := func() []string {
		spec, err := emulator.ParseFaults("internal=0.3,seed=42")
		if err != nil {
			t.Fatal(err)
		}
		env := emutest.Start(t, emutest.WithOptions(emulator.Options{Faults: spec}))
		var out []string
		for i := 0; i < 30; i++ {
			_, err := env.EC2.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{})
			out = append(out, apiCode(err))
		}
		return out
	}
	a, b := run(), run()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if !strings.Contains(strings.Join(a, ","), "InternalError") {
		t.Fatal("30% faults injected none in 30 calls")
	}
}

func TestParseFaultsRejectsUnknownKeys(t *testing.T) {
	if _, err := emulator.ParseFaults("bogus=1"); err == nil {
		t.Fatal("want an error")
	}
	if _, err := emulator.ParseFaults("throttle=2"); err == nil {
		t.Fatal("want an error for a fraction above 1")
	}
}

func TestStateFileSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{StateFile: path}))
	seeded := env.Seeded(t)
	out, err := env.EC2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(seeded.VPCID),
	})
	if err != nil {
		t.Fatal(err)
	}
	before, err := env.Server.State()
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Server.Flush(); err != nil {
		t.Fatal(err)
	}
	again := emutest.Start(t, emutest.WithOptions(emulator.Options{StateFile: path}))
	got, err := again.EC2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(out.GroupId)}})
	if err != nil || len(got.SecurityGroups) != 1 {
		t.Fatalf("group lost across restart: %v", err)
	}
	after, err := again.Server.State()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Fatal("state changed across a save/load round trip")
	}
	// A new ID after restart must not collide with existing ones.
	out2, err := again.EC2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String("web2"), Description: aws.String("web"), VpcId: aws.String(seeded.VPCID),
	})
	if err != nil || aws.ToString(out2.GroupId) == aws.ToString(out.GroupId) {
		t.Fatalf("second group: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialsModeVerifiesSignatures(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Credentials: map[string]string{"AKIDGOOD": "good-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := func(key, secret string) (*awsec2.Client, *awselbv2.Client) {
		cfg := aws.Config{
			Region:       "us-west-2",
			Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
			BaseEndpoint: aws.String(hs.URL),
			Retryer:      func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 1) },
		}
		return awsec2.NewFromConfig(cfg), awselbv2.NewFromConfig(cfg)
	}
	good, goodELB := client("AKIDGOOD", "good-secret")
	if _, err := good.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{}); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	if _, err := goodELB.DescribeLoadBalancers(t.Context(), &awselbv2.DescribeLoadBalancersInput{}); err != nil {
		t.Fatalf("valid ELBv2 signature refused: %v", err)
	}
	badSecret, _ := client("AKIDGOOD", "wrong")
	if _, err := badSecret.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{}); apiCode(err) != "AuthFailure" {
		t.Fatalf("wrong secret: want AuthFailure, got %v", err)
	}
	_, unknownELB := client("AKIDUNKNOWN", "x")
	if _, err := unknownELB.DescribeLoadBalancers(t.Context(), &awselbv2.DescribeLoadBalancersInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("unknown key: want InvalidClientTokenId, got %v", err)
	}
}

func TestEKSDescribeCluster(t *testing.T) {
	env := emutest.Start(t)
	seeded := env.Seeded(t)
	out, err := env.EKS.DescribeCluster(t.Context(), &awseks.DescribeClusterInput{Name: aws.String("sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Cluster.ResourcesVpcConfig.VpcId); got != seeded.VPCID {
		t.Fatalf("vpcId %q, want %q", got, seeded.VPCID)
	}
	list, err := env.EKS.ListClusters(t.Context(), &awseks.ListClustersInput{})
	if err != nil || len(list.Clusters) != 1 || list.Clusters[0] != "sandbox" {
		t.Fatalf("ListClusters: %v %v", list, err)
	}
	_, err = env.EKS.DescribeCluster(t.Context(), &awseks.DescribeClusterInput{Name: aws.String("nope")})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("unknown cluster: %v", err)
	}
}

func TestControlAPI(t *testing.T) {
	env := emutest.Start(t)
	hs := httptest.NewServer(env.Server)
	t.Cleanup(hs.Close)
	if _, err := env.EC2.DescribeVpcs(t.Context(), &awsec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	get := func(path string) map[string]any {
		resp, err := http.Get(hs.URL + path) //nolint:noctx // test helper
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v: %s", path, err, b)
		}
		return m
	}
	calls := get("/_lbsg/calls")
	if calls["total"].(float64) < 1 {
		t.Fatalf("calls: %v", calls)
	}
	state := get("/_lbsg/state")
	if _, ok := state["ec2"]; !ok {
		t.Fatalf("state lacks ec2: %v", state)
	}
	resp, err := http.Post(hs.URL+"/_lbsg/reset", "application/json", nil) //nolint:noctx // test helper
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("reset: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if get("/_lbsg/calls")["total"].(float64) != 0 {
		t.Fatal("reset did not empty the call log")
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.Listen(t.Context(), "0.0.0.0:0", false); err == nil {
		t.Fatal("listening on 0.0.0.0 without allowRemote must fail")
	}
}
