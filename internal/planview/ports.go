package planview

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/rules"
)

// Placeholders for Service ports a plan cannot know: those the apiserver
// allocates when a Service is applied, and those of an Ingress backend
// Service that is not in the input.
const (
	PlaceholderNodePort            = "<nodePort>"
	PlaceholderHealthCheckNodePort = "<healthCheckNodePort>"
	PlaceholderPort                = "<port>"
	PlaceholderTargetPort          = "<targetPort>"
)

// portPlaceholders hand out stand-in port numbers for ports a plan cannot
// know. The model takes a stand-in as any port (target group port, targets,
// target-SG rules), and the rendering shows it as its label. Stand-ins are
// ports the input does not use, counting down from 65535 in steps of two
// so that no two, and no stand-in and a used port, merge into one range
// when target-SG rules are coalesced.
type portPlaceholders struct {
	label map[int32]string
	// why says, per stand-in, which port of which Service it is.
	why  map[int32]string
	used map[int32]bool
	next int32
}

func newPortPlaceholders(objs Objects) *portPlaceholders {
	p := &portPlaceholders{label: map[int32]string{}, why: map[int32]string{}, used: map[int32]bool{}, next: rules.MaxPort}
	addAnnotations := func(m map[string]string) {
		for _, v := range m {
			if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= int(rules.MaxPort) {
				p.used[int32(n)] = true
			}
		}
	}
	for _, list := range [][]corev1.Service{objs.Services, objs.ClusterServices} {
		for _, svc := range list {
			addAnnotations(svc.Annotations)
			p.used[svc.Spec.HealthCheckNodePort] = true
			for _, sp := range svc.Spec.Ports {
				p.used[sp.Port], p.used[sp.NodePort], p.used[sp.TargetPort.IntVal] = true, true, true
			}
		}
	}
	for _, ing := range objs.Ingresses {
		addAnnotations(ing.Annotations)
	}
	for _, s := range objs.EndpointSlices {
		for _, sp := range s.Ports {
			if sp.Port != nil {
				p.used[*sp.Port] = true
			}
		}
	}
	return p
}

// take returns a new stand-in shown as label, or 0 when none is left (the
// model then reports the port as missing).
func (p *portPlaceholders) take(label, why string) int32 {
	for p.next > 1 && (p.used[p.next] || p.used[p.next-1] || p.used[p.next+1]) {
		p.next -= 2
	}
	if p.next <= 1 {
		return 0
	}
	n := p.next
	p.next -= 2
	p.label[n], p.why[n] = label, label+": "+why
	return n
}

// names is the rendering's view: stand-in → label.
func (p *portPlaceholders) names() portNames {
	if p == nil {
		return nil
	}
	return p.label
}

// portNames shows stand-in ports as their labels.
type portNames map[int32]string

func (n portNames) port(p int32) string {
	if l, ok := n[p]; ok {
		return l
	}
	return strconv.Itoa(int(p))
}

// portString is a health-check port: traffic-port, or a number that may be
// a stand-in.
func (n portNames) portString(s string) string {
	if p, err := strconv.Atoi(s); err == nil {
		return n.port(int32(p))
	}
	return s
}

// key renders a rule as rules.Key.String does, with stand-in ports shown
// as their labels.
func (n portNames) key(k rules.Key) string {
	if !k.HasPorts() || k.Protocol == rules.ICMP || k.Protocol == rules.ICMPv6 {
		return k.String()
	}
	if k.FromPort == k.ToPort {
		return fmt.Sprintf("%s %s ← %s", k.Protocol, n.port(k.FromPort), k.Peer)
	}
	return fmt.Sprintf("%s %s-%s ← %s", k.Protocol, n.port(k.FromPort), n.port(k.ToPort), k.Peer)
}

// needsNodePorts: the apiserver allocates NodePorts to the Service.
func needsNodePorts(svc *corev1.Service) bool {
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		return true
	case corev1.ServiceTypeLoadBalancer:
		return svc.Spec.AllocateLoadBalancerNodePorts == nil || *svc.Spec.AllocateLoadBalancerNodePorts
	default: // ClusterIP, ExternalName
		return false
	}
}

// needsHealthCheckNodePort: the apiserver allocates a health-check
// NodePort to the Service.
func needsHealthCheckNodePort(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
}

// keepAllocated gives svc, as the input has it, the NodePorts its cluster
// copy was allocated, as the apiserver keeps them when svc is applied over
// it: by port name, unless another port of both copies already uses the
// value.
func keepAllocated(svc, cluster *corev1.Service) {
	if needsNodePorts(svc) && needsNodePorts(cluster) {
		explicit := func(s *corev1.Service) map[int32]bool {
			out := map[int32]bool{}
			for _, p := range s.Spec.Ports {
				if p.NodePort != 0 {
					out[p.NodePort] = true
				}
			}
			return out
		}
		mine, theirs := explicit(svc), explicit(cluster)
		byName := map[string]int32{}
		for _, p := range cluster.Spec.Ports {
			byName[p.Name] = p.NodePort
		}
		for i := range svc.Spec.Ports {
			p := &svc.Spec.Ports[i]
			if old := byName[p.Name]; p.NodePort == 0 && !(mine[old] && theirs[old]) {
				p.NodePort = old
			}
		}
	}
	if needsHealthCheckNodePort(svc) && needsHealthCheckNodePort(cluster) && svc.Spec.HealthCheckNodePort == 0 {
		svc.Spec.HealthCheckNodePort = cluster.Spec.HealthCheckNodePort
	}
}

// defaultTargetPorts gives a port without targetPort its port number, as
// the apiserver defaults it on apply.
func defaultTargetPorts(svc *corev1.Service) {
	for i := range svc.Spec.Ports {
		if sp := &svc.Spec.Ports[i]; sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal == 0 {
			sp.TargetPort = intstr.FromInt32(sp.Port)
		}
	}
}

// allocate gives the ports of svc the apiserver would allocate and it has
// not got stand-ins.
func (p *portPlaceholders) allocate(svc *corev1.Service) {
	name := svc.Namespace + "/" + svc.Name
	if needsNodePorts(svc) {
		for i := range svc.Spec.Ports {
			if sp := &svc.Spec.Ports[i]; sp.NodePort == 0 {
				sp.NodePort = p.take(PlaceholderNodePort, fmt.Sprintf("the NodePort the apiserver allocates to port %d/%s of service %s when it is applied",
					sp.Port, cmp.Or(sp.Protocol, corev1.ProtocolTCP), name))
			}
		}
	}
	if needsHealthCheckNodePort(svc) && svc.Spec.HealthCheckNodePort == 0 {
		svc.Spec.HealthCheckNodePort = p.take(PlaceholderHealthCheckNodePort,
			"the health-check NodePort the apiserver allocates to service "+name+" (externalTrafficPolicy Local) when it is applied")
	}
}

// absentBackend stands for Service ns/name, which Ingresses name as a
// backend (on ports refs) but which is neither in the input nor in the
// cluster: a NodePort Service without annotations, whose unknown ports are
// stand-ins.
func (p *portPlaceholders) absentBackend(ns, name string, refs []backendPort) corev1.Service {
	svc := corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort}}
	what := "service " + ns + "/" + name + ", which is not in the input (planned as a NodePort Service without annotations)"
	for _, r := range refs {
		sp := corev1.ServicePort{Name: r.name, Port: r.number, Protocol: corev1.ProtocolTCP}
		if r.name != "" {
			sp.Port = p.take(PlaceholderPort, "the number of port "+r.name+" of "+what)
		}
		sp.TargetPort = intstr.FromInt32(p.take(PlaceholderTargetPort, "the target port of port "+r.String()+" of "+what))
		sp.NodePort = p.take(PlaceholderNodePort, "the NodePort of port "+r.String()+" of "+what)
		svc.Spec.Ports = append(svc.Spec.Ports, sp)
	}
	return svc
}

// backendPort is a Service port as an Ingress backend names it.
type backendPort struct {
	name   string
	number int32
}

func (b backendPort) String() string {
	if b.name != "" {
		return b.name
	}
	return strconv.Itoa(int(b.number))
}

// withPlaceholderPorts readies objs for a plan of manifests not yet
// applied. A Service without the NodePorts the apiserver would allocate
// takes those of its cluster copy (ClusterServices), as the apiserver keeps
// them, else stand-ins. An Ingress backend Service not in the input is the
// cluster's copy, else a stand-in Service (absentBackend); those are
// backends for ingressGroups, not planned themselves.
func withPlaceholderPorts(objs Objects) (Objects, *portPlaceholders) {
	p := newPortPlaceholders(objs)
	key := func(m *metav1.ObjectMeta) string { return cmp.Or(m.Namespace, corev1.NamespaceDefault) + "/" + m.Name }
	cluster := map[string]*corev1.Service{}
	for i := range objs.ClusterServices {
		cluster[key(&objs.ClusterServices[i].ObjectMeta)] = &objs.ClusterServices[i]
	}
	svcs := withDefaultNamespace(objs.Services, func(v *corev1.Service) *string { return &v.Namespace })
	given := map[string]bool{}
	for i := range svcs {
		svc := svcs[i].DeepCopy()
		if c := cluster[key(&svc.ObjectMeta)]; c != nil {
			keepAllocated(svc, c)
		}
		p.allocate(svc)
		defaultTargetPorts(svc)
		svcs[i] = *svc
		given[key(&svc.ObjectMeta)] = true
	}
	objs.Services = svcs

	refs := map[string][]backendPort{}
	for i := range objs.Ingresses {
		ing := &objs.Ingresses[i]
		ns := cmp.Or(ing.Namespace, corev1.NamespaceDefault)
		for _, b := range ingressBackendPorts(ing) {
			k := ns + "/" + b.service
			if !given[k] && !slices.Contains(refs[k], b.port) {
				refs[k] = append(refs[k], b.port)
			}
		}
	}
	objs.backends = nil
	for _, k := range slices.Sorted(maps.Keys(refs)) {
		if c := cluster[k]; c != nil {
			objs.backends = append(objs.backends, *c)
			continue
		}
		ns, name, _ := strings.Cut(k, "/")
		objs.backends = append(objs.backends, p.absentBackend(ns, name, refs[k]))
	}
	return objs, p
}

type serviceRef struct {
	service string
	port    backendPort
}

// ingressBackendPorts are the Service backends of ing with their ports; a
// backend that defers to an actions annotation brings the Services and
// ports its forward names instead (none when the annotation is missing or
// invalid: the model reports that).
func ingressBackendPorts(ing *networkingv1.Ingress) []serviceRef {
	var out []serviceRef
	add := func(b *networkingv1.IngressBackend) {
		if b == nil || b.Service == nil {
			return
		}
		if b.Service.Port.Name != useAnnotationPort {
			out = append(out, serviceRef{service: b.Service.Name, port: backendPort{name: b.Service.Port.Name, number: b.Service.Port.Number}})
			return
		}
		a, _, err := annotations.ParseRouteAction(ing.Annotations, b.Service.Name)
		if err != nil || a.ForwardConfig == nil {
			return
		}
		for _, t := range a.ForwardConfig.TargetGroups {
			if t.ServiceName == nil || t.ServicePort == nil {
				continue
			}
			port := backendPort{name: t.ServicePort.StrVal}
			if t.ServicePort.Type == intstr.Int {
				port = backendPort{number: t.ServicePort.IntVal}
			}
			out = append(out, serviceRef{service: *t.ServiceName, port: port})
		}
	}
	add(ing.Spec.DefaultBackend)
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP != nil {
			for i := range rule.HTTP.Paths {
				add(&rule.HTTP.Paths[i].Backend)
			}
		}
	}
	return out
}

// useAnnotationPort is the backend port name that defers to an
// actions.<name> annotation.
const useAnnotationPort = "use-annotation"

// placeholdersOf are the explanations of the stand-ins stack uses.
func (p *portPlaceholders) placeholdersOf(st model.Stack) []string {
	if p == nil {
		return nil
	}
	seen := map[string]bool{}
	add := func(n int32) {
		if w, ok := p.why[n]; ok {
			seen[w] = true
		}
	}
	for _, tg := range st.TargetGroups {
		add(tg.Port)
		for _, t := range tg.Targets {
			add(t.Port)
		}
		if n, err := strconv.Atoi(tg.HealthCheck.Port); err == nil {
			add(int32(n))
		}
	}
	for _, r := range st.TargetRules {
		add(r.FromPort)
		add(r.ToPort)
	}
	return slices.Sorted(maps.Keys(seen))
}
