package controller_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/naming"
)

// albListenersAndRules describes an ALB's listeners ("port/protocol") and
// maps each listener rule's first path pattern to the rule's ARN.
func (h *harness) albListenersAndRules(ctx context.Context, lbName string) (listeners []string, rules map[string]string, err error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		return nil, nil, err
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		return nil, nil, err
	}
	rules = map[string]string{}
	for _, l := range ls.Listeners {
		listeners = append(listeners, fmt.Sprintf("%d/%s", aws.ToInt32(l.Port), l.Protocol))
		rs, err := h.emu.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rs.Rules {
			for _, c := range r.Conditions {
				if aws.ToString(c.Field) == "path-pattern" && c.PathPatternConfig != nil && len(c.PathPatternConfig.Values) > 0 {
					rules[c.PathPatternConfig.Values[0]] = aws.ToString(r.RuleArn)
				} else if aws.ToString(c.Field) == "path-pattern" && len(c.Values) > 0 {
					rules[c.Values[0]] = aws.ToString(r.RuleArn)
				}
			}
		}
	}
	slices.Sort(listeners)
	return listeners, rules, nil
}

// TestIngressGroupDiscoversOneCertificatePerMemberHost: three Ingresses of
// one IngressGroup, each with its own host (a rule host, a spec.tls host,
// both) and HTTPS:443 but no certificate-arn, share one HTTPS listener
// listing the three certificates ACM discovery finds (the default among
// them, as LBC adds every certificate to the list). The default is
// LBC's: the first certificate (by ARN) of the first member in group order
// that has any — not the smallest ARN of the group, not the first member
// by name. A certificate still pending validation and one for another
// domain are never chosen. A resync costs no AWS call; a member deleted,
// or a member's host removed, takes exactly its certificate off the same
// listener (RemoveListenerCertificates), leaving the other members' rules
// as they were.
func TestIngressGroupDiscoversOneCertificatePerMemberHost(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	arn := func(id string) string { return "arn:aws:acm:us-west-2:123456789012:certificate/" + id }
	// ARN order (c < a < b by member) differs from group order (b, c, a)
	// and from name order (a, b, c).
	certA, certB, certC := arn("bbbbbbbb-0000-0000-0000-0000000000a1"), arn("cccccccc-0000-0000-0000-0000000000b1"), arn("aaaaaaaa-0000-0000-0000-0000000000c1")
	h.emu.Server.AddCertificate(acm.Seeded{ID: "bbbbbbbb-0000-0000-0000-0000000000a1", Domain: "alpha.grp.example"})
	h.emu.Server.AddCertificate(acm.Seeded{ID: "cccccccc-0000-0000-0000-0000000000b1", Domain: "bravo.grp.example", Type: acm.TypeAmazonIssued})
	h.emu.Server.AddCertificate(acm.Seeded{ID: "aaaaaaaa-0000-0000-0000-0000000000c1", Domain: "web.grp.example", SANs: []string{"charlie.grp.example"}})
	// Decoys: smallest ARNs, so choosing either would show as the default.
	h.emu.Server.AddCertificate(acm.Seeded{ID: "00000000-0000-0000-0000-0000000000d1", Domain: "bravo.grp.example", Type: acm.TypeAmazonIssued, Pending: true})
	h.emu.Server.AddCertificate(acm.Seeded{ID: "00000000-0000-0000-0000-0000000000d2", Domain: "*.other.example", Type: acm.TypeAmazonIssued})

	h.create(h.nodePortService("web"))
	group := "certs-" + h.kube.Namespace
	member := func(name, order string) *networkingv1.Ingress {
		return h.albIngress(name, "/"+name, "web", map[string]string{
			"alb.ingress.kubernetes.io/group.name":   group,
			"alb.ingress.kubernetes.io/group.order":  order,
			"alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":443}]`,
		})
	}
	alpha := member("alpha", "3")
	alpha.Spec.Rules[0].Host = "alpha.grp.example"
	bravo := member("bravo", "1")
	bravo.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"bravo.grp.example"}}}
	charlie := member("charlie", "2")
	charlie.Spec.Rules[0].Host = "charlie.grp.example"
	charlie.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"charlie.grp.example"}}}
	for _, ing := range []*networkingv1.Ingress{alpha, bravo, charlie} {
		h.create(ing)
	}
	name := albName(naming.ExplicitIngressStack(group))

	want := h.httpsCertificatesOnOneListener(t, name)
	want("bravo's certificate (first member in group order) as default, all three listed (LBC lists the default too)", certB, certC, certA, certB)

	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(ctx, reconcile.Request{NamespacedName: types.NamespacedName{Name: group}}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync of the unchanged group made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	listeners, rules, err := h.albListenersAndRules(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(listeners, []string{"443/HTTPS"}) {
		t.Errorf("listeners %v, want one HTTPS:443 for the whole group", listeners)
	}
	for _, p := range []string{"/alpha", "/bravo", "/charlie"} {
		if rules[p] == "" {
			t.Fatalf("no rule for %s: %v", p, rules)
		}
	}

	// unchanged checks that the listener kept its settings and the rules
	// of the members still there kept their ARNs, and that the step took
	// certificates off with RemoveListenerCertificates alone.
	unchanged := func(step string, before map[string]int, paths ...string) {
		t.Helper()
		h.quiesce()
		calls := h.emu.Server.Calls()
		for _, a := range []string{"CreateListener", "DeleteListener", "ModifyListener", "AddListenerCertificates", "CreateLoadBalancer"} {
			if n := calls.Count(a) - before[a]; n != 0 {
				t.Errorf("%s: %s called %d times", step, a, n)
			}
		}
		if n := calls.Count("RemoveListenerCertificates") - before["RemoveListenerCertificates"]; n != 1 {
			t.Errorf("%s: RemoveListenerCertificates called %d times, want 1", step, n)
		}
		_, now, err := h.albListenersAndRules(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			if now[p] != rules[p] {
				t.Errorf("%s: the rule for %s changed: %s → %s", step, p, rules[p], now[p])
			}
		}
	}
	counts := func() map[string]int {
		c := h.emu.Server.Calls()
		out := map[string]int{}
		for _, a := range []string{"CreateListener", "DeleteListener", "ModifyListener", "AddListenerCertificates", "RemoveListenerCertificates", "CreateLoadBalancer"} {
			out[a] = c.Count(a)
		}
		return out
	}

	before := counts()
	h.deleteAndWait(charlie)
	want("charlie deleted: its certificate off the listener", certB, certA, certB)
	unchanged("deleting charlie", before, "/alpha", "/bravo")

	before = counts()
	h.updateIngress(alpha, func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "" })
	want("alpha's host removed: its certificate off the listener", certB, certB)
	unchanged("removing alpha's host", before, "/bravo")

	h.deleteAndWait(alpha, bravo)
}
