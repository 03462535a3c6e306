package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

// Guard rails (issue 10, docs/reliability.md): what lbsg never does,
// whatever the input.

// pause waits d (the tests below check that nothing happens over a time
// window).
func pause(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-t.Context().Done():
	case <-time.After(d):
	}
}

func TestInvalidAnnotationWarnsAndLeavesTheLoadBalancerUntouched(t *testing.T) {
	for _, tt := range []struct {
		name, key, value string
	}{
		{name: "IPv6 source range on an IPv4 load balancer", key: annotations.SvcSourceRanges, value: "2001:db8::/64"},
		{name: "unknown scheme", key: annotations.SvcScheme, value: "sideways"},
		{name: "target type that is no type", key: annotations.SvcNLBTargetType, value: "pods"},
		{name: "tags without a value", key: annotations.SvcAdditionalResourceTags, value: "a=b,=c"},
		{name: "health check interval that is no number", key: annotations.SvcHealthCheckInterval, value: "ten"},
		{name: "manage-backend flag that is no boolean", key: annotations.SvcManageBackendSGRules, value: "maybe"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, nil)
			svc := h.nlbService("web", 80)
			h.create(svc)
			before := h.eventually("converged", func(w world) string {
				managed, _ := w.ownedSGs()
				if n, sgs, why := single(w); why != "" || len(sgs) != 2 || len(managed) != 1 || len(w.listeners[n]) != 1 {
					return "not yet"
				}
				return ""
			})
			h.quiesce()
			h.emu.Server.ResetCalls()
			h.update(svc, func(s *corev1.Service) { s.Annotations[tt.key] = tt.value })
			testenv.Eventually(t, "a warning naming "+tt.key, func(context.Context) (bool, error) {
				return h.events.has("web Warning "+events.ReasonFailedBuildModel) && h.events.has(tt.key), nil
			})
			pause(t, time.Second)
			if m := h.emu.Server.Calls().Mutations(); m != 0 {
				t.Errorf("%d mutating AWS calls after the invalid value: %v", m, h.emu.Server.Calls().Actions)
			}
			after, err := h.world(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(after.lbs, after.listeners, after.tgs) != fmt.Sprint(before.lbs, before.listeners, before.tgs) {
				t.Errorf("load balancer changed:\nbefore %v %v %v\nafter  %v %v %v", before.lbs, before.listeners, before.tgs,
					after.lbs, after.listeners, after.tgs)
			}
		})
	}
}

// openToInternet lists rules on the node SG from 0.0.0.0/0 or ::/0.
func (h *harness) openToInternet(w world) []string {
	var out []string
	for k, d := range w.sgs[h.seed.NodeSG].Ingress {
		if k.Peer == "0.0.0.0/0" || k.Peer == "::/0" {
			out = append(out, k.String()+" "+d)
		}
	}
	return out
}

func TestNodeSGIsNeverOpenedToTheInternet(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*options.Controller)
		ann    map[string]string
		ranges []string
		// legacy: an NLB without SGs (disable-nlb-sg, as LBC) can only
		// reach instance targets if the node SG admits the clients: the
		// one documented exception, limited to the Service's NodePorts
		// and reported by `lbsg audit` as open-node-rule.
		legacy bool
	}{
		{name: "internet-facing instance targets from anywhere", ann: map[string]string{annotations.SvcScheme: "internet-facing"},
			ranges: []string{"0.0.0.0/0"}},
		{name: "internet-facing NLB without SGs from anywhere", ann: map[string]string{annotations.SvcScheme: "internet-facing",
			annotations.SvcDisableNLBSG: "true"}, ranges: []string{"0.0.0.0/0"}, legacy: true},
		{name: "no backend SG: node rules cite the managed SG", mutate: func(o *options.Controller) { o.EnableBackendSecurityGroup = false },
			ann: map[string]string{annotations.SvcScheme: "internet-facing"}, ranges: []string{"0.0.0.0/0"}},
		{name: "restricted rules off", mutate: func(o *options.Controller) { o.DisableRestrictedSGRules = true },
			ann: map[string]string{annotations.SvcScheme: "internet-facing"}, ranges: []string{"0.0.0.0/0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.mutate)
			svc := h.nlbService("web", 80, 443)
			for k, v := range tt.ann {
				svc.Annotations[k] = v
			}
			svc.Spec.LoadBalancerSourceRanges = tt.ranges
			h.create(svc)
			w := h.eventually("converged with node rules", func(w world) string {
				ours, _ := h.nodeRules(w)
				if _, _, why := single(w); why != "" || len(ours) == 0 {
					return fmt.Sprintf("%s node rules %v", why, ours)
				}
				return ""
			})
			open := h.openToInternet(w)
			if !tt.legacy {
				if len(open) > 0 {
					t.Errorf("node SG open to the Internet: %v", open)
				}
				return
			}
			var nodePorts []string
			for _, p := range h.get(svc).Spec.Ports {
				nodePorts = append(nodePorts, fmt.Sprintf("tcp %d ", p.NodePort))
			}
			for _, r := range open {
				if !slices.ContainsFunc(nodePorts, func(p string) bool { return strings.HasPrefix(r, p) }) {
					t.Errorf("node SG open to the Internet beyond the Service's NodePorts %v: %s", nodePorts, r)
				}
			}
		})
	}
}

func TestNeverMoreThanFiveSGsOnALoadBalancer(t *testing.T) {
	h := start(t, nil)
	var names []string
	for i := range 5 {
		n := fmt.Sprintf("frontend-%d", i)
		h.createSG(n)
		names = append(names, n)
	}
	svc := h.nlbService("web", 80)
	svc.Annotations[annotations.SvcSecurityGroups] = strings.Join(names, ",")
	svc.Annotations[annotations.SvcManageBackendSGRules] = "true"
	h.create(svc)
	testenv.Eventually(t, "an event about the sixth SG, or an LB with at most five", func(ctx context.Context) (bool, error) {
		w, err := h.world(ctx)
		if err != nil {
			return false, err
		}
		_, _, why := single(w)
		return why == "" || h.events.has("web Warning"), nil
	})
	pause(t, 2*time.Second)
	w, err := h.world(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for name, sgs := range w.lbs {
		if len(sgs) > 5 {
			t.Errorf("load balancer %s has %d security groups: %v", name, len(sgs), sgs)
		}
	}
	h.create(func() *corev1.Service {
		s := h.nlbService("six", 81)
		s.Annotations[annotations.SvcSecurityGroups] = strings.Join(append(slices.Clone(names), h.createSG("frontend-5")), ",")
		return s
	}())
	testenv.Eventually(t, "a warning for six SGs", func(context.Context) (bool, error) { return h.events.has("six Warning"), nil })
	if w, err = h.world(t.Context()); err != nil {
		t.Fatal(err)
	}
	for name, sgs := range w.lbs {
		if len(sgs) > 5 {
			t.Errorf("load balancer %s has %d security groups: %v", name, len(sgs), sgs)
		}
	}
}

// An SG still referenced (here by a rule someone else wrote on another
// SG) cannot be deleted: lbsg waits with an event and a requeue, never
// revokes the foreign rule, and does not retry in a busy loop.
func TestDeleteOfAnAttachedSGWaitsWithoutABusyLoop(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	var managed string
	h.eventually("converged", func(w world) string {
		m, _ := w.ownedSGs()
		if _, _, why := single(w); why != "" || len(m) != 1 {
			return "not yet"
		}
		managed = m[0].ID
		return ""
	})
	other := h.createSG("someone-elses")
	_, err := h.emu.EC2.AuthorizeSecurityGroupIngress(t.Context(), &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(other),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(managed), Description: aws.String("db from the web LB")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.kube.Client.Delete(t.Context(), svc); err != nil {
		t.Fatal(err)
	}
	h.eventually("the LB gone, the managed SG kept", func(w world) string {
		if len(w.lbs) != 0 || w.sgs[managed] == nil {
			return fmt.Sprintf("lbs %v managed present %v", w.lbs, w.sgs[managed] != nil)
		}
		return ""
	})
	testenv.Eventually(t, "an event saying it waits", func(context.Context) (bool, error) {
		return h.events.has(events.ReasonWaitingForDependencies), nil
	})
	h.emu.Server.ResetCalls()
	const window = 12 * time.Second
	pause(t, window)
	n := h.emu.Server.Calls().Count("DeleteSecurityGroup")
	// DependencyRequeue is 5 s: two or three tries in the window; a busy
	// loop makes hundreds.
	if n > 6 {
		t.Errorf("%d DeleteSecurityGroup calls in %v while the SG is referenced: a busy loop", n, window)
	}
	w, err := h.world(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if w.sgs[managed] == nil || len(w.sgs[other].Ingress) != 1 {
		t.Fatalf("the managed SG was deleted or the foreign rule citing it revoked: %v", w.sgs[other])
	}
	if _, err := h.emu.EC2.RevokeSecurityGroupIngress(t.Context(), &awsec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(other),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(managed)}}}}}); err != nil {
		t.Fatal(err)
	}
	h.waitGone(svc)
	t.Logf("DeleteSecurityGroup calls in %v while referenced: %d", window, n)
}
