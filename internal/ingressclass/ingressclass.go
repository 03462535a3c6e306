package ingressclass

import (
	"errors"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

// Names LBC uses for Ingress classes.
const (
	// Controller is spec.controller of the IngressClasses lbsg serves.
	Controller = "ingress.k8s.aws/alb"
	// ClassAnnotation is the legacy per-Ingress class annotation.
	ClassAnnotation = "kubernetes.io/ingress.class"
	// DefaultClassAnnotation marks the cluster's default IngressClass when
	// its value is "true".
	DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class"
	// DefaultAnnotationClass is the ingress.class annotation value managed
	// when Config.IngressClass is empty.
	DefaultAnnotationClass = "alb"
)

// ErrMultipleDefaultClasses is returned when more than one IngressClass is
// marked default and an Ingress names no class.
var ErrMultipleDefaultClasses = errors.New("multiple default IngressClasses found")

// InvalidClassError says the IngressClass an Ingress uses is unusable.
type InvalidClassError struct {
	// Reason is LBC's text after "invalid ingress class: ".
	Reason string
}

func (e *InvalidClassError) Error() string { return "invalid ingress class: " + e.Reason }

func invalid(format string, args ...any) error {
	return &InvalidClassError{Reason: fmt.Sprintf(format, args...)}
}

// Config is the controller's Ingress class configuration.
type Config struct {
	// IngressClass is --ingress-class (default "alb").
	IngressClass string
}

// Result is the classification of one Ingress.
type Result struct {
	// Managed says lbsg builds an ALB for the Ingress.
	Managed bool
	// Class is the IngressClass in effect (spec.ingressClassName or the
	// default class); nil when the annotation decided or there is no class.
	Class *networkingv1.IngressClass
	// ParamsName names the IngressClassParams in effect; "" if none.
	ParamsName string
	// Params is that object's spec; nil if none. Only a managed Ingress has
	// params.
	Params *v1beta1.IngressClassParamsSpec
}

// Classify decides whether lbsg manages ing and which IngressClassParams
// apply. classes are all IngressClasses, params all IngressClassParams by
// name, nsLabels the labels of ing's namespace. Returned pointers point
// into classes and params; callers must not modify them.
func Classify(ing *networkingv1.Ingress, classes []networkingv1.IngressClass, params map[string]*v1beta1.IngressClassParams,
	nsLabels map[string]string, cfg Config) (Result, error) {
	if v, ok := ing.Annotations[ClassAnnotation]; ok {
		return Result{Managed: v == cfg.IngressClass || (cfg.IngressClass == "" && v == DefaultAnnotationClass)}, nil
	}
	var name string
	if ing.Spec.IngressClassName != nil {
		name = *ing.Spec.IngressClassName
	} else {
		def, err := DefaultClass(classes)
		if err != nil {
			return Result{}, err
		}
		if def == "" {
			return Result{Managed: cfg.IngressClass == ""}, nil
		}
		name = def
	}
	class := find(classes, name)
	if class == nil {
		return Result{}, invalid("ingressclasses.networking.k8s.io %q not found", name)
	}
	res := Result{Managed: class.Spec.Controller == Controller, Class: class}
	if !res.Managed || class.Spec.Parameters == nil {
		return res, nil
	}
	p, err := resolveParams(class, params, nsLabels)
	if err != nil {
		return Result{}, err
	}
	res.ParamsName, res.Params = p.Name, &p.Spec
	return res, nil
}

// DefaultClass returns the name of the IngressClass annotated as the
// cluster default, "" if none, or ErrMultipleDefaultClasses.
func DefaultClass(classes []networkingv1.IngressClass) (string, error) {
	var name string
	for i := range classes {
		if classes[i].Annotations[DefaultClassAnnotation] != "true" {
			continue
		}
		if name != "" {
			return "", ErrMultipleDefaultClasses
		}
		name = classes[i].Name
	}
	return name, nil
}

// ParamsName returns the IngressClassParams an IngressClass of lbsg's
// controller references, or "" when it references none or something else.
// Watches use it to map an IngressClassParams change to its classes.
func ParamsName(class *networkingv1.IngressClass) string {
	if class.Spec.Controller != Controller || !referencesParams(class.Spec.Parameters) {
		return ""
	}
	return class.Spec.Parameters.Name
}

func referencesParams(ref *networkingv1.IngressClassParametersReference) bool {
	return ref != nil && ref.APIGroup != nil && *ref.APIGroup == v1beta1.Group && ref.Kind == v1beta1.IngressClassParamsKind
}

func find(classes []networkingv1.IngressClass, name string) *networkingv1.IngressClass {
	for i := range classes {
		if classes[i].Name == name {
			return &classes[i]
		}
	}
	return nil
}

// resolveParams returns the IngressClassParams class references, checking
// the reference and the namespace restriction.
func resolveParams(class *networkingv1.IngressClass, params map[string]*v1beta1.IngressClassParams, nsLabels map[string]string) (*v1beta1.IngressClassParams, error) {
	ref := class.Spec.Parameters
	if !referencesParams(ref) {
		return nil, invalid("IngressClass %s references unknown parameters", class.Name)
	}
	p := params[ref.Name]
	if p == nil {
		return nil, invalid("%s.%s %q not found", v1beta1.IngressClassParamsResource, v1beta1.Group, ref.Name)
	}
	if p.Spec.NamespaceSelector == nil {
		return p, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(p.Spec.NamespaceSelector)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if !sel.Matches(labels.Set(nsLabels)) {
		return nil, invalid("namespaceSelector of IngressClassParams %s mismatch", p.Name)
	}
	return p, nil
}
