package lbcdiff

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/elbv2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/sandbox"
)

// BenchmarkSideBySide runs the same scenarios with LBC and with lbsg, each
// in a fresh sandbox with AWS's token buckets on: LBSG_SIDEBYSIDE_SERVICES
// NLB Services (default 20; half ip, half instance targets) are created,
// then the controller starts (1-cold-start), is restarted against the
// converged world (2-restart), and 10% of the Services change port
// (3-churn-ports). Both controllers run as child processes (lbsg's binary
// is built first), so each one's peak RSS is its own. Run with -benchtime
// 1x (make sidebyside); docs/performance.md has the table.
//
// It runs on the sandbox (kwok nodes and pods), not on test/bench's
// envtest world: LBC registers ip targets only for endpoints that point at
// Pods it can read, and test/bench's EndpointSlices have none.
func BenchmarkSideBySide(b *testing.B) {
	bins, err := localenv.FindAssets("", append(slices.Clone(localenv.ClusterBinaries), "lbc")...)
	if err != nil {
		b.Skip(err)
	}
	ctrl.SetLogger(logr.Discard()) // the sandbox's CRD installs use controller-runtime clients
	n := 20
	if v := os.Getenv(SideBySideEnv); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number", SideBySideEnv, v)
		}
	}
	groups := n / 10
	if v := os.Getenv(SideBySideGroupsEnv); v != "" {
		if groups, err = strconv.Atoi(v); err != nil || groups < 0 {
			b.Fatalf("%s=%q: want a number ≥ 0", SideBySideGroupsEnv, v)
		}
	}
	lbsgBin := filepath.Join(b.TempDir(), "lbsg")
	if out, err := exec.CommandContext(b.Context(), "go", "build", "-o", lbsgBin, "github.com/lbsg/lbsg/cmd/lbsg").CombinedOutput(); err != nil {
		b.Fatalf("building lbsg: %v\n%s", err, out)
	}
	for _, side := range []Side{LBC, LBSG} {
		var res []phaseMetrics
		b.Run(string(side), func(b *testing.B) {
			if res == nil {
				res = sideBySide(b, side, n, groups, bins, lbsgBin)
			}
			for _, p := range res {
				b.Run(p.name, func(b *testing.B) {
					for _, m := range p.metrics {
						b.ReportMetric(m.v, m.unit)
					}
				})
			}
		})
	}
}

// SideBySideEnv sets BenchmarkSideBySide's number of Services.
const SideBySideEnv = "LBSG_SIDEBYSIDE_SERVICES"

// SideBySideGroupsEnv sets BenchmarkSideBySide's number of IngressGroups
// (default: one per 10 Services); each has two Ingresses with a backend
// Service each, the first instance targets, the second ip.
const SideBySideGroupsEnv = "LBSG_SIDEBYSIDE_GROUPS"

type metric struct {
	v    float64
	unit string
}

type phaseMetrics struct {
	name    string
	metrics []metric
}

// keyActions are reported by name in every phase.
var keyActions = []string{
	"ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
	"ec2:DescribeSecurityGroups", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
	"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DescribeTargetHealth",
	"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:SetSubnets",
}

// controllerProc is one run of a controller as a child process.
type controllerProc struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

func startController(ctx context.Context, side Side, w *sandbox.World, lbsgBin string) (*controllerProc, error) {
	var cmd *exec.Cmd
	var log *os.File
	var err error
	if side == LBC {
		if cmd, log, err = sandbox.LBCCommand(ctx, w); err != nil {
			return nil, err
		}
	} else {
		if log, err = os.OpenFile(filepath.Join(w.Dir, "controller.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			return nil, err
		}
		cmd = exec.CommandContext(ctx, lbsgBin, "controller", "--cluster-name", w.AWS.ClusterName, "--aws-region", w.AWS.Region,
			"--aws-endpoint", w.AWS.URL, "--aws-vpc-id", w.AWS.VPCID, "--kubeconfig", w.Kubeconfig,
			"--metrics-bind-address", "0", "--health-probe-bind-address", "0")
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=sandbox", "AWS_SECRET_ACCESS_KEY=sandbox")
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 20 * time.Second
	}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, err
	}
	p := &controllerProc{cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); _ = log.Close() }()
	return p, nil
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func (p *controllerProc) peakRSS() (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// stop interrupts the controller and waits for it; it returns the peak
// RSS read just before.
func (p *controllerProc) stop() (float64, error) {
	rss, err := p.peakRSS()
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.done
		return rss, errors.Join(err, errors.New("the controller did not stop in a minute"))
	}
	return rss, err
}

// sideBySide runs the scenarios with side's controller in a fresh world.
func sideBySide(b *testing.B, side Side, n, groups int, bins, lbsgBin string) []phaseMetrics {
	b.Setenv("AWS_ACCESS_KEY_ID", "sandbox")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
	ctx, cancel := context.WithCancel(context.WithoutCancel(b.Context()))
	ready := make(chan *sandbox.World, 1)
	done := make(chan error, 1)
	dir := filepath.Join(b.TempDir(), string(side))
	go func() {
		done <- sandbox.Run(ctx, sandbox.Options{Dir: dir, Nodes: 3, AWSListen: "127.0.0.1:0", BinDir: bins, Throttle: true,
			AfterReady: func(_ context.Context, w *sandbox.World) error { ready <- w; return nil }})
	}()
	defer func() {
		cancel()
		<-done
		if b.Failed() {
			for _, f := range []string{"lbc.log", "controller.log"} {
				if l, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					b.Logf("%s (last 4 KiB):\n%s", f, tail(l, 4096))
				}
			}
		}
	}()
	var w *sandbox.World
	select {
	case w = <-ready:
	case err := <-done:
		b.Fatalf("sandbox: %v", err)
	}
	w.Emulator.UpdateELBv2Quotas(func(q *elbv2.Quotas) {
		q.NetworkLoadBalancers = max(q.NetworkLoadBalancers, n+10)
		q.ApplicationLoadBalancers = max(q.ApplicationLoadBalancers, groups+10)
		q.RegistrationsPerTarget = max(q.RegistrationsPerTarget, 2*n)
	})
	cfg := emutest.Config(w.Emulator)
	wd := &world{side: side, w: w, kube: kubernetes.NewForConfigOrDie(w.Kube), ec2: ec2.NewFromConfig(cfg), elb: elasticloadbalancingv2.NewFromConfig(cfg)}
	const ns = "bench"
	cases := []testCase{{name: ns, build: func(ns string, _ *env) objects {
		o := objects{replicas: 2}
		for i := range n {
			ann := map[string]string{}
			if i%2 == 1 {
				ann["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] = "ip"
			}
			o.services = append(o.services, nlb(ns, fmt.Sprintf("svc-%04d", i), 0, ann))
		}
		for g := range groups {
			for i, target := range []string{"instance", "ip"} {
				name := fmt.Sprintf("ing-%03d-%d", g, i)
				o.services = append(o.services, backend(ns, name, 0))
				o.ingresses = append(o.ingresses, alb(ns, name, map[string]string{
					"alb.ingress.kubernetes.io/group.name":  fmt.Sprintf("bench-%03d", g),
					"alb.ingress.kubernetes.io/group.order": strconv.Itoa(i + 1),
					"alb.ingress.kubernetes.io/target-type": target,
				}, path{fmt.Sprintf("/app-%d", i), name}))
			}
		}
		return o
	}}}
	if err := wd.apply(ctx, cases); err != nil {
		b.Fatal(err)
	}
	clock := watchCalls(ctx, w.Emulator)
	const quiet = 10 * time.Second
	timeout := 5*time.Minute + time.Duration(n)*10*time.Second
	var out []phaseMetrics
	// measure runs one phase: act, wait until converged and quiet, report
	// the calls made, the time until nothing was pending and the last call.
	measure := func(name string, act func() error) {
		before, err := wd.actionCalls(ctx)
		if err != nil {
			b.Fatal(err)
		}
		total0, err := wd.calls(ctx)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := act(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		for n := total0; n == total0; time.Sleep(100 * time.Millisecond) {
			if time.Since(t0) > 2*time.Minute {
				b.Fatalf("%s: no AWS call in 2 minutes", name)
			}
			if n, err = wd.calls(ctx); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, _, err := wd.converge(ctx, cases, quiet, timeout); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		lastCall, lastMut := clock.since(t0)
		after, err := wd.actionCalls(ctx)
		if err != nil {
			b.Fatal(err)
		}
		total, mutating := 0, 0
		by := map[string]int{}
		for a, c := range after {
			d := c - before[a]
			by[a] = d
			if a == throttled {
				continue
			}
			total += d
			if !readOnly(a) {
				mutating += d
			}
		}
		m := []metric{{lastMut.Seconds(), "s-last-write"}, {lastCall.Seconds(), "s-last-call"},
			{float64(total), "calls"}, {float64(mutating), "mutating"}, {float64(by[throttled]), "throttled"}, {float64(total) / float64(n+groups), "calls/lb"}}
		for _, a := range keyActions {
			m = append(m, metric{float64(by[a]), a[strings.Index(a, ":")+1:]})
		}
		out = append(out, phaseMetrics{name: name, metrics: m})
		var parts []string
		for _, a := range sortedKeys(by) {
			if by[a] > 0 {
				parts = append(parts, fmt.Sprintf("%s=%d", a, by[a]))
			}
		}
		b.Logf("%s %s: last write at %s, last call at %s, %d calls (%d mutating): %s", side, name,
			lastMut.Round(100*time.Millisecond), lastCall.Round(100*time.Millisecond), total, mutating, strings.Join(parts, " "))
	}
	var proc *controllerProc
	start := func() error {
		var err error
		proc, err = startController(ctx, side, w, lbsgBin)
		return err
	}
	measure("1-cold-start", start)
	coldRSS, err := proc.stop()
	if err != nil {
		b.Fatal(err)
	}
	out[0].metrics = append(out[0].metrics, metric{coldRSS / (1 << 20), "MiB-peak-rss"})
	measure("2-restart", start)
	measure("3-churn-ports", func() error {
		for i := range max(1, n/10) {
			s, err := wd.kube.CoreV1().Services(ns).Get(ctx, fmt.Sprintf("svc-%04d", i), metav1.GetOptions{})
			if err != nil {
				return err
			}
			s.Spec.Ports[0].Port = 81
			if _, err := wd.kube.CoreV1().Services(ns).Update(ctx, s, metav1.UpdateOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
	rss, err := proc.stop()
	if err != nil {
		b.Fatal(err)
	}
	out[1].metrics = append(out[1].metrics, metric{rss / (1 << 20), "MiB-peak-rss"})
	return out
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// callClock watches the in-process emulator's call log every 100 ms and
// remembers when the last call and the last write were seen.
type callClock struct {
	mu                sync.Mutex
	lastCall, lastMut time.Time
	total, mutating   int
}

func watchCalls(ctx context.Context, srv *emulator.Server) *callClock {
	c := &callClock{lastCall: time.Now(), lastMut: time.Now()}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			st := srv.Calls()
			mut := 0
			for a, s := range st.Actions {
				if !readOnly(a) {
					mut += s.Calls
				}
			}
			c.mu.Lock()
			now := time.Now()
			if st.Total != c.total {
				c.total, c.lastCall = st.Total, now
			}
			if mut != c.mutating {
				c.mutating, c.lastMut = mut, now
			}
			c.mu.Unlock()
		}
	}()
	return c
}

// since returns how long after start the last call and the last write
// were seen (0 when none since start).
func (c *callClock) since(start time.Time) (call, mut time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(0, c.lastCall.Sub(start)), max(0, c.lastMut.Sub(start))
}
