package chaos_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

// withAWS is a generator whose objects use AWS resources someone else made
// (as Terraform would): provision makes them before the object is created
// and points the object at them; gone says why AWS does not yet look as it
// must once the object name is deleted ("" when it does).
type withAWS interface {
	provision(t *testing.T, e *emu, obj client.Object)
	gone(name string, s emuState) string
}

// bindings makes TargetGroupBindings of instance target groups: for each,
// the test makes through the AWS API a TCP target group and a listener
// forwarding to it on the one NLB of them all (none tagged for the
// cluster: lbsg did not make them), and a NodePort Service; the binding registers every node on
// the Service's NodePort. Updates touch an annotation (a resync that must
// change nothing). A deleted binding's targets are deregistered and its
// target group stays; the test deletes the AWS resources at the end
// (deleteUserResources).
type bindings struct {
	*userResources
}

// userResources are the AWS resources the test made for bindings, by
// binding name.
type userResources struct {
	instances []string // the nodes' instances

	mu  sync.Mutex
	lb  string // the NLB, one listener per target group
	tgs map[string]userTG
}

type userTG struct{ tg, listener string }

func newBindings(instances []string) bindings {
	return bindings{&userResources{instances: instances, tgs: map[string]userTG{}}}
}

func (bindings) kind() string { return "TargetGroupBinding" }

func (bindings) empty() client.Object { return &v1beta1.TargetGroupBinding{} }

func (bindings) create(_ *rand.Rand, ns, name string) client.Object {
	return &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1beta1.TargetGroupBindingSpec{ServiceRef: v1beta1.ServiceReference{Name: name, Port: intstr.FromInt32(80)}}}
}

// backends returns the binding's NodePort Service.
func (bindings) backends(obj client.Object) []client.Object {
	return []client.Object{&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: obj.GetNamespace(), Name: obj.GetName()},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": obj.GetName()},
			Ports: []corev1.ServicePort{{Name: "tcp", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}},
	}}
}

// userName is the name of the binding's AWS resources ("tf-" as
// Terraform-made; at most 32 characters).
func userName(name string) string {
	n := "tf-" + name
	if len(n) > 32 {
		n = n[len(n)-32:]
	}
	return n
}

func (b bindings) provision(t *testing.T, e *emu, obj client.Object) {
	t.Helper()
	ctx := t.Context()
	name := userName(obj.GetName())
	tg, err := e.aws.ELBV2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name),
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80), VpcId: aws.String(e.seed.VPCID),
		TargetType: elbv2types.TargetTypeEnumInstance})
	if err != nil {
		t.Fatalf("creating %s's target group: %v", obj.GetName(), err)
	}
	tgARN := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lb == "" { // one NLB for all: NLBs are a quota of 50
		lb, err := e.aws.ELBV2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("tf-chaos"),
			Type: elbv2types.LoadBalancerTypeEnumNetwork, Scheme: elbv2types.LoadBalancerSchemeEnumInternal, Subnets: e.seed.PrivateSubnets})
		if err != nil {
			t.Fatalf("creating the user's NLB: %v", err)
		}
		b.lb = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	}
	l, err := e.aws.ELBV2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(b.lb),
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(int32(10000 + len(b.tgs))),
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}})
	if err != nil {
		t.Fatalf("creating %s's listener: %v", obj.GetName(), err)
	}
	b.tgs[obj.GetName()] = userTG{tg: tgARN, listener: aws.ToString(l.Listeners[0].ListenerArn)}
	obj.(*v1beta1.TargetGroupBinding).Spec.TargetGroupARN = tgARN
}

func (b bindings) update(r *rand.Rand, obj client.Object) string {
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann["chaos.lbsg.io/touched"] = fmt.Sprint(r.IntN(1000))
	obj.SetAnnotations(ann)
	return "touched"
}

func (bindings) stack(obj client.Object) string {
	return naming.TargetGroupBindingStack(obj.GetNamespace(), obj.GetName()).Key()
}

// registered are a target group's registered (not draining) targets:
// instance → ports.
func registered(s emuState, arn string) (map[string][]int, bool) {
	tg, ok := s.ELBv2.TargetGroups[arn]
	if !ok {
		return nil, false
	}
	out := map[string][]int{}
	for _, t := range tg.Targets {
		if t.Deregistered == nil {
			out[t.ID] = append(out[t.ID], t.Port)
		}
	}
	return out, true
}

// converged checks that the target group's targets are exactly the nodes,
// each once, all on one port (the Service's NodePort).
func (b bindings) converged(obj client.Object, s emuState, _ string) string {
	b.mu.Lock()
	u := b.tgs[obj.GetName()]
	b.mu.Unlock()
	got, ok := registered(s, u.tg)
	if !ok {
		return "target group " + u.tg + " is gone"
	}
	if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, slices.Sorted(slices.Values(b.instances))) {
		return fmt.Sprintf("targets %v, nodes %v", got, b.instances)
	}
	ports := map[int]bool{}
	for _, ps := range got {
		if len(ps) != 1 {
			return fmt.Sprintf("targets %v: an instance on several ports", got)
		}
		ports[ps[0]] = true
	}
	if len(ports) != 1 || ports[80] {
		return fmt.Sprintf("target ports %v, want the NodePort", slices.Sorted(maps.Keys(ports)))
	}
	return ""
}

// gone: the deleted binding's target group is still there, with no target
// registered.
func (b bindings) gone(name string, s emuState) string {
	b.mu.Lock()
	u, ok := b.tgs[name]
	b.mu.Unlock()
	if !ok {
		return ""
	}
	got, ok := registered(s, u.tg)
	switch {
	case !ok:
		return "the user's target group " + u.tg + " was deleted"
	case len(got) > 0:
		return fmt.Sprintf("deleted binding: targets %v still registered", got)
	}
	return ""
}

// deleteUserResources checks that every target group the test made is
// still there, then deletes them with their listeners and the NLB, as
// their owner would.
func (b bindings) deleteUserResources(t *testing.T, e *emu) {
	t.Helper()
	ctx := t.Context()
	s, err := e.readState()
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for name, u := range b.tgs {
		if _, ok := s.ELBv2.TargetGroups[u.tg]; !ok {
			t.Errorf("%s: the user's target group %s was deleted", name, u.tg)
		}
		if _, err := e.aws.ELBV2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(u.listener)}); err != nil {
			t.Errorf("deleting %s's listener: %v", name, err)
		}
		if _, err := e.aws.ELBV2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(u.tg)}); err != nil {
			t.Errorf("deleting %s's target group: %v", name, err)
		}
	}
	if b.lb != "" {
		if _, err := e.aws.ELBV2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(b.lb)}); err != nil {
			t.Errorf("deleting the user's NLB: %v", err)
		}
	}
}
