package lbcdiff

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/sandbox"
)

// userSGs are security groups the suite creates in each world before the
// manifests, by Name tag, for the cases that bring their own frontend group.
var userSGs = []string{"lbcdiff-nlb-own", "lbcdiff-alb-own"}

// userEIPs are Elastic IPs the suite allocates in each world before the
// manifests, by Name tag, for the cases that pin their NLB's addresses:
// one per public subnet (discovery gives an internet-facing NLB all three).
var userEIPs = []string{"lbcdiff-eip-1", "lbcdiff-eip-2", "lbcdiff-eip-3"}

// userTGs are target groups (TCP, port 80, no tags) the suite creates in
// each world before the manifests, for the cases whose actions name a
// target group by ARN.
var userTGs = []string{"lbcdiff-canary"}

// userTrustStores are trust stores the suite creates in each world before
// the manifests, for the cases with mutual TLS (the emulator takes any CA
// bundle location).
var userTrustStores = []string{"lbcdiff-clients"}

// boundTGs are ip target groups (TCP, port 8080, no tags) the suite creates
// in each world, as Terraform would, for the cases that bind them with a
// TargetGroupBinding; unlike userTGs they must get targets.
var boundTGs = []string{"lbcdiff-tgb-ip"}

// env is what a case's manifests depend on in the world they go to.
type env struct {
	// sg maps a userSGs name to its ID.
	sg map[string]string
	// eips are the allocation IDs of userEIPs, in order.
	eips []string
	// tg maps a userTGs name to its ARN.
	tg map[string]string
	// next is the next node port to hand out.
	next int32
}

// port hands out node ports in order, from 30000: both worlds apply the
// same cases in the same order, so they get the same ports, and their
// node-group rules compare. The apiserver keeps the bottom of the range
// (30000-30085 for the default range) for ports asked for by number and
// allocates other ports above it first; from 30100 a port some object got
// allocated could be one a later case asks for ("provided port is already
// allocated").
func (e *env) port() int32 {
	if e.next == 0 {
		e.next = 30000
	}
	e.next++
	return e.next - 1
}

// objects is a case's manifests.
type objects struct {
	services  []*corev1.Service
	ingresses []*networkingv1.Ingress
	replicas  int32
	// nodeLabels are labels to add to the world's nodes (by index, in name
	// order) before the case's objects; they apply to every case after.
	nodeLabels map[int]map[string]string
	// pods, if set, changes the echo Deployment's pod template.
	pods func(*corev1.PodTemplateSpec)
	// secrets are created before the Services (OIDC client secrets).
	secrets []*corev1.Secret
	// bindings are TargetGroupBindings (elbv2.k8s.aws/v1beta1).
	bindings []*unstructured.Unstructured
}

// testCase is one entry of the corpus; its namespace is its name.
type testCase struct {
	name  string
	build func(ns string, e *env) objects
}

// corpus is the CI-sized corpus: what lbsg supports today, one case per
// namespace, all applied to one world per controller. Node ports are fixed
// (env.port) so both worlds open the same ports.
var corpus = []testCase{
	{"nlb-instance", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
		})}}
	}},
	{"nlb-ip", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
		})}}
	}},
	{"nlb-own-sg", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                     "instance",
			"service.beta.kubernetes.io/aws-load-balancer-security-groups":                     e.sg["lbcdiff-nlb-own"],
			"service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules": "true",
		})}}
	}},
	{"nlb-source-ranges", func(ns string, e *env) objects {
		s := nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
			"service.beta.kubernetes.io/aws-load-balancer-scheme":          "internet-facing",
		})
		s.Spec.LoadBalancerSourceRanges = []string{"203.0.113.0/24", "198.51.100.0/24"}
		return objects{replicas: 2, services: []*corev1.Service{s}}
	}},
	{"alb-instance", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services:  []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{"alb.ingress.kubernetes.io/target-type": "instance"}, path{"/", "echo"})}}
	}},
	{"alb-ip", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type": "ip",
				"alb.ingress.kubernetes.io/scheme":      "internet-facing",
			}, path{"/", "echo"})}}
	}},
	{"alb-group", func(ns string, e *env) objects {
		group := func(order string) map[string]string {
			return map[string]string{
				"alb.ingress.kubernetes.io/group.name":  ns,
				"alb.ingress.kubernetes.io/group.order": order,
				"alb.ingress.kubernetes.io/target-type": "instance",
			}
		}
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "api", e.port()), backend(ns, "web", e.port())},
			ingresses: []*networkingv1.Ingress{
				alb(ns, "api", group("1"), path{"/api", "api"}),
				alb(ns, "web", group("2"), path{"/", "web"}),
			}}
	}},
	// alb-waf: a WAFv2 web ACL by name with Shield Advanced on one ALB, a
	// WAF Classic web ACL on another (the emulator's seeded ACLs; both
	// worlds' accounts subscribe to Shield).
	{"alb-waf", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{
				alb(ns, "wafv2", map[string]string{
					"alb.ingress.kubernetes.io/target-type":                "instance",
					"alb.ingress.kubernetes.io/wafv2-acl-name":             "sandbox-web-acl",
					"alb.ingress.kubernetes.io/shield-advanced-protection": "true",
				}, path{"/", "echo"}),
				alb(ns, "classic", map[string]string{
					"alb.ingress.kubernetes.io/target-type": "instance",
					"alb.ingress.kubernetes.io/waf-acl-id":  emulator.SandboxClassicWebACLID,
				}, path{"/", "echo"}),
			}}
	}},
	{"alb-own-sg", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":                         "instance",
				"alb.ingress.kubernetes.io/security-groups":                     e.sg["lbcdiff-alb-own"],
				"alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true",
			}, path{"/", "echo"})}}
	}},
	{"nlb-healthcheck", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                 "instance",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol":            "HTTP",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-path":                "/healthz",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval":            "15",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-timeout":             "6",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold":   "2",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold": "4",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-success-codes":       "200-299",
		})}}
	}},
	{"nlb-local", func(ns string, e *env) objects {
		s := nlb(ns, "echo", e.port(), map[string]string{"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance"})
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		s.Spec.HealthCheckNodePort = e.port()
		return objects{replicas: 2, services: []*corev1.Service{s}}
	}},
	{"nlb-named-tagged", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":          "ip",
			"service.beta.kubernetes.io/aws-load-balancer-name":                     "lbcdiff-" + ns,
			"service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags": "team=edge,env=ci",
		})}}
	}},
	{"nlb-multiport-icmp", func(ns string, e *env) objects {
		s := nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                    "instance",
			"service.beta.kubernetes.io/aws-load-balancer-scheme":                             "internet-facing",
			"service.beta.kubernetes.io/aws-load-balancer-enable-icmp-for-path-mtu-discovery": "on",
		})
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443),
			Protocol: corev1.ProtocolTCP, NodePort: e.port()})
		return objects{replicas: 2, services: []*corev1.Service{s}}
	}},
	{"nlb-no-sg", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
			"service.beta.kubernetes.io/aws-load-balancer-disable-nlb-sg":  "true",
		})}}
	}},
	{"nlb-tcp-udp", func(ns string, e *env) objects {
		s := nlb(ns, "dns", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":         "ip",
			"service.beta.kubernetes.io/aws-load-balancer-enable-tcp-udp-listener": "true",
		})
		s.Spec.Ports = []corev1.ServicePort{
			{Name: "dns-tcp", Port: 53, TargetPort: intstr.FromInt32(5353), Protocol: corev1.ProtocolTCP, NodePort: e.port()},
			{Name: "dns-udp", Port: 53, TargetPort: intstr.FromInt32(5353), Protocol: corev1.ProtocolUDP, NodePort: e.port()},
		}
		return objects{replicas: 2, services: []*corev1.Service{s}}
	}},
	{"alb-settings", func(ns string, e *env) objects {
		ing := alb(ns, "echo", map[string]string{
			"alb.ingress.kubernetes.io/target-type":              "instance",
			"alb.ingress.kubernetes.io/listen-ports":             `[{"HTTP":80},{"HTTP":8080}]`,
			"alb.ingress.kubernetes.io/inbound-cidrs":            "10.0.0.0/8,192.168.0.0/16",
			"alb.ingress.kubernetes.io/tags":                     "team=web,env=ci",
			"alb.ingress.kubernetes.io/load-balancer-attributes": "idle_timeout.timeout_seconds=120",
			"alb.ingress.kubernetes.io/target-group-attributes":  "stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=300",
			"alb.ingress.kubernetes.io/healthcheck-path":         "/healthz",
			"alb.ingress.kubernetes.io/success-codes":            "200-299",
			"alb.ingress.kubernetes.io/healthy-threshold-count":  "3",
		}, path{"/", "echo"})
		ing.Spec.Rules[0].Host = "www.example.com"
		ing.Spec.Rules = append(ing.Spec.Rules, networkingv1.IngressRule{Host: "api.example.com",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: alb(ns, "x", nil, path{"/v1", "echo"}, path{"/v2", "echo"}).Spec.Rules[0].HTTP}})
		return objects{replicas: 2, services: []*corev1.Service{backend(ns, "echo", e.port())}, ingresses: []*networkingv1.Ingress{ing}}
	}},
	{"alb-https", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":     "ip",
				"alb.ingress.kubernetes.io/scheme":          "internet-facing",
				"alb.ingress.kubernetes.io/listen-ports":    `[{"HTTP":80},{"HTTPS":443}]`,
				"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555",
				"alb.ingress.kubernetes.io/ssl-policy":      "ELBSecurityPolicy-TLS13-1-2-2021-06",
				"alb.ingress.kubernetes.io/ssl-redirect":    "443",
			}, path{"/", "echo"})}}
	}},
	{"alb-mtls", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":     "ip",
				"alb.ingress.kubernetes.io/listen-ports":    `[{"HTTPS":443},{"HTTPS":8443}]`,
				"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555",
				"alb.ingress.kubernetes.io/mutual-authentication": `[{"port":443,"mode":"verify","trustStore":"lbcdiff-clients","advertiseTrustStoreCaNames":"on"},` +
					`{"port":8443,"mode":"verify","trustStore":"lbcdiff-clients","ignoreClientCertificateExpiry":true}]`,
			}, path{"/", "echo"})}}
	}},
	{"alb-mtls-passthrough", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":           "ip",
				"alb.ingress.kubernetes.io/listen-ports":          `[{"HTTP":80},{"HTTPS":443}]`,
				"alb.ingress.kubernetes.io/certificate-arn":       "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555",
				"alb.ingress.kubernetes.io/mutual-authentication": `[{"port":443,"mode":"passthrough"},{"port":80,"mode":"off"}]`,
			}, path{"/", "echo"})}}
	}},
	{"alb-ipam", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":       "ip",
				"alb.ingress.kubernetes.io/scheme":            "internet-facing",
				"alb.ingress.kubernetes.io/ipam-ipv4-pool-id": emulator.SandboxIPAMPoolID,
			}, path{"/", "echo"})}}
	}},
	{"alb-target-control", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":                   "ip",
				"alb.ingress.kubernetes.io/target-control-port.echo.http": "3000",
			}, path{"/", "echo"})}}
	}},
	{"nlb-type-external", func(ns string, e *env) objects {
		s := nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-type":            "external",
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
			"service.beta.kubernetes.io/load-balancer-source-ranges":       "10.1.0.0/16",
		})
		s.Spec.LoadBalancerClass = nil
		return objects{replicas: 2, services: []*corev1.Service{s}}
	}},
	{"nlb-healthcheck-port", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":  "instance",
			"service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "10256",
		})}}
	}},
	{"alb-backend", func(ns string, e *env) objects {
		svc := backend(ns, "echo", e.port())
		svc.Annotations = map[string]string{"alb.ingress.kubernetes.io/backend-protocol": "HTTPS"}
		return objects{replicas: 2,
			services: []*corev1.Service{svc},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":              "ip",
				"alb.ingress.kubernetes.io/backend-protocol-version": "HTTP2",
				"alb.ingress.kubernetes.io/healthcheck-port":         "8081",
				"alb.ingress.kubernetes.io/healthcheck-protocol":     "HTTP",
			}, path{"/", "echo"})}}
	}},
	{"alb-default-backend", func(ns string, e *env) objects {
		ing := alb(ns, "echo", map[string]string{"alb.ingress.kubernetes.io/target-type": "instance"}, path{"/exact", "echo"})
		exact := networkingv1.PathTypeExact
		ing.Spec.Rules[0].HTTP.Paths[0].PathType = &exact
		ing.Spec.DefaultBackend = &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: "fallback", Port: networkingv1.ServiceBackendPort{Number: 80}}}
		return objects{replicas: 2,
			services:  []*corev1.Service{backend(ns, "echo", e.port()), backend(ns, "fallback", e.port())},
			ingresses: []*networkingv1.Ingress{ing}}
	}},
	// nlb-tls
	{"nlb-tls", func(ns string, e *env) objects {
		svc := nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":        "ip",
			"service.beta.kubernetes.io/aws-load-balancer-ssl-cert":               sandboxCert,
			"service.beta.kubernetes.io/aws-load-balancer-ssl-ports":              "https",
			"service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
			"service.beta.kubernetes.io/aws-load-balancer-alpn-policy":            "HTTP2Preferred",
			"service.beta.kubernetes.io/aws-load-balancer-backend-protocol":       "ssl",
		})
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromString("http"),
			Protocol: corev1.ProtocolTCP, NodePort: e.port()})
		return objects{replicas: 2, services: []*corev1.Service{svc}}
	}},
	// nlb-addr
	{"nlb-eips", func(ns string, e *env) objects {
		return objects{replicas: 1, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-scheme":                                   "internet-facing",
			"service.beta.kubernetes.io/aws-load-balancer-eip-allocations":                          strings.Join(e.eips, ","),
			"service.beta.kubernetes.io/aws-load-balancer-inbound-sg-rules-on-private-link-traffic": "off",
			"service.beta.kubernetes.io/aws-load-balancer-minimum-load-balancer-capacity":           "CapacityUnits=1000",
		})}}
	}},
	// nlb-attrs
	{"nlb-attributes", func(ns string, e *env) objects {
		star := nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                   "ip",
			"service.beta.kubernetes.io/aws-load-balancer-attributes":                        "dns_record.client_routing_policy=partial_availability_zone_affinity,load_balancing.cross_zone.enabled=false",
			"service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
			"service.beta.kubernetes.io/aws-load-balancer-proxy-protocol":                    "*",
			"service.beta.kubernetes.io/aws-load-balancer-target-group-attributes":           "deregistration_delay.timeout_seconds=30,preserve_client_ip.enabled=true",
			"service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80":        "tcp.idle_timeout.seconds=600",
		})
		perTG := nlb(ns, "echo2", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":                 "instance",
			"service.beta.kubernetes.io/aws-load-balancer-proxy-protocol-per-target-group": "443",
			"service.beta.kubernetes.io/aws-load-balancer-target-group-attributes.443":     "deregistration_delay.connection_termination.enabled=true",
			"service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-443":     "tcp.idle_timeout.seconds=120",
		})
		perTG.Spec.Ports = append(perTG.Spec.Ports, corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromString("http"),
			Protocol: corev1.ProtocolTCP, NodePort: e.port()})
		return objects{replicas: 2, services: []*corev1.Service{star, perTG}}
	}},
	{"alb-listener-attributes", func(ns string, e *env) objects {
		ing := alb(ns, "echo", map[string]string{
			"alb.ingress.kubernetes.io/target-type":                 "instance",
			"alb.ingress.kubernetes.io/listener-attributes.HTTP-80": "routing.http.response.server.enabled=false",
		}, path{"/", "echo"})
		return objects{replicas: 2, services: []*corev1.Service{backend(ns, "echo", e.port())}, ingresses: []*networkingv1.Ingress{ing}}
	}},
	// nlb-nodes
	{"nlb-target-node-labels", func(ns string, e *env) objects {
		return objects{replicas: 2,
			nodeLabels: map[int]map[string]string{
				0: {"lbcdiff/pool": "edge"},
				2: {"lbcdiff/pool": "edge", "node.kubernetes.io/exclude-from-external-load-balancers": "true"},
			},
			services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
				"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":    "instance",
				"service.beta.kubernetes.io/aws-load-balancer-target-node-labels": "lbcdiff/pool=edge",
			})}}
	}},
	// nlb-nodes
	{"nlb-multi-cluster", func(ns string, e *env) objects {
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":            "instance",
			"service.beta.kubernetes.io/aws-load-balancer-multi-cluster-target-group": "true",
		})}}
	}},
	// alb-routing
	{"alb-routing", func(ns string, e *env) objects {
		const p = "alb.ingress.kubernetes.io/"
		ing := alb(ns, "echo", map[string]string{
			p + "target-type":          "instance",
			p + "use-regex-path-match": "true",
			p + "actions.split": `{"type":"forward","forwardConfig":{"targetGroups":[
				{"serviceName":"echo","servicePort":"http","weight":80},{"serviceName":"canary","servicePort":80,"weight":20}],
				"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":300}}}`,
			p + "actions.teapot":    `{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","messageBody":"short and stout","statusCode":"418"}}`,
			p + "actions.moved":     `{"type":"redirect","redirectConfig":{"host":"new.example.com","path":"/#{path}","port":"443","protocol":"HTTPS","statusCode":"HTTP_301"}}`,
			p + "conditions.split":  `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["yes"]}},{"field":"query-string","queryStringConfig":{"values":[{"key":"v","value":"2"}]}}]`,
			p + "conditions.teapot": `[{"field":"source-ip","sourceIPConfig":{"values":["10.0.0.0/8"]}},{"field":"http-request-method","httpRequestMethodConfig":{"values":["GET"]}}]`,
			p + "conditions.echo":   `[{"field":"host-header","hostHeaderConfig":{"values":["echo.example.com"]}}]`,
			p + "transforms.split": `[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/split/(.*)$","replace":"/$1"}]}},
				{"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^(.*)$","replace":"canary.example.com"}]}}]`,
		}, path{"/split", "split"}, path{"/teapot", "teapot"}, path{"/old", "moved"}, path{"/api/v[0-9]+/.*", "echo"})
		specific := networkingv1.PathTypeImplementationSpecific
		paths := ing.Spec.Rules[0].HTTP.Paths
		for i := range paths[:3] {
			paths[i].Backend.Service.Port = networkingv1.ServiceBackendPort{Name: "use-annotation"}
		}
		paths[3].PathType = &specific
		return objects{replicas: 2,
			services:  []*corev1.Service{backend(ns, "echo", e.port()), backend(ns, "canary", e.port())},
			ingresses: []*networkingv1.Ingress{ing}}
	}},
	// alb-auth-cognito: Cognito on every rule of the HTTPS listener, with
	// every setting; the HTTP listener only redirects.
	{"alb-auth-cognito", func(ns string, e *env) objects {
		const p = "alb.ingress.kubernetes.io/"
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				p + "target-type":     "instance",
				p + "listen-ports":    `[{"HTTP":80},{"HTTPS":443}]`,
				p + "ssl-redirect":    "443",
				p + "certificate-arn": sandboxCert,
				p + "auth-type":       "cognito",
				p + "auth-idp-cognito": `{"userPoolARN":"arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_lbcdiff",
					"userPoolClientID":"lbcdiff-client","userPoolDomain":"lbcdiff.auth.us-west-2.amazoncognito.com",
					"authenticationRequestExtraParams":{"display":"page","prompt":"login"}}`,
				p + "auth-on-unauthenticated-request": "deny",
				p + "auth-scope":                      "openid email",
				p + "auth-session-cookie":             "lbcdiff-session",
				p + "auth-session-timeout":            "3600",
			}, path{"/", "echo"})}}
	}},
	// alb-auth-oidc: OIDC with the client from a Secret on the Ingress;
	// the api Service turns it off for its own rule (backend override).
	{"alb-auth-oidc", func(ns string, e *env) objects {
		const p = "alb.ingress.kubernetes.io/"
		api := backend(ns, "api", e.port())
		api.Annotations = map[string]string{p + "auth-type": "none"}
		return objects{replicas: 2,
			secrets: []*corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "oidc-client"},
				Data: map[string][]byte{"clientID": []byte("lbcdiff-oidc"), "clientSecret": []byte("lbcdiff-secret\n")}}},
			services: []*corev1.Service{backend(ns, "web", e.port()), api},
			ingresses: []*networkingv1.Ingress{alb(ns, "web", map[string]string{
				p + "target-type":     "ip",
				p + "listen-ports":    `[{"HTTPS":443}]`,
				p + "certificate-arn": sandboxCert,
				p + "auth-type":       "oidc",
				p + "auth-idp-oidc": `{"issuer":"https://idp.example.com","authorizationEndpoint":"https://idp.example.com/authorize",
					"tokenEndpoint":"https://idp.example.com/token","userInfoEndpoint":"https://idp.example.com/userinfo","secretName":"oidc-client"}`,
			}, path{"/api", "api"}, path{"/", "web"})}}
	}},
	// alb-auth-jwt: a jwt-validation action before every rule's forward.
	{"alb-auth-jwt", func(ns string, e *env) objects {
		const p = "alb.ingress.kubernetes.io/"
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				p + "target-type":     "instance",
				p + "listen-ports":    `[{"HTTPS":443}]`,
				p + "certificate-arn": sandboxCert,
				p + "jwt-validation": `{"jwksEndpoint":"https://idp.example.com/.well-known/jwks.json","issuer":"https://idp.example.com",
					"additionalClaims":[{"format":"string-array","name":"groups","values":["admins","ops"]},{"format":"single-string","name":"aud","values":["lbcdiff"]}]}`,
			}, path{"/", "echo"})}}
	}},
	// Combinations: an NLB with TLS (two certificates), proxy protocol and
	// attributes, and an IngressGroup whose members bring a certificate each.
	{"nlb-tls-proxy-attrs", func(ns string, e *env) objects {
		svc := nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":         "instance",
			"service.beta.kubernetes.io/aws-load-balancer-scheme":                  "internet-facing",
			"service.beta.kubernetes.io/aws-load-balancer-ssl-cert":                sandboxCert + "," + iamCert,
			"service.beta.kubernetes.io/aws-load-balancer-ssl-ports":               "443",
			"service.beta.kubernetes.io/aws-load-balancer-proxy-protocol":          "*",
			"service.beta.kubernetes.io/aws-load-balancer-attributes":              "load_balancing.cross_zone.enabled=true",
			"service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "deregistration_delay.timeout_seconds=60",
		})
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromString("http"),
			Protocol: corev1.ProtocolTCP, NodePort: e.port()})
		return objects{replicas: 2, services: []*corev1.Service{svc}}
	}},
	{"alb-group-certificates", func(ns string, e *env) objects {
		member := func(order, cert string) map[string]string {
			return map[string]string{
				"alb.ingress.kubernetes.io/group.name":      ns,
				"alb.ingress.kubernetes.io/group.order":     order,
				"alb.ingress.kubernetes.io/target-type":     "instance",
				"alb.ingress.kubernetes.io/listen-ports":    `[{"HTTPS":443}]`,
				"alb.ingress.kubernetes.io/certificate-arn": cert,
			}
		}
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "api", e.port()), backend(ns, "web", e.port())},
			ingresses: []*networkingv1.Ingress{
				alb(ns, "api", member("1", sandboxCert), path{"/api", "api"}),
				alb(ns, "web", member("2", iamCert), path{"/", "web"}),
			}}
	}},
	// alb-cert-discovery: HTTPS without certificate-arn; the certificates
	// come from ACM by the rule's host and the spec.tls host
	// (discoveryCerts).
	{"alb-cert-discovery", func(ns string, e *env) objects {
		ing := alb(ns, "echo", map[string]string{
			"alb.ingress.kubernetes.io/target-type":  "ip",
			"alb.ingress.kubernetes.io/listen-ports": `[{"HTTP":80},{"HTTPS":443}]`,
		}, path{"/", "echo"})
		ing.Spec.Rules[0].Host = "api.discovery.example"
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"www.discovery.example"}}}
		return objects{replicas: 2, services: []*corev1.Service{backend(ns, "echo", e.port())}, ingresses: []*networkingv1.Ingress{ing}}
	}},
	// alb-group-cert-discovery: an IngressGroup of three Ingresses with a
	// host each (a rule host, a spec.tls host, both), HTTPS without
	// certificate-arn: one HTTPS listener with the three certificates ACM
	// discovery finds (groupDiscoveryCerts). The group order (api, shop,
	// www) is neither the name order nor the certificates' ARN order, so
	// the default certificate shows which member's comes first.
	{"alb-group-cert-discovery", func(ns string, e *env) objects {
		member := func(name, order string, paths ...path) *networkingv1.Ingress {
			return alb(ns, name, map[string]string{
				"alb.ingress.kubernetes.io/group.name":   ns,
				"alb.ingress.kubernetes.io/group.order":  order,
				"alb.ingress.kubernetes.io/target-type":  "ip",
				"alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":443}]`,
			}, paths...)
		}
		api := member("api", "1", path{"/api", "echo"})
		api.Spec.Rules[0].Host = "api.grp-discovery.example"
		shop := member("shop", "2", path{"/shop", "echo"})
		shop.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"shop.grp-discovery.example"}}}
		web := member("a-web", "3", path{"/", "echo"})
		web.Spec.Rules[0].Host = "www.grp-discovery.example"
		web.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"www.grp-discovery.example"}}}
		return objects{replicas: 2, services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{api, shop, web}}
	}},
	// nlb-actions
	{"nlb-actions", func(ns string, e *env) objects {
		// A target group serves one load balancer: copies of the case
		// (FullCopiesEnv) forward to their own target group alone.
		others := ""
		if ns == "nlb-actions" {
			others = `{"targetGroupARN":"` + e.tg["lbcdiff-canary"] + `","weight":20}`
		}
		return objects{replicas: 2, services: []*corev1.Service{nlb(ns, "echo", e.port(), map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
			"service.beta.kubernetes.io/actions.TCP-80": `{"type":"forward","forwardConfig":{"baseServiceWeight":80,
				"targetGroups":[` + others + `],"targetGroupStickinessConfig":{"enabled":true}}}`,
		})}}
	}},
	// nlb-quic
	{"nlb-quic", func(ns string, e *env) objects {
		// The echo pods carry a QUIC server ID as LBC's webhook would set
		// it (one value for both: the emulator does not check uniqueness).
		quic := func(name, ports string, tcpUDP bool) *corev1.Service {
			svc := nlb(ns, name, 0, map[string]string{
				"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":    "ip",
				"service.beta.kubernetes.io/aws-load-balancer-disable-nlb-sg":     "true",
				"service.beta.kubernetes.io/aws-load-balancer-quic-enabled-ports": ports,
			})
			svc.Spec.Ports = []corev1.ServicePort{{Name: "h3", Port: 443, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolUDP}}
			if tcpUDP {
				// TCP first: the suite's edit moves the first port, which
				// leaves a QUIC 443 and a TCP 1443 (moving UDP instead would
				// leave a listed TCP port, an error in both controllers).
				svc.Annotations["service.beta.kubernetes.io/aws-load-balancer-enable-tcp-udp-listener"] = "true"
				svc.Spec.Ports = append([]corev1.ServicePort{{Name: "h2", Port: 443, TargetPort: intstr.FromInt32(8080),
					Protocol: corev1.ProtocolTCP}}, svc.Spec.Ports...)
			}
			return svc
		}
		withID := func(t *corev1.PodTemplateSpec) {
			t.Annotations = map[string]string{"service.beta.kubernetes.io/aws-load-balancer-quic-enabled-containers": "echo"}
			t.Spec.Containers[0].Env = append(t.Spec.Containers[0].Env, corev1.EnvVar{Name: "AWS_LBC_QUIC_SERVER_ID", Value: "AQIDBAUGBwg="})
		}
		return objects{replicas: 2, pods: withID, services: []*corev1.Service{quic("echo", "h3", false), quic("both", "443", true)}}
	}},
	{"alb-frontend-nlb", func(ns string, e *env) objects {
		return objects{replicas: 2,
			services: []*corev1.Service{backend(ns, "echo", e.port())},
			ingresses: []*networkingv1.Ingress{alb(ns, "echo", map[string]string{
				"alb.ingress.kubernetes.io/target-type":                               "instance",
				"alb.ingress.kubernetes.io/listen-ports":                              `[{"HTTP":80},{"HTTP":8080}]`,
				"alb.ingress.kubernetes.io/enable-frontend-nlb":                       "true",
				"alb.ingress.kubernetes.io/frontend-nlb-scheme":                       "internet-facing",
				"alb.ingress.kubernetes.io/frontend-nlb-listener-port-mapping":        "80=80,9090=8080",
				"alb.ingress.kubernetes.io/frontend-nlb-healthcheck-path":             "/healthz",
				"alb.ingress.kubernetes.io/frontend-nlb-healthcheck-interval-seconds": "10",
				"alb.ingress.kubernetes.io/frontend-nlb-healthcheck-success-codes":    "200-399",
				"alb.ingress.kubernetes.io/frontend-nlb-attributes":                   "load_balancing.cross_zone.enabled=true",
			}, path{"/", "echo"})}}
	}},
	{"tgb", func(ns string, e *env) objects {
		// A target group made outside the cluster, bound to a NodePort
		// Service's pods. targetType is written out: LBC's webhook, which
		// would fill it in, does not run here.
		return objects{replicas: 2, services: []*corev1.Service{backend(ns, "echo", e.port())},
			bindings: []*unstructured.Unstructured{binding(ns, "echo-tf", e.tg["lbcdiff-tgb-ip"], "echo", "ip")}}
	}},
}

// discoveryCerts are ACM certificates both worlds hold (sandbox seed) for
// alb-cert-discovery: an imported one naming www by SAN, an AMAZON_ISSUED
// wildcard, an EC wildcard (listed only when every key type is asked
// for) and a wildcard still pending validation (never chosen).
var discoveryCerts = []acm.Seeded{
	{ID: "d15c0000-0000-0000-0000-000000000001", Domain: "app.discovery.example", SANs: []string{"www.discovery.example"}},
	{ID: "d15c0000-0000-0000-0000-000000000002", Domain: "*.discovery.example", Type: acm.TypeAmazonIssued},
	{ID: "d15c0000-0000-0000-0000-000000000003", Domain: "*.discovery.example", Type: acm.TypeAmazonIssued, KeyAlgorithm: "EC_prime256v1"},
	{ID: "d15c0000-0000-0000-0000-000000000004", Domain: "*.discovery.example", Type: acm.TypeAmazonIssued, Pending: true},
}

// groupDiscoveryCerts are the ACM certificates both worlds hold for
// alb-group-cert-discovery: one per member's host, their ARNs in an order
// other than the group's (api's last, shop's first), and two that must
// never be chosen though their ARNs sort first: one for api's host still
// pending validation, one for another domain.
var groupDiscoveryCerts = []acm.Seeded{
	{ID: "9c0d0000-0000-0000-0000-000000000003", Domain: "api.grp-discovery.example", Type: acm.TypeAmazonIssued},
	{ID: "9c0d0000-0000-0000-0000-000000000001", Domain: "shop.grp-discovery.example"},
	{ID: "9c0d0000-0000-0000-0000-000000000002", Domain: "web.grp-discovery.example", SANs: []string{"www.grp-discovery.example"}},
	{ID: "9c0c0000-0000-0000-0000-000000000001", Domain: "api.grp-discovery.example", Type: acm.TypeAmazonIssued, Pending: true},
	{ID: "9c0c0000-0000-0000-0000-000000000002", Domain: "*.elsewhere.example", Type: acm.TypeAmazonIssued},
}

// iamCert is an IAM server certificate: ELBv2 takes its ARN as it is.
const iamCert = "arn:aws:iam::123456789012:server-certificate/lbcdiff"

// sandboxCert is the ACM certificate the emulator's default seed holds in
// both worlds (LBC does not call ACM for a Service's ssl-cert).
var sandboxCert = "arn:aws:acm:us-west-2:123456789012:certificate/" + emulator.SandboxCertificateID

// appLabels select the pods of sandbox.EchoDeployment.
var appLabels = sandbox.EchoLabels()

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

// binding is a TargetGroupBinding of tgARN to Service svc's port http.
func binding(ns, name, tgARN, svc, targetType string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{"targetGroupARN": tgARN, "targetType": targetType,
			"serviceRef": map[string]any{"name": svc, "port": "http"}},
	}}
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
