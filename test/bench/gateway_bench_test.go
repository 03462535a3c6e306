package bench

import (
	"context"
	"testing"
)

// BenchmarkGateways runs scenarios 1–4 on ALB Gateways (issue 22: 200
// Gateways with 5 HTTPRoutes each on 100 Nodes) and a few NLB Gateways
// (as many TCP listeners and TCPRoutes each) beside them: cold start,
// restart, resyncs of every Gateway and a drift check, HTTPRoute path
// changes and node churn (skipped with LBSG_BENCH_CHURN_NODES=0). Sizes:
// LBSG_BENCH_GATEWAYS, LBSG_BENCH_NLB_GATEWAYS, LBSG_BENCH_ROUTES,
// LBSG_BENCH_NODES and the other LBSG_BENCH_* variables; `make
// bench-gateways` runs the issue's size. Every phase also reports
// calls/route.
func BenchmarkGateways(b *testing.B) {
	sz := sizesFromEnv(b)
	h := newHarness(b, sz, sz.Throttle && sz.ColdThrottle, sz.Nodes, sz.ChurnNodes)
	gws := newGateways(h.kube.Namespace, sz.Gateways, sz.Routes)
	h.work = []workload{gws}
	routes := gws.routes()
	if sz.NLBGateways > 0 {
		nlbs := newNLBGateways(h.kube.Namespace, sz.NLBGateways, sz.Routes)
		h.work = append(h.work, nlbs)
		routes += nlbs.routes()
	}
	b.Logf("%d ALB Gateways × %d HTTPRoutes and %d NLB Gateways × %d TCPRoutes (%d instance target groups), %d nodes, throttle %v (cold start %v), --max-concurrent-reconciles %d",
		sz.Gateways, gws.r, sz.NLBGateways, gws.r, routes, sz.Nodes, sz.Throttle, sz.Throttle && sz.ColdThrottle, sz.Concurrency)
	perRoute := func(r phaseResult) func(*testing.B) {
		return func(b *testing.B) {
			r.report(b)
			b.ReportMetric(float64(r.calls.Total)/float64(routes), "calls/route")
		}
	}
	cold := false
	ensureCold := func() {
		if !cold {
			h.coldStart()
			cold = true
		}
	}
	phase(b, h, "1-cold-start", func() func(*testing.B) {
		r, m := h.coldStart()
		cold = true
		return func(b *testing.B) { perRoute(r)(b); m.report(b) }
	})
	phase(b, h, "2-restart", func() func(*testing.B) {
		ensureCold()
		if sz.Throttle && !h.throttle {
			h.throttleOn()
		}
		return perRoute(h.restart())
	})
	phase(b, h, "3-resync", func() func(*testing.B) {
		ensureCold()
		return perRoute(h.resync(sz.Resyncs))
	})
	phase(b, h, "3-drift-check", func() func(*testing.B) {
		ensureCold()
		r, found := h.driftCheck()
		return func(b *testing.B) {
			perRoute(r)(b)
			b.ReportMetric(float64(found), "drift-found")
		}
	})
	phase(b, h, "4-churn-paths", func() func(*testing.B) {
		ensureCold()
		return perRoute(h.churn("route path change", func(ctx context.Context) (int, error) { return gws.change(ctx, h.kc, sz.ChurnPct) }))
	})
	if sz.ChurnNodes > 0 {
		phase(b, h, "4-churn-nodes", func() func(*testing.B) {
			ensureCold()
			r := h.churnNodes(sz.ChurnNodes)
			return func(b *testing.B) {
				perRoute(r)(b)
				b.ReportMetric(float64(r.calls.Count("RegisterTargets"))/float64(routes), "register/instance-tg")
				b.ReportMetric(float64(r.calls.Count("DeregisterTargets"))/float64(routes), "deregister/instance-tg")
			}
		})
	}
}

// perStackReads are the reads of one load balancer's own state: a restart
// of a recorded (deploy.Record) world makes none of them.
var perStackReads = []string{"DescribeListeners", "DescribeRules", "DescribeTargetHealth", "DescribeTargetGroupAttributes",
	"DescribeLoadBalancerAttributes", "DescribeListenerAttributes", "DescribeListenerCertificates"}

// TestGatewayScaleTiny runs the Gateway scenarios at a tiny size (5 ALB
// Gateways × 2 HTTPRoutes and 2 NLB Gateways × 2 TCPRoutes, 3 Nodes) with
// AWS's buckets and checks what BenchmarkGateways measures: a restart makes
// no mutation and reads the VPC's listings in pages (no read per Gateway,
// route or target group), resyncs of every Gateway make no AWS call, a
// drift check reads one page of each listing, and an HTTPRoute's new path
// is one ModifyRule.
func TestGatewayScaleTiny(t *testing.T) {
	sz := defaultSizes()
	sz.Nodes, sz.Resyncs, sz.ChurnNodes = 3, 2, 0
	h := newHarness(t, sz, true, sz.Nodes, 0)
	gws := newGateways(h.kube.Namespace, 5, 2)
	nlbs := newNLBGateways(h.kube.Namespace, 2, 2)
	h.work = []workload{gws, nlbs}

	cold, _ := h.coldStart()
	t.Log(cold)
	if n := cold.calls.Count("CreateLoadBalancer"); n != gws.n+nlbs.n {
		t.Errorf("cold start: %d CreateLoadBalancer calls for %d Gateways", n, gws.n+nlbs.n)
	}

	r := h.restart()
	t.Log(r)
	if r.mutations() != 0 {
		t.Errorf("restart on a converged world made %d mutating calls:\n%s", r.mutations(), r)
	}
	for _, a := range perStackReads {
		if n := r.ops(a); n != 0 {
			t.Errorf("restart made %d %s calls, want none (per-stack reads of recorded Gateways):\n%s", n, a, r)
		}
	}
	// Listings in pages: one each of load balancers and target groups (7
	// and 14 here), DescribeTags by 20 ARNs (21 ARNs: two calls), the
	// VPC's security groups once plus at most two fresh reads of the node
	// SG by targetsg; nothing per Gateway.
	// The restarted controller's caches start cold: it lists load
	// balancers and target groups once, whatever the number of Gateways
	// (none would mean the phase ended before the Gateways were
	// reconciled).
	for a, want := range map[string][2]int{"DescribeLoadBalancers": {1, 1}, "DescribeTargetGroups": {1, 1}, "DescribeTags": {1, 2},
		"DescribeSecurityGroups": {1, 3}, "DescribeSubnets": {0, 1}, "DescribeInstances": {0, 1}} {
		if n := r.ops(a); n < want[0] || n > want[1] {
			t.Errorf("restart made %d %s calls, want %d to %d (batched, not per Gateway):\n%s", n, a, want[0], want[1], r)
		}
	}

	rs := h.resync(sz.Resyncs)
	if rs.calls.Total != 0 {
		t.Errorf("%d resyncs of %d unchanged Gateways made AWS calls:\n%s", sz.Resyncs, gws.n+nlbs.n, rs)
	}

	d, found := h.driftCheck()
	t.Log(d)
	if found != 0 {
		t.Errorf("drift check on a converged world found %d objects drifted", found)
	}
	sgs, lbs, tgs := d.ops("DescribeSecurityGroups"), d.ops("DescribeLoadBalancers"), d.ops("DescribeTargetGroups")
	if sgs < 1 || sgs > 2 || lbs != 1 || tgs != 1 || d.calls.Total-retried(d) != sgs+2 {
		t.Errorf("drift check: %d DescribeSecurityGroups, %d DescribeLoadBalancers and %d DescribeTargetGroups operations, %d calls in all; want one page of each (plus at most one fresh read of the node SG) and nothing else:\n%s",
			sgs, lbs, tgs, d.calls.Total, d)
	}

	ch := h.churn("route path change", func(ctx context.Context) (int, error) { return gws.change(ctx, h.kc, 1) })
	t.Log(ch)
	if n, m := ch.calls.Count("ModifyRule"), ch.mutations(); n != 1 || m != 1 {
		t.Errorf("%s: %d ModifyRule, %d mutations; want exactly one ModifyRule:\n%s", ch.name, n, m, ch)
	}
}
