package emulator_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// bigSeed is one VPC with groups × rules ingress rules (distinct /32
// sources on one port each).
func bigSeed(groups, rules int) *emulator.Seed {
	vpc := ec2.SeedVPC{Name: "bench", CIDR: "10.0.0.0/16",
		Subnets: []ec2.SeedSubnet{{Name: "a", AZ: "us-west-2a", CIDR: "10.0.0.0/20"}}}
	port := int32(443)
	for g := 0; g < groups; g++ {
		sg := ec2.SeedSecurityGroup{Name: fmt.Sprintf("g%05d", g), Description: "bench",
			Tags: map[string]string{"elbv2.k8s.aws/cluster": "bench"}}
		for r := 0; r < rules; r++ {
			sg.Ingress = append(sg.Ingress, ec2.SeedRule{Protocol: "tcp", FromPort: &port, ToPort: &port,
				CIDR: fmt.Sprintf("10.%d.%d.%d/32", 100+r, g/250, g%250), Description: "bench"})
		}
		vpc.SecurityGroups = append(vpc.SecurityGroups, sg)
	}
	return &emulator.Seed{Seed: ec2.Seed{VPCs: []ec2.SeedVPC{vpc}}}
}

// BenchmarkDescribeSecurityGroups10kx20 lists 10,000 groups of 20 rules
// through the SDK (paged by 1,000, as a drift check would), end to end:
// SigV4-signed request, routing, filtering, XML, SDK decoding.
func BenchmarkDescribeSecurityGroups10kx20(b *testing.B) {
	env := emutest.Start(b, emutest.WithOptions(emulator.Options{Seed: bigSeed(10000, 20)}))
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	groups := 0
	for b.Loop() {
		p := awsec2.NewDescribeSecurityGroupsPaginator(env.EC2, &awsec2.DescribeSecurityGroupsInput{
			Filters:    []ec2types.Filter{{Name: aws.String("tag:elbv2.k8s.aws/cluster"), Values: []string{"bench"}}},
			MaxResults: aws.Int32(1000),
		})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			groups += len(out.SecurityGroups)
		}
	}
	b.ReportMetric(float64(groups)/b.Elapsed().Seconds(), "groups/s")
	b.ReportMetric(float64(env.Server.Calls().Count("DescribeSecurityGroups"))/float64(b.N), "requests/op")
}

// BenchmarkDescribeSecurityGroupByID is the per-object read a controller
// makes: one group by ID out of 10,000.
func BenchmarkDescribeSecurityGroupByID(b *testing.B) {
	env := emutest.Start(b, emutest.WithOptions(emulator.Options{Seed: bigSeed(10000, 20)}))
	ctx := b.Context()
	first, err := env.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5),
		Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{"g05000"}}}})
	if err != nil || len(first.SecurityGroups) != 1 {
		b.Fatalf("finding g05000: %v", err)
	}
	id := aws.ToString(first.SecurityGroups[0].GroupId)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := env.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{id}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkStateMemory10kx20 reports the heap held by an emulator with
// 10,000 groups × 20 rules.
func BenchmarkStateMemory10kx20(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		srv, err := emulator.New(emulator.Options{Seed: bigSeed(10000, 20)})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
		runtime.KeepAlive(srv)
	}
}
