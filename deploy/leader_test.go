package deploy

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/testenv"
)

// leaseDuration and retryPeriod are controller-runtime's leader-election
// defaults, which lbsg keeps.
const leaseDuration, retryPeriod = 15 * time.Second, 2 * time.Second

type replica struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

// leads reports whether the replica started its controllers, which
// controller-runtime does only once it holds the lease.
func (r *replica) leads() bool { return strings.Contains(r.logs.String(), "Starting workers") }

// TestTwoReplicasHandOverWhenTheLeaseExpires runs two `lbsg controller`
// replicas under the chart's ServiceAccount: one leads and reconciles; when
// it is killed, the other takes the Lease once it has expired, not before,
// and carries on: one CreateLoadBalancer per Service across both.
//
// How soon after expiry the follower takes over depends on its retry timer
// and on how loaded the machine is, so the upper bound has real slack: it
// catches a follower that never takes over, not a slow one.
func TestTwoReplicasHandOverWhenTheLeaseExpires(t *testing.T) {
	kube := testenv.Kube(t)
	ns := kube.Namespace
	kubeconfig, cs := chartServiceAccount(t, kube)
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
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// Two processes: the binary as the image runs it (metrics and leader
	// election are per process).
	bin := filepath.Join(t.TempDir(), "lbsg")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/lbsg")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	start := func() *replica {
		r := &replica{logs: &syncBuffer{}, done: make(chan error, 1)}
		r.cmd = exec.CommandContext(ctx, bin, "controller", "--cluster-name=sandbox", "--aws-region=us-west-2", "--aws-endpoint="+addr,
			"--kubeconfig="+kubeconfig, "--metrics-bind-address=0", "--health-probe-bind-address=0",
			"--leader-elect", "--leader-election-namespace="+ns)
		r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { r.done <- r.cmd.Wait() }()
		return r
	}
	replicas := []*replica{start(), start()}
	defer func() {
		for _, r := range replicas {
			_ = r.cmd.Process.Kill()
		}
	}()
	holder := func(ctx context.Context) string {
		l, err := cs.CoordinationV1().Leases(ns).Get(ctx, "lbsg-leader-sandbox", metav1.GetOptions{})
		if err != nil || l.Spec.HolderIdentity == nil {
			return ""
		}
		return *l.Spec.HolderIdentity
	}
	var leader, follower *replica
	testenv.EventuallyWithin(t, 30*time.Second, "one replica leading", func(ctx context.Context) (bool, error) {
		switch {
		case replicas[0].leads() && replicas[1].leads():
			t.Fatal("both replicas acquired the lease")
		case replicas[0].leads():
			leader, follower = replicas[0], replicas[1]
		case replicas[1].leads():
			leader, follower = replicas[1], replicas[0]
		}
		return leader != nil, nil
	})
	first := holder(t.Context())

	web := nlbService(ns, "web")
	if err := kube.Client.Create(ctx, web); err != nil {
		t.Fatal(err)
	}
	waitForHostname(t, kube, web)
	if n := srv.Calls().Count("CreateLoadBalancer"); n != 1 {
		t.Errorf("CreateLoadBalancer calls with two replicas: %d, want 1", n)
	}

	// Kill the leader (SIGKILL: no lease release): the follower must wait
	// for the lease to expire, and no longer.
	killed := time.Now()
	if err := leader.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-leader.done
	stopped := time.Now()
	testenv.EventuallyWithin(t, 2*leaseDuration+30*time.Second, "the follower taking the lease", func(ctx context.Context) (bool, error) {
		h := holder(ctx)
		return h != "" && h != first && follower.leads(), nil
	})
	took := time.Since(killed)
	t.Logf("handover took %v (old leader stopped after %v)", took.Round(time.Millisecond), stopped.Sub(killed).Round(time.Millisecond))
	// The leader renewed at most one retry period before it was killed, and
	// the follower may only take a lease it has seen unrenewed for a whole
	// lease duration: an earlier takeover means two leaders at once.
	if earliest := leaseDuration - retryPeriod; took < earliest {
		t.Errorf("handover took %v: the follower led before the lease expired (earliest %v)", took, earliest)
	}

	api := nlbService(ns, "api")
	if err := kube.Client.Create(ctx, api); err != nil {
		t.Fatal(err)
	}
	waitForHostname(t, kube, api)
	if n := srv.Calls().Count("CreateLoadBalancer"); n != 2 {
		t.Errorf("CreateLoadBalancer calls after handover: %d, want 2", n)
	}
	if strings.Contains(follower.logs.String(), "forbidden") {
		t.Errorf("forbidden in the new leader's log:\n%s", follower.logs.String())
	}
	for _, svc := range []*corev1.Service{web, api} {
		if err := kube.Client.Delete(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	testenv.EventuallyWithin(t, 60*time.Second, "both NLBs deleted", func(ctx context.Context) (bool, error) {
		return srv.Calls().Count("DeleteLoadBalancer") == 2, nil
	})
}

func nlbService(ns, name string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To("service.k8s.aws/nlb"),
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}},
	}
}

func waitForHostname(t *testing.T, kube *testenv.KubeEnv, svc *corev1.Service) {
	t.Helper()
	testenv.EventuallyWithin(t, 60*time.Second, "an NLB hostname on "+svc.Name, func(ctx context.Context) (bool, error) {
		cur := &corev1.Service{}
		if err := kube.Client.Get(ctx, client.ObjectKeyFromObject(svc), cur); err != nil {
			return false, err
		}
		return len(cur.Status.LoadBalancer.Ingress) == 1 && strings.Contains(cur.Status.LoadBalancer.Ingress[0].Hostname, "elb"), nil
	})
}
