package model

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// withServiceAnnotations is ingMember with extra annotations on one
// backend Service.
func withServiceAnnotations(m IngressMember, svc string, ann map[string]string) IngressMember {
	svcs := ingServices()
	s := svcs[svc].DeepCopy()
	s.Annotations = maps.Clone(s.Annotations)
	if s.Annotations == nil {
		s.Annotations = map[string]string{}
	}
	maps.Copy(s.Annotations, ann)
	svcs[svc] = s
	m.Services = svcs
	return m
}

func TestIngressTargetControlPort(t *testing.T) {
	const key = annotations.IngTargetControlPortPrefix
	svc3 := ingMember(ingress("ns-1", "ing-1", nil, ingRule("", path("/", networkingv1.PathTypePrefix, backend("svc-3", "https")))))
	svc1 := simple("ns-1", "ing-1", nil) // instance targets
	plain := buildOne(t, svc3, ingFacts(), ingDefaults())
	plainTG := tgByID(plain, "ns-1/ing-1-svc-3:https")

	cases := []struct {
		name     string
		member   IngressMember
		wantPort string // "" none
		wantErr  string
	}{
		{"on the Ingress, keyed by Service and port name", withIngressAnnotations(svc3, map[string]string{key + "svc-3.https": "3000"}), "3000", ""},
		{"on the Service", withServiceAnnotations(svc3, "svc-3", map[string]string{key + "svc-3.https": "3001"}), "3001", ""},
		{"the Service's wins over the Ingress's",
			withServiceAnnotations(withIngressAnnotations(svc3, map[string]string{key + "svc-3.https": "3000"}), "svc-3", map[string]string{key + "svc-3.https": "3001"}),
			"3001", ""},
		{"another backend's key does nothing", withIngressAnnotations(svc3, map[string]string{key + "svc-3.443": "3000", key + "svc-1.http": "3000"}), "", ""},
		{"not a number", withIngressAnnotations(svc3, map[string]string{key + "svc-3.https": "x"}), "", "failed to parse int32 annotation"},
		{"instance targets refuse it", withIngressAnnotations(svc1, map[string]string{key + "svc-1.http": "3000"}), "",
			"target control port is not supported for instance target target group"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			st, errs, err := buildErrs(tt.member)
			if tt.wantErr != "" {
				if e := errs["ns-1/ing-1"]; e == nil || !strings.Contains(e.Error(), tt.wantErr) {
					t.Fatalf("member error = %v, want %q", e, tt.wantErr)
				}
				return
			}
			if err != nil || len(errs) > 0 {
				t.Fatalf("build: %v %v", err, errs)
			}
			tg := tgByID(st, "ns-1/ing-1-svc-3:https")
			got := ""
			if tg.TargetControlPort != nil {
				got = fmt.Sprint(*tg.TargetControlPort)
			}
			eq(t, "control port", got, tt.wantPort)
			if tt.wantPort == "" {
				eq(t, "name", tg.Name, plainTG.Name)
				eq(t, "target rules", ingTargetRules(st), ingTargetRules(plain))
				return
			}
			if tg.Name == plainTG.Name {
				t.Errorf("name %s: the control port is part of the name's hash", tg.Name)
			}
			eq(t, "target rules (the control port opened from the backend SG)", ingTargetRules(st), []string{
				"sg-node tcp " + tt.wantPort + "-" + tt.wantPort + " ← backend",
				"sg-node tcp 8443-8443 ← backend", "sg-node tcp 9090-9090 ← backend"})
		})
	}
}

func withIngressAnnotations(m IngressMember, ann map[string]string) IngressMember {
	ing := m.Ingress.DeepCopy()
	if ing.Annotations == nil {
		ing.Annotations = map[string]string{}
	}
	maps.Copy(ing.Annotations, ann)
	m.Ingress = ing
	return m
}
