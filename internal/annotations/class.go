package annotations

import (
	"errors"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
)

// IngressClass selection (lbc-load-balancers.md §6.1).
const (
	// IngressClassAnnotation is the legacy class annotation; when present it decides alone.
	IngressClassAnnotation = "kubernetes.io/ingress.class"
	// DefaultIngressClassAnnotation marks the cluster's default IngressClass.
	DefaultIngressClassAnnotation = "ingressclass.kubernetes.io/is-default-class"
	// DefaultIngressClass is LBC's --ingress-class default.
	DefaultIngressClass = "alb"
	// IngressController is the spec.controller of IngressClasses lbsg serves.
	IngressController = "ingress.k8s.aws/alb"
	// ParamsAPIGroup and ParamsKind identify IngressClassParams.
	ParamsAPIGroup = "elbv2.k8s.aws"
	ParamsKind     = "IngressClassParams"
)

// ErrMultipleDefaultClasses is LBC's error when two IngressClasses are default.
var ErrMultipleDefaultClasses = errors.New("multiple default IngressClasses found")

// IngressClassMatch is the outcome of class selection.
type IngressClassMatch struct {
	Managed bool
	// Class is the IngressClass that decided, nil when the annotation decided
	// or no class applies.
	Class *networkingv1.IngressClass
	// ParamsName is the IngressClassParams the class references ("" = none).
	ParamsName string
}

// MatchIngressClass decides whether lbsg (as LBC with --ingress-class flag)
// manages ing, given all IngressClasses of the cluster. Errors carry LBC's
// texts; LBC ignores them for Ingresses it does not hold a finalizer on and
// treats them as fatal for those it does — that choice is the caller's.
func MatchIngressClass(ing *networkingv1.Ingress, classes []networkingv1.IngressClass, flag string) (IngressClassMatch, error) {
	if v, ok := ing.Annotations[IngressClassAnnotation]; ok {
		return IngressClassMatch{Managed: v == flag || (flag == "" && v == DefaultIngressClass)}, nil
	}
	class, err := findClass(ing, classes)
	if err != nil {
		return IngressClassMatch{}, err
	}
	if class == nil {
		return IngressClassMatch{Managed: flag == ""}, nil
	}
	if class.Spec.Controller != IngressController {
		return IngressClassMatch{Class: class}, nil
	}
	m := IngressClassMatch{Managed: true, Class: class}
	if p := class.Spec.Parameters; p != nil {
		if p.APIGroup == nil || *p.APIGroup != ParamsAPIGroup || p.Kind != ParamsKind {
			return IngressClassMatch{}, fmt.Errorf("invalid ingress class: IngressClass %s references unknown parameters", class.Name)
		}
		m.ParamsName = p.Name
	}
	return m, nil
}

// findClass returns the IngressClass named by spec.ingressClassName, else the
// single default class, else nil.
func findClass(ing *networkingv1.Ingress, classes []networkingv1.IngressClass) (*networkingv1.IngressClass, error) {
	if ing.Spec.IngressClassName != nil {
		name := *ing.Spec.IngressClassName
		for i := range classes {
			if classes[i].Name == name {
				return &classes[i], nil
			}
		}
		return nil, fmt.Errorf("invalid ingress class: ingressclasses.networking.k8s.io %q not found", name)
	}
	var class *networkingv1.IngressClass
	for i := range classes {
		if classes[i].Annotations[DefaultIngressClassAnnotation] == "true" {
			if class != nil {
				return nil, ErrMultipleDefaultClasses
			}
			class = &classes[i]
		}
	}
	return class, nil
}
