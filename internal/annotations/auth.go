package annotations

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
)

// Authentication annotations (LBC's Authentication section). They are read
// on the Ingress and, for a rule that forwards to a single Service, on that
// Service too, the Service's value winning (MergeAuthAnnotations).
const (
	IngAuthType                     = IngressPrefix + "auth-type"
	IngAuthIDPCognito               = IngressPrefix + "auth-idp-cognito"
	IngAuthIDPOIDC                  = IngressPrefix + "auth-idp-oidc"
	IngAuthOnUnauthenticatedRequest = IngressPrefix + "auth-on-unauthenticated-request"
	IngAuthScope                    = IngressPrefix + "auth-scope"
	IngAuthSessionCookie            = IngressPrefix + "auth-session-cookie"
	IngAuthSessionTimeout           = IngressPrefix + "auth-session-timeout"
	// IngJWTValidation is read on the Ingress only.
	IngJWTValidation = IngressPrefix + "jwt-validation"
)

// Auth types.
const (
	AuthNone    = "none"
	AuthCognito = "cognito"
	AuthOIDC    = "oidc"
)

// LBC's defaults for the authentication settings.
const (
	DefaultAuthScope                    = "openid"
	DefaultAuthSessionCookie            = "AWSELBAuthSessionCookie"
	DefaultAuthSessionTimeout           = int64(604800)
	DefaultAuthOnUnauthenticatedRequest = "authenticate"
)

// Keys of the OIDC Secret: LBC reads clientID (or the legacy clientId of
// the old ALB ingress controller) and clientSecret.
const (
	OIDCSecretClientID       = "clientID"
	OIDCSecretClientIDLegacy = "clientId"
	OIDCSecretClientSecret   = "clientSecret"
)

// AuthIDPCognito is the auth-idp-cognito annotation.
type AuthIDPCognito struct {
	UserPoolARN                      string            `json:"userPoolARN"`
	UserPoolClientID                 string            `json:"userPoolClientID"`
	UserPoolDomain                   string            `json:"userPoolDomain"`
	AuthenticationRequestExtraParams map[string]string `json:"authenticationRequestExtraParams,omitempty"`
}

// AuthIDPOIDC is the auth-idp-oidc annotation; the client ID and secret
// come from the Secret SecretName in the Ingress's namespace.
type AuthIDPOIDC struct {
	Issuer                           string            `json:"issuer"`
	AuthorizationEndpoint            string            `json:"authorizationEndpoint"`
	TokenEndpoint                    string            `json:"tokenEndpoint"`
	UserInfoEndpoint                 string            `json:"userInfoEndpoint"`
	SecretName                       string            `json:"secretName"`
	AuthenticationRequestExtraParams map[string]string `json:"authenticationRequestExtraParams,omitempty"`
}

// Auth is the authentication configuration of one backend, as LBC's auth
// config builder reads it (every key parsed, whatever the type).
type Auth struct {
	Type                     string // AuthNone | AuthCognito | AuthOIDC
	Cognito                  *AuthIDPCognito
	OIDC                     *AuthIDPOIDC
	OnUnauthenticatedRequest string
	Scope                    string
	SessionCookie            string
	SessionTimeout           int64
}

// MergeAuthAnnotations is what LBC reads a backend's authentication from:
// the Ingress's annotations with the Service's laid over them (svc may be
// nil).
func MergeAuthAnnotations(ing, svc map[string]string) map[string]string {
	if len(svc) == 0 {
		return ing
	}
	out := maps.Clone(ing)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, svc)
	return out
}

// ParseAuth reads the authentication annotations of ann (see
// MergeAuthAnnotations). Errors carry LBC's text and name the annotation.
func ParseAuth(ann map[string]string) (Auth, error) {
	a := Auth{Type: AuthNone, OnUnauthenticatedRequest: DefaultAuthOnUnauthenticatedRequest,
		Scope: DefaultAuthScope, SessionCookie: DefaultAuthSessionCookie, SessionTimeout: DefaultAuthSessionTimeout}
	if v, ok := ann[IngAuthType]; ok {
		if v != AuthNone && v != AuthCognito && v != AuthOIDC {
			return Auth{}, newErr(IngAuthType, v, nil, "unknown authType: %v", v)
		}
		a.Type = v
	}
	if v, ok := ann[IngAuthOnUnauthenticatedRequest]; ok {
		a.OnUnauthenticatedRequest = v
	}
	if v, ok := ann[IngAuthScope]; ok {
		a.Scope = v
	}
	if v, ok := ann[IngAuthSessionCookie]; ok {
		a.SessionCookie = v
	}
	if v, ok := ann[IngAuthSessionTimeout]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return Auth{}, newErr(IngAuthSessionTimeout, v, err, "failed to parse int64 annotation, %s: %s: %v", IngAuthSessionTimeout, v, err)
		}
		a.SessionTimeout = n
	}
	var cognito AuthIDPCognito
	if ok, err := jsonAnnotation(ann, IngAuthIDPCognito, &cognito); err != nil {
		return Auth{}, err
	} else if ok {
		a.Cognito = &cognito
	}
	var oidc AuthIDPOIDC
	if ok, err := jsonAnnotation(ann, IngAuthIDPOIDC, &oidc); err != nil {
		return Auth{}, err
	} else if ok {
		a.OIDC = &oidc
	}
	return a, nil
}

// JWT additional-claim formats.
const (
	JWTClaimSingleString         = "single-string"
	JWTClaimStringArray          = "string-array"
	JWTClaimSpaceSeparatedValues = "space-separated-values"
)

// JWTValidation is the jwt-validation annotation.
type JWTValidation struct {
	JwksEndpoint     string     `json:"jwksEndpoint"`
	Issuer           string     `json:"issuer"`
	AdditionalClaims []JWTClaim `json:"additionalClaims,omitempty"`
}

// JWTClaim is one additional claim a JWT must carry.
type JWTClaim struct {
	Format string   `json:"format"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// ParseJWTValidation reads the jwt-validation annotation of an Ingress
// (nil when absent), with LBC's checks of the required fields.
func ParseJWTValidation(ann map[string]string) (*JWTValidation, error) {
	var j JWTValidation
	ok, err := jsonAnnotation(ann, IngJWTValidation, &j)
	if !ok || err != nil {
		return nil, err
	}
	bad := func(msg string) error {
		return newErr(IngJWTValidation, ann[IngJWTValidation], errors.New(msg), "%s", msg)
	}
	switch {
	case j.JwksEndpoint == "":
		return nil, bad("jwksEndpoint is a required field for jwt validation")
	case j.Issuer == "":
		return nil, bad("issuer is a required field for jwt validation")
	}
	for _, c := range j.AdditionalClaims {
		switch {
		case c.Format == "":
			return nil, bad("format is a required field for additional claims for jwt validation")
		case c.Name == "":
			return nil, bad("name is a required field for additional claims for jwt validation")
		case len(c.Values) == 0:
			return nil, bad("values must not be empty for additional claims for jwt validation")
		}
	}
	return &j, nil
}

// AuthError is an authentication that cannot be built for an Ingress (a
// Secret missing or lacking a key, auth on a plain-HTTP listener): the
// group is left exactly as it is, so no rule loses its authentication and
// none is created without it.
type AuthError struct {
	Ingress    string // namespace/name
	Annotation string // the annotation at fault
	Reason     string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("ingress %s: annotation %s: %s; authenticated rules are kept as they are and none is created without authentication",
		e.Ingress, e.Annotation, e.Reason)
}
