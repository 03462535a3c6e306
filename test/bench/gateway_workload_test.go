package bench

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/gateway"
)

// LBC's controllerNames of ALB and NLB GatewayClasses.
const (
	gatewayControllerALB = "gateway.k8s.aws/alb"
	gatewayControllerNLB = "gateway.k8s.aws/nlb"
)

// gateways is the Gateway workload: n Gateways of one GatewayClass, each
// with r routes, every route forwarding to a NodePort Service of its own
// (instance targets: every Node).
//
// ALB (controller gateway.k8s.aws/alb): one HTTP listener on port 80 and r
// HTTPRoutes attached to it; route j of Gateway i matches PathPrefix
// /app-i-j. One ALB per Gateway, r listener rules and r target groups.
//
// NLB (nlb set, controller gateway.k8s.aws/nlb): r TCP listeners on ports
// 80, 81, …, and one TCPRoute per listener (sectionName). One NLB per
// Gateway, r listeners and r target groups.
type gateways struct {
	ns      string
	nlb     bool
	n, r    int
	version map[[2]int]int   // path version by (Gateway, route): a path change bumps it
	ports   map[string]int32 // NodePorts of the backends, as last listed
}

func newGateways(ns string, n, r int) *gateways {
	return &gateways{ns: ns, n: n, r: max(1, r), version: map[[2]int]int{}, ports: map[string]int32{}}
}

// newNLBGateways is the NLB variant.
func newNLBGateways(ns string, n, r int) *gateways {
	w := newGateways(ns, n, r)
	w.nlb = true
	return w
}

func (w *gateways) kind() string {
	if w.nlb {
		return "NLB gateways"
	}
	return "gateways"
}

// controller is the Gateway reconciler's name (gateway.ControllerName or
// ALBControllerName), under which it counts its reconciles.
func (w *gateways) controller() string {
	if w.nlb {
		return gateway.ControllerName
	}
	return gateway.ALBControllerName
}
func (w *gateways) objects() int { return w.n }

// routes is how many HTTPRoutes the workload has.
func (w *gateways) routes() int { return w.n * w.r }

// prefix sets the ALB and NLB workloads' names apart.
func (w *gateways) prefix() string {
	if w.nlb {
		return "nlb"
	}
	return "alb"
}

// class is the workload's GatewayClass: cluster-scoped, so named after
// the namespace.
func (w *gateways) class() string { return w.ns + "-" + w.prefix() }

func (w *gateways) name(i int) string { return fmt.Sprintf("%s-gw-%03d", w.prefix(), i) }
func (w *gateways) routeName(i, j int) string {
	return fmt.Sprintf("%s-gw-%03d-r%d", w.prefix(), i, j)
}
func (w *gateways) svcName(i, j int) string {
	return fmt.Sprintf("%s-gw-%03d-svc-%d", w.prefix(), i, j)
}

func (w *gateways) path(i, j int) string {
	if v := w.version[[2]int{i, j}]; v > 0 {
		return fmt.Sprintf("/app-%d-%d-v%d", i, j, v)
	}
	return fmt.Sprintf("/app-%d-%d", i, j)
}

func (w *gateways) gateway(i int) *gwv1.Gateway {
	ls := []gwv1.Listener{{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType}}
	if w.nlb {
		ls = nil
		for j := range w.r {
			ls = append(ls, gwv1.Listener{Name: w.section(j), Port: gwv1.PortNumber(80 + j), Protocol: gwv1.TCPProtocolType})
		}
	}
	return &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.name(i)},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(w.class()), Listeners: ls}}
}

// section is the NLB Gateway's listener of route j.
func (w *gateways) section(j int) gwv1.SectionName { return gwv1.SectionName(fmt.Sprintf("tcp-%d", j)) }

// backend is route (i, j)'s backendRef.
func (w *gateways) backend(i, j int) gwv1.BackendRef {
	return gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
		Name: gwv1.ObjectName(w.svcName(i, j)), Port: ptr.To[gwv1.PortNumber](80)}}
}

// route is route (i, j) as created: an HTTPRoute, or for NLBs a TCPRoute.
func (w *gateways) route(i, j int) client.Object {
	meta := metav1.ObjectMeta{Namespace: w.ns, Name: w.routeName(i, j)}
	if w.nlb {
		return &gwv1.TCPRoute{ObjectMeta: meta, Spec: gwv1.TCPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: gwv1.ObjectName(w.name(i)), SectionName: ptr.To(w.section(j))}}},
			Rules:           []gwv1.TCPRouteRule{{BackendRefs: []gwv1.BackendRef{w.backend(i, j)}}}}}
	}
	rt := &gwv1.HTTPRoute{ObjectMeta: meta}
	w.spec(i, j, rt)
	return rt
}

func (w *gateways) service(i, j int) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.svcName(i, j)},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": w.svcName(i, j)},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}},
	}
}

// spec sets route (i, j)'s parent, match and backend from the workload.
func (w *gateways) spec(i, j int, rt *gwv1.HTTPRoute) {
	rt.Spec = gwv1.HTTPRouteSpec{
		CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: gwv1.ObjectName(w.name(i))}}},
		Rules: []gwv1.HTTPRouteRule{{
			Matches:     []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(w.path(i, j))}}},
			BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: w.backend(i, j)}},
		}},
	}
}

func (w *gateways) create(ctx context.Context, c client.Client) error {
	ctrl := gatewayControllerALB
	if w.nlb {
		ctrl = gatewayControllerNLB
	}
	cls := &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: w.class()},
		Spec: gwv1.GatewayClassSpec{ControllerName: gwv1.GatewayController(ctrl)}}
	if err := c.Create(ctx, cls); err != nil {
		return err
	}
	for i := range w.n {
		for j := range w.r {
			if err := c.Create(ctx, w.service(i, j)); err != nil {
				return err
			}
			if err := c.Create(ctx, w.route(i, j)); err != nil {
				return err
			}
		}
		if err := c.Create(ctx, w.gateway(i)); err != nil {
			return err
		}
	}
	return nil
}

// pending counts the workload's Gateways without an address in their
// status.
func (w *gateways) pending(ctx context.Context, c client.Client) string {
	var list gwv1.GatewayList
	if err := c.List(ctx, &list, client.InNamespace(w.ns)); err != nil {
		return err.Error()
	}
	missing := w.n
	for _, gw := range list.Items {
		if string(gw.Spec.GatewayClassName) == w.class() && len(gw.Status.Addresses) > 0 {
			missing--
		}
	}
	if missing > 0 {
		return fmt.Sprintf("%d of %d Gateways without a load balancer", missing, w.n)
	}
	if len(w.ports) == 0 {
		var svcs corev1.ServiceList
		if err := c.List(ctx, &svcs, client.InNamespace(w.ns)); err != nil {
			return err.Error()
		}
		for i := range w.n {
			for j := range w.r {
				idx := slices.IndexFunc(svcs.Items, func(s corev1.Service) bool { return s.Name == w.svcName(i, j) })
				if idx >= 0 && len(svcs.Items[idx].Spec.Ports) > 0 {
					w.ports[w.svcName(i, j)] = svcs.Items[idx].Spec.Ports[0].NodePort
				}
			}
		}
	}
	return ""
}

// check compares each Gateway's ALB (one listener, one rule per route with
// its path), or the number of NLB Gateways' load balancers, and the
// Gateway target groups with the workload.
func (w *gateways) check(s summary, nodes []string) string {
	if w.nlb {
		if s.GatewayNLBs != w.n {
			return fmt.Sprintf("%d Gateway NLBs, want %d", s.GatewayNLBs, w.n)
		}
		return w.checkTargets(s, nodes)
	}
	if len(s.GatewayALBs) != w.n {
		return fmt.Sprintf("%d Gateway ALBs, want %d", len(s.GatewayALBs), w.n)
	}
	for i := range w.n {
		a, ok := s.GatewayALBs[w.ns+"/"+w.name(i)]
		if !ok {
			return "no ALB for Gateway " + w.name(i)
		}
		for j := range w.r {
			if _, found := slices.BinarySearch(a.Paths, w.path(i, j)); !found {
				return fmt.Sprintf("Gateway %s: no rule for %s (paths %v)", w.name(i), w.path(i, j), a.Paths)
			}
		}
		if a.Listeners != 1 || a.Rules != w.r {
			return fmt.Sprintf("Gateway %s: %d listeners and %d rules, want 1 and %d", w.name(i), a.Listeners, a.Rules, w.r)
		}
	}
	return w.checkTargets(s, nodes)
}

// checkTargets compares the Gateway target groups (every Node registered)
// and the node SG's rules (every backend's NodePort open) with the
// workload.
func (w *gateways) checkTargets(s summary, nodes []string) string {
	kind := "gateway-alb"
	if w.nlb {
		kind = "gateway-nlb"
	}
	want := idsHash(nodes)
	inst, bad := 0, 0
	for _, tg := range s.TargetGroups {
		if tg.Kind != kind {
			continue
		}
		inst++
		if tg.Type != "instance" || tg.Targets != len(nodes) || tg.IDs != want {
			bad++
		}
	}
	switch {
	case inst != w.routes():
		return fmt.Sprintf("%d Gateway target groups, want %d", inst, w.routes())
	case bad > 0:
		return fmt.Sprintf("%d Gateway target groups with other targets", bad)
	}
	uncovered := 0
	for _, p := range w.ports {
		if !slices.ContainsFunc(s.NodeSGRules, func(r ruleSummary) bool { return r.Protocol == "tcp" && r.From <= p && p <= r.To }) {
			uncovered++
		}
	}
	if uncovered > 0 {
		return fmt.Sprintf("%d NodePorts of Gateway backends not open on the node security group", uncovered)
	}
	return ""
}

// change gives pct % of the HTTPRoutes (at least one) a new path prefix:
// one ModifyRule each is the minimum. NLB Gateways have no paths: it
// changes nothing there.
func (w *gateways) change(ctx context.Context, c client.Client, pct int) (int, error) {
	if w.nlb {
		return 0, nil
	}
	k := max(1, w.routes()*pct/100)
	for n := range k {
		i, j := n%w.n, (n/w.n)%w.r
		w.version[[2]int{i, j}]++
		rt := &gwv1.HTTPRoute{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: w.ns, Name: w.routeName(i, j)}, rt); err != nil {
			return 0, err
		}
		base := rt.DeepCopy()
		w.spec(i, j, rt)
		if err := c.Patch(ctx, rt, client.MergeFrom(base)); err != nil {
			return 0, err
		}
	}
	return k, nil
}

// requests are the ALB Gateway controller's: one per Gateway.
func (w *gateways) requests() []reconcile.Request {
	out := make([]reconcile.Request, 0, w.n)
	for i := range w.n {
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: w.ns, Name: w.name(i)}})
	}
	return out
}
