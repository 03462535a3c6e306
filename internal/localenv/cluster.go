package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Defaults for Config.
const (
	DefaultName        = "lbsg"
	DefaultServiceCIDR = "10.96.0.0/16"
	pollInterval       = 100 * time.Millisecond
)

// Config describes a local cluster.
type Config struct {
	// Dir holds all state: kwokctl's workdir (etcd data, pki, logs, pid
	// files) and the kubeconfig. Required. Reused across Stop and Start.
	Dir string
	// Name of the cluster; default DefaultName.
	Name string
	// BinDir holds the binaries in ClusterBinaries; default AssetsDir().
	BinDir string
	// Nodes are registered before Start returns (see AddNodes).
	Nodes []NodeSpec
	// ServiceCIDR is the Service ClusterIP range; default DefaultServiceCIDR.
	ServiceCIDR string
	// Log receives kwokctl's output; default: kept only for error messages.
	Log io.Writer
	// StartTimeout bounds Start; default 4 minutes (a loaded 2-core machine
	// has taken over 2 to resume a cluster).
	StartTimeout time.Duration
}

// Cluster is a running local cluster.
type Cluster struct {
	cfg        Config
	kubeconfig string
	rest       *rest.Config
	kube       kubernetes.Interface
	forget     func() // drops the janitor's record of our processes
}

// Start brings up the cluster described by cfg, or resumes it when cfg.Dir
// already holds a stopped cluster of that name, then registers cfg.Nodes and
// waits for them to be Ready. A fresh cluster is ready in about 5 s.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if cfg.Dir == "" {
		return nil, errors.New("localenv: Config.Dir is required")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("localenv: %w", err)
	}
	cfg.Dir = dir
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.ServiceCIDR == "" {
		cfg.ServiceCIDR = DefaultServiceCIDR
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 4 * time.Minute
	}
	if cfg.BinDir, err = FindAssets(cfg.BinDir, ClusterBinaries...); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("localenv: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	becomeSubreaper()
	killOrphans()

	c := &Cluster{cfg: cfg, kubeconfig: filepath.Join(cfg.Dir, cfg.Name+".kubeconfig"), forget: func() {}}
	if c.exists() {
		err = c.kwokctl(ctx, "start", "cluster", "--name", cfg.Name)
	} else {
		err = c.create(ctx)
	}
	if pids, perr := c.PIDs(); perr == nil {
		c.forget = track(cfg.Dir, slices.Collect(maps.Values(pids)))
	}
	if err != nil {
		return nil, c.stopAfter(ctx, fmt.Errorf("starting cluster %s: %w", cfg.Name, err))
	}
	if err := c.connect(ctx); err != nil {
		return nil, c.stopAfter(ctx, err)
	}
	if err := c.AddNodes(ctx, cfg.Nodes); err != nil {
		return nil, c.stopAfter(ctx, err)
	}
	return c, nil
}

// stopAfter stops a half-started cluster so a failed Start leaves no
// process behind, and returns err (joined with any stop failure).
func (c *Cluster) stopAfter(ctx context.Context, err error) error {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	return errors.Join(err, c.Stop(stopCtx))
}

// create leases the cluster's ports (see ports.go) and has kwokctl create
// it on them. A failed create drops the leases.
func (c *Cluster) create(ctx context.Context) error {
	leased, err := machinePorts.lease(c.cfg.Dir, c.cfg.Name, clusterPortCount)
	if err != nil {
		return err
	}
	portsFile := filepath.Join(c.cfg.Dir, c.cfg.Name+"-ports.yaml")
	if err := os.WriteFile(portsFile, []byte(newClusterPorts(leased).kwokctlConfig()), 0o644); err != nil {
		machinePorts.release(leased, c.owner())
		return fmt.Errorf("localenv: %w", err)
	}
	bin := func(name string) string { return filepath.Join(c.cfg.BinDir, name) }
	err = c.kwokctl(ctx, "create", "cluster",
		"--config", portsFile,
		"--name", c.cfg.Name,
		"--kubeconfig", c.kubeconfig,
		"--runtime", "binary",
		"--kube-apiserver-binary", bin("kube-apiserver"),
		"--kube-controller-manager-binary", bin("kube-controller-manager"),
		"--kube-scheduler-binary", bin("kube-scheduler"),
		"--etcd-binary", bin("etcd"),
		"--kwok-controller-binary", bin("kwok"),
		"--quiet-pull",
		"--wait", c.cfg.StartTimeout.String(),
		"--extra-args", "kube-apiserver=service-cluster-ip-range="+c.cfg.ServiceCIDR,
		"--extra-args", "kube-controller-manager=service-cluster-ip-range="+c.cfg.ServiceCIDR,
	)
	if err != nil {
		machinePorts.release(leased, c.owner())
	}
	return err
}

// owner is how the cluster's port leases name it.
func (c *Cluster) owner() string { return leaseOwner(c.cfg.Dir, c.cfg.Name) }

// kwokctl runs kwokctl with the cluster's workdir. Its output goes to
// cfg.Log and, on failure, into the error.
func (c *Cluster) kwokctl(ctx context.Context, args ...string) error {
	var out bytes.Buffer
	var w io.Writer = &out
	if c.cfg.Log != nil {
		w = io.MultiWriter(&out, c.cfg.Log)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.cfg.BinDir, "kwokctl"), args...)
	// kwokctl runs the first kubectl on PATH (else KWOK_KUBECTL_BINARY) to
	// wait for the cluster: make both ours, never a download.
	cmd.Env = append(os.Environ(),
		"KWOK_WORKDIR="+c.cfg.Dir,
		"KUBECONFIG="+c.kubeconfig,
		"KWOK_KUBECTL_BINARY="+filepath.Join(c.cfg.BinDir, "kubectl"),
		"PATH="+c.cfg.BinDir+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kwokctl %v: %w\n%s", args[:2], err, tail(out.Bytes(), 4096))
	}
	return nil
}

// connect loads the kubeconfig and waits until the apiserver is ready and
// the default ServiceAccount exists, so Pods can be created at once.
func (c *Cluster) connect(ctx context.Context) error {
	rc, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return fmt.Errorf("loading %s: %w", c.kubeconfig, err)
	}
	rc.QPS, rc.Burst = 100, 200
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("building client: %w", err)
	}
	c.rest, c.kube = rc, kube
	var last error
	err = wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		_, last = kube.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if last == nil {
			_, last = kube.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		}
		return last == nil, nil // errors are "not yet": remembered in last
	})
	if err != nil {
		return fmt.Errorf("waiting for cluster %s to be ready: %w (last: %w)", c.cfg.Name, err, last)
	}
	return nil
}

// Name returns the cluster's name.
func (c *Cluster) Name() string { return c.cfg.Name }

// Dir returns the directory holding the cluster's state.
func (c *Cluster) Dir() string { return c.cfg.Dir }

// Kubeconfig returns the path of a kubeconfig with cluster-admin rights.
func (c *Cluster) Kubeconfig() string { return c.kubeconfig }

// RESTConfig returns a copy of the cluster-admin client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.rest) }

// Client returns a cluster-admin clientset.
func (c *Cluster) Client() kubernetes.Interface { return c.kube }

// AddNodes registers nodes (leaving any that already exist as they are) and
// waits until kwok reports every one of them Ready.
func (c *Cluster) AddNodes(ctx context.Context, nodes []NodeSpec) error {
	for _, n := range nodes {
		node, err := n.Node()
		if err != nil {
			return err
		}
		_, err = c.kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating node %s: %w", n.Name, err)
		}
	}
	for _, n := range nodes {
		err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
			// Errors are transient here: keep polling until ctx ends.
			node, err := c.kube.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
			return err == nil && nodeReady(node), nil
		})
		if err != nil {
			return fmt.Errorf("waiting for node %s to be Ready: %w", n.Name, err)
		}
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Stop stops every process of the cluster, keeping its state for a later
// Start. It returns once none of them is alive, killing any that kwokctl
// left running.
func (c *Cluster) Stop(ctx context.Context) error {
	pids, err := c.PIDs()
	if err != nil {
		return err
	}
	var stopErr error
	if c.exists() {
		stopErr = c.kwokctl(ctx, "stop", "cluster", "--name", c.cfg.Name)
	}
	if err := reap(ctx, pids, c.cfg.Dir); err != nil {
		return errors.Join(stopErr, err)
	}
	c.forget()
	return stopErr
}

// Delete stops the cluster and removes its state.
func (c *Cluster) Delete(ctx context.Context) error {
	if err := c.Stop(ctx); err != nil {
		return err
	}
	if c.exists() {
		if err := c.kwokctl(ctx, "delete", "cluster", "--name", c.cfg.Name, "--kubeconfig", c.kubeconfig); err != nil {
			return err
		}
	}
	machinePorts.release(nil, c.owner())
	return os.RemoveAll(c.clusterDir())
}

func (c *Cluster) clusterDir() string { return filepath.Join(c.cfg.Dir, "clusters", c.cfg.Name) }

// exists reports whether kwokctl has created this cluster under Dir.
func (c *Cluster) exists() bool {
	_, err := os.Stat(filepath.Join(c.clusterDir(), "kwok.yaml"))
	return err == nil
}

// PIDs returns the process ids kwokctl recorded for the cluster's
// components, keyed by component binary name.
func (c *Cluster) PIDs() (map[string]int, error) {
	return readPIDs(filepath.Join(c.clusterDir(), "pids"))
}

// Logs returns the path of a component's log file (e.g. "kube-apiserver").
func (c *Cluster) Logs(component string) string {
	return filepath.Join(c.clusterDir(), "logs", component+".log")
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
