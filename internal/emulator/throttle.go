package emulator

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// BucketSpec is one token bucket: it starts full and refills continuously.
type BucketSpec struct {
	Capacity float64
	Refill   float64 // tokens per second
}

// Bucket sizes by category. EC2's are per account, Region and action (AWS's
// "request token bucket" model); ELBv2's are per category, plus the shared
// account bucket every ELBv2 call pays.
var bucketSpecs = map[string]BucketSpec{
	"non-mutating":       {Capacity: 100, Refill: 20},
	"unfiltered":         {Capacity: 50, Refill: 10},
	"mutating":           {Capacity: 50, Refill: 5},
	"resource-intensive": {Capacity: 50, Refill: 5},
	"tags":               {Capacity: 100, Refill: 10},
	"network-interface":  {Capacity: 100, Refill: 5},
	"elbv2-account":      {Capacity: 40, Refill: 10},
	"elbv2-intensive":    {Capacity: 10, Refill: 0.2},
	"elbv2-registration": {Capacity: 20, Refill: 4},
	"elbv2-non-mutating": {Capacity: 40, Refill: 10},
	"elbv2-mutating":     {Capacity: 20, Refill: 3},
}

// ec2Category classifies an EC2 action. Describe calls on instances, ENIs and
// security groups with neither a filter nor MaxResults fall in the smaller
// "unfiltered" bucket.
func ec2Category(action string, p query.Params) string {
	switch action {
	case "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress":
		return "resource-intensive"
	case "CreateTags", "DeleteTags":
		return "tags"
	case "ModifyNetworkInterfaceAttribute", "CreateNetworkInterface", "DeleteNetworkInterface", "AssignPrivateIpAddresses":
		return "network-interface"
	case "DescribeInstances", "DescribeNetworkInterfaces", "DescribeSecurityGroups":
		if !p.Has("Filter") && !p.Has("MaxResults") {
			return "unfiltered"
		}
		return "non-mutating"
	}
	if strings.HasPrefix(action, "Describe") {
		return "non-mutating"
	}
	return "mutating"
}

// elbv2Category classifies an ELBv2 action; every call also pays the shared
// account bucket.
func elbv2Category(action string) string {
	switch action {
	case "CreateLoadBalancer", "SetSubnets":
		return "elbv2-intensive"
	case "RegisterTargets", "DeregisterTargets":
		return "elbv2-registration"
	}
	if strings.HasPrefix(action, "Describe") {
		return "elbv2-non-mutating"
	}
	return "elbv2-mutating"
}

type bucket struct {
	spec   BucketSpec
	tokens float64
	last   time.Time
}

func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.spec.Capacity, b.tokens+dt*b.spec.Refill)
	}
	b.last = now
}

// throttler keeps the buckets, keyed by service and bucket name (EC2's are
// per action).
type throttler struct {
	mu        sync.Mutex
	clock     clock.PassiveClock
	enabled   bool
	buckets   map[string]*bucket
	overrides map[string]BucketSpec
}

func newThrottler(c clock.PassiveClock, enabled bool) *throttler {
	return &throttler{clock: c, enabled: enabled, buckets: map[string]*bucket{}, overrides: map[string]BucketSpec{}}
}

func (t *throttler) get(key, category string, now time.Time) *bucket {
	b := t.buckets[key]
	if b == nil {
		spec, ok := t.overrides[key]
		if !ok {
			spec, ok = t.overrides[category]
		}
		if !ok {
			spec = bucketSpecs[category]
		}
		b = &bucket{spec: spec, tokens: spec.Capacity, last: now}
		t.buckets[key] = b
	}
	b.refill(now)
	return b
}

// take charges one token from every bucket the call needs, or none at all
// and returns the service's throttling error.
func (t *throttler) take(service, action string, p query.Params) *query.Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.enabled {
		return nil
	}
	now := t.clock.Now()
	var need []*bucket
	switch service {
	case ServiceEC2:
		cat := ec2Category(action, p)
		need = append(need, t.get("ec2/"+action+"/"+cat, cat, now))
	case ServiceELBv2:
		cat := elbv2Category(action)
		need = append(need, t.get("elbv2/"+cat, cat, now), t.get("elbv2/account", "elbv2-account", now))
	default:
		return nil
	}
	for _, b := range need {
		if b.tokens < 1 {
			return throttleError(service)
		}
	}
	for _, b := range need {
		b.tokens--
	}
	return nil
}

func throttleError(service string) *query.Error {
	if service == ServiceELBv2 {
		return query.BadRequest("Throttling", "Rate exceeded")
	}
	return query.Errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
}

// setEnabled turns throttling on or off and refills every bucket.
func (t *throttler) setEnabled(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.enabled = on
	t.buckets = map[string]*bucket{}
}

// override sets a bucket spec by category name (e.g. "mutating") or by
// exact key (e.g. "ec2/CreateTags/tags").
func (t *throttler) override(name string, spec BucketSpec) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.overrides[name] = spec
	t.buckets = map[string]*bucket{}
}
