package graph_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"
	wafv2types "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/graph"
)

// TestAnALBLabelShowsItsRulesWebACLAndShield: read from the emulator, an
// ALB's label lists each listener rule (conditions → actions, the
// authenticate action first, target groups by name, the default rule
// last), its web ACL by name and its Shield protection; without add-on
// readers the add-ons are not read.
func TestAnALBLabelShowsItsRulesWebACLAndShield(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{}))
	seed := env.Seeded(t)
	ctx := t.Context()
	lb, err := env.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("shop"),
		Type: elbv2types.LoadBalancerTypeEnumApplication, Subnets: seed.PublicSubnets})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := lb.LoadBalancers[0].LoadBalancerArn
	tg, err := env.ELBv2.CreateTargetGroup(ctx, &awselbv2.CreateTargetGroupInput{Name: aws.String("shop-api"),
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(8080), TargetType: elbv2types.TargetTypeEnumIp, VpcId: aws.String(seed.VPCID)})
	if err != nil {
		t.Fatal(err)
	}
	tgARN := tg.TargetGroups[0].TargetGroupArn
	ls, err := env.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lbARN,
		Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443), Certificates: []elbv2types.Certificate{{CertificateArn: aws.String("arn:aws:acm:us-west-2:123456789012:certificate/" + emulator.SandboxCertificateID)}},
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("404"), ContentType: aws.String("text/plain")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.ELBv2.CreateRule(ctx, &awselbv2.CreateRuleInput{ListenerArn: ls.Listeners[0].ListenerArn, Priority: aws.Int32(1),
		Conditions: []elbv2types.RuleCondition{
			{Field: aws.String("host-header"), HostHeaderConfig: &elbv2types.HostHeaderConditionConfig{Values: []string{"shop.example"}}},
			{Field: aws.String("path-pattern"), PathPatternConfig: &elbv2types.PathPatternConditionConfig{Values: []string{"/api/*"}}},
		},
		Actions: []elbv2types.Action{
			{Type: elbv2types.ActionTypeEnumForward, Order: aws.Int32(2), TargetGroupArn: tgARN},
			{Type: elbv2types.ActionTypeEnumAuthenticateOidc, Order: aws.Int32(1), AuthenticateOidcConfig: &elbv2types.AuthenticateOidcActionConfig{
				Issuer: aws.String("https://idp.example"), AuthorizationEndpoint: aws.String("https://idp.example/auth"),
				TokenEndpoint: aws.String("https://idp.example/token"), UserInfoEndpoint: aws.String("https://idp.example/userinfo"),
				ClientId: aws.String("shop"), ClientSecret: aws.String("s3cret")}},
		}}); err != nil {
		t.Fatal(err)
	}

	acl, err := env.WAFv2.CreateWebACL(ctx, &awswafv2.CreateWebACLInput{Name: aws.String("shop-acl"), Scope: wafv2types.ScopeRegional,
		DefaultAction:    &wafv2types.DefaultAction{Allow: &wafv2types.AllowAction{}},
		VisibilityConfig: &wafv2types.VisibilityConfig{MetricName: aws.String("shop-acl")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.WAFv2.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: lbARN, WebACLArn: acl.Summary.ARN}); err != nil {
		t.Fatal(err)
	}
	env.Server.SetShieldSubscription(true)
	if _, err := env.Shield.CreateProtection(ctx, &awsshield.CreateProtectionInput{Name: aws.String("shop"), ResourceArn: lbARN}); err != nil {
		t.Fatal(err)
	}

	label := func(addons graph.Addons) []string {
		t.Helper()
		st, err := graph.Read(ctx, env.EC2, env.ELBv2, seed.VPCID, addons)
		if err != nil {
			t.Fatal(err)
		}
		n, ok := graph.Build(st).Node("lb:shop")
		if !ok {
			t.Fatalf("no node for the ALB in %+v", st.LoadBalancers)
		}
		return n.Label
	}
	got := label(graph.Addons{WAFv2: env.WAFv2, WAFRegional: env.WAFRegional, Shield: env.Shield})
	for _, want := range []string{
		"443 p1: host shop.example path /api/* → authenticate-oidc https://idp.example, forward shop-api",
		"443 default → fixed-response 404",
		"web ACL shop-acl",
		"Shield Advanced",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("label %q lacks %q", got, want)
		}
	}
	if i, j := slices.Index(got, "443 p1: host shop.example path /api/* → authenticate-oidc https://idp.example, forward shop-api"), slices.Index(got, "443 default → fixed-response 404"); i > j {
		t.Errorf("the default rule comes before rule 1: %q", got)
	}
	for _, l := range label(graph.Addons{}) {
		if l == "web ACL shop-acl" || l == "Shield Advanced" {
			t.Errorf("add-ons read without their readers: %q", l)
		}
	}
}

// TestRuleLinesRenderEveryConditionAndActionKind: each condition and
// action kind of a live rule has its words in the label; a foreign target
// group is named from its ARN; past twelve lines the rest are counted.
func TestRuleLinesRenderEveryConditionAndActionKind(t *testing.T) {
	w := func(n int32) *int32 { return &n }
	rules := []elbv2.Rule{
		{Priority: "2", Conditions: []elbv2.Condition{
			{Field: "http-header", HTTPHeaderName: "X-Env", Values: []string{"canary"}},
			{Field: "query-string", QueryString: []elbv2.QueryPair{{Key: "v", Value: "2"}, {Value: "beta"}}},
			{Field: "source-ip", Values: []string{"10.0.0.0/8"}},
			{Field: "http-request-method", Values: []string{"GET"}},
			{Field: "path-pattern", RegexValues: []string{"^/v[0-9]+"}},
		}, Actions: []elbv2.Action{{Type: "forward", Stickiness: &elbv2.Stickiness{Enabled: true, DurationSeconds: 60}, TargetGroups: []elbv2.WeightedTargetGroup{
			{ARN: "arn:own", Weight: w(90)},
			{ARN: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/other-tg/0123456789abcdef", Weight: w(10)},
		}}}, Transforms: []elbv2.Transform{{Type: "url-rewrite"}}},
		{Priority: "1", Conditions: []elbv2.Condition{{Field: "host-header", Values: []string{"a.example", "b.example"}}},
			Actions: []elbv2.Action{{Type: "redirect", Redirect: &elbv2.Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}}}},
		{Priority: "3", Actions: []elbv2.Action{{Type: "authenticate-cognito", Order: 1, Cognito: &elbv2.AuthenticateCognito{UserPoolARN: "arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_pool"}},
			{Type: "jwt-validation", Order: 2, JWT: &elbv2.JWTValidation{Issuer: "https://jwt.example"}}}},
	}
	lb := graph.LoadBalancer{ARN: "arn:lb", Name: "alb", Type: "application",
		TargetGroups: []graph.TargetGroup{{ARN: "arn:own", Name: "own-tg"}},
		Listeners:    []graph.Listener{{Protocol: "HTTP", Port: 80, Rules: rules}}}
	n, _ := graph.Build(graph.State{LoadBalancers: []graph.LoadBalancer{lb}}).Node("lb:alb")
	want := []string{
		"80 p1: host a.example,b.example → redirect HTTPS 443 HTTP_301",
		"80 p2: header X-Env canary query v=2,beta from 10.0.0.0/8 method GET path ~^/v[0-9]+ → forward own-tg(90) other-tg(10) sticky 60s (url-rewrite)",
		"80 p3: → authenticate-cognito us-west-2_pool, jwt-validation https://jwt.example",
	}
	i := slices.Index(n.Label, want[0])
	if i < 0 || !slices.Equal(n.Label[i:i+3], want) {
		t.Errorf("label %q, want the rule lines %q", n.Label, want)
	}

	for p := 4; p <= 20; p++ {
		lb.Listeners[0].Rules = append(lb.Listeners[0].Rules, elbv2.Rule{Priority: strconv.Itoa(p), Actions: []elbv2.Action{{Type: "fixed-response", FixedResponse: &elbv2.FixedResponse{StatusCode: "503"}}}})
	}
	n, _ = graph.Build(graph.State{LoadBalancers: []graph.LoadBalancer{lb}}).Node("lb:alb")
	if last := n.Label[len(n.Label)-1]; last != "… 9 more rules" {
		t.Errorf("20 rules end in %q, want \"… 9 more rules\" (11 shown)", last)
	}
}
