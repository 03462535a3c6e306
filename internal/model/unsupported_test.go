package model

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

func TestAServiceAskingForWhatLbsgLacksIsRefusedWhole(t *testing.T) {
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want []string // substrings of the error; none: it builds
	}{
		{name: "supported annotations build", ann: map[string]string{annotations.SvcScheme: "internet-facing"}},
		{name: "TLS builds", ann: map[string]string{annotations.SvcSSLCert: "arn:aws:acm:c", annotations.SvcSSLPorts: "443"}},
		{name: "a key lbsg lacks is refused", ann: map[string]string{testLackedKey: "app"},
			want: []string{"aws-load-balancer-test-lacked (a feature for tests"}},
		{name: "the QUIC pod annotation on a Service builds", ann: map[string]string{annotations.PodQUICEnabledContainers: "app"}},
		{name: "listener attributes build", ann: map[string]string{annotations.ServicePrefix + "aws-load-balancer-listener-attributes.TCP-80": "tcp.idle_timeout.seconds=400"}},
		{name: "LBC's default backend protocol asks for nothing more", ann: map[string]string{annotations.SvcBackendProtocol: "tcp"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Build(svcTLS(tt.ann), facts(), defaults())
			var ue *UnsupportedError
			if len(tt.want) == 0 {
				if errors.As(err, &ue) {
					t.Fatalf("Build refused a supported Service: %v", err)
				}
				return
			}
			if !errors.As(err, &ue) {
				t.Fatalf("Build: %v, want an UnsupportedError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestAnIngressGroupWithAnUnsupportedMemberIsRefusedWhole(t *testing.T) {
	stack := naming.ExplicitIngressStack("g")
	member := func(name string, ann map[string]string) IngressMember {
		a := map[string]string{annotations.IngGroupName: "g"}
		for k, v := range ann {
			a[k] = v
		}
		return simple("ns", name, a)
	}
	authOnBackend := member("b", nil)
	for name, svc := range authOnBackend.Services {
		svc = svc.DeepCopy()
		svc.Annotations = map[string]string{annotations.IngressPrefix + "dry-run-plan": "true"}
		authOnBackend.Services[name] = svc
	}
	for _, tt := range []struct {
		name    string
		members []IngressMember
		want    []string
	}{
		{name: "supported members build", members: []IngressMember{member("a", nil), member("b", nil)}},
		{name: "an unsupported key on one member holds the whole group (never served with less)",
			members: []IngressMember{member("a", nil), member("b", map[string]string{annotations.IngressPrefix + "dry-run-plan": "true"})},
			want:    []string{"Ingress ns/b: " + annotations.IngressPrefix + "dry-run-plan (LBC's dry-run plan"}},
		{name: "create-acm-cert false asks for nothing", members: []IngressMember{member("a", map[string]string{annotations.IngressPrefix + "create-acm-cert": "false"})}},
		{name: "ALB annotations on a backend Service count", members: []IngressMember{authOnBackend},
			want: []string{"(backend of Ingress ns/b)", "dry-run-plan"}},
		{name: "several certificates on one listener build (all reach the listener's certificate list)",
			members: []IngressMember{member("a", map[string]string{annotations.IngCertificateARN: "arn:a"}), member("b", map[string]string{annotations.IngCertificateARN: "arn:b"})}},
		{name: "one certificate builds", members: []IngressMember{member("a", map[string]string{annotations.IngCertificateARN: "arn:a"}),
			member("b", map[string]string{annotations.IngCertificateARN: "arn:a"})}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _, _, err := BuildIngressGroup(stack, tt.members, ingFacts(), ingDefaults())
			var ue *UnsupportedError
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("BuildIngressGroup: %v", err)
				}
				return
			}
			if !errors.As(err, &ue) {
				t.Fatalf("BuildIngressGroup: %v, want an UnsupportedError", err)
			}
			if len(st.Listeners) != 0 || len(st.TargetGroups) != 0 {
				t.Errorf("a refused group still has a stack: %+v", st)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

// TestEveryParamsFieldHasASupportVerdict: ParamsFields covers exactly the
// CRD's fields.
func TestEveryParamsFieldHasASupportVerdict(t *testing.T) {
	rt := reflect.TypeOf(v1beta1.IngressClassParamsSpec{})
	seen := map[string]bool{}
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		seen[name] = true
		if _, ok := ParamsFields[name]; !ok {
			t.Errorf("IngressClassParams field %s has no entry in ParamsFields", name)
		}
	}
	for name := range ParamsFields {
		if !seen[name] {
			t.Errorf("ParamsFields names %s, which the CRD lacks", name)
		}
	}
}
