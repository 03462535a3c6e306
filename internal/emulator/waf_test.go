package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	shieldtypes "github.com/aws/aws-sdk-go-v2/service/shield/types"
	awswafregional "github.com/aws/aws-sdk-go-v2/service/wafregional"
	wafregionaltypes "github.com/aws/aws-sdk-go-v2/service/wafregional/types"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"
	wafv2types "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// albEnv is an emulator with one ALB and one NLB.
func albEnv(t *testing.T) (env *emutest.Env, alb, nlb string) {
	t.Helper()
	env = emutest.Start(t)
	seed := env.Seeded(t)
	mk := func(name string, typ elbv2types.LoadBalancerTypeEnum) string {
		out, err := env.ELBv2.CreateLoadBalancer(t.Context(), &awselbv2.CreateLoadBalancerInput{Name: aws.String(name), Type: typ,
			Subnets: seed.PublicSubnets[:2]})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	}
	return env, mk("web", elbv2types.LoadBalancerTypeEnumApplication), mk("net", elbv2types.LoadBalancerTypeEnumNetwork)
}

func sandboxACL(name, id string) string {
	return "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/" + name + "/" + id
}

func TestWAFv2WebACLLifecycleWithLockTokens(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	create := func(name string) *wafv2types.WebACLSummary {
		out, err := env.WAFv2.CreateWebACL(ctx, &awswafv2.CreateWebACLInput{Name: aws.String(name), Scope: wafv2types.ScopeRegional,
			DefaultAction:    &wafv2types.DefaultAction{Allow: &wafv2types.AllowAction{}},
			VisibilityConfig: &wafv2types.VisibilityConfig{MetricName: aws.String(name), CloudWatchMetricsEnabled: false, SampledRequestsEnabled: false}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Summary
	}
	a := create("first")
	if !strings.HasPrefix(aws.ToString(a.ARN), "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/first/") || aws.ToString(a.LockToken) == "" {
		t.Fatalf("summary %+v", a)
	}
	for i := range 3 {
		create("more-" + string(rune('a'+i)))
	}
	_, err := env.WAFv2.CreateWebACL(ctx, &awswafv2.CreateWebACLInput{Name: aws.String("first"), Scope: wafv2types.ScopeRegional,
		DefaultAction:    &wafv2types.DefaultAction{Allow: &wafv2types.AllowAction{}},
		VisibilityConfig: &wafv2types.VisibilityConfig{MetricName: aws.String("x")}})
	if apiCode(err) != "WAFDuplicateItemException" {
		t.Errorf("a duplicate name: %v", err)
	}
	got, err := env.WAFv2.GetWebACL(ctx, &awswafv2.GetWebACLInput{Name: a.Name, Id: a.Id, Scope: wafv2types.ScopeRegional})
	if err != nil || aws.ToString(got.WebACL.ARN) != aws.ToString(got.WebACL.ARN) || aws.ToString(got.LockToken) != aws.ToString(a.LockToken) || got.WebACL.DefaultAction.Allow == nil {
		t.Fatalf("GetWebACL %+v, %v", got, err)
	}
	var names []string
	var marker *string
	for pages := 0; pages == 0 || marker != nil; pages++ {
		out, err := env.WAFv2.ListWebACLs(ctx, &awswafv2.ListWebACLsInput{Scope: wafv2types.ScopeRegional, Limit: aws.Int32(2), NextMarker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.WebACLs {
			names = append(names, aws.ToString(s.Name))
		}
		marker = out.NextMarker
	}
	if !slices.Equal(names, []string{"first", "more-a", "more-b", "more-c"}) {
		t.Errorf("listed %v", names)
	}
	if _, err := env.WAFv2.ListWebACLs(ctx, &awswafv2.ListWebACLsInput{Scope: wafv2types.ScopeCloudfront}); apiCode(err) != "WAFInvalidParameterException" {
		t.Errorf("CLOUDFRONT scope in a regional emulator: %v", err)
	}
	if _, err := env.WAFv2.DeleteWebACL(ctx, &awswafv2.DeleteWebACLInput{Name: a.Name, Id: a.Id, Scope: wafv2types.ScopeRegional,
		LockToken: aws.String("00000000-0000-4000-a000-000000000000")}); apiCode(err) != "WAFOptimisticLockException" {
		t.Errorf("a stale lock token: %v", err)
	}
	if _, err := env.WAFv2.DeleteWebACL(ctx, &awswafv2.DeleteWebACLInput{Name: a.Name, Id: a.Id, Scope: wafv2types.ScopeRegional, LockToken: a.LockToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.WAFv2.GetWebACL(ctx, &awswafv2.GetWebACLInput{Name: a.Name, Id: a.Id, Scope: wafv2types.ScopeRegional}); apiCode(err) != "WAFNonexistentItemException" {
		t.Errorf("a deleted ACL: %v", err)
	}
}

func TestWAFv2AssociationFollowsTheALB(t *testing.T) {
	env, alb, nlb := albEnv(t)
	ctx := t.Context()
	acl := sandboxACL("sandbox-web-acl", emulator.SandboxWebACLID)
	strict := sandboxACL("sandbox-strict-acl", emulator.SandboxStrictWebACLID)
	assoc := func() string {
		out, err := env.WAFv2.GetWebACLForResource(ctx, &awswafv2.GetWebACLForResourceInput{ResourceArn: aws.String(alb)})
		if err != nil {
			t.Fatal(err)
		}
		if out.WebACL == nil {
			return ""
		}
		return aws.ToString(out.WebACL.ARN)
	}
	if got := assoc(); got != "" {
		t.Fatalf("a new ALB has web ACL %s", got)
	}
	if _, err := env.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(alb), WebACLArn: aws.String(acl)}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(alb), WebACLArn: aws.String(strict)}); err != nil {
		t.Fatal(err)
	}
	if got := assoc(); got != strict {
		t.Errorf("associating another ACL replaces the first: %s", got)
	}
	for _, tt := range []struct{ name, res, acl, code string }{
		{"an unknown ACL", alb, sandboxACL("nope", "00000000-0000-4000-a000-000000000009"), "WAFNonexistentItemException"},
		{"a network load balancer", nlb, acl, "WAFInvalidParameterException"},
		{"a load balancer that does not exist", strings.Replace(alb, "/web/", "/gone/", 1), acl, "WAFNonexistentItemException"},
	} {
		_, err := env.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(tt.res), WebACLArn: aws.String(tt.acl)})
		if apiCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	got, err := env.WAFv2.GetWebACL(ctx, &awswafv2.GetWebACLInput{Name: aws.String("sandbox-strict-acl"), Id: aws.String(emulator.SandboxStrictWebACLID), Scope: wafv2types.ScopeRegional})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.WAFv2.DeleteWebACL(ctx, &awswafv2.DeleteWebACLInput{Name: aws.String("sandbox-strict-acl"), Id: aws.String(emulator.SandboxStrictWebACLID),
		Scope: wafv2types.ScopeRegional, LockToken: got.LockToken}); apiCode(err) != "WAFAssociatedItemException" {
		t.Errorf("deleting an associated ACL: %v", err)
	}
	if _, err := env.WAFv2.DisassociateWebACL(ctx, &awswafv2.DisassociateWebACLInput{ResourceArn: aws.String(alb)}); err != nil {
		t.Fatal(err)
	}
	if got := assoc(); got != "" {
		t.Errorf("after disassociating: %s", got)
	}
	if _, err := env.WAFv2.DisassociateWebACL(ctx, &awswafv2.DisassociateWebACLInput{ResourceArn: aws.String(alb)}); err != nil {
		t.Errorf("disassociating twice: %v", err)
	}
	// Deleting the ALB removes its association.
	if _, err := env.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(alb), WebACLArn: aws.String(acl)}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.ELBv2.DeleteLoadBalancer(ctx, &awselbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(alb)}); err != nil {
		t.Fatal(err)
	}
	res, err := env.WAFv2.ListResourcesForWebACL(ctx, &awswafv2.ListResourcesForWebACLInput{WebACLArn: aws.String(acl)})
	if err != nil || len(res.ResourceArns) != 0 {
		t.Errorf("resources of the ACL after the ALB is deleted: %v, %v", res, err)
	}
	if _, err := env.WAFv2.GetWebACLForResource(ctx, &awswafv2.GetWebACLForResourceInput{ResourceArn: aws.String(alb)}); apiCode(err) != "WAFNonexistentItemException" {
		t.Errorf("the ACL of a deleted ALB: %v", err)
	}
}

func TestWAFRegionalChangeTokensAndAssociations(t *testing.T) {
	env, alb, nlb := albEnv(t)
	ctx := t.Context()
	tok, err := env.WAFRegional.GetChangeToken(ctx, &awswafregional.GetChangeTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := &awswafregional.CreateWebACLInput{Name: aws.String("classic"), MetricName: aws.String("classic"), ChangeToken: tok.ChangeToken,
		DefaultAction: &wafregionaltypes.WafAction{Type: wafregionaltypes.WafActionTypeBlock}}
	out, err := env.WAFRegional.CreateWebACL(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := out.WebACL.WebACLId
	if aws.ToString(out.WebACL.WebACLArn) != "arn:aws:waf-regional:us-west-2:123456789012:webacl/"+aws.ToString(id) {
		t.Errorf("ARN %s", aws.ToString(out.WebACL.WebACLArn))
	}
	in.Name, in.MetricName = aws.String("again"), aws.String("again")
	if _, err := env.WAFRegional.CreateWebACL(ctx, in); apiCode(err) != "WAFStaleDataException" {
		t.Errorf("a spent change token: %v", err)
	}
	st, err := env.WAFRegional.GetChangeTokenStatus(ctx, &awswafregional.GetChangeTokenStatusInput{ChangeToken: tok.ChangeToken})
	if err != nil || st.ChangeTokenStatus != wafregionaltypes.ChangeTokenStatusInsync {
		t.Errorf("status of a spent token: %+v, %v", st, err)
	}
	list, err := env.WAFRegional.ListWebACLs(ctx, &awswafregional.ListWebACLsInput{})
	if err != nil || len(list.WebACLs) != 2 {
		t.Fatalf("listed %+v, %v (the seeded ACL and ours)", list, err)
	}
	if _, err := env.WAFRegional.AssociateWebACL(ctx, &awswafregional.AssociateWebACLInput{ResourceArn: aws.String(alb), WebACLId: id}); err != nil {
		t.Fatal(err)
	}
	got, err := env.WAFRegional.GetWebACLForResource(ctx, &awswafregional.GetWebACLForResourceInput{ResourceArn: aws.String(alb)})
	if err != nil || got.WebACLSummary == nil || aws.ToString(got.WebACLSummary.WebACLId) != aws.ToString(id) {
		t.Fatalf("GetWebACLForResource %+v, %v", got, err)
	}
	if _, err := env.WAFRegional.AssociateWebACL(ctx, &awswafregional.AssociateWebACLInput{ResourceArn: aws.String(alb), WebACLId: aws.String("00000000-0000-4000-a000-000000000000")}); apiCode(err) != "WAFNonexistentItemException" {
		t.Errorf("an unknown ACL: %v", err)
	}
	if _, err := env.WAFRegional.AssociateWebACL(ctx, &awswafregional.AssociateWebACLInput{ResourceArn: aws.String(nlb), WebACLId: id}); apiCode(err) != "WAFInvalidParameterException" {
		t.Errorf("an NLB: %v", err)
	}
	if _, err := env.WAFRegional.DisassociateWebACL(ctx, &awswafregional.DisassociateWebACLInput{ResourceArn: aws.String(alb)}); err != nil {
		t.Fatal(err)
	}
	got, err = env.WAFRegional.GetWebACLForResource(ctx, &awswafregional.GetWebACLForResourceInput{ResourceArn: aws.String(alb)})
	if err != nil || got.WebACLSummary != nil {
		t.Errorf("after disassociating: %+v, %v", got, err)
	}
}

func TestShieldProtectionsNeedASubscription(t *testing.T) {
	env, alb, _ := albEnv(t)
	ctx := t.Context()
	st, err := env.Shield.GetSubscriptionState(ctx, &awsshield.GetSubscriptionStateInput{})
	if err != nil || st.SubscriptionState != shieldtypes.SubscriptionStateInactive {
		t.Fatalf("a new account: %+v, %v", st, err)
	}
	create := func(name string) (*awsshield.CreateProtectionOutput, error) {
		return env.Shield.CreateProtection(ctx, &awsshield.CreateProtectionInput{Name: aws.String(name), ResourceArn: aws.String(alb)})
	}
	if _, err := create("p"); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("protecting without a subscription: %v", err)
	}
	env.Server.SetShieldSubscription(true)
	p, err := create("managed by aws-load-balancer-controller")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create("again"); apiCode(err) != "ResourceAlreadyExistsException" {
		t.Errorf("a second protection: %v", err)
	}
	d, err := env.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(alb)})
	if err != nil || aws.ToString(d.Protection.Id) != aws.ToString(p.ProtectionId) || aws.ToString(d.Protection.Name) != "managed by aws-load-balancer-controller" {
		t.Fatalf("DescribeProtection %+v, %v", d, err)
	}
	if _, err := env.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(alb), ProtectionId: p.ProtectionId}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("both ID and ARN: %v", err)
	}
	l, err := env.Shield.ListProtections(ctx, &awsshield.ListProtectionsInput{})
	if err != nil || len(l.Protections) != 1 {
		t.Errorf("ListProtections %+v, %v", l, err)
	}
	if _, err := env.Shield.DeleteProtection(ctx, &awsshield.DeleteProtectionInput{ProtectionId: p.ProtectionId}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(alb)}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("a deleted protection: %v", err)
	}
	if _, err := env.Shield.DeleteProtection(ctx, &awsshield.DeleteProtectionInput{ProtectionId: p.ProtectionId}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("deleting twice: %v", err)
	}
}

// TestWAFAndShieldThroughTheAWSCLI drives the three services with AWS CLI
// v2 (Debian's /usr/bin/aws; skipped where it is missing).
func TestWAFAndShieldThroughTheAWSCLI(t *testing.T) {
	cliPath := os.Getenv("LBSG_AWS_CLI")
	if cliPath == "" {
		cliPath = "/usr/bin/aws"
	}
	if v, err := exec.Command(cliPath, "--version").CombinedOutput(); err != nil || !strings.HasPrefix(string(v), "aws-cli/2.") {
		t.Skipf("AWS CLI v2 not found at %s", cliPath)
	}
	env, alb, _ := albEnv(t)
	srv := httptest.NewServer(env.Server)
	t.Cleanup(srv.Close)
	run := func(wantCode string, v any, args ...string) {
		t.Helper()
		cmd := exec.Command(cliPath, append([]string{"--endpoint-url", srv.URL, "--region", "us-west-2", "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_MAX_ATTEMPTS=1",
			"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if wantCode != "" {
			if err == nil || !strings.Contains(errb.String(), "("+wantCode+")") {
				t.Fatalf("aws %v: want %s, got %v: %s", args, wantCode, err, errb.String())
			}
			return
		}
		if err != nil {
			t.Fatalf("aws %v: %v: %s", args, err, errb.String())
		}
		if v != nil {
			if err := json.Unmarshal(out.Bytes(), v); err != nil {
				t.Fatalf("aws %v: %q: %v", args, out.String(), err)
			}
		}
	}
	var created struct {
		Summary struct{ ARN, Id, LockToken string }
	}
	run("", &created, "wafv2", "create-web-acl", "--name", "cli-acl", "--scope", "REGIONAL", "--default-action", "Block={}",
		"--visibility-config", "SampledRequestsEnabled=false,CloudWatchMetricsEnabled=false,MetricName=cli")
	run("", nil, "wafv2", "associate-web-acl", "--web-acl-arn", created.Summary.ARN, "--resource-arn", alb)
	var forRes struct{ WebACL struct{ ARN, Name string } }
	run("", &forRes, "wafv2", "get-web-acl-for-resource", "--resource-arn", alb)
	if forRes.WebACL.ARN != created.Summary.ARN {
		t.Errorf("get-web-acl-for-resource: %+v", forRes)
	}
	var list struct{ WebACLs []struct{ Name string } }
	run("", &list, "wafv2", "list-web-acls", "--scope", "REGIONAL")
	if len(list.WebACLs) != 3 {
		t.Errorf("list-web-acls: %+v (two seeded and ours)", list)
	}
	run("WAFAssociatedItemException", nil, "wafv2", "delete-web-acl", "--name", "cli-acl", "--scope", "REGIONAL", "--id", created.Summary.Id, "--lock-token", created.Summary.LockToken)
	run("", nil, "wafv2", "disassociate-web-acl", "--resource-arn", alb)
	run("", nil, "wafv2", "delete-web-acl", "--name", "cli-acl", "--scope", "REGIONAL", "--id", created.Summary.Id, "--lock-token", created.Summary.LockToken)
	run("WAFNonexistentItemException", nil, "wafv2", "get-web-acl", "--name", "cli-acl", "--scope", "REGIONAL", "--id", created.Summary.Id)

	var tok struct{ ChangeToken string }
	run("", &tok, "waf-regional", "get-change-token")
	var classic struct{ WebACL struct{ WebACLId string } }
	run("", &classic, "waf-regional", "create-web-acl", "--name", "cli-classic", "--metric-name", "cliclassic", "--default-action", "Type=ALLOW", "--change-token", tok.ChangeToken)
	run("WAFStaleDataException", nil, "waf-regional", "create-web-acl", "--name", "cli-other", "--metric-name", "cliother", "--default-action", "Type=ALLOW", "--change-token", tok.ChangeToken)
	run("", nil, "waf-regional", "associate-web-acl", "--web-acl-id", classic.WebACL.WebACLId, "--resource-arn", alb)
	var sum struct{ WebACLSummary struct{ WebACLId string } }
	run("", &sum, "waf-regional", "get-web-acl-for-resource", "--resource-arn", alb)
	if sum.WebACLSummary.WebACLId != classic.WebACL.WebACLId {
		t.Errorf("waf-regional get-web-acl-for-resource: %+v", sum)
	}
	run("", nil, "waf-regional", "disassociate-web-acl", "--resource-arn", alb)

	var state struct{ SubscriptionState string }
	run("", &state, "shield", "get-subscription-state")
	if state.SubscriptionState != "INACTIVE" {
		t.Errorf("shield get-subscription-state: %+v", state)
	}
	run("ResourceNotFoundException", nil, "shield", "create-protection", "--name", "p", "--resource-arn", alb)
	env.Server.SetShieldSubscription(true)
	var prot struct{ ProtectionId string }
	run("", &prot, "shield", "create-protection", "--name", "managed by aws-load-balancer-controller", "--resource-arn", alb)
	var desc struct {
		Protection struct{ Id, Name, ResourceArn string }
	}
	run("", &desc, "shield", "describe-protection", "--resource-arn", alb)
	if desc.Protection.Id != prot.ProtectionId || desc.Protection.ResourceArn != alb {
		t.Errorf("shield describe-protection: %+v", desc)
	}
	var plist struct{ Protections []struct{ Id string } }
	run("", &plist, "shield", "list-protections")
	if len(plist.Protections) != 1 {
		t.Errorf("shield list-protections: %+v", plist)
	}
	run("", nil, "shield", "delete-protection", "--protection-id", prot.ProtectionId)
	run("ResourceNotFoundException", nil, "shield", "describe-protection", "--protection-id", prot.ProtectionId)
}

func TestShieldSubscriptionAndAssociationsThroughSeedControlAndStateFile(t *testing.T) {
	seed := emulator.DefaultSeed("sandbox", "us-west-2")
	seed.ShieldSubscription = true
	path := t.TempDir() + "/state.json"
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{Seed: &seed, StateFile: path}))
	ctx := t.Context()
	st, err := env.Shield.GetSubscriptionState(ctx, &awsshield.GetSubscriptionStateInput{})
	if err != nil || st.SubscriptionState != shieldtypes.SubscriptionStateActive {
		t.Fatalf("a seed with shieldSubscription: %+v, %v", st, err)
	}
	srv := httptest.NewServer(env.Server)
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/_lbsg/shield", strings.NewReader(`{"subscribed": false}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if st, err := env.Shield.GetSubscriptionState(ctx, &awsshield.GetSubscriptionStateInput{}); err != nil || st.SubscriptionState != shieldtypes.SubscriptionStateInactive {
		t.Fatalf("after POST /_lbsg/shield subscribed=false: %+v, %v", st, err)
	}

	seeded := env.Seeded(t)
	lb, err := env.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: seeded.PublicSubnets[:2]})
	if err != nil {
		t.Fatal(err)
	}
	alb := aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	acl := sandboxACL("sandbox-web-acl", emulator.SandboxWebACLID)
	if _, err := env.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(alb), WebACLArn: aws.String(acl)}); err != nil {
		t.Fatal(err)
	}
	if err := env.Server.Flush(); err != nil {
		t.Fatal(err)
	}
	again := emutest.Start(t, emutest.WithOptions(emulator.Options{StateFile: path}))
	got, err := again.WAFv2.GetWebACLForResource(ctx, &awswafv2.GetWebACLForResourceInput{ResourceArn: aws.String(alb)})
	if err != nil || got.WebACL == nil || aws.ToString(got.WebACL.ARN) != acl {
		t.Errorf("the association after a restart: %+v, %v", got, err)
	}
}
