package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group and version of LBC's CRDs.
const (
	Group   = "elbv2.k8s.aws"
	Version = "v1beta1"
)

// IngressClassParamsKind is the kind an IngressClass's spec.parameters names
// (with apiGroup elbv2.k8s.aws); IngressClassParamsResource is its plural.
const (
	IngressClassParamsKind     = "IngressClassParams"
	IngressClassParamsResource = "ingressclassparams"
)

var (
	// GroupVersion is elbv2.k8s.aws/v1beta1.
	GroupVersion = schema.GroupVersion{Group: Group, Version: Version}

	// SchemeBuilder registers this package's types with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds this package's types to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &IngressClassParams{}, &IngressClassParamsList{}, &TargetGroupBinding{}, &TargetGroupBindingList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
