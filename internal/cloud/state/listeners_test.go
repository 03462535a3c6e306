package state

import (
	"slices"
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

func TestListenerSpec(t *testing.T) {
	arns := map[string]string{"ns/svc:80": "arn:tg/80"}
	https := model.Listener{Port: 443, Protocol: "HTTPS", SSLPolicy: "p", Certificates: []string{"arn:cert/1", "arn:cert/2"},
		DefaultAction: &model.Action{Type: model.ActionForward, TargetGroup: "ns/svc:80"}}
	for _, tt := range []struct {
		name      string
		listener  model.Listener
		wantTG    string
		wantCerts []string
		wantPol   string
		wantErr   bool
	}{
		{name: "an NLB listener forwards to its target group and sends no TLS settings",
			listener: model.Listener{Port: 80, Protocol: "TCP", TargetGroup: "ns/svc:80", SSLPolicy: "ignored"}, wantTG: "arn:tg/80"},
		{name: "an HTTPS ALB listener sends its policy and only the default certificate",
			listener: https, wantTG: "arn:tg/80", wantCerts: []string{"arn:cert/1"}, wantPol: "p"},
		{name: "an HTTP ALB listener sends no TLS settings",
			listener: model.Listener{Port: 80, Protocol: "HTTP", SSLPolicy: "p", Certificates: []string{"arn:cert/1"},
				DefaultAction: &model.Action{Type: model.ActionFixedResponse, FixedResponse: &model.FixedResponse{StatusCode: "404"}}}},
		{name: "a target group without an ARN fails",
			listener: model.Listener{Port: 80, Protocol: "HTTP", DefaultAction: &model.Action{Type: model.ActionForward, TargetGroup: "ns/other:80"}},
			wantErr:  true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := listenerSpec(tt.listener, arns)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(s.DefaultActions) != 1 || s.DefaultActions[0].Order != 1 {
				t.Fatalf("default actions %+v", s.DefaultActions)
			}
			var tg string
			if ts := s.DefaultActions[0].TargetGroups; len(ts) > 0 {
				tg = ts[0].ARN
			}
			if tg != tt.wantTG || !slices.Equal(s.Certificates, tt.wantCerts) || s.SSLPolicy != tt.wantPol {
				t.Errorf("target %q certs %v policy %q, want %q %v %q", tg, s.Certificates, s.SSLPolicy, tt.wantTG, tt.wantCerts, tt.wantPol)
			}
		})
	}
}

// TestRoutingActionsAndConditionsRoundTrip: what lbsg sends for a
// weighted, sticky forward and for every condition kind reads back as the
// same desired values (target groups as ARNs).
func TestRoutingActionsAndConditionsRoundTrip(t *testing.T) {
	on, w1, w3, d := true, int32(1), int32(3), int32(60)
	want := model.Action{Type: model.ActionForward, Forward: &model.Forward{
		TargetGroups: []model.WeightedTarget{{TargetGroup: "ns/ing-blue:80", Weight: &w3}, {ARN: "arn:tg/theirs", Weight: &w1}},
		Stickiness:   &model.Stickiness{Enabled: &on, DurationSeconds: &d}}}
	sent, err := cloudActions([]model.Action{want}, map[string]string{"ns/ing-blue:80": "arn:tg/blue"})
	if err != nil {
		t.Fatal(err)
	}
	got := modelActions(sent)[0]
	if got.Forward == nil || len(got.Forward.TargetGroups) != 2 ||
		got.Forward.TargetGroups[0].ARN != "arn:tg/blue" || *got.Forward.TargetGroups[0].Weight != 3 ||
		got.Forward.TargetGroups[1].ARN != "arn:tg/theirs" || *got.Forward.TargetGroups[1].Weight != 1 ||
		!*got.Forward.Stickiness.Enabled || *got.Forward.Stickiness.DurationSeconds != 60 {
		t.Errorf("forward read back as %+v", got.Forward)
	}
	if _, err := cloudActions([]model.Action{{Type: model.ActionForward, Forward: &model.Forward{
		TargetGroups: []model.WeightedTarget{{TargetGroup: "ns/unknown:80"}}}}}, nil); err == nil {
		t.Error("a forward to a target group without an ARN was sent")
	}
	conds := []model.Condition{
		{Field: "http-header", HTTPHeaderName: "X-Env", RegexValues: []string{"^pr"}},
		{Field: "query-string", QueryString: []model.QueryPair{{Key: "a", Value: "b=c"}, {Value: "d"}}},
		{Field: "path-pattern", RegexValues: []string{"^/x$"}},
		{Field: "source-ip", Values: []string{"10.0.0.0/8"}},
	}
	for i, c := range cloudConditions(conds) {
		back := modelCondition(c)
		if back.Field != conds[i].Field || back.HTTPHeaderName != conds[i].HTTPHeaderName ||
			!slices.Equal(back.Values, conds[i].Values) || !slices.Equal(back.RegexValues, conds[i].RegexValues) ||
			!slices.Equal(back.QueryString, conds[i].QueryString) {
			t.Errorf("condition %d read back as %+v, want %+v", i, back, conds[i])
		}
	}
}
