package testenv

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/crds/gatewayapi"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/localenv"
)

// Scheme returns a scheme holding client-go's built-in types and lbsg's
// CRD types (elbv2.k8s.aws/v1beta1) and the Gateway API's types, the
// scheme of KubeEnv.Client.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, v1beta1.AddToScheme, gwv1.Install} {
		if err := add(s); err != nil {
			panic(err) // static registrations; only a programming error fails
		}
	}
	return s
}

// shared is the package's envtest, started on first use.
var shared struct {
	sync.Mutex
	main bool // Main is running the tests
	env  *localenv.Envtest
	err  error // a failed start, reported to every later caller
	// gatewayAPI: the Gateway API CRDs are installed.
	gatewayAPI bool
}

// Main runs the package's tests and stops the shared apiserver afterwards.
// Call it from TestMain.
func Main(m *testing.M) {
	shared.Lock()
	shared.main = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if shared.env != nil {
		if err := shared.env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv:", err)
			if code == 0 {
				code = 1
			}
		}
		shared.env = nil
	}
	shared.Unlock()
	os.Exit(code)
}

// KubeEnv is a test's view of the shared apiserver.
type KubeEnv struct {
	// Config authenticates as cluster admin.
	Config *rest.Config
	// Client is a controller-runtime client for Scheme(): built-in types
	// and IngressClassParams.
	Client client.Client
	// Namespace was created for this test and is deleted after it.
	Namespace string
}

// Kube returns the package's apiserver, starting it on first use, and a
// namespace for this test alone.
func Kube(tb testing.TB) *KubeEnv {
	tb.Helper()
	env := envtest(tb)
	c, err := client.New(env.Config, client.Options{Scheme: Scheme()})
	if err != nil {
		tb.Fatalf("testenv: client: %v", err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: namespacePrefix(tb.Name())}}
	if err := c.Create(tb.Context(), ns); err != nil {
		tb.Fatalf("testenv: creating namespace: %v", err)
	}
	tb.Cleanup(func() {
		// tb.Context is already cancelled when cleanups run.
		ctx, cancel := CleanupContext(tb)
		defer cancel()
		if err := c.Delete(ctx, ns); err != nil {
			tb.Errorf("testenv: deleting namespace %s: %v", ns.Name, err)
		}
	})
	return &KubeEnv{Config: rest.CopyConfig(env.Config), Client: c, Namespace: ns.Name}
}

func envtest(tb testing.TB) *localenv.Envtest {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.main {
		tb.Fatal("testenv: call testenv.Main(m) from TestMain to use Kube")
	}
	if shared.env == nil && shared.err == nil {
		shared.env, shared.err = localenv.StartEnvtest(localenv.EnvtestOptions{})
		if shared.err == nil {
			// lbsg's CRDs (internal/apis/crds), as the chart installs them.
			shared.err = crds.Install(tb.Context(), shared.env.Config)
		}
	}
	if shared.err != nil {
		SkipUnlessRequired(tb, shared.err)
		tb.Fatalf("testenv: %v", shared.err)
	}
	return shared.env
}

// GatewayAPI installs the Gateway API standard CRDs (internal/apis/crds/
// gatewayapi) in the package's apiserver, once, before a test creates
// Gateway API objects or starts the controllers that watch them. Only the
// packages that need them pay for them.
func GatewayAPI(tb testing.TB) {
	tb.Helper()
	env := envtest(tb)
	shared.Lock()
	defer shared.Unlock()
	if shared.gatewayAPI {
		return
	}
	if err := gatewayapi.Install(tb.Context(), env.Config); err != nil {
		tb.Fatalf("testenv: installing the Gateway API CRDs: %v", err)
	}
	shared.gatewayAPI = true
}

// SkipUnlessRequired skips tb when err says the control-plane binaries are
// missing, unless LBSG_REQUIRE_ASSETS=1, which fails tb instead. Other
// errors are left to the caller.
func SkipUnlessRequired(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, localenv.ErrAssetsMissing) {
		return
	}
	if localenv.RequireAssets() {
		tb.Fatalf("%v (%s=1)", err, localenv.RequireAssetsEnv)
	}
	tb.Skipf("%v; set %s=1 to fail instead", err, localenv.RequireAssetsEnv)
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// namespacePrefix turns a test name into a GenerateName prefix.
func namespacePrefix(name string) string {
	p := notDNS.ReplaceAllString(strings.ToLower(name), "-")
	if len(p) > 40 {
		p = p[:40]
	}
	return strings.Trim(p, "-") + "-"
}
