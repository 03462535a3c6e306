package webhook

import (
	"context"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// serviceClass is the /mutate-v1-service handler: a new Service of type
// LoadBalancer without spec.loadBalancerClass gets class; an update that
// drops the class the old object had gets it back (LBC's rules; which
// operations reach it is the webhook configuration's choice, CREATE by
// default in LBC's chart).
type serviceClass struct {
	dec   admission.Decoder
	class string
}

func (h *serviceClass) Handle(_ context.Context, req admission.Request) admission.Response {
	svc := &corev1.Service{}
	if err := h.dec.Decode(req, svc); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || hasClass(svc) {
		return admission.Allowed("")
	}
	switch string(req.Operation) {
	case "CREATE":
		class := h.class
		svc.Spec.LoadBalancerClass = &class
	case "UPDATE":
		old := &corev1.Service{}
		if err := h.dec.DecodeRaw(req.OldObject, old); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
		if !hasClass(old) {
			return admission.Allowed("")
		}
		svc.Spec.LoadBalancerClass = old.Spec.LoadBalancerClass
	default:
		return admission.Allowed("")
	}
	return patched(req, svc)
}

func hasClass(svc *corev1.Service) bool {
	return svc.Spec.LoadBalancerClass != nil && *svc.Spec.LoadBalancerClass != ""
}
