package ingress

import (
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestBackendServicesOfUseAnnotationBackendsAreThoseTheyForwardTo: the
// Services an Ingress depends on (read for the model, watched for changes)
// include those its actions annotations forward to, not the action names.
func TestBackendServicesOfUseAnnotationBackendsAreThoseTheyForwardTo(t *testing.T) {
	be := func(name, port string) networkingv1.IngressBackend {
		return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name,
			Port: networkingv1.ServiceBackendPort{Name: port}}}
	}
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want []string
	}{
		{name: "a weighted forward's Services",
			ann: map[string]string{"alb.ingress.kubernetes.io/actions.split": `{"type":"forward","forwardConfig":{"targetGroups":[
				{"serviceName":"blue","servicePort":80,"weight":1},{"serviceName":"green","servicePort":80,"weight":1},{"targetGroupARN":"arn:x","weight":1}]}}`},
			want: []string{"web", "blue", "green"}},
		{name: "a fixed response needs no Service",
			ann:  map[string]string{"alb.ingress.kubernetes.io/actions.split": `{"type":"fixed-response","fixedResponseConfig":{"statusCode":"404"}}`},
			want: []string{"web"}},
		{name: "a missing or broken action needs none", ann: map[string]string{"alb.ingress.kubernetes.io/actions.split": `{"type":`},
			want: []string{"web"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ing", Annotations: tt.ann},
				Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
					HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
						{Path: "/", Backend: be("web", "http")}, {Path: "/split", Backend: be("split", "use-annotation")}}}}}}}}
			if got := BackendServices(ing); !slices.Equal(got, tt.want) {
				t.Errorf("BackendServices = %v, want %v", got, tt.want)
			}
		})
	}
}
