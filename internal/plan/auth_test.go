package plan

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

// TestAuthenticateActionsAreComparedAsValues: authenticate actions match
// field by field (an empty extra-params map equals none); an OIDC action
// matches only when the digest of the client secret lbsg last wrote there
// is known and equal (ELBv2 never returns the secret).
func TestAuthenticateActionsAreComparedAsValues(t *testing.T) {
	session := model.AuthSession{OnUnauthenticatedRequest: "authenticate", Scope: "openid", SessionCookieName: "c", SessionTimeout: 60}
	oidc := func(hash string, mod func(*model.AuthOIDC)) model.Action {
		o := &model.AuthOIDC{Issuer: "i", AuthorizationEndpoint: "a", TokenEndpoint: "t", UserInfoEndpoint: "u", ClientID: "id",
			SecretHash: hash, AuthSession: session}
		if mod != nil {
			mod(o)
		}
		return model.Action{Type: model.ActionAuthenticateOIDC, AuthOIDC: o}
	}
	cognito := func(mod func(*model.AuthCognito)) model.Action {
		c := &model.AuthCognito{UserPoolARN: "p", UserPoolClientID: "c", UserPoolDomain: "d", AuthSession: session}
		if mod != nil {
			mod(c)
		}
		return model.Action{Type: model.ActionAuthenticateCognito, AuthCognito: c}
	}
	want := oidc(model.SecretHash("s"), func(o *model.AuthOIDC) { o.ClientSecret = "s" })
	for _, tt := range []struct {
		name       string
		want, have model.Action
		same       bool
	}{
		{"the secret lbsg wrote", want, oidc(model.SecretHash("s"), nil), true},
		{"a secret lbsg does not know (adopted, or written before a restart)", want, oidc("", nil), false},
		{"another secret", want, oidc(model.SecretHash("t"), nil), false},
		{"another client ID", want, oidc(model.SecretHash("s"), func(o *model.AuthOIDC) { o.ClientID = "x" }), false},
		{"another scope", want, oidc(model.SecretHash("s"), func(o *model.AuthOIDC) { o.Scope = "openid email" }), false},
		{"the same Cognito pool", cognito(nil), cognito(func(c *model.AuthCognito) { c.ExtraParams = map[string]string{} }), true},
		{"another session timeout", cognito(nil), cognito(func(c *model.AuthCognito) { c.SessionTimeout = 61 }), false},
		{"other extra params", cognito(func(c *model.AuthCognito) { c.ExtraParams = map[string]string{"a": "b"} }), cognito(nil), false},
		{"Cognito for OIDC", cognito(nil), oidc(model.SecretHash("s"), nil), false},
		{"a JWT claim changed", model.Action{Type: model.ActionJWTValidation, JWT: &model.JWTValidation{JwksEndpoint: "j", Issuer: "i",
			AdditionalClaims: []model.JWTClaim{{Format: "single-string", Name: "aud", Values: []string{"a"}}}}},
			model.Action{Type: model.ActionJWTValidation, JWT: &model.JWTValidation{JwksEndpoint: "j", Issuer: "i",
				AdditionalClaims: []model.JWTClaim{{Format: "single-string", Name: "aud", Values: []string{"b"}}}}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fwd := model.Action{Type: model.ActionForward, TargetGroup: "arn:tg"}
			got := sameActions([]model.Action{tt.want, {Type: model.ActionForward, TargetGroup: "tg"}}, []model.Action{tt.have, fwd},
				map[string]string{"tg": "arn:tg"})
			if got != tt.same {
				t.Errorf("same = %v, want %v", got, tt.same)
			}
		})
	}
}
