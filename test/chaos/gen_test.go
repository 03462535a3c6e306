package chaos_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
)

// generator makes objects of one kind lbsg handles, and random changes to
// them. A run mixes the objects of every generator it is given (services
// and ingresses).
type generator interface {
	kind() string
	// create returns a new object.
	create(r *rand.Rand, ns, name string) client.Object
	// update changes obj in place and says how.
	update(r *rand.Rand, obj client.Object) string
	// stack is the key of the object's stack (naming.Stack.Key: the
	// Service, or the Ingress's group), as obj says now.
	stack(obj client.Object) string
	// converged says why AWS does not match obj yet ("" when it does);
	// obj is as read from the apiserver now.
	converged(obj client.Object, s emuState, cluster string) string
	// empty returns a zero object of the kind, for Get.
	empty() client.Object
}

// withBackends is a generator whose objects need others (an Ingress's
// backend Service): created before the object, deleted right after it.
type withBackends interface {
	backends(obj client.Object) []client.Object
}

// groupChecker is a generator whose objects share stacks (IngressGroups):
// it checks each stack against all its live objects, as read now.
type groupChecker interface {
	groupsConverged(objs []client.Object, s emuState, cluster string) []string
}

// services makes NLB Services: one to three TCP ports, instance or ip
// targets, internal or internet-facing, with or without client ranges,
// extra tags, and the backend SG rules on or off.
type services struct {
	class string // spec.loadBalancerClass; "" for the default
}

func (services) kind() string { return "Service" }

func (services) empty() client.Object { return &corev1.Service{} }

var servicePorts = []int32{80, 443, 8080, 8443, 9000, 9443, 5432, 6379}

func (g services) create(r *rand.Rand, ns, name string) client.Object {
	class := g.class
	if class == "" {
		class = options.DefaultLoadBalancerClass
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To(class),
			Selector: map[string]string{"app": name}},
	}
	setPorts(svc, randomPorts(r))
	if r.IntN(2) == 0 {
		svc.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeIP
	}
	if r.IntN(3) == 0 {
		svc.Annotations[annotations.SvcScheme] = "internet-facing"
	}
	if r.IntN(3) == 0 {
		svc.Annotations[annotations.SvcSourceRanges] = randomRanges(r)
	}
	if r.IntN(4) == 0 {
		svc.Annotations[annotations.SvcAdditionalResourceTags] = fmt.Sprintf("team=t%d,env=chaos", r.IntN(5))
	}
	return svc
}

func randomPorts(r *rand.Rand) []int32 {
	ps := slices.Clone(servicePorts)
	r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	ps = ps[:1+r.IntN(3)]
	slices.Sort(ps)
	return ps
}

func randomRanges(r *rand.Rand) string {
	all := []string{"10.1.0.0/16", "192.168.0.0/24", "172.16.0.0/12", "203.0.113.0/24", "198.51.100.7/32"}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return strings.Join(all[:1+r.IntN(3)], ",")
}

func setPorts(svc *corev1.Service, ports []int32) {
	svc.Spec.Ports = nil
	for _, p := range ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: fmt.Sprintf("p%d", p), Port: p,
			Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)})
	}
}

func (services) update(r *rand.Rand, obj client.Object) string {
	svc := obj.(*corev1.Service)
	if svc.Annotations == nil {
		svc.Annotations = map[string]string{}
	}
	switch r.IntN(5) {
	case 0:
		ps := randomPorts(r)
		setPorts(svc, ps)
		return fmt.Sprintf("ports %v", ps)
	case 1:
		if _, ok := svc.Annotations[annotations.SvcSourceRanges]; ok && r.IntN(2) == 0 {
			delete(svc.Annotations, annotations.SvcSourceRanges)
			return "source ranges removed"
		}
		svc.Annotations[annotations.SvcSourceRanges] = randomRanges(r)
		return "source ranges " + svc.Annotations[annotations.SvcSourceRanges]
	case 2:
		if svc.Annotations[annotations.SvcNLBTargetType] == annotations.TargetTypeIP {
			svc.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeInstance
		} else {
			svc.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeIP
		}
		return "target type " + svc.Annotations[annotations.SvcNLBTargetType]
	case 3:
		svc.Annotations[annotations.SvcAdditionalResourceTags] = fmt.Sprintf("team=t%d", r.IntN(5))
		return "tags " + svc.Annotations[annotations.SvcAdditionalResourceTags]
	default:
		if svc.Annotations[annotations.SvcManageBackendSGRules] == "false" {
			delete(svc.Annotations, annotations.SvcManageBackendSGRules)
			return "backend SG rules on"
		}
		svc.Annotations[annotations.SvcManageBackendSGRules] = "false"
		return "backend SG rules off"
	}
}

func (services) stack(obj client.Object) string {
	return naming.ServiceStack(obj.GetNamespace(), obj.GetName()).Key()
}

func (g services) converged(obj client.Object, s emuState, cluster string) string {
	svc := obj.(*corev1.Service)
	o := s.owned(cluster)
	stack := g.stack(obj)
	lbs := o.lbs[stack]
	if len(lbs) != 1 {
		return fmt.Sprintf("%d LBs", len(lbs))
	}
	lb := lbs[0]
	if len(svc.Status.LoadBalancer.Ingress) != 1 || !strings.EqualFold(svc.Status.LoadBalancer.Ingress[0].Hostname, lb.DNSName) {
		return fmt.Sprintf("status %v, LB DNS %s", svc.Status.LoadBalancer.Ingress, lb.DNSName)
	}
	var want []int
	for _, p := range svc.Spec.Ports {
		want = append(want, int(p.Port))
	}
	got := slices.Sorted(slices.Values(o.listeners[lb.ARN]))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Sprintf("listeners %v, ports %v", got, want)
	}
	if len(o.managed[stack]) != 1 || !slices.Contains(lb.SecurityGroups, o.managed[stack][0].ID) {
		return fmt.Sprintf("managed SGs %d, LB SGs %v", len(o.managed[stack]), lb.SecurityGroups)
	}
	if tgs := len(o.tgs[stack]); tgs != len(want) {
		return fmt.Sprintf("%d target groups for %d ports", tgs, len(want))
	}
	return ""
}
