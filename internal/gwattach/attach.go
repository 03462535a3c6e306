package gwattach

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Controller names of LBC's GatewayClasses.
const (
	ControllerNLB = "gateway.k8s.aws/nlb"
	ControllerALB = "gateway.k8s.aws/alb"
)

// Group is the Gateway API group.
const Group = "gateway.networking.k8s.io"

// Route kinds.
const (
	KindTCPRoute = "TCPRoute"
	KindUDPRoute = "UDPRoute"
	KindTLSRoute = "TLSRoute"
	// KindHTTPRoute and KindGRPCRoute are the ALB class's kinds.
	KindHTTPRoute = "HTTPRoute"
	KindGRPCRoute = "GRPCRoute"
)

// defaultKinds are the kinds a listener admits without allowedRoutes.kinds
// (LBC's protocol-to-kind map).
var defaultKinds = map[gwv1.ProtocolType][]string{
	gwv1.TCPProtocolType:   {KindTCPRoute},
	gwv1.UDPProtocolType:   {KindUDPRoute},
	gwv1.TLSProtocolType:   {KindTLSRoute, KindTCPRoute},
	gwv1.HTTPProtocolType:  {KindHTTPRoute},
	gwv1.HTTPSProtocolType: {KindHTTPRoute, KindGRPCRoute},
}

// servedKinds are the route kinds each controller serves.
var servedKinds = map[string][]string{
	ControllerNLB: {KindTCPRoute, KindUDPRoute, KindTLSRoute},
	ControllerALB: {KindHTTPRoute, KindGRPCRoute},
}

// servedProtocols are the listener protocols each controller serves.
var servedProtocols = map[string][]gwv1.ProtocolType{
	ControllerNLB: {gwv1.TCPProtocolType, gwv1.UDPProtocolType, gwv1.TLSProtocolType},
	ControllerALB: {gwv1.HTTPProtocolType, gwv1.HTTPSProtocolType},
}

// Route is a route of any L4 kind, reduced to what attachment reads.
type Route struct {
	Kind            string
	Namespace, Name string
	Generation      int64
	Created         time.Time
	ParentRefs      []gwv1.ParentReference
	Hostnames       []gwv1.Hostname
	// Rules hold each rule's backendRefs.
	Rules [][]gwv1.BackendRef
	// Status is the route's current status.parents.
	Status []gwv1.RouteParentStatus
	// Refusal, when set, refuses the route as a whole (something in it
	// lbsg does not build): it attaches to no listener and each of its
	// parent statuses says why.
	Refusal *Refusal
}

// Refusal is why a route is not attached: its Accepted condition's reason
// and message.
type Refusal struct {
	Reason  gwv1.RouteConditionReason
	Message string
}

// Key is kind/namespace/name.
func (r *Route) Key() string { return r.Kind + "/" + r.Namespace + "/" + r.Name }

// Inputs are what Attach reads.
type Inputs struct {
	Controller string
	Gateway    *gwv1.Gateway
	// NamespaceLabels of every namespace a route of Routes is in.
	NamespaceLabels map[string]map[string]string
	// Routes that name the Gateway in a parentRef.
	Routes   []*Route
	Services map[types.NamespacedName]*corev1.Service
	Grants   []gwv1.ReferenceGrant
	// ListenerSets whose parentRef names the Gateway (the caller leaves
	// them out when the GatewayListenerSet gate is off).
	ListenerSets []*gwv1.ListenerSet
	// Chained are the Gateways the routes' backendRefs name (NLB
	// controller only; chain.go); a missing one has no entry.
	Chained map[types.NamespacedName]*ChainTarget
}

// Listener is one listener of the Gateway with its verdict and routes.
type Listener struct {
	Spec gwv1.Listener
	// Namespace is the namespace of the object defining the listener (the
	// Gateway or a ListenerSet): allowedRoutes "Same" means this one.
	Namespace string
	Valid     bool
	Reason    gwv1.ListenerConditionReason
	Message   string
	// Notice, on a valid listener, is what lbsg does not use of it
	// (tls.certificateRefs, tls.options): said in an event, not refused.
	Notice string
	Kinds  []gwv1.RouteGroupKind
	// Routes attached (accepted) to the listener, oldest first.
	Routes []*Route
}

// Backend is one resolved backendRef of a route.
type Backend struct {
	// Service (nil for a Chained backend).
	Service *corev1.Service
	// Chained: the backend is an ALB Gateway (NLB routes; chain.go) on
	// listener port ChainPort.
	Chained   *ChainTarget
	ChainPort int32
	Port      corev1.ServicePort
	Weight    int32
	// Rule is the index of the route rule naming it.
	Rule int
}

// Result is Attach's verdict.
type Result struct {
	// Listeners are the Gateway's own listeners, in spec order.
	Listeners []*Listener
	// ListenerSets are the ListenerSets naming the Gateway: the allowed
	// ones in precedence order, then the refused ones.
	ListenerSets []*ListenerSet
	// Parents holds, per route key, the parent statuses this Gateway's
	// controller owns: one per parentRef naming the Gateway.
	Parents map[string][]gwv1.RouteParentStatus
	// Backends per route key (valid backendRefs of every rule, in order).
	Backends map[string][]Backend
	// Problems per route key, for events.
	Problems map[string][]string
	// ChainPending: a backend Gateway's load balancer does not exist yet
	// (its creation reconciles this Gateway again).
	ChainPending bool
	// Hostnames per route key and listener port: the hostnames the route
	// serves there (LBC's compatible hostnames: each route hostname
	// matching the listener's, narrowed to the more specific side; the
	// listener's for a route without hostnames). A port without an entry
	// uses the route's own hostnames.
	Hostnames map[string]map[int32][]string
}

// Valid reports whether every listener of the Gateway itself is valid
// (a ListenerSet's listeners have their own status).
func (r Result) Valid() bool {
	for _, l := range r.Listeners {
		if !l.Valid {
			return false
		}
	}
	return true
}

// Attach computes listener validity, route attachment and statuses.
func Attach(in Inputs) Result {
	res := Result{Parents: map[string][]gwv1.RouteParentStatus{}, Backends: map[string][]Backend{}, Problems: map[string][]string{},
		Hostnames: map[string]map[int32][]string{}}
	used := newPortUse()
	res.Listeners = validateListeners(in.Controller, in.Gateway.Namespace, in.Gateway.Spec.Listeners, used)
	res.ListenerSets = attachListenerSets(in, used)
	routes := slices.Clone(in.Routes)
	slices.SortFunc(routes, func(a, b *Route) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name), strings.Compare(a.Kind, b.Kind))
	})
	for _, r := range routes {
		backends, resolved, pending := resolveBackends(in, r)
		res.ChainPending = res.ChainPending || pending
		res.Backends[r.Key()] = backends
		if resolved.Status == metav1.ConditionFalse {
			res.Problems[r.Key()] = append(res.Problems[r.Key()], resolved.Message)
		}
		for _, ref := range r.ParentRefs {
			var accepted metav1.Condition
			switch set := res.listenerSet(ref, r.Namespace); {
			case namesGateway(ref, r.Namespace, in.Gateway):
				accepted = attachRef(in, res, r, ref, res.Listeners, fmt.Sprintf("Gateway %s/%s", in.Gateway.Namespace, in.Gateway.Name))
			case set != nil && set.Allowed:
				accepted = attachRef(in, res, r, ref, set.Listeners, fmt.Sprintf("ListenerSet %s/%s", set.Object.Namespace, set.Object.Name))
			default:
				// Not this Gateway's, or a ListenerSet it does not allow
				// (whose own status says so): no parent status, as LBC.
				continue
			}
			if accepted.Status == metav1.ConditionFalse {
				res.Problems[r.Key()] = append(res.Problems[r.Key()], accepted.Message)
			}
			res.Parents[r.Key()] = append(res.Parents[r.Key()], parentStatus(in.Controller, r, ref, accepted, resolved))
		}
	}
	return res
}

// namesGateway reports whether ref names gw.
func namesGateway(ref gwv1.ParentReference, routeNS string, gw *gwv1.Gateway) bool {
	n, ok := GatewayRef(ref, routeNS)
	return ok && n.Namespace == gw.Namespace && n.Name == gw.Name
}

// GatewayRef is the Gateway a parentRef names (ok false: it names another
// kind), in the route's namespace unless it names one.
func GatewayRef(ref gwv1.ParentReference, routeNS string) (types.NamespacedName, bool) {
	if ref.Group != nil && string(*ref.Group) != Group || ref.Kind != nil && string(*ref.Kind) != KindGateway {
		return types.NamespacedName{}, false
	}
	ns := routeNS
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	return types.NamespacedName{Namespace: ns, Name: string(ref.Name)}, true
}

// SameParent reports whether two parentRefs are the same reference.
func SameParent(a, b gwv1.ParentReference) bool {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	port := func(p *gwv1.PortNumber) int32 {
		if p == nil {
			return 0
		}
		return int32(*p)
	}
	return str((*string)(a.Group)) == str((*string)(b.Group)) && str((*string)(a.Kind)) == str((*string)(b.Kind)) &&
		str((*string)(a.Namespace)) == str((*string)(b.Namespace)) && a.Name == b.Name &&
		str((*string)(a.SectionName)) == str((*string)(b.SectionName)) && port(a.Port) == port(b.Port)
}

// portUse is what earlier listeners (the Gateway's, then ListenerSets' in
// precedence order) took: the protocol of each port and port-hostname
// pairs. A later listener conflicting with them is the one refused.
type portUse struct {
	proto map[gwv1.PortNumber]gwv1.ProtocolType
	host  map[string]bool
}

func newPortUse() portUse {
	return portUse{proto: map[gwv1.PortNumber]gwv1.ProtocolType{}, host: map[string]bool{}}
}

func validateListeners(controller, namespace string, specs []gwv1.Listener, used portUse) []*Listener {
	portProto, portHost := used.proto, used.host
	var out []*Listener
	for _, s := range specs {
		l := &Listener{Spec: s, Namespace: namespace, Valid: true, Reason: gwv1.ListenerReasonAccepted, Message: "Listener is accepted."}
		out = append(out, l)
		var kindsOK bool
		l.Kinds, kindsOK = supportedKinds(controller, s)
		switch {
		case !kindsOK:
			l.Valid, l.Reason, l.Message = false, gwv1.ListenerReasonInvalidRouteKinds, fmt.Sprintf("Invalid route kind for listener %s", s.Name)
		case s.Port < 1 || s.Port > 65535:
			l.Valid, l.Reason, l.Message = false, gwv1.ListenerReasonPortUnavailable, fmt.Sprintf("Port %d is not available (listener name %s)", s.Port, s.Name)
		case !slices.Contains(servedProtocols[controller], s.Protocol):
			l.Valid, l.Reason, l.Message = false, gwv1.ListenerReasonUnsupportedProtocol, fmt.Sprintf("Unsupported protocol %s for listener %s", s.Protocol, s.Name)
		default:
			if p, ok := portProto[s.Port]; ok {
				if p != s.Protocol && !(p == gwv1.TCPProtocolType && s.Protocol == gwv1.UDPProtocolType) &&
					!(p == gwv1.UDPProtocolType && s.Protocol == gwv1.TCPProtocolType) {
					l.Valid, l.Reason, l.Message = false, gwv1.ListenerReasonProtocolConflict, fmt.Sprintf("Protocol conflict for port %d", s.Port)
				}
			} else {
				portProto[s.Port] = s.Protocol
			}
			if l.Valid && s.TLS != nil && (len(s.TLS.CertificateRefs) > 0 || len(s.TLS.Options) > 0) {
				// LBC takes certificates from ACM only and reads neither
				// field; the Gateway API requires one of them on a
				// terminating TLS listener, so refusing would refuse every
				// NLB TLS listener and drop an ALB's HTTPS listener taken
				// over from LBC. The event says so.
				l.Notice = fmt.Sprintf("tls.certificateRefs and tls.options are not used (as in LBC): the certificates come from ACM, named in the LoadBalancerConfiguration's listenerConfigurations (%s:%d) or discovered by hostname", s.Protocol, s.Port)
			}
			if l.Valid && s.Hostname != nil {
				key := fmt.Sprintf("%d-%s", s.Port, *s.Hostname)
				if portHost[key] {
					l.Valid, l.Reason, l.Message = false, gwv1.ListenerReasonHostnameConflict,
						fmt.Sprintf("Hostname conflict for port %d with hostname %s", s.Port, *s.Hostname)
				}
				portHost[key] = true
			}
		}
	}
	return out
}

// supportedKinds is the listener's route kinds (LBC: the protocol's
// defaults without allowedRoutes.kinds) and whether all it asks for are
// kinds the class serves.
func supportedKinds(controller string, s gwv1.Listener) ([]gwv1.RouteGroupKind, bool) {
	g := gwv1.Group(Group)
	var out []gwv1.RouteGroupKind
	if s.AllowedRoutes == nil || len(s.AllowedRoutes.Kinds) == 0 {
		for _, k := range defaultKinds[s.Protocol] {
			out = append(out, gwv1.RouteGroupKind{Group: &g, Kind: gwv1.Kind(k)})
		}
		return out, true
	}
	ok := true
	for _, k := range s.AllowedRoutes.Kinds {
		serves := slices.Contains(servedKinds[controller], string(k.Kind))
		if k.Group != nil && string(*k.Group) != Group {
			serves = false
		}
		if !serves {
			ok = false
			continue
		}
		out = append(out, gwv1.RouteGroupKind{Group: &g, Kind: k.Kind})
	}
	return out, ok
}

// attachRef attaches r through one parentRef and returns its Accepted
// condition.
func attachRef(in Inputs, res Result, r *Route, ref gwv1.ParentReference, listeners []*Listener, parentName string) metav1.Condition {
	cond := func(ok bool, reason gwv1.RouteConditionReason, msg string) metav1.Condition {
		st := metav1.ConditionTrue
		if !ok {
			st = metav1.ConditionFalse
		}
		return metav1.Condition{Type: string(gwv1.RouteConditionAccepted), Status: st, Reason: string(reason), Message: msg, ObservedGeneration: r.Generation}
	}
	var cands []*Listener
	for _, l := range listeners {
		if ref.SectionName != nil && *ref.SectionName != l.Spec.Name {
			continue
		}
		if ref.Port != nil && *ref.Port != l.Spec.Port {
			continue
		}
		cands = append(cands, l)
	}
	if len(cands) == 0 {
		return cond(false, gwv1.RouteReasonNoMatchingParent, fmt.Sprintf("No listener of %s matches the parentRef", parentName))
	}
	if r.Refusal != nil {
		return cond(false, r.Refusal.Reason, r.Refusal.Message)
	}
	attached, hostMiss := false, false
	for _, l := range cands {
		if !l.Valid || !kindAllowed(l, r.Kind) || !namespaceAllowed(in, l.Spec.AllowedRoutes, l.Namespace, r.Namespace) {
			continue
		}
		if !hostnamesMatch(l.Spec.Hostname, r.Hostnames) {
			hostMiss = true
			continue
		}
		attached = true
		if !slices.Contains(l.Routes, r) {
			l.Routes = append(l.Routes, r)
		}
		if hosts := compatibleHostnames(l.Spec.Hostname, r.Hostnames); len(hosts) > 0 {
			byPort := res.Hostnames[r.Key()]
			if byPort == nil {
				byPort = map[int32][]string{}
				res.Hostnames[r.Key()] = byPort
			}
			port := int32(l.Spec.Port)
			for _, h := range hosts {
				if !slices.Contains(byPort[port], h) {
					byPort[port] = append(byPort[port], h)
				}
			}
			slices.Sort(byPort[port])
		}
	}
	switch {
	case attached:
		return cond(true, gwv1.RouteReasonAccepted, "Route is accepted.")
	case hostMiss:
		return cond(false, gwv1.RouteReasonNoMatchingListenerHostname, "No listener hostname matches the route's hostnames")
	}
	return cond(false, gwv1.RouteReasonNotAllowedByListeners, fmt.Sprintf("%s %s/%s is not allowed by the listeners of %s", r.Kind, r.Namespace, r.Name, parentName))
}

func kindAllowed(l *Listener, kind string) bool {
	for _, k := range l.Kinds {
		if string(k.Kind) == kind {
			return true
		}
	}
	return false
}

// namespaceAllowed: the listener (defined in namespace owner) admits
// routes from namespace ns.
func namespaceAllowed(in Inputs, ar *gwv1.AllowedRoutes, owner, ns string) bool {
	from := gwv1.NamespacesFromSame
	var sel *metav1.LabelSelector
	if ar != nil && ar.Namespaces != nil {
		if ar.Namespaces.From != nil {
			from = *ar.Namespaces.From
		}
		sel = ar.Namespaces.Selector
	}
	return fromAllows(in, from, sel, owner, ns)
}

// fromAllows: a From/Selector pair of the object in namespace owner admits
// namespace ns.
func fromAllows(in Inputs, from gwv1.FromNamespaces, sel *metav1.LabelSelector, owner, ns string) bool {
	switch from {
	case gwv1.NamespacesFromAll:
		return true
	case gwv1.NamespacesFromSelector:
		if sel == nil {
			return false
		}
		s, err := metav1.LabelSelectorAsSelector(sel)
		return err == nil && s.Matches(labels.Set(in.NamespaceLabels[ns]))
	case gwv1.NamespacesFromSame:
		return ns == owner
	case gwv1.NamespacesFromNone:
	}
	return false
}

// hostnamesMatch: a listener without hostname admits any route; a route
// without hostnames any listener; else one pair must match, "*." wildcards
// matching one or more labels.
func hostnamesMatch(listener *gwv1.Hostname, route []gwv1.Hostname) bool {
	if listener == nil || len(route) == 0 {
		return true
	}
	for _, h := range route {
		if hostMatch(string(*listener), string(h)) || hostMatch(string(h), string(*listener)) {
			return true
		}
	}
	return false
}

// compatibleHostnames are the hostnames a route serves on a listener:
// none for a listener without hostname; the listener's for a route
// without hostnames; else each matching pair's more specific side.
func compatibleHostnames(listener *gwv1.Hostname, route []gwv1.Hostname) []string {
	if listener == nil {
		return nil
	}
	if len(route) == 0 {
		return []string{string(*listener)}
	}
	var out []string
	for _, h := range route {
		switch {
		case string(h) == string(*listener) || hostMatch(string(*listener), string(h)):
			out = append(out, string(h))
		case hostMatch(string(h), string(*listener)):
			out = append(out, string(*listener))
		}
	}
	return out
}

func hostMatch(pattern, host string) bool {
	if pattern == host {
		return true
	}
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(host, suffix) && len(host) > len(suffix)
	}
	return false
}

// resolveBackends resolves a route's backendRefs and returns its
// ResolvedRefs condition.
func resolveBackends(in Inputs, r *Route) (_ []Backend, _ metav1.Condition, pending bool) {
	cond := metav1.Condition{Type: string(gwv1.RouteConditionResolvedRefs), Status: metav1.ConditionTrue,
		Reason: string(gwv1.RouteReasonResolvedRefs), Message: "All references are resolved.", ObservedGeneration: r.Generation}
	fail := func(reason gwv1.RouteConditionReason, msg string) {
		if cond.Status == metav1.ConditionTrue {
			cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, string(reason), msg
		}
	}
	var out []Backend
	for ri, rule := range r.Rules {
		for _, ref := range rule {
			if in.Controller == ControllerNLB && IsGatewayRef(ref.BackendObjectReference) {
				b, reason, msg, wait := resolveChained(in, r, ref)
				pending = pending || wait
				if b == nil {
					fail(reason, msg)
					continue
				}
				b.Rule = ri
				out = append(out, *b)
				continue
			}
			if (ref.Group != nil && *ref.Group != "") || (ref.Kind != nil && *ref.Kind != "Service") {
				fail(gwv1.RouteReasonInvalidKind, fmt.Sprintf("backendRef %s: only core Services are supported", ref.Name))
				continue
			}
			ns := r.Namespace
			if ref.Namespace != nil {
				ns = string(*ref.Namespace)
			}
			if ns != r.Namespace && !granted(in.Grants, r.Kind, r.Namespace, ns, string(ref.Name)) {
				fail(gwv1.RouteReasonRefNotPermitted, fmt.Sprintf("backendRef Service %s/%s: No explicit ReferenceGrant exists to allow the reference.", ns, ref.Name))
				continue
			}
			svc := in.Services[types.NamespacedName{Namespace: ns, Name: string(ref.Name)}]
			if svc == nil {
				fail(gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Service %s/%s not found", ns, ref.Name))
				continue
			}
			if ref.Port == nil {
				fail(gwv1.RouteReasonUnsupportedValue, fmt.Sprintf("backendRef Service %s/%s: port is required", ns, ref.Name))
				continue
			}
			idx := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == int32(*ref.Port) })
			if idx < 0 {
				fail(gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Service %s/%s has no port %d", ns, ref.Name, *ref.Port))
				continue
			}
			w := int32(1)
			if ref.Weight != nil {
				w = *ref.Weight
			}
			out = append(out, Backend{Service: svc, Port: svc.Spec.Ports[idx], Weight: w, Rule: ri})
		}
	}
	return out, cond, pending
}

// granted reports whether a ReferenceGrant in toNS lets routes of kind in
// fromNS name Service name.
func granted(grants []gwv1.ReferenceGrant, kind, fromNS, toNS, name string) bool {
	return grantedTo(grants, kind, fromNS, toNS, "", "Service", name)
}

// grantedTo reports whether a ReferenceGrant in toNS lets routes of kind
// in fromNS name the object toGroup/toKind name.
func grantedTo(grants []gwv1.ReferenceGrant, kind, fromNS, toNS, toGroup, toKind, name string) bool {
	for _, g := range grants {
		if g.Namespace != toNS {
			continue
		}
		from := slices.ContainsFunc(g.Spec.From, func(f gwv1.ReferenceGrantFrom) bool {
			return string(f.Group) == Group && string(f.Kind) == kind && string(f.Namespace) == fromNS
		})
		if !from {
			continue
		}
		if slices.ContainsFunc(g.Spec.To, func(t gwv1.ReferenceGrantTo) bool {
			return string(t.Group) == toGroup && string(t.Kind) == toKind && (t.Name == nil || string(*t.Name) == name)
		}) {
			return true
		}
	}
	return false
}

// parentStatus builds the route's status entry for ref, keeping the
// transition times of the entry it replaces.
func parentStatus(controller string, r *Route, ref gwv1.ParentReference, accepted, resolved metav1.Condition) gwv1.RouteParentStatus {
	out := gwv1.RouteParentStatus{ParentRef: ref, ControllerName: gwv1.GatewayController(controller)}
	for _, s := range r.Status {
		if string(s.ControllerName) == controller && SameParent(s.ParentRef, ref) {
			out.Conditions = slices.Clone(s.Conditions)
		}
	}
	var keep []metav1.Condition
	for _, c := range []metav1.Condition{accepted, resolved} {
		meta.SetStatusCondition(&out.Conditions, c)
	}
	for _, c := range out.Conditions {
		if c.Type == accepted.Type || c.Type == resolved.Type {
			keep = append(keep, c)
		}
	}
	out.Conditions = keep
	return out
}
