package ingressclass_test

import (
	"errors"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/ingressclass"
)

func ingress(className string, annotations map[string]string) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "web", Annotations: annotations}}
	if className != "" {
		ing.Spec.IngressClassName = &className
	}
	return ing
}

func class(name, controller string, isDefault bool, params *networkingv1.IngressClassParametersReference) networkingv1.IngressClass {
	c := networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       networkingv1.IngressClassSpec{Controller: controller, Parameters: params},
	}
	if isDefault {
		c.Annotations = map[string]string{ingressclass.DefaultClassAnnotation: "true"}
	}
	return c
}

func ref(group, kind, name string) *networkingv1.IngressClassParametersReference {
	r := &networkingv1.IngressClassParametersReference{Kind: kind, Name: name}
	if group != "" {
		r.APIGroup = &group
	}
	return r
}

func icpRef(name string) *networkingv1.IngressClassParametersReference {
	return ref(v1beta1.Group, v1beta1.IngressClassParamsKind, name)
}

func icp(name string, sel *metav1.LabelSelector) *v1beta1.IngressClassParams {
	return &v1beta1.IngressClassParams{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       v1beta1.IngressClassParamsSpec{NamespaceSelector: sel, Scheme: v1beta1.LoadBalancerSchemeInternetFacing},
	}
}

const alb = ingressclass.Controller

func TestClassify(t *testing.T) {
	params := map[string]*v1beta1.IngressClassParams{
		"open":      icp("open", nil),
		"team-a":    icp("team-a", &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}),
		"bad-selec": icp("bad-selec", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: "Near"}}}),
	}
	teamA := map[string]string{"team": "a"}
	for _, tt := range []struct {
		name        string
		ing         *networkingv1.Ingress
		classes     []networkingv1.IngressClass
		nsLabels    map[string]string
		flag        string
		wantManaged bool
		wantClass   string // name of Result.Class, "" for nil
		wantParams  string // Result.ParamsName; Params must be set iff non-empty
		wantErr     string
	}{
		// The kubernetes.io/ingress.class annotation decides alone.
		{name: "annotation equal to --ingress-class is managed",
			ing: ingress("", map[string]string{ingressclass.ClassAnnotation: "alb"}), flag: "alb", wantManaged: true},
		{name: "annotation naming another class is not managed",
			ing: ingress("", map[string]string{ingressclass.ClassAnnotation: "nginx"}), flag: "alb"},
		{name: "annotation equal to a custom --ingress-class is managed",
			ing: ingress("", map[string]string{ingressclass.ClassAnnotation: "internal-alb"}), flag: "internal-alb", wantManaged: true},
		{name: "annotation alb is not managed under a custom --ingress-class",
			ing: ingress("", map[string]string{ingressclass.ClassAnnotation: "alb"}), flag: "internal-alb"},
		{name: "annotation alb is managed while --ingress-class is empty",
			ing: ingress("", map[string]string{ingressclass.ClassAnnotation: "alb"}), flag: "", wantManaged: true},
		{name: "annotation naming another class is not managed while --ingress-class is empty",
			ing: ingress("", map[string]string{ingressclass.ClassAnnotation: "nginx"}), flag: ""},
		{name: "annotation beats spec.ingressClassName naming a missing class, without error or params",
			ing: ingress("missing", map[string]string{ingressclass.ClassAnnotation: "alb"}), flag: "alb", wantManaged: true},
		{name: "annotation for another controller beats spec.ingressClassName of an ALB class",
			ing:     ingress("alb", map[string]string{ingressclass.ClassAnnotation: "nginx"}),
			classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("open"))}, flag: "alb"},
		{name: "annotation beats the default class: no params from it",
			ing:     ingress("", map[string]string{ingressclass.ClassAnnotation: "alb"}),
			classes: []networkingv1.IngressClass{class("alb", alb, true, icpRef("open"))}, flag: "alb", wantManaged: true},

		// spec.ingressClassName.
		{name: "class with controller ingress.k8s.aws/alb is managed",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, nil)}, flag: "alb",
			wantManaged: true, wantClass: "alb"},
		{name: "class of any name with controller ingress.k8s.aws/alb is managed, whatever --ingress-class says",
			ing: ingress("public", nil), classes: []networkingv1.IngressClass{class("public", alb, false, nil)}, flag: "internal-alb",
			wantManaged: true, wantClass: "public"},
		{name: "class of another controller is not managed",
			ing: ingress("nginx", nil), classes: []networkingv1.IngressClass{class("nginx", "k8s.io/ingress-nginx", false, nil)}, flag: "",
			wantClass: "nginx"},
		{name: "class of another controller is not managed and its parameters are not checked",
			ing: ingress("nginx", nil), classes: []networkingv1.IngressClass{class("nginx", "k8s.io/ingress-nginx", false, ref("k8s.example", "Conf", "x"))},
			flag: "alb", wantClass: "nginx"},
		{name: "missing class is an error",
			ing: ingress("gone", nil), flag: "alb",
			wantErr: `invalid ingress class: ingressclasses.networking.k8s.io "gone" not found`},
		{name: "IngressClassParams of an ALB class apply",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("open"))}, flag: "alb",
			wantManaged: true, wantClass: "alb", wantParams: "open"},
		{name: "parameters of another API group are unknown",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, ref("k8s.example", v1beta1.IngressClassParamsKind, "open"))},
			flag: "alb", wantErr: "invalid ingress class: IngressClass alb references unknown parameters"},
		{name: "parameters of another kind are unknown",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, ref(v1beta1.Group, "TargetGroupBinding", "open"))},
			flag: "alb", wantErr: "invalid ingress class: IngressClass alb references unknown parameters"},
		{name: "parameters without an API group (core) are unknown",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, ref("", "ConfigMap", "open"))},
			flag: "alb", wantErr: "invalid ingress class: IngressClass alb references unknown parameters"},
		{name: "missing IngressClassParams is an error",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("nope"))}, flag: "alb",
			wantErr: `invalid ingress class: ingressclassparams.elbv2.k8s.aws "nope" not found`},
		{name: "namespaceSelector matching the Ingress's namespace applies the params",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("team-a"))},
			nsLabels: teamA, flag: "alb", wantManaged: true, wantClass: "alb", wantParams: "team-a"},
		{name: "namespaceSelector not matching the Ingress's namespace is an error",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("team-a"))},
			nsLabels: map[string]string{"team": "b"}, flag: "alb",
			wantErr: "invalid ingress class: namespaceSelector of IngressClassParams team-a mismatch"},
		{name: "namespaceSelector does not match a namespace without labels",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("team-a"))}, flag: "alb",
			wantErr: "invalid ingress class: namespaceSelector of IngressClassParams team-a mismatch"},
		{name: "malformed namespaceSelector is an invalid class",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("bad-selec"))}, flag: "alb",
			wantErr: `invalid ingress class: "Near" is not a valid label selector operator`},
		{name: "a named class is used even when two classes are marked default",
			ing: ingress("alb", nil), classes: []networkingv1.IngressClass{class("alb", alb, true, nil), class("other", alb, true, nil)}, flag: "alb",
			wantManaged: true, wantClass: "alb"},

		// No class named: the default IngressClass.
		{name: "default ALB class manages an Ingress without a class, with its params",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{class("nginx", "k8s.io/ingress-nginx", false, nil), class("alb", alb, true, icpRef("open"))},
			flag: "alb", wantManaged: true, wantClass: "alb", wantParams: "open"},
		{name: "default class of another controller is not managed, even with an empty --ingress-class",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{class("nginx", "k8s.io/ingress-nginx", true, nil)}, flag: "",
			wantClass: "nginx"},
		{name: "default class with a mismatching namespaceSelector is an error",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{class("alb", alb, true, icpRef("team-a"))}, flag: "alb",
			wantErr: "invalid ingress class: namespaceSelector of IngressClassParams team-a mismatch"},
		{name: "is-default-class other than \"true\" does not make a default",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{
				{ObjectMeta: metav1.ObjectMeta{Name: "alb", Annotations: map[string]string{ingressclass.DefaultClassAnnotation: "True"}}, Spec: networkingv1.IngressClassSpec{Controller: alb}},
			}, flag: "alb"},
		{name: "no class and no default is not managed under --ingress-class alb",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, nil)}, flag: "alb"},
		{name: "no class and no default is managed while --ingress-class is empty",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{class("alb", alb, false, icpRef("open"))}, flag: "", wantManaged: true},
		// Scenario 26.
		{name: "two default classes and no class named is an error",
			ing: ingress("", nil), classes: []networkingv1.IngressClass{class("a", alb, true, nil), class("b", alb, true, nil)}, flag: "alb",
			wantErr: "multiple default IngressClasses found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ingressclass.Classify(tt.ing, tt.classes, params, tt.nsLabels, ingressclass.Config{IngressClass: tt.flag})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got.Managed {
					t.Error("Managed with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got.Managed != tt.wantManaged {
				t.Errorf("Managed = %v, want %v", got.Managed, tt.wantManaged)
			}
			if name := className(got.Class); name != tt.wantClass {
				t.Errorf("Class = %q, want %q", name, tt.wantClass)
			}
			if got.ParamsName != tt.wantParams || (got.Params != nil) != (tt.wantParams != "") {
				t.Errorf("params = %q %+v, want %q", got.ParamsName, got.Params, tt.wantParams)
			}
			if got.Params != nil && got.Params.Scheme != v1beta1.LoadBalancerSchemeInternetFacing {
				t.Errorf("Params is not the IngressClassParams' spec: %+v", got.Params)
			}
		})
	}
}

func className(c *networkingv1.IngressClass) string {
	if c == nil {
		return ""
	}
	return c.Name
}

func TestClassErrorsAreDistinguishable(t *testing.T) {
	_, err := ingressclass.Classify(ingress("gone", nil), nil, nil, nil, ingressclass.Config{IngressClass: "alb"})
	if ice := (*ingressclass.InvalidClassError)(nil); !errors.As(err, &ice) || ice.Reason != `ingressclasses.networking.k8s.io "gone" not found` {
		t.Errorf("missing class: %v is not an InvalidClassError with LBC's reason", err)
	}
	two := []networkingv1.IngressClass{class("a", alb, true, nil), class("b", alb, true, nil)}
	_, err = ingressclass.Classify(ingress("", nil), two, nil, nil, ingressclass.Config{IngressClass: "alb"})
	if !errors.Is(err, ingressclass.ErrMultipleDefaultClasses) {
		t.Errorf("two defaults: %v is not ErrMultipleDefaultClasses", err)
	}
}

func TestParamsNameMapsClassesToTheirIngressClassParams(t *testing.T) {
	for _, tt := range []struct {
		name  string
		class networkingv1.IngressClass
		want  string
	}{
		{name: "ALB class referencing IngressClassParams", class: class("alb", alb, false, icpRef("p")), want: "p"},
		{name: "ALB class without parameters", class: class("alb", alb, false, nil)},
		{name: "ALB class referencing other parameters", class: class("alb", alb, false, ref("k8s.example", "Conf", "p"))},
		{name: "class of another controller referencing IngressClassParams", class: class("x", "example.com/lb", false, icpRef("p"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ingressclass.ParamsName(&tt.class); got != tt.want {
				t.Errorf("ParamsName = %q, want %q", got, tt.want)
			}
		})
	}
}
