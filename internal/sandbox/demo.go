package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/webhook"
)

// DemoNamespace holds the demo app.
const DemoNamespace = "demo"

// Demo applies a sample app (a Deployment, an NLB Service, a NodePort
// Service behind an ALB Ingress, a Gateway with a TCPRoute to it, and a
// TargetGroupBinding of a target group made through the AWS API) and
// prints what the controller made of
// it: the load balancers, their security groups and the groups' rules.
func Demo(ctx context.Context, w *World) error {
	kube, err := kubernetes.NewForConfig(w.Kube)
	if err != nil {
		return err
	}
	out := func(format string, args ...any) { _, _ = fmt.Fprintf(w.Out, format+"\n", args...) }
	out("==> demo: applying namespace %s (labelled %s=%s) with Deployment echo (3 replicas) and Service echo-nlb (NLB)",
		DemoNamespace, webhook.InjectLabel, webhook.Enabled)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: DemoNamespace, Labels: map[string]string{webhook.InjectLabel: webhook.Enabled}}}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	labels := EchoLabels()
	dep := EchoDeployment(DemoNamespace, 3)
	if _, err := kube.AppsV1().Deployments(DemoNamespace).Create(ctx, dep, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	class := "service.k8s.aws/nlb"
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "echo-nlb", Namespace: DemoNamespace, Annotations: map[string]string{
			"service.beta.kubernetes.io/aws-load-balancer-scheme":          "internet-facing",
			"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
		}},
		Spec: corev1.ServiceSpec{
			Type:              corev1.ServiceTypeLoadBalancer,
			LoadBalancerClass: &class,
			Selector:          labels,
			Ports:             []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
		},
	}
	if _, err := kube.CoreV1().Services(DemoNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	backend := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: DemoNamespace},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: labels,
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
		},
	}
	if _, err := kube.CoreV1().Services(DemoNamespace).Create(ctx, backend, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	albClass, prefix := "alb", networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "echo-alb", Namespace: DemoNamespace, Annotations: map[string]string{
			"alb.ingress.kubernetes.io/scheme":        "internet-facing",
			"alb.ingress.kubernetes.io/inbound-cidrs": "0.0.0.0/0",
			// Open to the internet, so behind a web ACL (the emulator's
			// seeded one): lbsg audit notes an internet-facing ALB that
			// neither authenticates nor filters.
			"alb.ingress.kubernetes.io/wafv2-acl-name": "sandbox-web-acl",
		}},
		Spec: networkingv1.IngressSpec{
			IngressClassName: &albClass,
			Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
					Service: &networkingv1.IngressServiceBackend{Name: "echo", Port: networkingv1.ServiceBackendPort{Name: "http"}}}}},
			}}}},
		},
	}
	out("==> demo: applying Service echo (NodePort) and Ingress echo-alb (ALB, IngressClass alb)")
	if _, err := kube.NetworkingV1().Ingresses(DemoNamespace).Create(ctx, ing, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	out("==> demo: waiting for the load balancers")
	nlbHost, err := waitHost(ctx, func(ctx context.Context) ([]string, error) {
		s, err := kube.CoreV1().Services(DemoNamespace).Get(ctx, "echo-nlb", metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		var hosts []string
		for _, in := range s.Status.LoadBalancer.Ingress {
			hosts = append(hosts, in.Hostname)
		}
		return hosts, nil
	})
	if err != nil {
		return fmt.Errorf("no load balancer for demo/echo-nlb yet (is a controller running?); the app stays applied: %w", err)
	}
	out("==> demo: Service demo/echo-nlb → %s", nlbHost)
	albHost, err := waitHost(ctx, func(ctx context.Context) ([]string, error) {
		i, err := kube.NetworkingV1().Ingresses(DemoNamespace).Get(ctx, "echo-alb", metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		var hosts []string
		for _, in := range i.Status.LoadBalancer.Ingress {
			hosts = append(hosts, in.Hostname)
		}
		return hosts, nil
	})
	if err != nil {
		return fmt.Errorf("no load balancer for demo/echo-alb yet (is a controller running?); the app stays applied: %w", err)
	}
	out("==> demo: Ingress demo/echo-alb → %s", albHost)
	if err := demoGateway(ctx, w, out); err != nil {
		return fmt.Errorf("the demo Gateway: %w", err)
	}
	if err := demoBinding(ctx, w, int(*dep.Spec.Replicas)); err != nil {
		return err
	}
	if err := printAWS(ctx, w); err != nil {
		out("    (could not read the load balancers back: %v)", err)
	}
	out("    inspect: aws elbv2 describe-load-balancers; aws ec2 describe-security-groups")
	if err := demoReadinessGates(ctx, kube, out); err != nil {
		out("    (readiness gates: %v)", err)
	}
	return nil
}

// demoReadinessGates restarts the echo Deployment: its new pods, created
// now that the NLB's ip target group and TargetGroupBinding echo-tf exist,
// get both readiness gates (the target group's, the binding's), which open
// once their targets are healthy.
func demoReadinessGates(ctx context.Context, kube kubernetes.Interface, out func(string, ...any)) error {
	out("==> demo: restarting Deployment echo; its new pods get readiness gates for the NLB's target group and TargetGroupBinding echo-tf (namespace %s is labelled for injection)", DemoNamespace)
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"lbsg.io/restarted-at":%q}}}}}`, time.Now().UTC().Format(time.RFC3339))
	if _, err := kube.AppsV1().Deployments(DemoNamespace).Patch(ctx, "echo", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return err
	}
	var lines []string
	err := wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := kube.CoreV1().Pods(DemoNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app=echo"})
		if err != nil {
			return false, nil //nolint:nilerr // keep polling through transient errors
		}
		lines = nil
		open := 0
		for _, p := range pods.Items {
			for _, g := range p.Spec.ReadinessGates {
				status := "not set"
				for _, c := range p.Status.Conditions {
					if c.Type == g.ConditionType {
						status = string(c.Status)
					}
				}
				if status == string(corev1.ConditionTrue) {
					open++
				}
				lines = append(lines, fmt.Sprintf("%s: %s = %s", p.Name, g.ConditionType, status))
			}
		}
		return open >= 3 && open == len(lines), nil
	})
	for _, l := range lines {
		out("    %s", l)
	}
	if err != nil {
		return fmt.Errorf("the new pods' gates did not all open: %w", err)
	}
	return nil
}

// waitHost polls hosts until it returns a hostname (2 minutes at most).
func waitHost(ctx context.Context, hosts func(context.Context) ([]string, error)) (string, error) {
	var host string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		hs, err := hosts(ctx)
		if err != nil {
			return false, nil //nolint:nilerr // keep polling through transient errors
		}
		for _, h := range hs {
			host = h
		}
		return host != "", nil
	})
	return host, err
}

// printAWS lists the sandbox's load balancers with their security groups
// and each group's inbound rules, as the emulator reports them.
func printAWS(ctx context.Context, w *World) error {
	out := func(format string, args ...any) { _, _ = fmt.Fprintf(w.Out, format+"\n", args...) }
	cfg := aws.Config{Region: w.AWS.Region, BaseEndpoint: aws.String(w.AWS.URL),
		Credentials: credentials.NewStaticCredentialsProvider("sandbox", "sandbox", "")}
	if w.Emulator != nil {
		cfg.HTTPClient = w.Emulator.HTTPClient()
	}
	clients := awsapi.FromConfig(cfg, awsapi.Options{})
	lbs, err := cloudelbv2.New(clients.ELBV2).ListLoadBalancers(ctx, w.AWS.VPCID)
	if err != nil {
		return err
	}
	var groups []string
	for _, lb := range lbs {
		out("    %-12s %-32s %s", lb.Type, lb.Name, strings.Join(lb.SecurityGroups, ", "))
		for _, g := range lb.SecurityGroups {
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
	}
	if len(groups) == 0 {
		return nil
	}
	sgs, err := cloudec2.New(clients.EC2).VPCSecurityGroups(ctx, w.AWS.VPCID)
	if err != nil {
		return err
	}
	for _, sg := range sgs {
		var lines []string
		for _, p := range sg.Ingress.Permissions(0) {
			var peers []string
			for _, r := range p.Peers {
				peers = append(peers, r.ID)
			}
			ports := fmt.Sprintf("%s %d", p.Protocol, p.FromPort)
			switch {
			case p.Protocol == "-1":
				ports = "all traffic"
			case p.ToPort != p.FromPort:
				ports += fmt.Sprintf("-%d", p.ToPort)
			}
			lines = append(lines, ports+" ← "+strings.Join(peers, ", "))
		}
		if len(lines) == 0 {
			continue
		}
		out("    %s %s", sg.ID, sg.Name)
		for _, l := range lines {
			out("        %s", l)
		}
	}
	return nil
}

// EchoLabels are the labels of EchoDeployment's pods.
func EchoLabels() map[string]string { return map[string]string{"app": "echo"} }

// EchoDeployment is the demo's workload: replicas of an HTTP echo server
// on the container port named http (8080), labelled EchoLabels.
func EchoDeployment(ns string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: EchoLabels()},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: EchoLabels()},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "echo", Image: "registry.k8s.io/echoserver:1.10",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}}},
			},
		},
	}
}
