package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/rules"
	"github.com/lbsg/lbsg/internal/testenv"
)

// single returns the only LB's name and SGs, or why not.
func single(w world) (string, []string, string) {
	if len(w.lbs) != 1 {
		return "", nil, fmt.Sprintf("%d LBs", len(w.lbs))
	}
	for n, sgs := range w.lbs {
		return n, sgs, ""
	}
	return "", nil, ""
}

func (h *harness) createSG(name string) string {
	h.t.Helper()
	out, err := h.emu.EC2.CreateSecurityGroup(h.t.Context(), &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String("hand made"), VpcId: aws.String(h.seed.VPCID),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func TestSecurityGroupAnnotationAddedManagedTogglesAndRemoved(t *testing.T) {
	h := start(t, nil)
	foreign := h.addForeignRule()
	svc := h.nlbService("web", 80)
	h.create(svc)
	h.eventually("managed SG attached", func(w world) string {
		managed, backend := w.ownedSGs()
		if _, sgs, why := single(w); why != "" || len(managed) != 1 || len(backend) != 1 || len(sgs) != 2 {
			return fmt.Sprintf("%s managed %d backend %d", why, len(managed), len(backend))
		}
		return ""
	})
	manual := h.createSG("my-frontend")

	h.update(svc, func(s *corev1.Service) { s.Annotations[annotations.SvcSecurityGroups] = "my-frontend" })
	h.eventually("manual SG only, managed SG deleted, no node rules, backend SG released", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		_, sgs, why := single(w)
		if why != "" || !slices.Equal(sgs, []string{manual}) || len(managed) != 0 || len(ours) != 0 || len(backend) != 0 {
			return fmt.Sprintf("%s LB SGs %v managed %d backend %d node rules %v", why, sgs, len(managed), len(backend), ours)
		}
		return ""
	})

	h.update(svc, func(s *corev1.Service) { s.Annotations[annotations.SvcManageBackendSGRules] = "true" })
	h.eventually("manage-backend adds the backend SG and node rules", func(w world) string {
		_, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		_, sgs, why := single(w)
		if why != "" || len(backend) != 1 || len(sgs) != 2 || !slices.Contains(sgs, backend[0].ID) || len(ours) != 1 {
			return fmt.Sprintf("%s LB SGs %v backend %d node rules %v", why, sgs, len(backend), ours)
		}
		return ""
	})

	h.update(svc, func(s *corev1.Service) {
		delete(s.Annotations, annotations.SvcSecurityGroups)
		delete(s.Annotations, annotations.SvcManageBackendSGRules)
	})
	w := h.eventually("a new managed SG replaces the manual one", func(w world) string {
		managed, backend := w.ownedSGs()
		_, sgs, why := single(w)
		if why != "" || len(managed) != 1 || len(backend) != 1 || slices.Contains(sgs, manual) || len(sgs) != 2 {
			return fmt.Sprintf("%s LB SGs %v managed %d backend %d", why, sgs, len(managed), len(backend))
		}
		return ""
	})
	if _, f := h.nodeRules(w); !f.Has(foreign) {
		t.Errorf("foreign rule lost: %v", f)
	}
	if w.sgs[manual] == nil {
		t.Error("the manual SG was deleted; lbsg must never delete an SG it did not create")
	}
}

func TestUnknownManualSecurityGroupChangesNothing(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	svc.Annotations[annotations.SvcSecurityGroups] = "no-such-group"
	h.create(svc)
	h.eventually("an event names the missing group", func(world) string {
		if !h.events.has("couldn't find all security groups: requested names [no-such-group] but found []") {
			return "no event yet"
		}
		return ""
	})
	w, err := h.world(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if managed, backend := w.ownedSGs(); len(w.lbs)+len(managed)+len(backend) != 0 {
		t.Errorf("something was created: %v", w.lbs)
	}
}

func TestTargetTypeSwitchInstanceToIP(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	h.eventually("instance targets", func(w world) string {
		for _, tg := range w.tgs {
			if strings.Contains(tg, "instance") {
				return ""
			}
		}
		return fmt.Sprintf("tgs %v", w.tgs)
	})
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: svc.Namespace, Name: "web-1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.0.100.7"}, NodeName: ptr.To(h.nodes[0]),
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To("p80"), Port: ptr.To[int32](8080), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	h.create(slice)
	h.update(svc, func(s *corev1.Service) { s.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeIP })
	h.eventually("one ip target group with the pod, node rule on the pod port only", func(w world) string {
		_, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		want := rules.Set{}
		if len(backend) == 1 {
			want[rules.MustKey("tcp", 8080, 8080, backend[0].ID)] = marker()
		}
		if len(w.tgs) != 1 {
			return fmt.Sprintf("tgs %v", w.tgs)
		}
		for _, tg := range w.tgs {
			if tg != "8080 ip [10.0.100.7:8080]" {
				return "tg " + tg
			}
		}
		if !ours.Equal(want) {
			return fmt.Sprintf("node rules %v want %v", ours, want)
		}
		return ""
	})
}

func TestTwoServicesShareTheBackendSG(t *testing.T) {
	h := start(t, nil)
	a, b := h.nlbService("a", 80), h.nlbService("b", 81)
	h.create(a)
	h.create(b)
	h.eventually("two NLBs sharing one backend SG", func(w world) string {
		_, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 2 || len(backend) != 1 || len(ours) != 2 {
			return fmt.Sprintf("lbs %v backend %d node rules %v", w.lbs, len(backend), ours)
		}
		for _, sgs := range w.lbs {
			if !slices.Contains(sgs, backend[0].ID) {
				return "an LB lacks the backend SG"
			}
		}
		return ""
	})
	if err := h.kube.Client.Delete(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	h.waitGone(a)
	h.eventually("b keeps the backend SG and its rule", func(w world) string {
		_, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 1 || len(backend) != 1 || len(ours) != 1 {
			return fmt.Sprintf("lbs %v backend %d node rules %v", w.lbs, len(backend), ours)
		}
		return ""
	})
	if err := h.kube.Client.Delete(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	h.waitGone(b)
	h.eventually("the last user gone, the backend SG is deleted", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs)+len(managed)+len(backend)+len(ours) != 0 {
			return fmt.Sprintf("lbs %v managed %d backend %d rules %v", w.lbs, len(managed), len(backend), ours)
		}
		return ""
	})
}

func TestDriftCheckRestoresRevokedRules(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	var nodeRule rules.Set
	var managedID string
	h.eventually("converged", func(w world) string {
		managed, _ := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(ours) != 1 || len(managed) != 1 || len(managed[0].Ingress) != 1 {
			return "not yet"
		}
		nodeRule, managedID = ours, managed[0].ID
		return ""
	})
	ctx := t.Context()
	revoke := func(id string, s rules.Set) {
		in := &awsec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: toSDK(s)}
		if _, err := h.emu.EC2.RevokeSecurityGroupIngress(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	revoke(h.seed.NodeSG, nodeRule)
	revoke(managedID, rules.Set{rules.MustKey("tcp", 80, 80, "0.0.0.0/0"): ""})
	res, err := h.ctrls.Drift.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.TargetSGs, h.seed.NodeSG) || len(res.Stacks) != 1 {
		t.Errorf("drift check found %+v", res)
	}
	h.eventually("both rules restored", func(w world) string {
		ours, _ := h.nodeRules(w)
		if !ours.SameKeys(nodeRule) || len(w.sgs[managedID].Ingress) != 1 {
			return fmt.Sprintf("node %v managed %v", ours, w.sgs[managedID].Ingress)
		}
		return ""
	})
}

func TestDeleteWhileAWSThrottlesConverges(t *testing.T) {
	h := start(t, nil)
	foreign := h.addForeignRule()
	svc := h.nlbService("web", 80, 443)
	h.create(svc)
	h.eventually("converged", func(w world) string {
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 1 || len(ours) != 2 {
			return "not yet"
		}
		return ""
	})
	f := h.emu.Server.Faults()
	for _, a := range []string{"DeleteListener", "DeleteLoadBalancer", "DeleteTargetGroup", "DescribeLoadBalancers", "DescribeTargetGroups"} {
		f.Fail(a, "Throttling", 12)
	}
	for _, a := range []string{"DeleteSecurityGroup", "RevokeSecurityGroupIngress", "DescribeSecurityGroups"} {
		f.Fail(a, "RequestLimitExceeded", 12)
	}
	if err := h.kube.Client.Delete(t.Context(), svc); err != nil {
		t.Fatal(err)
	}
	h.waitGone(svc)
	w := h.eventually("nothing left behind", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs)+len(w.tgs)+len(managed)+len(backend)+len(ours) != 0 {
			return fmt.Sprintf("lbs %v tgs %v managed %d backend %d rules %v", w.lbs, w.tgs, len(managed), len(backend), ours)
		}
		return ""
	})
	if _, fr := h.nodeRules(w); !fr.Has(foreign) {
		t.Errorf("foreign rule lost: %v", fr)
	}
	if n := f.Injected(); len(n) == 0 {
		t.Error("no fault was injected")
	}
}

// LBC #4526: turning --enable-backend-security-group off leaks the backend
// SG in LBC; lbsg detaches it, revokes the rules citing it and deletes it.
func TestBackendSGFlagTurnedOffDeletesTheBackendSG(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	h.eventually("backend SG in use", func(w world) string {
		_, backend := w.ownedSGs()
		if _, sgs, why := single(w); why != "" || len(backend) != 1 || !slices.Contains(sgs, backend[0].ID) {
			return "not yet"
		}
		return ""
	})
	h.stopManager()
	h2 := startOn(t, h.kube, h.emu, func(o *options.Controller) { o.EnableBackendSecurityGroup = false }, false)
	h2.eventually("backend SG detached and deleted; node rule now from the managed SG", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h2.nodeRules(w)
		_, sgs, why := single(w)
		if why != "" || len(backend) != 0 || len(managed) != 1 || !slices.Equal(sgs, []string{managed[0].ID}) || len(ours) != 1 {
			return fmt.Sprintf("%s LB SGs %v managed %d backend %d rules %v", why, sgs, len(managed), len(backend), ours)
		}
		for k := range ours {
			if k.Peer != managed[0].ID {
				return fmt.Sprintf("node rule %v", k)
			}
		}
		return ""
	})
}

// An NLB created without SGs cannot get any (lbc-security-groups.md §7.2):
// lbsg keeps using it, says so in an event and does not fail in a loop.
func TestExistingNLBWithoutSecurityGroupsGetsAWarningNotALoop(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	stack := h.kube.Namespace + "/web"
	_, err := h.emu.ELBv2.CreateLoadBalancer(t.Context(), &elbv2.CreateLoadBalancerInput{
		Name: aws.String("legacy-web"), Type: elbv2types.LoadBalancerTypeEnumNetwork, Scheme: elbv2types.LoadBalancerSchemeEnumInternal,
		Subnets: h.seed.PrivateSubnets,
		Tags: []elbv2types.Tag{{Key: aws.String("elbv2.k8s.aws/cluster"), Value: aws.String(cluster)},
			{Key: aws.String("service.k8s.aws/stack"), Value: aws.String(stack)},
			{Key: aws.String("service.k8s.aws/resource"), Value: aws.String("LoadBalancer")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.create(svc)
	h.eventually("listener on the legacy NLB, no SGs, a warning event", func(w world) string {
		if len(w.lbs) != 1 || len(w.lbs["legacy-web"]) != 0 || len(w.listeners["legacy-web"]) != 1 {
			return fmt.Sprintf("lbs %v listeners %v", w.lbs, w.listeners)
		}
		if !h.events.has("LoadBalancerWithoutSecurityGroups") {
			return "no warning event"
		}
		if h.events.has("FailedDeployModel") {
			return "deploy failed"
		}
		// §6.4: internal, instance targets keep client IPs: VPC CIDRs.
		ours, _ := h.nodeRules(w)
		if !ours.SameKeys(rules.Set{mustKey("tcp", h.get(svc).Spec.Ports[0].NodePort, h.get(svc).Spec.Ports[0].NodePort, "10.0.0.0/16"): ""}) {
			return fmt.Sprintf("legacy node rules %v", ours)
		}
		return ""
	})
}

func TestNLBDeletedByHandIsRecreatedAtTheNextDriftCheck(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	var arnName string
	h.eventually("converged", func(w world) string {
		n, _, why := single(w)
		arnName = n
		if why != "" || len(w.listeners[n]) != 1 {
			return "not yet"
		}
		return ""
	})
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{arnName}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.ELBv2.DeleteLoadBalancer(t.Context(), &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	res, err := h.ctrls.Drift.Check(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stacks) != 1 {
		t.Errorf("drift check enqueued %v", res.Stacks)
	}
	h.eventually("the NLB is back with its SGs and listener", func(w world) string {
		managed, backend := w.ownedSGs()
		if _, sgs, why := single(w); why != "" || len(managed) != 1 || len(backend) != 1 || len(sgs) != 2 || len(w.listeners[arnName]) != 1 {
			return fmt.Sprintf("lbs %v listeners %v", w.lbs, w.listeners)
		}
		return ""
	})
}

func TestNodeRemovedIsDeregistered(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	h.eventually("three instance targets", func(w world) string {
		for _, tg := range w.tgs {
			if strings.Count(tg, ":") == 3 {
				return ""
			}
		}
		return fmt.Sprintf("tgs %v", w.tgs)
	})
	if err := h.kube.Client.Delete(t.Context(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: h.nodes[0]}}); err != nil {
		t.Fatal(err)
	}
	h.eventually("two instance targets", func(w world) string {
		for _, tg := range w.tgs {
			if strings.Count(tg, ":") == 2 {
				return ""
			}
		}
		return fmt.Sprintf("tgs %v", w.tgs)
	})
}

// lbc-security-groups.md §3.4 and scenario 44: tags on lbsg's SGs are
// driven to LBC's map; aws:* tags stay.
func TestHandAddedTagsOnOwnedSGsAreRemoved(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	var ids []string
	h.eventually("converged", func(w world) string {
		managed, backend := w.ownedSGs()
		if len(managed) != 1 || len(backend) != 1 {
			return "not yet"
		}
		ids = []string{managed[0].ID, backend[0].ID}
		return ""
	})
	if _, err := h.emu.EC2.CreateTags(t.Context(), &awsec2.CreateTagsInput{Resources: ids,
		Tags: []ec2types.Tag{{Key: aws.String("hand-made"), Value: aws.String("x")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ctrls.Drift.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.eventually("hand-made tags removed", func(w world) string {
		for _, id := range ids {
			if _, ok := w.sgs[id].Tags["hand-made"]; ok {
				return "still tagged: " + id
			}
		}
		return ""
	})
}

func TestServicesConvergeUnderAWSThrottling(t *testing.T) {
	emu := emutest.Start(t, emutest.WithOptions(emulator.Options{Throttle: true}))
	h := startOn(t, testenv.Kube(t), emu, nil, true)
	var svcs []*corev1.Service
	for i := range 4 {
		s := h.nlbService(fmt.Sprintf("web-%d", i), 80)
		h.create(s)
		svcs = append(svcs, s)
	}
	// Poll the apiserver first: the harness's own Describes share AWS's
	// buckets with the controller.
	testenv.Eventually(t, "every status written", func(context.Context) (bool, error) {
		for _, s := range svcs {
			if cur := h.get(s); cur == nil || len(cur.Status.LoadBalancer.Ingress) == 0 {
				return false, nil
			}
		}
		return true, nil
	})
	h.quiesce()
	h.eventually("four NLBs with node rules", func(w world) string {
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 4 || len(ours) != 4 {
			return fmt.Sprintf("%d LBs %d rules", len(w.lbs), len(ours))
		}
		return ""
	})
	for _, s := range svcs {
		if err := h.kube.Client.Delete(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range svcs {
		h.waitGone(s)
	}
	h.quiesce()
	h.eventually("nothing left behind", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs)+len(w.tgs)+len(managed)+len(backend)+len(ours) != 0 {
			return fmt.Sprintf("lbs %d tgs %d managed %d backend %d rules %d", len(w.lbs), len(w.tgs), len(managed), len(backend), len(ours))
		}
		return ""
	})
}

// LBC #4207, #1878: with the backend SG off, node rules cite the managed
// SG; teardown revokes them before deleting it instead of sticking.
func TestDeleteWithoutBackendSGRevokesRulesCitingTheManagedSG(t *testing.T) {
	h := start(t, func(o *options.Controller) { o.EnableBackendSecurityGroup = false })
	foreign := h.addForeignRule()
	svc := h.nlbService("web", 80)
	h.create(svc)
	h.eventually("node rule from the managed SG", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(managed) != 1 || len(backend) != 0 || len(ours) != 1 {
			return "not yet"
		}
		for k := range ours {
			if k.Peer != managed[0].ID {
				return "wrong peer"
			}
		}
		return ""
	})
	if err := h.kube.Client.Delete(t.Context(), svc); err != nil {
		t.Fatal(err)
	}
	h.waitGone(svc)
	w := h.eventually("nothing left behind", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs)+len(w.tgs)+len(managed)+len(backend)+len(ours) != 0 {
			return fmt.Sprintf("lbs %d tgs %d managed %d backend %d rules %v", len(w.lbs), len(w.tgs), len(managed), len(backend), ours)
		}
		return ""
	})
	if _, f := h.nodeRules(w); !f.Has(foreign) {
		t.Errorf("foreign rule lost: %v", f)
	}
}

func TestSGDetachedByHandIsReattachedAtTheNextDriftCheck(t *testing.T) {
	h := start(t, nil)
	svc := h.nlbService("web", 80)
	h.create(svc)
	var want []string
	var name string
	h.eventually("converged", func(w world) string {
		n, sgs, why := single(w)
		if why != "" || len(sgs) != 2 {
			return "not yet"
		}
		name, want = n, sgs
		return ""
	})
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.ELBv2.SetSecurityGroups(t.Context(), &elbv2.SetSecurityGroupsInput{
		LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn, SecurityGroups: want[:1]}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ctrls.Drift.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.eventually("both SGs attached again", func(w world) string {
		if _, sgs, why := single(w); why != "" || !slices.Equal(sgs, want) {
			return fmt.Sprintf("LB SGs %v want %v", sgs, want)
		}
		return ""
	})
}
