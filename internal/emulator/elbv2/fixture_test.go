package elbv2

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Fixture names from aws-api.md §7: account 123456789012, us-west-2, vpc-A
// with subnets in 2a/2b (and 2c), NF an unknown group.
const (
	vpcA     = "vpc-0aaaaaaaaaaaaaaaa"
	vpcB     = "vpc-0bbbbbbbbbbbbbbbb"
	subA     = "subnet-0aaaaaaaaaaaaaaa1"
	subB     = "subnet-0aaaaaaaaaaaaaaa2"
	subC     = "subnet-0aaaaaaaaaaaaaaa3"
	subA2    = "subnet-0aaaaaaaaaaaaaaa4" // second subnet in 2a
	subOther = "subnet-0bbbbbbbbbbbbbbb1"
	sgDef    = "sg-0defaultdefault0"
	sg1      = "sg-01111111111111111"
	sg2      = "sg-02222222222222222"
	sgOther  = "sg-0ffffffffffffffff"
	nf       = "sg-00000000000000000"
	inst1    = "i-01111111111111111"
	inst2    = "i-02222222222222222"
	instOff  = "i-0dddddddddddddddd"
)

// fakeNetwork is a minimal core.Network: fixed VPCs, subnets, groups and
// instances, and a record of the ENIs the backend creates.
type fakeNetwork struct {
	subnets   map[string]core.SubnetInfo
	vpcs      map[string]core.VPCInfo
	groups    map[string]string // group → VPC
	defaults  map[string]string
	instances map[string]core.InstanceInfo
	enis      map[string][]string // ENI → groups
	released  map[string]time.Duration
	n         int
	// addresses maps Elastic IP allocations to the ENI using them ("" free).
	addresses map[string]string
}

func (f *fakeNetwork) CheckAddress(id, eni string) error {
	used, ok := f.addresses[id]
	switch {
	case !ok:
		return query.BadRequest("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
	case used != "" && used != eni:
		return query.BadRequest("Resource.AlreadyAssociated", "in use")
	}
	return nil
}

func (f *fakeNetwork) UseAddress(id, eni string) (string, error) {
	if err := f.CheckAddress(id, eni); err != nil {
		return "", err
	}
	f.addresses[id] = eni
	return "198.51.100.1", nil
}

func newFakeNetwork() *fakeNetwork {
	f := &fakeNetwork{
		subnets: map[string]core.SubnetInfo{
			subA:     {ID: subA, VPCID: vpcA, AvailabilityZone: "us-west-2a", AvailabilityZoneID: "usw2-az1", CIDR: "10.0.0.0/20"},
			subB:     {ID: subB, VPCID: vpcA, AvailabilityZone: "us-west-2b", AvailabilityZoneID: "usw2-az2", CIDR: "10.0.16.0/20"},
			subC:     {ID: subC, VPCID: vpcA, AvailabilityZone: "us-west-2c", AvailabilityZoneID: "usw2-az3", CIDR: "10.0.32.0/20"},
			subA2:    {ID: subA2, VPCID: vpcA, AvailabilityZone: "us-west-2a", AvailabilityZoneID: "usw2-az1", CIDR: "10.0.48.0/20"},
			subOther: {ID: subOther, VPCID: vpcB, AvailabilityZone: "us-west-2b", AvailabilityZoneID: "usw2-az2", CIDR: "172.31.0.0/20"},
		},
		vpcs: map[string]core.VPCInfo{
			vpcA: {ID: vpcA, CIDRs: []string{"10.0.0.0/16"}},
			vpcB: {ID: vpcB, CIDRs: []string{"172.31.0.0/16"}, IPv6CIDRs: []string{"2600:1f14::/56"}},
		},
		groups:   map[string]string{sgDef: vpcA, sg1: vpcA, sg2: vpcA, sgOther: vpcB},
		defaults: map[string]string{vpcA: sgDef},
		instances: map[string]core.InstanceInfo{
			inst1:   {ID: inst1, VPCID: vpcA, SubnetID: subA, State: "running", PrivateIP: "10.0.1.10", AvailabilityZone: "us-west-2a"},
			inst2:   {ID: inst2, VPCID: vpcA, SubnetID: subB, State: "running", PrivateIP: "10.0.17.10", AvailabilityZone: "us-west-2b"},
			instOff: {ID: instOff, VPCID: vpcA, SubnetID: subB, State: "stopped", PrivateIP: "10.0.17.11", AvailabilityZone: "us-west-2b"},
		},
		enis:      map[string][]string{},
		released:  map[string]time.Duration{},
		addresses: map[string]string{"eipalloc-0a1": "", "eipalloc-0a2": "", "eipalloc-0a3": ""},
	}
	return f
}

func (f *fakeNetwork) Subnet(id string) (core.SubnetInfo, bool) { s, ok := f.subnets[id]; return s, ok }
func (f *fakeNetwork) VPC(id string) (core.VPCInfo, bool)       { v, ok := f.vpcs[id]; return v, ok }
func (f *fakeNetwork) SecurityGroupVPC(id string) (string, bool) {
	v, ok := f.groups[id]
	return v, ok
}
func (f *fakeNetwork) DefaultSecurityGroup(vpc string) (string, bool) {
	g, ok := f.defaults[vpc]
	return g, ok
}
func (f *fakeNetwork) Instance(id string) (core.InstanceInfo, bool) {
	i, ok := f.instances[id]
	return i, ok
}
func (f *fakeNetwork) CreateServiceENI(subnet string, groups []string, typ, desc string) (string, error) {
	if _, ok := f.subnets[subnet]; !ok {
		return "", errors.New("no subnet")
	}
	f.n++
	id := fmt.Sprintf("eni-%017x", f.n)
	f.enis[id] = append([]string(nil), groups...)
	return id, nil
}
func (f *fakeNetwork) SetENIGroups(eni string, groups []string) error {
	if _, ok := f.enis[eni]; !ok {
		return errors.New("no eni")
	}
	f.enis[eni] = append([]string(nil), groups...)
	return nil
}
func (f *fakeNetwork) ReleaseENI(eni string, d time.Duration) {
	f.released[eni] = d
	delete(f.enis, eni)
	for id, used := range f.addresses {
		if used == eni {
			f.addresses[id] = ""
		}
	}
}

// groupsHeld lists the groups held by live ENIs, sorted and deduplicated.
func (f *fakeNetwork) groupsHeld() []string {
	set := map[string]bool{}
	for _, gs := range f.enis {
		for _, g := range gs {
			set[g] = true
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

type harness struct {
	t     *testing.T
	b     *Backend
	net   *fakeNetwork
	clock *testingclock.FakeClock
	env   *core.Env
}

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newHarness(t *testing.T) *harness {
	t.Helper()
	clk := testingclock.NewFakeClock(epoch)
	env := &core.Env{Region: "us-west-2", Account: "123456789012", Clock: clk, IDs: core.NewIDs(1)}
	net := newFakeNetwork()
	return &harness{t: t, b: New(env, net), net: net, clock: clk, env: env}
}

// kv builds params from alternating keys and values.
func kvs(pairs ...string) query.Params {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return query.FromValues(v)
}

// call runs an action and renders its reply the way the server does, so
// tests also prove the body marshals.
func (h *harness) call(action string, pairs ...string) (any, error) {
	h.t.Helper()
	out, err := h.b.Handle(action, kvs(pairs...))
	if err != nil {
		if _, ok := errors.AsType[*query.Error](err); !ok {
			h.t.Fatalf("%s: error %v is not a *query.Error", action, err)
		}
		return nil, err
	}
	if _, merr := query.ELBv2Body(action, "req", out); merr != nil {
		h.t.Fatalf("%s: rendering reply: %v", action, merr)
	}
	return out, nil
}

func (h *harness) ok(action string, pairs ...string) any {
	h.t.Helper()
	out, err := h.call(action, pairs...)
	if err != nil {
		h.t.Fatalf("%s: unexpected error %v", action, err)
	}
	return out
}

// fail asserts an error code and returns the message.
func (h *harness) fail(code, action string, pairs ...string) string {
	h.t.Helper()
	_, err := h.call(action, pairs...)
	var qe *query.Error
	if !errors.As(err, &qe) {
		h.t.Fatalf("%s: want %s, got success", action, code)
		return ""
	}
	if qe.Code != code {
		h.t.Fatalf("%s: want %s, got %s: %s", action, code, qe.Code, qe.Message)
	}
	if qe.Status != 400 {
		h.t.Fatalf("%s: %s has status %d, want 400", action, code, qe.Status)
	}
	return qe.Message
}

func (h *harness) alb(name string, extra ...string) xLoadBalancer {
	h.t.Helper()
	args := append([]string{"Name", name, "Subnets.member.1", subA, "Subnets.member.2", subB}, extra...)
	return h.ok("CreateLoadBalancer", args...).(*loadBalancersResult).LoadBalancers[0]
}

func (h *harness) nlb(name string, extra ...string) xLoadBalancer {
	h.t.Helper()
	args := append([]string{"Name", name, "Type", "network", "Subnets.member.1", subA}, extra...)
	return h.ok("CreateLoadBalancer", args...).(*loadBalancersResult).LoadBalancers[0]
}

func (h *harness) tg(name string, extra ...string) xTargetGroup {
	h.t.Helper()
	args := append([]string{"Name", name, "Protocol", "HTTP", "Port", "80", "VpcId", vpcA}, extra...)
	return h.ok("CreateTargetGroup", args...).(*targetGroupsResult).TargetGroups[0]
}

func (h *harness) listener(lbARN, port string, extra ...string) xListener {
	h.t.Helper()
	args := append([]string{"LoadBalancerArn", lbARN, "Protocol", "HTTP", "Port", port}, extra...)
	return h.ok("CreateListener", args...).(*listenersResult).Listeners[0]
}

func forward(tgARN string) []string {
	return []string{"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", tgARN}
}

func fixed404() []string {
	return []string{"DefaultActions.member.1.Type", "fixed-response", "DefaultActions.member.1.FixedResponseConfig.StatusCode", "404"}
}

func (h *harness) rule(listenerARN, prio, host string, extra ...string) xRule {
	h.t.Helper()
	args := append([]string{"ListenerArn", listenerARN, "Priority", prio,
		"Conditions.member.1.Field", "host-header", "Conditions.member.1.Values.member.1", host,
		"Actions.member.1.Type", "fixed-response", "Actions.member.1.FixedResponseConfig.StatusCode", "200"}, extra...)
	return h.ok("CreateRule", args...).(*rulesResult).Rules[0]
}

func (h *harness) health(tgARN string) []xTargetHealthDescription {
	h.t.Helper()
	return h.ok("DescribeTargetHealth", "TargetGroupArn", tgARN).(*targetHealthResult).TargetHealthDescriptions
}

func (h *harness) tags(arn string) map[string]string {
	h.t.Helper()
	d := h.ok("DescribeTags", "ResourceArns.member.1", arn).(*tagsResult).TagDescriptions[0]
	m := map[string]string{}
	for _, t := range d.Tags {
		m[t.Key] = t.Value
	}
	return m
}

// render returns a reply as the XML the server would send.
func render(t *testing.T, action string, body any) string {
	t.Helper()
	b, err := query.ELBv2Body(action, "req", body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q in:\n%s", sub, s)
		}
	}
}

func withIPv6(v core.VPCInfo) core.VPCInfo {
	v.IPv6CIDRs = []string{"2600:1f14:aaaa::/56"}
	return v
}

// same reports a difference between two summaries of a reply.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}
