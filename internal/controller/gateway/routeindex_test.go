package gateway

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := gwv1.Install(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func gwParent(ns, name string) gwv1.ParentReference {
	ref := gwv1.ParentReference{Name: gwv1.ObjectName(name)}
	if ns != "" {
		ref.Namespace = ptr.To(gwv1.Namespace(ns))
	}
	return ref
}

func lsParent(name string) gwv1.ParentReference {
	return gwv1.ParentReference{Group: ptr.To(gwv1.Group(gwattach.Group)), Kind: ptr.To(gwv1.Kind(gwattach.KindListenerSet)), Name: gwv1.ObjectName(name)}
}

func tcpRoute(ns, name string, parents []gwv1.ParentReference, status []gwv1.RouteParentStatus, backends ...gwv1.BackendRef) *gwv1.TCPRoute {
	rt := &gwv1.TCPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	rt.Spec.ParentRefs = parents
	rt.Status.Parents = status
	if len(backends) > 0 {
		rt.Spec.Rules = []gwv1.TCPRouteRule{{BackendRefs: backends}}
	}
	return rt
}

func backend(ns, kind, name string) gwv1.BackendRef {
	ref := gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Port: ptr.To(gwv1.PortNumber(80))}}
	if ns != "" {
		ref.Namespace = ptr.To(gwv1.Namespace(ns))
	}
	if kind != "" {
		ref.Kind = ptr.To(gwv1.Kind(kind))
	}
	return ref
}

// httpRoute is an HTTPRoute naming Gateway gw, its rule naming
// ListenerRuleConfiguration cfg ("": none).
func httpRoute(ns, name, gw, cfg string) *gwv1.HTTPRoute {
	rt := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	rt.Spec.ParentRefs = []gwv1.ParentReference{gwParent("", gw)}
	rule := gwv1.HTTPRouteRule{}
	if cfg != "" {
		rule.Filters = []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterExtensionRef,
			ExtensionRef: &gwv1.LocalObjectReference{Group: "gateway.k8s.aws", Kind: "ListenerRuleConfiguration", Name: gwv1.ObjectName(cfg)}}}
	}
	rt.Spec.Rules = []gwv1.HTTPRouteRule{rule}
	return rt
}

func statusOf(controller string, ref gwv1.ParentReference) gwv1.RouteParentStatus {
	return gwv1.RouteParentStatus{ParentRef: ref, ControllerName: gwv1.GatewayController(controller)}
}

func TestRouteKeysNameWhatTheRouteRefersTo(t *testing.T) {
	for _, c := range []struct {
		name  string
		route client.Object
		want  []string
	}{
		{"a parentRef without a namespace names a Gateway in the route's namespace",
			tcpRoute("a", "r", []gwv1.ParentReference{gwParent("", "gw")}, nil), []string{"parent/Gateway/a/gw"}},
		{"a parentRef with a namespace names a Gateway there",
			tcpRoute("a", "r", []gwv1.ParentReference{gwParent("b", "gw")}, nil), []string{"parent/Gateway/b/gw"}},
		{"a parentRef of kind ListenerSet names the ListenerSet, not a Gateway",
			tcpRoute("a", "r", []gwv1.ParentReference{lsParent("ls")}, nil), []string{"parent/ListenerSet/a/ls"}},
		{"a parentRef of another group names nothing",
			tcpRoute("a", "r", []gwv1.ParentReference{{Group: ptr.To(gwv1.Group("example.com")), Kind: ptr.To(gwv1.Kind("Gateway")), Name: "gw"}}, nil), nil},
		{"a status entry names its parent as a parentRef does",
			tcpRoute("a", "r", nil, []gwv1.RouteParentStatus{statusOf("example.com/other", gwParent("", "old"))}), []string{"parent/Gateway/a/old"}},
		{"lbsg's status entry for a ListenerSet is found by every Gateway",
			tcpRoute("a", "r", nil, []gwv1.RouteParentStatus{statusOf(gwattach.ControllerNLB, lsParent("ls"))}),
			[]string{"parent/ListenerSet/a/ls", keyStatusListenerSets}},
		{"another controller's status entry for a ListenerSet is not lbsg's to drop",
			tcpRoute("a", "r", nil, []gwv1.RouteParentStatus{statusOf("example.com/other", lsParent("ls"))}), []string{"parent/ListenerSet/a/ls"}},
		{"backendRefs of any kind name their object, in the route's namespace by default",
			tcpRoute("a", "r", nil, nil, backend("", "", "svc"), backend("b", "Gateway", "alb"), backend("", "", "svc")),
			[]string{"backend/a/svc", "backend/b/alb"}},
		{"an HTTPRoute rule's ListenerRuleConfiguration is named in the route's namespace",
			&gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "r"}, Spec: gwv1.HTTPRouteSpec{Rules: []gwv1.HTTPRouteRule{{
				Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterExtensionRef,
					ExtensionRef: &gwv1.LocalObjectReference{Group: "gateway.k8s.aws", Kind: "ListenerRuleConfiguration", Name: "auth"}}}}}}},
			[]string{"ruleconfig/a/auth"}},
		{"an object that is no route has no key", &corev1.Service{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := routeKeys(c.route); !slices.Equal(got, c.want) {
				t.Errorf("routeKeys = %q, want %q", got, c.want)
			}
		})
	}
}

// countingReader counts the routes its lists return.
type countingReader struct {
	client.Reader
	routes int
}

func (c *countingReader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	err := c.Reader.List(ctx, list, opts...)
	c.routes += len(routeItems(list))
	return err
}

// scopeWorld is Gateway a/gw with ListenerSet a/ls (its own) and a/other
// (another Gateway's), and routes that are or are not in its scope.
func scopeWorld() (gw *gwv1.Gateway, objs []client.Object, want []string) {
	gw = &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "gw"}, Spec: gwv1.GatewaySpec{GatewayClassName: "nlb"}}
	ls := func(name, parent string) *gwv1.ListenerSet {
		return &gwv1.ListenerSet{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: name},
			Spec: gwv1.ListenerSetSpec{ParentRef: gwv1.ParentGatewayReference{Name: gwv1.ObjectName(parent)}}}
	}
	objs = []client.Object{gw, ls("ls", "gw"), ls("other", "gw2"),
		&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: "nlb"}, Spec: gwv1.GatewayClassSpec{ControllerName: gwattach.ControllerNLB}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "b"}},
		tcpRoute("a", "names-gw", []gwv1.ParentReference{gwParent("", "gw")}, nil),
		tcpRoute("b", "names-gw-across", []gwv1.ParentReference{gwParent("a", "gw")}, nil),
		tcpRoute("b", "names-b-gw", []gwv1.ParentReference{gwParent("", "gw")}, nil),
		tcpRoute("a", "names-its-set", []gwv1.ParentReference{lsParent("ls")}, nil),
		tcpRoute("a", "names-another-set", []gwv1.ParentReference{lsParent("other")}, nil),
		tcpRoute("a", "status-of-gone-set", nil, []gwv1.RouteParentStatus{statusOf(gwattach.ControllerNLB, lsParent("gone"))}),
		tcpRoute("a", "others-status-of-gone-set", nil, []gwv1.RouteParentStatus{statusOf("example.com/other", lsParent("gone"))}),
		tcpRoute("a", "status-of-gw-only", nil, []gwv1.RouteParentStatus{statusOf(gwattach.ControllerNLB, gwParent("", "gw"))}),
		tcpRoute("a", "names-gw2", []gwv1.ParentReference{gwParent("", "gw2")}, nil, backend("", "", "svc")),
	}
	for i := range 40 {
		objs = append(objs, tcpRoute("c", "bystander-"+string(rune('a'+i%26))+string(rune('a'+i/26)), []gwv1.ParentReference{gwParent("", "gw")}, nil))
	}
	want = []string{"TCPRoute/a/names-gw", "TCPRoute/a/names-its-set", "TCPRoute/a/status-of-gone-set", "TCPRoute/a/status-of-gw-only", "TCPRoute/b/names-gw-across"}
	return gw, objs, want
}

func newReader(t *testing.T, indexed bool, objs ...client.Object) client.Reader {
	t.Helper()
	b := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(objs...)
	if indexed {
		for _, k := range append(routeLists(false), routeLists(true)...) {
			b = b.WithIndex(k.object, routeRefsField, routeKeys)
		}
	}
	return b.Build()
}

func TestGatewayReadsTheRoutesOfItsScopeWithAndWithoutTheIndex(t *testing.T) {
	gw, objs, want := scopeWorld()
	routesInWorld := len(objs) - 6 // the Gateway, 2 ListenerSets, the class, 2 namespaces
	for _, indexed := range []bool{true, false} {
		kube := &countingReader{Reader: newReader(t, indexed, objs...)}
		b := Builder{Kube: kube, ListenerSets: true, RouteIndex: indexed}
		scope, _, err := b.scope(t.Context(), gw)
		if err != nil {
			t.Fatal(err)
		}
		routes, routeObjs, err := b.scopeRoutes(t.Context(), scope)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rt := range routes {
			got = append(got, rt.Key())
			if routeObjs[rt.Key()] == nil {
				t.Errorf("indexed %v: route %s has no object", indexed, rt.Key())
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("indexed %v: the Gateway's routes are %q, want %q", indexed, got, want)
		}
		if !indexed && kube.routes != routesInWorld {
			t.Errorf("without the index the routes were read %d times for %d routes, want one pass", kube.routes, routesInWorld)
		}
	}
}

// TestIndexedGatewayLoadCopiesOnlyItsOwnRoutes: over the indexed cache a
// Gateway's reconcile reads its routes, not the cluster's (40 routes of a
// Gateway of the same name in another namespace, one of another Gateway).
func TestIndexedGatewayLoadCopiesOnlyItsOwnRoutes(t *testing.T) {
	gw, objs, want := scopeWorld()
	kube := &countingReader{Reader: newReader(t, true, objs...)}
	b := Builder{Kube: kube, ListenerSets: true, RouteIndex: true}
	class, err := b.Class(t.Context(), gw)
	if err != nil || class == nil {
		t.Fatalf("class %v, %v", class, err)
	}
	in, err := b.load(t.Context(), gw, class)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.attach.Routes) != len(want) {
		t.Errorf("attached %d routes, want %d", len(in.attach.Routes), len(want))
	}
	// Each of the Gateway's routes once per key it is listed by (the
	// route with a status entry of a gone ListenerSet is read without a
	// copy, then copied), plus the gone-ListenerSet key's two routes.
	if max := len(want) + 2; kube.routes > max {
		t.Errorf("the reconcile read %d routes of %d in the cluster; want at most %d", kube.routes, len(objs)-6, max)
	}
}

func TestRouteWatchesFindGatewaysThroughTheIndex(t *testing.T) {
	_, objs, _ := scopeWorld()
	objs = append(objs,
		tcpRoute("a", "chains", []gwv1.ParentReference{gwParent("", "nlb")}, nil, backend("b", "Gateway", "alb")),
		tcpRoute("a", "not-a-chain", []gwv1.ParentReference{gwParent("", "nlb2")}, nil, backend("b", "", "alb")),
		httpRoute("a", "authenticated", "alb", "auth"), httpRoute("b", "same-name-elsewhere", "alb2", "auth"), httpRoute("a", "plain", "alb3", ""))
	for _, indexed := range []bool{true, false} {
		r := &Reconciler{Kube: fakeClient(t, indexed, objs...), routeIndex: indexed}
		for _, c := range []struct {
			name string
			got  func() []types.NamespacedName
			want []types.NamespacedName
		}{
			{"a Service maps to the Gateways of the routes naming it", func() []types.NamespacedName {
				return requests(r.serviceGateways(t.Context(), &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "svc"}}))
			}, []types.NamespacedName{{Namespace: "a", Name: "gw2"}}},
			{"an ALB Gateway maps to the NLB Gateways chaining to it", func() []types.NamespacedName {
				return requests(r.chainedGateways(t.Context(), &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "alb"}}))
			}, []types.NamespacedName{{Namespace: "a", Name: "nlb"}}},
			{"a ListenerRuleConfiguration maps to the Gateways of the HTTPRoutes naming it", func() []types.NamespacedName {
				alb := &Reconciler{ALB: true, Kube: r.Kube, routeIndex: indexed}
				cfg := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "auth"}}
				return requests(alb.ruleConfigGateways(t.Context(), cfg))
			}, []types.NamespacedName{{Namespace: "a", Name: "alb"}}},
		} {
			if got := c.got(); !slices.Equal(got, c.want) {
				t.Errorf("indexed %v: %s: got %v, want %v", indexed, c.name, got, c.want)
			}
		}
	}
}

func fakeClient(t *testing.T, indexed bool, objs ...client.Object) client.Client {
	t.Helper()
	return newReader(t, indexed, objs...).(client.Client)
}

func requests(reqs []reconcile.Request) []types.NamespacedName {
	var out []types.NamespacedName
	for _, r := range reqs {
		out = append(out, r.NamespacedName)
	}
	return out
}
