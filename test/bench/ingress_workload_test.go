package bench

import (
	"context"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/controller/drift"
	"github.com/lbsg/lbsg/internal/naming"
)

// ingresses is the ALB workload: n Ingresses of class alb spread over g
// explicit IngressGroups (alb.ingress.kubernetes.io/group.name), each
// routing one path of its own to a Service of its own. A fraction has
// target-type ip (a ClusterIP Service and an EndpointSlice of endpoints
// ready pods); the rest instance targets (a NodePort Service, every Node).
type ingresses struct {
	ns        string
	n, g      int
	ipFrac    float64
	endpoints int
	group     map[int]int   // current group by index
	version   map[int]int   // path version by index (a path change bumps it)
	nodePorts map[int]int32 // of instance-target backends, as last read
	firstPod  int           // pod addresses from this index on (past the Services')
}

func newIngresses(ns string, n, g int, ipFrac float64, endpoints, firstPod int) *ingresses {
	w := &ingresses{ns: ns, n: n, g: max(1, g), ipFrac: ipFrac, endpoints: endpoints, group: map[int]int{},
		version: map[int]int{}, nodePorts: map[int]int32{}, firstPod: firstPod}
	for i := range n {
		w.group[i] = i % w.g
	}
	return w
}

func (w *ingresses) kind() string       { return "ingresses" }
func (w *ingresses) controller() string { return "ingress" }
func (w *ingresses) objects() int       { return w.n }

func (w *ingresses) name(i int) string      { return fmt.Sprintf("ing-%04d", i) }
func (w *ingresses) svcName(i int) string   { return fmt.Sprintf("ing-svc-%04d", i) }
func (w *ingresses) groupName(g int) string { return fmt.Sprintf("grp-%03d", g) }

func (w *ingresses) path(i int) string {
	if v := w.version[i]; v > 0 {
		return fmt.Sprintf("/app-%d-v%d", i, v)
	}
	return fmt.Sprintf("/app-%d", i)
}

// ip spreads the ip-target Ingresses evenly over the indexes.
func (w *ingresses) ip(i int) bool {
	return int(float64(i+1)*w.ipFrac) > int(float64(i)*w.ipFrac)
}

func (w *ingresses) counts() (ip, instance int) {
	for i := range w.n {
		if w.ip(i) {
			ip++
		}
	}
	return ip, w.n - ip
}

// groups are the groups that have members now.
func (w *ingresses) groups() []int {
	seen := map[int]bool{}
	for _, g := range w.group {
		seen[g] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

func (w *ingresses) service(i int) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.svcName(i)},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": w.svcName(i)},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}},
	}
	if w.ip(i) {
		svc.Spec.Type = corev1.ServiceTypeClusterIP
	}
	return svc
}

func (w *ingresses) slice(i int) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.svcName(i) + "-0",
			Labels: map[string]string{discoveryv1.LabelServiceName: w.svcName(i)}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	for e := range w.endpoints {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{podIP(w.firstPod + i*w.endpoints + e)},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}})
	}
	return s
}

// spec sets an Ingress's group, target type and rule from the workload.
func (w *ingresses) spec(i int, ing *networkingv1.Ingress) {
	if ing.Annotations == nil {
		ing.Annotations = map[string]string{}
	}
	ing.Annotations["kubernetes.io/ingress.class"] = "alb"
	ing.Annotations[annotations.IngGroupName] = w.groupName(w.group[i])
	if w.ip(i) {
		ing.Annotations[annotations.IngTargetType] = "ip"
	}
	prefix := networkingv1.PathTypePrefix
	ing.Spec.Rules = []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
		HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: w.path(i), PathType: &prefix,
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: w.svcName(i),
				Port: networkingv1.ServiceBackendPort{Number: 80}}}}}},
	}}}
}

func (w *ingresses) create(ctx context.Context, c client.Client) error {
	for i := range w.n {
		if w.ip(i) {
			if err := c.Create(ctx, w.slice(i)); err != nil {
				return err
			}
		}
		if err := c.Create(ctx, w.service(i)); err != nil {
			return err
		}
		ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.name(i)}}
		w.spec(i, ing)
		if err := c.Create(ctx, ing); err != nil {
			return err
		}
	}
	return nil
}

func (w *ingresses) pending(ctx context.Context, c client.Client) string {
	var list networkingv1.IngressList
	if err := c.List(ctx, &list, client.InNamespace(w.ns)); err != nil {
		return err.Error()
	}
	missing := w.n - len(list.Items)
	for _, ing := range list.Items {
		if len(ing.Status.LoadBalancer.Ingress) == 0 {
			missing++
		}
	}
	if missing > 0 {
		return fmt.Sprintf("%d of %d Ingresses without a load balancer", missing, w.n)
	}
	if len(w.nodePorts) == 0 {
		var svcs corev1.ServiceList
		if err := c.List(ctx, &svcs, client.InNamespace(w.ns)); err != nil {
			return err.Error()
		}
		byName := map[string]int32{}
		for _, s := range svcs.Items {
			if s.Spec.Type == corev1.ServiceTypeNodePort && len(s.Spec.Ports) > 0 {
				byName[s.Name] = s.Spec.Ports[0].NodePort
			}
		}
		for i := range w.n {
			if p, ok := byName[w.svcName(i)]; ok {
				w.nodePorts[i] = p
			}
		}
	}
	return ""
}

// check compares each group's ALB (one listener, one rule per member with
// its path) and the Ingress target groups with the workload.
func (w *ingresses) check(s summary, nodes []string) string {
	groups := w.groups()
	if len(s.ALBs) != len(groups) {
		return fmt.Sprintf("%d ALBs, want %d", len(s.ALBs), len(groups))
	}
	for _, g := range groups {
		a, ok := s.ALBs[w.groupName(g)]
		if !ok {
			return "no ALB for group " + w.groupName(g)
		}
		members := 0
		for i := range w.n {
			if w.group[i] != g {
				continue
			}
			members++
			if _, found := slices.BinarySearch(a.Paths, w.path(i)); !found {
				return fmt.Sprintf("group %s: no rule for %s (paths %v)", w.groupName(g), w.path(i), a.Paths)
			}
		}
		if a.Listeners != 1 || a.Rules != members {
			return fmt.Sprintf("group %s: %d listeners and %d rules, want 1 and %d", w.groupName(g), a.Listeners, a.Rules, members)
		}
	}
	ipWant, instWant := w.counts()
	want := idsHash(nodes)
	ip, inst, bad := 0, 0, 0
	for _, tg := range s.TargetGroups {
		if tg.Kind != "ingress" {
			continue
		}
		switch tg.Type {
		case "ip":
			ip++
			if tg.Targets != w.endpoints {
				bad++
			}
		case "instance":
			inst++
			if tg.Targets != len(nodes) || tg.IDs != want {
				bad++
			}
		}
	}
	switch {
	case ip != ipWant || inst != instWant:
		return fmt.Sprintf("%d ip and %d instance Ingress target groups, want %d and %d", ip, inst, ipWant, instWant)
	case bad > 0:
		return fmt.Sprintf("%d Ingress target groups with other targets", bad)
	}
	uncovered := 0
	for _, p := range w.nodePorts {
		if !slices.ContainsFunc(s.NodeSGRules, func(r ruleSummary) bool { return r.Protocol == "tcp" && r.From <= p && p <= r.To }) {
			uncovered++
		}
	}
	if uncovered > 0 {
		return fmt.Sprintf("%d NodePorts of instance-target Ingress backends not open on the node security group", uncovered)
	}
	return ""
}

// update rewrites Ingress i from the workload.
func (w *ingresses) update(ctx context.Context, c client.Client, i int) error {
	ing := &networkingv1.Ingress{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: w.ns, Name: w.name(i)}, ing); err != nil {
		return err
	}
	base := ing.DeepCopy()
	w.spec(i, ing)
	return c.Patch(ctx, ing, client.MergeFrom(base))
}

// change gives pct % of the Ingresses (at least one) a new path.
func (w *ingresses) change(ctx context.Context, c client.Client, pct int) (int, error) {
	k := max(1, w.n*pct/100)
	for i := range k {
		w.version[i]++
		if err := w.update(ctx, c, i); err != nil {
			return 0, err
		}
	}
	return k, nil
}

// moveGroups moves pct % of the Ingresses (at least one, fewer than the
// groups) from group i to group i+1, so that no group empties: Ingress i
// < g is in group i, and group 0 keeps its other members.
func (w *ingresses) moveGroups(ctx context.Context, c client.Client, pct int) (int, error) {
	if w.g < 2 || w.n <= w.g {
		return 0, fmt.Errorf("moving members needs 2 groups or more and more Ingresses than groups (%d in %d)", w.n, w.g)
	}
	k := min(max(1, w.n*pct/100), w.g-1)
	for i := range k {
		w.group[i] = (w.group[i] + 1) % w.g
		if err := w.update(ctx, c, i); err != nil {
			return 0, err
		}
	}
	return k, nil
}

// requests are the Ingress controller's: one per group.
func (w *ingresses) requests() []reconcile.Request {
	var out []reconcile.Request
	for _, g := range w.groups() {
		out = append(out, drift.GroupRequest(naming.ExplicitIngressStack(w.groupName(g))))
	}
	return out
}
