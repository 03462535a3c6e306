package controller_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// startIPv6Gateway is startGateway on an emulator whose VPC and zone-a and
// zone-b subnets have IPv6 blocks.
func startIPv6Gateway(t *testing.T) *gwHarness {
	t.Helper()
	testenv.GatewayAPI(t)
	h := &gwHarness{harness: startOn(t, testenv.Kube(t), emutest.Start(t, emutest.WithIPv6Subnets()), nil, true)}
	h.class = h.kube.Namespace + "-nlb"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class},
		Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb"}})
	t.Cleanup(h.deleteGateways)
	return h
}

// subnetIPv6 is the subnet's IPv6 block ("" none).
func (h *gwHarness) subnetIPv6(id string) string {
	h.t.Helper()
	out, err := h.emu.EC2.DescribeSubnets(h.t.Context(), &awsec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	if err != nil || len(out.Subnets) != 1 {
		h.t.Fatalf("describing %s: %v", id, err)
	}
	for _, a := range out.Subnets[0].Ipv6CidrBlockAssociationSet {
		return aws.ToString(a.Ipv6CidrBlock)
	}
	return ""
}

// within6 is the address of the IPv6 block with the given last 16 bits,
// and the /80 whose fifth group is five.
func within6(block string, host uint16) (addr, prefix80 string) {
	a := netip.MustParsePrefix(block).Addr().As16()
	b := a
	a[14], a[15] = byte(host>>8), byte(host)
	b[9] = 5
	return netip.AddrFrom16(a).String(), netip.PrefixFrom(netip.AddrFrom16(b), 80).String()
}

// dualView is a Gateway's NLB as the emulator holds it: IP address type,
// source NAT, zones ("subnet[=ipv6][+prefix]", sorted), the first
// security group's inbound rules ("proto port peer", sorted) and target
// groups ("ipType [targets]").
type dualView struct {
	ipType, sourceNat string
	zones, rules, tgs []string
}

func (h *gwHarness) dualView(ctx context.Context, ns, name string) (*dualView, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	var lb *elbv2types.LoadBalancer
	for i := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lbs.LoadBalancers[i].LoadBalancerArn)}})
		if err != nil {
			return nil, err
		}
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				if aws.ToString(tag.Key) == naming.TagGatewayNLBStack && aws.ToString(tag.Value) == ns+"/"+name {
					lb = &lbs.LoadBalancers[i]
				}
			}
		}
	}
	if lb == nil {
		return nil, nil
	}
	v := &dualView{ipType: string(lb.IpAddressType), sourceNat: string(lb.EnablePrefixForIpv6SourceNat)}
	for _, az := range lb.AvailabilityZones {
		z := aws.ToString(az.SubnetId)
		for _, a := range az.LoadBalancerAddresses {
			if a.IPv6Address != nil {
				z += "=" + aws.ToString(a.IPv6Address)
			}
		}
		for _, p := range az.SourceNatIpv6Prefixes {
			z += "+" + p
		}
		v.zones = append(v.zones, z)
	}
	slices.Sort(v.zones)
	if len(lb.SecurityGroups) > 0 {
		sgs, err := h.emu.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: lb.SecurityGroups[:1]})
		if err != nil {
			return nil, err
		}
		for _, p := range sgs.SecurityGroups[0].IpPermissions {
			for _, r := range p.IpRanges {
				v.rules = append(v.rules, fmt.Sprintf("%s %d %s", aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToString(r.CidrIp)))
			}
			for _, r := range p.Ipv6Ranges {
				v.rules = append(v.rules, fmt.Sprintf("%s %d %s", aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToString(r.CidrIpv6)))
			}
		}
		slices.Sort(v.rules)
	}
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		return nil, err
	}
	for _, tg := range tgs.TargetGroups {
		th, err := h.emu.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return nil, err
		}
		var ts []string
		for _, d := range th.TargetHealthDescriptions {
			ts = append(ts, fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port)))
		}
		slices.Sort(ts)
		v.tgs = append(v.tgs, fmt.Sprintf("%s %v", tg.IpAddressType, ts))
	}
	slices.Sort(v.tgs)
	return v, nil
}

// ipv6Backend is a headless Service of the IPv6 family with an
// EndpointSlice holding one ready IPv6 address on the first node.
func (h *gwHarness) ipv6Backend(ns, name, podIP string) {
	h.t.Helper()
	h.create(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, IPFamilies: []corev1.IPFamily{corev1.IPv6Protocol},
			IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicySingleStack),
			Ports:          []corev1.ServicePort{{Name: "tcp", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}}})
	proto := corev1.ProtocolTCP
	h.create(&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-1",
		Labels: map[string]string{discoveryv1.LabelServiceName: name}}, AddressType: discoveryv1.AddressTypeIPv6,
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{podIP}, NodeName: ptr.To(h.nodes[0]),
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To("tcp"), Port: ptr.To(int32(8080)), Protocol: &proto}}})
}

// Dualstack Gateways: the NLB is dualstack in the subnets with IPv6
// blocks, takes the configured IPv6 addresses and source-NAT prefixes,
// admits IPv6 source ranges and registers an IPv6 Service's pods in an
// ipv6 target group; LBC's invalid combinations are refused with nothing
// built. A resync of the built Gateways makes no AWS call (auto_assigned
// prefixes included).
func TestGatewayDualstack(t *testing.T) {
	h := startIPv6Gateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	// pub: the public subnets with an IPv6 block (zones a and b) by ID,
	// then the one without (zone c).
	var pub, no6 []string
	for _, id := range h.seed.PublicSubnets {
		if h.subnetIPv6(id) != "" {
			pub = append(pub, id)
		} else {
			no6 = append(no6, id)
		}
	}
	if len(pub) != 2 || len(no6) != 1 {
		t.Fatalf("seed: public subnets with IPv6 %v, without %v", pub, no6)
	}
	pub = append(pub, no6...)
	b0, b1 := h.subnetIPv6(pub[0]), h.subnetIPv6(pub[1])
	v6a, _ := within6(b0, 0x10)
	v6b, natB := within6(b1, 0x10)
	_, natOutside := within6(b0, 0)
	podIP, _ := within6(emutest.IPv6VPCCIDR, 0x20)
	h.ipv6Backend(ns, "echo6", podIP)
	h.create(tgConfig(ns, "echo6", map[string]any{"targetReference": map[string]any{"name": "echo6"},
		"defaultConfiguration": map[string]any{"targetType": "ip", "ipAddressType": "ipv6"}}))
	h.backend(ns, "echo4")
	h.create(tgConfig(ns, "echo4", map[string]any{"targetReference": map[string]any{"name": "echo4"},
		"defaultConfiguration": map[string]any{"targetType": "ip", "ipAddressType": "ipv6"}}))

	sub := func(id string, kv ...string) map[string]any {
		m := map[string]any{"identifier": id}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	dual := func(kv ...any) map[string]any {
		m := map[string]any{"scheme": "internet-facing", "ipAddressType": "dualstack"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name        string
		spec        map[string]any
		backend     string
		want        func(v *dualView) error
		wantRefusal string
	}{
		{name: "dualstack", spec: dual("sourceRanges", []any{"192.0.2.0/24", "2001:db8::/32"}),
			want: func(v *dualView) error {
				if v.ipType != "dualstack" || v.sourceNat != "off" || !slices.Equal(v.zones, []string{pub[0], pub[1]}) ||
					!slices.Equal(v.rules, []string{"tcp 80 192.0.2.0/24", "tcp 80 2001:db8::/32"}) ||
					len(v.tgs) != 1 || !strings.HasPrefix(v.tgs[0], "ipv4 [i-") {
					return fmt.Errorf("%+v", *v)
				}
				return nil
			}},
		{name: "addresses", spec: dual("loadBalancerSubnets", []any{
			sub(pub[0], "ipv6Allocation", v6a, "sourceNatIPv6Prefix", "auto_assigned"),
			sub(pub[1], "ipv6Allocation", v6b, "sourceNatIPv6Prefix", natB)}),
			want: func(v *dualView) error {
				if v.ipType != "dualstack" || v.sourceNat != "on" || len(v.zones) != 2 ||
					!strings.HasPrefix(v.zones[0], pub[0]+"="+v6a+"+") || v.zones[1] != pub[1]+"="+v6b+"+"+natB ||
					!slices.Equal(v.rules, []string{"tcp 80 0.0.0.0/0", "tcp 80 ::/0"}) {
					return fmt.Errorf("%+v", *v)
				}
				return nil
			}},
		{name: "ipv6-targets", spec: dual(), backend: "echo6",
			want: func(v *dualView) error {
				if !slices.Equal(v.tgs, []string{"ipv6 [" + podIP + ":8080]"}) {
					return fmt.Errorf("%+v", *v)
				}
				return nil
			}},

		{name: "ipv6-allocation-ipv4", spec: map[string]any{"scheme": "internet-facing",
			"loadBalancerSubnets": []any{sub(pub[0], "ipv6Allocation", v6a)}},
			wantRefusal: "IPv6Allocation can only be set for dualstack load balancers"},
		{name: "ipv6-service-ipv4", spec: map[string]any{"scheme": "internet-facing"}, backend: "echo6",
			wantRefusal: "unsupported IPv6 configuration, lb not dual-stack"},
		{name: "ipv6-type-ipv4-service", spec: dual(), backend: "echo4",
			wantRefusal: "TargetGroupConfiguration ipAddressType ipv6 does not match the target groups of Service " + ns + "/echo4, which are ipv4"},
		{name: "nat-outside-subnet", spec: dual("loadBalancerSubnets", []any{sub(pub[1], "sourceNatIPv6Prefix", natOutside)}),
			wantRefusal: "Value must be within subnet CIDR range: [" + b1 + "]"},
		{name: "no-ipv6-subnet", spec: dual("loadBalancerSubnets", []any{sub(pub[2])}),
			wantRefusal: "subnets [" + pub[2] + "] do not have an associated IPv6 CIDR block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var backends []gwv1.BackendRef
			if tc.backend != "" {
				backends = []gwv1.BackendRef{svcRef(ns, tc.backend, 80)}
			}
			gw := h.fieldsGateway(tc.name, tc.spec, []gwv1.Listener{tcpListener("tcp", 80)}, backends...)
			if tc.wantRefusal != "" {
				h.refusedWith(gw, tc.wantRefusal)
				return
			}
			testenv.Eventually(t, "dualstack NLB", func(ctx context.Context) (bool, error) {
				v, err := h.dualView(ctx, ns, tc.name)
				if err != nil || v == nil || len(v.tgs) == 0 {
					return false, err
				}
				if err := tc.want(v); err != nil {
					return false, err
				}
				return true, nil
			})
		})
	}
	h.resyncIsFree("dualstack", "addresses", "ipv6-targets")
}
