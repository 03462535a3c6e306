package model

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

// GatewayRuleConfig is the ListenerRuleConfiguration a route rule names
// (an ExtensionRef filter), with the client credentials its
// authenticate-oidc action reads from its Secret.
type GatewayRuleConfig struct {
	Namespace, Name string
	Spec            gwconfig.ListenerRuleConfigurationSpec
	// OIDCClientID and OIDCClientSecret come from the Secret of the
	// authenticate-oidc action (OIDCCredentials).
	OIDCClientID, OIDCClientSecret string
}

// Defaults LBC's CRD gives the authenticate actions' session settings.
const (
	lrcDefaultScope            = "openid"
	lrcDefaultSessionCookie    = "AWSELBAuthSessionCookie"
	lrcDefaultSessionTimeout   = 604800
	lrcDefaultOnUnauthenticate = "authenticate"
	lrcDefaultContentType      = "text/plain"
)

// OIDCCredentials reads an OIDC client ID (key clientID, or the legacy
// clientId) and client secret from sec as LBC does: the ID without
// trailing white space, the secret without trailing control characters.
// The error names the missing key.
func OIDCCredentials(sec *corev1.Secret, key string) (id, secret string, err error) {
	rawID, ok := sec.Data[annotations.OIDCSecretClientID]
	if !ok {
		rawID, ok = sec.Data[annotations.OIDCSecretClientIDLegacy]
	}
	if !ok {
		return "", "", fmt.Errorf("missing clientID, secret: %s", key)
	}
	rawSecret, ok := sec.Data[annotations.OIDCSecretClientSecret]
	if !ok {
		return "", "", fmt.Errorf("missing clientSecret, secret: %s", key)
	}
	return strings.TrimRightFunc(string(rawID), unicode.IsSpace), strings.TrimRightFunc(string(rawSecret), unicode.IsControl), nil
}

// lrcSession is an authenticate action's session with LBC's CRD defaults
// for what is unset.
func lrcSession(s gwconfig.RuleAuthSession) AuthSession {
	out := AuthSession{Scope: lrcDefaultScope, SessionCookieName: lrcDefaultSessionCookie,
		SessionTimeout: lrcDefaultSessionTimeout, OnUnauthenticatedRequest: lrcDefaultOnUnauthenticate}
	if s.Scope != nil {
		out.Scope = *s.Scope
	}
	if s.SessionCookieName != nil {
		out.SessionCookieName = *s.SessionCookieName
	}
	if s.SessionTimeout != nil {
		out.SessionTimeout = *s.SessionTimeout
	}
	if s.OnUnauthenticatedRequest != nil {
		out.OnUnauthenticatedRequest = *s.OnUnauthenticatedRequest
	}
	if s.AuthenticationRequestExtraParams != nil {
		out.ExtraParams = maps.Clone(*s.AuthenticationRequestExtraParams)
	}
	return out
}

// lrcPreRouting is the rule's authenticate-cognito, authenticate-oidc or
// jwt-validation action (nil: none), put before its routing action as LBC
// does. LBC builds it on HTTPS listeners only and drops it on HTTP ones;
// lbsg refuses that (the rule would be served unauthenticated).
func lrcPreRouting(c *GatewayRuleConfig, proto string) (*Action, error) {
	if c == nil {
		return nil, nil
	}
	a := c.Spec.PreRouting()
	if a == nil {
		return nil, nil
	}
	if proto != ProtoHTTPS {
		return nil, fmt.Errorf("%s %s/%s: %s needs an HTTPS listener; on %s the rule would be served without it (LBC drops it)",
			gwconfig.KindListenerRuleConfiguration, c.Namespace, c.Name, a.Type, proto)
	}
	switch a.Type {
	case gwconfig.RuleActionAuthenticateCognito:
		cg := a.AuthenticateCognitoConfig
		return &Action{Type: ActionAuthenticateCognito, AuthCognito: &AuthCognito{UserPoolARN: cg.UserPoolArn,
			UserPoolClientID: cg.UserPoolClientID, UserPoolDomain: cg.UserPoolDomain, AuthSession: lrcSession(cg.RuleAuthSession)}}, nil
	case gwconfig.RuleActionAuthenticateOIDC:
		o := a.AuthenticateOIDCConfig
		return &Action{Type: ActionAuthenticateOIDC, AuthOIDC: &AuthOIDC{Issuer: o.Issuer,
			AuthorizationEndpoint: o.AuthorizationEndpoint, TokenEndpoint: o.TokenEndpoint, UserInfoEndpoint: o.UserInfoEndpoint,
			ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, SecretHash: SecretHash(c.OIDCClientSecret),
			AuthSession: lrcSession(o.RuleAuthSession)}}, nil
	case gwconfig.RuleActionJWTValidation:
		j := a.JWTValidationConfig
		v := &JWTValidation{JwksEndpoint: j.JwksEndpoint, Issuer: j.Issuer}
		for _, cl := range j.AdditionalClaims {
			v.AdditionalClaims = append(v.AdditionalClaims, JWTClaim{Format: cl.Format, Name: cl.Name, Values: slices.Clone(cl.Values)})
		}
		return &Action{Type: ActionJWTValidation, JWT: v}, nil
	}
	return nil, fmt.Errorf("unsupported action type %s", a.Type)
}

// lrcFixedResponse is the rule's fixed-response action (nil: none): it
// replaces the forward or redirect, as LBC does.
func lrcFixedResponse(c *GatewayRuleConfig) *Action {
	if c == nil {
		return nil
	}
	a := c.Spec.Routing()
	if a == nil || a.Type != gwconfig.RuleActionFixedResponse {
		return nil
	}
	f := a.FixedResponseConfig
	fr := &FixedResponse{StatusCode: strconv.Itoa(int(f.StatusCode)), ContentType: lrcDefaultContentType}
	if f.ContentType != nil {
		fr.ContentType = *f.ContentType
	}
	if f.MessageBody != nil {
		fr.MessageBody = *f.MessageBody
	}
	return &Action{Type: ActionFixedResponse, FixedResponse: fr}
}

// lrcStickiness is the forward's stickiness of the rule's forward action
// (nil: none); LBC's CRD defaults it to disabled, 3600 s.
func lrcStickiness(c *GatewayRuleConfig) *Stickiness {
	if c == nil {
		return nil
	}
	a := c.Spec.Routing()
	if a == nil || a.Type != gwconfig.RuleActionForward || a.ForwardConfig == nil {
		return nil
	}
	st := a.ForwardConfig.TargetGroupStickinessConfig
	out := &Stickiness{Enabled: new(false), DurationSeconds: new(int32(3600))}
	if st != nil && st.Enabled != nil {
		out.Enabled = new(*st.Enabled)
	}
	if st != nil && st.DurationSeconds != nil {
		out.DurationSeconds = new(*st.DurationSeconds)
	}
	return out
}

// lrcRedirectQuery is the query the rule's redirect action sets (nil:
// none); LBC's CRD defaults it to "#{query}".
func lrcRedirectQuery(c *GatewayRuleConfig) *string {
	if c == nil {
		return nil
	}
	a := c.Spec.Routing()
	if a == nil || a.Type != gwconfig.RuleActionRedirect || a.RedirectConfig == nil {
		return nil
	}
	if q := a.RedirectConfig.Query; q != nil {
		return new(*q)
	}
	return new("#{query}")
}

// lrcConditions appends the rule's source-ip conditions, after the
// route's own, to the conditions of the rule unit of match matchIdx: each
// condition whose matchIndexes is unset or lists matchIdx (a rule without
// matches has none listed), as LBC does.
func lrcConditions(c *GatewayRuleConfig, matchIdx int, out []Condition) []Condition {
	if c == nil {
		return out
	}
	for _, cond := range c.Spec.Conditions {
		if cond.Field != gwconfig.RuleConditionSourceIP || cond.SourceIPConfig == nil {
			continue
		}
		if cond.MatchIndexes == nil {
			out = append(out, Condition{Field: FieldSourceIP, Values: slices.Clone(cond.SourceIPConfig.Values)})
			continue
		}
		for _, i := range *cond.MatchIndexes {
			if i == matchIdx {
				out = append(out, Condition{Field: FieldSourceIP, Values: slices.Clone(cond.SourceIPConfig.Values)})
			}
		}
	}
	return out
}

// lrcRuleTags are a listener rule's user tags: --default-tags and the
// configuration's tags, merged as LBC merges them; a tag key of
// --external-managed-tags is refused.
func (b *gwBuilder) lrcRuleTags(c *GatewayRuleConfig) (map[string]string, error) {
	var tags map[string]string
	if c != nil && c.Spec.Tags != nil {
		tags = *c.Spec.Tags
		if err := naming.ValidateUserTags(tags, b.d.ExternalManagedTags, ""); err != nil {
			return nil, fmt.Errorf("%s %s/%s: %w", gwconfig.KindListenerRuleConfiguration, c.Namespace, c.Name, err)
		}
	}
	return naming.MergeUserTags(b.d.DefaultTags, tags, b.d.DefaultTagsLowPriority), nil
}
