package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/localenv"
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

// TestControllerCommandProvisionsAnNLB runs `lbsg controller` as a user
// would: flags, a kubeconfig file, the emulator on a loopback port.
func TestControllerCommandProvisionsAnNLB(t *testing.T) {
	env, err := localenv.StartEnvtest(localenv.EnvtestOptions{})
	if errors.Is(err, localenv.ErrAssetsMissing) && !localenv.RequireAssets() {
		t.Skipf("%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.Env.ControlPlane.AddUser(envtest.User{Name: "lbsg", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addr, _, err := srv.Listen(ctx, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		// LBC's own flags, as its chart and an out-of-cluster LBC run pass them.
		url := endpointURL(addr)
		done <- runController(ctx, []string{"--cluster-name=sandbox", "--aws-region=us-west-2",
			"--aws-api-endpoints=EC2=" + url + ",Elastic Load Balancing v2=" + url + ",EKS=" + url,
			"--kubeconfig=" + kubeconfig, "--metrics-bind-addr=0", "--health-probe-bind-addr=0", "--ingress-class=alb",
			"--enable-leader-election=false", "--enable-shield=false", "--enable-waf=false", "--enable-wafv2=false",
			"--webhook-cert-dir=" + t.TempDir(), "--log-level=info"}, io.Discard, logs)
	}()
	kube, err := client.New(env.Config, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To("service.k8s.aws/nlb"),
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}},
	}
	if err := kube.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		cur := &corev1.Service{}
		err := kube.Get(ctx, client.ObjectKeyFromObject(svc), cur)
		return err == nil && len(cur.Status.LoadBalancer.Ingress) == 1 && strings.Contains(cur.Status.LoadBalancer.Ingress[0].Hostname, "elb"), nil
	})
	if err != nil {
		select {
		case cerr := <-done:
			t.Fatalf("controller exited: %v\nlogs:\n%s", cerr, logs.String())
		default:
		}
		t.Fatalf("no hostname on the Service: %v\nlogs:\n%s", err, logs.String())
	}
	if srv.Calls().Count("CreateLoadBalancer") != 1 {
		t.Errorf("CreateLoadBalancer calls: %d", srv.Calls().Count("CreateLoadBalancer"))
	}
	if err := kube.Delete(ctx, svc); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		return srv.Calls().Count("DeleteLoadBalancer") == 1 && kube.Get(ctx, client.ObjectKeyFromObject(svc), &corev1.Service{}) != nil, nil
	})
	if err != nil {
		t.Fatalf("Service not torn down: %v\nlogs:\n%s", err, logs.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("controller: %v", err)
	}
}

func endpointURL(addr string) string {
	if strings.Contains(addr, "://") {
		return addr
	}
	return "http://" + addr
}
