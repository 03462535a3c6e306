package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
	"github.com/lbsg/lbsg/internal/testenv"
)

func marker() string { return naming.RuleDescription(cluster) }

// nodeRules returns the node SG's rules: ours (with the marker) and the rest.
func (h *harness) nodeRules(w world) (ours, foreign rules.Set) {
	sg := w.sgs[h.seed.NodeSG]
	return sg.Ingress.Filter(func(d string) bool { return d == marker() }), sg.Ingress.Filter(func(d string) bool { return d != marker() })
}

func TestServiceLifecycleCreateUpdateDelete(t *testing.T) {
	h := start(t, nil)
	foreign := h.addForeignRule()
	svc := h.nlbService("web", 80)
	h.create(svc)

	var lbName string
	w := h.eventually("NLB with SGs, listener, TG, targets and node rules", func(w world) string {
		if len(w.lbs) != 1 {
			return fmt.Sprintf("%d LBs", len(w.lbs))
		}
		for n := range w.lbs {
			lbName = n
		}
		managed, backend := w.ownedSGs()
		if len(managed) != 1 || len(backend) != 1 {
			return fmt.Sprintf("managed %d backend %d", len(managed), len(backend))
		}
		if want := []string{managed[0].ID, backend[0].ID}; !slices.Equal(w.lbs[lbName], slices.Sorted(slices.Values(want))) {
			return fmt.Sprintf("LB SGs %v, want %v", w.lbs[lbName], want)
		}
		if got := ruleList(managed[0].Ingress); !slices.Equal(got, []string{"tcp 80 ← 0.0.0.0/0"}) {
			return fmt.Sprintf("frontend rules %v", got)
		}
		if len(w.listeners[lbName]) != 1 || !strings.HasPrefix(w.listeners[lbName][0], "80/TCP→k8s-") {
			return fmt.Sprintf("listeners %v", w.listeners[lbName])
		}
		ours, _ := h.nodeRules(w)
		if len(ours) != 1 {
			return fmt.Sprintf("node rules %v", ours)
		}
		for k := range ours {
			if k.Peer != backend[0].ID || k.Protocol != "tcp" {
				return fmt.Sprintf("node rule %v", k)
			}
		}
		return ""
	})
	managed, _ := w.ownedSGs()
	if managed[0].Name != naming.ServiceManagedSGName(cluster, svc.Namespace, svc.Name, string(h.get(svc).UID)) {
		t.Errorf("managed SG name %q", managed[0].Name)
	}
	if _, f := h.nodeRules(w); !f.Has(foreign) {
		t.Errorf("foreign rule gone after create: %v", f)
	}
	for _, tg := range w.tgs {
		if !strings.Contains(tg, "instance") || strings.Count(tg, ":") != len(h.seed.Instances) {
			t.Errorf("target group %s: want every instance registered", tg)
		}
	}
	testenv.Eventually(t, "status hostname and finalizer", func(context.Context) (bool, error) {
		cur := h.get(svc)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) == 1 &&
			cur.Status.LoadBalancer.Ingress[0].Hostname == strings.ToLower(w.dns[lbName]) &&
			slices.Contains(cur.Finalizers, naming.FinalizerService), nil
	})

	// Ports: 80 → 81 (new NodePort), plus source ranges.
	h.update(svc, func(s *corev1.Service) {
		s.Spec.Ports[0].Port = 81
		s.Spec.LoadBalancerSourceRanges = []string{"10.1.0.0/16"}
	})
	h.eventually("listener and rules follow the port and ranges", func(w world) string {
		managed, _ := w.ownedSGs()
		if len(managed) != 1 {
			return "managed SGs"
		}
		if got := ruleList(managed[0].Ingress); !slices.Equal(got, []string{"tcp 81 ← 10.1.0.0/16"}) {
			return fmt.Sprintf("frontend rules %v", got)
		}
		if len(w.listeners[lbName]) != 1 || !strings.HasPrefix(w.listeners[lbName][0], "81/TCP→") || len(w.tgs) != 1 {
			return fmt.Sprintf("listeners %v tgs %v", w.listeners[lbName], w.tgs)
		}
		return ""
	})

	if err := h.kube.Client.Delete(t.Context(), svc); err != nil {
		t.Fatal(err)
	}
	h.waitGone(svc)
	w = h.eventually("nothing left behind", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs)+len(w.tgs)+len(managed)+len(backend)+len(ours) != 0 {
			return fmt.Sprintf("lbs %v tgs %v managed %d backend %d node rules %v", w.lbs, w.tgs, len(managed), len(backend), ours)
		}
		return ""
	})
	if _, f := h.nodeRules(w); !f.Has(foreign) {
		t.Errorf("foreign rule gone after delete: %v", f)
	}
}
