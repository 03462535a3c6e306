package controller_test

import (
	"context"
	"testing"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// TestGatewayDryRunCreatesNothingUntilItIsTurnedOff: a new Gateway with
// LBC's gateway.k8s.aws/dry-run "true" gets its model built and nothing in
// AWS (no mutating call, no finalizer), a DryRun Warning saying LBC's plan
// annotation is not written, and a stale LBC plan annotation removed;
// turning dry-run off provisions it; once provisioned, dry-run is ignored
// (as LBC ignores it).
func TestGatewayDryRunCreatesNothingUntilItIsTurnedOff(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	gw := &gwv1.Gateway{}
	gw.Namespace, gw.Name = ns, "gw"
	gw.Annotations = map[string]string{gateway.AnnotationDryRun: "true", gateway.AnnotationDryRunPlan: `{"id":"stale LBC plan"}`}
	gw.Spec = gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)}}
	before := h.quiesce()
	mutations := h.emu.Server.Calls().Mutations()
	h.create(gw)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	testenv.Eventually(t, "DryRun event", func(context.Context) (bool, error) {
		return h.events.has("gw Warning DryRun: " + gateway.DryRunMessage), nil
	})
	h.quiesce()
	if m := h.emu.Server.Calls().Mutations() - mutations; m != 0 {
		t.Errorf("a dry-run Gateway made %d mutating AWS calls: %v", m, h.emu.Server.Calls().Sorted())
	}
	t.Logf("AWS calls of the dry run (reads): %d", h.emu.Server.Calls().Total-before)
	cur := h.getGateway(gw)
	if _, ok := cur.Annotations[gateway.AnnotationDryRunPlan]; ok {
		t.Errorf("LBC's stale plan annotation kept: %v", cur.Annotations)
	}
	if controllerutilContains(cur.Finalizers, naming.FinalizerGatewayNLB) {
		t.Errorf("a dry-run Gateway got the finalizer %v", cur.Finalizers)
	}

	// Dry run off: provisioned.
	testenv.Eventually(t, "dry-run turned off", func(ctx context.Context) (bool, error) {
		cur := h.getGateway(gw)
		delete(cur.Annotations, gateway.AnnotationDryRun)
		return true, h.kube.Client.Update(ctx, cur)
	})
	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	lb := h.waitListeners(ns, "gw", "80/TCP")

	// Provisioned: dry-run is ignored, the Gateway stays served and changes.
	testenv.Eventually(t, "dry-run on again, with a second listener", func(ctx context.Context) (bool, error) {
		cur := h.getGateway(gw)
		cur.Annotations = map[string]string{gateway.AnnotationDryRun: "true"}
		cur.Spec.Listeners = append(cur.Spec.Listeners, tcpListener("tcp2", 81))
		return true, h.kube.Client.Update(ctx, cur)
	})
	if again := h.waitListeners(ns, "gw", "80/TCP", "81/TCP"); again.dns != lb.dns {
		t.Errorf("the load balancer was replaced: %s → %s", lb.dns, again.dns)
	}
	if err := h.kube.Client.Delete(t.Context(), gw); err != nil {
		t.Fatal(err)
	}
	h.waitGatewayGone(t.Context(), gw)
	testenv.Eventually(t, "load balancer deleted", func(ctx context.Context) (bool, error) {
		lb, _, err := h.gwLoadBalancer(ctx, ns, "gw")
		return lb == nil, err
	})
}
