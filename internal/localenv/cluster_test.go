package localenv_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/testenv"
)

func threeNodes() []localenv.NodeSpec {
	var nodes []localenv.NodeSpec
	for i, az := range []string{"us-west-2a", "us-west-2b", "us-west-2c"} {
		nodes = append(nodes, localenv.NodeSpec{
			Name:             fmt.Sprintf("ip-10-0-%d-10.us-west-2.compute.internal", i+1),
			InstanceID:       fmt.Sprintf("i-00000000000000%02d", i+1),
			AvailabilityZone: az,
			Region:           "us-west-2",
			InstanceType:     "m5.large",
			PrivateIP:        fmt.Sprintf("10.0.%d.10", i+1),
			PodCIDR:          fmt.Sprintf("10.0.%d.32/28", i+1),
		})
	}
	return nodes
}

// start starts a cluster, skipping the test when binaries are missing, and
// stops it at cleanup if the test did not.
func start(t *testing.T, cfg localenv.Config) *localenv.Cluster {
	t.Helper()
	began := time.Now()
	c, err := localenv.Start(t.Context(), cfg)
	if err != nil {
		testenv.SkipUnlessRequired(t, err)
		t.Fatal(err)
	}
	t.Logf("cluster %s up with %d nodes in %v", c.Name(), len(cfg.Nodes), time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(t)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return c
}

// stopAndCheck stops c and checks, in /proc, that none of its processes
// survived.
func stopAndCheck(t *testing.T, c *localenv.Cluster) {
	t.Helper()
	pids, err := c.PIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, comp := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"} {
		if pids[comp] == 0 {
			t.Errorf("no pid recorded for %s: %v", comp, pids)
		}
	}
	began := time.Now()
	if err := c.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped in %v", time.Since(began).Round(time.Millisecond))
	for comp, pid := range pids {
		if localenv.Running(pid, c.Dir()) {
			t.Errorf("%s (pid %d) still running after Stop", comp, pid)
		}
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(stat), ") Z ") {
			t.Errorf("%s (pid %d) left as a zombie: %s", comp, pid, strings.TrimSpace(string(stat)))
		}
	}
}

func TestClusterRunsLoadBalancedDeploymentOnSimulatedNodes(t *testing.T) {
	nodes := threeNodes()
	c := start(t, localenv.Config{Dir: t.TempDir(), Name: "e2e", Nodes: nodes})
	kube := c.Client()
	const ns = "default"

	checkNodes(t, kube, nodes)
	svc := deployWeb(t, kube, ns)
	if svc.Spec.Ports[0].NodePort == 0 {
		t.Error("LoadBalancer service got no nodePort")
	}
	if ip, err := netip.ParseAddr(svc.Spec.ClusterIP); err != nil || !netip.MustParsePrefix(localenv.DefaultServiceCIDR).Contains(ip) {
		t.Errorf("clusterIP %q outside %s", svc.Spec.ClusterIP, localenv.DefaultServiceCIDR)
	}
	began := time.Now()
	podIPs := waitRunningPods(t, kube, ns, nodes)
	t.Logf("3 pods running in %v", time.Since(began).Round(time.Millisecond))
	waitReadyEndpoints(t, kube, ns, podIPs)

	stopAndCheck(t, c)

	// Start on the same Dir resumes the stopped cluster with its objects.
	c = start(t, localenv.Config{Dir: c.Dir(), Name: "e2e", Nodes: nodes})
	if _, err := c.Client().AppsV1().Deployments(ns).Get(t.Context(), "web", metav1.GetOptions{}); err != nil {
		t.Errorf("deployment lost across stop/start: %v", err)
	}
	stopAndCheck(t, c)
}

// checkNodes checks that the nodes carry what AWS would have registered.
func checkNodes(t *testing.T, kube kubernetes.Interface, nodes []localenv.NodeSpec) {
	t.Helper()
	for _, n := range nodes {
		got, err := kube.CoreV1().Nodes().Get(t.Context(), n.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Spec.ProviderID != "aws:///"+n.AvailabilityZone+"/"+n.InstanceID {
			t.Errorf("node %s providerID = %q", n.Name, got.Spec.ProviderID)
		}
		if got.Labels[corev1.LabelTopologyZone] != n.AvailabilityZone {
			t.Errorf("node %s zone label = %q", n.Name, got.Labels[corev1.LabelTopologyZone])
		}
		if !hasAddress(got, corev1.NodeInternalIP, n.PrivateIP) {
			t.Errorf("node %s addresses %v lack InternalIP %s", n.Name, got.Status.Addresses, n.PrivateIP)
		}
	}
}

// deployWeb creates a 3-replica Deployment "web" and a LoadBalancer Service
// in front of it, returning the Service as created.
func deployWeb(t *testing.T, kube kubernetes.Interface, ns string) *corev1.Service {
	t.Helper()
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: "registry.example/web:1",
					Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
				}}},
			},
		},
	}
	if _, err := kube.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: labels,
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}},
		},
	}
	svc, err := kube.CoreV1().Services(ns).Create(t.Context(), svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// waitRunningPods waits for 3 Running pods of "web", each with an IP from
// its node's podCIDR, and returns their IPs.
func waitRunningPods(t *testing.T, kube kubernetes.Interface, ns string, nodes []localenv.NodeSpec) map[string]bool {
	t.Helper()
	podCIDR := map[string]netip.Prefix{}
	for _, n := range nodes {
		podCIDR[n.Name] = netip.MustParsePrefix(n.PodCIDR)
	}
	podIPs := map[string]bool{}
	testenv.Eventually(t, "3 running pods with IPs from their node's podCIDR", func(ctx context.Context) (bool, error) {
		pods, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err
		}
		clear(podIPs)
		for _, p := range pods.Items {
			if p.Status.Phase != corev1.PodRunning || p.Status.PodIP == "" {
				continue
			}
			ip, err := netip.ParseAddr(p.Status.PodIP)
			if err != nil || !podCIDR[p.Spec.NodeName].Contains(ip) {
				return false, fmt.Errorf("pod %s on %s has IP %s outside %v", p.Name, p.Spec.NodeName, p.Status.PodIP, podCIDR[p.Spec.NodeName])
			}
			podIPs[p.Status.PodIP] = true
		}
		return len(podIPs) == 3, nil
	})
	return podIPs
}

// waitReadyEndpoints waits until the EndpointSlices of "web" list every pod
// IP as a ready endpoint with a node name.
func waitReadyEndpoints(t *testing.T, kube kubernetes.Interface, ns string, podIPs map[string]bool) {
	t.Helper()
	testenv.Eventually(t, "EndpointSlices with a ready endpoint per pod", func(ctx context.Context) (bool, error) {
		slices, err := kube.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=web"})
		if err != nil {
			return false, err
		}
		ready := map[string]bool{}
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if ptr.Deref(e.Conditions.Ready, false) && e.NodeName != nil && len(e.Addresses) > 0 && podIPs[e.Addresses[0]] {
					ready[e.Addresses[0]] = true
				}
			}
		}
		return len(ready) == len(podIPs), nil
	})
}

func hasAddress(n *corev1.Node, typ corev1.NodeAddressType, addr string) bool {
	for _, a := range n.Status.Addresses {
		if a.Type == typ && a.Address == addr {
			return true
		}
	}
	return false
}

// Clusters created at the same moment on one machine get ports of their own
// (kwokctl alone gives both the same ones: "address already in use"). The
// worlds of the suites and two sandboxes rely on it.
func TestClustersStartedTogetherDoNotCollide(t *testing.T) {
	const n = 2
	clusters := make([]*localenv.Cluster, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			clusters[i], errs[i] = localenv.Start(t.Context(), localenv.Config{Dir: t.TempDir(), Name: fmt.Sprintf("twin%d", i)})
		})
	}
	wg.Wait()
	for i, c := range clusters {
		if c == nil {
			continue
		}
		t.Cleanup(func() {
			ctx, cancel := testenv.CleanupContext(t)
			defer cancel()
			if err := c.Delete(ctx); err != nil {
				t.Errorf("deleting twin%d: %v", i, err)
			}
		})
	}
	for _, err := range errs {
		if err != nil {
			testenv.SkipUnlessRequired(t, err)
			t.Fatal(err)
		}
	}
	hosts := map[string]bool{}
	for _, c := range clusters {
		hosts[c.RESTConfig().Host] = true
		if _, err := c.Client().CoreV1().Namespaces().Get(t.Context(), "default", metav1.GetOptions{}); err != nil {
			t.Errorf("%s: %v", c.Name(), err)
		}
	}
	if len(hosts) != n {
		t.Errorf("apiservers %v, want %d distinct", hosts, n)
	}
}
