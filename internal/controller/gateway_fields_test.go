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
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// fieldsGateway creates a LoadBalancerConfiguration named after the
// Gateway with spec, the Gateway (naming it, with listeners) and a
// TCPRoute from each TCP listener to backends (none: Service echo, port
// 80).
func (h *gwHarness) fieldsGateway(name string, spec map[string]any, listeners []gwv1.Listener, backends ...gwv1.BackendRef) *gwv1.Gateway {
	h.t.Helper()
	ns := h.kube.Namespace
	h.create(lbConfig(ns, name, spec))
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: gwv1.GatewaySpec{
		GatewayClassName: gwv1.ObjectName(h.class), Listeners: listeners,
		Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
			Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: name}}}}
	if len(backends) == 0 {
		backends = []gwv1.BackendRef{svcRef(ns, "echo", 80)}
	}
	// The routes first: the Gateway's first reconcile sees them all (a
	// configuration refused only with every route, as two listeners naming
	// one target group, is never built half-way first).
	for _, l := range listeners {
		if l.Protocol == gwv1.TCPProtocolType {
			sec := l.Name
			h.create(tcpRoute(ns, name+"-"+string(l.Name), []gwv1.ParentReference{{Namespace: ptr.To(gwv1.Namespace(ns)),
				Name: gwv1.ObjectName(name), SectionName: &sec}}, backends...))
		}
	}
	h.create(gw)
	return gw
}

// gwZones is the Gateway's NLB's zones as the emulator holds them:
// "subnet=allocation" or "subnet=private address", sorted ("" entries:
// no NLB yet).
func (h *gwHarness) gwZones(ctx context.Context, ns, name string) ([]string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	for _, lb := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return nil, err
		}
		own := false
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				own = own || aws.ToString(tag.Key) == naming.TagGatewayNLBStack && aws.ToString(tag.Value) == ns+"/"+name
			}
		}
		if !own {
			continue
		}
		var out []string
		for _, az := range lb.AvailabilityZones {
			z := aws.ToString(az.SubnetId)
			for _, a := range az.LoadBalancerAddresses {
				z += "=" + aws.ToString(a.AllocationId) + aws.ToString(a.PrivateIPv4Address)
			}
			out = append(out, z)
		}
		slices.Sort(out)
		return out, nil
	}
	return nil, nil
}

// subnetAddress is an address inside the subnet's CIDR (its 10th host).
func (h *gwHarness) subnetAddress(id string) string {
	h.t.Helper()
	out, err := h.emu.EC2.DescribeSubnets(h.t.Context(), &awsec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	if err != nil || len(out.Subnets) != 1 {
		h.t.Fatalf("describing %s: %v", id, err)
	}
	p := netip.MustParsePrefix(aws.ToString(out.Subnets[0].CidrBlock))
	a := p.Addr()
	for range 10 {
		a = a.Next()
	}
	return a.String()
}

// refusedWith waits for the Gateway's Accepted condition to be False with
// a message containing msg, and checks it has no listener.
func (h *gwHarness) refusedWith(gw *gwv1.Gateway, msg string) {
	h.t.Helper()
	testenv.Eventually(h.t, fmt.Sprintf("gateway %s refused with %q", gw.Name, msg), func(ctx context.Context) (bool, error) {
		cur := h.getGateway(gw)
		if cur == nil {
			return false, nil
		}
		c := meta.FindStatusCondition(cur.Status.Conditions, "Accepted")
		if c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, msg) {
			return false, fmt.Errorf("Accepted %+v", c)
		}
		return true, nil
	})
	// A Gateway built before its route arrived may have its NLB, but never
	// a listener of the refused configuration.
	if lb, _, err := h.gwLoadBalancer(h.t.Context(), gw.Namespace, gw.Name); err != nil || lb != nil && len(lb.listeners) > 0 {
		h.t.Errorf("refused gateway %s has a load balancer with listeners %+v (%v)", gw.Name, lb, err)
	}
}

// resyncIsFree waits for AWS calls to stop, reconciles the named Gateways
// and the node SG again and fails on any AWS call they make.
func (h *gwHarness) resyncIsFree(names ...string) {
	h.t.Helper()
	before := h.quiesce()
	for _, name := range names {
		req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: h.kube.Namespace, Name: name}}
		if _, err := h.ctrls.Gateway.Reconcile(h.t.Context(), req); err != nil {
			h.t.Fatalf("resync of %s: %v", name, err)
		}
	}
	if _, err := h.ctrls.TargetSG.Reconcile(h.t.Context(), registry.SGKey{GroupID: h.seed.NodeSG}); err != nil {
		h.t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		h.t.Errorf("a resync of unchanged Gateways %v made %d AWS calls: %v", names, n, h.emu.Server.Calls().Sorted())
	}
}

// loadBalancerSubnets' eipAllocation and privateIPv4Allocation put the
// NLB's addresses in its subnets, with LBC's checks.
func TestGatewaySubnetAllocations(t *testing.T) {
	h := startGateway(t)
	h.backend(h.kube.Namespace, "echo")
	pub, priv, eips := h.seed.PublicSubnets, h.seed.PrivateSubnets, h.allocate(2)
	ip0, ip1 := h.subnetAddress(priv[0]), h.subnetAddress(priv[1])
	sub := func(id string, kv ...string) map[string]any {
		m := map[string]any{}
		if id != "" {
			m["identifier"] = id
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name, scheme string
		subnets      []any
		wantZones    []string
		wantRefusal  string
	}{
		{name: "eips", scheme: "internet-facing",
			subnets:   []any{sub(pub[0], "eipAllocation", eips[0]), sub(pub[1], "eipAllocation", eips[1])},
			wantZones: []string{pub[0] + "=" + eips[0], pub[1] + "=" + eips[1]}},
		// Addresses listed in the other subnet's order still land in the
		// subnet whose CIDR holds them.
		{name: "private", scheme: "internal",
			subnets:   []any{sub(priv[0], "privateIPv4Allocation", ip1), sub(priv[1], "privateIPv4Allocation", ip0)},
			wantZones: []string{priv[0] + "=" + ip0, priv[1] + "=" + ip1}},
		{name: "eip-internal", scheme: "internal",
			subnets:     []any{sub(priv[0], "eipAllocation", eips[0])},
			wantRefusal: "EIPAllocation can only be set for internet facing load balancers"},
		{name: "private-internet", scheme: "internet-facing",
			subnets:     []any{sub(pub[0], "privateIPv4Allocation", ip0)},
			wantRefusal: "PrivateIPv4Allocation can only be set for internal load balancers"},
		{name: "eip-some", scheme: "internet-facing",
			subnets:     []any{sub(pub[0], "eipAllocation", eips[0]), sub(pub[1])},
			wantRefusal: "Either specify all eip allocations or none."},
		{name: "private-outside", scheme: "internal",
			subnets:     []any{sub(priv[0], "privateIPv4Allocation", ip1)},
			wantRefusal: "expect one private IPv4 address configured for subnet: " + priv[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := h.fieldsGateway(tc.name, map[string]any{"scheme": tc.scheme, "loadBalancerSubnets": tc.subnets},
				[]gwv1.Listener{tcpListener("tcp", 80)})
			if tc.wantRefusal != "" {
				h.refusedWith(gw, tc.wantRefusal)
				return
			}
			testenv.Eventually(t, "zones", func(ctx context.Context) (bool, error) {
				got, err := h.gwZones(ctx, h.kube.Namespace, tc.name)
				if err != nil || !slices.Equal(got, tc.wantZones) {
					return false, fmt.Errorf("zones %v, want %v (%v)", got, tc.wantZones, err)
				}
				return true, nil
			})
		})
	}
	h.resyncIsFree("eips", "private")
}

// gwListenerActions is, per listener port of the Gateway's NLB, its
// protocol and default forward: "PROTO sticky=<v> weights=[…]" (v: the
// stickiness AWS holds, "-" when none).
func (h *gwHarness) gwListenerActions(ctx context.Context, ns, name string) (map[int32]string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	for _, lb := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return nil, err
		}
		own := false
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				own = own || aws.ToString(tag.Key) == naming.TagGatewayNLBStack && aws.ToString(tag.Value) == ns+"/"+name
			}
		}
		if !own {
			continue
		}
		ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, err
		}
		out := map[int32]string{}
		for _, l := range ls.Listeners {
			sticky, weights := "-", []string{}
			for _, a := range l.DefaultActions {
				if f := a.ForwardConfig; f != nil {
					if s := f.TargetGroupStickinessConfig; s != nil && s.Enabled != nil {
						sticky = fmt.Sprint(*s.Enabled)
					}
					for _, tg := range f.TargetGroups {
						w := "-"
						if tg.Weight != nil {
							w = fmt.Sprint(*tg.Weight)
						}
						weights = append(weights, w)
					}
				}
			}
			slices.Sort(weights)
			out[aws.ToInt32(l.Port)] = fmt.Sprintf("%s sticky=%s weights=%v", l.Protocol, sticky, weights)
		}
		return out, nil
	}
	return nil, nil
}

// A listener configuration's targetGroupStickiness is the stickiness of
// the NLB listener's forward to the route's weighted target groups.
func TestGatewayListenerTargetGroupStickiness(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.backend(ns, "echo2")
	for _, tc := range []struct {
		name   string
		sticky any // nil: not set
		want   string
	}{
		{name: "sticky", sticky: true, want: "TCP sticky=true weights=[1 3]"},
		{name: "not-sticky", sticky: false, want: "TCP sticky=false weights=[1 3]"},
		// AWS reports stickiness off on a weighted forward that names none.
		{name: "unset", want: "TCP sticky=false weights=[1 3]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc := map[string]any{"protocolPort": "TCP:80"}
			if tc.sticky != nil {
				lc["targetGroupStickiness"] = tc.sticky
			}
			one, three := svcRef(ns, "echo", 80), svcRef(ns, "echo2", 80)
			one.Weight, three.Weight = ptr.To[int32](1), ptr.To[int32](3)
			h.fieldsGateway(tc.name, map[string]any{"listenerConfigurations": []any{lc}},
				[]gwv1.Listener{tcpListener("tcp", 80)}, one, three)
			testenv.Eventually(t, "listener forward", func(ctx context.Context) (bool, error) {
				got, err := h.gwListenerActions(ctx, ns, tc.name)
				if err != nil || got[80] != tc.want {
					return false, fmt.Errorf("listeners %v, want 80: %s (%v)", got, tc.want, err)
				}
				return true, nil
			})
		})
	}
	h.resyncIsFree("sticky", "not-sticky", "unset")
}

// subnetCIDR is the subnet's IPv4 CIDR.
func (h *gwHarness) subnetCIDR(id string) string {
	h.t.Helper()
	out, err := h.emu.EC2.DescribeSubnets(h.t.Context(), &awsec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	if err != nil || len(out.Subnets) != 1 {
		h.t.Fatalf("describing %s: %v", id, err)
	}
	return aws.ToString(out.Subnets[0].CidrBlock)
}

// disableSecurityGroup gives an NLB Gateway no security group: its node
// rules cite CIDRs, as LBC's do; the settings AWS cannot honour are
// refused.
func TestGatewayDisableSecurityGroup(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	svc := h.backend(ns, "echo")
	nodePort := svc.Spec.Ports[0].NodePort
	pub, priv := h.seed.PublicSubnets, h.seed.PrivateSubnets
	rule := func(cidr string) string { return fmt.Sprintf("tcp %d ← %s", nodePort, cidr) }
	for _, tc := range []struct {
		name        string
		spec        map[string]any
		wantRules   []string // on the node SG
		wantRefusal string
	}{
		// Instance targets keep the client IP: the listener's clients
		// reach the node port, and the health check rides on that rule.
		{name: "open", spec: map[string]any{"scheme": "internet-facing", "disableSecurityGroup": true,
			"loadBalancerSubnets": []any{map[string]any{"identifier": pub[0]}}},
			wantRules: []string{rule("0.0.0.0/0")}},
		// Narrow source ranges: the clients, and the NLB's subnet for the
		// health check.
		{name: "ranges", spec: map[string]any{"disableSecurityGroup": true, "sourceRanges": []any{"10.99.0.0/16"},
			"loadBalancerSubnets": []any{map[string]any{"identifier": priv[1]}}},
			wantRules: []string{rule("10.99.0.0/16"), rule(h.subnetCIDR(priv[1]))}},
		{name: "with-sgs", spec: map[string]any{"disableSecurityGroup": true, "securityGroups": []any{h.seed.NodeSG}, "enableICMP": true},
			wantRefusal: "disableSecurityGroup cannot be combined with securityGroups, enableICMP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := h.fieldsGateway(tc.name, tc.spec, []gwv1.Listener{tcpListener("tcp", 80)})
			if tc.wantRefusal != "" {
				h.refusedWith(gw, tc.wantRefusal)
				return
			}
			h.waitListeners(ns, tc.name, "80/TCP")
			h.eventually("node rules", func(w world) string {
				got := ruleList(w.sgs[h.seed.NodeSG].Ingress)
				for _, r := range tc.wantRules {
					if !slices.Contains(got, r) {
						return fmt.Sprintf("node SG rules %v lack %s", got, r)
					}
				}
				return ""
			})
			lb, _, err := h.gwLoadBalancer(t.Context(), ns, tc.name)
			if err != nil || lb == nil || len(lb.sgs) != 0 {
				t.Errorf("load balancer %+v (%v), want one without security groups", lb, err)
			}
		})
	}
	h.resyncIsFree("open", "ranges")

	// A Gateway whose NLB has security groups cannot drop them: refused,
	// the NLB left as it is.
	t.Run("toggled on an NLB with SGs", func(t *testing.T) {
		gw := h.fieldsGateway("toggle", map[string]any{"scheme": "internal"}, []gwv1.Listener{tcpListener("tcp", 81)})
		lb := h.waitListeners(ns, "toggle", "81/TCP")
		if len(lb.sgs) == 0 {
			t.Fatal("the NLB has no security groups before the change")
		}
		testenv.Eventually(t, "config updated", func(ctx context.Context) (bool, error) {
			cur := lbConfig(ns, "toggle", nil)
			if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(cur), cur); err != nil {
				return false, err
			}
			_ = unstructured.SetNestedField(cur.Object, true, "spec", "disableSecurityGroup")
			return true, h.kube.Client.Update(ctx, cur)
		})
		testenv.Eventually(t, "refused", func(context.Context) (bool, error) {
			cur := h.getGateway(gw)
			c := meta.FindStatusCondition(cur.Status.Conditions, "Accepted")
			return c != nil && c.Status == metav1.ConditionFalse && strings.Contains(c.Message, "conflicting security groups configuration"), nil
		})
		after, _, err := h.gwLoadBalancer(t.Context(), ns, "toggle")
		if err != nil || after == nil || !slices.Equal(after.sgs, lb.sgs) {
			t.Errorf("the refused Gateway's NLB changed: %+v → %+v (%v)", lb, after, err)
		}
	})
}

// gwTargets is, per target group of the Gateway's stack, its protocol and
// registered targets (id:port:serverID), sorted.
func (h *gwHarness) gwTargets(ctx context.Context, ns, name string) ([]string, error) {
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tg := range tgs.TargetGroups {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(tg.TargetGroupArn)}})
		if err != nil {
			return nil, err
		}
		own := false
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				own = own || aws.ToString(tag.Key) == naming.TagGatewayNLBStack && aws.ToString(tag.Value) == ns+"/"+name
			}
		}
		if !own {
			continue
		}
		th, err := h.emu.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return nil, err
		}
		var ts []string
		for _, d := range th.TargetHealthDescriptions {
			if d.TargetHealth != nil && d.TargetHealth.State == "draining" {
				continue
			}
			ts = append(ts, fmt.Sprintf("%s:%d:%s", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port), aws.ToString(d.Target.QuicServerId)))
		}
		slices.Sort(ts)
		out = append(out, fmt.Sprintf("%s %v", tg.Protocol, ts))
	}
	slices.Sort(out)
	return out, nil
}

// quicEnabled upgrades a Gateway's UDP listener to QUIC: listener and
// target group QUIC, no weights, each pod registered with its QUIC server
// ID (a pod without one left out); what AWS would refuse is refused first.
func TestGatewayQUICListener(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.create(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "h3"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "h3"},
			Ports: []corev1.ServicePort{{Name: "h3", Port: 443, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(3000)}}}})
	tgc := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"targetReference": map[string]any{"name": "h3"}, "defaultConfiguration": map[string]any{"targetType": "ip"}}}}
	tgc.SetAPIVersion("gateway.k8s.aws/v1")
	tgc.SetKind("TargetGroupConfiguration")
	tgc.SetNamespace(ns)
	tgc.SetName("h3")
	h.create(tgc)
	withID, withoutID := h.quicPod("quic-a", 0x0102030405060708), h.quicPod("quic-b", 0)
	h.create(&discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: "h3-1", Labels: map[string]string{discoveryv1.LabelServiceName: "h3"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{podEndpoint("10.0.100.7", h.nodes[0], withID),
			podEndpoint("10.0.100.8", h.nodes[0], withoutID)},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To("h3"), Port: ptr.To[int32](3000), Protocol: ptr.To(corev1.ProtocolUDP)}},
	})
	udp := gwv1.Listener{Name: "h3", Port: 443, Protocol: gwv1.UDPProtocolType}
	quic := map[string]any{"protocolPort": "UDP:443", "quicEnabled": true}
	for _, tc := range []struct {
		name        string
		spec        map[string]any
		wantRefusal string
	}{
		{name: "quic", spec: map[string]any{"disableSecurityGroup": true, "listenerConfigurations": []any{quic}}},
		{name: "with-sgs", spec: map[string]any{"listenerConfigurations": []any{quic}},
			wantRefusal: "QUIC listeners (quicEnabled) need an NLB without security groups"},
		{name: "on-tcp", spec: map[string]any{"disableSecurityGroup": true,
			"listenerConfigurations": []any{map[string]any{"protocolPort": "TCP:443", "quicEnabled": true}}},
			wantRefusal: "QUIC protocol upgrade not supported for protocol TCP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := udp
			if tc.name == "on-tcp" {
				l = tcpListener("h3", 443)
			}
			gw := h.fieldsGateway(tc.name, tc.spec, []gwv1.Listener{l}, svcRef(ns, "h3", 443))
			h.create(&gwv1.UDPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tc.name + "-udp"},
				Spec: gwv1.UDPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{parent(ns, tc.name)}},
					Rules: []gwv1.UDPRouteRule{{BackendRefs: []gwv1.BackendRef{svcRef(ns, "h3", 443)}}}}})
			if tc.wantRefusal != "" {
				h.refusedWith(gw, tc.wantRefusal)
				return
			}
			testenv.Eventually(t, "QUIC listener and targets", func(ctx context.Context) (bool, error) {
				ls, err := h.gwListenerActions(ctx, ns, tc.name)
				// lbsg sends no weight; AWS shows its default of 1.
				if err != nil || ls[443] != "QUIC sticky=false weights=[1]" {
					return false, fmt.Errorf("listeners %v (%v)", ls, err)
				}
				tgs, err := h.gwTargets(ctx, ns, tc.name)
				if err != nil || !slices.Equal(tgs, []string{"QUIC [10.0.100.7:3000:0x0102030405060708]"}) {
					return false, fmt.Errorf("target groups %v (%v)", tgs, err)
				}
				return true, nil
			})
		})
	}
	h.resyncIsFree("quic")
}

// gwListenerTargetGroups describes, per listener port of the Gateway's
// NLB, the target group it forwards to: "PROTO hc=PROTO:path team=<tag>
// delay=<deregistration delay>".
func (h *gwHarness) gwListenerTargetGroups(ctx context.Context, ns, name string) (map[int32]string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	for _, lb := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return nil, err
		}
		own := false
		for _, td := range tags.TagDescriptions {
			for _, tag := range td.Tags {
				own = own || aws.ToString(tag.Key) == naming.TagGatewayNLBStack && aws.ToString(tag.Value) == ns+"/"+name
			}
		}
		if !own {
			continue
		}
		ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, err
		}
		out := map[int32]string{}
		for _, l := range ls.Listeners {
			if len(l.DefaultActions) == 0 || l.DefaultActions[0].ForwardConfig == nil {
				continue
			}
			arn := l.DefaultActions[0].ForwardConfig.TargetGroups[0].TargetGroupArn
			tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{aws.ToString(arn)}})
			if err != nil {
				return nil, err
			}
			tg := tgs.TargetGroups[0]
			tt, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(arn)}})
			if err != nil {
				return nil, err
			}
			team := ""
			for _, td := range tt.TagDescriptions {
				for _, tag := range td.Tags {
					if aws.ToString(tag.Key) == "team" {
						team = aws.ToString(tag.Value)
					}
				}
			}
			attrs, err := h.emu.ELBv2.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: arn})
			if err != nil {
				return nil, err
			}
			delay := ""
			for _, a := range attrs.Attributes {
				if aws.ToString(a.Key) == "deregistration_delay.timeout_seconds" {
					delay = aws.ToString(a.Value)
				}
			}
			out[aws.ToInt32(l.Port)] = fmt.Sprintf("%s hc=%s:%s team=%s delay=%s", tg.Protocol, tg.HealthCheckProtocol,
				aws.ToString(tg.HealthCheckPath), team, delay)
		}
		return out, nil
	}
	return nil, nil
}

func tgConfig(ns, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion("gateway.k8s.aws/v1")
	u.SetKind("TargetGroupConfiguration")
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// defaultTargetGroupConfiguration: every backend's target groups start
// from the default TargetGroupConfiguration (its routeConfigurations
// applying per route); a Service's own configuration wins field by field,
// tags merging.
func TestGatewayDefaultTargetGroupConfiguration(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.backend(ns, "echo2")
	h.create(tgConfig(ns, "defaults", map[string]any{
		"defaultConfiguration": map[string]any{"tags": map[string]any{"team": "platform"},
			"healthCheckConfig": map[string]any{"healthCheckProtocol": "HTTP", "healthCheckPath": "/ready"}},
		"routeConfigurations": []any{map[string]any{
			"routeIdentifier":  map[string]any{"kind": "TCPRoute", "namespace": ns, "name": "special"},
			"targetGroupProps": map[string]any{"targetGroupAttributes": []any{map[string]any{"key": "deregistration_delay.timeout_seconds", "value": "10"}}},
		}},
	}))
	h.create(tgConfig(ns, "echo2", map[string]any{"targetReference": map[string]any{"name": "echo2"},
		"defaultConfiguration": map[string]any{"tags": map[string]any{"team": "app"},
			"healthCheckConfig": map[string]any{"healthCheckProtocol": "TCP"}}}))
	h.create(tgConfig(ns, "bound", map[string]any{"targetReference": map[string]any{"name": "echo"}}))
	h.create(lbConfig(ns, "cfg", map[string]any{"defaultTargetGroupConfiguration": map[string]any{"name": "defaults"}}))
	h.create(lbConfig(ns, "cfg-missing", map[string]any{"defaultTargetGroupConfiguration": map[string]any{"name": "none"}}))
	h.create(lbConfig(ns, "cfg-bound", map[string]any{"defaultTargetGroupConfiguration": map[string]any{"name": "bound"}}))
	gwWith := func(name, cfg string, listeners ...gwv1.Listener) *gwv1.Gateway {
		gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: gwv1.GatewaySpec{
			GatewayClassName: gwv1.ObjectName(h.class), Listeners: listeners,
			Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
				Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: cfg}}}}
		h.create(gw)
		return gw
	}
	route := func(name, gw string, port int32, svc string) {
		sec := gwv1.SectionName(fmt.Sprint(port))
		h.create(tcpRoute(ns, name, []gwv1.ParentReference{{Namespace: ptr.To(gwv1.Namespace(ns)), Name: gwv1.ObjectName(gw),
			SectionName: &sec}}, svcRef(ns, svc, 80)))
	}
	gwWith("gw", "cfg", tcpListener("80", 80), tcpListener("81", 81), tcpListener("82", 82))
	route("plain", "gw", 80, "echo")
	route("special", "gw", 81, "echo")
	route("own", "gw", 82, "echo2")
	want := map[int32]string{
		80: "TCP hc=HTTP:/ready team=platform delay=300", // AWS's default delay
		81: "TCP hc=HTTP:/ready team=platform delay=10",
		82: "TCP hc=TCP: team=app delay=300",
	}
	testenv.Eventually(t, "target groups from the default and the Service's configurations", func(ctx context.Context) (bool, error) {
		got, err := h.gwListenerTargetGroups(ctx, ns, "gw")
		if err != nil || len(got) != len(want) {
			return false, fmt.Errorf("target groups %v (%v)", got, err)
		}
		for port, w := range want {
			if g := got[port]; g != w {
				return false, fmt.Errorf("port %d: %q, want %q (all: %v)", port, g, w, got)
			}
		}
		return true, nil
	})
	h.resyncIsFree("gw")

	for _, tc := range []struct{ gw, cfg, want string }{
		{"missing", "cfg-missing", `failed to resolve default TargetGroupConfiguration "none"`},
		{"bound", "cfg-bound", "has targetReference set and cannot be used as a defaultTargetGroupConfiguration"},
	} {
		t.Run(tc.gw, func(t *testing.T) {
			h.refusedWith(gwWith(tc.gw, tc.cfg, tcpListener("80", 80)), tc.want)
		})
	}

	// LBC accepts a class only when its default resolves.
	t.Run("class", func(t *testing.T) {
		class := ns + "-nodefault"
		h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: class}, Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/nlb",
			ParametersRef: &gwv1.ParametersReference{Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "cfg-missing",
				Namespace: ptr.To(gwv1.Namespace(ns))}}})
		t.Cleanup(func() {
			ctx, cancel := testenv.CleanupContext(t)
			defer cancel()
			_ = h.kube.Client.Delete(ctx, &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: class}})
		})
		testenv.Eventually(t, "class not accepted", func(ctx context.Context) (bool, error) {
			c := &gwv1.GatewayClass{}
			if err := h.kube.Client.Get(ctx, client.ObjectKey{Name: class}, c); err != nil {
				return false, err
			}
			a := meta.FindStatusCondition(c.Status.Conditions, "Accepted")
			return a != nil && a.Status == metav1.ConditionFalse && strings.Contains(a.Message, `default TargetGroupConfiguration "none"`), nil
		})
	})
}

// A TargetGroupConfiguration's targetGroupName names the group,
// nodeSelector narrows its instance targets, enableMultiCluster keeps the
// record of this cluster's targets (LBC's multi-cluster groups).
func TestGatewayTargetGroupNameNodeSelectorAndMultiCluster(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.editNode(1, func(n *corev1.Node) {
		if n.Labels == nil {
			n.Labels = map[string]string{}
		}
		n.Labels["pool"] = "edge"
	})
	for _, svc := range []string{"named", "selected", "shared", "dup"} {
		h.backend(ns, svc)
	}
	for _, tc := range []struct {
		name     string
		defaults map[string]any
		check    func(t *testing.T, w world) string
	}{
		{name: "named", defaults: map[string]any{"targetGroupName": "named-tg"},
			check: func(t *testing.T, w world) string {
				if _, ok := w.tgs["named-tg"]; !ok {
					return fmt.Sprintf("no target group named-tg: %v", w.tgs)
				}
				return ""
			}},
		{name: "selected", defaults: map[string]any{"targetGroupName": "selected-tg",
			"nodeSelector": map[string]any{"matchLabels": map[string]any{"pool": "edge"}}},
			check: func(t *testing.T, w world) string {
				tg := w.tgs["selected-tg"]
				for i, id := range h.seed.Instances {
					if strings.Contains(tg, id+":") != (i == 1) {
						return fmt.Sprintf("selected-tg targets %q, want only %s", tg, h.seed.Instances[1])
					}
				}
				return ""
			}},
		{name: "shared", defaults: map[string]any{"targetGroupName": "shared-tg", "enableMultiCluster": true},
			check: func(t *testing.T, w world) string {
				cm := &corev1.ConfigMap{}
				if err := h.kube.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: multicluster.Name("shared-tg")}, cm); err != nil {
					return "no record of this cluster's targets: " + err.Error()
				}
				if n := strings.Count(cm.Data["targets"], ",") + 1; cm.Data["targets"] == "" || n != len(h.seed.Instances) {
					return fmt.Sprintf("record %q, want the %d nodes", cm.Data["targets"], len(h.seed.Instances))
				}
				return ""
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.create(tgConfig(ns, tc.name, map[string]any{"targetReference": map[string]any{"name": tc.name},
				"defaultConfiguration": tc.defaults}))
			h.fieldsGateway(tc.name, map[string]any{}, []gwv1.Listener{tcpListener("tcp", 80)}, svcRef(ns, tc.name, 80))
			h.eventually(tc.name, func(w world) string { return tc.check(t, w) })
		})
	}
	h.resyncIsFree("named", "selected", "shared")
	t.Run("one name for two target groups is refused", func(t *testing.T) {
		h.create(tgConfig(ns, "dup", map[string]any{"targetReference": map[string]any{"name": "dup"},
			"defaultConfiguration": map[string]any{"targetGroupName": "dup-tg"}}))
		gw := h.fieldsGateway("dup", map[string]any{}, []gwv1.Listener{tcpListener("a", 80), tcpListener("b", 81)}, svcRef(ns, "dup", 80))
		h.refusedWith(gw, `targetGroupName "dup-tg" is given to two target groups`)
	})
}
