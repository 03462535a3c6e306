package chaos_test

import (
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/options"
)

const cluster = "chaos"

// world is one emulator, one apiserver with Nodes for the seeded instances,
// foreign state seeded, and an invariant monitor.
type world struct {
	e        *emu
	k        *kube
	mon      *monitor
	foreign  foreign
	groups   []string
	nodeTags string
}

func newWorld(t *testing.T, seed uint64) *world {
	t.Helper()
	e := startEmulator(t, emulator.DefaultSeed(cluster, "us-west-2"), cluster)
	k := startKube(t)
	k.addNodes(t, cluster, e.seed.Instances)
	w := &world{e: e, k: k}
	w.groups = seedForeign(t, newRand(seed, 1), e, cluster, []string{e.seed.NodeSG}, "a")
	w.foreign = e.snapshotForeign(t, w.groups, []string{e.seed.NodeSG})
	w.nodeTags = e.nodeTags(t, []string{e.seed.NodeSG})
	w.mon = startMonitor(t, e, []string{e.seed.NodeSG}, cluster)
	return w
}

// checkForeign fails t if anything lbsg does not own changed.
func (w *world) checkForeign(t *testing.T) int {
	t.Helper()
	n := w.foreign.unchanged(t, w.e, []string{w.e.seed.NodeSG})
	if got := w.e.nodeTags(t, []string{w.e.seed.NodeSG}); got != w.nodeTags {
		t.Errorf("node SG tags changed:\nbefore %s\nafter  %s", w.nodeTags, got)
	}
	return n
}

// chaosIngresses are the Ingress generator of the runs: three explicit
// groups, and implicit ones.
var chaosIngresses = ingresses{groups: []string{"chaos-g0", "chaos-g1", "chaos-g2"}}

// TestKilledControllerConverges creates, updates and deletes a mix of
// Services (NLBs) and Ingresses (ALBs, in explicit and implicit groups)
// while SIGKILLing the controller at random points, then checks
// that everything converges, audit finds nothing leaked, no object ever had
// two load balancers or two managed SGs, and nothing foreign changed; then
// deletes everything, still killing, and checks that nothing is left.
func TestKilledControllerConverges(t *testing.T) {
	sz := runSize()
	seed := *flagSeed
	w := newWorld(t, seed)
	c := newController(t, cluster, w.e, w.k, "--feature-gates="+options.GateNLBGatewayAPI+"=true,"+options.GateALBGatewayAPI+"=true")
	c.start()
	for _, gc := range gatewayClasses() {
		if err := w.k.client.Create(t.Context(), gc); err != nil {
			t.Fatal(err)
		}
	}
	// Its Ingresses are protected too: the monitor checks at every sample
	// that nothing is served with less protection than asked.
	ings := chaosIngresses
	ings.protect = newProtection(ings.groups[0])
	w.mon.watchProtection(ings.protect)
	tgbs := newBindings(w.e.seed.Instances)
	ru := newRun(t, seed, w.e, w.k, cluster, services{}, ings, gateways{}, tgbs)
	// As many objects of each kind as the other runs have Services, up to
	// 20: more would fill the node SG's inbound-rule quota (60, NodePort
	// rules of Services, Ingresses and Gateways), which audit rightly
	// reports as a problem from 90 %.
	objects := min(sz.objects/2, 20) * len(ru.gens)
	t.Logf("seed %d, %d objects, at least %d kill points (replay: -chaos.seed=%d)", seed, objects, sz.kills, seed)

	// Kill points: up 0.3–4 s between kills, so some land while the
	// controller starts (cache sync), most while it reconciles.
	teardownKills := max(2, sz.kills/4)
	k := startKiller(c, w.e, seed, 300*time.Millisecond, 4*time.Second)
	ru.mixed(objects, 250*time.Millisecond)
	k.waitKills(t, sz.kills-teardownKills)
	kills1, writes1 := k.halt(t)
	took := ru.waitConverged(sz.converge)
	t.Logf("converged %v after the last of %d kills (%d after AWS writes); ops %v", took.Round(time.Second), kills1, writes1, ru.ops)
	w.checkForeign(t)

	k = startKiller(c, w.e, seed+1, 300*time.Millisecond, 3*time.Second)
	ru.deleteAll()
	k.waitKills(t, teardownKills)
	kills2, writes2 := k.halt(t)
	took = ru.waitConverged(sz.converge)
	ru.assertNothingOwned()
	tgbs.deleteUserResources(t, w.e)
	compared := w.checkForeign(t)
	w.mon.halt()
	w.mon.check(t)
	calls := w.e.srv.Calls()
	t.Logf("chaos figures: objects=%d (%d Services, %d Ingresses, %d Gateways, %d TargetGroupBindings) kill-points=%d (after AWS writes %d) starts=%d ingress-groups-with-ALB=%d foreign-compared=%d monitor-samples=%d emulator-calls=%d teardown-converged=%v",
		objects, ru.ops["create Service"], ru.ops["create Ingress"], ru.ops["create Gateway"], ru.ops["create TargetGroupBinding"], kills1+kills2, writes1+writes2, c.starts, w.mon.albStackCount(),
		compared, w.mon.sampleCount(), calls.Total, took.Round(time.Second))
	t.Logf("protection asks: %v", ings.protect.figures())
}
