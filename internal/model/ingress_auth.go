package model

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// routeAuth is a backend's authentication as LBC builds it: the
// authenticate (or jwt-validation) action an HTTPS listener puts before the
// backend's action, or why it cannot be built. Building is deferred to the
// listener: LBC authenticates on HTTPS listeners only, and reads the OIDC
// Secret then.
type routeAuth struct {
	action *Action // nil: no authentication asked for
	// err is set when the authentication asked for cannot be built (bad
	// annotation, Secret missing or incomplete): the group is held, as a
	// whole, so no rule loses or is created without authentication.
	err error
	// annotation is the key that asks for authentication (auth-type or
	// jwt-validation), for the plain-HTTP refusal.
	annotation string
}

// asked reports whether the backend asks for authentication.
func (a routeAuth) asked() bool { return a.action != nil || a.err != nil }

// forListener is the route's authenticate action on a listener of
// protocol: LBC authenticates on HTTPS listeners only and builds plain
// HTTP rules without it; lbsg refuses that (the rule would be served
// unauthenticated) with an *annotations.AuthError.
func (a routeAuth) forListener(m *member, protocol string, port int32) (*Action, error) {
	if !a.asked() {
		return nil, nil
	}
	if a.err != nil {
		return nil, a.err
	}
	if protocol != annotations.ProtocolHTTPS {
		return nil, &annotations.AuthError{Ingress: m.key, Annotation: a.annotation,
			Reason: fmt.Sprintf("authentication needs an HTTPS listener; on %s:%d its rules would be served unauthenticated (LBC builds them without authentication)", protocol, port)}
	}
	return a.action, nil
}

// authServiceName is the Service whose annotations LBC merges into a
// backend's authentication: the backend's, when it forwards to exactly
// one Service ("" otherwise).
func authServiceName(ann map[string]string, b networkingv1.IngressBackend) string {
	if b.Service == nil {
		return ""
	}
	if b.Service.Port.Name != useAnnotation {
		return b.Service.Name
	}
	ra, ok, err := annotations.ParseRouteAction(ann, b.Service.Name)
	if !ok || err != nil || ra.Type != annotations.RouteForward || ra.ForwardConfig == nil {
		return ""
	}
	if tgs := ra.ForwardConfig.TargetGroups; len(tgs) == 1 && tgs[0].ServiceName != nil {
		return *tgs[0].ServiceName
	}
	return ""
}

// backendAuth builds the authentication of backend b of the member.
func (m *member) backendAuth(b networkingv1.IngressBackend) routeAuth {
	ann := m.Ingress.Annotations
	if name := authServiceName(ann, b); name != "" {
		if svc := m.Services[name]; svc != nil {
			ann = annotations.MergeAuthAnnotations(ann, svc.Annotations)
		}
	}
	cfg, err := annotations.ParseAuth(ann)
	if err != nil {
		return routeAuth{err: fmt.Errorf("ingress: %s: %w", m.key, err), annotation: annotations.IngAuthType}
	}
	jwt, err := annotations.ParseJWTValidation(m.Ingress.Annotations)
	if err != nil {
		return routeAuth{err: fmt.Errorf("ingress: %s: %w", m.key, err), annotation: annotations.IngJWTValidation}
	}
	out := routeAuth{annotation: annotations.IngAuthType}
	switch cfg.Type {
	case annotations.AuthCognito:
		out.action, out.err = m.cognitoAction(cfg)
	case annotations.AuthOIDC:
		out.action, out.err = m.oidcAction(cfg)
	}
	if jwt != nil {
		if out.asked() {
			return routeAuth{err: fmt.Errorf("ingress: %s: authentication and jwt validation can't both be configured", m.key),
				annotation: annotations.IngJWTValidation}
		}
		out = routeAuth{action: jwtAction(jwt), annotation: annotations.IngJWTValidation}
	}
	return out
}

func session(cfg annotations.Auth, extra map[string]string) AuthSession {
	return AuthSession{ExtraParams: maps.Clone(extra), OnUnauthenticatedRequest: cfg.OnUnauthenticatedRequest,
		Scope: cfg.Scope, SessionCookieName: cfg.SessionCookie, SessionTimeout: cfg.SessionTimeout}
}

func (m *member) cognitoAction(cfg annotations.Auth) (*Action, error) {
	c := cfg.Cognito
	if c == nil {
		return nil, &annotations.AuthError{Ingress: m.key, Annotation: annotations.IngAuthIDPCognito, Reason: "missing IDPConfigCognito"}
	}
	return &Action{Type: ActionAuthenticateCognito, AuthCognito: &AuthCognito{UserPoolARN: c.UserPoolARN,
		UserPoolClientID: c.UserPoolClientID, UserPoolDomain: c.UserPoolDomain,
		AuthSession: session(cfg, c.AuthenticationRequestExtraParams)}}, nil
}

// oidcAction reads the client ID and secret from the Secret the
// annotation names, in the Ingress's namespace, as LBC does.
func (m *member) oidcAction(cfg annotations.Auth) (*Action, error) {
	o := cfg.OIDC
	if o == nil {
		return nil, &annotations.AuthError{Ingress: m.key, Annotation: annotations.IngAuthIDPOIDC, Reason: "missing IDPConfigOIDC"}
	}
	key := m.Ingress.Namespace + "/" + o.SecretName
	fail := func(format string, args ...any) error {
		return &annotations.AuthError{Ingress: m.key, Annotation: annotations.IngAuthIDPOIDC, Reason: fmt.Sprintf(format, args...)}
	}
	if err := m.SecretErrs[o.SecretName]; err != nil {
		return nil, fail("secret %s cannot be read: %v", key, err)
	}
	sec := m.Secrets[o.SecretName]
	if sec == nil {
		return nil, fail("secret %s not found", key)
	}
	id, clientSecret, err := OIDCCredentials(sec, key)
	if err != nil {
		return nil, fail("%s", err.Error())
	}
	return &Action{Type: ActionAuthenticateOIDC, AuthOIDC: &AuthOIDC{Issuer: o.Issuer,
		AuthorizationEndpoint: o.AuthorizationEndpoint, TokenEndpoint: o.TokenEndpoint, UserInfoEndpoint: o.UserInfoEndpoint,
		ClientID:     id,
		ClientSecret: clientSecret, SecretHash: SecretHash(clientSecret),
		AuthSession: session(cfg, o.AuthenticationRequestExtraParams)}}, nil
}

func jwtAction(j *annotations.JWTValidation) *Action {
	v := &JWTValidation{JwksEndpoint: j.JwksEndpoint, Issuer: j.Issuer}
	for _, c := range j.AdditionalClaims {
		v.AdditionalClaims = append(v.AdditionalClaims, JWTClaim{Format: c.Format, Name: c.Name, Values: slices.Clone(c.Values)})
	}
	return &Action{Type: ActionJWTValidation, JWT: v}
}

// SecretHash is the digest of an OIDC client secret that stands for it in
// comparisons and fingerprints (ELBv2 never returns the secret).
func SecretHash(secret string) string {
	sum := sha256.Sum256([]byte("lbsg-oidc-client-secret\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

// AuthSecretNames are the Secrets the member's authentication reads:
// those named by auth-idp-oidc where auth-type is oidc, on the Ingress
// alone or merged with one of services (its backend Services), sorted and
// de-duplicated. The controller reads (and watches) exactly these.
func AuthSecretNames(ing *networkingv1.Ingress, services map[string]*corev1.Service) []string {
	cands := []map[string]string{ing.Annotations}
	for _, svc := range services {
		if svc != nil {
			cands = append(cands, annotations.MergeAuthAnnotations(ing.Annotations, svc.Annotations))
		}
	}
	var out []string
	for _, c := range cands {
		if a, err := annotations.ParseAuth(c); err == nil && a.Type == annotations.AuthOIDC && a.OIDC != nil && a.OIDC.SecretName != "" {
			out = append(out, a.OIDC.SecretName)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IsAuthError reports whether err is an authentication that could not be
// built (the group was held).
func IsAuthError(err error) bool {
	var ae *annotations.AuthError
	return errors.As(err, &ae)
}

// UnauthenticatedInternetALB reports whether st is an internet-facing ALB
// whose managed frontend group admits the whole Internet (0.0.0.0/0 or
// ::/0) and whose listeners authenticate nothing: no rule and no default
// action carries an authenticate or jwt-validation action (`lbsg audit`
// notes it), and no web ACL (WAFv2 or WAF Classic) asked for by its
// Ingresses filters what reaches it.
func UnauthenticatedInternetALB(st Stack) bool {
	lb := st.LoadBalancer
	if !lb.IsALB() || lb.Scheme != "internet-facing" || st.ManagedSG == nil {
		return false
	}
	open := false
	for k := range st.ManagedSG.Ingress {
		open = open || k.Peer == "0.0.0.0/0" || k.Peer == "::/0"
	}
	if !open {
		return false
	}
	// A web ACL its Ingresses ask for filters what reaches it.
	if a := st.Addons; (a.WAFv2 != nil && *a.WAFv2 != "") || (a.WAFRegional != nil && *a.WAFRegional != "") {
		return false
	}
	for _, l := range st.Listeners {
		if l.DefaultAuth != nil {
			return false
		}
		for _, r := range l.Rules {
			for _, a := range r.Actions {
				if a.IsAuth() {
					return false
				}
			}
		}
	}
	return true
}
