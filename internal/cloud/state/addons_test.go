package state_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// TestAddonFactsAreReadOnceAndKeptByWrites: an ALB's web ACL is read
// once; lbsg's own association updates the cache without a read; a
// disassociation by hand is not seen by the cached read, and the drift
// check's re-read sees it and replaces the cached entry.
func TestAddonFactsAreReadOnceAndKeptByWrites(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	seed := env.Seeded(t)
	lb, err := env.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: seed.PublicSubnets[:2]})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	p := state.New(env.EC2, env.ELBv2, "sandbox", seed.VPCID)
	p.EnableAddons(env.WAFv2, env.WAFRegional, env.Shield)
	acl := "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/sandbox-web-acl/" + emulator.SandboxWebACLID
	reads := func() int { return env.Server.Calls().Count("wafv2:GetWebACLForResource") }
	for range 3 {
		if got, err := p.WAFv2Association(ctx, arn); err != nil || got != "" {
			t.Fatalf("association %q, %v", got, err)
		}
	}
	if n := reads(); n != 1 {
		t.Errorf("three asks read %d times, want once", n)
	}
	if err := p.SetWAFv2Association(ctx, arn, acl); err != nil {
		t.Fatal(err)
	}
	if got, err := p.WAFv2Association(ctx, arn); err != nil || got != acl || reads() != 1 {
		t.Errorf("after lbsg's own write: %q, %v, %d reads", got, err, reads())
	}
	names, err := p.WebACLARNsByName(ctx, []string{"sandbox-web-acl", "nope"})
	if err != nil || names["sandbox-web-acl"] != acl || len(names) != 1 {
		t.Errorf("names %v, %v", names, err)
	}
	if _, err := env.WAFv2.DisassociateWebACL(ctx, &awswafv2.DisassociateWebACLInput{ResourceArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if got, err := p.WAFv2Association(ctx, arn); err != nil || got != acl || reads() != 1 {
		t.Errorf("after a disassociation by hand, cached: %q, %v, %d reads; want the cached ACL, no read", got, err, reads())
	}
	if got, err := p.RereadWAFv2Association(ctx, arn); err != nil || got != "" || reads() != 2 {
		t.Errorf("re-read: %q, %v, %d reads; want none associated, one more read", got, err, reads())
	}
	if got, err := p.WAFv2Association(ctx, arn); err != nil || got != "" || reads() != 2 {
		t.Errorf("after the re-read, cached: %q, %v, %d reads; want none, no read", got, err, reads())
	}
}
