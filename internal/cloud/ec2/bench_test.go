package ec2_test

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/utils/clock"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

// BenchmarkDriftCheck reports the AWS calls of one drift pass over a VPC
// holding n groups: one page per 1000 groups, whatever n is below that.
func BenchmarkDriftCheck(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			env := emutest.Start(b)
			seed := env.Seeded(b)
			c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: time.Millisecond, NoRateLimit: true})
			p := cloudec2.New(c.EC2, clock.RealClock{})
			for i := range n {
				if _, err := p.CreateSecurityGroup(b.Context(), cloudec2.NewGroup{VPCID: seed.VPCID, Name: fmt.Sprintf("g-%d", i), Description: "bench"}); err != nil {
					b.Fatal(err)
				}
			}
			env.Server.ResetCalls()
			for b.Loop() {
				if _, err := p.VPCSecurityGroups(b.Context(), seed.VPCID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(env.Server.Calls().Total)/float64(b.N), "aws-calls/op")
		})
	}
}

// BenchmarkWarmResyncReads reports the AWS calls of the reads a Service
// reconcile makes when nothing changed: zero.
func BenchmarkWarmResyncReads(b *testing.B) {
	env := emutest.Start(b)
	seed := env.Seeded(b)
	c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: time.Millisecond, NoRateLimit: true})
	p := cloudec2.New(c.EC2, clock.RealClock{})
	read := func() {
		ctx := b.Context()
		if _, err := p.VPC(ctx, seed.VPCID); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Subnets(ctx, seed.VPCID); err != nil {
			b.Fatal(err)
		}
		if _, err := p.OwnedSecurityGroups(ctx, seed.VPCID, cluster); err != nil {
			b.Fatal(err)
		}
		enis, err := p.InstanceENIs(ctx, seed.Instances)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range enis {
			if _, err := p.SecurityGroups(ctx, e.GroupIDs...); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := p.SecurityGroupsByTags(ctx, seed.VPCID, map[string]string{naming.ClusterTagKey(cluster): ""}); err != nil {
			b.Fatal(err)
		}
	}
	read()
	env.Server.ResetCalls()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(env.Server.Calls().Total)/float64(b.N), "aws-calls/op")
}
