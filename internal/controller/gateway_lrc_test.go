package controller_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/testenv"
)

// ruleConfig is a ListenerRuleConfiguration ns/name with spec.
func ruleConfig(ns, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion("gateway.k8s.aws/v1")
	u.SetKind("ListenerRuleConfiguration")
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// ruleConfigRef is an ExtensionRef filter naming ListenerRuleConfiguration name.
func ruleConfigRef(name string) gwv1.HTTPRouteFilter {
	return gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterExtensionRef,
		ExtensionRef: &gwv1.LocalObjectReference{Group: "gateway.k8s.aws", Kind: "ListenerRuleConfiguration", Name: gwv1.ObjectName(name)}}
}

// lrcRule is one listener rule of a Gateway's ALB, rendered with what a
// ListenerRuleConfiguration sets: conditions, every action in order (with
// its authentication, stickiness, fixed response and redirect query
// settings) and the rule's tags.
type lrcRule struct {
	conds, actions []string
	tags           map[string]string
}

func (h *gwHarness) lrcRules(ctx context.Context, ns, name string) (map[string]lrcRule, error) {
	lb, err := h.gatewayALB(ctx, ns, name)
	if err != nil || lb == nil {
		return nil, err
	}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lb.name}})
	if err != nil {
		return nil, err
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		return nil, err
	}
	out := map[string]lrcRule{}
	for _, l := range ls.Listeners {
		rs, err := h.emu.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return nil, err
		}
		for _, r := range rs.Rules {
			if aws.ToBool(r.IsDefault) {
				continue
			}
			var lr lrcRule
			for _, c := range r.Conditions {
				lr.conds = append(lr.conds, describeCondition(c))
			}
			slices.SortFunc(r.Actions, func(a, b elbv2types.Action) int { return int(aws.ToInt32(a.Order) - aws.ToInt32(b.Order)) })
			for _, a := range r.Actions {
				s := describeAction(a, nil)
				switch {
				case a.AuthenticateOidcConfig != nil:
					o := a.AuthenticateOidcConfig
					s = fmt.Sprintf("oidc %s client=%s scope=%s cookie=%s timeout=%d on=%s extra=%v", aws.ToString(o.Issuer), aws.ToString(o.ClientId),
						aws.ToString(o.Scope), aws.ToString(o.SessionCookieName), aws.ToInt64(o.SessionTimeout), o.OnUnauthenticatedRequest, o.AuthenticationRequestExtraParams)
				case a.AuthenticateCognitoConfig != nil:
					c := a.AuthenticateCognitoConfig
					s = fmt.Sprintf("cognito %s client=%s domain=%s on=%s", aws.ToString(c.UserPoolArn), aws.ToString(c.UserPoolClientId),
						aws.ToString(c.UserPoolDomain), c.OnUnauthenticatedRequest)
				case a.FixedResponseConfig != nil:
					f := a.FixedResponseConfig
					s = fmt.Sprintf("fixed %s %s %q", aws.ToString(f.StatusCode), aws.ToString(f.ContentType), aws.ToString(f.MessageBody))
				case a.RedirectConfig != nil:
					s += " query=" + aws.ToString(a.RedirectConfig.Query)
				}
				lr.actions = append(lr.actions, s)
			}
			tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(r.RuleArn)}})
			if err != nil {
				return nil, err
			}
			lr.tags = map[string]string{}
			for _, td := range tags.TagDescriptions {
				for _, tg := range td.Tags {
					lr.tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
				}
			}
			out[fmt.Sprintf("%d:%s", aws.ToInt32(l.Port), aws.ToString(r.Priority))] = lr
		}
	}
	return out, nil
}

// waitLRCRules waits until check accepts the Gateway's rules by "port:priority".
func (h *gwHarness) waitLRCRules(ns, name, what string, check func(map[string]lrcRule) error) map[string]lrcRule {
	h.t.Helper()
	var rules map[string]lrcRule
	testenv.Eventually(h.t, what, func(ctx context.Context) (bool, error) {
		var err error
		if rules, err = h.lrcRules(ctx, ns, name); err != nil || rules == nil {
			return false, err
		}
		if err := check(rules); err != nil {
			return false, err
		}
		return true, nil
	})
	return rules
}

func oidcSecret(ns, name, id string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data: map[string][]byte{"clientID": []byte(id + " \n"), "clientSecret": []byte("s3cret\n")}}
}

// An HTTPRoute on an HTTPS ALB listener whose rules name
// ListenerRuleConfigurations gets LBC's rules: the authenticate-oidc
// action (client credentials from the Secret) before a sticky forward, the
// source-ip condition after the route's own on the matches it names, the
// configuration's tags; a fixed response instead of the forward; a
// redirect with the configuration's query; a cognito action. A change to
// the Secret or to a configuration rewrites the rules.
func TestALBGatewayAppliesListenerRuleConfigurations(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	cert := emutest.ImportCertificate(t, h.emu.ACM, "web.example.com")
	h.create(lbConfig(ns, "tls", map[string]any{"listenerConfigurations": []any{
		map[string]any{"protocolPort": "HTTPS:443", "defaultCertificate": cert}}}))
	h.create(oidcSecret(ns, "idp", "web-client"))
	h.create(ruleConfig(ns, "auth", map[string]any{
		"actions": []any{
			map[string]any{"type": "authenticate-oidc", "authenticateOIDCConfig": map[string]any{
				"issuer": "https://idp.example.com", "authorizationEndpoint": "https://idp.example.com/auth",
				"tokenEndpoint": "https://idp.example.com/token", "userInfoEndpoint": "https://idp.example.com/userinfo",
				"secret": map[string]any{"name": "idp"}, "authenticationRequestExtraParams": map[string]any{"prompt": "login"}}},
			map[string]any{"type": "forward", "forwardConfig": map[string]any{
				"targetGroupStickinessConfig": map[string]any{"enabled": true, "durationSeconds": int64(120)}}},
		},
		"conditions": []any{map[string]any{"field": "source-ip", "sourceIPConfig": map[string]any{"values": []any{"10.0.0.0/8"}},
			"matchIndexes": []any{int64(1)}}},
		"tags": map[string]any{"team": "web"},
	}))
	h.create(ruleConfig(ns, "maint", map[string]any{"actions": []any{map[string]any{"type": "fixed-response",
		"fixedResponseConfig": map[string]any{"statusCode": int64(503), "messageBody": "down for maintenance"}}}}))
	h.create(ruleConfig(ns, "query", map[string]any{"actions": []any{map[string]any{"type": "redirect",
		"redirectConfig": map[string]any{"query": "from=old"}}}}))
	h.create(ruleConfig(ns, "cognito", map[string]any{"actions": []any{map[string]any{"type": "authenticate-cognito",
		"authenticateCognitoConfig": map[string]any{"userPoolArn": "arn:aws:cognito-idp:us-west-2:111122223333:userpool/us-west-2_abc",
			"userPoolClientId": "cid", "userPoolDomain": "auth.example.com", "onUnauthenticatedRequest": "deny"}}}}))
	h.create(&gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class),
			Listeners:      []gwv1.Listener{{Name: "https", Port: 443, Protocol: gwv1.HTTPSProtocolType}},
			Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "tls"}}}})
	echo := []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}
	rt := httpRoute(ns, "web", []gwv1.ParentReference{parent(ns, "gw")}, nil,
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchExact, "/app"), pathMatch(gwv1.PathMatchExact, "/admin")},
			Filters: []gwv1.HTTPRouteFilter{ruleConfigRef("auth")}, BackendRefs: echo},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchExact, "/maint")},
			Filters: []gwv1.HTTPRouteFilter{ruleConfigRef("maint")}, BackendRefs: echo},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchExact, "/old")},
			Filters: []gwv1.HTTPRouteFilter{ruleConfigRef("query"), {Type: gwv1.HTTPRouteFilterRequestRedirect,
				RequestRedirect: &gwv1.HTTPRequestRedirectFilter{Hostname: new(gwv1.PreciseHostname("new.example.com"))}}}},
		gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchExact, "/team")},
			Filters: []gwv1.HTTPRouteFilter{ruleConfigRef("cognito")}, BackendRefs: echo},
	)
	h.create(rt)

	oidc := "oidc https://idp.example.com client=web-client scope=openid cookie=AWSELBAuthSessionCookie timeout=604800 on=authenticate extra=map[prompt:login]"
	want := map[string]lrcRule{
		// Path length orders the Exact matches (LBC's precedence).
		"443:1": {conds: []string{"path-pattern[/admin]", "source-ip[10.0.0.0/8]"}, actions: []string{oidc, "forward *1 sticky 120s"}, tags: map[string]string{"team": "web"}},
		"443:2": {conds: []string{"path-pattern[/maint]"}, actions: []string{`fixed 503 text/plain "down for maintenance"`}},
		"443:3": {conds: []string{"path-pattern[/team]"}, actions: []string{"cognito arn:aws:cognito-idp:us-west-2:111122223333:userpool/us-west-2_abc client=cid domain=auth.example.com on=deny", "forward *1"}},
		"443:4": {conds: []string{"path-pattern[/app]"}, actions: []string{oidc, "forward *1 sticky 120s"}, tags: map[string]string{"team": "web"}},
		"443:5": {conds: []string{"path-pattern[/old]"}, actions: []string{"redirect #{protocol}://new.example.com:#{port} HTTP_302 query=from=old"}},
	}
	check := func(want map[string]lrcRule) func(map[string]lrcRule) error {
		return func(got map[string]lrcRule) error {
			for _, k := range slices.Sorted(maps.Keys(got)) {
				if _, ok := want[k]; !ok {
					return fmt.Errorf("unexpected rule %s %+v", k, got[k])
				}
			}
			for _, k := range slices.Sorted(maps.Keys(want)) {
				g, w := got[k], want[k]
				if !slices.Equal(g.conds, w.conds) || !slices.Equal(g.actions, w.actions) {
					return fmt.Errorf("rule %s: %q → %q, want %q → %q", k, g.conds, g.actions, w.conds, w.actions)
				}
				for tk, tv := range w.tags {
					if g.tags[tk] != tv {
						return fmt.Errorf("rule %s tags %v lack %s=%s", k, g.tags, tk, tv)
					}
				}
				if w.tags == nil && g.tags["team"] != "" {
					return fmt.Errorf("rule %s carries the configuration's tags %v", k, g.tags)
				}
			}
			return nil
		}
	}
	h.waitLRCRules(ns, "gw", "rules with the configurations", check(want))
	h.waitHTTPRoute(rt, ns, "gw", "Accepted", "True/Accepted")

	// A resync costs no AWS call: the OIDC client secret AWS never returns
	// is compared by its digest.
	before := h.quiesce()
	if _, err := h.ctrls.ALBGateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: "gw"}}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of the unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	// A new client ID in the Secret reaches the rules (the Secret is watched).
	testenv.Eventually(t, "secret updated", func(ctx context.Context) (bool, error) {
		cur := &corev1.Secret{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "idp"}, cur); err != nil {
			return false, err
		}
		cur.Data["clientID"] = []byte("rotated")
		return true, h.kube.Client.Update(ctx, cur)
	})
	rotated := strings.Replace(oidc, "client=web-client", "client=rotated", 1)
	for _, k := range []string{"443:1", "443:4"} {
		w := want[k]
		w.actions = []string{rotated, "forward *1 sticky 120s"}
		want[k] = w
	}
	h.waitLRCRules(ns, "gw", "rules with the rotated client", check(want))

	// A change to a configuration reaches the rules (it is watched): the
	// source-ip condition now applies to every match of the rule.
	testenv.Eventually(t, "configuration updated", func(ctx context.Context) (bool, error) {
		cur := ruleConfig(ns, "auth", nil)
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(cur), cur); err != nil {
			return false, err
		}
		unstructured.RemoveNestedField(cur.Object, "spec", "conditions")
		_ = unstructured.SetNestedSlice(cur.Object, []any{map[string]any{"field": "source-ip",
			"sourceIPConfig": map[string]any{"values": []any{"192.168.0.0/16"}}}}, "spec", "conditions")
		return true, h.kube.Client.Update(ctx, cur)
	})
	w1, w4 := want["443:1"], want["443:4"]
	w1.conds = []string{"path-pattern[/admin]", "source-ip[192.168.0.0/16]"}
	w4.conds = []string{"path-pattern[/app]", "source-ip[192.168.0.0/16]"}
	want["443:1"], want["443:4"] = w1, w4
	h.waitLRCRules(ns, "gw", "rules with the changed condition", check(want))
}

// A route naming a ListenerRuleConfiguration that is missing, whose OIDC
// Secret is missing, or that would authenticate on an HTTP listener is
// refused out loud (Accepted False IncompatibleFilters naming why, an
// InvalidListenerRuleConfiguration event) and gets no rule; its sibling is
// applied. Creating the missing configuration applies the route.
func TestALBGatewayRefusesARouteWithAnUnusableListenerRuleConfiguration(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	echo := h.backend(ns, "echo")
	h.gateway(ns, "gw", httpListener("http", 80))
	h.create(ruleConfig(ns, "nosecret", map[string]any{"actions": []any{map[string]any{"type": "authenticate-oidc",
		"authenticateOIDCConfig": map[string]any{"issuer": "https://idp.example.com", "authorizationEndpoint": "https://idp.example.com/auth",
			"tokenEndpoint": "https://idp.example.com/token", "userInfoEndpoint": "https://idp.example.com/userinfo",
			"secret": map[string]any{"name": "absent"}}}}}))
	h.create(oidcSecret(ns, "idp", "web-client"))
	h.create(ruleConfig(ns, "auth", map[string]any{"actions": []any{map[string]any{"type": "authenticate-oidc",
		"authenticateOIDCConfig": map[string]any{"issuer": "https://idp.example.com", "authorizationEndpoint": "https://idp.example.com/auth",
			"tokenEndpoint": "https://idp.example.com/token", "userInfoEndpoint": "https://idp.example.com/userinfo",
			"secret": map[string]any{"name": "idp"}}}}}))
	backends := []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}
	route := func(name, path, cfg string) *gwv1.HTTPRoute {
		rule := gwv1.HTTPRouteRule{Matches: []gwv1.HTTPRouteMatch{pathMatch(gwv1.PathMatchPathPrefix, path)}, BackendRefs: backends}
		if cfg != "" {
			rule.Filters = []gwv1.HTTPRouteFilter{ruleConfigRef(cfg)}
		}
		return httpRoute(ns, name, []gwv1.ParentReference{parent(ns, "gw")}, nil, rule)
	}
	missing := route("missing", "/m", "ip-allow")
	nosecret := route("nosecret", "/n", "nosecret")
	plainHTTP := route("plainhttp", "/p", "auth")
	good := route("good", "/g", "")
	for _, rt := range []*gwv1.HTTPRoute{missing, nosecret, plainHTTP, good} {
		h.create(rt)
	}
	goodRule := fmt.Sprintf("80:1 path-pattern[/g /g/*] → forward %s*1", albTG(ns, "gw", "good", "echo", echo.Spec.Ports[0].NodePort))
	h.waitALBRules(ns, "gw", goodRule)
	for _, c := range []struct {
		rt   *gwv1.HTTPRoute
		want string
	}{
		{missing, "rule 0: ListenerRuleConfiguration " + ns + "/ip-allow not found"},
		{nosecret, "secret " + ns + "/absent not found"},
		{plainHTTP, "authenticate-oidc needs an HTTPS listener; on listener http (HTTP:80)"},
	} {
		cur := h.waitHTTPRoute(c.rt, ns, "gw", "Accepted", "False/IncompatibleFilters")
		msg := ""
		for _, p := range cur.Status.Parents {
			if cond := findCond(p.Conditions, "Accepted"); cond != nil {
				msg = cond.Message
			}
		}
		if !strings.Contains(msg, c.want) {
			t.Errorf("route %s: Accepted message %q does not say %q", c.rt.Name, msg, c.want)
		}
		testenv.Eventually(t, "InvalidListenerRuleConfiguration event on "+c.rt.Name, func(context.Context) (bool, error) {
			return h.events.has(c.rt.Name + " Warning InvalidListenerRuleConfiguration"), nil
		})
	}
	h.waitHTTPRoute(good, ns, "gw", "Accepted", "True/Accepted")
	h.waitALBRules(ns, "gw", goodRule)

	// The missing configuration appears: the route is applied (the
	// configuration is watched), with its source-ip condition.
	h.create(ruleConfig(ns, "ip-allow", map[string]any{"conditions": []any{map[string]any{"field": "source-ip",
		"sourceIPConfig": map[string]any{"values": []any{"10.1.0.0/16"}}}}}))
	h.waitHTTPRoute(missing, ns, "gw", "Accepted", "True/Accepted")
	h.waitALBRules(ns, "gw", goodRule,
		fmt.Sprintf("80:2 path-pattern[/m /m/*] source-ip[10.1.0.0/16] → forward %s*1", albTG(ns, "gw", "missing", "echo", echo.Spec.Ports[0].NodePort)))
}
