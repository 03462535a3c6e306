package bench

import (
	"context"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/options"
)

// workload is one kind of object lbsg load-balances. The scenarios drive
// workloads only through this interface; services (NLBs) and ingresses
// (ALBs in IngressGroups) implement it, listed in harness.work.
type workload interface {
	// kind names it in logs ("services").
	kind() string
	// controller is the name of the controller reconciling it ("service",
	// "ingress"): its reconcile counter and drift trigger.
	controller() string
	// objects is how many objects it created (calls per object divide by it).
	objects() int
	// create writes every object (and what it needs: EndpointSlices).
	create(ctx context.Context, c client.Client) error
	// pending says which objects have no load balancer in their status yet
	// ("" when none).
	pending(ctx context.Context, c client.Client) string
	// check compares the emulator's state with what the objects and nodes
	// ask for ("" when it matches); the summary splits Service resources
	// from Ingress ones by their stack tag.
	check(s summary, nodes []string) string
	// change changes what pct percent of the objects (at least one) route:
	// a Service's port, an Ingress's path; it returns how many changed.
	change(ctx context.Context, c client.Client, pct int) (int, error)
	// requests are the reconcile requests a resync of every object makes
	// (one per Service; one per IngressGroup).
	requests() []reconcile.Request
}

// services is the NLB Service workload: n Services of one TCP port, a
// fraction with ip targets (an EndpointSlice of endpoints ready pods each),
// the rest instance targets (every Node).
type services struct {
	ns        string
	n         int
	ipFrac    float64
	tlsFrac   float64
	endpoints int
	port      map[int]int32    // current listener port by index
	nodePorts map[string]int32 // of instance-target Services, as last listed
}

func newServices(ns string, n int, ipFrac float64, endpoints int) *services {
	w := &services{ns: ns, n: n, ipFrac: ipFrac, endpoints: endpoints, port: map[int]int32{}, nodePorts: map[string]int32{}}
	for i := range n {
		w.port[i] = 80
	}
	return w
}

func (w *services) kind() string       { return "services" }
func (w *services) controller() string { return "service" }
func (w *services) objects() int       { return w.n }

func (w *services) name(i int) string { return fmt.Sprintf("svc-%04d", i) }

// ip spreads the ip-target Services evenly over the indexes.
func (w *services) ip(i int) bool { return spread(i, w.ipFrac) }

// tls spreads the TLS Services evenly over the indexes, shifted by one so
// that they mix with both target types.
func (w *services) tls(i int) bool { return spread(i+1, w.tlsFrac) }

// spread is true for a share frac of the indexes, evenly spread.
func spread(i int, frac float64) bool {
	return int(float64(i+1)*frac) > int(float64(i)*frac)
}

// benchCertificate is the ACM certificate the emulator's default seed
// holds: TLS Services name it without an import.
var benchCertificate = fmt.Sprintf("arn:aws:acm:%s:123456789012:certificate/%s", region, emulator.SandboxCertificateID)

// tlsCount is how many Services have a TLS listener.
func (w *services) tlsCount() int {
	n := 0
	for i := range w.n {
		if w.tls(i) {
			n++
		}
	}
	return n
}

func (w *services) counts() (ip, instance int) {
	for i := range w.n {
		if w.ip(i) {
			ip++
		}
	}
	return ip, w.n - ip
}

// podIP is the k-th pod address: upper halves of the three private /20s.
func podIP(k int) string {
	z, off := k%3, (k/3)%2048
	return fmt.Sprintf("10.0.%d.%d", 136+16*z+off/256, off%256)
}

func (w *services) service(i int) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.name(i), Annotations: map[string]string{}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To(options.DefaultLoadBalancerClass),
			Selector: map[string]string{"app": w.name(i)},
			Ports: []corev1.ServicePort{{Name: "http", Port: w.port[i], Protocol: corev1.ProtocolTCP,
				TargetPort: intstr.FromInt32(8080)}}},
	}
	if w.ip(i) {
		svc.Annotations[annotations.SvcNLBTargetType] = "ip"
	}
	if w.tls(i) {
		svc.Annotations[annotations.SvcSSLCert] = benchCertificate
	}
	return svc
}

func (w *services) slice(i int) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: w.name(i) + "-0",
			Labels: map[string]string{discoveryv1.LabelServiceName: w.name(i)}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	for e := range w.endpoints {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{podIP(i*w.endpoints + e)},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}})
	}
	return s
}

func (w *services) create(ctx context.Context, c client.Client) error {
	for i := range w.n {
		if w.ip(i) {
			if err := c.Create(ctx, w.slice(i)); err != nil {
				return err
			}
		}
		if err := c.Create(ctx, w.service(i)); err != nil {
			return err
		}
	}
	return nil
}

func (w *services) pending(ctx context.Context, c client.Client) string {
	var list corev1.ServiceList
	if err := c.List(ctx, &list, client.InNamespace(w.ns)); err != nil {
		return err.Error()
	}
	missing := 0
	lbs := 0
	for _, s := range list.Items {
		if s.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue // an Ingress backend
		}
		lbs++
		if len(s.Status.LoadBalancer.Ingress) == 0 {
			missing++
		}
		if s.Annotations[annotations.SvcNLBTargetType] != "ip" && len(s.Spec.Ports) > 0 {
			w.nodePorts[s.Name] = s.Spec.Ports[0].NodePort
		}
	}
	if missing > 0 || lbs < w.n {
		return fmt.Sprintf("%d of %d Services without a load balancer", missing+w.n-lbs, w.n)
	}
	return ""
}

func (w *services) check(s summary, nodes []string) string {
	ipWant, instWant := w.counts()
	want := idsHash(nodes)
	ip, inst, badIP, badInst := 0, 0, 0, 0
	for _, tg := range s.TargetGroups {
		if tg.Kind != "service" {
			continue
		}
		switch tg.Type {
		case "ip":
			ip++
			if tg.Targets != w.endpoints {
				badIP++
			}
		case "instance":
			inst++
			if tg.Targets != len(nodes) || tg.IDs != want {
				badInst++
			}
		}
	}
	ports := map[int32]int{}
	for _, p := range w.port {
		ports[p]++
	}
	switch {
	case s.LoadBalancers != w.n:
		return fmt.Sprintf("%d load balancers, want %d", s.LoadBalancers, w.n)
	case ip != ipWant || inst != instWant:
		return fmt.Sprintf("%d ip and %d instance target groups, want %d and %d", ip, inst, ipWant, instWant)
	case badIP+badInst > 0:
		return fmt.Sprintf("%d ip and %d instance target groups with other targets", badIP, badInst)
	case !maps.Equal(ports, s.ListenerPorts):
		return fmt.Sprintf("listener ports %v, want %v", s.ListenerPorts, ports)
	}
	uncovered := 0
	for _, p := range w.nodePorts {
		if !slices.ContainsFunc(s.NodeSGRules, func(r ruleSummary) bool { return r.Protocol == "tcp" && r.From <= p && p <= r.To }) {
			uncovered++
		}
	}
	if uncovered > 0 {
		return fmt.Sprintf("%d NodePorts of instance-target Services not open on the node security group (%d rules)", uncovered, len(s.NodeSGRules))
	}
	return ""
}

// change toggles the port of the first pct % between 80 and 81.
func (w *services) change(ctx context.Context, c client.Client, pct int) (int, error) {
	k := max(1, w.n*pct/100)
	for i := range k {
		svc := &corev1.Service{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: w.ns, Name: w.name(i)}, svc); err != nil {
			return 0, err
		}
		base := svc.DeepCopy()
		w.port[i] = 161 - w.port[i] // 80 ↔ 81
		svc.Spec.Ports[0].Port = w.port[i]
		if err := c.Patch(ctx, svc, client.MergeFrom(base)); err != nil {
			return 0, err
		}
	}
	return k, nil
}

func (w *services) requests() []reconcile.Request {
	out := make([]reconcile.Request, 0, w.n)
	for _, i := range slices.Sorted(maps.Keys(w.port)) {
		out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: w.ns, Name: w.name(i)}})
	}
	return out
}
