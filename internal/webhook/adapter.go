package webhook

import (
	"context"
	"encoding/json"
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

// Mutating makes an admission handler of a defaulting function, for
// Config.Extra: mutate changes a new object in place on CREATE (the patch
// is the difference); an error denies with its text. UPDATE and DELETE
// are admitted unchanged, as LBC's TargetGroupBinding mutator does.
func Mutating[T client.Object](scheme *runtime.Scheme, newObj func() T, mutate func(ctx context.Context, obj T) error) admission.Handler {
	return &mutating[T]{dec: admission.NewDecoder(scheme), newObj: newObj, mutate: mutate}
}

type mutating[T client.Object] struct {
	dec    admission.Decoder
	newObj func() T
	mutate func(ctx context.Context, obj T) error
}

func (h *mutating[T]) Handle(ctx context.Context, req admission.Request) admission.Response {
	if string(req.Operation) != "CREATE" {
		return admission.Allowed("")
	}
	obj := h.newObj()
	if err := h.dec.Decode(req, obj); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if err := h.mutate(ctx, obj); err != nil {
		return admission.Denied(err.Error())
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, raw)
}
