package model

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// lrcActionLine renders a rule's actions in order, with what a
// ListenerRuleConfiguration sets.
func lrcActionLine(r ListenerRule) string {
	var out []string
	for _, a := range r.Actions {
		s := a.Type
		switch {
		case a.AuthOIDC != nil:
			o := a.AuthOIDC
			s += fmt.Sprintf(" %s id=%s secret=%s hash=%t scope=%s cookie=%s timeout=%d on=%s", o.Issuer, o.ClientID, o.ClientSecret,
				o.SecretHash == SecretHash(o.ClientSecret), o.Scope, o.SessionCookieName, o.SessionTimeout, o.OnUnauthenticatedRequest)
		case a.AuthCognito != nil:
			s += fmt.Sprintf(" %s on=%s scope=%s", a.AuthCognito.UserPoolARN, a.AuthCognito.OnUnauthenticatedRequest, a.AuthCognito.Scope)
		case a.JWT != nil:
			s += fmt.Sprintf(" %s claims=%d", a.JWT.Issuer, len(a.JWT.AdditionalClaims))
		case a.FixedResponse != nil:
			s += fmt.Sprintf(" %s %s %q", a.FixedResponse.StatusCode, a.FixedResponse.ContentType, a.FixedResponse.MessageBody)
		case a.Redirect != nil:
			s += fmt.Sprintf(" host=%s query=%q", a.Redirect.Host, a.Redirect.Query)
		case a.Forward != nil:
			s += fmt.Sprintf(" tgs=%d", len(a.Forward.TargetGroups))
			if st := a.Forward.Stickiness; st != nil {
				s += fmt.Sprintf(" sticky=%t/%d", *st.Enabled, *st.DurationSeconds)
			}
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func lrcCondLine(r ListenerRule) string {
	var out []string
	for _, c := range r.Conditions {
		out = append(out, fmt.Sprintf("%s%v", c.Field, c.Values))
	}
	return strings.Join(out, " ")
}

// A rule naming a ListenerRuleConfiguration gets its actions, conditions
// and tags as LBC builds them; what LBC would serve with less than asked
// is an error.
func TestBuildGatewayALBListenerRuleConfiguration(t *testing.T) {
	svc := gwService(false)
	exact := func(v string) gwv1.HTTPRouteMatch {
		return gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchExact), Value: ptr.To(v)}}
	}
	oidc := gwconfig.RuleAction{Type: gwconfig.RuleActionAuthenticateOIDC, AuthenticateOIDCConfig: &gwconfig.RuleAuthOIDCConfig{
		Issuer: "https://idp", Secret: &gwconfig.RuleSecret{Name: "idp"}}}
	cognito := gwconfig.RuleAction{Type: gwconfig.RuleActionAuthenticateCognito, AuthenticateCognitoConfig: &gwconfig.RuleAuthCognitoConfig{
		UserPoolArn: "arn:pool", RuleAuthSession: gwconfig.RuleAuthSession{OnUnauthenticatedRequest: ptr.To("allow"), Scope: ptr.To("email")}}}
	jwt := gwconfig.RuleAction{Type: gwconfig.RuleActionJWTValidation, JWTValidationConfig: &gwconfig.RuleJWTValidationConfig{
		Issuer: "https://jwt", AdditionalClaims: []gwconfig.RuleJWTClaim{{Format: "single-string", Name: "admin", Values: []string{"true"}}}}}
	fixed := gwconfig.RuleAction{Type: gwconfig.RuleActionFixedResponse, FixedResponseConfig: &gwconfig.RuleFixedResponseConfig{StatusCode: 418}}
	sticky := gwconfig.RuleAction{Type: gwconfig.RuleActionForward, ForwardConfig: &gwconfig.RuleForwardConfig{
		TargetGroupStickinessConfig: &gwconfig.RuleTargetGroupStickiness{Enabled: ptr.To(true), DurationSeconds: ptr.To(int32(60))}}}
	stickyDefaults := gwconfig.RuleAction{Type: gwconfig.RuleActionForward, ForwardConfig: &gwconfig.RuleForwardConfig{}}
	query := gwconfig.RuleAction{Type: gwconfig.RuleActionRedirect, RedirectConfig: &gwconfig.RuleRedirectConfig{Query: ptr.To("a=b")}}
	sourceIP := func(idx ...int) gwconfig.RuleCondition {
		c := gwconfig.RuleCondition{Field: gwconfig.RuleConditionSourceIP, SourceIPConfig: &gwconfig.RuleSourceIPConfig{Values: []string{"10.0.0.0/8"}}}
		if idx != nil {
			c.MatchIndexes = &idx
		}
		return c
	}
	cfg := func(spec gwconfig.ListenerRuleConfigurationSpec) *GatewayRuleConfig {
		return &GatewayRuleConfig{Namespace: "app", Name: "lrc", Spec: spec, OIDCClientID: "id", OIDCClientSecret: "sec"}
	}
	redirect := &gwv1.HTTPRequestRedirectFilter{Hostname: ptr.To(gwv1.PreciseHostname("new.example.com"))}
	for _, c := range []struct {
		name     string
		proto    string
		rule     GatewayHTTPRule
		defTags  map[string]string
		external []string
		// per rule (two matches /aa and /b: priorities 1, 2)
		wantActions, wantConds []string
		wantTags               map[string]string
		wantErr                string
	}{
		{name: "oidc before a sticky forward on HTTPS, with LBC's session defaults", proto: ProtoHTTPS,
			rule: GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{oidc, sticky}})},
			wantActions: []string{
				"authenticate-oidc https://idp id=id secret=sec hash=true scope=openid cookie=AWSELBAuthSessionCookie timeout=604800 on=authenticate, forward tgs=1 sticky=true/60",
				"authenticate-oidc https://idp id=id secret=sec hash=true scope=openid cookie=AWSELBAuthSessionCookie timeout=604800 on=authenticate, forward tgs=1 sticky=true/60"},
			wantConds: []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "cognito with its own settings", proto: ProtoHTTPS,
			rule:        GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{cognito}})},
			wantActions: []string{"authenticate-cognito arn:pool on=allow scope=email, forward tgs=1", "authenticate-cognito arn:pool on=allow scope=email, forward tgs=1"},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "jwt validation", proto: ProtoHTTPS,
			rule:        GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{jwt}})},
			wantActions: []string{"jwt-validation https://jwt claims=1, forward tgs=1", "jwt-validation https://jwt claims=1, forward tgs=1"},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "authentication on an HTTP listener is refused (LBC would drop it)", proto: ProtoHTTP,
			rule:    GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{oidc}})},
			wantErr: "authenticate-oidc needs an HTTPS listener"},
		{name: "fixed response replaces the forward and the redirect, content type defaulted", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Redirect: redirect, Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{fixed}})},
			wantActions: []string{`fixed-response 418 text/plain ""`, `fixed-response 418 text/plain ""`},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "redirect takes the configuration's query", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Redirect: redirect, Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{query}})},
			wantActions: []string{`redirect host=new.example.com query="a=b"`, `redirect host=new.example.com query="a=b"`},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "a redirect without the configuration keeps AWS's query", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Redirect: redirect},
			wantActions: []string{`redirect host=new.example.com query=""`, `redirect host=new.example.com query=""`},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "forward config without stickiness settings takes the CRD's defaults", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Actions: []gwconfig.RuleAction{stickyDefaults}})},
			wantActions: []string{"forward tgs=1 sticky=false/3600", "forward tgs=1 sticky=false/3600"},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"}},
		{name: "source-ip after the route's conditions on every match", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Conditions: []gwconfig.RuleCondition{sourceIP()}})},
			wantActions: []string{"forward tgs=1", "forward tgs=1"},
			wantConds:   []string{"path-pattern[/aa] source-ip[10.0.0.0/8]", "path-pattern[/b] source-ip[10.0.0.0/8]"}},
		{name: "source-ip on the matches its matchIndexes name", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Conditions: []gwconfig.RuleCondition{sourceIP(1)}})},
			wantActions: []string{"forward tgs=1", "forward tgs=1"},
			// /aa is match 1 (the rule lists /b first), ordered first by its length.
			wantConds: []string{"path-pattern[/aa] source-ip[10.0.0.0/8]", "path-pattern[/b]"}},
		{name: "tags over default tags (default tags win unless low priority)", proto: ProtoHTTP,
			rule:        GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Tags: &map[string]string{"team": "web", "env": "dev"}})},
			defTags:     map[string]string{"env": "prod"},
			wantActions: []string{"forward tgs=1", "forward tgs=1"},
			wantConds:   []string{"path-pattern[/aa]", "path-pattern[/b]"},
			wantTags:    map[string]string{"team": "web", "env": "prod"}},
		{name: "an external managed tag key is refused", proto: ProtoHTTP,
			rule:     GatewayHTTPRule{Config: cfg(gwconfig.ListenerRuleConfigurationSpec{Tags: &map[string]string{"owner": "x"}})},
			external: []string{"owner"},
			wantErr:  "external managed tag key owner cannot be specified"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rule := c.rule
			rule.Matches = []gwv1.HTTPRouteMatch{exact("/b"), exact("/aa")}
			rule.Backends = []GatewayBackend{be(svc, 1, nil)}
			p := GatewayPort{Port: 443, Protocols: []string{c.proto}, HTTPRoutes: []GatewayHTTPRoute{{Namespace: "app", Name: "r", Rules: []GatewayHTTPRule{rule}}}}
			cfgSpec := &gwconfig.LoadBalancerConfigurationSpec{}
			if c.proto == ProtoHTTPS {
				cfgSpec.ListenerConfigurations = &[]gwconfig.ListenerConfiguration{{ProtocolPort: "HTTPS:443", DefaultCertificate: ptr.To("arn:cert")}}
			}
			d := defaults()
			d.DefaultTags, d.ExternalManagedTags = c.defTags, c.external
			st, _, err := BuildGateway(albGW(cfgSpec, p), facts(), d)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gotActions, gotConds []string
			for _, r := range st.Listeners[0].Rules {
				gotActions = append(gotActions, lrcActionLine(r))
				gotConds = append(gotConds, lrcCondLine(r))
				for k, v := range c.wantTags {
					if r.Tags[k] != v {
						t.Errorf("rule %d tags %v, want %s=%s", r.Priority, r.Tags, k, v)
					}
				}
			}
			eq(t, "actions", gotActions, c.wantActions)
			eq(t, "conditions", gotConds, c.wantConds)
		})
	}
}

// A GRPCRoute rule's configuration applies as an HTTPRoute rule's: its
// source-ip conditions follow the method path pattern, its fixed response
// replaces the forward.
func TestBuildGatewayALBListenerRuleConfigurationOnGRPCRoutes(t *testing.T) {
	svc := gwService(false)
	c := &GatewayRuleConfig{Namespace: "app", Name: "lrc", Spec: gwconfig.ListenerRuleConfigurationSpec{
		Actions: []gwconfig.RuleAction{{Type: gwconfig.RuleActionFixedResponse, FixedResponseConfig: &gwconfig.RuleFixedResponseConfig{
			StatusCode: 503, ContentType: ptr.To("application/json"), MessageBody: ptr.To(`{"down":true}`)}}},
		Conditions: []gwconfig.RuleCondition{{Field: gwconfig.RuleConditionSourceIP, SourceIPConfig: &gwconfig.RuleSourceIPConfig{Values: []string{"192.0.2.0/24"}}}},
	}}
	p := GatewayPort{Port: 443, Protocols: []string{ProtoHTTPS}, HTTPRoutes: []GatewayHTTPRoute{{GRPC: true, Namespace: "app", Name: "rpc",
		Rules: []GatewayHTTPRule{{GRPCMatches: []gwv1.GRPCRouteMatch{{Method: &gwv1.GRPCMethodMatch{Service: ptr.To("pkg.Svc")}}},
			Backends: []GatewayBackend{be(svc, 1, nil)}, Config: c}}}}}
	cfg := &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{{ProtocolPort: "HTTPS:443", DefaultCertificate: ptr.To("arn:cert")}}}
	st, _, err := BuildGateway(albGW(cfg, p), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	r := st.Listeners[0].Rules[0]
	eq(t, "conditions", lrcCondLine(r), "path-pattern[/pkg.Svc/*] source-ip[192.0.2.0/24]")
	eq(t, "actions", lrcActionLine(r), `fixed-response 503 application/json "{\"down\":true}"`)
	if len(st.TargetGroups) != 1 {
		t.Errorf("%d target groups, want the backend's (LBC builds it)", len(st.TargetGroups))
	}
}
