package sandbox

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// DemoNamespace holds the demo app.
const DemoNamespace = "demo"

// Demo applies a sample app (a Deployment and an NLB Service) and prints
// what the controller made of it.
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
	labels := map[string]string{"app": "echo"}
	replicas := int32(3)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: DemoNamespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "echo", Image: "registry.k8s.io/echoserver:1.10",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}}},
			},
		},
	}
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
	out("==> demo: waiting for the Service's load balancer")
	var host string
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		s, err := kube.CoreV1().Services(DemoNamespace).Get(ctx, "echo-nlb", metav1.GetOptions{})
		if err != nil {
			return false, nil //nolint:nilerr // keep polling through transient errors
		}
		for _, in := range s.Status.LoadBalancer.Ingress {
			host = in.Hostname
		}
		return host != "", nil
	})
	if err != nil {
		return fmt.Errorf("no load balancer for demo/echo-nlb yet (is a controller running?); the app stays applied: %w", err)
	}
	out("==> demo: Service demo/echo-nlb → %s", host)
	out("    inspect: aws elbv2 describe-load-balancers; aws ec2 describe-security-groups")
	return nil
}
