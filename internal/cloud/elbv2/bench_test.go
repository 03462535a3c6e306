package elbv2_test

import (
	"fmt"
	"testing"

	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/naming"
)

// BenchmarkStackReads reports the AWS calls of a full read of a Service
// stack (find its LB and TGs, their listeners, attributes, targets). The
// provider keeps nothing: cloud/state caches these reads for the
// controllers.
func BenchmarkStackReads(b *testing.B) {
	f := startB(b)
	lb := f.nlbB(b, "bench")
	var tgs []string
	for i := range 3 {
		tg, err := f.p.CreateTargetGroup(b.Context(), cloudelbv2.NewTargetGroup{
			Name: fmt.Sprintf("bench-%d", i), Protocol: "TCP", Port: 30080 + int32(i), VPCID: f.seed.VPCID, TargetType: "instance",
			Tags: stackTags("default", "bench", naming.ServiceTargetGroupResourceID("default", "bench", int32(80+i))),
		})
		if err != nil {
			b.Fatal(err)
		}
		tgs = append(tgs, tg.ARN)
		if _, err := f.p.CreateListener(b.Context(), lb.ARN, cloudelbv2.ListenerSpec{Protocol: "TCP", Port: int32(80 + i), DefaultActions: []cloudelbv2.Action{{
			Type: "forward", TargetGroups: []cloudelbv2.WeightedTargetGroup{{ARN: tg.ARN}},
		}}}, stackTags("default", "bench", naming.ListenerResourceID(int32(80+i)))); err != nil {
			b.Fatal(err)
		}
	}
	stack := naming.ServiceStack("default", "bench")
	match := func(tags map[string]string) bool { return naming.OwnsStackResource(tags, cluster, stack) }
	read := func() {
		ctx := b.Context()
		if _, err := f.p.FindLoadBalancers(ctx, f.seed.VPCID, match); err != nil {
			b.Fatal(err)
		}
		if _, err := f.p.FindTargetGroups(ctx, f.seed.VPCID, match); err != nil {
			b.Fatal(err)
		}
		if _, err := f.p.Listeners(ctx, lb.ARN); err != nil {
			b.Fatal(err)
		}
		if _, err := f.p.LoadBalancerAttributes(ctx, lb.ARN); err != nil {
			b.Fatal(err)
		}
		for _, tg := range tgs {
			if _, err := f.p.TargetGroupAttributes(ctx, tg); err != nil {
				b.Fatal(err)
			}
			if _, err := f.p.Targets(ctx, tg); err != nil {
				b.Fatal(err)
			}
		}
	}
	read()
	f.env.Server.ResetCalls()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(f.env.Server.Calls().Total)/float64(b.N), "aws-calls/op")
}
