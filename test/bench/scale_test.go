package bench

import (
	"context"
	"math"
	"testing"

	"github.com/lbsg/lbsg/internal/emulator"
)

func TestBucketMinimumIsTheSlowestBucketsRefillTime(t *testing.T) {
	for _, tt := range []struct {
		name  string
		calls map[string]int
		reads bool
		want  float64
	}{
		{name: "calls within every burst need no refill", calls: map[string]int{"elasticloadbalancing:CreateLoadBalancer": 10}, want: 0},
		{name: "twenty load balancers wait for ten tokens at 0.2/s", calls: map[string]int{"elasticloadbalancing:CreateLoadBalancer": 20}, want: 50},
		{name: "describes cost nothing", calls: map[string]int{"elasticloadbalancing:DescribeTargetHealth": 1000, "ec2:DescribeSecurityGroups": 1000}, want: 0},
		{name: "with reads, describes pay their buckets and the account one", calls: map[string]int{"elasticloadbalancing:DescribeTargetHealth": 60, "elasticloadbalancing:DescribeListeners": 60}, reads: true, want: 8},
		{name: "EC2 buckets are per action", calls: map[string]int{"ec2:CreateSecurityGroup": 60, "ec2:DeleteSecurityGroup": 60}, want: 2},
		{name: "ALB listener and rule writes pay the ELBv2 mutating bucket", calls: map[string]int{"elasticloadbalancing:CreateListener": 10,
			"elasticloadbalancing:CreateRule": 20, "elasticloadbalancing:ModifyRule": 3, "elasticloadbalancing:SetRulePriorities": 3}, want: 16.0 / 3},
		{name: "every ELBv2 mutation pays the account bucket", calls: map[string]int{"elasticloadbalancing:CreateLoadBalancer": 10,
			"elasticloadbalancing:RegisterTargets": 20, "elasticloadbalancing:CreateTargetGroup": 20}, want: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := emulator.CallStats{Actions: map[string]emulator.ActionStats{}}
			for k, n := range tt.calls {
				c.Actions[k] = emulator.ActionStats{Calls: n}
			}
			if got, why := bucketMinimum(c, tt.reads); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("bucketMinimum = %v (%s), want %v", got, why, tt.want)
			}
		})
	}
}

// TestScaleTiny runs scenarios 1–4 at a tiny size with AWS's buckets, on
// NLB Services and Ingresses in explicit IngressGroups together, and
// checks the properties the benchmarks measure: a restart makes no
// mutation and lists security groups once, resyncs of every Service and
// every IngressGroup make no AWS call, a drift check reads one page of
// security groups and finds nothing, an Ingress path change and a member
// moving between groups converge without a new load balancer, and node
// churn registers and deregisters at most once per instance target group.
func TestScaleTiny(t *testing.T) {
	sz := defaultSizes()
	sz.Services, sz.Nodes, sz.Endpoints, sz.Resyncs, sz.ChurnNodes = 4, 3, 2, 2, 1
	sz.Ingresses, sz.Groups = 4, 2
	h := newHarness(t, sz, true, sz.Nodes, sz.ChurnNodes)
	svcs := newServices(h.kube.Namespace, sz.Services, sz.IPFraction, sz.Endpoints)
	ings := newIngresses(h.kube.Namespace, sz.Ingresses, sz.Groups, sz.IngIPFrac, sz.Endpoints, sz.Services*sz.Endpoints)
	h.work = []workload{svcs, ings}
	_, inst := svcs.counts()
	_, ingInst := ings.counts()

	cold, _ := h.coldStart()
	t.Log(cold)
	if n := cold.calls.Count("CreateLoadBalancer"); n != sz.Services+sz.Groups {
		t.Errorf("cold start: %d CreateLoadBalancer calls for %d Services and %d IngressGroups", n, sz.Services, sz.Groups)
	}

	r := h.restart()
	t.Log(r)
	if r.mutations() != 0 {
		t.Errorf("restart on a converged world made %d mutating calls:\n%s", r.mutations(), r)
	}
	// One page of the VPC's groups, plus the fresh read of the node SG that
	// targetsg makes before deciding on revokes (once or twice, by timing):
	// not one per Service or group.
	if n := r.ops("DescribeSecurityGroups"); n > 3 {
		t.Errorf("restart described security groups %d times, want one page and at most two fresh reads of the node SG", n)
	}

	// The stacks converged before it are recorded (deploy.Record): a
	// restart reads the listings only, never a stack's listeners, rules,
	// attributes or targets.
	for _, a := range []string{"DescribeListeners", "DescribeRules", "DescribeTargetHealth", "DescribeTargetGroupAttributes", "DescribeLoadBalancerAttributes"} {
		if n := r.ops(a); n != 0 {
			t.Errorf("restart made %d %s calls, want none (per-stack reads of recorded stacks)", n, a)
		}
	}

	rs := h.resync(sz.Resyncs)
	if rs.calls.Total != 0 {
		t.Errorf("%d resyncs of %d unchanged Services and %d IngressGroups made AWS calls:\n%s", sz.Resyncs, sz.Services, sz.Groups, rs)
	}

	d, found := h.driftCheck()
	t.Log(d)
	if found != 0 {
		t.Errorf("drift check on a converged world found %d objects drifted", found)
	}
	// One page of security groups, one of load balancers, one of target
	// groups: nothing per object (driftCheck waits for the controller to go
	// quiet first, so these are the check's own calls). The check enqueues
	// the target SGs it compared; targetsg may re-read the one node SG
	// fresh before deciding on revokes (by timing): one call per target
	// SG, not per object.
	// Counted as operations: a retried attempt is the SDK's.
	sgs, lbs, tgs := d.ops("DescribeSecurityGroups"), d.ops("DescribeLoadBalancers"), d.ops("DescribeTargetGroups")
	if sgs < 1 || sgs > 2 || lbs != 1 || tgs != 1 || d.calls.Total-retried(d) != sgs+2 {
		t.Errorf("drift check: %d DescribeSecurityGroups, %d DescribeLoadBalancers and %d DescribeTargetGroups operations, %d calls in all; want one page of each (plus at most one fresh read of the node SG) and nothing else:\n%s",
			sgs, lbs, tgs, d.calls.Total, d)
	}

	// One phase for both (each convergence wait costs settle): Ingress 0
	// gets a new path, then moves to the other group.
	ch := h.churn("path change and group move", func(ctx context.Context) (int, error) {
		n, err := ings.change(ctx, h.kc, 1)
		if err != nil {
			return 0, err
		}
		m, err := ings.moveGroups(ctx, h.kc, 1)
		return n + m, err
	})
	t.Log(ch)
	if n := ch.calls.Count("CreateLoadBalancer") + ch.calls.Count("DeleteLoadBalancer"); n != 0 {
		t.Errorf("%s: %d load balancers created or deleted, want 0:\n%s", ch.name, n, ch)
	}

	c := h.churnNodes(sz.ChurnNodes)
	t.Log(c)
	if reg, dereg := c.calls.Count("RegisterTargets"), c.calls.Count("DeregisterTargets"); reg > inst+ingInst || dereg > inst+ingInst {
		t.Errorf("a node joining and one leaving: %d RegisterTargets and %d DeregisterTargets for %d instance target groups",
			reg, dereg, inst+ingInst)
	}
}

// retried sums a phase's retried attempts.
func retried(r phaseResult) int {
	n := 0
	for _, k := range r.retried {
		n += k
	}
	return n
}
