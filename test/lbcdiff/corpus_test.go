package lbcdiff

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// userSGs are security groups the suite creates in each world before the
// manifests, by Name tag, for the cases that bring their own frontend group.
var userSGs = []string{"lbcdiff-nlb-own", "lbcdiff-alb-own"}

// objects is a case's manifests; sg maps a userSGs name to its ID in the
// world they are applied to.
type objects struct {
	services  []*corev1.Service
	ingresses []*networkingv1.Ingress
	replicas  int32
}

// testCase is one entry of the corpus; its namespace is its name.
type testCase struct {
	name  string
	build func(ns string, sg map[string]string) objects
}

// corpus is the CI-sized corpus: what lbsg supports today, one case per
// namespace, all applied to one world per controller. Node ports are fixed
// so both worlds open the same ports.
var corpus = []testCase{
	{"nlb-instance", func(ns string, _ map[string]string) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", 30101, map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
		})}}
	}},
	{"nlb-ip", func(ns string, _ map[string]string) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", 30102, map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
		})}}
	}},
	{"nlb-own-sg", func(ns string, sg map[string]string) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", 30103, map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                     "instance",
			"service.beta.kubernetes.io/aws-load-balancer-security-groups":                     sg["lbcdiff-nlb-own"],
			"service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules": "true",
		})}}
	}},
	{"nlb-source-ranges", func(ns string, _ map[string]string) objects {
		s := nlb(ns, "echo", 30104, map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
			"service.beta.kubernetes.io/aws-load-balancer-scheme":          "internet-facing",
		})
		s.Spec.LoadBalancerSourceRanges = []string{"203.0.113.0/24", "198.51.100.0/24"}
		return objects{replicas: 2, services: []*corev1.Service{s}}
	}},
	{"alb-instance", func(ns string, _ map[string]string) objects {
		return objects{replicas: 2,
			services:  []*corev1.Service{backend(ns, "echo", 30201)},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{"alb.ingress.kubernetes.io/target-type": "instance"}, path{"/", "echo"})}}
	}},
	{"alb-ip", func(ns string, _ map[string]string) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", 30202)},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type": "ip",
				"alb.ingress.kubernetes.io/scheme":      "internet-facing",
			}, path{"/", "echo"})}}
	}},
	{"alb-group", func(ns string, _ map[string]string) objects {
		group := func(order string) map[string]string {
			return map[string]string{
				"alb.ingress.kubernetes.io/group.name":  "alb-group",
				"alb.ingress.kubernetes.io/group.order": order,
				"alb.ingress.kubernetes.io/target-type": "instance",
			}
		}
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "api", 30203), backend(ns, "web", 30204)},
			ingresses: []*networkingv1.Ingress{
				alb(ns, "api", group("1"), path{"/api", "api"}),
				alb(ns, "web", group("2"), path{"/", "web"}),
			}}
	}},
	{"alb-own-sg", func(ns string, sg map[string]string) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", 30205)},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":                         "instance",
				"alb.ingress.kubernetes.io/security-groups":                     sg["lbcdiff-alb-own"],
				"alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true",
			}, path{"/", "echo"})}}
	}},
}

var appLabels = map[string]string{"app": "echo"}

func deployment(ns string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: appLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: appLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "echo", Image: "registry.k8s.io/echoserver:1.10",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}}},
			},
		},
	}
}

func nlb(ns, name string, nodePort int32, annotations map[string]string) *corev1.Service {
	class := "service.k8s.aws/nlb"
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: annotations},
		Spec: corev1.ServiceSpec{
			Type:              corev1.ServiceTypeLoadBalancer,
			LoadBalancerClass: &class,
			Selector:          appLabels,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"),
				Protocol: corev1.ProtocolTCP, NodePort: nodePort}},
		},
	}
}

func backend(ns, name string, nodePort int32) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: appLabels,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"),
				Protocol: corev1.ProtocolTCP, NodePort: nodePort}},
		},
	}
}

type path struct{ path, service string }

func alb(ns, name string, annotations map[string]string, paths ...path) *networkingv1.Ingress {
	class, prefix := "alb", networkingv1.PathTypePrefix
	var ps []networkingv1.HTTPIngressPath
	for _, p := range paths {
		ps = append(ps, networkingv1.HTTPIngressPath{Path: p.path, PathType: &prefix, Backend: networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: p.service, Port: networkingv1.ServiceBackendPort{Name: "http"}}}})
	}
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: annotations},
		Spec: networkingv1.IngressSpec{
			IngressClassName: &class,
			Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
				HTTP: &networkingv1.HTTPIngressRuleValue{Paths: ps}}}},
		},
	}
}
