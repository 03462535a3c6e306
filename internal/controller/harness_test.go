package controller_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/rules"
	"github.com/lbsg/lbsg/internal/testenv"
	"github.com/lbsg/lbsg/internal/webhook"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const cluster = "sandbox"

// sink records events in memory.
type sink struct {
	mu  sync.Mutex
	got []string
	// namespaced are the same events, "namespace/name type reason: note".
	namespaced []string
}

func (s *sink) Eventf(regarding, _ runtime.Object, typ, reason, _, note string, args ...any) {
	name, ns := "", ""
	if o, ok := regarding.(client.Object); ok {
		name, ns = o.GetName(), o.GetNamespace()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := fmt.Sprintf("%s %s %s: %s", name, typ, reason, fmt.Sprintf(note, args...))
	s.got = append(s.got, e)
	s.namespaced = append(s.namespaced, ns+"/"+e)
}

func (s *sink) has(substr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.got {
		if strings.Contains(e, substr) {
			return true
		}
	}
	return false
}

type harness struct {
	t        testing.TB
	kube     *testenv.KubeEnv
	emu      *emutest.Env
	seed     emutest.Seeded
	ctrls    *controller.Controllers
	events   *sink
	nodes    []string
	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

// start runs lbsg's controllers against a fresh emulator and the shared
// apiserver, with Node objects for the seeded instances.
func start(tb testing.TB, mutate func(*options.Controller)) *harness {
	tb.Helper()
	return startOn(tb, testenv.Kube(tb), emutest.Start(tb), mutate, true)
}

// startOn runs the controllers on an existing namespace and emulator (a
// controller restart); createNodes registers the seeded instances as Nodes.
func startOn(tb testing.TB, k *testenv.KubeEnv, emu *emutest.Env, mutate func(*options.Controller), createNodes bool) *harness {
	tb.Helper()
	return startFull(tb, k, emu, mutate, createNodes, nil)
}

// startFull is startOn; with hooks, the manager also serves lbsg's
// webhooks, installed in the apiserver for the test's namespace only.
func startFull(tb testing.TB, k *testenv.KubeEnv, emu *emutest.Env, mutate func(*options.Controller), createNodes bool, hooks *webhookEnv) *harness {
	tb.Helper()
	h := &harness{t: tb, kube: k, emu: emu, seed: emu.Seeded(tb), events: &sink{}}
	o := options.New()
	o.ClusterName = cluster
	o.DriftInterval = time.Hour
	if mutate != nil {
		mutate(o)
	}
	if err := o.Validate(); err != nil {
		tb.Fatal(err)
	}
	clients := awsapi.FromConfig(emu.Config, clientOptions)
	setLogger.Do(func() {
		l := logr.Discard()
		if os.Getenv("LBSG_TEST_LOG") == "1" {
			l = funcr.New(func(prefix, args string) { fmt.Fprintln(os.Stderr, prefix, args) }, funcr.Options{})
		}
		ctrl.SetLogger(l)
	})
	var hookServer crwebhook.Server
	if hooks != nil {
		o.Webhook.BindPort, o.Webhook.CertDir = hooks.port, hooks.dir
		var err error
		if hookServer, err = webhook.NewServer(o.Webhook); err != nil {
			tb.Fatal(err)
		}
	}
	mgr, err := ctrl.NewManager(k.Config, ctrl.Options{
		WebhookServer:          hookServer,
		Scheme:                 controller.Scheme(),
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	h.ctrls, err = controller.Setup(mgr, controller.Config{Options: o, EC2: clients.EC2, ELBV2: clients.ELBV2, ELBV2As: clients.ELBV2As, ACM: clients.ACM, Route53: clients.Route53,
		WAFv2: clients.WAFv2, WAFRegional: clients.WAFRegional, Shield: clients.Shield,
		VPCID: h.seed.VPCID, Events: h.events, NoDriftLoop: true, Webhooks: hooks != nil})
	if err != nil {
		tb.Fatal(err)
	}
	for i, id := range h.seed.Instances {
		if !createNodes {
			break
		}
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-node-%d", k.Namespace, i)},
			Spec:   corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + id},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
		if err := k.Client.Create(tb.Context(), n); err != nil {
			tb.Fatal(err)
		}
		h.nodes = append(h.nodes, n.Name)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(tb.Context()))
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		if err := mgr.Start(ctx); err != nil {
			tb.Errorf("manager: %v", err)
		}
	}()
	tb.Cleanup(h.stop)
	if hooks != nil {
		hooks.install(tb, k)
	}
	return h
}

// stopManager stops the controllers, leaving Kubernetes and AWS as they are.
func (h *harness) stopManager() {
	h.stopOnce.Do(func() {
		h.cancel()
		<-h.done
	})
}

func (h *harness) stop() {
	ctx, cancel := testenv.CleanupContext(h.t)
	defer cancel()
	// Let finalizers run while the manager is still up.
	var ings networkingv1.IngressList
	_ = h.kube.Client.List(ctx, &ings, client.InNamespace(h.kube.Namespace))
	for i := range ings.Items {
		_ = h.kube.Client.Delete(ctx, &ings.Items[i])
	}
	// Bindings too: the next test's manager would otherwise reconcile
	// them against its own emulator, where their target groups are gone.
	var bindings v1beta1.TargetGroupBindingList
	_ = h.kube.Client.List(ctx, &bindings, client.InNamespace(h.kube.Namespace))
	for i := range bindings.Items {
		_ = h.kube.Client.Delete(ctx, &bindings.Items[i])
	}
	var list corev1.ServiceList
	_ = h.kube.Client.List(ctx, &list, client.InNamespace(h.kube.Namespace))
	for i := range list.Items {
		_ = h.kube.Client.Delete(ctx, &list.Items[i])
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_ = h.kube.Client.List(ctx, &list, client.InNamespace(h.kube.Namespace))
		_ = h.kube.Client.List(ctx, &ings, client.InNamespace(h.kube.Namespace))
		_ = h.kube.Client.List(ctx, &bindings, client.InNamespace(h.kube.Namespace))
		if len(list.Items) == 0 && len(ings.Items) == 0 && len(bindings.Items) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond) //nolint:forbidigo // test cleanup polls
	}
	h.stopManager()
	for _, n := range h.nodes {
		_ = h.kube.Client.Delete(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n}})
	}
}

var setLogger sync.Once

// clientOptions shape the controllers' AWS clients; benchmarks of many
// Services lift the client-side buckets (ELBv2's CreateLoadBalancer refills
// at 0.2/s), which changes timing, not call counts.
var clientOptions = awsapi.Options{MaxBackoff: 5 * time.Millisecond}

// nlbService is an instance-mode NLB Service by loadBalancerClass.
func (h *harness) nlbService(name string, ports ...int32) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name, Annotations: map[string]string{}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To(options.DefaultLoadBalancerClass),
			Selector: map[string]string{"app": name}},
	}
	for _, p := range ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: fmt.Sprintf("p%d", p), Port: p, Protocol: corev1.ProtocolTCP,
			TargetPort: intstr.FromInt32(8080)})
	}
	return svc
}

func (h *harness) create(obj client.Object) {
	h.t.Helper()
	if err := h.kube.Client.Create(h.t.Context(), obj); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) update(svc *corev1.Service, mutate func(*corev1.Service)) {
	h.t.Helper()
	testenv.Eventually(h.t, "service updated", func(ctx context.Context) (bool, error) {
		cur := &corev1.Service{}
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(svc), cur); err != nil {
			return false, err
		}
		if cur.Annotations == nil {
			cur.Annotations = map[string]string{}
		}
		mutate(cur)
		return true, h.kube.Client.Update(ctx, cur)
	})
}

func (h *harness) get(svc *corev1.Service) *corev1.Service {
	cur := &corev1.Service{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(svc), cur); err != nil {
		return nil
	}
	return cur
}

// world is what the emulator holds, summarised.
type world struct {
	lbs       map[string][]string // LB name → SG IDs
	dns       map[string]string   // LB name → DNS
	listeners map[string][]string // LB name → "port/PROTO→tgName"
	tgs       map[string]string   // TG name → "port type targets"
	sgs       map[string]*state.SG
}

func (h *harness) world(ctx context.Context) (world, error) {
	w := world{lbs: map[string][]string{}, dns: map[string]string{}, listeners: map[string][]string{}, tgs: map[string]string{}, sgs: map[string]*state.SG{}}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return w, err
	}
	tgName := map[string]string{}
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		return w, err
	}
	for _, tg := range tgs.TargetGroups {
		arn := aws.ToString(tg.TargetGroupArn)
		tgName[arn] = aws.ToString(tg.TargetGroupName)
		th, err := h.emu.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return w, err
		}
		var ts []string
		for _, d := range th.TargetHealthDescriptions {
			if d.TargetHealth != nil && d.TargetHealth.State == "draining" {
				continue
			}
			ts = append(ts, fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port)))
		}
		slices.Sort(ts)
		w.tgs[aws.ToString(tg.TargetGroupName)] = fmt.Sprintf("%d %s %v", aws.ToInt32(tg.Port), tg.TargetType, ts)
	}
	for _, lb := range lbs.LoadBalancers {
		name := aws.ToString(lb.LoadBalancerName)
		w.lbs[name] = slices.Sorted(slices.Values(lb.SecurityGroups))
		w.dns[name] = aws.ToString(lb.DNSName)
		ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return w, err
		}
		for _, l := range ls.Listeners {
			w.listeners[name] = append(w.listeners[name], fmt.Sprintf("%d/%s→%s", aws.ToInt32(l.Port), l.Protocol, tgName[aws.ToString(l.DefaultActions[0].TargetGroupArn)]))
		}
		slices.Sort(w.listeners[name])
	}
	sgs, err := h.emu.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{})
	if err != nil {
		return w, err
	}
	prov := state.New(h.emu.EC2, h.emu.ELBv2, cluster, h.seed.VPCID)
	for _, g := range sgs.SecurityGroups {
		sg, err := prov.SecurityGroup(ctx, aws.ToString(g.GroupId), true)
		if err != nil {
			return w, err
		}
		if sg != nil {
			w.sgs[sg.ID] = sg
		}
	}
	return w, nil
}

// ownedSGs returns the SGs tagged for this cluster, by role.
func (w world) ownedSGs() (managed []*state.SG, backend []*state.SG) {
	for _, sg := range w.sgs {
		switch naming.ClassifySecurityGroup(sg.Tags, cluster).Role {
		case naming.SGManagedFrontend:
			managed = append(managed, sg)
		case naming.SGBackend:
			backend = append(backend, sg)
		case naming.SGNotOwned:
		}
	}
	return managed, backend
}

func ruleList(s rules.Set) []string {
	var out []string
	for _, k := range s.Keys() {
		out = append(out, k.String())
	}
	return out
}

// eventually polls the emulator world until check returns "" (else the
// reason it is not there yet).
func (h *harness) eventually(what string, check func(w world) string) world {
	h.t.Helper()
	var w world
	last := ""
	testenv.Eventually(h.t, what, func(ctx context.Context) (bool, error) {
		var err error
		if w, err = h.world(ctx); err != nil {
			return false, err
		}
		if why := check(w); why != "" {
			if why != last {
				h.t.Logf("%s: not yet: %s", what, why)
				last = why
			}
			return false, fmt.Errorf("%s", why)
		}
		return true, nil
	})
	return w
}

// addForeignRule puts a rule lbsg did not write on the node SG.
func (h *harness) addForeignRule() rules.Key {
	h.t.Helper()
	_, err := h.emu.EC2.AuthorizeSecurityGroupIngress(h.t.Context(), &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(h.seed.NodeSG),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("192.168.0.0/16"), Description: aws.String("ssh from the office")}}}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return rules.MustKey("tcp", 22, 22, "192.168.0.0/16")
}

func (h *harness) waitGone(svc *corev1.Service) {
	h.t.Helper()
	testenv.Eventually(h.t, "service "+svc.Name+" deleted", func(ctx context.Context) (bool, error) {
		err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(svc), &corev1.Service{})
		return apierrors.IsNotFound(err), nil
	})
}

func toSDK(s rules.Set) []ec2types.IpPermission {
	perms, err := cloudec2.ToSDK(s)
	if err != nil {
		panic(err) // the tests' own rules are valid
	}
	return perms
}

func mustKey(p string, from, to int32, peer string) rules.Key {
	return rules.MustKey(p, from, to, peer)
}
