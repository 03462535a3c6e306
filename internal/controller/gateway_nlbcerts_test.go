package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/testenv"
)

// tlsTerminateListener is a TLS listener on port 443 that terminates TLS
// (certificateRefs, which the Gateway API requires, are not used by lbsg).
func tlsTerminateListener(host gwv1.Hostname) gwv1.Listener {
	l := gwv1.Listener{Name: "tls", Port: 443, Protocol: gwv1.TLSProtocolType, TLS: &gwv1.ListenerTLSConfig{
		Mode: ptr.To(gwv1.TLSModeTerminate), CertificateRefs: []gwv1.SecretObjectReference{{Name: "unused"}}}}
	if host != "" {
		l.Hostname = &host
	}
	return l
}

func tlsRoute(ns, name, gw string, hosts ...gwv1.Hostname) *gwv1.TLSRoute {
	return &gwv1.TLSRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: gwv1.TLSRouteSpec{
		CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{parent(ns, gw)}},
		Hostnames:       hosts,
		Rules:           []gwv1.TLSRouteRule{{BackendRefs: []gwv1.BackendRef{svcRef(ns, "echo", 80)}}}}}
}

// An NLB Gateway's TLS listener without a configured certificate discovers
// ACM certificates by the hostnames of its attached TLSRoutes (LBC): the
// first by ARN is the listener's default, the others SNI certificates; a
// resync costs no AWS call.
func TestNLBGatewayTLSListenerDiscoversCertificates(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	exact := emutest.ImportCertificate(t, h.emu.ACM, "tls.example.com")
	wild := emutest.ImportCertificate(t, h.emu.ACM, "*.sni.example.com")
	emutest.ImportCertificate(t, h.emu.ACM, "unrelated.example.org")
	want := []string{exact, wild}
	slices.Sort(want)

	h.create(tlsRoute(ns, "echo", "gw", "tls.example.com", "a.sni.example.com"))
	gw := h.gateway(ns, "gw", tlsTerminateListener(""))
	lb := h.waitListeners(ns, "gw", "443/TLS")
	testenv.Eventually(t, "discovered certificates on the TLS listener", func(ctx context.Context) (bool, error) {
		got, err := h.httpsCertificates(ctx, lb.name)
		if err != nil || got == "" {
			return false, err
		}
		// The deploy adds every certificate to the listener's list, as for
		// Ingresses; the default is the first by ARN.
		if w := fmt.Sprintf(" default=%s list=%v", want[0], want); !strings.HasSuffix(got, w) {
			return false, fmt.Errorf("listener %s, want%s", got, w)
		}
		return true, nil
	})
	h.waitGatewayCondition(gw, "Programmed", "True/Programmed")
	h.resyncIsFree("gw")
}

// A TLS listener whose hostname no ACM certificate covers is refused with
// LBC's error (Accepted False, a FailedBuildModel event) and changes
// nothing in AWS; a certificate issued later, seen by the drift check,
// serves it.
func TestNLBGatewayTLSListenerWithoutMatchingCertificateIsRefused(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	emutest.ImportCertificate(t, h.emu.ACM, "tls.example.com")
	h.quiesce()
	mutations := h.emu.Server.Calls().Mutations()

	// The listener's hostname is looked for too, beside the route's.
	h.create(tlsRoute(ns, "echo", "gw", "*.example.org"))
	gw := h.gateway(ns, "gw", tlsTerminateListener("nothing.example.org"))
	h.refusedWith(gw, "no certificate found for host: nothing.example.org")
	testenv.Eventually(t, "FailedBuildModel event", func(context.Context) (bool, error) {
		return h.events.has("gw Warning FailedBuildModel"), nil
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Mutations() - mutations; n != 0 {
		t.Errorf("a TLS listener without a certificate made %d mutating AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	// A certificate imported since is found by the drift check, which
	// brings the Gateway back: it converges with it.
	issued := emutest.ImportCertificate(t, h.emu.ACM, "nothing.example.org")
	if _, err := h.ctrls.Drift.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	lb := h.waitListeners(ns, "gw", "443/TLS")
	testenv.Eventually(t, "the certificate issued since on the listener", func(ctx context.Context) (bool, error) {
		got, err := h.httpsCertificates(ctx, lb.name)
		return strings.HasSuffix(got, fmt.Sprintf(" default=%s list=%v", issued, []string{issued})), err
	})
	h.waitGatewayCondition(gw, "Accepted", "True/Accepted")
}

// LBC's finalizer gateway.k8s.aws/gatewayclass is on every class of a
// controller lbsg runs (not on other controllers' classes); a class whose
// Gateways remain is not deleted (a FailedRemoveFinalizer Warning says
// why) until the last of them goes.
func TestGatewayClassFinalizerHoldsAClassInUse(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	other := ns + "-other"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: other}, Spec: gwv1.GatewayClassSpec{ControllerName: "example.com/other"}})
	t.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(t)
		defer cancel()
		_ = h.kube.Client.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: other}})
	})
	getClass := func(ctx context.Context, name string) (*gwv1.GatewayClass, error) {
		c := &gwv1.GatewayClass{}
		return c, h.kube.Client.Get(ctx, client.ObjectKey{Name: name}, c)
	}
	testenv.Eventually(t, "finalizer on the unused class", func(ctx context.Context) (bool, error) {
		c, err := getClass(ctx, h.class)
		return err == nil && slices.Equal(c.Finalizers, []string{"gateway.k8s.aws/gatewayclass"}), err
	})
	if c, err := getClass(t.Context(), other); err != nil || len(c.Finalizers) != 0 {
		t.Errorf("another controller's class has finalizers %v (%v)", c.Finalizers, err)
	}

	gw := h.gateway(ns, "gw", tcpListener("tcp", 80))
	h.waitGatewayCondition(gw, "Accepted", "True/Accepted")
	if err := h.kube.Client.Delete(t.Context(), &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "FailedRemoveFinalizer event on the class", func(context.Context) (bool, error) {
		return h.events.has(h.class + " Warning FailedRemoveFinalizer"), nil
	})
	c, err := getClass(t.Context(), h.class)
	if err != nil || c.DeletionTimestamp.IsZero() || !slices.Contains(c.Finalizers, "gateway.k8s.aws/gatewayclass") {
		t.Fatalf("class in use: %v finalizers %v (%v)", c.DeletionTimestamp, c.Finalizers, err)
	}

	if err := h.kube.Client.Delete(t.Context(), gw); err != nil {
		t.Fatal(err)
	}
	h.waitGatewayGone(t.Context(), gw)
	testenv.Eventually(t, "class deleted", func(ctx context.Context) (bool, error) {
		_, err := getClass(ctx, h.class)
		return apierrors.IsNotFound(err), nil
	})
}
