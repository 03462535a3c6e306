package gwconfig_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

func lrcObject(spec map[string]any) map[string]any {
	return map[string]any{"metadata": map[string]any{"namespace": "app", "name": "lrc"}, "spec": spec}
}

func TestParseListenerRuleConfiguration(t *testing.T) {
	oidc := func(extra map[string]any) map[string]any {
		c := map[string]any{"issuer": "https://idp", "authorizationEndpoint": "https://idp/a", "tokenEndpoint": "https://idp/t",
			"userInfoEndpoint": "https://idp/u", "secret": map[string]any{"name": "idp"}}
		for k, v := range extra {
			c[k] = v
		}
		return map[string]any{"type": "authenticate-oidc", "authenticateOIDCConfig": c}
	}
	fixed := func(code float64) map[string]any {
		return map[string]any{"type": "fixed-response", "fixedResponseConfig": map[string]any{"statusCode": code}}
	}
	sourceIP := func(v string) map[string]any {
		return map[string]any{"field": "source-ip", "sourceIPConfig": map[string]any{"values": []any{v}}, "matchIndexes": []any{float64(0)}}
	}
	for _, c := range []struct {
		name        string
		spec        map[string]any
		unsupported string // a field named in an *UnsupportedError
		invalid     string // an error saying this
		secret      string // the OIDC Secret named
	}{
		{name: "oidc, fixed response, source-ip and tags", spec: map[string]any{"actions": []any{oidc(nil), fixed(503)},
			"conditions": []any{sourceIP("10.0.0.0/8")}, "tags": map[string]any{"a": "b"}}, secret: "idp"},
		{name: "useExistingClientSecret is refused, not ignored", spec: map[string]any{"actions": []any{oidc(map[string]any{"useExistingClientSecret": true})}},
			unsupported: "spec.actions[].authenticateOIDCConfig.useExistingClientSecret"},
		{name: "an unknown field is refused", spec: map[string]any{"priority": float64(3)}, unsupported: "spec.priority"},
		{name: "two routing actions", spec: map[string]any{"actions": []any{fixed(503), fixed(404)}}, invalid: "at most one routing action"},
		{name: "two pre-routing actions", spec: map[string]any{"actions": []any{oidc(nil), oidc(nil)}}, invalid: "at most one pre-routing action"},
		{name: "a 3XX fixed response", spec: map[string]any{"actions": []any{fixed(302)}}, invalid: "must be 2XX, 4XX or 5XX"},
		{name: "an action without its config", spec: map[string]any{"actions": []any{map[string]any{"type": "redirect"}}}, invalid: "action redirect lacks its config"},
		{name: "a source-ip value that is no CIDR", spec: map[string]any{"conditions": []any{sourceIP("10.0.0.300/8")}}, invalid: "is not a CIDR"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := gwconfig.ParseListenerRuleConfiguration(lrcObject(c.spec))
			var ue *gwconfig.UnsupportedError
			switch {
			case c.unsupported != "":
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.unsupported) {
					t.Fatalf("err %v, want an UnsupportedError naming %s", err, c.unsupported)
				}
			case c.invalid != "":
				if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), c.invalid) || !strings.Contains(err.Error(), "app/lrc") {
					t.Fatalf("err %v, want one naming app/lrc saying %q", err, c.invalid)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if s := got.Spec.OIDCSecret(); s != c.secret {
					t.Errorf("OIDC secret %q, want %q", s, c.secret)
				}
				if got.Spec.PreRouting() == nil || got.Spec.Routing() == nil || got.Spec.Routing().FixedResponseConfig.StatusCode != 503 {
					t.Errorf("actions %+v", got.Spec.Actions)
				}
				if len(got.Spec.Conditions) != 1 || (*got.Spec.Conditions[0].MatchIndexes)[0] != 0 || (*got.Spec.Tags)["a"] != "b" {
					t.Errorf("conditions %+v tags %v", got.Spec.Conditions, got.Spec.Tags)
				}
			}
		})
	}
}
