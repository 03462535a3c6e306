package ec2_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// BenchmarkDriftCheck reports the AWS calls of one drift pass over a VPC
// holding n groups: one page per 1000 groups, whatever n is below that.
func BenchmarkDriftCheck(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			env := emutest.Start(b)
			seed := env.Seeded(b)
			c := awsapi.FromConfig(env.Config, awsapi.Options{MaxBackoff: time.Millisecond, NoRateLimit: true})
			p := cloudec2.New(c.EC2)
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
