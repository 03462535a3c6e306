package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

const (
	cognitoIDP = `{"userPoolARN":"arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc","userPoolClientID":"client-1","userPoolDomain":"auth.example.com"}`
	oidcIDP    = `{"issuer":"https://idp.example.com","authorizationEndpoint":"https://idp.example.com/auth","tokenEndpoint":"https://idp.example.com/token","userInfoEndpoint":"https://idp.example.com/userinfo","secretName":"oidc"}`
	https443   = `[{"HTTPS":443}]`
	certARN    = "arn:aws:acm:us-west-2:123456789012:certificate/abc"
)

func httpsAnn(extra map[string]string) map[string]string {
	ann := map[string]string{annotations.IngListenPorts: https443, annotations.IngCertificateARN: certARN}
	for k, v := range extra {
		ann[k] = v
	}
	return ann
}

func oidcSecret(data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "oidc"}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func withSecret(m IngressMember, s *corev1.Secret) IngressMember {
	if s != nil {
		m.Secrets = map[string]*corev1.Secret{s.Name: s}
	}
	return m
}

func defaultSession() AuthSession {
	return AuthSession{OnUnauthenticatedRequest: "authenticate", Scope: "openid", SessionCookieName: "AWSELBAuthSessionCookie", SessionTimeout: 604800}
}

// TestAuthenticateActionsAsLBCBuildsThem: the authenticate (or
// jwt-validation) action LBC's buildActions puts before every rule's action
// on HTTPS listeners, from the Ingress's annotations with the backend
// Service's laid over them.
func TestAuthenticateActionsAsLBCBuildsThem(t *testing.T) {
	p := annotations.IngressPrefix
	cognito := &Action{Type: ActionAuthenticateCognito, AuthCognito: &AuthCognito{
		UserPoolARN: "arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc", UserPoolClientID: "client-1",
		UserPoolDomain: "auth.example.com", AuthSession: defaultSession()}}
	oidc := func(id, secret string) *Action {
		return &Action{Type: ActionAuthenticateOIDC, AuthOIDC: &AuthOIDC{Issuer: "https://idp.example.com",
			AuthorizationEndpoint: "https://idp.example.com/auth", TokenEndpoint: "https://idp.example.com/token",
			UserInfoEndpoint: "https://idp.example.com/userinfo", ClientID: id, ClientSecret: secret, SecretHash: SecretHash(secret),
			AuthSession: defaultSession()}}
	}
	for _, tt := range []struct {
		name    string
		ann     map[string]string
		svcAnn  map[string]string // on the backend svc-1
		secret  *corev1.Secret
		want    *Action // before the forward; nil: none
		wantErr string
	}{
		{name: "no annotation: no authentication", ann: httpsAnn(nil)},
		{name: "auth-type none", ann: httpsAnn(map[string]string{p + "auth-type": "none", p + "auth-idp-cognito": cognitoIDP})},
		{name: "cognito with LBC's defaults", ann: httpsAnn(map[string]string{p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP}), want: cognito},
		{name: "cognito with every setting", ann: httpsAnn(map[string]string{p + "auth-type": "cognito",
			p + "auth-idp-cognito":                `{"userPoolARN":"arn:p","userPoolClientID":"c","userPoolDomain":"d","authenticationRequestExtraParams":{"display":"page"}}`,
			p + "auth-on-unauthenticated-request": "deny", p + "auth-scope": "openid email", p + "auth-session-cookie": "s", p + "auth-session-timeout": "3600"}),
			want: &Action{Type: ActionAuthenticateCognito, AuthCognito: &AuthCognito{UserPoolARN: "arn:p", UserPoolClientID: "c", UserPoolDomain: "d",
				AuthSession: AuthSession{ExtraParams: map[string]string{"display": "page"}, OnUnauthenticatedRequest: "deny", Scope: "openid email",
					SessionCookieName: "s", SessionTimeout: 3600}}}},
		{name: "oidc reads clientID and clientSecret from the Secret (trailing space and control characters trimmed)",
			ann:    httpsAnn(map[string]string{p + "auth-type": "oidc", p + "auth-idp-oidc": oidcIDP}),
			secret: oidcSecret(map[string]string{"clientID": "id-1 \n", "clientSecret": "s3cret\n"}), want: oidc("id-1", "s3cret")},
		{name: "oidc accepts the legacy clientId key", ann: httpsAnn(map[string]string{p + "auth-type": "oidc", p + "auth-idp-oidc": oidcIDP}),
			secret: oidcSecret(map[string]string{"clientId": "id-2", "clientSecret": "x"}), want: oidc("id-2", "x")},
		{name: "the backend Service's annotations win", ann: httpsAnn(map[string]string{p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP}),
			svcAnn: map[string]string{p + "auth-type": "none"}},
		{name: "authentication on the backend Service alone", ann: httpsAnn(nil),
			svcAnn: map[string]string{p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP}, want: cognito},
		{name: "jwt validation", ann: httpsAnn(map[string]string{p + "jwt-validation": `{"jwksEndpoint":"https://idp/jwks","issuer":"https://idp","additionalClaims":[{"format":"string-array","name":"groups","values":["a"]}]}`}),
			want: &Action{Type: ActionJWTValidation, JWT: &JWTValidation{JwksEndpoint: "https://idp/jwks", Issuer: "https://idp",
				AdditionalClaims: []JWTClaim{{Format: "string-array", Name: "groups", Values: []string{"a"}}}}}},

		{name: "a missing Secret holds the group", ann: httpsAnn(map[string]string{p + "auth-type": "oidc", p + "auth-idp-oidc": oidcIDP}),
			wantErr: "ingress ns/a: annotation " + p + "auth-idp-oidc: secret ns/oidc not found"},
		{name: "a Secret without clientSecret holds the group", ann: httpsAnn(map[string]string{p + "auth-type": "oidc", p + "auth-idp-oidc": oidcIDP}),
			secret: oidcSecret(map[string]string{"clientID": "id"}), wantErr: "missing clientSecret, secret: ns/oidc"},
		{name: "a Secret without clientID holds the group", ann: httpsAnn(map[string]string{p + "auth-type": "oidc", p + "auth-idp-oidc": oidcIDP}),
			secret: oidcSecret(map[string]string{"clientSecret": "s"}), wantErr: "missing clientID, secret: ns/oidc"},
		{name: "oidc without auth-idp-oidc", ann: httpsAnn(map[string]string{p + "auth-type": "oidc"}), wantErr: "missing IDPConfigOIDC"},
		{name: "cognito without auth-idp-cognito", ann: httpsAnn(map[string]string{p + "auth-type": "cognito"}), wantErr: "missing IDPConfigCognito"},
		{name: "an unknown auth type", ann: httpsAnn(map[string]string{p + "auth-type": "Cognito"}), wantErr: "unknown authType: Cognito"},
		{name: "bad JSON", ann: httpsAnn(map[string]string{p + "auth-type": "cognito", p + "auth-idp-cognito": "{"}), wantErr: "failed to parse json annotation, " + p + "auth-idp-cognito"},
		{name: "a bad session timeout", ann: httpsAnn(map[string]string{p + "auth-session-timeout": "1h"}), wantErr: "failed to parse int64 annotation"},
		{name: "authentication and jwt validation", ann: httpsAnn(map[string]string{p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP,
			p + "jwt-validation": `{"jwksEndpoint":"j","issuer":"i"}`}), wantErr: "authentication and jwt validation can't both be configured"},
		{name: "jwt validation without an issuer", ann: httpsAnn(map[string]string{p + "jwt-validation": `{"jwksEndpoint":"j"}`}),
			wantErr: "issuer is a required field for jwt validation"},
		{name: "authentication on a plain HTTP listener is refused (LBC would serve it unauthenticated)",
			ann:     map[string]string{p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP},
			wantErr: "annotation " + p + "auth-type: authentication needs an HTTPS listener; on HTTP:80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := withSecret(simple("ns", "a", tt.ann), tt.secret)
			if tt.svcAnn != nil {
				svc := m.Services["svc-1"].DeepCopy()
				svc.Annotations = tt.svcAnn
				m.Services["svc-1"] = svc
			}
			st, _, errs, err := buildIngressGroup(naming.ImplicitIngressStack("ns", "a"), []IngressMember{m}, ingFacts(), ingDefaults())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v (member errors %v), want the group held with %q", err, errs, tt.wantErr)
				}
				return
			}
			if err != nil || len(errs) > 0 {
				t.Fatalf("build: %v %v", err, errs)
			}
			acts := st.Listeners[0].Rules[0].Actions
			if tt.want == nil {
				if len(acts) != 1 || acts[0].Type != ActionForward {
					t.Fatalf("actions %+v, want the forward alone", acts)
				}
				return
			}
			if len(acts) != 2 || acts[1].Type != ActionForward || !reflect.DeepEqual(acts[0], *tt.want) {
				t.Fatalf("actions\n got %+v\nwant [%+v forward]", acts, *tt.want)
			}
		})
	}
}

// TestAuthenticateOnTheDefaultActionAndNotOnRedirects: the default
// backend's authentication goes before the listener's default action; an
// ssl-redirect HTTP listener only redirects.
func TestAuthenticateOnTheDefaultActionAndNotOnRedirects(t *testing.T) {
	p := annotations.IngressPrefix
	m := simple("ns", "a", map[string]string{annotations.IngListenPorts: `[{"HTTP":80},{"HTTPS":443}]`, annotations.IngCertificateARN: certARN,
		annotations.IngSSLRedirect: "443", p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP})
	db := backend("svc-1", "http")
	m.Ingress.Spec.DefaultBackend = &db
	st := buildOne(t, m, ingFacts(), ingDefaults())
	for _, l := range st.Listeners {
		switch l.Protocol {
		case "HTTP":
			if l.DefaultAuth != nil || len(l.Rules) != 0 || l.DefaultAction.Type != ActionRedirect {
				t.Errorf("HTTP listener: %+v", l)
			}
		case "HTTPS":
			if acts := l.DefaultActions(); len(acts) != 2 || acts[0].Type != ActionAuthenticateCognito || acts[1].Type != ActionForward {
				t.Errorf("HTTPS default actions %+v", acts)
			}
			if len(l.Rules) != 1 || l.Rules[0].Actions[0].Type != ActionAuthenticateCognito {
				t.Errorf("HTTPS rules %+v", l.Rules)
			}
		}
	}
}

// TestAuthSecretNames: the controller reads only the Secrets an oidc
// authentication names, on the Ingress or its backend Services.
func TestAuthSecretNames(t *testing.T) {
	p := annotations.IngressPrefix
	m := simple("ns", "a", map[string]string{p + "auth-idp-oidc": oidcIDP}) // auth-type none: not read
	if got := AuthSecretNames(m.Ingress, m.Services); len(got) != 0 {
		t.Errorf("auth-type none reads %v", got)
	}
	svc := m.Services["svc-1"].DeepCopy()
	svc.Annotations = map[string]string{p + "auth-type": "oidc"}
	m.Services["svc-1"] = svc
	if got := AuthSecretNames(m.Ingress, m.Services); !reflect.DeepEqual(got, []string{"oidc"}) {
		t.Errorf("oidc on the backend Service reads %v", got)
	}
}

// TestTheClientSecretIsNeitherPrintedNorFingerprintedButItsDigestIs: a
// Secret change changes the Stack's fingerprint input without the secret
// itself appearing in it.
func TestTheClientSecretIsNeitherPrintedNorFingerprintedButItsDigestIs(t *testing.T) {
	if SecretHash("a") == SecretHash("b") || SecretHash("a") != SecretHash("a") || strings.Contains(SecretHash("s3cret"), "s3cret") {
		t.Error("SecretHash does not tell secrets apart")
	}
	p := annotations.IngressPrefix
	m := withSecret(simple("ns", "a", httpsAnn(map[string]string{p + "auth-type": "oidc", p + "auth-idp-oidc": oidcIDP})),
		oidcSecret(map[string]string{"clientID": "id", "clientSecret": "s3cret-value"}))
	st := buildOne(t, m, ingFacts(), ingDefaults())
	b, err := json.Marshal(st.Listeners)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret-value") || !strings.Contains(string(b), SecretHash("s3cret-value")) {
		t.Errorf("listeners as JSON: %s", b)
	}
}

// TestUnauthenticatedInternetALB: `lbsg audit` notes an internet-facing
// ALB open to 0.0.0.0/0 with no authentication anywhere; authentication on
// a rule, an internal scheme or a narrower frontend makes it no note.
func TestUnauthenticatedInternetALB(t *testing.T) {
	p := annotations.IngressPrefix
	build := func(ann map[string]string) Stack {
		return buildOne(t, simple("ns", "a", httpsAnn(ann)), ingFacts(), ingDefaults())
	}
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want bool
	}{
		{"internet-facing, open, no authentication", map[string]string{annotations.IngScheme: "internet-facing"}, true},
		{"internal", nil, false},
		{"authenticated", map[string]string{annotations.IngScheme: "internet-facing", p + "auth-type": "cognito", p + "auth-idp-cognito": cognitoIDP}, false},
		{"validating JWTs", map[string]string{annotations.IngScheme: "internet-facing", p + "jwt-validation": `{"jwksEndpoint":"j","issuer":"i"}`}, false},
		{"open to a corporate range only", map[string]string{annotations.IngScheme: "internet-facing", p + "inbound-cidrs": "203.0.113.0/24"}, false},
		{"behind a WAFv2 web ACL", map[string]string{annotations.IngScheme: "internet-facing", p + "wafv2-acl-arn": "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/a/1"}, false},
		{"behind a WAF Classic web ACL", map[string]string{annotations.IngScheme: "internet-facing", p + "waf-acl-id": "c1a55100-0000-4000-a000-000000000001"}, false},
		{"a web ACL disassociated (none) filters nothing", map[string]string{annotations.IngScheme: "internet-facing", p + "wafv2-acl-arn": "none"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := UnauthenticatedInternetALB(build(tt.ann)); got != tt.want {
				t.Errorf("UnauthenticatedInternetALB = %v, want %v", got, tt.want)
			}
		})
	}
}
