package webhook

import (
	"context"
	"net/http"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Validating makes an admission handler of a validation function, for
// Config.Extra: validate gets the new object and, on UPDATE, the old one
// (nil on CREATE); an error denies with its text. DELETE is admitted. The
// TargetGroupBinding validator is wired this way:
//
//	Extra: map[string]admission.Handler{webhook.PathValidateTargetGroupBind:
//		webhook.Validating(scheme, func() *v1beta1.TargetGroupBinding { return &v1beta1.TargetGroupBinding{} }, validate)}
func Validating[T client.Object](scheme *runtime.Scheme, newObj func() T, validate func(ctx context.Context, obj, old T) error) admission.Handler {
	return &validating[T]{dec: admission.NewDecoder(scheme), newObj: newObj, validate: validate}
}

type validating[T client.Object] struct {
	dec      admission.Decoder
	newObj   func() T
	validate func(ctx context.Context, obj, old T) error
}

func (h *validating[T]) Handle(ctx context.Context, req admission.Request) admission.Response {
	var old T
	switch string(req.Operation) {
	case "CREATE":
	case "UPDATE":
		old = h.newObj()
		if err := h.dec.DecodeRaw(req.OldObject, old); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
	default:
		return admission.Allowed("")
	}
	obj := h.newObj()
	if err := h.dec.Decode(req, obj); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if err := h.validate(ctx, obj, old); err != nil {
		return admission.Denied(err.Error())
	}
	return admission.Allowed("")
}
