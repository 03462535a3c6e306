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
