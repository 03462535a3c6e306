package elbv2_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// TestServiceResourcesThroughBothProviders drives what the Service
// reconciler will do for a two-port NLB Service, through both providers, and
// measures AWS calls per phase: create, resync with nothing changed, delete.
// With 30% of calls throttled, the retryer carries every phase through.
func TestServiceResourcesThroughBothProviders(t *testing.T) {
	for _, tt := range []struct {
		name     string
		throttle float64
	}{
		{"a two-port NLB Service is created, resynced and deleted", 0},
		{"the same while AWS throttles 30% of calls", 0.3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := emutest.Start(t, emutest.WithOptions(emulator.Options{Throttle: true}))
			seed := env.Seeded(t)
			c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: time.Millisecond})
			ec2p := cloudec2.New(c.EC2)
			elbp := cloudelbv2.New(c.ELBV2)
			ctx := t.Context()
			nodeBefore := awsRules(t, env, seed.NodeSG)
			env.Server.Faults().Set(emulator.FaultSpec{Throttle: tt.throttle, Seed: 7})
			env.Server.ResetCalls()

			stack := naming.ServiceStack("default", "web")
			match := func(tags map[string]string) bool { return naming.OwnsStackResource(tags, cluster, stack) }
			ports := []int32{80, 443}
			nodePorts := []int32{30080, 30443}

			// Create.
			sg, err := ec2p.CreateSecurityGroup(ctx, cloudec2.NewGroup{
				VPCID: seed.VPCID, Name: naming.ServiceManagedSGName(cluster, "default", "web", "uid-1"),
				Description: naming.ManagedSGDescription, Tags: naming.ManagedSGTags(cluster, stack, nil),
			})
			if err != nil {
				t.Fatal(err)
			}
			frontend := rules.Set{}
			backend := rules.Set{}
			for i, p := range ports {
				frontend.Add(rules.MustKey("tcp", p, p, "0.0.0.0/0"), "")
				backend.Add(rules.MustKey("tcp", nodePorts[i], nodePorts[i], sg), naming.RuleDescription(cluster))
			}
			if err := ec2p.AuthorizeIngress(ctx, sg, frontend); err != nil {
				t.Fatal(err)
			}
			lb, err := elbp.CreateLoadBalancer(ctx, cloudelbv2.NewLoadBalancer{
				Name: naming.ServiceLBName(cluster, "default", "web", "uid-1", naming.SchemeInternal), Type: "network",
				Scheme: naming.SchemeInternal, Subnets: seed.PrivateSubnets, SecurityGroups: []string{sg},
				Tags: naming.TrackingTags(cluster, stack, naming.ResourceLoadBalancer),
			})
			if err != nil {
				t.Fatal(err)
			}
			enis, err := ec2p.InstanceENIs(ctx, seed.Instances)
			if err != nil {
				t.Fatal(err)
			}
			var targets []string
			for _, e := range enis {
				targets = append(targets, e.InstanceID)
			}
			for i, p := range ports {
				tg, err := elbp.CreateTargetGroup(ctx, cloudelbv2.NewTargetGroup{
					Name: naming.ServiceTargetGroupName(cluster, naming.ServiceTargetGroup{Namespace: "default", Name: "web", UID: "uid-1",
						TargetPort: nodePorts[i], ServicePort: p, TargetType: "instance", Protocol: "TCP", HealthCheckProtocol: "TCP"}),
					Protocol: "TCP", Port: nodePorts[i], VPCID: seed.VPCID, TargetType: "instance",
					Tags: naming.TrackingTags(cluster, stack, naming.ServiceTargetGroupResourceID("default", "web", p)),
				})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := elbp.CreateListener(ctx, lb.ARN, cloudelbv2.ListenerSpec{Protocol: "TCP", Port: p, DefaultActions: []cloudelbv2.Action{{
					Type: "forward", TargetGroups: []cloudelbv2.WeightedTargetGroup{{ARN: tg.ARN}},
				}}}, naming.TrackingTags(cluster, stack, naming.ListenerResourceID(p))); err != nil {
					t.Fatal(err)
				}
				var ts []cloudelbv2.Target
				for _, id := range targets {
					ts = append(ts, cloudelbv2.Target{ID: id, Port: nodePorts[i]})
				}
				if _, _, err := elbp.SyncTargets(ctx, tg.ARN, ts); err != nil {
					t.Fatal(err)
				}
			}
			if err := ec2p.AuthorizeIngress(ctx, seed.NodeSG, backend); err != nil {
				t.Fatal(err)
			}
			created := env.Server.Calls()
			env.Server.ResetCalls()

			// Resync: everything the reconciler reads, nothing changed.
			read := func() []cloudelbv2.TargetGroup {
				t.Helper()
				lbs, err := elbp.FindLoadBalancers(ctx, seed.VPCID, match)
				if err != nil || len(lbs) != 1 {
					t.Fatalf("stack LBs %+v, %v", lbs, err)
				}
				tgs, err := elbp.FindTargetGroups(ctx, seed.VPCID, match)
				if err != nil || len(tgs) != 2 {
					t.Fatalf("stack TGs %+v, %v", tgs, err)
				}
				if ls, err := elbp.Listeners(ctx, lbs[0].ARN); err != nil || len(ls) != 2 {
					t.Fatalf("listeners %+v, %v", ls, err)
				}
				for _, tg := range tgs {
					if th, err := elbp.Targets(ctx, tg.ARN); err != nil || len(th) != len(targets) {
						t.Fatalf("targets %+v, %v", th, err)
					}
				}
				if _, err := ec2p.InstanceENIs(ctx, seed.Instances); err != nil {
					t.Fatal(err)
				}
				owned, err := ec2p.OwnedSecurityGroups(ctx, seed.VPCID, cluster)
				if err != nil || len(owned) != 1 || !owned[0].Ingress.SameKeys(frontend) {
					t.Fatalf("owned SGs %+v, %v", owned, err)
				}
				node, err := ec2p.SecurityGroup(ctx, seed.NodeSG)
				if err != nil || !node.Ingress.Intersect(backend).SameKeys(backend) {
					t.Fatalf("node SG %+v, %v", node, err)
				}
				return tgs
			}
			tgs := read()
			resync := env.Server.Calls()
			env.Server.ResetCalls()

			// Delete, in dependency order.
			if _, err := ec2p.RevokeIngress(ctx, seed.NodeSG, backend, naming.RulePredicate(cluster, false)); err != nil {
				t.Fatal(err)
			}
			if err := elbp.DeleteLoadBalancer(ctx, lb.ARN); err != nil {
				t.Fatal(err)
			}
			for _, tg := range tgs {
				if err := elbp.DeleteTargetGroup(ctx, tg.ARN); err != nil {
					t.Fatal(err)
				}
			}
			if err := ec2p.DeleteSecurityGroup(ctx, sg); err != nil {
				t.Fatal(err)
			}
			deleted := env.Server.Calls()

			t.Logf("AWS calls: create %d (%d errors), resync %d, delete %d (%d errors)",
				created.Total, created.Errors, resync.Total, deleted.Total, deleted.Errors)
			t.Logf("create: %v", created.Actions)
			// The providers keep nothing (cloud/state is the cache): a
			// resync reads, and with nothing changed writes nothing.
			for action := range resync.Actions {
				if !strings.Contains(action, ":Describe") {
					t.Errorf("a resync with nothing changed wrote: %v", resync.Actions)
				}
			}
			if tt.throttle == 0 && (created.Total > 16 || deleted.Total > 6) {
				t.Errorf("create %d calls (want ≤ 16), delete %d (want ≤ 6)", created.Total, deleted.Total)
			}

			// Nothing is left, and the node SG is as it was.
			env.Server.Faults().Clear()
			if lbs, err := elbp.LoadBalancers(ctx, seed.VPCID); err != nil || len(lbs) != 0 {
				t.Errorf("LBs left: %+v, %v", lbs, err)
			}
			if tgs, err := elbp.TargetGroups(ctx, seed.VPCID); err != nil || len(tgs) != 0 {
				t.Errorf("TGs left: %+v, %v", tgs, err)
			}
			if owned, err := ec2p.OwnedSecurityGroups(ctx, seed.VPCID, cluster); err != nil || len(owned) != 0 {
				t.Errorf("SGs left: %+v, %v", owned, err)
			}
			if got := awsRules(t, env, seed.NodeSG); !got.Equal(nodeBefore) {
				t.Errorf("node SG rules %v, want them as before %v", got, nodeBefore)
			}
		})
	}
}

func awsRules(t *testing.T, env *emutest.Env, id string) rules.Set {
	t.Helper()
	out, err := cloudec2.New(env.EC2).SecurityGroup(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return out.Ingress
}
