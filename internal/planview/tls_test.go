package planview

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

func TestTLSListenerChangesShowProtocolCertificatesAndPolicies(t *testing.T) {
	l := &model.Listener{Port: 443, Protocol: "TLS", TargetGroup: "ns/web:443",
		Certificates: []string{"arn:a", "arn:b"}, SSLPolicy: "ELBSecurityPolicy-2016-08", ALPNPolicy: "HTTP2Preferred"}
	got := Changes([]plan.Action{
		{Kind: plan.CreateListener, Listener: l},
		{Kind: plan.AddListenerCertificates, Listener: l, Certificates: []string{"arn:a", "arn:b"}},
		{Kind: plan.RemoveListenerCertificates, ARN: "arn:l", Listener: l, Certificates: []string{"arn:c"}},
	}, plan.Managed, "")
	want := []Change{
		{Op: OpCreate, Action: "CreateListener", Resource: "listener 443/TLS",
			Detail: "forward to ns/web:443 certificates [arn:a arn:b] policy ELBSecurityPolicy-2016-08 alpn HTTP2Preferred"},
		{Op: OpCreate, Action: "AddListenerCertificates", Resource: "certificates of listener 443/TLS", Detail: "[arn:a arn:b]"},
		{Op: OpDelete, Action: "RemoveListenerCertificates", Resource: "certificates of listener 443/TLS", Detail: "[arn:c]"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
