package deploy

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/cli"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/testenv"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestControllerRunsWithTheChartsRBAC runs `lbsg controller` out of cluster
// with the token of the chart's ServiceAccount (only the chart's RBAC, leader
// election on) against the emulator, and provisions and tears down an NLB.
// Any "forbidden" in the controller's log fails the test.
func TestControllerRunsWithTheChartsRBAC(t *testing.T) {
	kube := testenv.Kube(t)
	ns := kube.Namespace
	kubeconfig, cs := chartServiceAccount(t, kube)

	// --credentials mode: the emulator checks SigV4 signatures.
	srv, err := emulator.New(emulator.Options{Credentials: map[string]string{"AKIDEMULATOR": "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addr, _, err := srv.Listen(ctx, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	metricsAddr, healthAddr := freeAddr(t), freeAddr(t)
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"controller", "--cluster-name=sandbox", "--aws-region=us-west-2", "--aws-endpoint=" + addr,
			"--kubeconfig=" + kubeconfig, "--metrics-bind-address=" + metricsAddr, "--health-probe-bind-address=" + healthAddr,
			"--leader-elect", "--leader-election-namespace=" + ns}, os.Stdout, logs)
	}()
	failed := func(format string, args ...any) {
		t.Helper()
		select {
		case rc := <-done:
			t.Logf("controller exited with %d", rc)
		default:
		}
		t.Fatalf(format+"\nlogs:\n%s", append(args, logs.String())...)
	}

	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To("service.k8s.aws/nlb"),
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}},
	}
	if err := kube.Client.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	provisioned := false
	testenv.EventuallyWithin(t, 60*time.Second, "an NLB hostname on the Service", func(ctx context.Context) (bool, error) {
		cur := &corev1.Service{}
		if err := kube.Client.Get(ctx, client.ObjectKeyFromObject(svc), cur); err != nil {
			return false, err
		}
		provisioned = len(cur.Status.LoadBalancer.Ingress) == 1 && strings.Contains(cur.Status.LoadBalancer.Ingress[0].Hostname, "elb")
		return provisioned || strings.Contains(logs.String(), "forbidden"), nil
	})
	if !provisioned {
		failed("the controller hit a forbidden call")
	}
	lease, err := cs.CoordinationV1().Leases(ns).Get(ctx, "lbsg-leader-sandbox", metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		failed("no held lease lbsg-leader-sandbox in %s: %v", ns, err)
	}
	// The chart's probes and the metrics it exposes.
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, _ := httpGet(t, "http://"+healthAddr+path); code != http.StatusOK {
			failed("GET %s on the health probe port: %d", path, code)
		}
	}
	_, body := httpGet(t, "http://"+metricsAddr+"/metrics")
	for _, m := range []string{"lbsg_reconciles_total", "lbsg_aws_calls_total", `operation="CreateLoadBalancer"`, "controller_runtime_reconcile_total", "leader_election_master_status"} {
		if !strings.Contains(body, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	if err := kube.Client.Delete(ctx, svc); err != nil {
		t.Fatal(err)
	}
	testenv.EventuallyWithin(t, 60*time.Second, "the NLB deleted and the finalizer removed", func(ctx context.Context) (bool, error) {
		return srv.Calls().Count("DeleteLoadBalancer") == 1 && kube.Client.Get(ctx, client.ObjectKeyFromObject(svc), &corev1.Service{}) != nil, nil
	})
	if l := logs.String(); strings.Contains(l, "forbidden") {
		failed("forbidden in the controller's log")
	}
	cancel()
	if rc := <-done; rc != 0 {
		t.Errorf("controller exited with %d\nlogs:\n%s", rc, logs.String())
	}
}

// chartServiceAccount applies the chart's ServiceAccount and RBAC (release
// and namespace: the test's namespace, clusterName sandbox) and returns a
// kubeconfig holding that ServiceAccount's token, and an admin clientset.
func chartServiceAccount(t *testing.T, kube *testenv.KubeEnv) (string, *kubernetes.Clientset) {
	t.Helper()
	ns := kube.Namespace
	release := ns
	for _, o := range helmTemplate(t, release, ns, "clusterName=sandbox", "fullnameOverride="+release) {
		switch o.GetKind() {
		case "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
		default:
			continue
		}
		if err := kube.Client.Create(t.Context(), o); err != nil {
			t.Fatalf("creating %s %s: %v", o.GetKind(), o.GetName(), err)
		}
		if o.GetNamespace() == "" && o.GetKind() != "ServiceAccount" {
			t.Cleanup(func() {
				ctx, cancel := testenv.CleanupContext(t)
				defer cancel()
				_ = kube.Client.Delete(ctx, o)
			})
		}
	}
	cs, err := kubernetes.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(t.Context(), release,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: kube.Config.Host, CertificateAuthorityData: kube.Config.CAData}
	kc.AuthInfos["lbsg"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	kc.Contexts["lbsg"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "lbsg", Namespace: ns}
	kc.CurrentContext = "lbsg"
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}

	return kubeconfig, cs
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0, ""
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}
