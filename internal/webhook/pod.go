package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Readiness-gate condition types: lbsg's and LBC's, and the legacy prefix
// of the AWS ALB Ingress Controller that LBC drops when it adds one.
const (
	GatePrefix       = "target-health.elbv2.k8s.aws/"
	LegacyGatePrefix = "target-health.alb.ingress.k8s.aws/"
)

// GateType is the condition type of the readiness gate of the target group
// (or TargetGroupBinding) named name.
func GateType(name string) corev1.PodConditionType {
	return corev1.PodConditionType(GatePrefix + name)
}

// GateSource names the readiness gates a new pod of namespace ns needs:
// one per ip target group (or TargetGroupBinding) whose Service selects
// it. pod.Namespace may be empty on create; ns is the request's.
//
// Sources: lbsg's stacks (internal/controller/readiness) and
// TargetGroupBindings (internal/controller/tgb). Known limit: lbsg's own
// source knows a target group once its stack has been applied, and a
// replica that does not lead learns it from the leader's ConfigMap seconds
// later; a pod created before is admitted without a gate (never held back,
// as when the webhook is down with LBC's failurePolicy Ignore).
type GateSource interface {
	PodGates(ctx context.Context, ns string, pod *corev1.Pod) ([]corev1.PodConditionType, error)
}

// GateSources asks each source in turn.
type GateSources []GateSource

// PodGates returns every source's gates, in order, without duplicates.
func (s GateSources) PodGates(ctx context.Context, ns string, pod *corev1.Pod) ([]corev1.PodConditionType, error) {
	var out []corev1.PodConditionType
	for _, src := range s {
		gs, err := src.PodGates(ctx, ns, pod)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out, nil
}

// podGates is the /mutate-v1-pod handler.
type podGates struct {
	dec     admission.Decoder
	gates   GateSource
	enabled bool
}

func (h *podGates) Handle(ctx context.Context, req admission.Request) admission.Response {
	pod := &corev1.Pod{}
	if err := h.dec.Decode(req, pod); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if !h.enabled || h.gates == nil || string(req.Operation) != "CREATE" {
		return admission.Allowed("")
	}
	gates, err := h.gates.PodGates(ctx, req.Namespace, pod)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	if !AddGates(pod, gates) {
		return admission.Allowed("")
	}
	return patched(req, pod)
}

// AddGates adds the gates pod lacks; when there are any gates, the legacy
// ALB Ingress Controller gates go (LBC's rule). It reports whether pod
// changed.
func AddGates(pod *corev1.Pod, gates []corev1.PodConditionType) bool {
	if len(gates) == 0 {
		return false
	}
	before := len(pod.Spec.ReadinessGates)
	kept := pod.Spec.ReadinessGates[:0:0]
	for _, g := range pod.Spec.ReadinessGates {
		if !strings.HasPrefix(string(g.ConditionType), LegacyGatePrefix) {
			kept = append(kept, g)
		}
	}
	changed := len(kept) != before
	for _, g := range gates {
		if !slices.ContainsFunc(kept, func(r corev1.PodReadinessGate) bool { return r.ConditionType == g }) {
			kept = append(kept, corev1.PodReadinessGate{ConditionType: g})
			changed = true
		}
	}
	if len(kept) == 0 {
		kept = nil
	}
	pod.Spec.ReadinessGates = kept
	return changed
}

// patched answers with the JSON patch from the request's object to obj.
func patched(req admission.Request, obj any) admission.Response {
	raw, err := json.Marshal(obj)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, raw)
}
