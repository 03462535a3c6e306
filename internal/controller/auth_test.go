package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

const (
	authP        = "alb.ingress.kubernetes.io/"
	testPoolARN  = "arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc"
	cognitoIDPv  = `{"userPoolARN":"` + testPoolARN + `","userPoolClientID":"client-1","userPoolDomain":"auth.example.com"}`
	oidcIDPValue = `{"issuer":"https://idp.example.com","authorizationEndpoint":"https://idp.example.com/auth","tokenEndpoint":"https://idp.example.com/token","userInfoEndpoint":"https://idp.example.com/userinfo","secretName":"oidc"}`
)

// describeAuth renders an authenticate or jwt-validation action's config.
func describeAuth(a elbv2types.Action) (string, bool) {
	switch {
	case a.AuthenticateCognitoConfig != nil:
		c := a.AuthenticateCognitoConfig
		return fmt.Sprintf("cognito(%s %s %s %s scope=%s cookie=%s timeout=%d)", aws.ToString(c.UserPoolArn), aws.ToString(c.UserPoolClientId),
			aws.ToString(c.UserPoolDomain), c.OnUnauthenticatedRequest, aws.ToString(c.Scope), aws.ToString(c.SessionCookieName), aws.ToInt64(c.SessionTimeout)), true
	case a.AuthenticateOidcConfig != nil:
		c := a.AuthenticateOidcConfig
		s := fmt.Sprintf("oidc(%s client=%s %s scope=%s)", aws.ToString(c.Issuer), aws.ToString(c.ClientId), c.OnUnauthenticatedRequest, aws.ToString(c.Scope))
		if c.ClientSecret != nil {
			s += " SECRET RETURNED"
		}
		return s, true
	case a.JwtValidationConfig != nil:
		c := a.JwtValidationConfig
		return fmt.Sprintf("jwt(%s %s)", aws.ToString(c.Issuer), aws.ToString(c.JwksEndpoint)), true
	}
	return "", false
}

// authIngress routes the paths (path → Service, port 80) on an HTTPS
// listener with cert.
func (h *harness) authIngress(name, cert string, ann map[string]string, paths ...string) *networkingv1.Ingress {
	a := map[string]string{"kubernetes.io/ingress.class": "alb", authP + "listen-ports": `[{"HTTPS":443}]`, authP + "certificate-arn": cert}
	for k, v := range ann {
		a[k] = v
	}
	prefix := networkingv1.PathTypePrefix
	var ps []networkingv1.HTTPIngressPath
	for i := 0; i+1 < len(paths); i += 2 {
		ps = append(ps, networkingv1.HTTPIngressPath{Path: paths[i], PathType: &prefix,
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: paths[i+1],
				Port: networkingv1.ServiceBackendPort{Number: 80}}}})
	}
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name, Annotations: a},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: ps}}}}}}
}

func (h *harness) oidcSecret(name, id, secret string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name},
		Data: map[string][]byte{"clientID": []byte(id), "clientSecret": []byte(secret)}}
}

func (h *harness) updateObject(obj client.Object, mutate func(client.Object)) {
	h.t.Helper()
	testenv.Eventually(h.t, obj.GetName()+" updated", func(ctx context.Context) (bool, error) {
		cur := obj.DeepCopyObject().(client.Object)
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(obj), cur); err != nil {
			return false, err
		}
		mutate(cur)
		return true, h.kube.Client.Update(ctx, cur)
	})
}

// authRules is routingRules with authenticate actions rendered.
func (h *harness) authRules(ctx context.Context, lbName string) ([]describedRule, error) {
	rs, err := h.routingRules(ctx, lbName)
	if err != nil {
		return nil, err
	}
	// routingRules renders an unknown action as its type; redo the lines
	// with the configs (DescribeRules again, by ARN).
	for i := range rs {
		out, err := h.emu.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{rs[i].ARN}})
		if err != nil {
			return nil, err
		}
		for _, a := range out.Rules[0].Actions {
			if s, ok := describeAuth(a); ok {
				rs[i].Line = strings.Replace(rs[i].Line, string(a.Type), s, 1)
			}
		}
	}
	return rs, nil
}

func (h *harness) waitRules(name, what string, want ...string) []describedRule {
	h.t.Helper()
	var got []describedRule
	testenv.Eventually(h.t, what, func(ctx context.Context) (bool, error) {
		rs, _ := h.authRules(ctx, name) // errors until the ALB exists
		got = rs
		return slices.Equal(lines(rs), want), nil
	})
	return got
}

func (h *harness) calls(action string) int { return h.emu.Server.Calls().Count(action) }

// TestCognitoAndOIDCAuthenticationEndToEnd: an Ingress with Cognito
// authentication and a backend Service that overrides it with OIDC (its
// client from a Secret) get an authenticate action before each forward,
// as LBC builds them; the client secret never comes back from AWS. A new
// client secret, a new scope and the removal of authentication are each
// one ModifyRule in place; a resync costs no AWS call; only the one Secret
// is watched, and no longer once the Ingress is gone.
func TestCognitoAndOIDCAuthenticationEndToEnd(t *testing.T) {
	h := start(t, nil)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "app.example.com")
	h.create(h.nodePortService("web"))
	admin := h.nodePortService("admin")
	admin.Annotations = map[string]string{authP + "auth-type": "oidc", authP + "auth-idp-oidc": oidcIDPValue}
	h.create(admin)
	sec := h.oidcSecret("oidc", "oidc-client", "first-secret")
	h.create(sec)
	ing := h.authIngress("authed", cert, map[string]string{authP + "auth-type": "cognito", authP + "auth-idp-cognito": cognitoIDPv},
		"/admin", "admin", "/", "web")
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	cognito := func(scope string) string {
		return "cognito(" + testPoolARN + " client-1 auth.example.com authenticate scope=" + scope + " cookie=AWSELBAuthSessionCookie timeout=604800)"
	}
	oidc := "oidc(https://idp.example.com client=oidc-client authenticate scope=openid)"
	var before []describedRule
	testenv.Eventually(t, "authenticated rules", func(ctx context.Context) (bool, error) {
		rs, _ := h.authRules(ctx, name)
		before = rs
		return len(rs) == 2 && strings.Contains(rs[0].Line, oidc+", forward") && strings.Contains(rs[1].Line, cognito("openid")+", forward"), nil
	})
	if strings.Contains(strings.Join(lines(before), "\n"), "SECRET") {
		t.Fatalf("the client secret came back: %v", lines(before))
	}
	if got := h.ctrls.Ingress.Secrets.Watched(); !slices.Equal(got, []types.NamespacedName{{Namespace: h.kube.Namespace, Name: "oidc"}}) {
		t.Errorf("watched Secrets %v, want the one in use", got)
	}

	step := func(what string, change func(), modifies int, want ...string) {
		t.Helper()
		h.quiesce()
		m, c, d := h.calls("ModifyRule"), h.calls("CreateRule"), h.calls("DeleteRule")
		change()
		var after []describedRule
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			rs, _ := h.authRules(ctx, name)
			after = rs
			return slices.Equal(lines(rs), want) && h.calls("ModifyRule")-m >= modifies, nil
		})
		h.quiesce()
		if n := h.calls("ModifyRule") - m; n != modifies {
			t.Errorf("%s: %d ModifyRule calls, want %d", what, n, modifies)
		}
		if n := h.calls("CreateRule") + h.calls("DeleteRule") - c - d; n != 0 {
			t.Errorf("%s: %d rules created or deleted, want none (changed in place)", what, n)
		}
		for i := range after {
			if after[i].ARN != before[i].ARN {
				t.Errorf("%s: rule %q changed ARN", what, after[i].Line)
			}
		}
	}
	cur := lines(before)
	// A new client secret: the OIDC rule is written again (AWS shows nothing).
	step("a new client secret", func() {
		h.updateObject(sec, func(o client.Object) { o.(*corev1.Secret).Data["clientSecret"] = []byte("second-secret") })
	}, 1, cur...)
	// A new scope on the Ingress: only the Cognito rule (the Service's
	// annotations win for /admin, but auth-scope is not on the Service, so
	// the OIDC rule takes it too).
	cur = []string{strings.Replace(cur[0], "scope=openid", "scope=openid email", 1), strings.Replace(cur[1], cognito("openid"), cognito("openid email"), 1)}
	step("a new scope", func() {
		h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[authP+"auth-scope"] = "openid email" })
	}, 2, cur...)

	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	// Removal, the Service's first: /admin falls back to the Ingress's
	// Cognito authentication; then the Ingress's: plain forwards.
	cur = []string{strings.Replace(cur[0], strings.Replace(oidc, "scope=openid", "scope=openid email", 1), cognito("openid email"), 1), cur[1]}
	step("the Service's authentication removed", func() {
		h.updateObject(admin, func(o client.Object) { o.SetAnnotations(nil) })
	}, 1, cur...)
	cur = []string{strings.Replace(cur[0], cognito("openid email")+", ", "", 1), strings.Replace(cur[1], cognito("openid email")+", ", "", 1)}
	step("the Ingress's authentication removed", func() {
		h.updateIngress(ing, func(i *networkingv1.Ingress) {
			for k := range i.Annotations {
				if strings.HasPrefix(k, authP+"auth-") {
					delete(i.Annotations, k)
				}
			}
		})
	}, 2, cur...)
	testenv.Eventually(t, "no Secret watched once none is named", func(context.Context) (bool, error) {
		return len(h.ctrls.Ingress.Secrets.Watched()) == 0, nil
	})
}

// TestADeletedOIDCSecretKeepsTheRulesAuthenticated: with the OIDC Secret
// deleted, the Ingress's rule keeps its authenticate action, a new path is
// not created (nothing is written), and a Warning event names the Ingress,
// the annotation and the reason; the Secret back, the new rule is created
// with authentication.
func TestADeletedOIDCSecretKeepsTheRulesAuthenticated(t *testing.T) {
	h := start(t, nil)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "app.example.com")
	h.create(h.nodePortService("web"))
	sec := h.oidcSecret("oidc", "oidc-client", "s1")
	h.create(sec)
	ing := h.authIngress("oidc", cert, map[string]string{authP + "auth-type": "oidc", authP + "auth-idp-oidc": oidcIDPValue}, "/", "web")
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	var first []describedRule
	testenv.Eventually(t, "the authenticated rule", func(ctx context.Context) (bool, error) {
		rs, _ := h.authRules(ctx, name)
		first = rs
		return len(rs) == 1 && strings.Contains(rs[0].Line, "oidc(https://idp.example.com client=oidc-client"), nil
	})
	h.deleteAndWait(sec)
	h.quiesce()
	writes := h.emu.Server.Calls().Mutations()
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		prefix := networkingv1.PathTypePrefix
		i.Spec.Rules[0].HTTP.Paths = append(i.Spec.Rules[0].HTTP.Paths, networkingv1.HTTPIngressPath{Path: "/new", PathType: &prefix,
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}})
	})
	want := "oidc Warning FailedBuildModel: Failed build model due to ingress " + h.kube.Namespace + "/oidc: annotation " + authP +
		"auth-idp-oidc: secret " + h.kube.Namespace + "/oidc not found"
	testenv.Eventually(t, "a Warning naming the Ingress, the annotation and the missing Secret", func(context.Context) (bool, error) {
		return h.events.has(want), nil
	})
	time.Sleep(2 * time.Second) //nolint:forbidigo // proving nothing happens takes a wait
	if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
		t.Errorf("%d AWS writes without the Secret: %v", n, h.emu.Server.Calls().Sorted())
	}
	if rs, err := h.authRules(t.Context(), name); err != nil || !slices.Equal(lines(rs), lines(first)) {
		t.Errorf("rules without the Secret: %v (%v), want them as they were: %v", lines(rs), err, lines(first))
	}

	// The Secret back (the watch sees it): the new rule comes, authenticated.
	h.create(h.oidcSecret("oidc", "oidc-client", "s2"))
	testenv.Eventually(t, "both rules authenticated", func(ctx context.Context) (bool, error) {
		rs, _ := h.authRules(ctx, name)
		return len(rs) == 2 && strings.Contains(rs[0].Line, "oidc(") && strings.Contains(rs[1].Line, "oidc("), nil
	})
}

// TestAuthenticationRefusedWhereItCannotBeBuilt: authentication on a plain
// HTTP listener (LBC would serve those rules unauthenticated) and a Secret
// without clientSecret create nothing and say why.
func TestAuthenticationRefusedWhereItCannotBeBuilt(t *testing.T) {
	h := start(t, nil)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "app.example.com")
	h.create(h.nodePortService("web"))
	h.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "oidc"},
		Data: map[string][]byte{"clientID": []byte("id")}})
	writes := h.emu.Server.Calls().Mutations()
	plain := h.albIngress("plain", "/", "web", map[string]string{authP + "auth-type": "cognito", authP + "auth-idp-cognito": cognitoIDPv})
	h.create(plain)
	noKey := h.authIngress("nokey", cert, map[string]string{authP + "auth-type": "oidc", authP + "auth-idp-oidc": oidcIDPValue}, "/", "web")
	h.create(noKey)
	testenv.Eventually(t, "both refusals reported", func(context.Context) (bool, error) {
		return h.events.has("plain Warning FailedBuildModel: Failed build model due to ingress "+h.kube.Namespace+"/plain: annotation "+authP+
			"auth-type: authentication needs an HTTPS listener; on HTTP:80") &&
			h.events.has("nokey Warning FailedBuildModel: Failed build model due to ingress "+h.kube.Namespace+"/nokey: annotation "+authP+
				"auth-idp-oidc: missing clientSecret, secret: "+h.kube.Namespace+"/oidc"), nil
	})
	time.Sleep(2 * time.Second) //nolint:forbidigo // proving nothing happens takes a wait
	if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
		t.Errorf("%d AWS writes for refused authentication: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// TestJWTValidationEndToEnd: jwt-validation puts a jwt-validation action
// before the forward; an issuer change is one ModifyRule; removing it
// leaves the forward alone.
func TestJWTValidationEndToEnd(t *testing.T) {
	h := start(t, nil)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "app.example.com")
	h.create(h.nodePortService("web"))
	jwt := func(iss string) string {
		return `{"jwksEndpoint":"https://idp.example.com/jwks","issuer":"` + iss + `","additionalClaims":[{"format":"string-array","name":"groups","values":["admins"]}]}`
	}
	ing := h.authIngress("jwt", cert, map[string]string{authP + "jwt-validation": jwt("https://a.example.com")}, "/", "web")
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	var rs []describedRule
	testenv.Eventually(t, "the jwt-validation rule", func(ctx context.Context) (bool, error) {
		rs, _ = h.authRules(ctx, name)
		return len(rs) == 1 && strings.Contains(rs[0].Line, "jwt(https://a.example.com https://idp.example.com/jwks), forward"), nil
	})
	h.quiesce()
	m := h.calls("ModifyRule")
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[authP+"jwt-validation"] = jwt("https://b.example.com") })
	h.waitRules(name, "the new issuer", strings.Replace(rs[0].Line, "a.example.com", "b.example.com", 1))
	h.updateIngress(ing, func(i *networkingv1.Ingress) { delete(i.Annotations, authP+"jwt-validation") })
	h.waitRules(name, "no validation", strings.Replace(rs[0].Line, "jwt(https://a.example.com https://idp.example.com/jwks), ", "", 1))
	h.quiesce()
	if n := h.calls("ModifyRule") - m; n != 2 {
		t.Errorf("%d ModifyRule calls for two changes, want 2", n)
	}
}

// TestAnOIDCRuleIsNotRewrittenAfterARestart: a restarted controller whose
// applied-state record matches writes nothing for an OIDC-authenticated
// Ingress (ELBv2 never shows the client secret, and lbsg does not rewrite
// it blindly); a Secret change afterwards is one ModifyRule.
func TestAnOIDCRuleIsNotRewrittenAfterARestart(t *testing.T) {
	h := start(t, nil)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "app.example.com")
	h.create(h.nodePortService("web"))
	sec := h.oidcSecret("oidc", "oidc-client", "s1")
	h.create(sec)
	ing := h.authIngress("oidc", cert, map[string]string{authP + "auth-type": "oidc", authP + "auth-idp-oidc": oidcIDPValue}, "/", "web")
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	testenv.Eventually(t, "the authenticated rule", func(ctx context.Context) (bool, error) {
		rs, _ := h.authRules(ctx, name)
		return len(rs) == 1 && strings.Contains(rs[0].Line, "oidc("), nil
	})
	h.quiesce()
	h.stopManager()
	writes := h.emu.Server.Calls().Mutations()
	h2 := startOn(t, h.kube, h.emu, nil, false)
	testenv.Eventually(t, "the restarted controller reconciled the Ingress", func(context.Context) (bool, error) {
		return h2.events.has("oidc Normal SuccessfullyReconciled"), nil
	})
	h2.quiesce()
	if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
		t.Errorf("%d AWS writes after a restart with nothing changed: %v", n, h.emu.Server.Calls().Sorted())
	}
	m := h2.calls("ModifyRule")
	h2.updateObject(sec, func(o client.Object) { o.(*corev1.Secret).Data["clientSecret"] = []byte("s2") })
	testenv.Eventually(t, "the new secret written", func(context.Context) (bool, error) { return h2.calls("ModifyRule") > m, nil })
	h2.quiesce()
	if n := h2.calls("ModifyRule") - m; n != 1 {
		t.Errorf("%d ModifyRule calls for a new client secret, want 1", n)
	}
}
