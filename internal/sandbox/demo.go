package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// DemoNamespace holds the demo app.
const DemoNamespace = "demo"

// Demo applies a sample app (a Deployment, an NLB Service, a NodePort
// Service behind an ALB Ingress, and a TargetGroupBinding of a target
// group made through the AWS API) and prints what the controller made of
// it: the load balancers, their security groups and the groups' rules.
func Demo(ctx context.Context, w *World) error {
	kube, err := kubernetes.NewForConfig(w.Kube)
	if err != nil {
		return err
	}
	out := func(format string, args ...any) { _, _ = fmt.Fprintf(w.Out, format+"\n", args...) }
	out("==> demo: applying namespace %s with Deployment echo (3 replicas) and Service echo-nlb (NLB)", DemoNamespace)
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: DemoNamespace}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
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
	if err := demoBinding(ctx, w, int(*dep.Spec.Replicas)); err != nil {
		return err
	}
	if err := printAWS(ctx, w); err != nil {
		out("    (could not read the load balancers back: %v)", err)
	}
	out("    inspect: aws elbv2 describe-load-balancers; aws ec2 describe-security-groups")
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
	lbs, err := clients.ELBV2.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{})
	if err != nil {
		return err
	}
	var groups []string
	for _, lb := range lbs.LoadBalancers {
		out("    %-12s %-32s %s", lb.Type, aws.ToString(lb.LoadBalancerName), strings.Join(lb.SecurityGroups, ", "))
		for _, g := range lb.SecurityGroups {
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
	}
	if len(groups) == 0 {
		return nil
	}
	sgs, err := clients.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{w.AWS.VPCID}}}})
	if err != nil {
		return err
	}
	for _, sg := range sgs.SecurityGroups {
		var lines []string
		for _, p := range sg.IpPermissions {
			var peers []string
			for _, r := range p.IpRanges {
				peers = append(peers, aws.ToString(r.CidrIp))
			}
			for _, r := range p.Ipv6Ranges {
				peers = append(peers, aws.ToString(r.CidrIpv6))
			}
			for _, r := range p.UserIdGroupPairs {
				peers = append(peers, aws.ToString(r.GroupId))
			}
			ports := fmt.Sprintf("%s %d", aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort))
			switch {
			case aws.ToString(p.IpProtocol) == "-1":
				ports = "all traffic"
			case aws.ToInt32(p.ToPort) != aws.ToInt32(p.FromPort):
				ports += fmt.Sprintf("-%d", aws.ToInt32(p.ToPort))
			}
			lines = append(lines, ports+" ← "+strings.Join(peers, ", "))
		}
		if len(lines) == 0 {
			continue
		}
		out("    %s %s", aws.ToString(sg.GroupId), aws.ToString(sg.GroupName))
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
