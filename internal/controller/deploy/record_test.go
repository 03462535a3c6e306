package deploy_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/model"
)

// memRecord is a deploy.Record in memory; it outlives the deployers of a
// test as the ConfigMap outlives controller processes.
type memRecord struct {
	mu sync.Mutex
	m  map[string]string
}

func (r *memRecord) Get(_ context.Context, key string) (string, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fp, ok := r.m[key]
	return fp, ok, nil
}

func (r *memRecord) Clear(_ context.Context, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, key)
	return nil
}

func (r *memRecord) Set(key, fp string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[key] = fp
}

// restart is a new controller process: fresh caches, the same AWS and
// record; elb wraps the ELBv2 client when not nil.
func (e *albEnv) restart(rec deploy.Record, elb awsapi.ELBV2API) *deploy.Deployer {
	if elb == nil {
		elb = e.emu.ELBv2
	}
	prov := state.New(e.emu.EC2, elb, cluster, e.seed.VPCID)
	reg := registry.New()
	return &deploy.Deployer{
		AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{},
		Defaults:  e.deployer.Defaults, Record: rec,
	}
}

// perStackReads are the reads a stack costs beyond the batched listings.
var perStackReads = []string{"DescribeListeners", "DescribeRules", "DescribeTargetHealth", "DescribeTargetGroupAttributes",
	"DescribeLoadBalancerAttributes"}

func (e *albEnv) perStackReads() map[string]int {
	calls := e.emu.Server.Calls()
	out := map[string]int{}
	for _, a := range perStackReads {
		if n := calls.Count("elasticloadbalancing:" + a); n > 0 {
			out[a] = n
		}
	}
	return out
}

func withoutFirstTarget(s model.Stack) model.Stack {
	s.TargetGroups = slices.Clone(s.TargetGroups)
	s.TargetGroups[0].Targets = slices.Clone(s.TargetGroups[0].Targets[1:])
	return s
}

// TestARestartTrustsTheRecordOnlyWhereItHolds: a stack converged in full
// is recorded; a restart whose model matches the record and whose listings
// agree makes no per-stack read and no change; a changed model, listings
// that disagree, or a change that failed half-way are read in full and
// converged.
func TestARestartTrustsTheRecordOnlyWhereItHolds(t *testing.T) {
	e := startALB(t)
	rec := &memRecord{m: map[string]string{}}
	e.deployer.Record = rec
	desired := e.desired()
	e.apply(t, desired)
	key := e.stack.Key()
	converged, ok, _ := rec.Get(t.Context(), key)
	if !ok {
		t.Fatal("a stack converged in full was not recorded")
	}

	t.Run("unchanged: no per-stack read, no change", func(t *testing.T) {
		e.deployer = e.restart(rec, nil)
		if m := e.apply(t, desired); len(m) != 0 {
			t.Errorf("restart of a converged stack made changes: %v", m)
		}
		if r := e.perStackReads(); len(r) != 0 {
			t.Errorf("restart of a recorded stack read it: %v", r)
		}
	})

	t.Run("a changed model is read in full and recorded anew", func(t *testing.T) {
		e.deployer = e.restart(rec, nil)
		m := e.apply(t, withoutFirstTarget(desired))
		if m["elasticloadbalancing:DeregisterTargets"] != 1 {
			t.Errorf("changes %v, want the target deregistered", m)
		}
		if r := e.perStackReads(); r["DescribeTargetHealth"] == 0 {
			t.Errorf("a changed model was not read in full: %v", r)
		}
		if fp, _, _ := rec.Get(t.Context(), key); fp == converged || fp == "" {
			t.Errorf("record %q after converging a changed model, want a new fingerprint", fp)
		}
		// The reconcile that follows lbsg's own converged change (its
		// status patch triggers one) reads nothing.
		e.emu.Server.ResetCalls()
		if _, err := e.deployer.Apply(t.Context(), e.stack, withoutFirstTarget(desired)); err != nil {
			t.Fatal(err)
		}
		if n := e.emu.Server.Calls().Total; n != 0 {
			t.Errorf("the reconcile after a converged change made %d AWS calls, want none", n)
		}
		e.apply(t, desired)
	})

	t.Run("listings that disagree are read in full", func(t *testing.T) {
		lbs, err := e.emu.ELBv2.DescribeLoadBalancers(t.Context(), &awselbv2.DescribeLoadBalancersInput{Names: []string{desired.LoadBalancer.Name}})
		if err != nil {
			t.Fatal(err)
		}
		// Someone else drops the managed SG from the ALB.
		if _, err := e.emu.ELBv2.SetSecurityGroups(t.Context(), &awselbv2.SetSecurityGroupsInput{
			LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn, SecurityGroups: lbs.LoadBalancers[0].SecurityGroups[1:]}); err != nil {
			t.Fatal(err)
		}
		e.deployer = e.restart(rec, nil)
		if m := e.apply(t, desired); m["elasticloadbalancing:SetSecurityGroups"] != 1 {
			t.Errorf("changes %v, want the SGs set back", m)
		}
	})

	t.Run("a half-applied change is never trusted", func(t *testing.T) {
		// The change deregisters a target, then fails on the attributes.
		half := withoutFirstTarget(desired)
		half.LoadBalancer = new(*desired.LoadBalancer)
		half.LoadBalancer.Attributes = map[string]string{"idle_timeout.timeout_seconds": "60"}
		e.deployer = e.restart(rec, failingAttributes{e.emu.ELBv2})
		if _, err := e.deployer.Apply(t.Context(), e.stack, half); err == nil {
			t.Fatal("the injected failure did not fail the apply")
		}
		if _, ok, _ := rec.Get(t.Context(), key); ok {
			t.Error("the record survived a change that failed half-way")
		}
		// The object goes back to what was recorded before: the restart
		// must still read the stack and register the target again.
		e.deployer = e.restart(rec, nil)
		if m := e.apply(t, desired); m["elasticloadbalancing:RegisterTargets"] != 1 {
			t.Errorf("changes %v, want the deregistered target back", m)
		}
		if fp, _, _ := rec.Get(t.Context(), key); fp != converged {
			t.Errorf("record %q, want the converged fingerprint %q again", fp, converged)
		}
	})
}

type failingAttributes struct{ awsapi.ELBV2API }

func (failingAttributes) ModifyLoadBalancerAttributes(context.Context, *awselbv2.ModifyLoadBalancerAttributesInput, ...func(*awselbv2.Options)) (*awselbv2.ModifyLoadBalancerAttributesOutput, error) {
	return nil, errors.New("injected failure")
}
