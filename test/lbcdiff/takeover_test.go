package lbcdiff

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/shield"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The takeover suite hands each converged world to the other controller:
// LBC's world to lbsg (started with --adopt-lbc-rules, as docs/migration.md
// says), lbsg's world back to LBC. A controller taking over must find what
// the other built and leave it as it is. lbsg then edits and deletes every
// object of the world it took over, and must leave nothing behind.

// sgRuleActions are the only writes lbsg may make when it takes over from
// LBC: the documented rewrite of LBC's node/ENI rules to lbsg's
// cluster-qualified markers (authorize the new rule, then revoke the old).
var sgRuleActions = []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:UpdateSecurityGroupRuleDescriptionsIngress"}

// elbWrites are ELBv2 writes no controller taking over may make: the other
// controller's load balancers, listeners, rules and target groups are used
// as they are.
// Actions are named as the emulator's call log names them, service:Action.
var elbWrites = []string{
	"CreateLoadBalancer", "DeleteLoadBalancer", "CreateTargetGroup", "DeleteTargetGroup", "CreateListener",
	"DeleteListener", "ModifyListener", "CreateRule", "DeleteRule", "ModifyRule", "SetRulePriorities",
	"ModifyLoadBalancerAttributes", "ModifyTargetGroupAttributes", "ModifyListenerAttributes", "ModifyTargetGroup",
	"SetSecurityGroups", "SetSubnets", "SetIpAddressType", "AddListenerCertificates", "RemoveListenerCertificates",
	"ModifyCapacityReservation",
}

func readOnly(action string) bool {
	if _, a, ok := strings.Cut(action, ":"); ok {
		action = a
	}
	for _, p := range []string{"Describe", "List", "Get"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// actionCalls is the emulator's call count per action, and the count of
// calls refused with Throttling under the key "throttled".
func (wd *world) actionCalls(ctx context.Context) (map[string]int, error) {
	log, err := wd.callLog(ctx)
	out := map[string]int{}
	for a, s := range log.Actions {
		out[a] = s.Calls
		out[throttled] += s.Errors["Throttling"]
	}
	return out, err
}

// throttled is actionCalls' key for calls refused with Throttling.
const throttled = "throttled"

// writesSince returns the write calls made since before, by action.
func (wd *world) writesSince(ctx context.Context, before map[string]int) (map[string]int, error) {
	now, err := wd.actionCalls(ctx)
	out := map[string]int{}
	for a, n := range now {
		if d := n - before[a]; d > 0 && !readOnly(a) && a != throttled {
			out[a] = d
		}
	}
	return out, err
}

// securityGroups maps every security group of the world's VPC to its
// rules, as snapshot lines.
func (wd *world) securityGroups(ctx context.Context) (map[string][]string, error) {
	out, err := wd.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{wd.w.AWS.VPCID}}}})
	if err != nil {
		return nil, err
	}
	m := map[string][]string{}
	for _, g := range out.SecurityGroups {
		var lines []string
		for _, p := range g.IpPermissions {
			lines = append(lines, permissionLines(p)...)
		}
		for _, p := range g.IpPermissionsEgress {
			for _, l := range permissionLines(p) {
				lines = append(lines, "egress "+l)
			}
		}
		slices.Sort(lines)
		m[aws.ToString(g.GroupId)] = lines
	}
	return m, nil
}

// handOverAndConverge swaps the world's controller and waits until the new
// one has started (its first AWS call) and is quiet with nothing pending.
// It returns the writes the new controller made.
func (wd *world) handOverAndConverge(ctx context.Context, cases []testCase) (map[string]int, error) {
	before, err := wd.actionCalls(ctx)
	if err != nil {
		return nil, err
	}
	total, err := wd.calls(ctx)
	if err != nil {
		return nil, err
	}
	if err := wd.relay.handOver(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := wd.calls(ctx)
		if err != nil {
			return nil, err
		}
		if n > total {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the second controller made no AWS call in 2 minutes")
		}
		select {
		case err := <-wd.relay.failed:
			return nil, fmt.Errorf("the second controller stopped: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if _, _, _, err := wd.converge(ctx, cases, 3*time.Second, convergeTimeout(len(cases))); err != nil {
		return nil, err
	}
	return wd.writesSince(ctx, before)
}

// oidcActions counts the authenticate-oidc actions of a snapshot's rules
// and listeners.
func oidcActions(s *snapshot) int {
	n := 0
	for _, l := range s.lines {
		n += strings.Count(l, `"Type":"authenticate-oidc"`)
	}
	return n
}

// takeOver runs the takeover suite on the two converged worlds; snaps are
// their snapshots before the swap.
func takeOver(t *testing.T, worlds map[Side]*world, cases []testCase, snaps map[Side]*snapshot) {
	ctx := t.Context()
	writes := map[Side]map[string]int{}
	after := map[Side]*snapshot{}
	// One after the other: lbsg runs in this process, and the lbsg of
	// lbsg's world stops before the one taking over LBC's world starts.
	for _, side := range []Side{LBSG, LBC} {
		w := worlds[side]
		wr, err := w.handOverAndConverge(ctx, cases)
		var s *snapshot
		if err == nil {
			s, err = take(ctx, w)
		}
		if err != nil {
			t.Fatalf("handing %s's world over: %v", side, err)
		}
		writes[side], after[side] = wr, s
		if d := os.Getenv(DumpEnv); d != "" {
			_ = os.WriteFile(filepath.Join(d, string(side)+"-world-after-takeover.txt"), []byte(strings.Join(s.lines, "\n")+"\n"), 0o644)
		}
	}

	// lbsg took over LBC's world: only the marker rewrite, and one
	// ModifyRule (or ModifyListener) per authenticate-oidc action: ELBv2
	// never returns the client secret, so lbsg writes the Secret's once.
	t.Logf("lbsg taking over from LBC wrote %v", writes[LBC])
	oidc := oidcActions(snaps[LBC])
	for a, n := range writes[LBC] {
		if a == "elasticloadbalancing:ModifyRule" || a == "elasticloadbalancing:ModifyListener" {
			if n <= oidc {
				continue
			}
		}
		if !slices.Contains(sgRuleActions, a) {
			t.Errorf("lbsg taking over from LBC called %s %d times; it may only rewrite LBC's node/ENI rule markers (and write %d OIDC client secrets)", a, n, oidc)
		}
	}
	onlyLBC, onlyLBSG, tol, _ := diff(snaps[LBC].lines, after[LBC].lines)
	for _, p := range checkRanges(tol[LBC], tol[LBSG]) {
		t.Error("after lbsg took over: " + p)
	}
	if len(onlyLBC)+len(onlyLBSG) > 0 {
		t.Errorf("lbsg changed LBC's world when it took over: before (-), after (+):\n%s", lineDiff(onlyLBC, onlyLBSG))
	}

	// LBC took lbsg's world back: it must not rebuild or tear it down. LBC
	// rewrites every rule with an authenticate-oidc action on each
	// reconcile (it compares the client secret, which ELBv2 never returns:
	// LBC #1232), so ModifyRule is its own when the world has such rules.
	t.Logf("LBC taking over from lbsg wrote %v", writes[LBSG])
	for _, a := range elbWrites {
		if (a == "ModifyRule" || a == "ModifyListener") && oidcActions(snaps[LBSG]) > 0 {
			continue
		}
		if n := writes[LBSG]["elasticloadbalancing:"+a]; n > 0 {
			t.Errorf("LBC taking over from lbsg called %s %d times: it rebuilt part of lbsg's world", a, n)
		}
	}
	if got, want := statusLines(after[LBSG]), statusLines(snaps[LBSG]); !slices.Equal(got, want) {
		t.Errorf("after LBC took over from lbsg, the objects' status changed: before (-), after (+):\n%s", lineDiff(want, got))
	}

	editAndDelete(t, worlds[LBC], cases)
}

func statusLines(s *snapshot) []string {
	var out []string
	for _, l := range s.lines {
		if strings.Contains(l, " status hostname: ") {
			out = append(out, l)
		}
	}
	return out
}

func lineDiff(minus, plus []string) string {
	var b strings.Builder
	for _, l := range minus {
		b.WriteString("- " + l + "\n")
	}
	for _, l := range plus {
		b.WriteString("+ " + l + "\n")
	}
	return b.String()
}

// Edits the suite makes to every object of the world lbsg took over.
const (
	editedTag  = "lbcdiff=edited"
	portOffset = 1000
)

// editAndDelete edits every Service and Ingress of the cases under lbsg (a
// tag, the first Service port, the first Ingress path), checks that AWS
// follows, then deletes them all and checks that the world is back to its
// security groups and rules from before the first case, with no load
// balancer or target group left.
func editAndDelete(t *testing.T, wd *world, cases []testCase) {
	ctx := t.Context()
	type line struct{ prefix, has string }
	var want []line // snapshot lines the edits must produce
	for _, c := range cases {
		svcs, ings, err := wd.caseObjects(ctx, c.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range svcs {
			if s.Spec.Type != corev1.ServiceTypeLoadBalancer {
				continue
			}
			s.Annotations = withTag(s.Annotations, "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags")
			s.Spec.Ports[0].Port += portOffset
			if _, err := wd.kube.CoreV1().Services(c.name).Update(ctx, &s, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("editing service %s/%s: %v", c.name, s.Name, err)
			}
			lb := "lb[" + c.name + "/" + s.Name + "]"
			want = append(want, line{lb + " tag lbcdiff:", "edited"}, line{fmt.Sprintf("%s.listener[%d] protocol:", lb, s.Spec.Ports[0].Port), ""})
		}
		for _, i := range ings {
			i.Annotations = withTag(i.Annotations, "alb.ingress.kubernetes.io/tags")
			lb := "lb[" + c.name + "/" + i.Name + "]"
			if g := i.Annotations["alb.ingress.kubernetes.io/group.name"]; g != "" {
				lb = "lb[" + g + "]"
			}
			want = append(want, line{lb + " tag lbcdiff:", "edited"})
			if len(i.Spec.Rules) > 0 && i.Spec.Rules[0].HTTP != nil && len(i.Spec.Rules[0].HTTP.Paths) > 0 {
				p := &i.Spec.Rules[0].HTTP.Paths[0]
				p.Path = strings.TrimSuffix(p.Path, "/") + "/edited"
				want = append(want, line{lb + ".listener[", p.Path})
			}
			if _, err := wd.kube.NetworkingV1().Ingresses(c.name).Update(ctx, &i, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("editing ingress %s/%s: %v", c.name, i.Name, err)
			}
		}
	}
	t.Logf("edited every object lbsg took over (%d expectations)", len(want))
	if _, _, _, err := wd.converge(ctx, cases, 3*time.Second, convergeTimeout(len(cases))); err != nil {
		t.Fatalf("after the edits: %v", err)
	}
	s, err := take(ctx, wd)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !slices.ContainsFunc(s.lines, func(l string) bool { return strings.HasPrefix(l, w.prefix) && strings.Contains(l, w.has) }) {
			t.Errorf("after the edits, no AWS state line starts with %q and has %q", w.prefix, w.has)
		}
	}

	for _, c := range cases {
		svcs, err := wd.kube.CoreV1().Services(c.name).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range svcs.Items {
			if err := wd.kube.CoreV1().Services(c.name).Delete(ctx, s.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		}
		if err := wd.kube.NetworkingV1().Ingresses(c.name).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("deleted every object lbsg took over")
	var left []string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		left, err = wd.leftovers(ctx, cases)
		if err == nil && len(left) == 0 {
			t.Logf("nothing left behind")
			return
		}
	}
	t.Errorf("3 minutes after every object was deleted, left behind: %v (%v)", left, err)
}

func withTag(a map[string]string, key string) map[string]string {
	a = maps.Clone(a)
	if a == nil {
		a = map[string]string{}
	}
	if v := a[key]; v != "" {
		a[key] = v + "," + editedTag
	} else {
		a[key] = editedTag
	}
	return a
}

// leftovers lists what is still there after the cases' objects were
// deleted: objects held by a finalizer, load balancers, target groups, and
// security groups or rules not in the world's baseline.
func (wd *world) leftovers(ctx context.Context, cases []testCase) ([]string, error) {
	var out []string
	for _, c := range cases {
		svcs, ings, err := wd.caseObjects(ctx, c.name)
		if err != nil {
			return nil, err
		}
		for _, s := range svcs {
			out = append(out, fmt.Sprintf("service %s/%s (finalizers %v)", c.name, s.Name, s.Finalizers))
		}
		for _, i := range ings {
			out = append(out, fmt.Sprintf("ingress %s/%s (finalizers %v)", c.name, i.Name, i.Finalizers))
		}
	}
	lbs, err := wd.elb.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	for _, lb := range lbs.LoadBalancers {
		out = append(out, "load balancer "+aws.ToString(lb.LoadBalancerName))
	}
	prs, err := wd.shield.ListProtections(ctx, &shield.ListProtectionsInput{})
	if err != nil {
		return nil, err
	}
	for _, p := range prs.Protections {
		out = append(out, "shield protection "+aws.ToString(p.Name)+" of "+aws.ToString(p.ResourceArn))
	}
	tgs, err := wd.elb.DescribeTargetGroups(ctx, &elasticloadbalancingv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	for _, tg := range tgs.TargetGroups {
		if slices.Contains(userTGs, aws.ToString(tg.TargetGroupName)) {
			continue // the suite's own, which no controller may delete
		}
		if slices.Contains(boundTGs, aws.ToString(tg.TargetGroupName)) {
			// The suite's own too; its binding's Service is gone, so its
			// targets must be.
			h, err := wd.elb.DescribeTargetHealth(ctx, &elasticloadbalancingv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
			if err != nil {
				return nil, err
			}
			for _, d := range h.TargetHealthDescriptions {
				if d.TargetHealth == nil || d.TargetHealth.State != elbv2types.TargetHealthStateEnumDraining {
					out = append(out, "target "+aws.ToString(d.Target.Id)+" of "+aws.ToString(tg.TargetGroupName))
				}
			}
			continue
		}
		out = append(out, "target group "+aws.ToString(tg.TargetGroupName))
	}
	sgs, err := wd.securityGroups(ctx)
	if err != nil {
		return nil, err
	}
	for id, rules := range sgs {
		base, ok := wd.baseline[id]
		if !ok {
			out = append(out, "security group "+id)
			continue
		}
		for _, r := range rules {
			if !slices.Contains(base, r) {
				out = append(out, "rule on "+id+": "+r)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
