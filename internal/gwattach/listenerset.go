package gwattach

import (
	"cmp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// KindListenerSet is the Gateway API kind adding listeners to a Gateway.
const KindListenerSet = "ListenerSet"

// ListenerSet is one ListenerSet naming the Gateway, with its verdict.
type ListenerSet struct {
	Object *gwv1.ListenerSet
	// Allowed: the Gateway's allowedListeners admits the ListenerSet's
	// namespace (else the ListenerSet is refused, NotAllowed, and none of
	// its listeners is validated or served).
	Allowed bool
	// Listeners of an allowed ListenerSet, in spec order, validated after
	// the Gateway's and the ListenerSets before it.
	Listeners []*Listener
}

// Accepted reports whether the ListenerSet is allowed and has a valid
// listener (LBC's Accepted; it counts in the Gateway's
// attachedListenerSets).
func (s *ListenerSet) Accepted() bool {
	return s.Allowed && slices.ContainsFunc(s.Listeners, func(l *Listener) bool { return l.Valid })
}

// NamesGateway reports whether the ListenerSet's parentRef names Gateway
// ns/name (group and kind default to the Gateway API's Gateway, namespace
// to the ListenerSet's).
func NamesGateway(ls *gwv1.ListenerSet, ns, name string) bool {
	ref := ls.Spec.ParentRef
	if ref.Group != nil && string(*ref.Group) != Group || ref.Kind != nil && string(*ref.Kind) != "Gateway" {
		return false
	}
	pns := ls.Namespace
	if ref.Namespace != nil {
		pns = string(*ref.Namespace)
	}
	return pns == ns && string(ref.Name) == name
}

// AllListeners are the Gateway's listeners, then those of each allowed
// ListenerSet in precedence order: what the load balancer serves.
func (r Result) AllListeners() []*Listener {
	out := slices.Clone(r.Listeners)
	for _, s := range r.ListenerSets {
		if s.Allowed {
			out = append(out, s.Listeners...)
		}
	}
	return out
}

// listenerSet is the ListenerSet of the result a route's parentRef names
// (nil: none).
func (r Result) listenerSet(ref gwv1.ParentReference, routeNS string) *ListenerSet {
	if ref.Kind == nil || string(*ref.Kind) != KindListenerSet || ref.Group != nil && string(*ref.Group) != Group {
		return nil
	}
	ns := routeNS
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	for _, s := range r.ListenerSets {
		if s.Object.Namespace == ns && s.Object.Name == string(ref.Name) {
			return s
		}
	}
	return nil
}

// attachListenerSets decides which ListenerSets the Gateway allows
// (allowedListeners.namespaces: None by default, Same, All, Selector) and
// validates their listeners in LBC's precedence (GEP-1713): oldest first,
// then by namespace/name, each after the Gateway's listeners, so that a
// listener conflicting with one before it is the one refused.
func attachListenerSets(in Inputs, used portUse) []*ListenerSet {
	from := gwv1.NamespacesFromNone
	var sel *metav1.LabelSelector
	if al := in.Gateway.Spec.AllowedListeners; al != nil && al.Namespaces != nil && al.Namespaces.From != nil {
		from, sel = *al.Namespaces.From, al.Namespaces.Selector
	}
	var allowed, refused []*ListenerSet
	for _, o := range in.ListenerSets {
		if !NamesGateway(o, in.Gateway.Namespace, in.Gateway.Name) {
			continue
		}
		s := &ListenerSet{Object: o, Allowed: fromAllows(in, from, sel, in.Gateway.Namespace, o.Namespace)}
		if s.Allowed {
			allowed = append(allowed, s)
		} else {
			refused = append(refused, s)
		}
	}
	order := func(a, b *ListenerSet) int {
		// LBC compares creation times in whole seconds.
		return cmp.Or(cmp.Compare(a.Object.CreationTimestamp.Unix(), b.Object.CreationTimestamp.Unix()),
			strings.Compare(a.Object.Namespace+"/"+a.Object.Name, b.Object.Namespace+"/"+b.Object.Name))
	}
	slices.SortFunc(allowed, order)
	slices.SortFunc(refused, order)
	for _, s := range allowed {
		specs := make([]gwv1.Listener, 0, len(s.Object.Spec.Listeners))
		for _, e := range s.Object.Spec.Listeners {
			specs = append(specs, gwv1.Listener{Name: e.Name, Hostname: e.Hostname, Port: e.Port, Protocol: e.Protocol,
				TLS: e.TLS, AllowedRoutes: e.AllowedRoutes})
		}
		s.Listeners = validateListeners(in.Controller, s.Object.Namespace, specs, used)
	}
	return append(allowed, refused...)
}
