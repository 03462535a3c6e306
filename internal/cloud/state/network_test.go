package state_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// TestInstancesAreReadInBatchesUnderTheFilterLimit resolves 250 instances:
// one filter may hold at most 200 values, so that takes two calls, and a
// second lookup is served from the cache.
func TestInstancesAreReadInBatchesUnderTheFilterLimit(t *testing.T) {
	seed := emulator.DefaultSeed("sandbox", "us-west-2")
	v := &seed.VPCs[0]
	tmpl := v.Instances[0]
	v.Instances = nil
	for i := range 250 {
		in := tmpl
		in.Name = fmt.Sprintf("node-%03d", i)
		v.Instances = append(v.Instances, in)
	}
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{Seed: &seed}))
	out, err := env.EC2.DescribeInstances(t.Context(), &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			ids = append(ids, aws.ToString(i.InstanceId))
		}
	}
	if len(ids) != 250 {
		t.Fatalf("seeded %d instances, want 250", len(ids))
	}
	p := state.New(env.EC2, env.ELBv2, "sandbox", aws.ToString(out.Reservations[0].Instances[0].VpcId))
	env.Server.ResetCalls()
	got, err := p.Instances(t.Context(), ids)
	if err != nil {
		t.Fatalf("resolving 250 instances: %v", err)
	}
	if len(got) != 250 {
		t.Fatalf("resolved %d instances, want 250", len(got))
	}
	for id, in := range got {
		if in.ENIID == "" || len(in.Groups) == 0 {
			t.Fatalf("instance %s: no primary ENI or groups: %+v", id, in)
		}
	}
	if n := env.Server.Calls().Count("DescribeInstances"); n != 2 {
		t.Fatalf("250 instances took %d DescribeInstances calls, want 2", n)
	}
	if _, err := p.Instances(t.Context(), ids); err != nil {
		t.Fatal(err)
	}
	if n := env.Server.Calls().Count("DescribeInstances"); n != 2 {
		t.Fatalf("a cached lookup made %d more calls", n-2)
	}
}
