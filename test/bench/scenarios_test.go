package bench

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/targetsg"
	"github.com/lbsg/lbsg/internal/emulator"
)

// settle is how long no AWS call must be seen before a world counts as
// converged: longer than targetsg's IncompleteRequeue, the longest pause
// after which the controller still has work to do.
const settle = targetsg.IncompleteRequeue + time.Second

// totalObjects is what every workload created.
func (h *harness) totalObjects() int {
	n := 0
	for _, w := range h.work {
		n += w.objects()
	}
	return n
}

// timeout bounds a convergence wait: far beyond what the buckets need.
func (h *harness) timeout() time.Duration {
	return 3*time.Minute + time.Duration(h.totalObjects())*15*time.Second
}

// converged is "" when no AWS call or reconcile was seen for quiet
// (quietFor), every object has its load balancer, and the emulator holds
// what the objects ask for.
func (h *harness) converged(ctx context.Context, quiet time.Duration) string {
	if !h.quietFor(quiet) {
		return "AWS calls or reconciles still happening"
	}
	for _, w := range h.work {
		if p := w.pending(ctx, h.kc); p != "" {
			return p
		}
	}
	s, err := h.emu.summary(ctx)
	if err != nil {
		return err.Error()
	}
	for _, w := range h.work {
		if p := w.check(s, h.nodeInstances()); p != "" {
			return w.kind() + ": " + p
		}
	}
	return ""
}

// groups is how many IngressGroups the workloads have now.
func (h *harness) groups() int {
	n := 0
	for _, w := range h.work {
		if w.controller() == "ingress" {
			n += len(w.requests())
		}
	}
	return n
}

// result is a phaseResult of this world (with its IngressGroup count).
func (h *harness) result(name string, seconds float64, calls emulator.CallStats, objects int) phaseResult {
	return phaseResult{name: name, seconds: seconds, calls: calls, objects: objects, groups: h.groups()}
}

// memory measures this process now: peaks since resetMemory, and the live
// heap after a forced GC.
func (h *harness) memory() memResult {
	var m memResult
	m.heapPeak, m.livePeak = h.smp.memory()
	m.rssPeak, m.rss = rss()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	m.liveAfterGC = s[0].Value.Uint64()
	m.objects = h.totalObjects()
	return m
}

// coldStart (scenario 1) creates every object, then starts the controller
// and waits until AWS matches; the time is from start to the last
// mutating call.
func (h *harness) coldStart() (phaseResult, memResult) {
	h.tb.Helper()
	ctx := h.tb.Context()
	for _, w := range h.work {
		if err := w.create(ctx, h.kc); err != nil {
			h.tb.Fatal(err)
		}
	}
	h.smp.resetMemory()
	before := h.callsNow()
	m := h.startManager()
	h.waitFor("cold start to converge", h.timeout(), func(ctx context.Context) string { return h.converged(ctx, settle) })
	_, _, lastMutation := h.smp.snapshot()
	r := h.result("cold start", since(m.started, lastMutation), delta(h.callsNow(), before), h.totalObjects())
	if h.throttle {
		r.bucketMin, r.limiting = bucketMinimum(r.calls, false)
	}
	return r, h.memory()
}

// wantReconciles is, per controller, how many reconciles one pass over
// every workload's requests makes.
func (h *harness) wantReconciles() map[string]int {
	want := map[string]int{}
	for _, w := range h.work {
		want[w.controller()] += len(w.requests())
	}
	return want
}

// restart (scenario 2) stops the controller and starts a fresh one (new
// caches) on the converged world; steady state is every object (Service,
// IngressGroup) reconciled, no reconcile for 1.5 s and no AWS call or
// reconcile of any controller for settle. The time runs to the last AWS call or reconcile.
func (h *harness) restart() phaseResult {
	h.tb.Helper()
	h.stopManager()
	before, retried := h.callsNow(), h.retries.snapshot()
	m := h.startManager()
	want := h.wantReconciles()
	count, changed := map[string]int{}, time.Now()
	h.waitFor("the restarted controller to settle", h.timeout(), func(ctx context.Context) string {
		behind := ""
		for _, c := range slices.Sorted(maps.Keys(want)) {
			if n := m.reconciles(c); n != count[c] {
				count[c], changed = n, time.Now()
			}
			if count[c] < want[c] && behind == "" {
				behind = fmt.Sprintf("%d of %d %s reconciles", count[c], want[c], c)
			}
		}
		switch {
		case behind != "":
			return behind
		case time.Since(changed) < 1500*time.Millisecond:
			return "still busy"
		}
		// Quiet for settle, reconciles included (quietFor): a target SG
		// held back while some stack had not reported yet looks again after
		// IncompleteRequeue, and that read belongs to the restart, not to
		// whatever is measured next.
		return h.converged(ctx, settle)
	})
	_, lastCall, _ := h.smp.snapshot()
	end := changed
	if lastCall.After(end) {
		end = lastCall
	}
	r := h.result("restart", since(m.started, end), delta(h.callsNow(), before), h.totalObjects())
	r.retried = h.retriedSince(retried)
	if h.throttle {
		// Every call of a restart is a read: the buckets bound them all.
		r.bucketMin, r.limiting = bucketMinimum(r.calls, true)
	}
	return r
}

// throttleOn turns AWS's buckets on in the emulator, and lbsg's
// client-side ones in the next controller started.
func (h *harness) throttleOn() {
	h.tb.Helper()
	if err := h.emu.setThrottle(h.tb.Context(), true); err != nil {
		h.tb.Fatal(err)
	}
	h.throttle = true
}

// resync (scenario 3) re-enqueues every object (Service, IngressGroup)
// and every target SG rounds times, as informer resyncs would, waiting for
// each round to be reconciled.
func (h *harness) resync(rounds int) phaseResult {
	h.tb.Helper()
	m := h.mgr
	var reqs []registry.SGKey
	reqs = append(reqs, registry.SGKey{GroupID: h.world.NodeSG})
	before := h.callsNow()
	t0 := time.Now()
	objects := 0
	want := h.wantReconciles()
	for range rounds {
		start := map[string]int{}
		for c := range want {
			start[c] = m.reconciles(c)
		}
		sg := m.reconciles("targetsg")
		for _, w := range h.work {
			r := w.requests()
			switch w.controller() {
			case "ingress":
				m.ctrls.Drift.Ingresses.Enqueue(r...)
			case gateway.ControllerName:
				m.ctrls.Drift.Gateways.Enqueue(r...)
			case gateway.ALBControllerName:
				m.ctrls.Drift.ALBGateways.Enqueue(r...)
			default:
				m.ctrls.Drift.Services.Enqueue(r...)
			}
			objects += len(r)
		}
		m.ctrls.Drift.TargetSGs.Enqueue(reqs...)
		h.waitFor("a resync round", h.timeout(), func(context.Context) string {
			for _, c := range slices.Sorted(maps.Keys(want)) {
				if got := m.reconciles(c) - start[c]; got < want[c] {
					return fmt.Sprintf("%d of %d %s reconciles", got, want[c], c)
				}
			}
			if m.reconciles("targetsg") == sg {
				return "target SG not reconciled"
			}
			return ""
		})
	}
	secs := time.Since(t0).Seconds()
	// Quiet for settle, not a second: a target SG a round held back looks
	// again after IncompleteRequeue, and that read is the resyncs' cost,
	// not the drift check's.
	h.waitQuiet("quiet after resyncs")
	return h.result(fmt.Sprintf("%d resyncs", rounds), secs, delta(h.callsNow(), before), objects)
}

// driftCheck (scenario 3) runs one drift check and returns what it cost
// and whether it found drift (it must not, on a converged world). It
// first waits for the controller to go quiet, as the restart and the
// resyncs do before they end: a read still due from an earlier phase (a
// target SG held back for IncompleteRequeue) would otherwise land in the
// window and count as the drift check's.
func (h *harness) driftCheck() (phaseResult, int) {
	h.tb.Helper()
	h.waitQuiet("quiet before the drift check")
	before, retried := h.callsNow(), h.retries.snapshot()
	t0 := time.Now()
	res, err := h.mgr.ctrls.Drift.Check(h.tb.Context())
	if err != nil {
		h.tb.Fatal(err)
	}
	r := h.result("drift check", time.Since(t0).Seconds(), delta(h.callsNow(), before), h.totalObjects())
	r.retried = h.retriedSince(retried)
	return r, len(res.Stacks) + len(res.TargetSGs)
}

// retriedSince returns, by operation, the retried attempts since before (a
// retries snapshot).
func (h *harness) retriedSince(before map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range h.retries.snapshot() {
		if d := n - before[op]; d > 0 {
			out[op] = d
		}
	}
	return out
}

// churn (scenario 4) applies a change (returning how many objects it
// changed) and waits for the world to converge again; objects in the
// result are the changes, so calls per object are calls per change.
func (h *harness) churn(what string, change func(ctx context.Context) (int, error)) phaseResult {
	h.tb.Helper()
	before := h.callsNow()
	t0 := time.Now()
	changed, err := change(h.tb.Context())
	if err != nil {
		h.tb.Fatal(err)
	}
	h.waitFor(what+" to converge", h.timeout(), func(ctx context.Context) string { return h.converged(ctx, settle) })
	_, _, lastMutation := h.smp.snapshot()
	return h.result(fmt.Sprintf("%s on %d objects", what, changed), max(0, since(t0, lastMutation)),
		delta(h.callsNow(), before), changed)
}

// churnPorts (scenario 4) changes the port of pct % of the Services.
func (h *harness) churnPorts(pct int) phaseResult {
	return h.churn("port change", func(ctx context.Context) (int, error) {
		n := 0
		for _, w := range h.work {
			if s, ok := w.(*services); ok {
				k, err := s.change(ctx, h.kc, pct)
				if err != nil {
					return 0, err
				}
				n += k
			}
		}
		return n, nil
	})
}

// churnNodes (scenario 4) has n Nodes join and n others leave at once.
func (h *harness) churnNodes(n int) phaseResult {
	h.tb.Helper()
	before := h.callsNow()
	t0 := time.Now()
	for range n {
		h.joinNode()
	}
	for range n {
		h.leaveNode()
	}
	h.waitFor("node changes to converge", h.timeout(), func(ctx context.Context) string { return h.converged(ctx, settle) })
	_, _, lastMutation := h.smp.snapshot()
	return h.result(fmt.Sprintf("%d nodes join, %d leave", n, n), max(0, since(t0, lastMutation)),
		delta(h.callsNow(), before), 2*n)
}
