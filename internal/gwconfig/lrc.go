package gwconfig

import (
	"fmt"
	"net/netip"
	"strings"
)

// ListenerRuleConfiguration is the supported part of an LBC
// ListenerRuleConfiguration: what an HTTPRoute or GRPCRoute rule naming it
// (an ExtensionRef filter) adds to its ALB listener rules.
type ListenerRuleConfiguration struct {
	Namespace, Name string `json:"-"`
	Generation      int64  `json:"-"`
	Spec            ListenerRuleConfigurationSpec
}

// ListenerRuleConfigurationSpec holds the fields Fields marks Supported.
type ListenerRuleConfigurationSpec struct {
	Actions    []RuleAction       `json:"actions,omitempty"`
	Conditions []RuleCondition    `json:"conditions,omitempty"`
	Tags       *map[string]string `json:"tags,omitempty"`
}

// Action types of a ListenerRuleConfiguration (LBC's).
const (
	RuleActionForward             = "forward"
	RuleActionFixedResponse       = "fixed-response"
	RuleActionRedirect            = "redirect"
	RuleActionAuthenticateCognito = "authenticate-cognito"
	RuleActionAuthenticateOIDC    = "authenticate-oidc"
	RuleActionJWTValidation       = "jwt-validation"
	// RuleConditionSourceIP is the one condition field LBC's type has.
	RuleConditionSourceIP = "source-ip"
)

// RuleAction is one action of a ListenerRuleConfiguration.
type RuleAction struct {
	Type                      string                   `json:"type"`
	ForwardConfig             *RuleForwardConfig       `json:"forwardConfig,omitempty"`
	RedirectConfig            *RuleRedirectConfig      `json:"redirectConfig,omitempty"`
	FixedResponseConfig       *RuleFixedResponseConfig `json:"fixedResponseConfig,omitempty"`
	AuthenticateCognitoConfig *RuleAuthCognitoConfig   `json:"authenticateCognitoConfig,omitempty"`
	AuthenticateOIDCConfig    *RuleAuthOIDCConfig      `json:"authenticateOIDCConfig,omitempty"`
	JWTValidationConfig       *RuleJWTValidationConfig `json:"jwtValidationConfig,omitempty"`
}

// RuleForwardConfig is a forward action's settings: only stickiness (the
// target groups come from the route's backendRefs).
type RuleForwardConfig struct {
	TargetGroupStickinessConfig *RuleTargetGroupStickiness `json:"targetGroupStickinessConfig,omitempty"`
}

// RuleTargetGroupStickiness is a forward's target-group stickiness.
type RuleTargetGroupStickiness struct {
	DurationSeconds *int32 `json:"durationSeconds,omitempty"`
	Enabled         *bool  `json:"enabled,omitempty"`
}

// RuleRedirectConfig is a redirect's query (the rest comes from the rule's
// RequestRedirect filter).
type RuleRedirectConfig struct {
	Query *string `json:"query,omitempty"`
}

// RuleFixedResponseConfig is a fixed-response action.
type RuleFixedResponseConfig struct {
	StatusCode  int32   `json:"statusCode"`
	ContentType *string `json:"contentType,omitempty"`
	MessageBody *string `json:"messageBody,omitempty"`
}

// RuleAuthSession is what both authenticate actions share.
type RuleAuthSession struct {
	Scope                            *string            `json:"scope,omitempty"`
	AuthenticationRequestExtraParams *map[string]string `json:"authenticationRequestExtraParams,omitempty"`
	OnUnauthenticatedRequest         *string            `json:"onUnauthenticatedRequest,omitempty"`
	SessionCookieName                *string            `json:"sessionCookieName,omitempty"`
	SessionTimeout                   *int64             `json:"sessionTimeout,omitempty"`
}

// RuleAuthCognitoConfig is an authenticate-cognito action.
type RuleAuthCognitoConfig struct {
	UserPoolArn      string `json:"userPoolArn"`
	UserPoolClientID string `json:"userPoolClientId"`
	UserPoolDomain   string `json:"userPoolDomain"`
	RuleAuthSession
}

// RuleAuthOIDCConfig is an authenticate-oidc action; its client ID and
// secret are in the Secret it names, in the configuration's namespace.
type RuleAuthOIDCConfig struct {
	AuthorizationEndpoint string      `json:"authorizationEndpoint"`
	Secret                *RuleSecret `json:"secret"`
	Issuer                string      `json:"issuer"`
	TokenEndpoint         string      `json:"tokenEndpoint"`
	UserInfoEndpoint      string      `json:"userInfoEndpoint"`
	RuleAuthSession
}

// RuleSecret names a Secret.
type RuleSecret struct {
	Name string `json:"name"`
}

// RuleJWTValidationConfig is a jwt-validation action.
type RuleJWTValidationConfig struct {
	Issuer           string         `json:"issuer"`
	JwksEndpoint     string         `json:"jwksEndpoint"`
	AdditionalClaims []RuleJWTClaim `json:"additionalClaims,omitempty"`
}

// RuleJWTClaim is one additional claim a jwt-validation action checks.
type RuleJWTClaim struct {
	Format string   `json:"format"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// RuleCondition is one condition a ListenerRuleConfiguration adds.
type RuleCondition struct {
	Field          string              `json:"field"`
	SourceIPConfig *RuleSourceIPConfig `json:"sourceIPConfig,omitempty"`
	// MatchIndexes are the indexes of the rule's matches it applies to
	// (nil: all of them).
	MatchIndexes *[]int `json:"matchIndexes,omitempty"`
}

// RuleSourceIPConfig is a source-ip condition's CIDRs.
type RuleSourceIPConfig struct {
	Values []string `json:"values"`
}

// PreRouting is the configuration's authenticate-cognito,
// authenticate-oidc or jwt-validation action (nil: none); LBC's CRD allows
// at most one.
func (s ListenerRuleConfigurationSpec) PreRouting() *RuleAction {
	for i, a := range s.Actions {
		switch a.Type {
		case RuleActionAuthenticateCognito, RuleActionAuthenticateOIDC, RuleActionJWTValidation:
			return &s.Actions[i]
		}
	}
	return nil
}

// Routing is the configuration's forward, redirect or fixed-response
// action (nil: none); LBC's CRD allows at most one.
func (s ListenerRuleConfigurationSpec) Routing() *RuleAction {
	for i, a := range s.Actions {
		switch a.Type {
		case RuleActionForward, RuleActionRedirect, RuleActionFixedResponse:
			return &s.Actions[i]
		}
	}
	return nil
}

// OIDCSecret is the name of the Secret the authenticate-oidc action reads
// ("": none).
func (s ListenerRuleConfigurationSpec) OIDCSecret() string {
	if a := s.PreRouting(); a != nil && a.Type == RuleActionAuthenticateOIDC && a.AuthenticateOIDCConfig != nil && a.AuthenticateOIDCConfig.Secret != nil {
		return a.AuthenticateOIDCConfig.Secret.Name
	}
	return ""
}

// ParseListenerRuleConfiguration decodes obj (as the API server returns
// it); an object with unsupported fields is an *UnsupportedError, one
// breaking a rule of LBC's schema (which the API server enforces when
// LBC's CRD is installed) an error saying which.
func ParseListenerRuleConfiguration(obj map[string]any) (*ListenerRuleConfiguration, error) {
	out := &ListenerRuleConfiguration{}
	out.Namespace, out.Name, out.Generation = meta(obj)
	if bad := UnsupportedFields(KindListenerRuleConfiguration, obj); len(bad) > 0 {
		return nil, &UnsupportedError{Kind: KindListenerRuleConfiguration, Namespace: out.Namespace, Name: out.Name, Fields: bad}
	}
	if err := decodeSpec(obj, &out.Spec); err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", KindListenerRuleConfiguration, out.Namespace, out.Name, err)
	}
	if err := out.Spec.validate(); err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", KindListenerRuleConfiguration, out.Namespace, out.Name, err)
	}
	return out, nil
}

// validate checks LBC's schema rules lbsg relies on: at most one
// pre-routing and one routing action, each with its own config, an OIDC
// Secret named, source-ip conditions with CIDRs.
func (s ListenerRuleConfigurationSpec) validate() error {
	var pre, routing int
	for _, a := range s.Actions {
		var ok bool
		switch a.Type {
		case RuleActionForward:
			routing++
			ok = a.ForwardConfig != nil
		case RuleActionRedirect:
			routing++
			ok = a.RedirectConfig != nil
		case RuleActionFixedResponse:
			routing++
			ok = a.FixedResponseConfig != nil
			if ok {
				c := a.FixedResponseConfig.StatusCode
				if (c < 200 || c > 299) && (c < 400 || c > 599) {
					return fmt.Errorf("fixedResponseConfig.statusCode %d must be 2XX, 4XX or 5XX", c)
				}
			}
		case RuleActionAuthenticateCognito:
			pre++
			ok = a.AuthenticateCognitoConfig != nil
		case RuleActionAuthenticateOIDC:
			pre++
			ok = a.AuthenticateOIDCConfig != nil
			if ok && (a.AuthenticateOIDCConfig.Secret == nil || a.AuthenticateOIDCConfig.Secret.Name == "") {
				return fmt.Errorf("authenticateOIDCConfig.secret must name a Secret")
			}
		case RuleActionJWTValidation:
			pre++
			ok = a.JWTValidationConfig != nil
		default:
			return fmt.Errorf("action type %q is not one of forward, redirect, fixed-response, authenticate-cognito, authenticate-oidc, jwt-validation", a.Type)
		}
		if !ok {
			return fmt.Errorf("action %s lacks its config", a.Type)
		}
	}
	if pre > 1 {
		return fmt.Errorf("at most one pre-routing action (authenticate-oidc, authenticate-cognito, or jwt-validation) can be specified")
	}
	if routing > 1 {
		return fmt.Errorf("at most one routing action (fixed-response or forward or redirect) can be specified")
	}
	for _, c := range s.Conditions {
		if c.Field != RuleConditionSourceIP {
			return fmt.Errorf("condition field %q is not source-ip", c.Field)
		}
		if c.SourceIPConfig == nil || len(c.SourceIPConfig.Values) == 0 {
			return fmt.Errorf("a source-ip condition needs sourceIPConfig.values")
		}
		for _, v := range c.SourceIPConfig.Values {
			if _, err := netip.ParsePrefix(strings.TrimSpace(v)); err != nil {
				return fmt.Errorf("source-ip value %q is not a CIDR", v)
			}
		}
	}
	return nil
}
