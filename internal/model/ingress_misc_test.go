package model

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
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

func TestIngressMutualAuthentication(t *testing.T) {
	const tsARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:truststore/ca/0123456789abcdef"
	https := map[string]string{annotations.IngListenPorts: `[{"HTTP":80},{"HTTPS":443}]`,
		annotations.IngCertificateARN: "arn:aws:acm:us-west-2:123456789012:certificate/x"}
	with := func(extra map[string]string) map[string]string {
		out := maps.Clone(https)
		maps.Copy(out, extra)
		return out
	}
	facts := ingFacts()
	facts.TrustStoreARNs = map[string]string{"ca": tsARN}
	build := func(ms ...IngressMember) (Stack, map[string]error, error) {
		stack, _ := IngressGroupID(ms[0].Ingress, ms[0].Params)
		st, _, errs, err := BuildIngressGroup(stack, ms, facts, ingDefaults())
		return st, errs, err
	}
	mtls := func(st Stack, port int32) string {
		for _, l := range st.Listeners {
			if l.Port == port {
				if l.MutualAuth == nil {
					return "<nil>"
				}
				return l.MutualAuth.String()
			}
		}
		return "no listener"
	}
	for _, tt := range []struct {
		name      string
		ann       string
		want443   string
		want80    string
		wantError string
	}{
		{"verify by trust store name, resolved, with LBC's defaults", `[{"port":443,"mode":"verify","trustStore":"ca"}]`,
			"{mode: verify, trustStore: " + tsARN + ", ignoreClientCertificateExpiry: false, advertiseTrustStoreCaNames: off}", "<nil>", ""},
		{"verify by ARN with settings", `[{"port":443,"mode":"verify","trustStore":"` + tsARN + `","ignoreClientCertificateExpiry":true,"advertiseTrustStoreCaNames":"on"}]`,
			"{mode: verify, trustStore: " + tsARN + ", ignoreClientCertificateExpiry: true, advertiseTrustStoreCaNames: on}", "<nil>", ""},
		{"passthrough", `[{"port":443,"mode":"passthrough"}]`, "{mode: passthrough}", "<nil>", ""},
		{"an entry for the HTTP port is ignored", `[{"port":80,"mode":"passthrough"}]`, "<nil>", "<nil>", ""},
		{"an unknown trust store name", `[{"port":443,"mode":"verify","trustStore":"nope"}]`, "", "", "couldn't find TrustStore with name nope"},
		{"a bad entry", `[{"port":443,"mode":"verify"}]`, "", "", "trustStore is required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, errs, err := build(simple("ns-1", "ing-1", with(map[string]string{annotations.IngMutualAuthentication: tt.ann})))
			if tt.wantError != "" {
				if e := errs["ns-1/ing-1"]; e == nil || !strings.Contains(e.Error(), tt.wantError) {
					t.Fatalf("member error = %v, want %q", e, tt.wantError)
				}
				return
			}
			if err != nil || len(errs) > 0 {
				t.Fatalf("build: %v %v", err, errs)
			}
			eq(t, "443", mtls(st, 443), tt.want443)
			eq(t, "80", mtls(st, 80), tt.want80)
		})
	}

	t.Run("group members agreeing share it; differing ones conflict, the later at fault", func(t *testing.T) {
		verify := `[{"port":443,"mode":"verify","trustStore":"ca"}]`
		a := grouped("a", with(map[string]string{annotations.IngMutualAuthentication: verify}))
		b := grouped("b", with(map[string]string{annotations.IngMutualAuthentication: `[{"port":443,"mode":"verify","trustStore":"` + tsARN + `"}]`}))
		c := grouped("c", with(map[string]string{annotations.IngGroupOrder: "5", annotations.IngMutualAuthentication: `[{"port":443,"mode":"passthrough"}]`}))
		none := grouped("d", with(nil))
		// LBC tells a stated advertiseTrustStoreCaNames "off" from an unstated one.
		off := grouped("e", with(map[string]string{annotations.IngGroupOrder: "6",
			annotations.IngMutualAuthentication: `[{"port":443,"mode":"verify","trustStore":"ca","advertiseTrustStoreCaNames":"off"}]`}))
		st, errs, err := build(a, b, none, c, off)
		if err != nil {
			t.Fatal(err)
		}
		for _, late := range []string{"c", "e"} {
			if e := errs[c.Ingress.Namespace+"/"+late]; e == nil || !strings.Contains(e.Error(), "conflicting mTLS Attributes") {
				t.Errorf("member %s: error %v", late, e)
			}
		}
		if len(errs) != 2 {
			t.Errorf("errors %v", errs)
		}
		eq(t, "443", mtls(st, 443), "{mode: verify, trustStore: "+tsARN+", ignoreClientCertificateExpiry: false, advertiseTrustStoreCaNames: off}")
	})

	eq(t, "names to resolve", IngressTrustStoreNames([]IngressMember{
		simple("ns-1", "a", map[string]string{annotations.IngMutualAuthentication: `[{"port":443,"mode":"verify","trustStore":"z"},{"port":8443,"mode":"verify","trustStore":"a"}]`}),
		simple("ns-1", "b", map[string]string{annotations.IngMutualAuthentication: `[{"port":443,"mode":"verify","trustStore":"` + tsARN + `"}]`}),
		simple("ns-1", "c", map[string]string{annotations.IngMutualAuthentication: `{`}),
	}), []string{"a", "z"})
}

func TestIngressIPAMPool(t *testing.T) {
	const key = annotations.IngIPAMIPv4PoolID
	pool := func(id string) *v1beta1.IngressClassParamsSpec {
		return &v1beta1.IngressClassParamsSpec{IPAMConfiguration: &v1beta1.IPAMConfiguration{IPv4IPAMPoolId: &id}}
	}
	withParams := func(m IngressMember, p *v1beta1.IngressClassParamsSpec) IngressMember {
		m.Params = p
		return m
	}
	for _, tt := range []struct {
		name    string
		members []IngressMember
		want    string
		wantErr string // the group's error (LBC fails the whole group)
	}{
		{"none", []IngressMember{grouped("a", nil)}, "", ""},
		{"the annotation", []IngressMember{grouped("a", map[string]string{key: "ipam-pool-1"})}, "ipam-pool-1", ""},
		{"an empty value is ignored", []IngressMember{grouped("a", map[string]string{key: ""})}, "", ""},
		{"members agreeing, others silent", []IngressMember{grouped("a", map[string]string{key: "ipam-pool-1"}), grouped("b", nil),
			grouped("c", map[string]string{key: "ipam-pool-1"})}, "ipam-pool-1", ""},
		{"the first member's IngressClassParams win", []IngressMember{withParams(grouped("a", map[string]string{key: "ipam-pool-1"}), pool("ipam-pool-2")),
			grouped("b", map[string]string{key: "ipam-pool-3"})}, "ipam-pool-2", ""},
		{"members naming different pools conflict", []IngressMember{grouped("a", map[string]string{key: "ipam-pool-1"}),
			grouped("b", map[string]string{key: "ipam-pool-2"})}, "", "conflicting ipv4 ipam pools ipam-pool-1: ipam-pool-2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, errs, err := buildErrs(tt.members...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(errs) > 0 {
				t.Fatalf("build: %v %v", err, errs)
			}
			eq(t, "pool", st.LoadBalancer.IPAMPool, tt.want)
		})
	}
}
