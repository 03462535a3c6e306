package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

const role = "arn:aws:iam::210987654321:role/tgb-writer"

// signed starts an emulator that requires SigV4 by its one key pair.
func signed(t *testing.T) *emutest.Env {
	t.Helper()
	return emutest.Start(t, emutest.WithOptions(emulator.Options{Credentials: map[string]string{"AKIDEMULATOR": "emulator-secret"}}))
}

func TestSTSAssumeRoleCredentialsAreAcceptedWithTheirToken(t *testing.T) {
	env := signed(t)
	ctx := t.Context()
	out, err := awssts.NewFromConfig(env.Config).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("lbsg")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" ||
		c.Expiration == nil || c.Expiration.Sub(time.Now()) < 50*time.Minute {
		t.Fatalf("credentials %+v", c)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::210987654321:assumed-role/tgb-writer/lbsg" {
		t.Errorf("assumed role ARN %s", got)
	}
	as := env.Config.Copy()
	as.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	if _, err := awselbv2.NewFromConfig(as).DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{}); err != nil {
		t.Errorf("the assumed credentials are refused: %v", err)
	}
	as.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), "forged")
	if _, err := awselbv2.NewFromConfig(as).DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("a wrong session token: %v, want InvalidClientTokenId", err)
	}
}

func TestSTSAssumeRoleRefusesWhatSTSRefuses(t *testing.T) {
	env := signed(t)
	env.Server.RequireExternalID(role, "shared-secret")
	api := awssts.NewFromConfig(env.Config)
	for _, tc := range []struct {
		name string
		in   awssts.AssumeRoleInput
		code string
	}{
		{"the external ID the role requires", awssts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), ExternalId: aws.String("shared-secret")}, ""},
		{"no external ID", awssts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}, "AccessDenied"},
		{"another external ID", awssts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), ExternalId: aws.String("guess")}, "AccessDenied"},
		{"not a role ARN", awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::210987654321:user/bob"), RoleSessionName: aws.String("s1")}, "ValidationError"},
		{"a short session name", awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::210987654321:role/x"), RoleSessionName: aws.String("s")}, "ValidationError"},
		{"a session longer than the role allows", awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::210987654321:role/x"), RoleSessionName: aws.String("s1"),
			DurationSeconds: aws.Int32(7200)}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.AssumeRole(t.Context(), &tc.in)
			if got := apiCode(err); got != tc.code {
				t.Errorf("error %v, want %q", err, tc.code)
			}
		})
	}
}

func TestControlAPISetsHealthAndRoles(t *testing.T) {
	env := emutest.Start(t)
	post := func(path, body string) int {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := post("/_lbsg/health", `{"scale": 0.01}`); c != http.StatusOK {
		t.Errorf("health scale: %d", c)
	}
	if c := post("/_lbsg/health", `{"scale": -1}`); c != http.StatusBadRequest {
		t.Errorf("negative health scale: %d", c)
	}
	if c := post("/_lbsg/targets/health", `{"targetGroupArn": "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/x/1", "id": "10.0.0.1", "state": "unhealthy"}`); c != http.StatusNotFound {
		t.Errorf("marking a target of a missing group: %d", c)
	}
	if c := post("/_lbsg/roles", `{"roleArn": "`+role+`", "externalId": "x1"}`); c != http.StatusOK {
		t.Errorf("roles: %d", c)
	}
	_, err := awssts.NewFromConfig(env.Config).AssumeRole(t.Context(), &awssts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("a role registered with an external ID was assumed without it: %v", err)
	}
}
