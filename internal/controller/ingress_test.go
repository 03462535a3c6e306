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
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// nodePortService is a NodePort Service behind an Ingress.
func (h *harness) nodePortService(name string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}},
	}
}

// albIngress is an Ingress of class alb routing path to svc:80.
func (h *harness) albIngress(name, path, svc string, ann map[string]string) *networkingv1.Ingress {
	a := map[string]string{"kubernetes.io/ingress.class": "alb"}
	for k, v := range ann {
		a[k] = v
	}
	prefix := networkingv1.PathTypePrefix
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name, Annotations: a},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: path, PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc,
					Port: networkingv1.ServiceBackendPort{Number: 80}}}}}},
		}}}},
	}
}

func (h *harness) updateIngress(ing *networkingv1.Ingress, mutate func(*networkingv1.Ingress)) {
	h.t.Helper()
	testenv.Eventually(h.t, "ingress updated", func(ctx context.Context) (bool, error) {
		cur := &networkingv1.Ingress{}
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(ing), cur); err != nil {
			return false, err
		}
		if cur.Annotations == nil {
			cur.Annotations = map[string]string{}
		}
		mutate(cur)
		return true, h.kube.Client.Update(ctx, cur)
	})
}

func (h *harness) getIngress(ing *networkingv1.Ingress) *networkingv1.Ingress {
	cur := &networkingv1.Ingress{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(ing), cur); err != nil {
		return nil
	}
	return cur
}

func (h *harness) deleteAndWait(objs ...client.Object) {
	h.t.Helper()
	for _, o := range objs {
		if err := h.kube.Client.Delete(h.t.Context(), o); err != nil && !apierrors.IsNotFound(err) {
			h.t.Fatal(err)
		}
	}
	for _, o := range objs {
		testenv.Eventually(h.t, o.GetName()+" deleted", func(ctx context.Context) (bool, error) {
			err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(o), o.DeepCopyObject().(client.Object))
			return apierrors.IsNotFound(err), nil
		})
	}
}

// albRules lists an ALB's listener rules as "port prio path→tg".
func (h *harness) albRules(ctx context.Context, lbName string) ([]string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		return nil, err
	}
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	tgName := map[string]string{}
	for _, tg := range tgs.TargetGroups {
		tgName[aws.ToString(tg.TargetGroupArn)] = aws.ToString(tg.TargetGroupName)
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range ls.Listeners {
		rs, err := h.emu.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return nil, err
		}
		for _, r := range rs.Rules {
			if aws.ToBool(r.IsDefault) {
				continue
			}
			var paths []string
			for _, c := range r.Conditions {
				if aws.ToString(c.Field) == "path-pattern" {
					paths = append(paths, c.Values...)
					if c.PathPatternConfig != nil {
						paths = append(paths, c.PathPatternConfig.Values...)
					}
				}
			}
			slices.Sort(paths)
			paths = slices.Compact(paths)
			tg := ""
			for _, a := range r.Actions {
				if a.TargetGroupArn != nil {
					tg = tgName[aws.ToString(a.TargetGroupArn)]
				} else if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 {
					tg = tgName[aws.ToString(a.ForwardConfig.TargetGroups[0].TargetGroupArn)]
				}
			}
			out = append(out, fmt.Sprintf("%d %s %v→%s", aws.ToInt32(l.Port), aws.ToString(r.Priority), paths, tg))
		}
	}
	slices.Sort(out)
	return out, nil
}

// albName is the generated name of an Ingress stack's internal ALB.
func albName(st naming.Stack) string { return naming.IngressLBName(cluster, st, naming.SchemeInternal) }

// ingressSGs returns the managed SGs of an Ingress stack.
func ingressSGs(w world, st naming.Stack) []string {
	var out []string
	managed, _ := w.ownedSGs()
	for _, sg := range managed {
		if s, ok := naming.StackFromTags(sg.Tags); ok && s == st {
			out = append(out, sg.ID)
		}
	}
	return out
}

func (h *harness) nodePort(svc *corev1.Service) int32 {
	h.t.Helper()
	var port int32
	testenv.Eventually(h.t, "node port allocated", func(context.Context) (bool, error) {
		cur := h.get(svc)
		if cur == nil || len(cur.Spec.Ports) == 0 {
			return false, nil
		}
		port = cur.Spec.Ports[0].NodePort
		return port != 0, nil
	})
	return port
}

func TestIngressLifecycleCreateUpdateDelete(t *testing.T) {
	h := start(t, nil)
	foreign := h.addForeignRule()
	svc := h.nodePortService("web")
	h.create(svc)
	nodePort := h.nodePort(svc)
	ing := h.albIngress("shop", "/", "web", nil)
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	name := albName(st)

	w := h.eventually("ALB with managed and backend SGs, HTTP:80 listener and node rule", func(w world) string {
		if _, ok := w.lbs[name]; !ok || len(w.lbs) != 1 {
			return fmt.Sprintf("LBs %v, want %s", w.lbs, name)
		}
		managed := ingressSGs(w, st)
		_, backend := w.ownedSGs()
		if len(managed) != 1 || len(backend) != 1 {
			return fmt.Sprintf("managed %v backend %d", managed, len(backend))
		}
		if want := slices.Sorted(slices.Values([]string{managed[0], backend[0].ID})); !slices.Equal(w.lbs[name], want) {
			return fmt.Sprintf("ALB SGs %v, want %v", w.lbs[name], want)
		}
		if got := ruleList(w.sgs[managed[0]].Ingress); !slices.Equal(got, []string{"tcp 80 ← 0.0.0.0/0"}) {
			return fmt.Sprintf("frontend rules %v", got)
		}
		if len(w.listeners[name]) != 1 || !strings.HasPrefix(w.listeners[name][0], "80/HTTP") {
			return fmt.Sprintf("listeners %v", w.listeners[name])
		}
		ours, _ := h.nodeRules(w)
		if !slices.Equal(ruleList(ours), []string{fmt.Sprintf("tcp %d ← %s", nodePort, backend[0].ID)}) {
			return fmt.Sprintf("node rules %v, want NodePort %d from the backend SG", ruleList(ours), nodePort)
		}
		return ""
	})
	if _, f := h.nodeRules(w); !f.Has(foreign) {
		t.Errorf("foreign rule gone: %v", f)
	}
	testenv.Eventually(t, "rule / forwards to the Service's target group", func(ctx context.Context) (bool, error) {
		got, err := h.albRules(ctx, name)
		return err == nil && len(got) == 1 && strings.HasPrefix(got[0], "80 1 [/*]→k8s-"), err
	})
	testenv.Eventually(t, "status hostname with port 80 and the finalizer", func(context.Context) (bool, error) {
		cur := h.getIngress(ing)
		return cur != nil && len(cur.Status.LoadBalancer.Ingress) == 1 &&
			cur.Status.LoadBalancer.Ingress[0].Hostname == strings.ToLower(w.dns[name]) &&
			len(cur.Status.LoadBalancer.Ingress[0].Ports) == 1 && cur.Status.LoadBalancer.Ingress[0].Ports[0].Port == 80 &&
			slices.Contains(cur.Finalizers, naming.FinalizerIngress), nil
	})

	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations["alb.ingress.kubernetes.io/listen-ports"] = `[{"HTTP":80},{"HTTP":8080}]`
		i.Annotations["alb.ingress.kubernetes.io/inbound-cidrs"] = "10.0.0.0/8"
	})
	h.eventually("listen-ports × inbound-cidrs on the managed SG, two listeners", func(w world) string {
		managed := ingressSGs(w, st)
		if len(managed) != 1 {
			return fmt.Sprintf("managed %v", managed)
		}
		if got := ruleList(w.sgs[managed[0]].Ingress); !slices.Equal(got, []string{"tcp 80 ← 10.0.0.0/8", "tcp 8080 ← 10.0.0.0/8"}) {
			return fmt.Sprintf("frontend rules %v", got)
		}
		if len(w.listeners[name]) != 2 {
			return fmt.Sprintf("listeners %v", w.listeners[name])
		}
		return ""
	})

	h.deleteAndWait(ing)
	w = h.eventually("ALB, target group, managed and backend SG and node rule gone", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 0 || len(w.tgs) != 0 || len(managed) != 0 || len(backend) != 0 || len(ours) != 0 {
			return fmt.Sprintf("lbs %v tgs %v managed %d backend %d node rules %v", w.lbs, w.tgs, len(managed), len(backend), ours)
		}
		return ""
	})
	if _, f := h.nodeRules(w); !f.Has(foreign) {
		t.Errorf("foreign rule gone after delete: %v", f)
	}
}

func TestIngressGroupOfThreeWithAMemberMovingBetweenGroups(t *testing.T) {
	h := start(t, nil)
	for _, s := range []string{"a", "b", "c"} {
		h.create(h.nodePortService(s))
	}
	groupA, groupB := "a-"+h.kube.Namespace, "b-"+h.kube.Namespace
	var ings []*networkingv1.Ingress
	for i, s := range []string{"a", "b", "c"} {
		ing := h.albIngress("ing-"+s, "/"+s, s, map[string]string{
			"alb.ingress.kubernetes.io/group.name":  groupA,
			"alb.ingress.kubernetes.io/group.order": fmt.Sprint(i + 1),
		})
		h.create(ing)
		ings = append(ings, ing)
	}
	stA, stB := naming.ExplicitIngressStack(groupA), naming.ExplicitIngressStack(groupB)
	nameA, nameB := albName(stA), albName(stB)
	w := h.eventually("one ALB for the group with one frontend SG", func(w world) string {
		if _, ok := w.lbs[nameA]; !ok || len(w.lbs) != 1 || len(ingressSGs(w, stA)) != 1 {
			return fmt.Sprintf("LBs %v managed %v", w.lbs, ingressSGs(w, stA))
		}
		return ""
	})
	testenv.Eventually(t, "rules of the three members in group order", func(ctx context.Context) (bool, error) {
		got, err := h.albRules(ctx, nameA)
		return err == nil && len(got) == 3 && strings.HasPrefix(got[0], "80 1 [/a /a/*]") &&
			strings.HasPrefix(got[1], "80 2 [/b /b/*]") && strings.HasPrefix(got[2], "80 3 [/c /c/*]"), err
	})
	testenv.Eventually(t, "every member's status names the group's ALB", func(context.Context) (bool, error) {
		for _, ing := range ings {
			cur := h.getIngress(ing)
			if cur == nil || len(cur.Status.LoadBalancer.Ingress) != 1 || cur.Status.LoadBalancer.Ingress[0].Hostname != strings.ToLower(w.dns[nameA]) ||
				!slices.Contains(cur.Finalizers, stA.Finalizer()) {
				return false, nil
			}
		}
		return true, nil
	})

	h.updateIngress(ings[2], func(i *networkingv1.Ingress) { i.Annotations["alb.ingress.kubernetes.io/group.name"] = groupB })
	w = h.eventually("the moved member has its own ALB; the first keeps the other two", func(w world) string {
		if len(w.lbs) != 2 || len(ingressSGs(w, stA)) != 1 || len(ingressSGs(w, stB)) != 1 {
			return fmt.Sprintf("LBs %v", w.lbs)
		}
		return ""
	})
	testenv.Eventually(t, "rules split between the two ALBs", func(ctx context.Context) (bool, error) {
		a, err := h.albRules(ctx, nameA)
		if err != nil {
			return false, err
		}
		b, err := h.albRules(ctx, nameB)
		return err == nil && len(a) == 2 && len(b) == 1 && strings.HasPrefix(b[0], "80 1 [/c /c/*]"), err
	})
	testenv.Eventually(t, "the moved member holds only its new group's finalizer and names its ALB", func(context.Context) (bool, error) {
		cur := h.getIngress(ings[2])
		return cur != nil && slices.Contains(cur.Finalizers, stB.Finalizer()) && !slices.Contains(cur.Finalizers, stA.Finalizer()) &&
			len(cur.Status.LoadBalancer.Ingress) == 1 && cur.Status.LoadBalancer.Ingress[0].Hostname == strings.ToLower(w.dns[nameB]), nil
	})

	h.deleteAndWait(ings[0], ings[1], ings[2])
	h.eventually("both ALBs and all SGs gone", func(w world) string {
		managed, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 0 || len(w.tgs) != 0 || len(managed) != 0 || len(backend) != 0 || len(ours) != 0 {
			return fmt.Sprintf("lbs %v tgs %v managed %d backend %d node rules %v", w.lbs, w.tgs, len(managed), len(backend), ours)
		}
		return ""
	})
}

func TestIngressConflictingMemberGetsAnEventAndTheRestKeepsWorking(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	group := "g-" + h.kube.Namespace
	good := h.albIngress("good", "/good", "web", map[string]string{"alb.ingress.kubernetes.io/group.name": group})
	bad := h.albIngress("bad", "/bad", "web", map[string]string{"alb.ingress.kubernetes.io/group.name": group,
		"alb.ingress.kubernetes.io/group.order": "5", "alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":80}]`,
		"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-west-2:123456789012:certificate/x"})
	h.create(good)
	h.create(bad)
	name := albName(naming.ExplicitIngressStack(group))
	testenv.Eventually(t, "event on the member at fault", func(context.Context) (bool, error) {
		return h.events.has("bad Warning FailedBuildModel"), nil
	})
	h.eventually("the ALB serves the good member", func(w world) string {
		if _, ok := w.lbs[name]; !ok || len(w.listeners[name]) != 1 || !strings.HasPrefix(w.listeners[name][0], "80/HTTP→") {
			return fmt.Sprintf("LBs %v listeners %v", w.lbs, w.listeners[name])
		}
		return ""
	})
	testenv.Eventually(t, "only the good member's rule, and its status", func(ctx context.Context) (bool, error) {
		got, err := h.albRules(ctx, name)
		cur := h.getIngress(good)
		return err == nil && len(got) == 1 && strings.Contains(got[0], "/good") && cur != nil && len(cur.Status.LoadBalancer.Ingress) == 1, err
	})
	if h.events.has("good Warning FailedBuildModel") || h.events.has("good Warning FailedDeployModel") {
		t.Errorf("the good member got a build or deploy warning: %v", h.events.got)
	}
	h.deleteAndWait(good, bad)
}

func TestIngressManualSecurityGroups(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("shop", "/", "web", nil)
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	name := albName(st)
	h.eventually("ALB with the managed SG", func(w world) string {
		if len(ingressSGs(w, st)) != 1 || len(w.lbs[name]) != 2 {
			return fmt.Sprintf("LBs %v", w.lbs)
		}
		return ""
	})

	manual := h.createSG("web-frontend")
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations["alb.ingress.kubernetes.io/security-groups"] = "web-frontend"
		i.Annotations["alb.ingress.kubernetes.io/manage-backend-security-group-rules"] = "true"
	})
	w := h.eventually("SetSecurityGroups to the named SG and the backend SG; managed SG deleted", func(w world) string {
		_, backend := w.ownedSGs()
		if len(backend) != 1 || len(ingressSGs(w, st)) != 0 {
			return fmt.Sprintf("backend %d managed %v", len(backend), ingressSGs(w, st))
		}
		if want := slices.Sorted(slices.Values([]string{manual, backend[0].ID})); !slices.Equal(w.lbs[name], want) {
			return fmt.Sprintf("ALB SGs %v, want %v", w.lbs[name], want)
		}
		return ""
	})
	before := w.lbs[name]

	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations["alb.ingress.kubernetes.io/security-groups"] = "web-frontend,no-such-group"
	})
	testenv.Eventually(t, "an unresolvable SG gives a warning naming it", func(context.Context) (bool, error) {
		return h.events.has("shop Warning SecurityGroupsNotResolved") && h.events.has("no-such-group"), nil
	})
	sixIDs := []string{manual}
	for i := range 5 {
		sixIDs = append(sixIDs, h.createSG(fmt.Sprintf("extra-%d", i)))
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations["alb.ingress.kubernetes.io/security-groups"] = strings.Join(sixIDs, ",")
	})
	testenv.Eventually(t, "six SGs are refused with a warning", func(context.Context) (bool, error) {
		return h.events.has("shop Warning FailedBuildModel"), nil
	})
	w, err := h.world(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.lbs[name], before) {
		t.Errorf("ALB SGs changed to %v after refused updates, want %v", w.lbs[name], before)
	}

	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		delete(i.Annotations, "alb.ingress.kubernetes.io/security-groups")
		delete(i.Annotations, "alb.ingress.kubernetes.io/manage-backend-security-group-rules")
	})
	h.eventually("annotation removed: managed SG again", func(w world) string {
		managed := ingressSGs(w, st)
		if len(managed) != 1 || !slices.Contains(w.lbs[name], managed[0]) || slices.Contains(w.lbs[name], manual) {
			return fmt.Sprintf("ALB SGs %v managed %v", w.lbs[name], managed)
		}
		return ""
	})
	if _, ok := w.sgs[manual]; !ok {
		t.Errorf("the hand-made SG %s was deleted", manual)
	}
	h.deleteAndWait(ing)
}

func TestIngressAndServiceShareTheBackendSGAndTheNodeSG(t *testing.T) {
	h := start(t, nil)
	backendSvc := h.nodePortService("web")
	h.create(backendSvc)
	nodePort := h.nodePort(backendSvc)
	ing := h.albIngress("shop", "/", "web", nil)
	h.create(ing)
	nlb := h.nlbService("tcp", 5432)
	h.create(nlb)
	var backendID string
	h.eventually("one backend SG on both load balancers, node rules for both", func(w world) string {
		_, backend := w.ownedSGs()
		if len(w.lbs) != 2 || len(backend) != 1 {
			return fmt.Sprintf("LBs %v backend %d", w.lbs, len(backend))
		}
		backendID = backend[0].ID
		for n, sgs := range w.lbs {
			if !slices.Contains(sgs, backendID) {
				return fmt.Sprintf("%s lacks the backend SG: %v", n, sgs)
			}
		}
		ours, _ := h.nodeRules(w)
		if len(ours) != 2 || !slices.Contains(ruleList(ours), fmt.Sprintf("tcp %d ← %s", nodePort, backendID)) {
			return fmt.Sprintf("node rules %v", ruleList(ours))
		}
		return ""
	})
	h.deleteAndWait(ing)
	h.eventually("the Service keeps its rule and the backend SG", func(w world) string {
		_, backend := w.ownedSGs()
		ours, _ := h.nodeRules(w)
		if len(w.lbs) != 1 || len(backend) != 1 || backend[0].ID != backendID || len(ours) != 1 ||
			slices.Contains(ruleList(ours), fmt.Sprintf("tcp %d ← %s", nodePort, backendID)) {
			return fmt.Sprintf("LBs %v backend %d node rules %v", w.lbs, len(backend), ruleList(ours))
		}
		return ""
	})
}

func TestIngressDeletionProtectionBlocksDeleteUntilTurnedOff(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("shop", "/", "web", map[string]string{
		"alb.ingress.kubernetes.io/load-balancer-attributes": "deletion_protection.enabled=true",
	})
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	h.eventually("ALB created", func(w world) string {
		if _, ok := w.lbs[name]; !ok {
			return fmt.Sprintf("LBs %v", w.lbs)
		}
		return ""
	})
	if err := h.kube.Client.Delete(t.Context(), ing); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "a warning names the protection", func(context.Context) (bool, error) {
		return h.events.has("shop Warning FailedBuildModel: Failed build model due to deletion_protection is enabled, cannot delete the ingress: shop"), nil
	})
	w, err := h.world(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.lbs[name]; !ok || h.getIngress(ing) == nil {
		t.Fatalf("the ALB or the Ingress went away while protected: LBs %v", w.lbs)
	}
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		delete(i.Annotations, "alb.ingress.kubernetes.io/load-balancer-attributes")
	})
	h.eventually("protection off: the ALB and its SGs are deleted", func(w world) string {
		managed, backend := w.ownedSGs()
		if len(w.lbs) != 0 || len(managed) != 0 || len(backend) != 0 {
			return fmt.Sprintf("LBs %v managed %d backend %d", w.lbs, len(managed), len(backend))
		}
		return ""
	})
	h.deleteAndWait(ing)
}

func TestIngressDriftCheckRestoresTheALBsFrontendRuleAndSecurityGroups(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("shop", "/", "web", nil)
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	name := albName(st)
	var managedID string
	var sgs []string
	h.eventually("converged", func(w world) string {
		managed := ingressSGs(w, st)
		if len(managed) != 1 || len(w.sgs[managed[0]].Ingress) != 1 || len(w.lbs[name]) != 2 {
			return fmt.Sprintf("LBs %v managed %v", w.lbs, managed)
		}
		managedID, sgs = managed[0], w.lbs[name]
		return ""
	})
	ctx := t.Context()
	if _, err := h.emu.EC2.RevokeSecurityGroupIngress(ctx, &awsec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(managedID),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.ELBv2.SetSecurityGroups(ctx, &elbv2.SetSecurityGroupsInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn,
		SecurityGroups: []string{managedID}}); err != nil {
		t.Fatal(err)
	}
	res, err := h.ctrls.Drift.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Stacks, st.Key()) {
		t.Errorf("drift check enqueued %v, want %s", res.Stacks, st.Key())
	}
	h.eventually("rule and SGs restored", func(w world) string {
		if got := ruleList(w.sgs[managedID].Ingress); !slices.Equal(got, []string{"tcp 80 ← 0.0.0.0/0"}) || !slices.Equal(w.lbs[name], sgs) {
			return fmt.Sprintf("rules %v SGs %v, want %v", got, w.lbs[name], sgs)
		}
		return ""
	})
}

func TestDriftCheckCountsLeaksOnlyForStacksNobodyHolds(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("shop", "/", "web", nil)
	h.create(ing)
	svc := h.nlbService("tcp", 5432)
	h.create(svc)
	h.eventually("both load balancers", func(w world) string {
		if len(w.lbs) != 2 {
			return fmt.Sprintf("LBs %v", w.lbs)
		}
		return ""
	})
	// A managed SG of a Service that no longer exists, as if deleted by
	// hand with its finalizer stripped.
	ghost := naming.ServiceStack(h.kube.Namespace, "ghost")
	tags := naming.ManagedSGTags(cluster, ghost, nil)
	var ts []ec2types.Tag
	for _, tg := range naming.SortedTags(tags) {
		ts = append(ts, ec2types.Tag{Key: aws.String(tg.Key), Value: aws.String(tg.Value)})
	}
	if _, err := h.emu.EC2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{GroupName: aws.String("k8s-ghost"),
		Description: aws.String("left behind"), VpcId: aws.String(h.seed.VPCID),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ts}}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "one leaked SG counted, the live stacks' resources not", func(ctx context.Context) (bool, error) {
		res, err := h.ctrls.Drift.Check(ctx)
		if err != nil || res.Leaked == nil {
			return false, err
		}
		if res.Leaked["security-group"] != 1 || res.Leaked["load-balancer"] != 0 || res.Leaked["target-group"] != 0 {
			return false, fmt.Errorf("leaked %v", res.Leaked)
		}
		return true, nil
	})
}
