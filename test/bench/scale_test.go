package bench

import (
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

// TestScaleTiny runs scenarios 1–4 at a tiny size with AWS's buckets and
// checks the properties the benchmarks measure: a restart makes no
// mutation and lists security groups once, resyncs make no AWS call, a drift check reads one page of
// security groups and finds nothing, and node churn registers and
// deregisters at most once per instance target group.
func TestScaleTiny(t *testing.T) {
	sz := defaultSizes()
	sz.Services, sz.Nodes, sz.Endpoints, sz.Resyncs, sz.ChurnNodes = 4, 3, 2, 2, 1
	h := newHarness(t, sz, true, sz.Nodes, sz.ChurnNodes)
	svcs := newServices(h.kube.Namespace, sz.Services, sz.IPFraction, sz.Endpoints)
	h.work = []workload{svcs}
	_, inst := svcs.counts()

	cold, _ := h.coldStart()
	t.Log(cold)
	if n := cold.calls.Count("CreateLoadBalancer"); n != sz.Services {
		t.Errorf("cold start: %d CreateLoadBalancer calls for %d Services", n, sz.Services)
	}

	r := h.restart()
	t.Log(r)
	if r.mutations() != 0 {
		t.Errorf("restart on a converged world made %d mutating calls:\n%s", r.mutations(), r)
	}
	// One page of the VPC's groups, plus the fresh read of the node SG that
	// targetsg makes before deciding on revokes (once or twice, by timing):
	// not one per Service.
	if n := r.calls.Count("DescribeSecurityGroups"); n > 3 {
		t.Errorf("restart described security groups %d times, want one page and at most two fresh reads of the node SG", n)
	}

	rs := h.resync(sz.Resyncs)
	if rs.calls.Total != 0 {
		t.Errorf("%d resyncs of %d unchanged Services made AWS calls:\n%s", sz.Resyncs, sz.Services, rs)
	}

	d, found := h.driftCheck()
	t.Log(d)
	if found != 0 {
		t.Errorf("drift check on a converged world found %d objects drifted", found)
	}
	if n := d.calls.Count("DescribeSecurityGroups"); n != 1 || d.mutations() != 0 {
		t.Errorf("drift check: %d DescribeSecurityGroups pages, %d mutations; want 1 and 0:\n%s", n, d.mutations(), d)
	}

	c := h.churnNodes(sz.ChurnNodes)
	t.Log(c)
	if reg, dereg := c.calls.Count("RegisterTargets"), c.calls.Count("DeregisterTargets"); reg > inst || dereg > inst {
		t.Errorf("a node joining and one leaving: %d RegisterTargets and %d DeregisterTargets for %d instance target groups", reg, dereg, inst)
	}
}
