package bench

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/targetsg"
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

// converged is "" when no AWS call was made for quiet, every object has
// its load balancer, and the emulator holds what the objects ask for.
func (h *harness) converged(ctx context.Context, quiet time.Duration) string {
	if !h.quietFor(quiet) {
		return "AWS calls still being made"
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
	r := phaseResult{name: "cold start", seconds: since(m.started, lastMutation), calls: delta(h.callsNow(), before),
		objects: h.totalObjects()}
	if h.throttle {
		r.bucketMin, r.limiting = bucketMinimum(r.calls, false)
	}
	return r, h.memory()
}

// restart (scenario 2) stops the controller and starts a fresh one (new
// caches) on the converged world; steady state is every object reconciled
// and nothing happening for 1.5 s. The time runs to the last AWS call or
// reconcile.
func (h *harness) restart() phaseResult {
	h.tb.Helper()
	h.stopManager()
	before := h.callsNow()
	m := h.startManager()
	n, count, changed := h.totalObjects(), -1, time.Now()
	h.waitFor("the restarted controller to settle", h.timeout(), func(ctx context.Context) string {
		if c := m.reconciles("service"); c != count {
			count, changed = c, time.Now()
		}
		switch {
		case count < n:
			return fmt.Sprintf("%d of %d reconciled", count, n)
		case time.Since(changed) < 1500*time.Millisecond || !h.quietFor(1500*time.Millisecond):
			return "still busy"
		}
		return h.converged(ctx, 0)
	})
	_, lastCall, _ := h.smp.snapshot()
	end := changed
	if lastCall.After(end) {
		end = lastCall
	}
	r := phaseResult{name: "restart", seconds: since(m.started, end), calls: delta(h.callsNow(), before), objects: n}
	if h.throttle {
		// Every call of a restart is a read: the buckets bound them all.
		r.bucketMin, r.limiting = bucketMinimum(r.calls, true)
	}
	return r
}

// resync (scenario 3) re-enqueues every object and every target SG
// rounds times, as informer resyncs would, waiting for each round to be
// reconciled.
func (h *harness) resync(rounds int) phaseResult {
	h.tb.Helper()
	m := h.mgr
	var reqs []registry.SGKey
	reqs = append(reqs, registry.SGKey{GroupID: h.world.NodeSG})
	before := h.callsNow()
	t0 := time.Now()
	objects := 0
	for range rounds {
		svc, sg := m.reconciles("service"), m.reconciles("targetsg")
		want := 0
		for _, w := range h.work {
			r := w.requests()
			want += len(r)
			m.ctrls.Drift.Services.Enqueue(r...)
		}
		m.ctrls.Drift.TargetSGs.Enqueue(reqs...)
		objects += want
		h.waitFor("a resync round", h.timeout(), func(context.Context) string {
			if got := m.reconciles("service") - svc; got < want || m.reconciles("targetsg") == sg {
				return fmt.Sprintf("%d of %d Services reconciled", got, want)
			}
			return ""
		})
	}
	secs := time.Since(t0).Seconds()
	h.waitFor("quiet after resyncs", time.Minute, func(context.Context) string {
		if !h.quietFor(time.Second) {
			return "AWS calls being made"
		}
		return ""
	})
	return phaseResult{name: fmt.Sprintf("%d resyncs", rounds), seconds: secs, calls: delta(h.callsNow(), before), objects: objects}
}

// driftCheck (scenario 3) runs one drift check and returns what it cost
// and whether it found drift (it must not, on a converged world).
func (h *harness) driftCheck() (phaseResult, int) {
	h.tb.Helper()
	before := h.callsNow()
	t0 := time.Now()
	res, err := h.mgr.ctrls.Drift.Check(h.tb.Context())
	if err != nil {
		h.tb.Fatal(err)
	}
	return phaseResult{name: "drift check", seconds: time.Since(t0).Seconds(), calls: delta(h.callsNow(), before),
		objects: h.totalObjects()}, len(res.Stacks) + len(res.TargetSGs)
}

// churnPorts (scenario 4) changes the port of pct % of the objects.
func (h *harness) churnPorts(pct int) phaseResult {
	h.tb.Helper()
	before := h.callsNow()
	t0 := time.Now()
	changed := 0
	for _, w := range h.work {
		k, err := w.changePorts(h.tb.Context(), h.kc, pct)
		if err != nil {
			h.tb.Fatal(err)
		}
		changed += k
	}
	h.waitFor("port changes to converge", h.timeout(), func(ctx context.Context) string { return h.converged(ctx, settle) })
	_, _, lastMutation := h.smp.snapshot()
	return phaseResult{name: fmt.Sprintf("port change on %d objects", changed), seconds: max(0, since(t0, lastMutation)),
		calls: delta(h.callsNow(), before), objects: changed}
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
	return phaseResult{name: fmt.Sprintf("%d nodes join, %d leave", n, n), seconds: max(0, since(t0, lastMutation)),
		calls: delta(h.callsNow(), before), objects: 2 * n}
}
