package bench

import (
	"context"
	"math"
	"testing"
)

// phase runs one scenario as a sub-benchmark. The scenario runs on the
// first call only; when the framework calls again to grow b.N (no
// -benchtime=1x), the same result is reported again.
func phase(b *testing.B, h *harness, name string, run func() func(*testing.B)) {
	b.Helper()
	var report func(*testing.B)
	b.Run(name, func(b *testing.B) {
		if report == nil {
			saved := h.tb
			h.tb = b
			defer func() { h.tb = saved }()
			report = run()
		}
		report(b)
	})
}

// BenchmarkServices runs scenarios 1–4 on NLB Services, in order, on one
// world: cold start, restart, resyncs and a drift check, port and node
// churn. Sizes: LBSG_BENCH_* (config_test.go).
func BenchmarkServices(b *testing.B) { scenarios(b, false) }

// BenchmarkMixed runs scenarios 1–4 on NLB Services and Ingresses in
// explicit IngressGroups together (issue 9's scenario 1 at full size: 500
// Services, 500 Ingresses in 100 groups), plus two Ingress churns: paths
// change, and members move between groups. Sizes: LBSG_BENCH_* with
// LBSG_BENCH_INGRESSES and LBSG_BENCH_GROUPS.
func BenchmarkMixed(b *testing.B) { scenarios(b, true) }

func scenarios(b *testing.B, withIngresses bool) {
	sz := sizesFromEnv(b)
	h := newHarness(b, sz, sz.Throttle && sz.ColdThrottle, sz.Nodes, sz.ChurnNodes)
	svcs := newServices(h.kube.Namespace, sz.Services, sz.IPFraction, sz.Endpoints)
	svcs.tlsFrac = sz.TLSFraction
	h.work = []workload{svcs}
	ip, inst := svcs.counts()
	b.Logf("%d Services (%d ip × %d endpoints, %d instance; %d with a TLS listener), %d nodes, throttle %v, --max-concurrent-reconciles %d",
		sz.Services, ip, sz.Endpoints, inst, svcs.tlsCount(), sz.Nodes, sz.Throttle, sz.Concurrency)
	var ings *ingresses
	if withIngresses {
		ings = newIngresses(h.kube.Namespace, sz.Ingresses, sz.Groups, sz.IngIPFrac, sz.Endpoints, sz.Services*sz.Endpoints)
		h.work = append(h.work, ings)
		iip, iinst := ings.counts()
		inst += iinst
		b.Logf("%d Ingresses in %d groups (%d ip × %d endpoints, %d instance)", sz.Ingresses, sz.Groups, iip, sz.Endpoints, iinst)
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
		return func(b *testing.B) { r.report(b); m.report(b) }
	})
	phase(b, h, "2-restart", func() func(*testing.B) {
		ensureCold()
		if sz.Throttle && !h.throttle {
			h.throttleOn()
		}
		r := h.restart()
		return r.report
	})
	phase(b, h, "3-resync", func() func(*testing.B) {
		ensureCold()
		r := h.resync(sz.Resyncs)
		return r.report
	})
	phase(b, h, "3-drift-check", func() func(*testing.B) {
		ensureCold()
		r, found := h.driftCheck()
		s, err := h.emu.summary(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		return func(b *testing.B) {
			r.report(b)
			b.ReportMetric(float64(found), "drift-found")
			b.ReportMetric(float64(s.SecurityGroups), "security-groups")
			b.ReportMetric(math.Ceil(float64(s.SecurityGroups)/1000), "sg-pages")
		}
	})
	phase(b, h, "4-churn-ports", func() func(*testing.B) {
		ensureCold()
		r := h.churnPorts(sz.ChurnPct)
		return r.report
	})
	if ings != nil {
		phase(b, h, "4-churn-paths", func() func(*testing.B) {
			ensureCold()
			r := h.churn("path change", func(ctx context.Context) (int, error) { return ings.change(ctx, h.kc, sz.ChurnPct) })
			return r.report
		})
		phase(b, h, "4-churn-groups", func() func(*testing.B) {
			ensureCold()
			r := h.churn("group move", func(ctx context.Context) (int, error) { return ings.moveGroups(ctx, h.kc, sz.ChurnPct) })
			return r.report
		})
	}
	phase(b, h, "4-churn-nodes", func() func(*testing.B) {
		ensureCold()
		r := h.churnNodes(sz.ChurnNodes)
		return func(b *testing.B) {
			r.report(b)
			if inst > 0 {
				b.ReportMetric(float64(r.calls.Count("RegisterTargets"))/float64(inst), "register/instance-tg")
				b.ReportMetric(float64(r.calls.Count("DeregisterTargets"))/float64(inst), "deregister/instance-tg")
			}
		}
	})
}

// BenchmarkMemory is scenario 5: LBSG_BENCH_MEM_LBS load balancers of
// LBSG_BENCH_MEM_TARGETS targets each (instance ones on that many Nodes,
// ip ones on that many endpoints), cold start then restart; heap and RSS
// of the controller's process.
func BenchmarkMemory(b *testing.B) {
	sz := sizesFromEnv(b)
	sz.Services, sz.Endpoints = sz.MemLBs, sz.MemTargets
	h := newHarness(b, sz, sz.MemThrottle, sz.MemTargets, 0)
	h.work = []workload{newServices(h.kube.Namespace, sz.MemLBs, sz.IPFraction, sz.MemTargets)}
	b.Logf("%d load balancers × %d targets, throttle %v", sz.MemLBs, sz.MemTargets, sz.MemThrottle)
	cold := false
	phase(b, h, "1-cold-start", func() func(*testing.B) {
		r, m := h.coldStart()
		cold = true
		return func(b *testing.B) { r.report(b); m.report(b) }
	})
	phase(b, h, "2-restart", func() func(*testing.B) {
		if !cold {
			h.coldStart()
			cold = true
		}
		h.smp.resetMemory()
		r := h.restart()
		m := h.memory()
		return func(b *testing.B) { r.report(b); m.report(b) }
	})
}
