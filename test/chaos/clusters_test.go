package chaos_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/naming"
)

// sharedVPCSeed is the default world for cluster a, with the VPC, subnets,
// node SG and instances tagged for cluster b too: two clusters in one VPC
// sharing the node security group.
func sharedVPCSeed(a, b string) emulator.Seed {
	s := emulator.DefaultSeed(a, "us-west-2")
	tag := naming.ClusterTagKey(b)
	v := &s.VPCs[0]
	v.Tags[tag] = "shared"
	for i := range v.Subnets {
		v.Subnets[i].Tags[tag] = "shared"
	}
	for i := range v.SecurityGroups {
		v.SecurityGroups[i].Tags[tag] = "shared"
	}
	for i := range v.Instances {
		v.Instances[i].Tags[tag] = "shared"
	}
	s.Clusters = append(s.Clusters, emulator.SeedCluster{Name: b, VPC: v.Name})
	return s
}

// owns is what one cluster owns, read byte for byte: its SGs whole, its
// rules on the shared node SG, its load balancers and target groups.
func (e *emu) ownedBytes(t *testing.T, c string) (sgs, rules map[string]string, lbs string) {
	t.Helper()
	s, err := e.readState()
	if err != nil {
		t.Fatal(err)
	}
	o := s.owned(c)
	var ids []string
	for _, g := range o.managed {
		for _, sg := range g {
			ids = append(ids, sg.ID)
		}
	}
	for _, sg := range o.backend {
		ids = append(ids, sg.ID)
	}
	sgs = e.describeGroups(t, ids)
	all := (&emu{srv: e.srv, aws: e.aws}).describeRules(t, []string{e.seed.NodeSG})
	rules = map[string]string{}
	mark := `"Description":"` + naming.RuleDescription(c) + `"`
	for id, js := range all {
		if strings.Contains(js, mark) {
			rules[id] = js
		}
	}
	type lbView struct {
		LB  stateLB
		TGs []stateTG
	}
	var view []lbView
	for stack, l := range o.lbs {
		for _, lb := range l {
			view = append(view, lbView{LB: lb, TGs: o.tgs[stack]})
		}
	}
	slices.SortFunc(view, func(x, y lbView) int { return strings.Compare(x.LB.Name, y.LB.Name) })
	for i := range view {
		slices.SortFunc(view[i].TGs, func(x, y stateTG) int { return strings.Compare(x.Name, y.Name) })
	}
	b, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	return sgs, rules, string(b)
}

// TestTwoClustersShareNodeSGs runs two controllers with different
// --cluster-name, each with its own apiserver, in one VPC sharing the node
// SG: both converge with clean audits; then everything of the first is
// deleted (its controller killed on the way) and the second's SGs, rules,
// load balancers and target groups are byte-for-byte as before.
func TestTwoClustersShareNodeSGs(t *testing.T) {
	sz := runSize()
	seed := *flagSeed
	const a, b = "alpha", "beta"
	e := startEmulator(t, sharedVPCSeed(a, b), a, b)
	ka, kb := startKube(t), startKube(t)
	ka.addNodes(t, a, e.seed.Instances[:2])
	kb.addNodes(t, b, e.seed.Instances[1:])
	groups := seedForeign(t, newRand(seed, 3), e, a, []string{e.seed.NodeSG}, "two")
	fgn := e.snapshotForeign(t, groups, []string{e.seed.NodeSG})
	mon := startMonitor(t, e, []string{e.seed.NodeSG}, a, b)

	ca, cb := newController(t, a, e, ka), newController(t, b, e, kb)
	ca.start()
	cb.start()
	rua := newRun(t, seed, e, ka, a, services{}, chaosIngresses)
	rub := newRun(t, seed+100, e, kb, b, services{}, chaosIngresses)
	// Both clusters' rules share the node SG (60 inbound rules), one per
	// NodePort of an instance target: 25 + 25 mixed objects filled it to 56,
	// which audit rightly reports (rule-quota, at 90 %). 20 each stays below.
	half := min(max(4, sz.objects/2), 20)
	rua.create(half, 50*time.Millisecond)
	rub.create(half, 50*time.Millisecond)
	rua.update(half/2, 50*time.Millisecond)
	rub.update(half/2, 50*time.Millisecond)
	rua.waitConverged(sz.converge)
	rub.waitConverged(sz.converge)

	sgsB, rulesB, lbsB := e.ownedBytes(t, b)
	if len(sgsB) == 0 || len(rulesB) == 0 {
		t.Fatalf("cluster %s owns %d SGs and %d node-SG rules; want some of each", b, len(sgsB), len(rulesB))
	}
	if _, rulesA, _ := e.ownedBytes(t, a); len(rulesA) == 0 {
		t.Fatalf("cluster %s has no rule on the shared node SG", a)
	}

	k := startKiller(ca, e, seed, 500*time.Millisecond, 3*time.Second)
	rua.deleteAll()
	k.waitKills(t, 2)
	kills, _ := k.halt(t)
	rua.waitConverged(sz.converge)
	rua.assertNothingOwned()

	sgsB2, rulesB2, lbsB2 := e.ownedBytes(t, b)
	for id, before := range sgsB {
		if sgsB2[id] != before {
			t.Errorf("cluster %s's SG %s changed:\nbefore %s\nafter  %s", b, id, before, sgsB2[id])
		}
	}
	for id, before := range rulesB {
		if rulesB2[id] != before {
			t.Errorf("cluster %s's rule %s changed:\nbefore %s\nafter  %s", b, id, before, rulesB2[id])
		}
	}
	if lbsB2 != lbsB {
		t.Errorf("cluster %s's load balancers changed:\nbefore %s\nafter  %s", b, lbsB, lbsB2)
	}
	rub.waitConverged(sz.converge)
	n := fgn.unchanged(t, e, []string{e.seed.NodeSG})
	mon.halt()
	mon.check(t)
	t.Logf("two-cluster figures: objects %d+%d, %s SGs %d, %s node rules %d, %s kills %d, foreign compared %d",
		half, half, b, len(sgsB), b, len(rulesB), a, kills, n)
}

// TestForeignStateIsNeverChanged is a property test: in rounds, "someone
// else" adds random SGs, rules (LBC's bare marker, another cluster's,
// near-misses of lbsg's, none) and tags, then a random sequence of
// creates, updates and deletes runs to convergence; everything foreign, old
// and new, must be byte-for-byte as it was.
func TestForeignStateIsNeverChanged(t *testing.T) {
	sz := runSize()
	seed := *flagSeed
	rounds := 3
	if *flagFull {
		rounds = 8
	}
	w := newWorld(t, seed)
	c := newController(t, cluster, w.e, w.k)
	c.start()
	ru := newRun(t, seed+7, w.e, w.k, cluster, services{}, chaosIngresses)
	r := newRand(seed, 11)
	groups := slices.Clone(w.groups)
	compared := 0
	for round := range rounds {
		groups = append(groups, seedForeign(t, r, w.e, cluster, []string{w.e.seed.NodeSG}, fmt.Sprintf("r%d", round))...)
		snap := w.e.snapshotForeign(t, groups, []string{w.e.seed.NodeSG})
		w.nodeTags = w.e.nodeTags(t, []string{w.e.seed.NodeSG})
		ops := max(3, sz.objects/3)
		ru.create(1+r.IntN(ops), 0)
		ru.update(r.IntN(ops), 0)
		ru.remove(r.IntN(ops), 0)
		ru.waitConverged(sz.converge)
		compared += snap.unchanged(t, w.e, []string{w.e.seed.NodeSG})
		if got := w.e.nodeTags(t, []string{w.e.seed.NodeSG}); got != w.nodeTags {
			t.Errorf("round %d: node SG tags changed:\nbefore %s\nafter  %s", round, w.nodeTags, got)
		}
	}
	ru.deleteAll()
	ru.waitConverged(sz.converge)
	ru.assertNothingOwned()
	compared += w.checkForeign(t)
	w.mon.halt()
	w.mon.check(t)
	t.Logf("foreign figures: rounds %d, foreign SGs %d, comparisons %d, ops %v", rounds, len(groups), compared, ru.ops)
}
