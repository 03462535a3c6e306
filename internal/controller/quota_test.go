package controller_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/rules"
)

// admitsTCP reports whether some rule of s lets port in from peer over tcp.
func admitsTCP(s rules.Set, peer string, port int32) bool {
	for k := range s {
		if k.Protocol == rules.TCP && k.Peer == peer && k.FromPort <= port && port <= k.ToPort {
			return true
		}
	}
	return false
}

// spacedPorts returns n ports from first, every other port (no two touch,
// so only widening can merge them).
func spacedPorts(first int32, n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = first + int32(2*i)
	}
	return out
}

func TestManagedSGOverQuotaIsPackedIntoRangesWithAnEvent(t *testing.T) {
	h := start(t, nil)
	ranges := []string{"10.1.0.0/16", "192.168.0.0/24"}
	ports := spacedPorts(8000, 40) // 40 ports × 2 ranges = 80 rules
	svc := h.nlbService("many", ports...)
	svc.Spec.LoadBalancerSourceRanges = ranges
	h.create(svc)

	h.eventually("managed SG within the quota admitting every port from every range", func(w world) string {
		managed, _ := w.ownedSGs()
		if len(managed) != 1 {
			return fmt.Sprintf("%d managed SGs", len(managed))
		}
		in := managed[0].Ingress
		if u := (rules.Quota{}).Usage(in); !(rules.Quota{}).Fits(u) || len(in) > rules.DefaultRulesPerDirection {
			return fmt.Sprintf("%d rules (%s)", len(in), u)
		}
		for _, c := range ranges {
			for _, p := range ports {
				if !admitsTCP(in, c, p) {
					return fmt.Sprintf("port %d from %s not admitted by %v", p, c, ruleList(in))
				}
			}
		}
		if len(w.lbs) != 1 {
			return fmt.Sprintf("%d LBs", len(w.lbs))
		}
		return ""
	})
	if !h.events.has("many Warning "+events.ReasonRulesPacked+": managed security group") ||
		!h.events.has("80 inbound rules (ipv4 80, ipv6 0) would exceed the quota of 60") {
		t.Errorf("no RulesPacked event naming the managed SG: %q", h.events.got)
	}
}

func TestManagedSGBeyondPackingWarnsAndKeepsTheRules(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("crowd", 80)
	svc.Spec.LoadBalancerSourceRanges = []string{"10.1.0.0/16"}
	h.create(svc)
	h.eventually("one frontend rule", func(w world) string {
		managed, _ := w.ownedSGs()
		if len(managed) != 1 || len(managed[0].Ingress) != 1 || len(w.lbs) != 1 {
			return fmt.Sprintf("managed %d", len(managed))
		}
		return ""
	})

	// 61 sources on one port: no packing of ports helps.
	h.update(svc, func(s *corev1.Service) {
		s.Spec.LoadBalancerSourceRanges = nil
		for i := range 61 {
			s.Spec.LoadBalancerSourceRanges = append(s.Spec.LoadBalancerSourceRanges, fmt.Sprintf("10.%d.0.0/16", i))
		}
	})
	h.eventually("a RulesPerSecurityGroupLimitExceeded event", func(world) string {
		if !h.events.has("crowd Warning " + events.ReasonRulesPerSecurityGroupLimitExceeded + ": ") {
			return fmt.Sprintf("events %q", h.events.got)
		}
		return ""
	})
	w := h.eventually("world", func(world) string { return "" })
	managed, _ := w.ownedSGs()
	if got := ruleList(managed[0].Ingress); len(got) != 1 || got[0] != "tcp 80 ← 10.1.0.0/16" {
		t.Errorf("existing rules changed: %v", got)
	}
}

// One backend SG is one source, so its NodePort rules on the node SG pack
// into ranges. Reaching 60 rules from NodePorts alone takes 61 listeners
// (slow under ELB's client-side buckets), so rules lbsg does not own take
// 55 of the 60 and two Services' 8 NodePorts must fit in the 5 left.
func TestNodeSGOverQuotaIsPackedWithAnEvent(t *testing.T) {
	h := start(t, nil)
	foreign := h.addForeignRules(55)
	var svcs []*corev1.Service
	for i := range 2 {
		svc := h.nlbService(fmt.Sprintf("np%d", i), spacedPorts(int32(1000+100*i), 4)...)
		h.create(svc)
		svcs = append(svcs, svc)
	}
	h.eventually("node SG rules within the quota admitting every NodePort from the backend SG", func(w world) string {
		_, backend := w.ownedSGs()
		if len(backend) != 1 || len(w.lbs) != 2 {
			return fmt.Sprintf("backend %d LBs %d", len(backend), len(w.lbs))
		}
		ours, other := h.nodeRules(w)
		if u := (rules.Quota{}).Usage(w.sgs[h.seed.NodeSG].Ingress); !(rules.Quota{}).Fits(u) {
			return fmt.Sprintf("node SG over the quota: %s", u)
		}
		for k := range foreign {
			if !other.Has(k) {
				return fmt.Sprintf("foreign rule %v gone", k)
			}
		}
		for _, s := range svcs {
			cur := h.get(s)
			for _, p := range cur.Spec.Ports {
				if p.NodePort == 0 || !admitsTCP(ours, backend[0].ID, p.NodePort) {
					return fmt.Sprintf("NodePort %d of %s not admitted by %v", p.NodePort, s.Name, ruleList(ours))
				}
			}
		}
		return ""
	})
	h.eventually("a RulesPacked event naming the node SG", func(world) string {
		if !h.events.has("Warning " + events.ReasonRulesPacked + ": security group " + h.seed.NodeSG) {
			return fmt.Sprintf("events %q", h.events.got)
		}
		return ""
	})
}

// addForeignRules puts n rules lbsg did not write on the node SG.
func (h *harness) addForeignRules(n int) rules.Set {
	h.t.Helper()
	s := rules.Set{}
	for i := range n {
		s.Add(rules.MustKey("tcp", 22, 22, fmt.Sprintf("10.%d.0.0/16", 100+i)), "ssh from a jump host")
	}
	if _, err := h.emu.EC2.AuthorizeSecurityGroupIngress(h.t.Context(), &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(h.seed.NodeSG), IpPermissions: toSDK(s),
	}); err != nil {
		h.t.Fatal(err)
	}
	return s
}
