package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/localenv"
)

func binDir(t *testing.T) string {
	t.Helper()
	d, err := localenv.FindAssets("", localenv.ClusterBinaries...)
	if err != nil {
		if localenv.RequireAssets() {
			t.Fatal(err)
		}
		t.Skipf("skipping: %v", err)
	}
	return d
}

// TestSandboxStartsMatchingNodesAndResumes brings a sandbox up with two
// nodes, checks that every node is an emulated instance (providerID,
// address, pod CIDR registered as an ENI prefix), stops it, and starts it
// again on the same directory with nothing lost.
func TestSandboxStartsMatchingNodesAndResumes(t *testing.T) {
	bins := binDir(t)
	dir := t.TempDir()
	run := func(check func(w *World)) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, Options{Dir: dir, Nodes: 2, AWSListen: "127.0.0.1:0", BinDir: bins,
				AfterReady: func(_ context.Context, w *World) error { check(w); cancel(); return nil }})
		}()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Fatalf("sandbox: %v", err)
			}
		case <-time.After(6 * time.Minute):
			t.Fatal("sandbox did not come up")
		}
	}
	var firstVPC string
	var firstNodes []string
	run(func(w *World) {
		for _, f := range []string{KubeconfigFile, AWSEnvFile, ReadyFile} {
			if _, err := os.Stat(filepath.Join(w.Dir, f)); err != nil {
				t.Errorf("%s not written: %v", f, err)
			}
		}
		env, _ := os.ReadFile(filepath.Join(w.Dir, AWSEnvFile))
		if !strings.Contains(string(env), "--endpoint-url "+w.AWS.URL) {
			t.Errorf("aws.env lacks the endpoint alias:\n%s", env)
		}
		firstVPC = w.AWS.VPCID
		kube := kubernetes.NewForConfigOrDie(w.Kube)
		if ic, err := kube.NetworkingV1().IngressClasses().Get(t.Context(), IngressClassName, metav1.GetOptions{}); err != nil || ic.Spec.Controller != "ingress.k8s.aws/alb" {
			t.Errorf("IngressClass %s: %v %+v", IngressClassName, err, ic)
		}
		if _, err := kube.Discovery().ServerResourcesForGroupVersion("elbv2.k8s.aws/v1beta1"); err != nil {
			t.Errorf("IngressClassParams CRD not served: %v", err)
		}
		nodes, err := kube.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
		if err != nil || len(nodes.Items) != 2 {
			t.Fatalf("want 2 nodes: %v", err)
		}
		ec2c := awsec2.NewFromConfig(emutest.Config(w.Emulator))
		for _, n := range nodes.Items {
			firstNodes = append(firstNodes, n.Name)
			id := n.Spec.ProviderID[strings.LastIndex(n.Spec.ProviderID, "/")+1:]
			out, err := ec2c.DescribeInstances(t.Context(), &awsec2.DescribeInstancesInput{InstanceIds: []string{id}})
			if err != nil {
				t.Fatalf("node %s: providerID %s is not an emulated instance: %v", n.Name, n.Spec.ProviderID, err)
			}
			in := out.Reservations[0].Instances[0]
			if !hasAddress(n.Status.Addresses, aws.ToString(in.PrivateIpAddress)) {
				t.Errorf("node %s addresses %v lack the instance IP %s", n.Name, n.Status.Addresses, aws.ToString(in.PrivateIpAddress))
			}
			found := false
			for _, eni := range in.NetworkInterfaces {
				for _, p := range eni.Ipv4Prefixes {
					found = found || aws.ToString(p.Ipv4Prefix) == n.Spec.PodCIDR
				}
			}
			if !found {
				t.Errorf("node %s podCIDR %s is not a prefix on its instance's ENI", n.Name, n.Spec.PodCIDR)
			}
		}
	})
	if _, err := os.Stat(filepath.Join(dir, ReadyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ready file left behind after stop: %v", err)
	}
	run(func(w *World) {
		if w.AWS.VPCID != firstVPC {
			t.Errorf("resumed sandbox has VPC %s, first run had %s", w.AWS.VPCID, firstVPC)
		}
		kube := kubernetes.NewForConfigOrDie(w.Kube)
		nodes, err := kube.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
		if err != nil || len(nodes.Items) != len(firstNodes) {
			t.Fatalf("resumed nodes: %v, %d", err, len(nodes.Items))
		}
	})
}

func hasAddress(addrs []corev1.NodeAddress, ip string) bool {
	for _, a := range addrs {
		if a.Type == corev1.NodeInternalIP && a.Address == ip {
			return true
		}
	}
	return false
}

func TestFreePodCIDRSkipsUsedBlocksAndStaysInTheUpperHalf(t *testing.T) {
	used := map[string]bool{}
	var got []string
	for i := 0; i < 3; i++ {
		c, err := freePodCIDR("10.0.128.0/20", used)
		if err != nil {
			t.Fatal(err)
		}
		used[c] = true
		got = append(got, c)
	}
	want := []string{"10.0.136.0/26", "10.0.136.64/26", "10.0.136.128/26"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}
	full := map[string]bool{}
	for i := 0; i < 32; i++ {
		c, _ := freePodCIDR("10.0.128.0/20", full)
		full[c] = true
	}
	if _, err := freePodCIDR("10.0.128.0/20", full); err == nil {
		t.Fatal("a full subnet must be an error")
	}
}
