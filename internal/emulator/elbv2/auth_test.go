package elbv2

import (
	"strings"
	"testing"
)

// authWorld is an ALB with an HTTPS listener (l) and an HTTP one (plain).
func authWorld(t *testing.T) (h *harness, l, plain xListener) {
	h = newHarness(t)
	lb := h.alb("web")
	l = h.listener(lb.LoadBalancerArn, "443", append([]string{"Protocol", "HTTPS", "Certificates.member.1.CertificateArn", testCert}, fixed404()...)...)
	plain = h.listener(lb.LoadBalancerArn, "80", fixed404()...)
	return h, l, plain
}

func oidcAction(n string, extra ...string) []string {
	p := "Actions.member." + n + "."
	out := []string{p + "Type", "authenticate-oidc", p + "Order", n,
		p + "AuthenticateOidcConfig.Issuer", "https://idp.example.com",
		p + "AuthenticateOidcConfig.AuthorizationEndpoint", "https://idp.example.com/auth",
		p + "AuthenticateOidcConfig.TokenEndpoint", "https://idp.example.com/token",
		p + "AuthenticateOidcConfig.UserInfoEndpoint", "https://idp.example.com/userinfo",
		p + "AuthenticateOidcConfig.ClientId", "client"}
	for i := 0; i+1 < len(extra); i += 2 {
		out = append(out, p+"AuthenticateOidcConfig."+extra[i], extra[i+1])
	}
	return out
}

func fixedAction(n string) []string {
	p := "Actions.member." + n + "."
	return []string{p + "Type", "fixed-response", p + "Order", n, p + "FixedResponseConfig.StatusCode", "200"}
}

func ruleArgs(l xListener, prio string, actions ...[]string) []string {
	out := []string{"ListenerArn", l.ListenerArn, "Priority", prio, "Conditions.member.1.Field", "host-header",
		"Conditions.member.1.Values.member.1", "a.example.com"}
	for _, a := range actions {
		out = append(out, a...)
	}
	return out
}

func TestAuthenticateOIDCIsStoredWithItsDefaultsAndItsSecretIsNeverReturned(t *testing.T) {
	h, l, _ := authWorld(t)
	r := h.ok("CreateRule", ruleArgs(l, "1", oidcAction("1", "ClientSecret", "s3cret"), fixedAction("2"))...).(*rulesResult).Rules[0]
	body := render(t, "CreateRule", &rulesResult{Rules: []xRule{r}})
	mustContain(t, body, "<Type>authenticate-oidc</Type>", "<ClientId>client</ClientId>", "<Issuer>https://idp.example.com</Issuer>",
		"<OnUnauthenticatedRequest>authenticate</OnUnauthenticatedRequest>", "<Scope>openid</Scope>",
		"<SessionCookieName>AWSELBAuthSessionCookie</SessionCookieName>", "<SessionTimeout>604800</SessionTimeout>")
	described := render(t, "DescribeRules", h.ok("DescribeRules", "RuleArns.member.1", r.RuleArn))
	for _, s := range []string{body, described} {
		if strings.Contains(s, "s3cret") || strings.Contains(s, "ClientSecret") {
			t.Errorf("the client secret is returned:\n%s", s)
		}
	}
	// ModifyRule with UseExistingClientSecret keeps the stored secret.
	h.ok("ModifyRule", append([]string{"RuleArn", r.RuleArn}, append(oidcAction("1", "UseExistingClientSecret", "true"), fixedAction("2")...)...)...)
	if got := h.b.st.Rules[r.RuleArn].Actions[0].Auth["ClientSecret"]; got != "s3cret" {
		t.Errorf("secret after UseExistingClientSecret = %q, want the stored one", got)
	}
}

func TestAuthenticateActionValidation(t *testing.T) {
	h, l, plain := authWorld(t)
	cognito := []string{"Actions.member.1.Type", "authenticate-cognito", "Actions.member.1.Order", "1",
		"Actions.member.1.AuthenticateCognitoConfig.UserPoolArn", "arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc",
		"Actions.member.1.AuthenticateCognitoConfig.UserPoolClientId", "client",
		"Actions.member.1.AuthenticateCognitoConfig.UserPoolDomain", "auth.example.com"}
	jwt := []string{"Actions.member.1.Type", "jwt-validation", "Actions.member.1.Order", "1",
		"Actions.member.1.JwtValidationConfig.JwksEndpoint", "https://idp.example.com/jwks",
		"Actions.member.1.JwtValidationConfig.Issuer", "https://idp.example.com"}
	for _, tt := range []struct {
		name string
		l    xListener
		args [][]string
		code string
	}{
		{"an OIDC action without a client secret", l, [][]string{oidcAction("1"), fixedAction("2")}, "ValidationError"},
		{"an OIDC action with a secret and UseExistingClientSecret", l,
			[][]string{oidcAction("1", "ClientSecret", "s", "UseExistingClientSecret", "true"), fixedAction("2")}, "InvalidLoadBalancerAction"},
		{"UseExistingClientSecret on a new rule", l, [][]string{oidcAction("1", "UseExistingClientSecret", "true"), fixedAction("2")}, "ValidationError"},
		{"an OIDC action without an issuer", l, [][]string{{"Actions.member.1.Type", "authenticate-oidc", "Actions.member.1.Order", "1",
			"Actions.member.1.AuthenticateOidcConfig.ClientId", "c", "Actions.member.1.AuthenticateOidcConfig.ClientSecret", "s"}, fixedAction("2")}, "ValidationError"},
		{"a Cognito action without a domain", l, [][]string{cognito[:len(cognito)-2], fixedAction("2")}, "ValidationError"},
		{"an unknown on-unauthenticated behaviour", l, [][]string{cognito, {"Actions.member.1.AuthenticateCognitoConfig.OnUnauthenticatedRequest", "maybe"}, fixedAction("2")}, "ValidationError"},
		{"a session timeout over a week", l, [][]string{cognito, {"Actions.member.1.AuthenticateCognitoConfig.SessionTimeout", "604801"}, fixedAction("2")}, "InvalidConfigurationRequest"},
		{"authentication after the terminal action", l, [][]string{oidcAction("2", "ClientSecret", "s"), fixedAction("1")}, "InvalidLoadBalancerAction"},
		{"authentication alone", l, [][]string{cognito}, "InvalidLoadBalancerAction"},
		{"authentication on an HTTP listener", plain, [][]string{cognito, fixedAction("2")}, "InvalidConfigurationRequest"},
		{"JWT validation on an HTTP listener", plain, [][]string{jwt, fixedAction("2")}, "InvalidConfigurationRequest"},
		{"JWT validation without an issuer", l, [][]string{jwt[:len(jwt)-2], fixedAction("2")}, "ValidationError"},
		{"a JWT claim of an unknown format", l, [][]string{jwt, {"Actions.member.1.JwtValidationConfig.AdditionalClaims.member.1.Format", "csv",
			"Actions.member.1.JwtValidationConfig.AdditionalClaims.member.1.Name", "aud",
			"Actions.member.1.JwtValidationConfig.AdditionalClaims.member.1.Values.member.1", "x"}, fixedAction("2")}, "ValidationError"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			h.fail(tt.code, "CreateRule", ruleArgs(tt.l, "1", tt.args...)...)
		})
	}
	// Valid ones are stored and returned.
	r := h.ok("CreateRule", ruleArgs(l, "1", cognito, fixedAction("2"))...).(*rulesResult).Rules[0]
	mustContain(t, render(t, "CreateRule", &rulesResult{Rules: []xRule{r}}), "<UserPoolDomain>auth.example.com</UserPoolDomain>", "<Scope>openid</Scope>")
	r = h.ok("CreateRule", ruleArgs(l, "2", jwt, []string{"Actions.member.1.JwtValidationConfig.AdditionalClaims.member.1.Format", "string-array",
		"Actions.member.1.JwtValidationConfig.AdditionalClaims.member.1.Name", "groups",
		"Actions.member.1.JwtValidationConfig.AdditionalClaims.member.1.Values.member.1", "admins"}, fixedAction("2"))...).(*rulesResult).Rules[0]
	mustContain(t, render(t, "CreateRule", &rulesResult{Rules: []xRule{r}}),
		"<JwtValidationConfig><JwksEndpoint>https://idp.example.com/jwks</JwksEndpoint><Issuer>https://idp.example.com</Issuer>"+
			"<AdditionalClaims><member><Format>string-array</Format><Name>groups</Name><Values><member>admins</member></Values></member></AdditionalClaims></JwtValidationConfig>")
	// An HTTPS listener authenticating by default cannot become HTTP.
	h.ok("ModifyListener", "ListenerArn", l.ListenerArn, "DefaultActions.member.1.Type", "authenticate-cognito", "DefaultActions.member.1.Order", "1",
		"DefaultActions.member.1.AuthenticateCognitoConfig.UserPoolArn", "arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc",
		"DefaultActions.member.1.AuthenticateCognitoConfig.UserPoolClientId", "client",
		"DefaultActions.member.1.AuthenticateCognitoConfig.UserPoolDomain", "auth.example.com",
		"DefaultActions.member.2.Type", "fixed-response", "DefaultActions.member.2.Order", "2", "DefaultActions.member.2.FixedResponseConfig.StatusCode", "404")
	h.fail("InvalidConfigurationRequest", "ModifyListener", "ListenerArn", l.ListenerArn, "Protocol", "HTTP", "Port", "8443")
}
