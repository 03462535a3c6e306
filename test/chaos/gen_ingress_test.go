package chaos_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// ingresses makes ALB Ingresses of class alb (the kubernetes.io/ingress.class
// annotation), each routing one Prefix path to its own NodePort Service
// (same name, port 80): about two thirds in a few explicit groups
// (group.name), the rest implicit groups of their own. Listen ports are one
// or two of HTTP 80, 8080, 8000, or the default; inbound-cidrs are set on
// some. Updates change the path, the listen ports or the inbound CIDRs, or
// move the Ingress to another group (explicit → explicit, explicit →
// implicit, implicit → explicit).
//
// Members of one explicit group never conflict: their inbound-cidrs are
// either unset or the group's own fixed list (groupCIDRs), so every member
// is always served and every member's status must name the group's ALB.
//
// With protect set, some Ingresses are protected too (HTTPS with Cognito
// authentication, web ACLs: see protection), updates turn that on and off,
// and converged checks the rules' actions and the ALBs' web ACLs.
type ingresses struct {
	groups  []string // explicit group names
	protect *protection
}

func (ingresses) kind() string { return "Ingress" }

func (ingresses) empty() client.Object { return &networkingv1.Ingress{} }

var ingressPorts = []int{80, 8080, 8000}

// groupCIDRs is the only inbound-cidrs value a member of explicit group g
// may have.
func groupCIDRs(g string) string {
	all := []string{"10.1.0.0/16", "192.168.0.0/24", "172.16.0.0/12", "203.0.113.0/24"}
	h := 0
	for _, c := range g {
		h += int(c)
	}
	return all[h%len(all)] + "," + all[(h+1)%len(all)]
}

func (g ingresses) create(r *rand.Rand, ns, name string) client.Object {
	prefix := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			Annotations: map[string]string{annotations.IngressClassAnnotation: annotations.DefaultIngressClass}},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/" + name, PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name,
					Port: networkingv1.ServiceBackendPort{Number: 80}}}}}},
		}}}},
	}
	if len(g.groups) > 0 && r.IntN(3) > 0 {
		ing.Annotations[annotations.IngGroupName] = g.groups[r.IntN(len(g.groups))]
	}
	if r.IntN(3) > 0 {
		setListenPorts(ing, randomListenPorts(r))
	}
	if r.IntN(3) == 0 {
		setCIDRs(r, ing)
	}
	if g.protect != nil {
		g.protect.onCreate(r, ing)
	}
	return ing
}

// backends returns the Ingress's NodePort Service.
func (ingresses) backends(obj client.Object) []client.Object {
	return []client.Object{&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: obj.GetNamespace(), Name: obj.GetName()},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": obj.GetName()},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)}}},
	}}
}

func randomListenPorts(r *rand.Rand) []int {
	ps := slices.Clone(ingressPorts)
	r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	ps = ps[:1+r.IntN(2)]
	slices.Sort(ps)
	return ps
}

func setListenPorts(ing *networkingv1.Ingress, ps []int) {
	var items []string
	for _, p := range ps {
		items = append(items, fmt.Sprintf(`{"HTTP":%d}`, p))
	}
	ing.Annotations[annotations.IngListenPorts] = "[" + strings.Join(items, ",") + "]"
}

// setCIDRs sets inbound-cidrs: the group's list in an explicit group, a
// random one otherwise.
func setCIDRs(r *rand.Rand, ing *networkingv1.Ingress) {
	if grp, ok := ing.Annotations[annotations.IngGroupName]; ok {
		ing.Annotations[annotations.IngInboundCIDRs] = groupCIDRs(grp)
		return
	}
	ing.Annotations[annotations.IngInboundCIDRs] = randomRanges(r)
}

// listenPorts are the Ingress's listen ports (HTTP 80 by default).
func listenPorts(ing *networkingv1.Ingress) []int {
	raw, ok := ing.Annotations[annotations.IngListenPorts]
	if !ok {
		return []int{80}
	}
	var items []map[string]int
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil
	}
	var out []int
	for _, it := range items {
		for _, p := range it {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cidrs are the Ingress's inbound CIDRs (0.0.0.0/0 by default).
func cidrs(ing *networkingv1.Ingress) []string {
	raw, ok := ing.Annotations[annotations.IngInboundCIDRs]
	if !ok {
		return nil
	}
	var out []string
	for c := range strings.SplitSeq(raw, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

func ingressPath(ing *networkingv1.Ingress) string {
	return ing.Spec.Rules[0].HTTP.Paths[0].Path
}

func (g ingresses) update(r *rand.Rand, obj client.Object) string {
	ing := obj.(*networkingv1.Ingress)
	if ing.Annotations == nil {
		ing.Annotations = map[string]string{}
	}
	var c int
	if g.protect == nil {
		c = r.IntN(4)
	} else {
		c = r.IntN(6)
		if c == 1 && isHTTPS(ing) {
			c = 4 // an HTTPS Ingress stays HTTPS: its authentication needs it
		}
		switch c {
		case 4:
			if how, ok := g.protect.toggleAuth(ing); ok {
				return how
			}
			c = 0
		case 5:
			if how, ok := g.protect.toggleWAF(ing); ok {
				return how
			}
			c = 2
		}
	}
	switch c {
	case 0:
		p := fmt.Sprintf("/%s/v%d", ing.Name, 1+r.IntN(9))
		if p == ingressPath(ing) {
			p = "/" + ing.Name
		}
		ing.Spec.Rules[0].HTTP.Paths[0].Path = p
		return "path " + p
	case 1:
		ps := randomListenPorts(r)
		setListenPorts(ing, ps)
		return fmt.Sprintf("listen-ports %v", ps)
	case 2:
		if _, ok := ing.Annotations[annotations.IngInboundCIDRs]; ok && r.IntN(2) == 0 {
			delete(ing.Annotations, annotations.IngInboundCIDRs)
			return "inbound-cidrs removed"
		}
		setCIDRs(r, ing)
		return "inbound-cidrs " + ing.Annotations[annotations.IngInboundCIDRs]
	default:
		from := cmpOr(ing.Annotations[annotations.IngGroupName], "implicit")
		var to string
		if from == "implicit" || r.IntN(3) > 0 {
			others := slices.DeleteFunc(slices.Clone(g.groups), func(s string) bool { return s == from })
			if len(others) > 0 {
				to = others[r.IntN(len(others))]
			}
		}
		if g.protect != nil {
			g.protect.onMove(ing, ing.Annotations[annotations.IngGroupName], to)
		}
		if to == "" {
			delete(ing.Annotations, annotations.IngGroupName)
		} else {
			ing.Annotations[annotations.IngGroupName] = to
		}
		if _, ok := ing.Annotations[annotations.IngInboundCIDRs]; ok {
			setCIDRs(r, ing)
		}
		return fmt.Sprintf("group %s → %s", from, cmpOr(to, "implicit"))
	}
}

func ingressStack(ing *networkingv1.Ingress) naming.Stack {
	if grp, ok := ing.Annotations[annotations.IngGroupName]; ok {
		return naming.ExplicitIngressStack(grp)
	}
	return naming.ImplicitIngressStack(ing.Namespace, ing.Name)
}

func (ingresses) stack(obj client.Object) string {
	return ingressStack(obj.(*networkingv1.Ingress)).Key()
}

// converged checks one member: its group's single ALB and managed SG, its
// status (the ALB's hostname and listener ports), its finalizer (its
// group's only), and a rule for its path on each of its listen ports.
func (g ingresses) converged(obj client.Object, s emuState, cluster string) string {
	ing := obj.(*networkingv1.Ingress)
	st := ingressStack(ing)
	o := s.owned(cluster)
	lbs := o.lbs[st.Key()]
	if len(lbs) != 1 {
		return fmt.Sprintf("%s: %d LBs", st, len(lbs))
	}
	lb := lbs[0]
	got := slices.Sorted(slices.Values(o.listeners[lb.ARN]))
	lbi := ing.Status.LoadBalancer.Ingress
	if len(lbi) != 1 || lbi[0].Hostname != strings.ToLower(lb.DNSName) {
		return fmt.Sprintf("status %v, %s's ALB DNS %s", lbi, st, lb.DNSName)
	}
	var statusPorts []int
	for _, p := range lbi[0].Ports {
		statusPorts = append(statusPorts, int(p.Port))
	}
	if !slices.Equal(statusPorts, got) {
		return fmt.Sprintf("status ports %v, listeners %v", statusPorts, got)
	}
	for _, f := range ing.Finalizers {
		if (f == naming.FinalizerIngress || strings.HasPrefix(f, naming.FinalizerIngressGroupPrefix)) && f != st.Finalizer() {
			return "holds finalizer " + f + " of a group it left"
		}
	}
	if !slices.Contains(ing.Finalizers, st.Finalizer()) {
		return "no finalizer " + st.Finalizer()
	}
	path := ingressPath(ing)
	for _, p := range listenPorts(ing) {
		if !slices.Contains(got, p) {
			return fmt.Sprintf("no listener %d (listeners %v)", p, got)
		}
		if !slices.Contains(o.rulePaths[lb.ARN][p], path) {
			return fmt.Sprintf("no rule for %s on %d: %v", path, p, o.rulePaths[lb.ARN][p])
		}
	}
	if m := o.managed[st.Key()]; len(m) != 1 || !slices.Contains(lb.SecurityGroups, m[0].ID) {
		return fmt.Sprintf("%d managed SGs, ALB SGs %v", len(m), lb.SecurityGroups)
	}
	if g.protect != nil {
		return authConverged(ing, o, lb.ARN)
	}
	return ""
}

// groupsConverged checks every group as a whole, against all its live
// members: listeners are exactly the union of their listen ports; each
// listener has exactly their rules (none left by a member that moved or
// went); one target group per member; the managed SG's rules are exactly
// listen ports × inbound CIDRs.
func (g ingresses) groupsConverged(objs []client.Object, s emuState, cluster string) []string {
	o := s.owned(cluster)
	members := map[string][]*networkingv1.Ingress{}
	for _, obj := range objs {
		ing := obj.(*networkingv1.Ingress)
		members[ingressStack(ing).Key()] = append(members[ingressStack(ing).Key()], ing)
	}
	var why []string
	for key, ms := range members {
		if len(o.lbs[key]) != 1 || len(o.managed[key]) != 1 {
			continue // said per member
		}
		lb := o.lbs[key][0]
		wantRules := map[int][]string{}
		wantSG := map[string]bool{}
		for _, ing := range ms {
			for _, p := range listenPorts(ing) {
				wantRules[p] = append(wantRules[p], ingressPath(ing))
			}
		}
		for p := range wantRules {
			// A port's CIDRs: the member's that sets them (all equal in a
			// group), else the Internet.
			var cs []string
			for _, ing := range ms {
				if c := cidrs(ing); len(c) > 0 && slices.Contains(listenPorts(ing), p) {
					cs = c
				}
			}
			if len(cs) == 0 {
				cs = []string{"0.0.0.0/0"}
			}
			for _, c := range cs {
				wantSG[fmt.Sprintf("%d←%s", p, c)] = true
			}
		}
		ports := slices.Sorted(maps.Keys(wantRules))
		if got := slices.Sorted(slices.Values(o.listeners[lb.ARN])); !slices.Equal(got, ports) {
			why = append(why, fmt.Sprintf("%s: listeners %v, members' ports %v", key, got, ports))
			continue
		}
		for _, p := range ports {
			want := slices.Sorted(slices.Values(wantRules[p]))
			if got := slices.Sorted(slices.Values(o.rulePaths[lb.ARN][p])); !slices.Equal(got, want) {
				why = append(why, fmt.Sprintf("%s: rules on %d %v, members' paths %v", key, p, got, want))
			}
		}
		if n := len(o.tgs[key]); n != len(ms) {
			why = append(why, fmt.Sprintf("%s: %d target groups for %d members", key, n, len(ms)))
		}
		gotSG := map[string]bool{}
		for _, r := range o.managed[key][0].Ingress {
			gotSG[fmt.Sprintf("%d←%s", r.From, r.Peer)] = true
		}
		if !maps.Equal(gotSG, wantSG) {
			why = append(why, fmt.Sprintf("%s: frontend rules %v, want %v", key, slices.Sorted(maps.Keys(gotSG)), slices.Sorted(maps.Keys(wantSG))))
		}
		if g.protect != nil {
			if got, want := s.WAFv2.Assoc[lb.ARN], wafAsk(ms); got != want {
				why = append(why, fmt.Sprintf("%s: web ACL %q, members ask %q", key, got, want))
			}
		}
	}
	return why
}
