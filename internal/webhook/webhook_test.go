package webhook

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

func TestServerIDsHaveLBCsLayout(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 123e6, time.UTC)
	id := FormatServerID(at.UnixMilli(), 0x1abcd, 0x55)
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || len(raw) != 8 {
		t.Fatalf("%q: %v", id, err)
	}
	v := binary.BigEndian.Uint64(raw)
	if ms, worker, seq := int64(v>>24)+quicEpochMillis, (v>>7)&quicMaxWorker, v&quicMaxSeq; ms != at.UnixMilli() || worker != 0x1abcd || seq != 0x55 {
		t.Errorf("decoded %d/%x/%x", ms, worker, seq)
	}
}

func TestServerIDsNeverRepeatWithinAMillisecond(t *testing.T) {
	now := time.UnixMilli(1800000000000)
	g := &serverIDs{now: func() time.Time { return now }, rand: func(int64) int64 { return 0 }, have: true, worker: 7}
	seen := map[string]bool{}
	for range 300 { // more than the 128 sequence numbers of one millisecond
		id, err := g.next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Fatalf("repeated %s", id)
		}
		seen[id] = true
	}
}

func TestInjectServerIDsFollowsTheAnnotation(t *testing.T) {
	n := 0
	next := func() (string, error) { n++; return "id" + string(rune('0'+n)), nil }
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{annotations.PodQUICEnabledContainers: "a,init"}},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init"}},
			Containers:     []corev1.Container{{Name: "a"}, {Name: "b"}, {Name: "a2", Env: []corev1.EnvVar{{Name: "X", Value: "y"}}}},
		}}
	changed, err := InjectServerIDs(pod, "AWS_LBC_QUIC_SERVER_ID", next)
	if err != nil || !changed {
		t.Fatalf("changed %v, %v", changed, err)
	}
	if e := pod.Spec.Containers[0].Env; len(e) != 1 || e[0].Value != "id1" {
		t.Errorf("container a: %v", e)
	}
	if e := pod.Spec.Containers[1].Env; len(e) != 0 {
		t.Errorf("container b: %v", e)
	}
	if e := pod.Spec.InitContainers[0].Env; len(e) != 1 || e[0].Value != "id2" {
		t.Errorf("init container: %v", e)
	}
	if changed, _ := InjectServerIDs(pod, "AWS_LBC_QUIC_SERVER_ID", next); changed {
		t.Error("a second pass changed containers that have an ID")
	}
	if changed, _ := InjectServerIDs(&corev1.Pod{}, "AWS_LBC_QUIC_SERVER_ID", next); changed {
		t.Error("a pod without the annotation changed")
	}
}

func TestAddGates(t *testing.T) {
	gate := GateType("k8s-ns-web-0123456789")
	for _, tt := range []struct {
		name        string
		have        []corev1.PodConditionType
		add         []corev1.PodConditionType
		want        []corev1.PodConditionType
		wantChanged bool
	}{
		{"no gates to add leaves legacy gates", []corev1.PodConditionType{LegacyGatePrefix + "x"}, nil, []corev1.PodConditionType{LegacyGatePrefix + "x"}, false},
		{"a gate is added", nil, []corev1.PodConditionType{gate}, []corev1.PodConditionType{gate}, true},
		{"a gate already there is not repeated", []corev1.PodConditionType{gate}, []corev1.PodConditionType{gate}, []corev1.PodConditionType{gate}, false},
		{"legacy gates go, others stay", []corev1.PodConditionType{"custom", LegacyGatePrefix + "x", GatePrefix + "other"}, []corev1.PodConditionType{gate},
			[]corev1.PodConditionType{"custom", GatePrefix + "other", gate}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{}
			for _, g := range tt.have {
				pod.Spec.ReadinessGates = append(pod.Spec.ReadinessGates, corev1.PodReadinessGate{ConditionType: g})
			}
			changed := AddGates(pod, tt.add)
			var got []corev1.PodConditionType
			for _, g := range pod.Spec.ReadinessGates {
				got = append(got, g.ConditionType)
			}
			if changed != tt.wantChanged || !slices.Equal(got, tt.want) {
				t.Errorf("changed %v gates %v, want %v %v", changed, got, tt.wantChanged, tt.want)
			}
		})
	}
}

func TestIngressClassParamsValidation(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec v1beta1.IngressClassParamsSpec
		want string // "" valid
	}{
		{"valid CIDRs", v1beta1.IngressClassParamsSpec{InboundCIDRs: []string{"10.0.0.0/8", "2001:db8::/32"}}, ""},
		{"an address without prefix", v1beta1.IngressClassParamsSpec{InboundCIDRs: []string{"10.0.0.1"}}, `did you mean "10.0.0.1/32"`},
		{"host bits", v1beta1.IngressClassParamsSpec{InboundCIDRs: []string{"10.0.0.1/8"}}, `did you mean "10.0.0.0/8"`},
		{"subnets without ids or tags", v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{}}, "must have either `ids` or `tags`"},
		{"subnets with both", v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"s"}, Tags: map[string][]string{"k": nil}}}, "may not have both"},
		{"duplicate subnet IDs", v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"s", "s"}}}, "spec.subnets.ids[1]: Duplicate value"},
		{"empty tag map", v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{Tags: map[string][]string{}}}, "must have at least one tag key"},
		{"duplicate tag values", v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{Tags: map[string][]string{"k": {"a", "a"}}}}, "Duplicate value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateIngressClassParams(&v1beta1.IngressClassParams{Spec: tt.spec})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestConfigurationsAreLBCsChartDefaults: names, paths, failure policies
// and selectors as LBC v3.6.2's chart renders them with its defaults.
func TestConfigurationsAreLBCsChartDefaults(t *testing.T) {
	m, v := Configurations(ConfigOptions{Name: "x", ControllerName: "lbsg", ServiceMutator: true,
		ClientConfig: func(p string) admissionregistrationv1.WebhookClientConfig {
			return admissionregistrationv1.WebhookClientConfig{URL: &p}
		}})
	type hook struct {
		name, path, policy, nsLabel string
	}
	var got []hook
	for _, w := range m.Webhooks {
		h := hook{w.Name, *w.ClientConfig.URL, string(*w.FailurePolicy), ""}
		if w.NamespaceSelector != nil {
			h.nsLabel = w.NamespaceSelector.MatchExpressions[0].Key
		}
		got = append(got, h)
	}
	for _, w := range v.Webhooks {
		got = append(got, hook{w.Name, *w.ClientConfig.URL, string(*w.FailurePolicy), ""})
	}
	want := []hook{
		{"mpod.elbv2.k8s.aws", PathMutatePod, "Ignore", InjectLabel},
		{"quicid.elbv2.k8s.aws", PathMutatePodServerID, "Fail", QUICInjectLabel},
		{"mservice.elbv2.k8s.aws", PathMutateService, "Fail", ""},
		{"mtargetgroupbinding.elbv2.k8s.aws", PathMutateTargetGroupBind, "Fail", ""},
		{"vingressclassparams.elbv2.k8s.aws", PathValidateIngressClassParam, "Fail", ""},
		{"vtargetgroupbinding.elbv2.k8s.aws", PathValidateTargetGroupBind, "Fail", ""},
		{"vingress.elbv2.k8s.aws", PathValidateIngress, "Fail", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("webhooks\n%v\nwant\n%v", got, want)
	}
	if sel := m.Webhooks[0].ObjectSelector.MatchExpressions[0]; sel.Key != "app.kubernetes.io/name" || sel.Values[0] != "lbsg" {
		t.Errorf("pod webhook objectSelector %v", sel)
	}
}

func TestValidatingAdaptsAFunction(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	h := Validating(scheme, func() *corev1.ConfigMap { return &corev1.ConfigMap{} }, func(_ context.Context, obj, old *corev1.ConfigMap) error {
		if old != nil && old.Data["k"] != obj.Data["k"] {
			return errors.New("k is immutable")
		}
		return nil
	})
	raw := func(v string) runtime.RawExtension {
		b, _ := json.Marshal(&corev1.ConfigMap{TypeMeta: metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"}, Data: map[string]string{"k": v}})
		return runtime.RawExtension{Raw: b}
	}
	req := func(op admissionv1.Operation, obj, old runtime.RawExtension) admission.Request {
		return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{Operation: op, Object: obj, OldObject: old}}
	}
	if r := h.Handle(t.Context(), req(admissionv1.Create, raw("a"), runtime.RawExtension{})); !r.Allowed {
		t.Errorf("create refused: %v", r.Result)
	}
	if r := h.Handle(t.Context(), req(admissionv1.Update, raw("b"), raw("a"))); r.Allowed || !strings.Contains(r.Result.Message, "immutable") {
		t.Errorf("update admitted: %v", r.Result)
	}
}
