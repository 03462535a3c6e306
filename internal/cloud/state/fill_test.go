package state_test

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

// TestConcurrentReadersOfAColdCacheShareOneDescribe: at start every
// reconcile worker finds the caches empty; the first one's Describe fills
// them for all (test/bench found three of each at three workers).
func TestConcurrentReadersOfAColdCacheShareOneDescribe(t *testing.T) {
	env := emutest.Start(t)
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
	p := state.New(env.EC2, env.ELBv2, "sandbox", aws.ToString(out.Reservations[0].Instances[0].VpcId))
	env.Server.ResetCalls()
	var wg sync.WaitGroup
	errs := make(chan error, 8*5)
	for range 8 {
		wg.Go(func() {
			_, err := p.Subnets(t.Context())
			errs <- err
			_, err = p.VPCCIDRs(t.Context())
			errs <- err
			_, err = p.Instances(t.Context(), ids)
			errs <- err
			_, err = p.GroupTags(t.Context(), nil)
			errs <- err
			_, err = p.Snapshot(t.Context(), naming.ServiceStack("default", "web"))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	calls := env.Server.Calls()
	for _, a := range []string{"DescribeSubnets", "DescribeVpcs", "DescribeInstances", "DescribeSecurityGroups",
		"DescribeLoadBalancers", "DescribeTargetGroups"} {
		if n := calls.Count(a); n != 1 {
			t.Errorf("8 concurrent readers made %d %s calls, want 1", n, a)
		}
	}
}
