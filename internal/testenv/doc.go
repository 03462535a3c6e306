// Package testenv holds test helpers shared by controller and e2e tests: a
// kube-apiserver per test package (envtest, via localenv), a fresh namespace
// per test, and polling.
//
// Use:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		k := testenv.Kube(t) // shared apiserver, fresh namespace
//		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: "web"}, ...}
//		if err := k.Client.Create(t.Context(), svc); err != nil { t.Fatal(err) }
//		testenv.Eventually(t, "the service is reconciled", func(ctx context.Context) (bool, error) { ... })
//	}
//
// The apiserver starts on the first Kube call (about 4 s), so packages whose
// selected tests never need it pay nothing; Main stops it after m.Run. When
// the binaries are not built, Kube skips the test, or fails it if
// LBSG_REQUIRE_ASSETS=1 (make test sets it).
//
// The apiserver has lbsg's CRDs installed (internal/apis/crds: LBC's
// IngressClassParams), and KubeEnv.Client's scheme knows their types.
//
// envtest runs no controllers: no pods for Deployments, no EndpointSlices,
// namespaces stay Terminating. Tests needing those use localenv.Start.
//
// Extension point: the in-process AWS emulator will live beside Kube (a
// per-test emulator constructor in this package, e.g. testenv.AWS(t)), so a
// controller test wires Kube(t) and AWS(t) together. This package does not
// import the emulator yet.
package testenv
