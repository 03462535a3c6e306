package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// routeString renders an action with every field the routing annotations
// set.
func routeString(a Action) string {
	if a.Forward == nil {
		return actionString(&a)
	}
	var ts []string
	for _, t := range a.Forward.TargetGroups {
		s := t.TargetGroup + t.ARN
		if t.Weight != nil {
			s += fmt.Sprintf("*%d", *t.Weight)
		}
		ts = append(ts, s)
	}
	out := "forward " + strings.Join(ts, ",")
	if s := a.Forward.Stickiness; s != nil {
		out += fmt.Sprintf(" sticky(%v,%v)", ptrString(s.Enabled), ptrString(s.DurationSeconds))
	}
	return out
}

func ptrString[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// conditionString renders a condition with its regex values, header name
// and query pairs.
func conditionString(c Condition) string {
	s := c.Field
	if c.HTTPHeaderName != "" {
		s += "(" + c.HTTPHeaderName + ")"
	}
	if len(c.Values) > 0 {
		s += fmt.Sprint(c.Values)
	}
	if len(c.RegexValues) > 0 {
		s += fmt.Sprintf("~%v", c.RegexValues)
	}
	for _, q := range c.QueryString {
		s += fmt.Sprintf("{%s=%s}", q.Key, q.Value)
	}
	return s
}

func routeLines(l Listener) []string {
	var out []string
	for _, r := range l.Rules {
		var cs []string
		for _, c := range r.Conditions {
			cs = append(cs, conditionString(c))
		}
		line := fmt.Sprintf("%d %s → %s", r.Priority, strings.Join(cs, " "), routeString(r.Actions[0]))
		for _, t := range r.Transforms {
			line += " | " + t.Type
			for _, rw := range t.Rewrites {
				line += fmt.Sprintf(" %s=>%s", rw.Regex, rw.Replace)
			}
		}
		out = append(out, line)
	}
	return out
}

// routed is ns-1/ing-1 with one rule: host app.example.com, Prefix /api to
// the backend (svc, port), and the given annotations.
func routed(ann map[string]string, svc string, port any) IngressMember {
	return ingMember(ingress("ns-1", "ing-1", ann,
		ingRule("app.example.com", path("/api", networkingv1.PathTypePrefix, backend(svc, port)))))
}

func TestIngressActionsAnnotation(t *testing.T) {
	act := annotations.IngActionsPrefix
	for _, tt := range []struct {
		name    string
		ann     map[string]string
		svc     string
		wantTGs []string
		want    string
	}{
		{name: "a weighted forward over two Services, with stickiness",
			ann: map[string]string{act + "split": `{"type":"forward","forwardConfig":{"targetGroups":[
				{"serviceName":"svc-1","servicePort":"http","weight":30},{"serviceName":"svc-2","servicePort":80,"weight":70}],
				"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":120}}}`},
			svc: "split", wantTGs: []string{"ns-1/ing-1-svc-1:http", "ns-1/ing-1-svc-2:80"},
			want: "forward ns-1/ing-1-svc-1:http*30,ns-1/ing-1-svc-2:80*70 sticky(true,120)"},
		{name: "a string servicePort holding a number is that number",
			ann: map[string]string{act + "one": `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"svc-1","servicePort":"80"}]}}`},
			svc: "one", wantTGs: []string{"ns-1/ing-1-svc-1:80"}, want: "forward ns-1/ing-1-svc-1:80"},
		{name: "the simplified form forwards to a target group by ARN",
			ann:  map[string]string{act + "tg": `{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/x/1"}`},
			svc:  "tg",
			want: "forward arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/x/1"},
		{name: "a forward config mixing an ARN and a Service",
			ann: map[string]string{act + "mix": `{"type":"forward","forwardConfig":{"targetGroups":[
				{"targetGroupARN":"arn:tg/x","weight":1},{"serviceName":"svc-1","servicePort":"http","weight":0}]}}`},
			svc: "mix", wantTGs: []string{"ns-1/ing-1-svc-1:http"}, want: "forward arn:tg/x*1,ns-1/ing-1-svc-1:http*0"},
		{name: "target groups by name, as the controller found them",
			ann: map[string]string{act + "named": `{"type":"forward","forwardConfig":{"targetGroups":[
				{"targetGroupName":"blue","weight":1},{"targetGroupName":"green","weight":2}]}}`},
			svc: "named", want: "forward arn:tg/blue*1,arn:tg/green*2"},
		{name: "a redirect",
			ann: map[string]string{act + "moved": `{"type":"redirect","redirectConfig":{"host":"new.example.com","path":"/#{path}","port":"443","protocol":"HTTPS","query":"a=b","statusCode":"HTTP_302"}}`},
			svc: "moved", want: "redirect HTTPS:443 HTTP_302"},
		{name: "a fixed response",
			ann:  map[string]string{act + "teapot": `{"type":"fixed-response","fixedResponseConfig":{"contentType":"application/json","messageBody":"{}","statusCode":"418"}}`},
			svc:  "teapot",
			want: `fixed 418 application/json "{}"`},
		{name: "unknown JSON fields are ignored, as LBC's decoding does",
			ann:  map[string]string{act + "teapot": `{"type":"fixed-response","colour":"blue","fixedResponseConfig":{"statusCode":"418","extra":1}}`},
			svc:  "teapot",
			want: `fixed 418  ""`},
		{name: "a use-annotation backend without its annotation answers 503",
			svc: "nothing", want: `fixed 503 text/plain "Backend action does not exist"`},
		{name: "a forward to one missing Service answers 503",
			ann:  map[string]string{act + "gone": `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"svc-gone","servicePort":80}]}}`},
			svc:  "gone",
			want: `fixed 503 text/plain "Backend service does not exist"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ingFacts()
			f.TargetGroupARNs = map[string]string{"blue": "arn:tg/blue", "green": "arn:tg/green"}
			st := buildOne(t, routed(tt.ann, tt.svc, "use-annotation"), f, ingDefaults())
			l := listener(t, st, 80)
			eq(t, "rule", routeLines(l), []string{"1 host-header[app.example.com] path-pattern[/api /api/*] → " + tt.want})
			var ids []string
			for _, tg := range st.TargetGroups {
				ids = append(ids, tg.ResourceID)
			}
			eq(t, "target groups", ids, tt.wantTGs)
		})
	}
	t.Run("a default backend runs its action too", func(t *testing.T) {
		ing := ingress("ns-1", "ing-1", map[string]string{act + "teapot": `{"type":"fixed-response","fixedResponseConfig":{"statusCode":"418"}}`})
		db := backend("teapot", "use-annotation")
		ing.Spec.DefaultBackend = &db
		st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
		eq(t, "default action", routeString(*listener(t, st, 80).DefaultAction), `fixed 418  ""`)
	})
}

func TestIngressRoutingAnnotationErrorsNameTheIngressAndAnnotation(t *testing.T) {
	act, cond := annotations.IngActionsPrefix, annotations.IngConditionsPrefix
	strict := ingDefaults()
	strict.FailMissingBackendAction = true
	for _, tt := range []struct {
		name string
		ann  map[string]string
		svc  string
		port any
		d    Defaults
		want string
	}{
		{name: "malformed action JSON", ann: map[string]string{act + "a": `{"type":`}, svc: "a", port: "use-annotation",
			want: "ingress: ns-1/ing-1: failed to parse json annotation, " + act + "a: {\"type\":: unexpected end of JSON input"},
		{name: "an unknown action type", ann: map[string]string{act + "a": `{"type":"authenticate"}`}, svc: "a", port: "use-annotation",
			want: "ingress: ns-1/ing-1: unknown action type: authenticate (annotation " + act + "a)"},
		{name: "a forward without targets", ann: map[string]string{act + "a": `{"type":"forward"}`}, svc: "a", port: "use-annotation",
			want: "missing ForwardConfig or TargetGroupARN/TargetGroupName (annotation " + act + "a)"},
		{name: "a forward with both forms", ann: map[string]string{act + "a": `{"type":"forward","targetGroupARN":"arn:x","forwardConfig":{"targetGroups":[]}}`},
			svc: "a", port: "use-annotation", want: "either ForwardConfig or TargetGroupARN/TargetGroupName can be specified"},
		{name: "two targets without weights", ann: map[string]string{act + "a": `{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"arn:x"},{"targetGroupARN":"arn:y"}]}}`},
			svc: "a", port: "use-annotation", want: "invalid ForwardConfig: weight must be set when route to multiple target groups"},
		{name: "a Service target without a port", ann: map[string]string{act + "a": `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"svc-1"}]}}`},
			svc: "a", port: "use-annotation", want: "invalid ForwardConfig: invalid TargetGroupTuple: missing servicePort"},
		{name: "a redirect without a status code", ann: map[string]string{act + "a": `{"type":"redirect","redirectConfig":{"host":"x"}}`},
			svc: "a", port: "use-annotation", want: "invalid RedirectConfig: statusCode is required"},
		{name: "a fixed response without its config", ann: map[string]string{act + "a": `{"type":"fixed-response"}`},
			svc: "a", port: "use-annotation", want: "missing FixedResponseConfig"},
		{name: "a missing action with --tolerate-non-existent-backend-action=false", svc: "a", port: "use-annotation", d: strict,
			want: "ingress: ns-1/ing-1: missing actions.a configuration (annotation " + act + "a)"},
		{name: "a weighted forward to a missing Service", svc: "a", port: "use-annotation",
			ann:  map[string]string{act + "a": `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"svc-1","servicePort":80,"weight":1},{"serviceName":"svc-gone","servicePort":80,"weight":1}]}}`},
			want: `ingress: ns-1/ing-1: ` + act + `a: services "svc-gone" not found`},
		{name: "a target group name AWS does not know", svc: "a", port: "use-annotation",
			ann:  map[string]string{act + "a": `{"type":"forward","targetGroupName":"purple"}`},
			want: "ingress: ns-1/ing-1: " + act + "a: searching TargetGroup with name purple: expecting a single targetGroup with query [purple] but got 0"},
		{name: "malformed conditions JSON", ann: map[string]string{cond + "svc-1": `{"field":"source-ip"}`}, svc: "svc-1", port: "http",
			want: "ingress: ns-1/ing-1: failed to parse json annotation, " + cond + "svc-1"},
		{name: "a condition without its config", ann: map[string]string{cond + "svc-1": `[{"field":"source-ip"}]`}, svc: "svc-1", port: "http",
			want: "ingress: ns-1/ing-1: missing sourceIPConfig (annotation " + cond + "svc-1)"},
		{name: "a header condition with values and regex values", svc: "svc-1", port: "http",
			ann:  map[string]string{cond + "svc-1": `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X","values":["a"],"regexValues":["b"]}}]`},
			want: "invalid httpHeaderConfig: precisely one of values and regexValues can be specified"},
		{name: "a query-string pair without a value", svc: "svc-1", port: "http",
			ann:  map[string]string{cond + "svc-1": `[{"field":"query-string","queryStringConfig":{"values":[{"key":"k"}]}}]`},
			want: "invalid queryStringConfig: value cannot be empty"},
		{name: "malformed transforms JSON", ann: map[string]string{annotations.IngTransformsPrefix + "svc-1": `[{"type":`}, svc: "svc-1", port: "http",
			want: "ingress: ns-1/ing-1: failed to parse json annotation, " + annotations.IngTransformsPrefix + "svc-1"},
		{name: "an unknown transform type", ann: map[string]string{annotations.IngTransformsPrefix + "svc-1": `[{"type":"cookie-rewrite"}]`}, svc: "svc-1", port: "http",
			want: "unknown transform type: cookie-rewrite (annotation " + annotations.IngTransformsPrefix + "svc-1)"},
		{name: "a url rewrite without rewrites", ann: map[string]string{annotations.IngTransformsPrefix + "svc-1": `[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[]}}]`},
			svc: "svc-1", port: "http", want: "urlRewriteConfig.rewrites cannot be empty"},
		{name: "a host rewrite without its config", ann: map[string]string{annotations.IngTransformsPrefix + "svc-1": `[{"type":"host-header-rewrite"}]`},
			svc: "svc-1", port: "http", want: "missing hostHeaderRewriteConfig"},
		{name: "regex hosts with the rule's host", svc: "svc-1", port: "http",
			ann:  map[string]string{cond + "svc-1": `[{"field":"host-header","hostHeaderConfig":{"regexValues":["^a$"]}}]`},
			want: "ingress: ns-1/ing-1: host condition must specify exactly one of Values and RegexValues, got both Values [app.example.com] and RegexValues [^a$]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			if d.ClusterName == "" {
				d = ingDefaults()
			}
			m := routed(tt.ann, tt.svc, tt.port)
			_, _, errs, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, ingFacts(), d)
			if !errors.Is(err, ErrNoUsableIngress) {
				t.Fatalf("group error = %v, want ErrNoUsableIngress", err)
			}
			if got := fmt.Sprint(errs["ns-1/ing-1"]); !strings.Contains(got, tt.want) {
				t.Errorf("member error:\n got %s\nwant it to contain %s", got, tt.want)
			}
		})
	}
}

func TestIngressConditionsAnnotationCombineWithHostAndPath(t *testing.T) {
	cond := annotations.IngConditionsPrefix + "svc-1"
	for _, tt := range []struct {
		name  string
		ann   map[string]string
		host  string
		path  networkingv1.HTTPIngressPath
		want  string
		regex bool
	}{
		{name: "every other field first, in order; then host, then path",
			ann: map[string]string{cond: `[
				{"field":"source-ip","sourceIPConfig":{"values":["10.0.0.0/8"]}},
				{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Env","values":["prod"]}},
				{"field":"query-string","queryStringConfig":{"values":[{"key":"v","value":"2"},{"value":"beta"}]}},
				{"field":"http-request-method","httpRequestMethodConfig":{"values":["GET"]}}]`},
			host: "app.example.com", path: path("/api", networkingv1.PathTypeExact, backend("svc-1", "http")),
			want: "source-ip[10.0.0.0/8] http-header(X-Env)[prod] query-string{v=2}{=beta} http-request-method[GET] host-header[app.example.com] path-pattern[/api]"},
		{name: "annotation hosts and paths join the rule's own",
			ann: map[string]string{cond: `[{"field":"host-header","hostHeaderConfig":{"values":["b.example.com"]}},
				{"field":"path-pattern","pathPatternConfig":{"values":["/b"]}}]`},
			host: "app.example.com", path: path("/api", networkingv1.PathTypePrefix, backend("svc-1", "http")),
			want: "host-header[app.example.com b.example.com] path-pattern[/api /api/* /b]"},
		{name: "a header condition alone needs no catch-all path",
			ann:  map[string]string{cond: `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","regexValues":["^on$"]}}]`},
			path: path("", networkingv1.PathTypeImplementationSpecific, backend("svc-1", "http")),
			want: "http-header(X-Canary)~[^on$]"},
		{name: "a condition field LBC does not know is left out, as LBC does",
			ann:  map[string]string{cond: `[{"field":"cookie","values":["a"]},{"field":"source-ip","sourceIPConfig":{"values":["10.0.0.0/8"]}}]`},
			path: path("/x", networkingv1.PathTypeExact, backend("svc-1", "http")),
			want: "source-ip[10.0.0.0/8] path-pattern[/x]"},
		{name: "no conditions at all is the catch-all path",
			path: path("", networkingv1.PathTypeImplementationSpecific, backend("svc-1", "http")),
			want: "path-pattern[/*]"},
		{name: "annotation regex hosts without a rule host",
			ann:  map[string]string{cond: `[{"field":"host-header","hostHeaderConfig":{"regexValues":["^(a|b)[.]example[.]com$"]}}]`},
			path: path("/x", networkingv1.PathTypeExact, backend("svc-1", "http")),
			want: "host-header~[^(a|b)[.]example[.]com$] path-pattern[/x]"},
		{name: "use-regex-path-match makes an ImplementationSpecific path a regex without its leading /",
			ann:  map[string]string{annotations.IngUseRegexPathMatch: "true"},
			path: path("/api/v[0-9]+/.*", networkingv1.PathTypeImplementationSpecific, backend("svc-1", "http")),
			want: "path-pattern~[api/v[0-9]+/.*]"},
		{name: "use-regex-path-match leaves Prefix paths as patterns",
			ann:  map[string]string{annotations.IngUseRegexPathMatch: "true"},
			path: path("/api", networkingv1.PathTypePrefix, backend("svc-1", "http")),
			want: "path-pattern[/api /api/*]"},
		{name: "use-regex-path-match false keeps the path a pattern",
			ann:  map[string]string{annotations.IngUseRegexPathMatch: "false"},
			path: path("/api/*", networkingv1.PathTypeImplementationSpecific, backend("svc-1", "http")),
			want: "path-pattern[/api/*]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := buildOne(t, ingMember(ingress("ns-1", "ing-1", tt.ann, ingRule(tt.host, tt.path))), ingFacts(), ingDefaults())
			eq(t, "rule", routeLines(listener(t, st, 80)), []string{"1 " + tt.want + " → forward ns-1/ing-1-svc-1:http"})
		})
	}
	t.Run("conditions name the backend Service, not the rule", func(t *testing.T) {
		ing := ingress("ns-1", "ing-1", map[string]string{cond: `[{"field":"source-ip","sourceIPConfig":{"values":["192.0.2.0/24"]}}]`},
			ingRule("", path("/one", networkingv1.PathTypeExact, backend("svc-1", "http")), path("/two", networkingv1.PathTypeExact, backend("svc-2", "http"))))
		st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
		eq(t, "rules", routeLines(listener(t, st, 80)), []string{
			"1 source-ip[192.0.2.0/24] path-pattern[/one] → forward ns-1/ing-1-svc-1:http",
			"2 path-pattern[/two] → forward ns-1/ing-1-svc-2:http"})
	})
}

// LBC's legacy SSL redirect: a use-annotation backend "ssl-redirect" whose
// action redirects to HTTPS, put first on both listeners. LBC's rule
// optimizer drops it on HTTPS (it would loop) and, on HTTP, drops the rules
// after it that it covers.
func TestIngressLegacySSLRedirectActionAndRuleOptimizer(t *testing.T) {
	ann := map[string]string{
		annotations.IngListenPorts:                    `[{"HTTP": 80}, {"HTTPS": 443}]`,
		annotations.IngCertificateARN:                 "arn:aws:acm:us-west-2:1:certificate/a",
		annotations.IngActionsPrefix + "ssl-redirect": `{"type":"redirect","redirectConfig":{"protocol":"HTTPS","port":"443","statusCode":"HTTP_301"}}`,
		annotations.IngConditionsPrefix + "svc-2":     `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X","values":["y"]}}]`,
	}
	ing := ingress("ns-1", "ing-1", ann, ingRule("",
		path("/*", networkingv1.PathTypeImplementationSpecific, backend("ssl-redirect", "use-annotation")),
		path("/svc-1", networkingv1.PathTypeImplementationSpecific, backend("svc-1", "http")),
		path("/svc-2", networkingv1.PathTypeImplementationSpecific, backend("svc-2", "http"))))
	st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
	eq(t, "HTTP rules (the redirect on /* covers every later rule, whatever else it requires)", routeLines(listener(t, st, 80)), []string{
		"1 path-pattern[/*] → redirect HTTPS:443 HTTP_301"})
	eq(t, "HTTPS rules (the redirect would loop)", routeLines(listener(t, st, 443)), []string{
		"1 path-pattern[/svc-1] → forward ns-1/ing-1-svc-1:http",
		"2 http-header(X)[y] path-pattern[/svc-2] → forward ns-1/ing-1-svc-2:http"})
	eq(t, "target groups", len(st.TargetGroups), 2)
}

func TestIngressTransformsAnnotation(t *testing.T) {
	ann := map[string]string{annotations.IngTransformsPrefix + "svc-1": `[
		{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}},
		{"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^app[.]example[.]com$","replace":"internal.example.com"}]}}]`}
	ing := ingress("ns-1", "ing-1", ann, ingRule("app.example.com",
		path("/api", networkingv1.PathTypePrefix, backend("svc-1", "http")), path("/other", networkingv1.PathTypeExact, backend("svc-2", "http"))))
	st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
	eq(t, "rules", routeLines(listener(t, st, 80)), []string{
		"1 host-header[app.example.com] path-pattern[/other] → forward ns-1/ing-1-svc-2:http",
		"2 host-header[app.example.com] path-pattern[/api /api/*] → forward ns-1/ing-1-svc-1:http" +
			" | url-rewrite ^/api/(.*)$=>/$1 | host-header-rewrite ^app[.]example[.]com$=>internal.example.com"})
}

func TestIngressTargetGroupNamesAreThoseOfUseAnnotationForwards(t *testing.T) {
	act := annotations.IngActionsPrefix
	ing := ingress("ns-1", "ing-1", map[string]string{
		act + "a":      `{"type":"forward","targetGroupName":"zeta"}`,
		act + "b":      `{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupName":"alpha","weight":1},{"targetGroupARN":"arn:x","weight":1}]}}`,
		act + "unused": `{"type":"forward","targetGroupName":"never"}`,
		act + "broken": `{"type":`,
	}, ingRule("", path("/a", networkingv1.PathTypeExact, backend("a", "use-annotation")),
		path("/b", networkingv1.PathTypeExact, backend("b", "use-annotation")),
		path("/broken", networkingv1.PathTypeExact, backend("broken", "use-annotation")),
		path("/svc", networkingv1.PathTypeExact, backend("a", "http"))))
	db := backend("b", "use-annotation")
	ing.Spec.DefaultBackend = &db
	eq(t, "names", IngressTargetGroupNames([]IngressMember{ingMember(ing)}), []string{"alpha", "zeta"})
}

func TestIngressActionsWithWeightedTargetGroupsOff(t *testing.T) {
	act := annotations.IngActionsPrefix
	d := ingDefaults()
	d.NoWeightedTargetGroups = true
	t.Run("a lone target group is a plain forward, without weight or stickiness", func(t *testing.T) {
		ann := map[string]string{act + "one": `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"svc-1","servicePort":80,"weight":5}],
			"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":60}}}`}
		st := buildOne(t, routed(ann, "one", "use-annotation"), ingFacts(), d)
		eq(t, "rule", routeLines(listener(t, st, 80)),
			[]string{"1 host-header[app.example.com] path-pattern[/api /api/*] → forward ns-1/ing-1-svc-1:80"})
	})
	t.Run("several target groups are LBC's error", func(t *testing.T) {
		ann := map[string]string{act + "split": `{"type":"forward","forwardConfig":{"targetGroups":[
			{"serviceName":"svc-1","servicePort":80,"weight":1},{"targetGroupARN":"arn:tg/x","weight":1}]}}`}
		_, _, errs, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"),
			[]IngressMember{routed(ann, "split", "use-annotation")}, ingFacts(), d)
		if !errors.Is(err, ErrNoUsableIngress) {
			t.Fatalf("group error = %v, want ErrNoUsableIngress", err)
		}
		want := "ingress: ns-1/ing-1: " + act + "split: weighted target groups feature is disabled"
		if got := fmt.Sprint(errs["ns-1/ing-1"]); got != want {
			t.Errorf("member error %q, want %q", got, want)
		}
	})
}
