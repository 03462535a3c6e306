package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

const testOutpost = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"

func TestIngressCustomerOwnedPool(t *testing.T) {
	const key = annotations.IngCustomerOwnedIPv4Pool
	for _, tt := range []struct {
		name    string
		members []IngressMember
		want    string
		wantErr string // the group's error (LBC fails the whole group)
	}{
		{"none", []IngressMember{grouped("a", nil)}, "", ""},
		{"the annotation is passed on", []IngressMember{grouped("a", map[string]string{key: "ipv4pool-coip-1"})}, "ipv4pool-coip-1", ""},
		{"members agreeing, others silent", []IngressMember{grouped("a", map[string]string{key: "ipv4pool-coip-1"}), grouped("b", nil),
			grouped("c", map[string]string{key: "ipv4pool-coip-1"})}, "ipv4pool-coip-1", ""},
		{"an empty value is an error", []IngressMember{grouped("a", nil), grouped("b", map[string]string{key: ""})}, "",
			"cannot use empty value for customer-owned-ipv4-pool annotation, ingress: ns/b"},
		{"members naming different pools conflict", []IngressMember{grouped("a", map[string]string{key: "ipv4pool-coip-2"}),
			grouped("b", map[string]string{key: "ipv4pool-coip-1"})}, "", "conflicting CustomerOwnedIPv4Pool: [ipv4pool-coip-1 ipv4pool-coip-2]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, errs, err := buildErrs(tt.members...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(errs) > 0 {
				t.Fatalf("build: %v %v", err, errs)
			}
			eq(t, "pool", st.LoadBalancer.CustomerOwnedPool, tt.want)
		})
	}
}

// LBC's subnet locales (pkg/networking/subnet_resolver.go): the chosen
// subnets share one locale, and only in Availability Zones does an ALB
// need two of them.
func TestSubnetLocales(t *testing.T) {
	outpost := func(id, az string, tags map[string]string) Subnet {
		return Subnet{ID: id, AZ: az, Tags: tags, AvailableIPs: 100, OutpostARN: testOutpost}
	}
	withParams := func(m IngressMember, p *v1beta1.IngressClassParamsSpec) IngressMember { m.Params = p; return m }
	for _, tt := range []struct {
		name   string
		extra  []Subnet // added to ingFacts' subnets
		member IngressMember
		want   string
	}{
		{"one Outpost subnet is enough for an ALB", []Subnet{outpost("subnet-op", "us-west-2c", nil)},
			simple("ns", "a", map[string]string{annotations.IngSubnets: "subnet-op"}), "[subnet-op] <nil>"},
		{"an Outpost subnet by its Name tag", []Subnet{outpost("subnet-op", "us-west-2c", map[string]string{"Name": "edge"})},
			simple("ns", "a", map[string]string{annotations.IngSubnets: "edge"}), "[subnet-op] <nil>"},
		{"an Outpost subnet from IngressClassParams IDs", []Subnet{outpost("subnet-op", "us-west-2c", nil)},
			withParams(simple("ns", "a", nil), &v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"subnet-op"}}}),
			"[subnet-op] <nil>"},
		{"an Outpost subnet beside a zone's", []Subnet{outpost("subnet-op", "us-west-2c", nil)},
			simple("ns", "a", map[string]string{annotations.IngSubnets: "subnet-a, subnet-op"}), "[] subnets in multiple locales: [availability-zone outpost]"},
		{"discovery over both locales", []Subnet{outpost("subnet-op", "us-west-2c", map[string]string{TagRoleInternalELB: "1"})},
			simple("ns", "a", nil), "[] subnets in multiple locales: [availability-zone outpost]"},
		{"discovery by IngressClassParams tags finding one Outpost subnet", []Subnet{outpost("subnet-op", "us-west-2c", map[string]string{"team": "edge"})},
			withParams(simple("ns", "a", nil), &v1beta1.IngressClassParamsSpec{Subnets: &v1beta1.SubnetSelector{Tags: map[string][]string{"team": {"edge"}}}}),
			"[subnet-op] <nil>"},
		{"one zone subnet is still too few", nil,
			simple("ns", "a", map[string]string{annotations.IngSubnets: "subnet-a"}), "[] subnets count less than minimal required count: 1 < 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ingFacts()
			f.Subnets = append(f.Subnets, tt.extra...)
			stack, _ := IngressGroupID(tt.member.Ingress, tt.member.Params)
			st, _, _, err := BuildIngressGroup(stack, []IngressMember{tt.member}, f, ingDefaults())
			var got []string
			if st.LoadBalancer != nil {
				got = st.LoadBalancer.Subnets
			}
			eq(t, "subnets", fmt.Sprint(got, err), tt.want)
		})
	}
}

// An NLB's subnets must share a locale too.
func TestNLBSubnetLocales(t *testing.T) {
	f := facts()
	f.Subnets = append(f.Subnets, Subnet{ID: "subnet-op", AZ: "us-west-2c", Tags: map[string]string{TagRoleInternalELB: "1"}, AvailableIPs: 100, OutpostARN: testOutpost})
	_, _, err := Build(svcTLS(nil), f, defaults())
	eq(t, "discovered", err, "subnets in multiple locales: [availability-zone outpost]")
	_, _, err = Build(svcTLS(map[string]string{annotations.SvcSubnets: "subnet-1,subnet-op"}), f, defaults())
	eq(t, "explicit", err, "subnets in multiple locales: [availability-zone outpost]")
}
