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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// chainHarness is the NLB Gateway harness with an ALB class beside it.
type chainHarness struct {
	*gwHarness
	albClass string
}

func startChain(t *testing.T) *chainHarness {
	t.Helper()
	h := &chainHarness{gwHarness: startGateway(t)}
	h.albClass = h.kube.Namespace + "-alb"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.albClass},
		Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/alb"}})
	t.Cleanup(h.deleteALBGateways) // runs before the NLB Gateways' cleanup
	return h
}

// deleteALBGateways deletes the ALB Gateways and their class while the
// controllers run.
func (h *chainHarness) deleteALBGateways() {
	ctx, cancel := testenv.CleanupContext(h.t)
	defer cancel()
	var list gwv1.GatewayList
	_ = h.kube.Client.List(ctx, &list)
	for i := range list.Items {
		if string(list.Items[i].Spec.GatewayClassName) == h.albClass {
			_ = h.kube.Client.Delete(ctx, &list.Items[i])
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		left := 0
		_ = h.kube.Client.List(ctx, &list)
		for _, gw := range list.Items {
			if string(gw.Spec.GatewayClassName) == h.albClass {
				left++
			}
		}
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond) //nolint:forbidigo // test cleanup polls
	}
	_ = h.kube.Client.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.albClass}})
}

// albGateway is an ALB Gateway with an HTTP listener on 80 and an
// HTTPRoute there to a NodePort Service.
func (h *chainHarness) albGateway(ns, name string) *gwv1.Gateway {
	svc := h.backend(ns, name+"-echo")
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.albClass), Listeners: []gwv1.Listener{httpListener("http", 80)}}}
	h.create(gw)
	h.create(httpRoute(ns, name+"-web", []gwv1.ParentReference{parent(ns, name)}, nil,
		gwv1.HTTPRouteRule{BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: svcRef(ns, svc.Name, 80)}}}))
	return gw
}

// gatewayBackend is a backendRef to Gateway ns/name on port, written as
// LBC's chaining guide writes it (kind Gateway, no group).
func gatewayBackend(ns, name string, port int32) gwv1.BackendRef {
	ref := svcRef(ns, name, port)
	ref.Kind = ptr.To(gwv1.Kind("Gateway"))
	return ref
}

// albARN is the ARN of the ALB named name ("" when there is none).
func (h *chainHarness) albARN(ctx context.Context, name string) (string, error) {
	out, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil || len(out.LoadBalancers) == 0 {
		return "", nil //nolint:nilerr // not there (yet)
	}
	return aws.ToString(out.LoadBalancers[0].LoadBalancerArn), nil
}

// chainTG is LBC's name of the alb target group of NLB Gateway nlb's
// TCPRoute route forwarding to ALB Gateway alb on port.
func chainTG(ns, nlb, route, alb string, port int32) string {
	return naming.GatewayTargetGroupName(cluster, naming.GatewayTargetGroup{GatewayNamespace: ns, GatewayName: nlb,
		RouteNamespace: ns, RouteName: route, RouteKind: "TCPRoute", ServiceNamespace: ns, ServiceName: alb,
		IdentifierPort: fmt.Sprint(port), TargetPort: port, TargetType: "alb", Protocol: "TCP"})
}

// waitChained waits until the target group tg has the ALB of Gateway
// ns/alb as its one target on port, and returns that ALB's ARN.
func (h *chainHarness) waitChained(ns, alb, tg string, port int32) string {
	h.t.Helper()
	var arn string
	h.eventually("alb target group with the ALB registered", func(w world) string {
		lb, err := h.gatewayALB(h.t.Context(), ns, alb)
		if err != nil || lb == nil {
			return fmt.Sprintf("no ALB yet (%v)", err)
		}
		if arn, _ = h.albARN(h.t.Context(), lb.name); arn == "" {
			return "no ALB ARN"
		}
		want := fmt.Sprintf("%d alb [%s:%d]", port, arn, port)
		if got := w.tgs[tg]; got != want {
			return fmt.Sprintf("target group %s is %q, want %q", tg, got, want)
		}
		return ""
	})
	return arn
}

// An NLB Gateway whose TCPRoute names an ALB Gateway (LBC's Gateway
// chaining) forwards to a TCP target group of type alb registering that
// ALB, with LBC's HTTP health check under the TargetGroupConfiguration
// that targets the Gateway (kind Gateway; one naming a Service of the same
// name is not used); a resync costs no AWS call; deleting both Gateways
// leaves nothing.
func TestGatewayChainNLBToALBConverges(t *testing.T) {
	h := startChain(t)
	ns := h.kube.Namespace
	alb := h.albGateway(ns, "alb")
	// Sorted first: matched by name alone it would win.
	h.create(tgConfig(ns, "a-service-alb", map[string]any{"targetReference": map[string]any{"name": "alb"},
		"defaultConfiguration": map[string]any{"healthCheckConfig": map[string]any{"healthCheckPath": "/service"}}}))
	h.create(tgConfig(ns, "b-gateway-alb", map[string]any{"targetReference": map[string]any{"name": "alb", "kind": "Gateway"},
		"routeConfigurations": []any{map[string]any{"routeIdentifier": map[string]any{"kind": "TCPRoute", "namespace": ns, "name": "chain"},
			"targetGroupProps": map[string]any{"healthCheckConfig": map[string]any{"healthCheckPath": "/healthz"}}}}}))
	nlb := h.gateway(ns, "nlb", tcpListener("tcp", 80))
	rt := tcpRoute(ns, "chain", []gwv1.ParentReference{parent(ns, "nlb")}, gatewayBackend(ns, "alb", 80))
	h.create(rt)

	h.waitRoute(rt, ns, "nlb", "ResolvedRefs", "True/ResolvedRefs")
	h.waitRoute(rt, ns, "nlb", "Accepted", "True/Accepted")
	tgName := chainTG(ns, "nlb", "chain", "alb", 80)
	h.waitChained(ns, "alb", tgName, 80)
	h.waitListeners(ns, "nlb", "80/TCP")
	h.waitGatewayCondition(nlb, "Programmed", "True/Programmed")
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(t.Context(), &elbv2.DescribeTargetGroupsInput{Names: []string{tgName}})
	if err != nil || len(tgs.TargetGroups) != 1 {
		t.Fatalf("target group %s: %v", tgName, err)
	}
	tg := tgs.TargetGroups[0]
	if got := fmt.Sprintf("%s %s %s %s %d/%d/%d/%d", tg.Protocol, tg.HealthCheckProtocol, aws.ToString(tg.HealthCheckPath), aws.ToString(tg.HealthCheckPort),
		aws.ToInt32(tg.HealthCheckIntervalSeconds), aws.ToInt32(tg.HealthCheckTimeoutSeconds), aws.ToInt32(tg.HealthyThresholdCount), aws.ToInt32(tg.UnhealthyThresholdCount)); got != "TCP HTTP /healthz traffic-port 15/5/3/3" {
		t.Errorf("target group = %s, want TCP with LBC's HTTP check on /healthz (the Gateway's configuration)", got)
	}

	// No node rule for the alb target group; the ALB's managed SG admits
	// its listener port from anywhere (its default sourceRanges), so from
	// the NLB too.
	w := h.eventually("world", func(world) string { return "" })
	for _, r := range ruleList(w.sgs[h.seed.NodeSG].Ingress) {
		if strings.HasPrefix(r, "tcp 80 ") {
			t.Errorf("node SG rule %q for the alb target group", r)
		}
	}
	managed, _ := w.ownedSGs()
	admits := false
	for _, m := range managed {
		if m.Tags[naming.TagGatewayALBStack] == ns+"/alb" {
			admits = slices.Contains(ruleList(m.Ingress), "tcp 80 ← 0.0.0.0/0")
		}
	}
	if !admits {
		t.Error("the ALB's managed SG does not admit port 80 from 0.0.0.0/0")
	}

	// A resync of the unchanged NLB Gateway costs no AWS call.
	before := h.quiesce()
	if _, err := h.ctrls.Gateway.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(nlb)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged chained Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	// Deleting both Gateways leaves nothing.
	for _, gw := range []*gwv1.Gateway{alb, nlb} {
		if err := h.kube.Client.Delete(t.Context(), gw); err != nil {
			t.Fatal(err)
		}
	}
	h.waitGatewayGone(t.Context(), nlb)
	h.waitGatewayGone(t.Context(), alb)
	h.eventually("nothing left", func(w world) string {
		if lb, _, _ := h.gwLoadBalancer(t.Context(), ns, "nlb"); lb != nil {
			return "NLB left"
		}
		if lb, _ := h.gatewayALB(t.Context(), ns, "alb"); lb != nil {
			return "ALB left"
		}
		if len(w.lbs) > 0 {
			return fmt.Sprintf("load balancers left: %v", w.lbs)
		}
		if len(w.tgs) > 0 {
			return fmt.Sprintf("target groups left: %v", w.tgs)
		}
		if m, _ := w.ownedSGs(); len(m) > 0 {
			return fmt.Sprintf("%d managed SGs left", len(m))
		}
		return ""
	})
}

// A TCPRoute naming a Gateway that does not exist, or one that is not an
// ALB Gateway, gets ResolvedRefs False BackendNotFound (LBC's reasons) and
// no listener; once the ALB Gateway appears the NLB Gateway is reconciled
// again and registers it.
func TestGatewayChainToAMissingOrNonALBGateway(t *testing.T) {
	h := startChain(t)
	ns := h.kube.Namespace
	h.gateway(ns, "nlb", tcpListener("tcp", 80))
	rt := tcpRoute(ns, "chain", []gwv1.ParentReference{parent(ns, "nlb")}, gatewayBackend(ns, "later", 80))
	h.create(rt)
	h.gateway(ns, "nlb2", tcpListener("tcp", 81))
	toNLB := tcpRoute(ns, "to-nlb", []gwv1.ParentReference{parent(ns, "nlb2")}, gatewayBackend(ns, "nlb", 80))
	h.create(toNLB)

	h.waitRoute(rt, ns, "nlb", "ResolvedRefs", "False/BackendNotFound")
	h.waitRoute(toNLB, ns, "nlb2", "ResolvedRefs", "False/BackendNotFound")
	h.quiesce()
	for _, name := range []string{"nlb", "nlb2"} {
		if lb, _, err := h.gwLoadBalancer(t.Context(), ns, name); err != nil || lb == nil || len(lb.listeners) != 0 {
			t.Errorf("Gateway %s: load balancer %+v (%v), want one without listeners", name, lb, err)
		}
	}

	h.albGateway(ns, "later")
	h.waitRoute(rt, ns, "nlb", "ResolvedRefs", "True/ResolvedRefs")
	h.waitChained(ns, "later", chainTG(ns, "nlb", "chain", "later", 80), 80)
	h.waitListeners(ns, "nlb", "80/TCP")
}
