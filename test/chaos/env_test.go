package chaos_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/crds/gatewayapi"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/testenv"
)

var (
	flagFull = flag.Bool("chaos.full", os.Getenv("LBSG_CHAOS_FULL") == "1",
		"run the full size: 50 objects, at least 20 kill points (env LBSG_CHAOS_FULL=1)")
	flagSeed = flag.Uint64("chaos.seed", envUint("LBSG_CHAOS_SEED", 1), "seed of the runs' generators (env LBSG_CHAOS_SEED)")
	flagN    = flag.Int("chaos.n", int(envUint("LBSG_CHAOS_N", 0)), "objects per run; 0: 12, or 50 with -chaos.full (env LBSG_CHAOS_N)")
)

// lbsgBin is the lbsg binary TestMain builds.
var lbsgBin string

func envUint(name string, def uint64) uint64 {
	if v, err := strconv.ParseUint(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

func TestMain(m *testing.M) {
	flag.Parse()
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "lbsg-chaos-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "lbsg")
	build := exec.Command(goTool(), "build", "-o", bin, "github.com/lbsg/lbsg/cmd/lbsg")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: building lbsg:", err)
	} else {
		lbsgBin = bin
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// size is how big a run is.
type size struct {
	objects int
	kills   int // kill points at least
	// converge bounds the wait for convergence after the last kill.
	converge time.Duration
}

func runSize() size {
	s := size{objects: 12, kills: 6, converge: 3 * time.Minute}
	if *flagFull {
		s = size{objects: 50, kills: 20, converge: 10 * time.Minute}
	}
	if *flagN > 0 {
		s.objects = *flagN
	}
	return s
}

// kube is an envtest control plane of this test alone.
type kube struct {
	client     client.Client
	kubeconfig string
	nodes      []string
}

func startKube(t *testing.T) *kube {
	t.Helper()
	env, err := localenv.StartEnvtest(localenv.EnvtestOptions{})
	if err != nil {
		testenv.SkipUnlessRequired(t, err)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	// lbsg's CRDs, as the chart installs them: the controller watches them.
	if err := crds.Install(t.Context(), env.Config); err != nil {
		t.Fatal(err)
	}
	// The Gateway API's standard CRDs, as a cluster gets them from its
	// release: the Gateway controllers watch them.
	if err := gatewayapi.Install(t.Context(), env.Config); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.Config, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, env.Env.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	return &kube{client: c, kubeconfig: path}
}

// addNodes registers instances as Nodes.
func (k *kube) addNodes(t *testing.T, prefix string, instances []string) {
	t.Helper()
	for i, id := range instances {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-node-%d", prefix, i)},
			Spec: corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + id}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
		if err := k.client.Create(t.Context(), n); err != nil {
			t.Fatal(err)
		}
		k.nodes = append(k.nodes, n.Name)
	}
}

// emu is the in-process emulator, served on a loopback port.
type emu struct {
	srv *emulator.Server
	url string
	// aws are the checker's clients: retrying, no client-side buckets.
	aws  *awsapi.Clients
	seed emutest.Seeded
	// clusters whose lbsg rules are not foreign.
	clusters []string
	// checkerCalls counts the checker's own requests (sent attempts), so
	// the controller's share of the call log is known.
	checkerCalls atomic.Int64
}

func startEmulator(t *testing.T, seed emulator.Seed, clusters ...string) *emu {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Seed: &seed, StateFile: filepath.Join(t.TempDir(), "emulator-state.json")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	url, done, err := srv.Listen(ctx, "127.0.0.1:0", false)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		_ = srv.Close()
		if t.Failed() {
			calls := srv.Calls()
			var lines []string
			for _, k := range calls.Sorted() {
				lines = append(lines, fmt.Sprintf("%s %d %v", k, calls.Actions[k].Calls, calls.Actions[k].Errors))
			}
			t.Logf("emulator calls:\n%s", strings.Join(lines, "\n"))
			if dir := os.Getenv("LBSG_CHAOS_KEEP"); dir != "" {
				if b, err := srv.State(); err == nil {
					_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-emulator-state.json"), b, 0o600)
				}
			}
		}
	})
	cfg := emutest.Config(srv)
	e := &emu{srv: srv, url: url, clusters: clusters}
	e.aws = awsapi.FromConfig(cfg, awsapi.Options{MaxAttempts: 100, MaxBackoff: 100 * time.Millisecond, NoRateLimit: true,
		Observer: func(c awsapi.Call) {
			if c.Sent {
				e.checkerCalls.Add(1)
			}
		}})
	e.seed = (&emutest.Env{EC2: awsec2Client(cfg)}).Seeded(t)
	e.checkerCalls.Store(0)
	srv.ResetCalls()
	return e
}

// setFaults changes the random faults and lags through the control API.
func (e *emu) setFaults(t *testing.T, spec string) {
	t.Helper()
	body := strings.NewReader(fmt.Sprintf(`{"spec": %q}`, spec))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/_lbsg/faults", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting faults %q: %s", spec, resp.Status)
	}
}

// controller is one `lbsg controller` process, restarted after each kill.
type proc struct {
	t       *testing.T
	name    string
	args    []string
	logPath string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	metrics string // host:port
	health  string
	starts  int
	kills   int
}

// newController prepares a controller for cluster against e and k; start
// runs it.
func newController(t *testing.T, name string, e *emu, k *kube, extra ...string) *proc {
	t.Helper()
	c := &proc{t: t, name: name, logPath: filepath.Join(t.TempDir(), name+".log"),
		args: append([]string{"controller", "--cluster-name", name, "--aws-endpoint", e.url, "--aws-region", "us-west-2",
			"--aws-vpc-id", e.seed.VPCID, "--kubeconfig", k.kubeconfig}, extra...)}
	t.Cleanup(func() {
		if t.Failed() {
			c.quit()
		}
		c.stop()
		if t.Failed() {
			c.dumpLog(80)
			if dir := os.Getenv("LBSG_CHAOS_KEEP"); dir != "" {
				if b, err := os.ReadFile(c.logPath); err == nil {
					_ = os.WriteFile(filepath.Join(dir, t.Name()+"-"+c.name+".log"), b, 0o600)
				}
			}
		}
	})
	return c
}

func freeAddr() (string, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.WithoutCancel(context.TODO()), "tcp", "127.0.0.1:0") //nolint:forbidigo // a bare listen, no cancellation to honour
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// start runs the controller; it must not be running.
func (c *proc) start() {
	c.t.Helper()
	if err := c.startErr(); err != nil {
		c.t.Fatal(err)
	}
}

// startErr is start for any goroutine.
func (c *proc) startErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.metrics, err = freeAddr(); err != nil {
		return err
	}
	if c.health, err = freeAddr(); err != nil {
		return err
	}
	log, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = log.Close() }()
	args := append(append([]string(nil), c.args...), "--metrics-bind-address", c.metrics, "--health-probe-bind-address", c.health)
	cmd := exec.Command(lbsgBin, args...) //nolint:gosec,noctx // the binary TestMain built; killed by process group, not by a context
	home := filepath.Dir(c.logPath)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_ACCESS_KEY_ID=chaos", "AWS_SECRET_ACCESS_KEY=chaos",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, so a kill takes every thread and child; and
	// killed with the test binary if that dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(log, "=== chaos: start %d (pid %d)\n", c.starts+1, cmd.Process.Pid)
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	c.cmd, c.exited = cmd, exited
	c.starts++
	return nil
}

// running reports whether the process is alive.
func (c *proc) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return false
	}
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// kill SIGKILLs the process group and waits for the exit; it reports
// whether the process was alive.
func (c *proc) kill() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return false
	}
	alive := true
	select {
	case <-c.exited:
		alive = false
	default:
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-c.exited
	c.cmd = nil
	if alive {
		c.kills++
	}
	return alive
}

// quit asks a running controller for a goroutine dump (SIGQUIT) and waits
// for it to exit, so a failed test's log shows where it was stuck.
func (c *proc) quit() {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
}

// stop kills the controller if it runs (cleanup: not counted as a kill
// point).
func (c *proc) stop() {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.cmd = nil
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// waitReady polls /readyz.
func (c *proc) waitReady() {
	c.t.Helper()
	c.mu.Lock()
	url := "http://" + c.health + "/readyz"
	c.mu.Unlock()
	testenv.EventuallyWithin(c.t, time.Minute, c.name+" controller ready", func(ctx context.Context) (bool, error) {
		if !c.running() {
			return false, fmt.Errorf("controller exited; log %s", c.logPath)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

// scrape reads the controller's metrics: sample lines "name{labels}" →
// value.
func (c *proc) scrape(ctx context.Context) (map[string]float64, error) {
	c.mu.Lock()
	url := "http://" + c.metrics + "/metrics"
	c.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] = v
	}
	return out, sc.Err()
}

// sum adds the samples of metric whose labels contain every want.
func sum(samples map[string]float64, metric string, want ...string) float64 {
	total := 0.0
next:
	for k, v := range samples {
		if k != metric && !strings.HasPrefix(k, metric+"{") {
			continue
		}
		for _, w := range want {
			if !strings.Contains(k, w) {
				continue next
			}
		}
		total += v
	}
	return total
}

func (c *proc) dumpLog(lines int) {
	b, err := os.ReadFile(c.logPath)
	if err != nil {
		return
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	c.t.Logf("last %d lines of %s's log:\n%s", len(all), c.name, strings.Join(all, "\n"))
}
