package planview

import (
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lbsg/lbsg/internal/model"
)

func TestRuleChangesShowEveryConditionAndActionField(t *testing.T) {
	on, w1, w9, d := true, int32(1), int32(9), int32(60)
	for _, tt := range []struct {
		name string
		got  string
		want string
	}{
		{"header, query-string, source-ip and method conditions", conditionString([]model.Condition{
			{Field: "http-header", HTTPHeaderName: "X-Env", Values: []string{"prod", "staging"}},
			{Field: "query-string", QueryString: []model.QueryPair{{Key: "v", Value: "2"}, {Value: "beta"}}},
			{Field: "source-ip", Values: []string{"10.0.0.0/8"}},
			{Field: "http-request-method", Values: []string{"GET"}},
		}), "http-header[X-Env]=prod,staging query-string=v:2,beta source-ip=10.0.0.0/8 http-request-method=GET"},
		{"regex conditions", conditionString([]model.Condition{{Field: "path-pattern", RegexValues: []string{"^/api/v[0-9]+$"}}}),
			"path-pattern~^/api/v[0-9]+$"},
		{"a weighted forward with stickiness", actionString(model.Action{Type: model.ActionForward, Forward: &model.Forward{
			TargetGroups: []model.WeightedTarget{{TargetGroup: "ns/ing-blue:80", Weight: &w9}, {ARN: "arn:tg/green", Weight: &w1}},
			Stickiness:   &model.Stickiness{Enabled: &on, DurationSeconds: &d}}}),
			"forward to ns/ing-blue:80 (weight 9), arn:tg/green (weight 1), sticky for 60s"},
		{"transforms", transformsString([]model.Transform{
			{Type: "url-rewrite", Rewrites: []model.Rewrite{{Regex: "^/api/(.*)$", Replace: "/$1"}}},
			{Type: "host-header-rewrite", Rewrites: []model.Rewrite{{Regex: "^a$", Replace: "b"}}}}),
			" (url-rewrite ^/api/(.*)$→/$1; host-header-rewrite ^a$→b)"},
		{"a plain forward", actionString(model.Action{Type: model.ActionForward, TargetGroup: "ns/ing-blue:80"}), "forward to ns/ing-blue:80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}

func TestUseAnnotationBackendsBringTheServicesTheyForwardTo(t *testing.T) {
	use := func(name string) networkingv1.HTTPIngressPath {
		return networkingv1.HTTPIngressPath{Path: "/" + name, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: name, Port: networkingv1.ServiceBackendPort{Name: useAnnotationPort}}}}
	}
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "ing", Annotations: map[string]string{
		"alb.ingress.kubernetes.io/actions.split": `{"type":"forward","forwardConfig":{"targetGroups":[
			{"serviceName":"blue","servicePort":80,"weight":1},{"serviceName":"green","servicePort":"http","weight":1},{"targetGroupARN":"arn:x","weight":1}]}}`,
		"alb.ingress.kubernetes.io/actions.teapot": `{"type":"fixed-response","fixedResponseConfig":{"statusCode":"418"}}`,
	}}, Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
		HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{use("split"), use("teapot"), use("missing")}}}}}}}
	var got []string
	for _, r := range ingressBackendPorts(ing) {
		got = append(got, r.service+":"+r.port.String())
	}
	if want := []string{"blue:80", "green:http"}; !slices.Equal(got, want) {
		t.Errorf("backends %v, want %v", got, want)
	}
}
