package ingress

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/naming"
)

func TestMembershipOf(t *testing.T) {
	classes := []networkingv1.IngressClass{
		{ObjectMeta: metav1.ObjectMeta{Name: "alb"}, Spec: networkingv1.IngressClassSpec{Controller: ingressclass.Controller}},
		{ObjectMeta: metav1.ObjectMeta{Name: "shop"}, Spec: networkingv1.IngressClassSpec{Controller: ingressclass.Controller,
			Parameters: &networkingv1.IngressClassParametersReference{APIGroup: ptr.To(v1beta1.GroupVersion.Group), Kind: "IngressClassParams", Name: "shop"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}},
	}
	params := map[string]*v1beta1.IngressClassParams{"shop": {ObjectMeta: metav1.ObjectMeta{Name: "shop"},
		Spec: v1beta1.IngressClassParamsSpec{Group: &v1beta1.IngressGroup{Name: "shop"}}}}
	ing := func(class string, ann map[string]string, deleting bool) *networkingv1.Ingress {
		i := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", Annotations: ann},
			Spec: networkingv1.IngressSpec{IngressClassName: ptr.To(class)}}
		if deleting {
			now := metav1.Now()
			i.DeletionTimestamp = &now
			i.Finalizers = []string{naming.FinalizerIngress}
		}
		return i
	}
	for _, tt := range []struct {
		name                       string
		ing                        *networkingv1.Ingress
		wantManaged                bool
		wantStack                  naming.Stack
		wantClassErr, wantGroupErr bool
	}{
		{name: "an alb Ingress without a group name is its own implicit group",
			ing: ing("alb", nil, false), wantManaged: true, wantStack: naming.ImplicitIngressStack("ns", "web")},
		{name: "the group.name annotation puts it in an explicit group",
			ing: ing("alb", map[string]string{"alb.ingress.kubernetes.io/group.name": "team"}, false), wantManaged: true, wantStack: naming.ExplicitIngressStack("team")},
		{name: "the class's IngressClassParams group wins over the annotation",
			ing: ing("shop", map[string]string{"alb.ingress.kubernetes.io/group.name": "team"}, false), wantManaged: true, wantStack: naming.ExplicitIngressStack("shop")},
		{name: "another controller's class is not managed",
			ing: ing("nginx", nil, false)},
		{name: "a deleting Ingress belongs to no group",
			ing: ing("alb", nil, true)},
		{name: "an invalid group name is an error and no group",
			ing: ing("alb", map[string]string{"alb.ingress.kubernetes.io/group.name": "Not_Valid!"}, false), wantGroupErr: true},
		{name: "a class that does not exist is an error",
			ing: ing("missing", nil, false), wantClassErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := MembershipOf(tt.ing, classes, params, nil, ingressclass.Config{IngressClass: "alb"})
			if m.Managed != tt.wantManaged || m.Stack != tt.wantStack || (m.ClassErr != nil) != tt.wantClassErr || (m.GroupErr != nil) != tt.wantGroupErr {
				t.Errorf("got %+v", m)
			}
		})
	}
}
