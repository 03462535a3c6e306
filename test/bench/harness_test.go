package bench

import (
	"context"
	"fmt"
	"maps"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/crds/gatewayapi"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/localenv"
	lbsgmetrics "github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

func TestMain(m *testing.M) {
	if raw := os.Getenv(childEnv); raw != "" {
		os.Exit(runEmulatorChild(raw))
	}
	code := m.Run()
	shared.Lock()
	if shared.env != nil {
		if err := shared.env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			code = max(code, 1)
		}
	}
	shared.Unlock()
	os.Exit(code)
}

// shared is the package's apiserver, started on first use. Not testenv's:
// envtest's default service range (a /24) holds about 250 Services.
var shared struct {
	sync.Mutex
	env *localenv.Envtest
	err error
}

// kubeEnv is a namespace of the shared apiserver.
type kubeEnv struct {
	Config    *rest.Config
	Client    client.Client
	Namespace string
}

// kube returns the apiserver (with lbsg's CRDs) and a fresh namespace,
// deleted after tb.
func kube(tb testing.TB) *kubeEnv {
	tb.Helper()
	shared.Lock()
	if shared.env == nil && shared.err == nil {
		shared.env, shared.err = localenv.StartEnvtest(localenv.EnvtestOptions{
			APIServerFlags: map[string]string{"service-cluster-ip-range": "10.96.0.0/16"}})
		if shared.err == nil {
			shared.err = crds.Install(tb.Context(), shared.env.Config)
		}
		if shared.err == nil {
			// The Gateway API too, as a cluster running Gateways has it:
			// lbsg then runs its Gateway controllers in every benchmark.
			shared.err = gatewayapi.Install(tb.Context(), shared.env.Config)
		}
	}
	env, err := shared.env, shared.err
	shared.Unlock()
	if err != nil {
		testenv.SkipUnlessRequired(tb, err)
		tb.Fatalf("bench: %v", err)
	}
	c, err := client.New(env.Config, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		tb.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "bench-"}}
	if err := c.Create(tb.Context(), ns); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(tb)
		defer cancel()
		_ = c.Delete(ctx, ns)
	})
	return &kubeEnv{Config: rest.CopyConfig(env.Config), Client: c, Namespace: ns.Name}
}

var setLogger sync.Once

// harness is one benchmark's world: a namespace of the shared apiserver,
// Nodes, a child emulator, and the controller (restartable).
type harness struct {
	tb       testing.TB
	sz       sizes
	throttle bool
	kube     *kubeEnv
	kc       client.Client // the workload's client
	emu      *emu
	world    summary // at start: VPC, node SG, instances
	nodes    []int   // indexes into world.Instances that are Nodes now
	next     int     // next instance to join as a Node
	mgr      *manager
	smp      *sampler
	work     []workload
	// retries counts, by operation, the controller's attempts after the
	// first (the SDK retrying a throttled or failed attempt): the emulator
	// logs each attempt as a call, and assertions about how often lbsg
	// reads something are about its operations.
	retries retryLog
}

// retryLog counts retried attempts by operation name.
type retryLog struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *retryLog) observe(c awsapi.Call) {
	if c.Attempt < 2 || !c.Sent {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[c.Operation]++
}

func (r *retryLog) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.n)
}

// newHarness starts the emulator with nodes+spare instances, creates
// nodes Nodes, and starts sampling; the controller is not running yet.
func newHarness(tb testing.TB, sz sizes, throttle bool, nodes, spare int) *harness {
	tb.Helper()
	setLogger.Do(func() {
		l := logr.Discard()
		if os.Getenv("LBSG_TEST_LOG") == "1" {
			l = funcr.New(func(prefix, args string) { fmt.Fprintln(os.Stderr, prefix, args) }, funcr.Options{})
		}
		ctrl.SetLogger(l)
	})
	h := &harness{tb: tb, sz: sz, throttle: throttle, kube: kube(tb)}
	h.kc = h.kube.Client // envtest's config: 1,000 QPS, the workload is not what is measured
	var err error
	h.emu = startEmulator(tb, emuConfig{Instances: nodes + spare, Throttle: throttle})
	if h.world, err = h.emu.summary(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	h.smp = startSampler(tb, h.emu)
	tb.Cleanup(h.cleanup)
	for range nodes {
		h.joinNode()
	}
	return h
}

func (h *harness) nodeName(i int) string { return fmt.Sprintf("%s-node-%d", h.kube.Namespace, i) }

// joinNode makes the next spare instance a Node.
func (h *harness) joinNode() {
	h.tb.Helper()
	if h.next >= len(h.world.Instances) {
		h.tb.Fatalf("no spare instance for a new node (%d instances)", len(h.world.Instances))
	}
	i := h.next
	h.next++
	in := h.world.Instances[i]
	n, err := localenv.NodeSpec{Name: h.nodeName(i), InstanceID: in.ID, AvailabilityZone: in.AZ, Region: region,
		PrivateIP: in.IP, PodCIDR: fmt.Sprintf("10.%d.%d.0/24", 100+i/256, i%256)}.Node()
	if err != nil {
		h.tb.Fatal(err)
	}
	// envtest runs no kwok: the node is Ready as a kubelet would report.
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	if err := h.kc.Create(h.tb.Context(), n); err != nil {
		h.tb.Fatal(err)
	}
	h.nodes = append(h.nodes, i)
}

// leaveNode deletes the oldest Node.
func (h *harness) leaveNode() {
	h.tb.Helper()
	i := h.nodes[0]
	h.nodes = h.nodes[1:]
	if err := h.kc.Delete(h.tb.Context(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: h.nodeName(i)}}); err != nil {
		h.tb.Fatal(err)
	}
}

// nodeInstances are the instance IDs of the current Nodes.
func (h *harness) nodeInstances() []string {
	out := make([]string, 0, len(h.nodes))
	for _, i := range h.nodes {
		out = append(out, h.world.Instances[i].ID)
	}
	return out
}

// cleanup stops the controller and removes what the namespace's deletion
// would not (envtest runs no namespace controller): Services, Ingresses
// and Gateways lose their finalizers, and the workload's GatewayClasses
// go, so no later benchmark's controller sees them.
func (h *harness) cleanup() {
	ctx, cancel := testenv.CleanupContext(h.tb)
	defer cancel()
	h.stopManager()
	var svcs corev1.ServiceList
	_ = h.kc.List(ctx, &svcs, client.InNamespace(h.kube.Namespace))
	for i := range svcs.Items {
		s := &svcs.Items[i]
		if len(s.Finalizers) > 0 {
			base := s.DeepCopy()
			s.Finalizers = nil
			_ = h.kc.Patch(ctx, s, client.MergeFrom(base))
		}
		_ = h.kc.Delete(ctx, s)
	}
	var ings networkingv1.IngressList
	_ = h.kc.List(ctx, &ings, client.InNamespace(h.kube.Namespace))
	for i := range ings.Items {
		ing := &ings.Items[i]
		if len(ing.Finalizers) > 0 {
			base := ing.DeepCopy()
			ing.Finalizers = nil
			_ = h.kc.Patch(ctx, ing, client.MergeFrom(base))
		}
		_ = h.kc.Delete(ctx, ing)
	}
	var gws gwv1.GatewayList
	_ = h.kc.List(ctx, &gws, client.InNamespace(h.kube.Namespace))
	for i := range gws.Items {
		gw := &gws.Items[i]
		if len(gw.Finalizers) > 0 {
			base := gw.DeepCopy()
			gw.Finalizers = nil
			_ = h.kc.Patch(ctx, gw, client.MergeFrom(base))
		}
		_ = h.kc.Delete(ctx, gw)
	}
	_ = h.kc.DeleteAllOf(ctx, &gwv1.HTTPRoute{}, client.InNamespace(h.kube.Namespace))
	_ = h.kc.DeleteAllOf(ctx, &gwv1.TCPRoute{}, client.InNamespace(h.kube.Namespace))
	for _, w := range h.work {
		if g, ok := w.(*gateways); ok {
			_ = h.kc.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: g.class()}})
		}
	}
	_ = h.kc.DeleteAllOf(ctx, &discoveryv1.EndpointSlice{}, client.InNamespace(h.kube.Namespace))
	for i := range h.next {
		_ = h.kc.Delete(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: h.nodeName(i)}})
	}
}

// manager is one run of the controller: a fresh manager, fresh caches.
type manager struct {
	ctrls   *controller.Controllers
	metrics *lbsgmetrics.Metrics
	cancel  context.CancelFunc
	done    chan struct{}
	started time.Time
}

// discard drops events (the recorder's apiserver writes are not measured).
type discard struct{}

func (discard) Eventf(runtime.Object, runtime.Object, string, string, string, string, ...any) {}

// startManager runs lbsg's controllers as `lbsg controller` would, with
// production AWS clients (retries, client-side buckets unless throttling
// is off).
func (h *harness) startManager() *manager {
	h.tb.Helper()
	if h.mgr != nil {
		h.tb.Fatal("manager already running")
	}
	o := options.New()
	o.ClusterName = clusterName
	o.DriftInterval = time.Hour
	o.MaxConcurrentReconciles = h.sz.Concurrency
	if err := o.Validate(); err != nil {
		h.tb.Fatal(err)
	}
	m := &manager{metrics: lbsgmetrics.New(), done: make(chan struct{})}
	clients := awsapi.FromConfig(h.emu.awsConfig(), awsapi.Options{NoRateLimit: !h.throttle, Observer: h.retries.observe})
	mgr, err := ctrl.NewManager(h.kube.Config, ctrl.Options{
		Scheme:                 controller.Scheme(),
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		h.tb.Fatal(err)
	}
	m.ctrls, err = controller.Setup(mgr, controller.Config{Options: o, EC2: clients.EC2, ELBV2: clients.ELBV2, ACM: clients.ACM,
		VPCID: h.world.VPCID, Metrics: m.metrics, Events: discard{}, NoDriftLoop: true})
	if err != nil {
		h.tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(h.tb.Context()))
	m.cancel = cancel
	m.started = time.Now()
	h.smp.ctrl.Store(m.metrics)
	go func() {
		defer close(m.done)
		if err := mgr.Start(ctx); err != nil {
			h.tb.Errorf("manager: %v", err)
		}
	}()
	h.mgr = m
	return m
}

func (h *harness) stopManager() {
	if h.mgr == nil {
		return
	}
	h.mgr.cancel()
	<-h.mgr.done
	h.mgr = nil
}

// reconciles counts the controller's reconciles (every result).
func (m *manager) reconciles(controllerName string) int {
	n := 0.0
	for _, res := range []string{"success", "requeue", "error", "terminal"} {
		var out dto.Metric
		if err := m.metrics.Reconciles.WithLabelValues(controllerName, res).Write(&out); err == nil {
			n += out.GetCounter().GetValue()
		}
	}
	return int(n)
}

// sampler polls the call log, the running controller's reconcile count
// and this process's heap every 100 ms.
type sampler struct {
	mu             sync.Mutex
	calls          emulator.CallStats
	lastCall       time.Time
	lastMutation   time.Time
	lastReconcile  time.Time
	heapPeak       uint64
	livePeak       uint64
	stop           context.CancelFunc
	done           chan struct{}
	lastTotal, mut int
	reconciles     float64
	// ctrl is the running controller's metrics (startManager sets it): a
	// reconcile that makes no AWS call, such as a target SG held back with
	// RequeueAfter, is activity too.
	ctrl atomic.Pointer[lbsgmetrics.Metrics]
}

func startSampler(tb testing.TB, e *emu) *sampler {
	ctx, cancel := context.WithCancel(context.WithoutCancel(tb.Context()))
	s := &sampler{stop: cancel, done: make(chan struct{}), lastCall: time.Now(), lastMutation: time.Now(), lastReconcile: time.Now()}
	tb.Cleanup(func() { cancel(); <-s.done })
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(samples)
			c, err := e.calls(ctx)
			rec := reconcileTotal(s.ctrl.Load())
			now := time.Now()
			s.mu.Lock()
			if rec != s.reconciles {
				s.reconciles, s.lastReconcile = rec, now
			}
			s.heapPeak = max(s.heapPeak, samples[0].Value.Uint64())
			s.livePeak = max(s.livePeak, samples[1].Value.Uint64())
			if err == nil {
				s.calls = c
				if c.Total != s.lastTotal {
					s.lastTotal, s.lastCall = c.Total, now
				}
				if m := c.Mutations(); m != s.mut {
					s.mut, s.lastMutation = m, now
				}
			}
			s.mu.Unlock()
		}
	}()
	return s
}

// reconcileTotal is every reconcile of every controller m counted (0 for
// no controller).
func reconcileTotal(m *lbsgmetrics.Metrics) float64 {
	if m == nil {
		return 0
	}
	ch := make(chan prometheus.Metric)
	go func() { m.Reconciles.Collect(ch); close(ch) }()
	n := 0.0
	for pm := range ch {
		var out dto.Metric
		if err := pm.Write(&out); err == nil {
			n += out.GetCounter().GetValue()
		}
	}
	return n
}

// snapshot returns the latest call log and the times of the last call and
// the last mutation seen.
func (s *sampler) snapshot() (emulator.CallStats, time.Time, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, s.lastCall, s.lastMutation
}

// now reads the call log afresh (a boundary between phases).
func (h *harness) callsNow() emulator.CallStats {
	h.tb.Helper()
	c, err := h.emu.calls(h.tb.Context())
	if err != nil {
		h.tb.Fatal(err)
	}
	return c
}

// resetMemory starts a new peak: heap peaks and the kernel's VmHWM
// (clear_refs 5; ignored where not permitted).
func (s *sampler) resetMemory() {
	s.mu.Lock()
	s.heapPeak, s.livePeak = 0, 0
	s.mu.Unlock()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func (s *sampler) memory() (heapPeak, livePeak uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heapPeak, s.livePeak
}

// rss returns VmHWM and VmRSS from /proc/self/status, in bytes (0 where
// there is no /proc).
func rss() (hwm, cur uint64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseUint(f[0], 10, 64)
		switch k {
		case "VmHWM":
			hwm = n << 10
		case "VmRSS":
			cur = n << 10
		}
	}
	return hwm, cur
}

// waitFor polls cond every 250 ms until it returns "" or timeout passes.
func (h *harness) waitFor(what string, timeout time.Duration, cond func(ctx context.Context) string) {
	h.tb.Helper()
	ctx := h.tb.Context()
	deadline := time.Now().Add(timeout)
	last, logged := "", time.Now()
	for {
		if last = cond(ctx); last == "" {
			return
		}
		if time.Since(logged) > 30*time.Second {
			fmt.Fprintf(os.Stderr, "%s: still waiting for %s: %s\n", h.tb.Name(), what, last)
			logged = time.Now()
		}
		if time.Now().After(deadline) {
			c, _, _ := h.smp.snapshot()
			h.tb.Fatalf("timed out after %v waiting for %s: %s (calls so far: %d, errors %d)", timeout, what, last, c.Total, c.Errors)
		}
		select {
		case <-ctx.Done():
			h.tb.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// quietFor reports whether neither an AWS call nor a reconcile (of any
// controller) was seen for d. Reconciles count because a target SG held
// back while some stack had not reported returns RequeueAfter
// IncompleteRequeue without calling AWS, and its fresh read comes that
// long after the reconcile, not after the last call: with d of settle, no
// such read is still due once this holds.
func (h *harness) quietFor(d time.Duration) bool {
	h.smp.mu.Lock()
	last := h.smp.lastCall
	if h.smp.lastReconcile.After(last) {
		last = h.smp.lastReconcile
	}
	h.smp.mu.Unlock()
	return time.Since(last) >= d
}

// waitQuiet waits until quietFor(settle): whatever the controller still
// had due has happened, so a measurement starting now counts only what
// the phase itself causes, and one ending now counts its own delayed work.
func (h *harness) waitQuiet(what string) {
	h.tb.Helper()
	h.waitFor(what, h.timeout(), func(context.Context) string {
		if !h.quietFor(settle) {
			return "AWS calls or reconciles still happening"
		}
		return ""
	})
}
