package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// gwHarness is the harness with the Gateway API CRDs installed and a
// GatewayClass of controller gateway.k8s.aws/nlb.
type gwHarness struct {
	*harness
	class string
}

func startGateway(t *testing.T) *gwHarness {
	t.Helper()
	testenv.GatewayAPI(t)
	h := &gwHarness{harness: start(t, nil)}
	h.class = h.kube.Namespace + "-nlb"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class},
		Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb"}})
	t.Cleanup(h.deleteGateways)
	return h
}

// deleteGateways deletes the test's Gateways (and class) while the
// controllers still run, so their finalizers go.
func (h *gwHarness) deleteGateways() {
	ctx, cancel := testenv.CleanupContext(h.t)
	defer cancel()
	var list gwv1.GatewayList
	_ = h.kube.Client.List(ctx, &list)
	for i := range list.Items {
		if string(list.Items[i].Spec.GatewayClassName) == h.class {
			_ = h.kube.Client.Delete(ctx, &list.Items[i])
		}
	}
	// tb.Context is cancelled when cleanups run: poll by hand.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		left := 0
		_ = h.kube.Client.List(ctx, &list)
		for _, gw := range list.Items {
			if string(gw.Spec.GatewayClassName) == h.class {
				left++
			}
		}
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond) //nolint:forbidigo // test cleanup polls
	}
	for _, gw := range list.Items {
		if string(gw.Spec.GatewayClassName) == h.class {
			h.t.Errorf("gateway %s not deleted: finalizers %v, deletion %v", gw.Name, gw.Finalizers, gw.DeletionTimestamp)
			h.events.mu.Lock()
			for _, e := range h.events.got {
				if strings.HasPrefix(e, gw.Name+" ") {
					h.t.Log(e)
				}
			}
			h.events.mu.Unlock()
		}
	}
	_ = h.kube.Client.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class}})
}

func (h *gwHarness) waitGatewayGone(ctx context.Context, gw *gwv1.Gateway) {
	h.t.Helper()
	testenv.Eventually(h.t, "gateway "+gw.Name+" deleted", func(context.Context) (bool, error) {
		err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(gw), &gwv1.Gateway{})
		return apierrors.IsNotFound(err), nil
	})
}

func (h *gwHarness) gateway(ns, name string, listeners ...gwv1.Listener) *gwv1.Gateway {
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: listeners}}
	h.create(gw)
	return gw
}

func tcpListener(name string, port int32) gwv1.Listener {
	return gwv1.Listener{Name: gwv1.SectionName(name), Port: gwv1.PortNumber(port), Protocol: gwv1.TCPProtocolType}
}

// backend is a NodePort Service with one port 80 → 8080.
func (h *gwHarness) backend(ns, name string) *corev1.Service {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Name: "tcp", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}}}
	h.create(svc)
	return h.get(svc)
}

func tcpRoute(ns, name string, parents []gwv1.ParentReference, backends ...gwv1.BackendRef) *gwv1.TCPRoute {
	return &gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.TCPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parents},
			Rules: []gwv1.TCPRouteRule{{BackendRefs: backends}}}}
}

func parent(ns, name string) gwv1.ParentReference {
	return gwv1.ParentReference{Namespace: ptr.To(gwv1.Namespace(ns)), Name: gwv1.ObjectName(name)}
}

func svcRef(ns, name string, port int32) gwv1.BackendRef {
	return gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
		Namespace: ptr.To(gwv1.Namespace(ns)), Name: gwv1.ObjectName(name), Port: ptr.To(gwv1.PortNumber(port))}}
}

func (h *gwHarness) getGateway(gw *gwv1.Gateway) *gwv1.Gateway {
	cur := &gwv1.Gateway{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(gw), cur); err != nil {
		return nil
	}
	return cur
}

func (h *gwHarness) getRoute(rt *gwv1.TCPRoute) *gwv1.TCPRoute {
	cur := &gwv1.TCPRoute{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(rt), cur); err != nil {
		return nil
	}
	return cur
}

// condition returns "Status/Reason" of a condition ("" when absent).
func condition(conds []metav1.Condition, t string) string {
	c := meta.FindStatusCondition(conds, t)
	if c == nil {
		return ""
	}
	return string(c.Status) + "/" + c.Reason
}

// waitGatewayCondition waits until the Gateway's condition t is want.
func (h *gwHarness) waitGatewayCondition(gw *gwv1.Gateway, t, want string) *gwv1.Gateway {
	h.t.Helper()
	var cur *gwv1.Gateway
	testenv.Eventually(h.t, fmt.Sprintf("gateway %s %s=%s", gw.Name, t, want), func(context.Context) (bool, error) {
		cur = h.getGateway(gw)
		if cur == nil {
			return false, nil
		}
		if got := condition(cur.Status.Conditions, t); got != want {
			return false, fmt.Errorf("%s is %q", t, got)
		}
		return true, nil
	})
	return cur
}

// routeParentCondition is "Status/Reason" of condition t in the route's
// status entry for Gateway ns/name ("" when there is none).
func routeParentCondition(rt *gwv1.TCPRoute, ns, name, t string) string {
	for _, p := range rt.Status.Parents {
		pns := rt.Namespace
		if p.ParentRef.Namespace != nil {
			pns = string(*p.ParentRef.Namespace)
		}
		if pns == ns && string(p.ParentRef.Name) == name && p.ControllerName == "gateway.k8s.aws/nlb" {
			return condition(p.Conditions, t)
		}
	}
	return ""
}

func (h *gwHarness) waitRoute(rt *gwv1.TCPRoute, gwNS, gwName, t, want string) {
	h.t.Helper()
	testenv.Eventually(h.t, fmt.Sprintf("route %s parent %s %s=%q", rt.Name, gwName, t, want), func(context.Context) (bool, error) {
		cur := h.getRoute(rt)
		if cur == nil {
			return false, nil
		}
		if got := routeParentCondition(cur, gwNS, gwName, t); got != want {
			return false, fmt.Errorf("is %q", got)
		}
		return true, nil
	})
}

// gwLB is the Gateway's load balancer as the emulator holds it.
type gwLB struct {
	name, dns string
	listeners []string // "port/PROTO→tg-name,tg-name"
	sgs       []string
}

func (h *gwHarness) gwLoadBalancer(ctx context.Context, ns, name string) (*gwLB, map[string]string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, nil, err
	}
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, nil, err
	}
	tgName := map[string]string{}
	for _, tg := range tgs.TargetGroups {
		tgName[aws.ToString(tg.TargetGroupArn)] = aws.ToString(tg.TargetGroupName)
	}
	stackTags := map[string]string{}
	for _, lb := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return nil, nil, err
		}
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				stackTags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
		}
		if stackTags[naming.TagGatewayNLBStack] != ns+"/"+name {
			clear(stackTags)
			continue
		}
		out := &gwLB{name: aws.ToString(lb.LoadBalancerName), dns: aws.ToString(lb.DNSName), sgs: lb.SecurityGroups}
		ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, nil, err
		}
		for _, l := range ls.Listeners {
			var names []string
			for _, a := range l.DefaultActions {
				if a.ForwardConfig != nil {
					for _, t := range a.ForwardConfig.TargetGroups {
						names = append(names, tgName[aws.ToString(t.TargetGroupArn)])
					}
				} else if a.TargetGroupArn != nil {
					names = append(names, tgName[aws.ToString(a.TargetGroupArn)])
				}
			}
			out.listeners = append(out.listeners, fmt.Sprintf("%d/%s→%s", aws.ToInt32(l.Port), l.Protocol, strings.Join(names, ",")))
		}
		slices.Sort(out.listeners)
		return out, stackTags, nil
	}
	return nil, nil, nil
}

func (h *gwHarness) waitListeners(ns, name string, want ...string) *gwLB {
	h.t.Helper()
	var lb *gwLB
	testenv.Eventually(h.t, fmt.Sprintf("gateway %s listeners %v", name, want), func(ctx context.Context) (bool, error) {
		var err error
		if lb, _, err = h.gwLoadBalancer(ctx, ns, name); err != nil || lb == nil {
			return false, err
		}
		var got []string
		for _, l := range lb.listeners {
			got = append(got, l[:strings.Index(l, "→")])
		}
		if !slices.Equal(got, want) {
			return false, fmt.Errorf("listeners %v", lb.listeners)
		}
		return true, nil
	})
	return lb
}

func TestGatewayWithTCPRouteConvergesToAnNLB(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	testenv.Eventually(t, "class accepted", func(ctx context.Context) (bool, error) {
		c := &gwv1.GatewayClass{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: h.class}, c); err != nil {
			return false, err
		}
		return condition(c.Status.Conditions, "Accepted") == "True/Accepted", nil
	})
	svc := h.backend(ns, "echo")
	gw := h.gateway(ns, "gw", tcpListener("tcp", 80))
	rt := tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80))
	h.create(rt)

	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	lb := h.waitListeners(ns, "gw", "80/TCP")
	var cur *gwv1.Gateway
	testenv.Eventually(t, "route attached in the listener status", func(context.Context) (bool, error) {
		cur = h.getGateway(gw)
		return cur != nil && len(cur.Status.Listeners) == 1 && cur.Status.Listeners[0].AttachedRoutes == 1, nil
	})
	if condition(cur.Status.Conditions, "Accepted") != "True/Accepted" {
		t.Errorf("Accepted = %s", condition(cur.Status.Conditions, "Accepted"))
	}
	if len(cur.Status.Addresses) != 1 || cur.Status.Addresses[0].Value != strings.ToLower(lb.dns) {
		t.Errorf("addresses = %+v, want the NLB's DNS name %s", cur.Status.Addresses, lb.dns)
	}
	if len(cur.Status.Listeners) != 1 || cur.Status.Listeners[0].AttachedRoutes != 1 ||
		condition(cur.Status.Listeners[0].Conditions, "Programmed") != "True/Programmed" {
		t.Errorf("listener status = %+v", cur.Status.Listeners)
	}
	if !controllerutilContains(cur.Finalizers, naming.FinalizerGatewayNLB) {
		t.Errorf("finalizers = %v", cur.Finalizers)
	}
	want := naming.GatewayLBName(cluster, ns, "gw", string(cur.UID), naming.SchemeInternal)
	if lb.name != want {
		t.Errorf("LB name = %s, want LBC's %s", lb.name, want)
	}
	h.waitRoute(rt, ns, "gw", "Accepted", "True/Accepted")
	h.waitRoute(rt, ns, "gw", "ResolvedRefs", "True/ResolvedRefs")

	// Target group: instance targets on the NodePort, named as LBC.
	tgName := naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: ns, GatewayName: "gw",
		RouteNamespace: ns, RouteName: "echo", RouteKind: "TCPRoute", ServiceNamespace: ns, ServiceName: "echo",
		IdentifierPort: "8080", TargetPort: svc.Spec.Ports[0].NodePort, TargetType: "instance", Protocol: "TCP"})
	nodePort := svc.Spec.Ports[0].NodePort
	w := h.eventually("targets and SG rules", func(w world) string {
		tg, ok := w.tgs[tgName]
		if !ok {
			return "no target group " + tgName + fmt.Sprint(w.tgs)
		}
		if !strings.HasPrefix(tg, fmt.Sprintf("%d instance [", nodePort)) || strings.Count(tg, ":") != len(h.seed.Instances) {
			return "target group " + tg
		}
		return ""
	})
	managed, backend := w.ownedSGs()
	if len(managed) != 1 || len(backend) != 1 {
		t.Fatalf("owned SGs: %d managed, %d backend", len(managed), len(backend))
	}
	if m := managed[0]; m.Tags[naming.TagGatewayNLBStack] != ns+"/gw" || m.Tags["gateway.k8s.aws.nlb/resource"] != "ManagedLBSecurityGroup" ||
		!slices.Equal(ruleList(m.Ingress), []string{"tcp 80 ← 0.0.0.0/0"}) {
		t.Errorf("managed SG tags %v rules %v", m.Tags, ruleList(m.Ingress))
	}
	if !slices.Equal(slices.Sorted(slices.Values(lb.sgs)), slices.Sorted(slices.Values([]string{managed[0].ID, backend[0].ID}))) {
		t.Errorf("LB SGs %v", lb.sgs)
	}
	nodeRule := fmt.Sprintf("tcp %d ← %s", nodePort, backend[0].ID)
	if !slices.Contains(ruleList(w.sgs[h.seed.NodeSG].Ingress), nodeRule) {
		t.Errorf("node SG rules %v lack %s", ruleList(w.sgs[h.seed.NodeSG].Ingress), nodeRule)
	}

	// A resync of the unchanged Gateway costs no AWS call and no write.
	before := h.quiesce()
	t.Logf("AWS calls until converged (Gateway, TCPRoute, node rules; the harness's own reads included): %d, of which %d mutating: %v",
		before, h.emu.Server.Calls().Mutations(), h.emu.Server.Calls().Sorted())
	rv := h.getGateway(gw).ResourceVersion
	if _, err := h.ctrls.Gateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ctrls.TargetSG.Reconcile(t.Context(), registry.SGKey{GroupID: h.seed.NodeSG}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	if got := h.getGateway(gw).ResourceVersion; got != rv {
		t.Errorf("a resync rewrote the Gateway (resourceVersion %s → %s)", rv, got)
	}

	// Deleting the Gateway while the route still names it leaves nothing.
	if err := h.kube.Client.Delete(t.Context(), gw); err != nil {
		t.Fatal(err)
	}
	h.waitGatewayGone(t.Context(), gw)
	h.eventually("nothing left", func(w world) string {
		if lb, _, _ := h.gwLoadBalancer(t.Context(), ns, "gw"); lb != nil {
			return "load balancer left"
		}
		if _, ok := w.tgs[tgName]; ok {
			return "target group left"
		}
		if m, _ := w.ownedSGs(); len(m) > 0 {
			return "managed SG left"
		}
		if slices.Contains(ruleList(w.sgs[h.seed.NodeSG].Ingress), nodeRule) {
			return "node rule left"
		}
		return ""
	})
	testenv.Eventually(t, "route status entry dropped", func(context.Context) (bool, error) {
		cur := h.getRoute(rt)
		return cur != nil && len(cur.Status.Parents) == 0, nil
	})
}

func controllerutilContains(list []string, s string) bool { return slices.Contains(list, s) }

func TestGatewayRouteMovesBetweenGateways(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.gateway(ns, "one", tcpListener("tcp", 80))
	h.gateway(ns, "two", tcpListener("tcp", 90))
	rt := tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "one")}, svcRef(ns, "echo", 80))
	h.create(rt)
	h.waitListeners(ns, "one", "80/TCP")
	h.waitRoute(rt, ns, "one", "Accepted", "True/Accepted")

	testenv.Eventually(t, "route moved", func(ctx context.Context) (bool, error) {
		cur := h.getRoute(rt)
		cur.Spec.ParentRefs = []gwv1.ParentReference{parent(ns, "two")}
		return true, h.kube.Client.Update(ctx, cur)
	})
	h.waitListeners(ns, "two", "90/TCP")
	h.waitListeners(ns, "one")
	h.waitRoute(rt, ns, "two", "Accepted", "True/Accepted")
	h.waitRoute(rt, ns, "one", "Accepted", "")
	h.eventually("the first Gateway's target group gone", func(w world) string {
		for name := range w.tgs {
			if strings.HasPrefix(name, "k8s-"+naming.Cut(8, naming.Sanitize(ns))+"-echo-") && len(w.tgs) > 1 {
				return fmt.Sprintf("target groups %v", w.tgs)
			}
		}
		return ""
	})
}

func TestGatewayCrossNamespaceBackendNeedsAReferenceGrant(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	other := testenv.Kube(t).Namespace
	h.backend(other, "echo")
	gw := h.gateway(ns, "gw", tcpListener("tcp", 80))
	rt := tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(other, "echo", 80))
	h.create(rt)
	h.waitRoute(rt, ns, "gw", "ResolvedRefs", "False/RefNotPermitted")
	h.waitRoute(rt, ns, "gw", "Accepted", "True/Accepted")
	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	h.waitListeners(ns, "gw") // no backend: no listener (as LBC)
	testenv.Eventually(t, "RouteNotAttached event", func(context.Context) (bool, error) {
		return h.events.has("echo Warning RouteNotAttached"), nil
	})

	h.create(&gwv1.ReferenceGrant{ObjectMeta: metav1.ObjectMeta{Namespace: other, Name: "allow"},
		Spec: gwv1.ReferenceGrantSpec{
			From: []gwv1.ReferenceGrantFrom{{Group: "gateway.networking.k8s.io", Kind: "TCPRoute", Namespace: gwv1.Namespace(ns)}},
			To:   []gwv1.ReferenceGrantTo{{Group: "", Kind: "Service"}}}})
	h.waitRoute(rt, ns, "gw", "ResolvedRefs", "True/ResolvedRefs")
	h.waitListeners(ns, "gw", "80/TCP")
}

func TestGatewayRouteFromANamespaceTheListenerDoesNotAllow(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	other := testenv.Kube(t).Namespace
	h.backend(other, "echo")
	h.gateway(ns, "gw", tcpListener("tcp", 80)) // allowedRoutes: Same (default)
	rt := tcpRoute(other, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(other, "echo", 80))
	h.create(rt)
	h.waitRoute(rt, ns, "gw", "Accepted", "False/NotAllowedByListeners")
	h.waitListeners(ns, "gw")
}

func TestGatewayInvalidListenerLeavesTheOthersServed(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	bad := tcpListener("http", 81)
	bad.AllowedRoutes = &gwv1.AllowedRoutes{Kinds: []gwv1.RouteGroupKind{{Kind: "HTTPRoute"}}}
	gw := h.gateway(ns, "gw", tcpListener("tcp", 80), bad)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	h.waitGatewayCondition(gw, "Accepted", "False/ListenersNotValid")
	h.waitListeners(ns, "gw", "80/TCP")
	cur := h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	var got []string
	for _, l := range cur.Status.Listeners {
		got = append(got, string(l.Name)+":"+condition(l.Conditions, "ResolvedRefs"))
	}
	if !slices.Equal(got, []string{"tcp:True/ResolvedRefs", "http:False/InvalidRouteKinds"}) {
		t.Errorf("listener ResolvedRefs = %v", got)
	}
	if !h.events.has("gw Warning InvalidListener") {
		t.Error("no InvalidListener event")
	}
}

func lbConfig(ns, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion("gateway.k8s.aws/v1")
	u.SetKind("LoadBalancerConfiguration")
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func TestGatewayRefusesAnUnsupportedConfigurationField(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	cfg := lbConfig(ns, "cfg", map[string]any{"scheme": "internet-facing"})
	h.create(cfg)
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"}, Spec: gwv1.GatewaySpec{
		GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)},
		Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
			Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "cfg"}}}}
	h.create(gw)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	h.waitListeners(ns, "gw", "80/TCP")
	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")

	// A field lbsg lacks: the Gateway is refused, its NLB left alone.
	h.quiesce()
	before := h.emu.Server.Calls().Mutations()
	testenv.Eventually(t, "config updated", func(ctx context.Context) (bool, error) {
		cur := lbConfig(ns, "cfg", nil)
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(cur), cur); err != nil {
			return false, err
		}
		_ = unstructured.SetNestedField(cur.Object, "internal", "spec", "scheme")
		_ = unstructured.SetNestedMap(cur.Object, map[string]any{"webACL": "arn:aws:wafv2:us-west-2:111122223333:regional/webacl/x/1"}, "spec", "wafV2")
		return true, h.kube.Client.Update(ctx, cur)
	})
	cur := h.waitGatewayCondition(gw, "Accepted", "False/InvalidParameters")
	if msg := meta.FindStatusCondition(cur.Status.Conditions, "Accepted").Message; !strings.Contains(msg, "spec.wafV2") {
		t.Errorf("Accepted message %q does not name spec.wafV2", msg)
	}
	testenv.Eventually(t, "UnsupportedConfiguration event", func(context.Context) (bool, error) {
		return h.events.has("gw Warning UnsupportedConfiguration"), nil
	})
	h.quiesce()
	if m := h.emu.Server.Calls().Mutations() - before; m != 0 {
		t.Errorf("%d mutating AWS calls after the unsupported field: %v", m, h.emu.Server.Calls().Actions)
	}
	lb, _, err := h.gwLoadBalancer(t.Context(), ns, "gw")
	if err != nil || lb == nil || len(lb.listeners) != 1 {
		t.Errorf("the refused Gateway's NLB changed: %+v %v", lb, err)
	}
}

func TestGatewayUDPRouteWithIPTargetsFromATargetGroupConfiguration(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dns"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "dns"},
			Ports: []corev1.ServicePort{{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(5353)}}}}
	h.create(svc)
	tgc := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"targetReference":      map[string]any{"name": "dns"},
		"defaultConfiguration": map[string]any{"targetType": "ip"},
	}}}
	tgc.SetAPIVersion("gateway.k8s.aws/v1")
	tgc.SetKind("TargetGroupConfiguration")
	tgc.SetNamespace(ns)
	tgc.SetName("dns")
	h.create(tgc)
	h.createSlice(ns, "dns", "dns", 5353, "10.0.1.10")
	h.gateway(ns, "gw", gwv1.Listener{Name: "dns", Port: 53, Protocol: gwv1.UDPProtocolType})
	rt := &gwv1.UDPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dns"},
		Spec: gwv1.UDPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{parent(ns, "gw")}},
			Rules: []gwv1.UDPRouteRule{{BackendRefs: []gwv1.BackendRef{svcRef(ns, "dns", 53)}}}}}
	h.create(rt)
	h.waitListeners(ns, "gw", "53/UDP")
	tgName := naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: ns, GatewayName: "gw",
		RouteNamespace: ns, RouteName: "dns", RouteKind: "UDPRoute", ServiceNamespace: ns, ServiceName: "dns",
		IdentifierPort: "5353", TargetPort: 5353, TargetType: "ip", Protocol: "UDP"})
	h.eventually("ip targets", func(w world) string {
		if got := w.tgs[tgName]; got != "5353 ip [10.0.1.10:5353]" {
			return fmt.Sprintf("target group %s = %q (%v)", tgName, got, w.tgs)
		}
		return ""
	})
}

// createSlice is a ready EndpointSlice of Service svc with one address on
// the first seeded node.
func (h *gwHarness) createSlice(ns, svc, portName string, port int32, ip string) {
	h.t.Helper()
	proto := corev1.ProtocolUDP
	h.create(&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: svc + "-1",
		Labels: map[string]string{discoveryv1.LabelServiceName: svc}}, AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{ip}, NodeName: ptr.To(h.nodes[0]),
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To(portName), Port: ptr.To(port), Protocol: &proto}}})
}

func TestGatewayClassWithAMissingConfigurationIsNotAccepted(t *testing.T) {
	h := startGateway(t)
	bad := h.kube.Namespace + "-bad"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: bad}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb",
		ParametersRef: &gwv1.ParametersReference{Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "none",
			Namespace: ptr.To(gwv1.Namespace(h.kube.Namespace))}}})
	t.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(t)
		defer cancel()
		_ = h.kube.Client.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: bad}})
	})
	testenv.Eventually(t, "class not accepted", func(ctx context.Context) (bool, error) {
		c := &gwv1.GatewayClass{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: bad}, c); err != nil {
			return false, err
		}
		return condition(c.Status.Conditions, "Accepted") == "False/InvalidParameters", nil
	})
	// Creating the configuration accepts the class.
	h.create(lbConfig(h.kube.Namespace, "none", map[string]any{"scheme": "internal"}))
	testenv.Eventually(t, "class accepted", func(ctx context.Context) (bool, error) {
		c := &gwv1.GatewayClass{}
		if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: bad}, c); err != nil {
			return false, err
		}
		return condition(c.Status.Conditions, "Accepted") == "True/Accepted", nil
	})
}

func TestGatewayMergesTheClassAndGatewayConfigurations(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.create(lbConfig(ns, "class-cfg", map[string]any{"scheme": "internet-facing", "tags": map[string]any{"team": "platform"}}))
	h.create(lbConfig(ns, "gw-cfg", map[string]any{"scheme": "internal", "loadBalancerName": ns[:min(len(ns), 20)] + "-merged"}))
	class := h.kube.Namespace + "-merge"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: class}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb",
		ParametersRef: &gwv1.ParametersReference{Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "class-cfg",
			Namespace: ptr.To(gwv1.Namespace(ns))}}})
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"}, Spec: gwv1.GatewaySpec{
		GatewayClassName: gwv1.ObjectName(class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)},
		Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
			Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "gw-cfg"}}}}
	h.create(gw)
	t.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(t)
		defer cancel()
		_ = h.kube.Client.Delete(ctx, gw)
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && !apierrors.IsNotFound(h.kube.Client.Get(ctx, client.ObjectKeyFromObject(gw), &gwv1.Gateway{})) {
			time.Sleep(50 * time.Millisecond) //nolint:forbidigo // test cleanup polls
		}
		_ = h.kube.Client.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: class}})
	})
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	lb := h.waitListeners(ns, "gw", "80/TCP")
	_, tags, err := h.gwLoadBalancer(t.Context(), ns, "gw")
	if err != nil {
		t.Fatal(err)
	}
	// prefer-gateway-class: the class's scheme wins, the Gateway's name is
	// taken (the class sets none), the class's tags are on the NLB.
	out, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{lb.name}})
	if err != nil || len(out.LoadBalancers) != 1 {
		t.Fatalf("describe %s: %v", lb.name, err)
	}
	if lb.name != ns[:min(len(ns), 20)]+"-merged" || out.LoadBalancers[0].Scheme != "internet-facing" || tags["team"] != "platform" {
		t.Errorf("LB %s scheme %s tags %v", lb.name, out.LoadBalancers[0].Scheme, tags)
	}
}

// A TLS listener in Passthrough mode is a TCP listener (LBC); a TLSRoute
// on it forwards to its backend.
func TestGatewayTLSPassthroughListener(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	mode := gwv1.TLSModePassthrough
	gw := h.gateway(ns, "gw", gwv1.Listener{Name: "tls", Port: 443, Protocol: gwv1.TLSProtocolType, TLS: &gwv1.ListenerTLSConfig{Mode: &mode}})
	rt := &gwv1.TLSRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "echo"}, Spec: gwv1.TLSRouteSpec{
		CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{parent(ns, "gw")}},
		Hostnames:       []gwv1.Hostname{"echo.example.com"},
		Rules:           []gwv1.TLSRouteRule{{BackendRefs: []gwv1.BackendRef{svcRef(ns, "echo", 80)}}}}}
	h.create(rt)
	t.Cleanup(func() {
		if t.Failed() {
			h.events.mu.Lock()
			defer h.events.mu.Unlock()
			for _, e := range h.events.got {
				t.Log(e)
			}
		}
	})
	h.waitListeners(ns, "gw", "443/TCP")
	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
}

// A Gateway asking for addresses is refused with the Gateway API's
// UnsupportedAddress and gets no load balancer: AWS assigns the addresses,
// and serving it at others than asked would be serving it wrong.
func TestGatewayWithAddressesIsRefused(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	ip := gwv1.IPAddressType
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"}, Spec: gwv1.GatewaySpec{
		GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)},
		Addresses: []gwv1.GatewaySpecAddress{{Type: &ip, Value: "10.0.1.10"}}}}
	h.create(gw)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	cur := h.waitGatewayCondition(gw, "Accepted", "False/UnsupportedAddress")
	if msg := meta.FindStatusCondition(cur.Status.Conditions, "Accepted").Message; !strings.Contains(msg, "spec.addresses") {
		t.Errorf("Accepted message %q does not name spec.addresses", msg)
	}
	testenv.Eventually(t, "UnsupportedConfiguration event", func(context.Context) (bool, error) {
		return h.events.has("gw Warning UnsupportedConfiguration"), nil
	})
	h.quiesce()
	if lb, _, err := h.gwLoadBalancer(t.Context(), ns, "gw"); err != nil || lb != nil {
		t.Errorf("a load balancer for the refused Gateway: %+v %v", lb, err)
	}
}
