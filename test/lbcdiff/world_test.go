package lbcdiff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/shield"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/lbsg/lbsg/internal/cli"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/sandbox"
)

// world is one running sandbox with one controller.
type world struct {
	side Side
	w    *sandbox.World
	kube kubernetes.Interface
	ec2  *ec2.Client
	elb  *elasticloadbalancingv2.Client
	// wafv2, wafRegional and shield read the ALBs' add-ons.
	wafv2       *wafv2.Client
	wafRegional *wafregional.Client
	shield      *shield.Client
	// relay hands the world over to the other controller (takeover_test.go).
	relay *relay
	// baseline is the world's security groups and their rules before the
	// first case was applied (the user groups included).
	baseline map[string][]string
	// bound are the boundTGs some applied case binds (the others stay
	// empty, like userTGs).
	bound map[string]bool
}

// relay runs one controller until handOver, then another in the same
// world: the takeover suite's swap of LBC and lbsg.
type relay struct {
	first, second sandbox.Controller
	next, stopped chan struct{}
	// failed gets the second controller's error if it stops with one.
	failed chan error
}

func (r *relay) run(ctx context.Context, w *sandbox.World) error {
	firstCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- r.first(firstCtx, w) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		stop()
		return <-done
	case <-r.next:
	}
	stop()
	err := <-done
	close(r.stopped)
	if err != nil {
		return err
	}
	if err := r.second(ctx, w); err != nil {
		r.failed <- err
		return err
	}
	return nil
}

// handOver stops the first controller and starts the second.
func (r *relay) handOver() error {
	close(r.next)
	select {
	case <-r.stopped:
		return nil
	case <-time.After(time.Minute):
		return errors.New("the first controller did not stop in a minute")
	}
}

// controllers are the first and second controller of a world started by
// side: each world ends with the other side's controller. lbsg takes over
// from LBC with --adopt-lbc-rules, as docs/migration.md tells users to.
func controllers(side Side) (first, second sandbox.Controller) {
	if side == LBSG {
		return cli.BuiltinController, sandbox.LBC
	}
	return sandbox.LBC, cli.BuiltinControllerWith("--adopt-lbc-rules")
}

// startWorld brings a sandbox up with side's controller and returns once it
// is ready; it stops when the test ends. It may run in its own goroutine.
func startWorld(t *testing.T, side Side, bins string) (*world, error) {
	t.Helper()
	first, second := controllers(side)
	rl := &relay{first: first, second: second, next: make(chan struct{}), stopped: make(chan struct{}), failed: make(chan error, 1)}
	dir := filepath.Join(t.TempDir(), string(side))
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *sandbox.World, 1)
	done := make(chan error, 1)
	go func() {
		// The emulator's AWS token buckets stay off (Throttle false): the
		// suite compares end states, and LBC, which has no client-side
		// limits, would spend the run in SDK back-off.
		done <- sandbox.Run(ctx, sandbox.Options{
			Dir: dir, Nodes: 3, AWSListen: "127.0.0.1:0", BinDir: bins, Controller: rl.run, Certificates: slices.Concat(discoveryCerts, groupDiscoveryCerts),
			AfterReady: func(_ context.Context, w *sandbox.World) error { ready <- w; return nil },
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Errorf("%s sandbox did not stop", side)
		}
		for _, f := range []string{"lbc.log", "controller.log"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				continue
			}
			if t.Failed() {
				t.Logf("%s %s (last 4 KiB):\n%s", side, f, tail(b, 4096))
			}
			if d := os.Getenv(DumpEnv); d != "" {
				_ = os.WriteFile(filepath.Join(d, string(side)+"-world-"+f), b, 0o644)
			}
		}
	})
	select {
	case w := <-ready:
		cfg := emutest.Config(w.Emulator)
		// Both worlds' accounts subscribe to Shield Advanced, so the
		// shield-advanced-protection cases do something.
		w.Emulator.SetShieldSubscription(true)
		return &world{side: side, w: w, kube: kubernetes.NewForConfigOrDie(w.Kube),
			ec2: ec2.NewFromConfig(cfg), elb: elasticloadbalancingv2.NewFromConfig(cfg),
			wafv2: wafv2.NewFromConfig(cfg), wafRegional: wafregional.NewFromConfig(cfg), shield: shield.NewFromConfig(cfg), relay: rl}, nil
	case err := <-done:
		return nil, fmt.Errorf("%s sandbox: %w", side, err)
	case <-time.After(3 * time.Minute):
		return nil, fmt.Errorf("%s sandbox did not come up in 3 minutes", side)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// apply creates the user security groups and every case's objects.
func (wd *world) apply(ctx context.Context, cases []testCase) error {
	e := &env{sg: map[string]string{}, tg: map[string]string{}}
	for _, name := range userSGs {
		out, err := wd.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(name), Description: aws.String("lbcdiff user group"), VpcId: aws.String(wd.w.AWS.VPCID),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}},
		})
		if err != nil {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		e.sg[name] = aws.ToString(out.GroupId)
	}
	for _, name := range userEIPs {
		out, err := wd.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc,
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}},
		})
		if err != nil {
			return fmt.Errorf("allocating %s: %w", name, err)
		}
		e.eips = append(e.eips, aws.ToString(out.AllocationId))
	}
	for _, name := range userTGs {
		out, err := wd.elb.CreateTargetGroup(ctx, &elasticloadbalancingv2.CreateTargetGroupInput{Name: aws.String(name),
			Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80), VpcId: aws.String(wd.w.AWS.VPCID)})
		if err != nil {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		e.tg[name] = aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	for _, name := range userTrustStores {
		if _, err := wd.elb.CreateTrustStore(ctx, &elasticloadbalancingv2.CreateTrustStoreInput{Name: aws.String(name),
			CaCertificatesBundleS3Bucket: aws.String("lbcdiff"), CaCertificatesBundleS3Key: aws.String(name + ".pem")}); err != nil {
			return fmt.Errorf("creating trust store %s: %w", name, err)
		}
	}
	for _, name := range boundTGs {
		out, err := wd.elb.CreateTargetGroup(ctx, &elasticloadbalancingv2.CreateTargetGroupInput{Name: aws.String(name),
			Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(8080), VpcId: aws.String(wd.w.AWS.VPCID), TargetType: elbv2types.TargetTypeEnumIp})
		if err != nil {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		e.tg[name] = aws.ToString(out.TargetGroups[0].TargetGroupArn)
	}
	dyn, err := dynamic.NewForConfig(wd.w.Kube)
	if err != nil {
		return err
	}
	base, err := wd.securityGroups(ctx)
	if err != nil {
		return err
	}
	wd.baseline = base
	for _, c := range cases {
		o := c.build(c.name, e)
		if err := wd.labelNodes(ctx, o.nodeLabels); err != nil {
			return err
		}
		if _, err := wd.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.name}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		dep := sandbox.EchoDeployment(c.name, o.replicas)
		if o.pods != nil {
			o.pods(&dep.Spec.Template)
		}
		if _, err := wd.kube.AppsV1().Deployments(c.name).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
			return err
		}
		for _, s := range o.secrets {
			if _, err := wd.kube.CoreV1().Secrets(c.name).Create(ctx, s, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("%s/%s: %w", c.name, s.Name, err)
			}
		}
		for _, s := range o.services {
			if _, err := wd.kube.CoreV1().Services(c.name).Create(ctx, s, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("%s/%s: %w", c.name, s.Name, err)
			}
		}
		for _, i := range o.ingresses {
			if _, err := wd.kube.NetworkingV1().Ingresses(c.name).Create(ctx, i, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("%s/%s: %w", c.name, i.Name, err)
			}
		}
		for _, b := range o.bindings {
			if _, err := dyn.Resource(bindingsResource).Namespace(c.name).Create(ctx, b, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("%s/%s: %w", c.name, b.GetName(), err)
			}
			arn, _, _ := unstructured.NestedString(b.Object, "spec", "targetGroupARN")
			for name, a := range e.tg {
				if a == arn {
					if wd.bound == nil {
						wd.bound = map[string]bool{}
					}
					wd.bound[name] = true
				}
			}
		}
	}
	return nil
}

// bindingsResource is TargetGroupBindings' resource.
var bindingsResource = schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}

// labelNodes adds labels to the world's nodes, by index in name order.
func (wd *world) labelNodes(ctx context.Context, labels map[int]map[string]string) error {
	if len(labels) == 0 {
		return nil
	}
	nodes, err := wd.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	slices.SortFunc(nodes.Items, func(a, b corev1.Node) int { return strings.Compare(a.Name, b.Name) })
	for i, add := range labels {
		if i >= len(nodes.Items) {
			return fmt.Errorf("node %d of %d", i, len(nodes.Items))
		}
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": add}})
		if err != nil {
			return err
		}
		if _, err := wd.kube.CoreV1().Nodes().Patch(ctx, nodes.Items[i].Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// pending lists what is not converged yet: a Service of type LoadBalancer
// or an Ingress without a hostname, a target group without targets.
func (wd *world) pending(ctx context.Context, cases []testCase) ([]string, error) {
	var out []string
	for _, c := range cases {
		svcs, ings, err := wd.caseObjects(ctx, c.name)
		if err != nil {
			return nil, err
		}
		for _, s := range svcs {
			if s.Spec.Type == corev1.ServiceTypeLoadBalancer && !hasHostname(s.Status.LoadBalancer.Ingress) {
				out = append(out, "service "+c.name+"/"+s.Name)
			}
		}
		for _, i := range ings {
			hosts := false
			for _, in := range i.Status.LoadBalancer.Ingress {
				hosts = hosts || in.Hostname != ""
			}
			if !hosts {
				out = append(out, "ingress "+c.name+"/"+i.Name)
			}
		}
	}
	// Targets come from the emulator's state dump, which its call log does
	// not count: the suite's polling must not show up in the controllers'
	// call counts.
	raw, err := wd.w.Emulator.State()
	if err != nil {
		return nil, err
	}
	var d struct {
		ELBv2 struct {
			TargetGroups map[string]struct {
				Name    string `json:"name"`
				Targets []struct {
					Deregistered *time.Time `json:"deregistered"`
				} `json:"targets"`
			} `json:"targetGroups"`
		} `json:"elbv2"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	for _, tg := range d.ELBv2.TargetGroups {
		registered := 0
		for _, t := range tg.Targets {
			if t.Deregistered == nil {
				registered++
			}
		}
		unbound := slices.Contains(boundTGs, tg.Name) && !wd.bound[tg.Name]
		if registered == 0 && !slices.Contains(userTGs, tg.Name) && !unbound { // the suite's own stay empty
			out = append(out, "targets of "+tg.Name)
		}
	}
	return out, nil
}

// caseObjects lists the Services and Ingresses in a case's namespace.
func (wd *world) caseObjects(ctx context.Context, ns string) ([]corev1.Service, []networkingv1.Ingress, error) {
	svcs, err := wd.kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	ings, err := wd.kube.NetworkingV1().Ingresses(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	return svcs.Items, ings.Items, nil
}

func hasHostname(in []corev1.LoadBalancerIngress) bool {
	for _, i := range in {
		if i.Hostname != "" {
			return true
		}
	}
	return false
}

// callLog is the emulator's call log (GET /_lbsg/calls).
type callLog struct {
	Total   int
	Actions map[string]struct {
		Calls  int
		Errors map[string]int
	}
}

// callLog reads the emulator's call log; control-API reads are not in it.
func (wd *world) callLog(ctx context.Context) (callLog, error) {
	var s callLog
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wd.w.AWS.URL+"/_lbsg/calls", nil)
	if err != nil {
		return s, err
	}
	resp, err := wd.w.Emulator.HTTPClient().Do(req)
	if err != nil {
		return s, err
	}
	defer func() { _ = resp.Body.Close() }()
	err = json.NewDecoder(resp.Body).Decode(&s)
	return s, err
}

// calls is the emulator's total call count.
func (wd *world) calls(ctx context.Context) (int, error) {
	s, err := wd.callLog(ctx)
	return s.Total, err
}

// converge waits until nothing is pending and the controller has made no
// AWS call for quiet. It returns when the last pending things were done
// (and what they were) and when the controller made its last call, after
// start.
func (wd *world) converge(ctx context.Context, cases []testCase, quiet, timeout time.Duration) (done, lastCall time.Duration, slowest []string, err error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last []string
	for {
		before, err := wd.calls(ctx)
		if err == nil {
			select {
			case <-ctx.Done():
			case <-time.After(quiet):
			}
			var after int
			after, err = wd.calls(ctx)
			if err == nil && after != before {
				lastCall = time.Since(start)
			}
			if err == nil {
				last, err = wd.pending(ctx, cases)
				if err == nil && len(last) > 0 {
					done, slowest = time.Since(start), last
				}
				if err == nil && len(last) == 0 && after == before { // control-API reads are not counted
					return done, lastCall, slowest, nil
				}
			}
		}
		if ctx.Err() != nil {
			return done, lastCall, slowest, fmt.Errorf("%s world not converged in %s; pending: %v (%v)", wd.side, timeout, last, errors.Join(err, ctx.Err()))
		}
	}
}

// warnings lists the Warning events in the cases' namespaces: the corpus
// is valid, so neither controller should warn about any of it.
func (wd *world) warnings(ctx context.Context, cases []testCase) ([]string, error) {
	var out []string
	for _, c := range cases {
		evs, err := wd.kube.CoreV1().Events(c.name).List(ctx, metav1.ListOptions{FieldSelector: "type=Warning"})
		if err != nil {
			return nil, err
		}
		for _, e := range evs.Items {
			out = append(out, fmt.Sprintf("%s %s/%s %s: %s", e.InvolvedObject.Kind, c.name, e.InvolvedObject.Name, e.Reason, e.Message))
		}
	}
	return out, nil
}
