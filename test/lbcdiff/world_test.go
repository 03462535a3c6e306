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
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
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
}

// startWorld brings a sandbox up with side's controller and returns once it
// is ready; it stops when the test ends. It may run in its own goroutine.
func startWorld(t *testing.T, side Side, bins string) (*world, error) {
	t.Helper()
	ctrl := sandbox.LBC
	if side == LBSG {
		ctrl = cli.BuiltinController
	}
	dir := filepath.Join(t.TempDir(), string(side))
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *sandbox.World, 1)
	done := make(chan error, 1)
	go func() {
		// The emulator's AWS token buckets stay off (Throttle false): the
		// suite compares end states, and LBC, which has no client-side
		// limits, would spend the run in SDK back-off.
		done <- sandbox.Run(ctx, sandbox.Options{
			Dir: dir, Nodes: 3, AWSListen: "127.0.0.1:0", BinDir: bins, Controller: ctrl,
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
				_ = os.WriteFile(filepath.Join(d, f), b, 0o644)
			}
		}
	})
	select {
	case w := <-ready:
		cfg := emutest.Config(w.Emulator)
		return &world{side: side, w: w, kube: kubernetes.NewForConfigOrDie(w.Kube),
			ec2: ec2.NewFromConfig(cfg), elb: elasticloadbalancingv2.NewFromConfig(cfg)}, nil
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
	e := &env{sg: map[string]string{}}
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
	for _, c := range cases {
		o := c.build(c.name, e)
		if err := wd.labelNodes(ctx, o.nodeLabels); err != nil {
			return err
		}
		if _, err := wd.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.name}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		if _, err := wd.kube.AppsV1().Deployments(c.name).Create(ctx, sandbox.EchoDeployment(c.name, o.replicas), metav1.CreateOptions{}); err != nil {
			return err
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
	}
	return nil
}

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
		svcs, err := wd.kube.CoreV1().Services(c.name).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, s := range svcs.Items {
			if s.Spec.Type == corev1.ServiceTypeLoadBalancer && !hasHostname(s.Status.LoadBalancer.Ingress) {
				out = append(out, "service "+c.name+"/"+s.Name)
			}
		}
		ings, err := wd.kube.NetworkingV1().Ingresses(c.name).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, i := range ings.Items {
			hosts := false
			for _, in := range i.Status.LoadBalancer.Ingress {
				hosts = hosts || in.Hostname != ""
			}
			if !hosts {
				out = append(out, "ingress "+c.name+"/"+i.Name)
			}
		}
	}
	tgs, err := wd.elb.DescribeTargetGroups(ctx, &elasticloadbalancingv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	for _, tg := range tgs.TargetGroups {
		h, err := wd.elb.DescribeTargetHealth(ctx, &elasticloadbalancingv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return nil, err
		}
		if len(h.TargetHealthDescriptions) == 0 {
			out = append(out, "targets of "+aws.ToString(tg.TargetGroupName))
		}
	}
	return out, nil
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
