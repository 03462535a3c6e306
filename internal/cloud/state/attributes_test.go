package state_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// TestAttributesAreReadOnceAndOnlyWhereWanted: FillAttributes reads a
// resource's attributes only when the desired stack has a key lbsg does not
// know yet (a created NLB target group's proxy protocol is known: AWS turns
// it off), once per resource; lbsg's own writes keep what it knows current.
func TestAttributesAreReadOnceAndOnlyWhereWanted(t *testing.T) {
	env := emutest.Start(t)
	seed := env.Seeded(t)
	ctx := t.Context()
	p := state.New(env.EC2, env.ELBv2, "sandbox", seed.VPCID)
	st := naming.ServiceStack("ns", "web")
	tags := func(res string) map[string]string { return naming.TrackingTags("sandbox", st, res) }
	tg := model.TargetGroup{ResourceID: "ns/web:80", Name: "k8s-ns-web-attrs", ServicePort: 80, Port: 30080, Protocol: "TCP", TargetType: "instance",
		IPAddressType: "ipv4", HealthCheck: model.HealthCheck{Protocol: "TCP", Port: "traffic-port", Interval: 10, Timeout: 10, Healthy: 3, Unhealthy: 3},
		Tags: tags("ns/web:80")}
	tgARN, err := p.CreateTargetGroup(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := p.CreateLoadBalancer(ctx, model.LoadBalancer{Name: "k8s-ns-web-attrs", Scheme: "internal", IPAddressType: "ipv4",
		Subnets: seed.PrivateSubnets, Tags: tags(naming.ResourceLoadBalancer)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := model.Listener{Port: 80, Protocol: "TCP", TargetGroup: tg.ResourceID}
	if _, err := p.CreateListener(ctx, lb.ARN, l, map[string]string{tg.ResourceID: tgARN}); err != nil {
		t.Fatal(err)
	}
	desired := func(lbAttrs, tgAttrs, lAttrs map[string]string) model.Stack {
		d := model.Stack{ID: st, LoadBalancer: &model.LoadBalancer{Name: "k8s-ns-web-attrs", Scheme: "internal", IPAddressType: "ipv4",
			Subnets: seed.PrivateSubnets, Attributes: lbAttrs},
			TargetGroups: []model.TargetGroup{tg}, Listeners: []model.Listener{l}}
		d.TargetGroups[0].Attributes, d.Listeners[0].Attributes = tgAttrs, lAttrs
		return d
	}
	reads := func() map[string]int {
		c := env.Server.Calls()
		return map[string]int{"lb": c.Count("DescribeLoadBalancerAttributes"), "tg": c.Count("DescribeTargetGroupAttributes"),
			"listener": c.Count("DescribeListenerAttributes")}
	}
	fill := func(d model.Stack) (plan.Snapshot, map[string]int) {
		t.Helper()
		p.Invalidate(st.Key())
		snap, err := p.Snapshot(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		before := reads()
		snap, err = p.FillAttributes(ctx, d, snap)
		if err != nil {
			t.Fatal(err)
		}
		after := reads()
		for k := range after {
			after[k] -= before[k]
		}
		return snap, after
	}
	eqReads := func(step string, got, want map[string]int) {
		t.Helper()
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %d %s attribute reads, want %d", step, got[k], k, w)
			}
		}
	}

	snap, n := fill(desired(nil, nil, nil))
	eqReads("no desired attributes", n, map[string]int{"lb": 0, "tg": 0, "listener": 0})
	if snap.LoadBalancer.Attributes != nil || snap.TargetGroups[0].Attributes != nil || snap.Listeners[0].Attributes != nil {
		t.Errorf("attributes filled without being wanted: %+v", snap)
	}

	snap, n = fill(desired(nil, map[string]string{model.AttrProxyProtocolV2: "false"}, nil))
	eqReads("the default proxy protocol of a created group", n, map[string]int{"tg": 0})
	if got := snap.TargetGroups[0].Attributes[model.AttrProxyProtocolV2]; got != "false" {
		t.Errorf("proxy protocol known as %q", got)
	}

	want := desired(map[string]string{"load_balancing.cross_zone.enabled": "true"},
		map[string]string{"deregistration_delay.timeout_seconds": "30"}, map[string]string{"tcp.idle_timeout.seconds": "600"})
	snap, n = fill(want)
	eqReads("unknown keys", n, map[string]int{"lb": 1, "tg": 1, "listener": 1})
	if snap.LoadBalancer.Attributes["load_balancing.cross_zone.enabled"] != "false" || snap.TargetGroups[0].Attributes["deregistration_delay.timeout_seconds"] != "300" ||
		snap.Listeners[0].Attributes["tcp.idle_timeout.seconds"] != "350" {
		t.Errorf("read attributes are not AWS's: %+v %+v %+v", snap.LoadBalancer.Attributes, snap.TargetGroups[0].Attributes, snap.Listeners[0].Attributes)
	}
	_, n = fill(want)
	eqReads("read again", n, map[string]int{"lb": 0, "tg": 0, "listener": 0})

	if err := p.ModifyListenerAttributes(ctx, snap.Listeners[0].ARN, map[string]string{"tcp.idle_timeout.seconds": "600"}); err != nil {
		t.Fatal(err)
	}
	snap, n = fill(want)
	eqReads("after lbsg's own write", n, map[string]int{"listener": 0})
	if got := snap.Listeners[0].Attributes["tcp.idle_timeout.seconds"]; got != "600" {
		t.Errorf("idle timeout known as %s after the write", got)
	}
	if acts := plan.Diff(want, snap); len(acts) != 2 {
		t.Errorf("plan %v, want the LB's and the TG's attribute writes only", acts)
	}

	// A change by hand is not seen from the cache; the drift check's
	// re-read replaces what is known, and the next fill reads nothing.
	if _, err := env.ELBv2.ModifyTargetGroupAttributes(ctx, &awselbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(tgARN),
		Attributes: []elbv2types.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("100")}}}); err != nil {
		t.Fatal(err)
	}
	if snap, _ = fill(want); snap.TargetGroups[0].Attributes["deregistration_delay.timeout_seconds"] != "300" {
		t.Errorf("before the re-read the cache says %v, want the value it read", snap.TargetGroups[0].Attributes)
	}
	got, err := p.RereadTargetGroupAttributes(ctx, tgARN)
	if err != nil || got["deregistration_delay.timeout_seconds"] != "100" {
		t.Fatalf("re-read %v, %v", got, err)
	}
	snap, n = fill(want)
	eqReads("after the re-read", n, map[string]int{"lb": 0, "tg": 0, "listener": 0})
	if v := snap.TargetGroups[0].Attributes["deregistration_delay.timeout_seconds"]; v != "100" {
		t.Errorf("after the re-read the cache says %s, want the hand-set 100", v)
	}
}
