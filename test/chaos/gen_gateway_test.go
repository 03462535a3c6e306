package chaos_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/naming"
)

// The GatewayClasses of the Gateway generator, created once per run
// (gatewayClasses).
const (
	chaosNLBClass = "chaos-nlb"
	chaosALBClass = "chaos-alb"
	// extraListener is the ALB Gateway listener updates add and remove;
	// the Gateway's second HTTPRoute attaches to it alone.
	extraListener = "extra"
	extraPort     = 8080
)

// gatewayClasses are the NLB and ALB GatewayClasses of LBC's gateway
// controllers.
func gatewayClasses() []client.Object {
	return []client.Object{
		&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: chaosNLBClass}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb"}},
		&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: chaosALBClass}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/alb"}},
	}
}

// gateways makes Gateways, NLB and ALB in turn, each with its own NodePort
// Service (same name, port 80): an NLB Gateway has one TCP listener and a
// TCPRoute to the Service; an ALB Gateway an HTTP listener "http" with an
// HTTPRoute sending /<name>/a to the Service, and a second HTTPRoute
// (/<name>/b) whose parent is listener "extra", which the Gateway has or
// not. Updates change the first listener's port or, on an ALB Gateway,
// add or remove listener "extra" (so its route attaches or detaches).
type gateways struct{}

func (gateways) kind() string { return "Gateway" }

func (gateways) empty() client.Object { return &gwv1.Gateway{} }

// gatewayPorts are the first listener's ports (never extraPort).
var gatewayPorts = []int32{80, 81, 8000, 9000}

func isALBGateway(gw *gwv1.Gateway) bool { return gw.Spec.GatewayClassName == chaosALBClass }

func (gateways) create(r *rand.Rand, ns, name string) client.Object {
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	port := gwv1.PortNumber(gatewayPorts[r.IntN(len(gatewayPorts))])
	if r.IntN(2) == 0 {
		gw.Spec.GatewayClassName = chaosALBClass
		gw.Spec.Listeners = []gwv1.Listener{{Name: "http", Port: port, Protocol: gwv1.HTTPProtocolType}}
		if r.IntN(2) == 0 {
			gw.Spec.Listeners = append(gw.Spec.Listeners, gwv1.Listener{Name: extraListener, Port: extraPort, Protocol: gwv1.HTTPProtocolType})
		}
		return gw
	}
	gw.Spec.GatewayClassName = chaosNLBClass
	gw.Spec.Listeners = []gwv1.Listener{{Name: "tcp", Port: port, Protocol: gwv1.TCPProtocolType}}
	return gw
}

// backends returns the Gateway's Service and routes.
func (gateways) backends(obj client.Object) []client.Object {
	ns, name := obj.GetNamespace(), obj.GetName()
	port := gwv1.PortNumber(80)
	ref := gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Port: &port}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Name: "tcp", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}}}
	if !isALBGateway(obj.(*gwv1.Gateway)) {
		return []client.Object{svc, &gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: gwv1.TCPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: gwv1.ObjectName(name)}}},
			Rules:           []gwv1.TCPRouteRule{{BackendRefs: []gwv1.BackendRef{ref}}}}}}
	}
	route := func(suffix, section string) *gwv1.HTTPRoute {
		prefix, path := gwv1.PathMatchPathPrefix, "/"+name+"/"+suffix
		return &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-" + suffix}, Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: gwv1.ObjectName(name),
				SectionName: ptr.To(gwv1.SectionName(section))}}},
			Rules: []gwv1.HTTPRouteRule{{Matches: []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: &prefix, Value: &path}}},
				BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: ref}}}}}}
	}
	return []client.Object{svc, route("a", "http"), route("b", extraListener)}
}

func (gateways) update(r *rand.Rand, obj client.Object) string {
	gw := obj.(*gwv1.Gateway)
	if isALBGateway(gw) && r.IntN(2) == 0 {
		i := slices.IndexFunc(gw.Spec.Listeners, func(l gwv1.Listener) bool { return l.Name == extraListener })
		if i >= 0 {
			gw.Spec.Listeners = slices.Delete(gw.Spec.Listeners, i, i+1)
			return "listener extra removed"
		}
		gw.Spec.Listeners = append(gw.Spec.Listeners, gwv1.Listener{Name: extraListener, Port: extraPort, Protocol: gwv1.HTTPProtocolType})
		return "listener extra added"
	}
	ports := slices.DeleteFunc(slices.Clone(gatewayPorts), func(p int32) bool { return p == int32(gw.Spec.Listeners[0].Port) })
	gw.Spec.Listeners[0].Port = gwv1.PortNumber(ports[r.IntN(len(ports))])
	return fmt.Sprintf("listener %s port %d", gw.Spec.Listeners[0].Name, gw.Spec.Listeners[0].Port)
}

func gatewayStack(gw *gwv1.Gateway) naming.Stack {
	if isALBGateway(gw) {
		return naming.GatewayALBStack(gw.Namespace, gw.Name)
	}
	return naming.GatewayNLBStack(gw.Namespace, gw.Name)
}

func (gateways) stack(obj client.Object) string { return gatewayStack(obj.(*gwv1.Gateway)).Key() }

// converged checks the Gateway's single LB: its address in the status,
// a listener per Gateway listener, a target group per attached route, and
// on an ALB exactly the attached route's path rule on each listener.
func (gateways) converged(obj client.Object, s emuState, cluster string) string {
	gw := obj.(*gwv1.Gateway)
	o := s.owned(cluster)
	key := gatewayStack(gw).Key()
	lbs := o.lbs[key]
	if len(lbs) != 1 {
		return fmt.Sprintf("%d LBs", len(lbs))
	}
	lb := lbs[0]
	if len(gw.Status.Addresses) != 1 || !strings.EqualFold(gw.Status.Addresses[0].Value, lb.DNSName) {
		return fmt.Sprintf("status addresses %v, LB DNS %s", gw.Status.Addresses, lb.DNSName)
	}
	var want []int
	for _, l := range gw.Spec.Listeners {
		want = append(want, int(l.Port))
	}
	slices.Sort(want)
	if got := slices.Sorted(slices.Values(o.listeners[lb.ARN])); !slices.Equal(got, want) {
		return fmt.Sprintf("listeners %v, Gateway's %v", got, want)
	}
	// A target group per attached route (LBC names them by route and
	// Service port): the route of listener "extra" only while it exists.
	routes := 1
	if slices.ContainsFunc(gw.Spec.Listeners, func(l gwv1.Listener) bool { return l.Name == extraListener }) {
		routes++
	}
	if n := len(o.tgs[key]); n != routes {
		return fmt.Sprintf("%d target groups for %d attached routes", n, routes)
	}
	if !isALBGateway(gw) {
		return ""
	}
	for _, l := range gw.Spec.Listeners {
		path := "/" + gw.Name + "/a"
		if l.Name == extraListener {
			path = "/" + gw.Name + "/b"
		}
		if got := o.rulePaths[lb.ARN][int(l.Port)]; !slices.Equal(got, []string{path}) {
			return fmt.Sprintf("rules on %d %v, want %s", l.Port, got, path)
		}
	}
	return ""
}
