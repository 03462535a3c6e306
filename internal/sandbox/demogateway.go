package sandbox

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// DemoGatewayClass and DemoALBGatewayClass are the NLB and ALB
// GatewayClasses the demo creates.
const (
	DemoGatewayClass    = "nlb"
	DemoALBGatewayClass = "alb"
)

// demoGateway applies a GatewayClass of LBC's NLB gateway controller, a
// Gateway echo-gw with a TCP listener on 80 and a TCPRoute to Service
// echo, then a GatewayClass of its ALB gateway controller, a Gateway
// web-gw with an HTTP listener on 80 and an HTTPRoute sending /echo to
// Service echo, and prints each Gateway's address once it has one. A
// controller without Gateway support leaves them without one: that is
// reported, not an error.
func demoGateway(ctx context.Context, w *World, out func(string, ...any)) error {
	s := runtime.NewScheme()
	if err := gwv1.Install(s); err != nil {
		return err
	}
	c, err := client.New(w.Kube, client.Options{Scheme: s})
	if err != nil {
		return err
	}
	out("==> demo: applying GatewayClass %s (gateway.k8s.aws/nlb), Gateway echo-gw (TCP 80) and TCPRoute echo", DemoGatewayClass)
	ns := gwv1.Namespace(DemoNamespace)
	port := gwv1.PortNumber(80)
	backend := gwv1.BackendObjectReference{Name: "echo", Port: &port}
	prefix, path := gwv1.PathMatchPathPrefix, "/echo"
	objs := []client.Object{
		&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: DemoGatewayClass}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb"}},
		&gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: DemoNamespace, Name: "echo-gw"}, Spec: gwv1.GatewaySpec{
			GatewayClassName: DemoGatewayClass, Listeners: []gwv1.Listener{{Name: "tcp", Port: 80, Protocol: gwv1.TCPProtocolType}}}},
		&gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: DemoNamespace, Name: "echo"}, Spec: gwv1.TCPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Namespace: &ns, Name: "echo-gw"}}},
			Rules:           []gwv1.TCPRouteRule{{BackendRefs: []gwv1.BackendRef{{BackendObjectReference: backend}}}}}},
	}
	if err := createAll(ctx, c, objs); err != nil {
		return err
	}
	gatewayAddress(ctx, c, "echo-gw", out)
	out("==> demo: applying GatewayClass %s (gateway.k8s.aws/alb), Gateway web-gw (HTTP 80) and HTTPRoute echo (/echo → Service echo)", DemoALBGatewayClass)
	objs = []client.Object{
		&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: DemoALBGatewayClass}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/alb"}},
		&gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: DemoNamespace, Name: "web-gw"}, Spec: gwv1.GatewaySpec{
			GatewayClassName: DemoALBGatewayClass, Listeners: []gwv1.Listener{{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType}}}},
		&gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: DemoNamespace, Name: "echo"}, Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Namespace: &ns, Name: "web-gw"}}},
			Rules: []gwv1.HTTPRouteRule{{
				Matches:     []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: &prefix, Value: &path}}},
				BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: backend}}}}}}},
	}
	if err := createAll(ctx, c, objs); err != nil {
		return err
	}
	gatewayAddress(ctx, c, "web-gw", out)
	return nil
}

func createAll(ctx context.Context, c client.Client, objs []client.Object) error {
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// gatewayAddress waits for the demo Gateway name to have an address and
// prints it, or says that it has none yet.
func gatewayAddress(ctx context.Context, c client.Client, name string, out func(string, ...any)) {
	var addr string
	_ = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 45*time.Second, true, func(ctx context.Context) (bool, error) {
		gw := &gwv1.Gateway{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: DemoNamespace, Name: name}, gw); err != nil {
			return false, nil //nolint:nilerr // keep polling through transient errors
		}
		for _, a := range gw.Status.Addresses {
			addr = a.Value
		}
		return addr != "", nil
	})
	if addr == "" {
		out("==> demo: Gateway %s/%s has no address yet (does the controller serve Gateways?)", DemoNamespace, name)
		return
	}
	out("==> demo: Gateway %s/%s → %s", DemoNamespace, name, addr)
}
