package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/options"
)

// errInvalidClass prefixes class errors as LBC's ErrInvalidIngressClass.
var errInvalidClass = errors.New("invalid ingress class")

// ingressRules is the /validate-networking-v1-ingress handler, LBC's
// checks in LBC's order, on the Ingresses lbsg handles only:
//
//  1. An Ingress another controller handles is admitted (a class
//     annotation naming another class, an IngressClass of another
//     controller, no class while --ingress-class is set); a missing
//     IngressClass, or two default classes, is refused.
//  2. --disable-ingress-class-annotation: a new use of the class
//     annotation naming lbsg's class is refused.
//  3. --disable-ingress-group-name-annotation: a new or changed group.name
//     annotation is refused.
//  4. A new or changed spec.ingressClassName must name an IngressClass.
//  5. Every conditions.<service> annotation of a rule's backend parses and
//     validates.
//
// IngressClassParams are not read here (LBC's webhook loads classes
// without their parameters): their namespaceSelector and group are the
// controller's checks.
type ingressRules struct {
	dec    admission.Decoder
	reader client.Reader
	cfg    ingressclass.Config
	w      options.Webhook
}

func (h *ingressRules) Handle(ctx context.Context, req admission.Request) admission.Response {
	var old *networkingv1.Ingress
	switch string(req.Operation) {
	case "CREATE":
	case "UPDATE":
		old = &networkingv1.Ingress{}
		if err := h.dec.DecodeRaw(req.OldObject, old); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
	default:
		return admission.Allowed("")
	}
	ing := &networkingv1.Ingress{}
	if err := h.dec.Decode(req, ing); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if err := h.validate(ctx, ing, old); err != nil {
		return admission.Denied(err.Error())
	}
	return admission.Allowed("")
}

func (h *ingressRules) validate(ctx context.Context, ing, old *networkingv1.Ingress) error {
	if skip, err := h.other(ctx, ing); skip || err != nil {
		return err
	}
	if h.w.DisableIngressClassAnnotation && h.classAnnotation(ing) && (old == nil || !h.classAnnotation(old)) {
		return fmt.Errorf("new usage of `%s` annotation is forbidden", ingressclass.ClassAnnotation)
	}
	if h.w.DisableIngressGroupNameAnnotation {
		if g, ok := ing.Annotations[annotations.IngGroupName]; ok {
			if og, had := oldAnnotation(old, annotations.IngGroupName); !had || og != g {
				return fmt.Errorf("new usage of `%s` annotation is forbidden", annotations.IngGroupName)
			}
		}
	}
	if n := ing.Spec.IngressClassName; n != nil && (old == nil || old.Spec.IngressClassName == nil || *old.Spec.IngressClassName != *n) {
		if _, err := h.class(ctx, *n); err != nil {
			return err
		}
	}
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			if p.Backend.Service == nil {
				continue
			}
			if _, err := annotations.ParseRouteConditions(ing.Annotations, p.Backend.Service.Name); err != nil {
				return fmt.Errorf("ignoring Ingress %s/%s since invalid %s%s annotation: %w",
					ing.Namespace, ing.Name, annotations.IngConditionsPrefix, p.Backend.Service.Name, err)
			}
		}
	}
	return nil
}

func oldAnnotation(old *networkingv1.Ingress, key string) (string, bool) {
	if old == nil {
		return "", false
	}
	v, ok := old.Annotations[key]
	return v, ok
}

// classAnnotation reports whether ing's class annotation names lbsg's class.
func (h *ingressRules) classAnnotation(ing *networkingv1.Ingress) bool {
	v, ok := ing.Annotations[ingressclass.ClassAnnotation]
	return ok && h.matches(v)
}

func (h *ingressRules) matches(v string) bool {
	return v == h.cfg.IngressClass || (h.cfg.IngressClass == "" && v == ingressclass.DefaultAnnotationClass)
}

// other reports whether another controller handles ing.
func (h *ingressRules) other(ctx context.Context, ing *networkingv1.Ingress) (bool, error) {
	if v, ok := ing.Annotations[ingressclass.ClassAnnotation]; ok {
		return !h.matches(v), nil
	}
	name := ""
	if ing.Spec.IngressClassName != nil {
		name = *ing.Spec.IngressClassName
	} else {
		var list networkingv1.IngressClassList
		if err := h.reader.List(ctx, &list); err != nil {
			return false, fmt.Errorf("%w: fetching ingressClasses: %v", errInvalidClass, err)
		}
		def, err := ingressclass.DefaultClass(list.Items)
		if err != nil {
			return false, err
		}
		if def == "" {
			return h.cfg.IngressClass != "", nil
		}
		name = def
	}
	class, err := h.class(ctx, name)
	if err != nil {
		return false, err
	}
	return class.Spec.Controller != ingressclass.Controller, nil
}

func (h *ingressRules) class(ctx context.Context, name string) (*networkingv1.IngressClass, error) {
	class := &networkingv1.IngressClass{}
	if err := h.reader.Get(ctx, client.ObjectKey{Name: name}, class); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("%w: %v", errInvalidClass, err)
		}
		return nil, err
	}
	return class, nil
}
