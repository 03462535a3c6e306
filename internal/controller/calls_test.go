package controller_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/testenv"
)

// quiesce waits until the emulator has seen no call for 500ms and returns
// the total.
func (h *harness) quiesce() int {
	h.t.Helper()
	last, since := h.emu.Server.Calls().Total, time.Now()
	testenv.Eventually(h.t, "AWS calls to stop", func(context.Context) (bool, error) {
		n := h.emu.Server.Calls().Total
		if n != last {
			last, since = n, time.Now()
		}
		return time.Since(since) > 500*time.Millisecond, nil
	})
	return last
}

// createConverged creates n Services and waits, polling only the
// apiserver and then the call log going quiet (the harness's own AWS reads
// would count), for their status; callers check the emulator afterwards.
func (h *harness) createConverged(n int) []*corev1.Service {
	h.t.Helper()
	var svcs []*corev1.Service
	for i := range n {
		s := h.nlbService(fmt.Sprintf("svc-%d", i), 80)
		h.create(s)
		svcs = append(svcs, s)
	}
	testenv.Eventually(h.t, "status written", func(context.Context) (bool, error) {
		for _, s := range svcs {
			if cur := h.get(s); cur == nil || len(cur.Status.LoadBalancer.Ingress) == 0 {
				return false, nil
			}
		}
		return true, nil
	})
	return svcs
}

// resyncAll reconciles every Service and the node SG directly, as a
// resync would.
func (h *harness) resyncAll(ctx context.Context, svcs []*corev1.Service) error {
	for _, s := range svcs {
		if _, err := h.ctrls.Service.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(s)}); err != nil {
			return err
		}
	}
	_, err := h.ctrls.TargetSG.Reconcile(ctx, registry.SGKey{GroupID: h.seed.NodeSG})
	return err
}

func TestResyncOfUnchangedServicesCostsNoAWSCalls(t *testing.T) {
	h := start(t, nil)
	svcs := h.createConverged(3)
	before := h.quiesce()
	if err := h.resyncAll(t.Context(), svcs); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of 3 unchanged Services made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// BenchmarkAWSCalls reports AWS calls, counted by the emulator's call log,
// per Service created, per change (source ranges), per resync of an
// unchanged Service (target 0) and per drift check (independent of the
// number of Services).
func BenchmarkAWSCalls(b *testing.B) {
	saved := clientOptions
	clientOptions.NoRateLimit = true
	b.Cleanup(func() { clientOptions = saved })
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			h := start(b, nil)
			base := h.quiesce()
			svcs := h.createConverged(n)
			created := h.quiesce()
			h.eventually("every Service has its NLB and node rule", func(w world) string {
				ours, _ := h.nodeRules(w)
				if len(w.lbs) != n || len(ours) != n {
					return fmt.Sprintf("%d LBs, %d node rules", len(w.lbs), len(ours))
				}
				return ""
			})
			checked := h.emu.Server.Calls().Total
			if testing.Verbose() {
				st := h.emu.Server.Calls()
				for _, k := range st.Sorted() {
					b.Logf("%s %d", k, st.Actions[k].Calls)
				}
			}
			for _, s := range svcs {
				h.update(s, func(s *corev1.Service) { s.Spec.LoadBalancerSourceRanges = []string{"10.9.0.0/16"} })
			}
			changed := h.quiesce()
			h.eventually("ranges applied", func(w world) string {
				managed, _ := w.ownedSGs()
				for _, sg := range managed {
					if !sg.Ingress.Has(mustKey("tcp", 80, 80, "10.9.0.0/16")) || len(sg.Ingress) != 1 {
						return "not yet"
					}
				}
				return ""
			})
			ctx := b.Context()
			h.quiesce()
			before := h.emu.Server.Calls().Total
			resyncs := 0
			for b.Loop() {
				if err := h.resyncAll(ctx, svcs); err != nil {
					b.Fatal(err)
				}
				resyncs += n
			}
			afterResync := h.emu.Server.Calls().Total
			if _, err := h.ctrls.Drift.Check(ctx); err != nil {
				b.Fatal(err)
			}
			drift := h.emu.Server.Calls().Total - afterResync
			b.ReportMetric(float64(created-base)/float64(n), "aws-calls/service-create")
			b.ReportMetric(float64(changed-checked)/float64(n), "aws-calls/service-change")
			b.ReportMetric(float64(afterResync-before)/float64(resyncs), "aws-calls/service-resync")
			b.ReportMetric(float64(drift), "aws-calls/drift-check")
		})
	}
}

func benchSizes() []int {
	if s := os.Getenv("LBSG_BENCH_SERVICES"); s != "" {
		n, err := strconv.Atoi(s)
		if err == nil {
			return []int{n}
		}
	}
	return []int{2, 8}
}
