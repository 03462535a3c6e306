package emulator

import (
	"net/url"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

func TestBucketsRefillContinuously(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Unix(0, 0))
	th := newThrottler(clk, true)
	p := query.FromValues(url.Values{})
	for i := 0; i < 10; i++ {
		if e := th.take(ServiceELBv2, "CreateLoadBalancer", p); e != nil {
			t.Fatalf("call %d: %v", i, e)
		}
	}
	if e := th.take(ServiceELBv2, "CreateLoadBalancer", p); e == nil || e.Code != "Throttling" {
		t.Fatalf("11th CreateLoadBalancer: %v", e)
	}
	clk.Step(4 * time.Second) // 0.2/s: not yet a token
	if e := th.take(ServiceELBv2, "CreateLoadBalancer", p); e == nil {
		t.Fatal("a token appeared before 5 s")
	}
	clk.Step(time.Second)
	if e := th.take(ServiceELBv2, "CreateLoadBalancer", p); e != nil {
		t.Fatalf("after 5 s: %v", e)
	}
}

func TestRejectedCallsPayNothing(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Unix(0, 0))
	th := newThrottler(clk, true)
	p := query.FromValues(url.Values{})
	for i := 0; i < 10; i++ {
		_ = th.take(ServiceELBv2, "CreateLoadBalancer", p)
	}
	// The category bucket is empty; the account bucket must not be charged
	// by the refused calls.
	for i := 0; i < 20; i++ {
		_ = th.take(ServiceELBv2, "CreateLoadBalancer", p)
	}
	for i := 0; i < 30; i++ {
		if e := th.take(ServiceELBv2, "DescribeLoadBalancers", p); e != nil {
			t.Fatalf("describe %d throttled: account bucket was charged by refused calls", i)
		}
	}
}

func TestEC2CategoryOfDescribeDependsOnFilters(t *testing.T) {
	for _, tt := range []struct {
		action string
		params url.Values
		want   string
	}{
		{"DescribeSecurityGroups", url.Values{}, "unfiltered"},
		{"DescribeSecurityGroups", url.Values{"Filter.1.Name": {"vpc-id"}}, "non-mutating"},
		{"DescribeInstances", url.Values{"MaxResults": {"5"}}, "non-mutating"},
		{"DescribeVpcs", url.Values{}, "non-mutating"},
		{"AuthorizeSecurityGroupIngress", url.Values{}, "resource-intensive"},
		{"CreateSecurityGroup", url.Values{}, "mutating"},
		{"CreateTags", url.Values{}, "tags"},
		{"ModifyNetworkInterfaceAttribute", url.Values{}, "network-interface"},
	} {
		if got := ec2Category(tt.action, query.FromValues(tt.params)); got != tt.want {
			t.Errorf("%s %v: %s, want %s", tt.action, tt.params, got, tt.want)
		}
	}
}
