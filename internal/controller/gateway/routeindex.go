package gateway

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

// Routes by reference. A Gateway reads only the routes naming it, and a
// watch maps a Service, a chained Gateway or a ListenerRuleConfiguration
// only through the routes naming that: each route kind is indexed in the
// manager's cache (indexRoutes) under routeRefsField by routeKeys, and the
// reader lists one key at a time (client.MatchingFields), so a reconcile
// copies its own routes, not every route of the cluster. A Builder over a
// reader without the index (RouteIndex false: `lbsg plan`, `audit`,
// `graph`) lists every route and keeps those with a wanted key: the same
// routes, found the slow way.

// routeRefsField is the field index of the route kinds by routeKeys.
const routeRefsField = "lbsg.routeRefs"

// Index keys of a route (routeKeys). Parent keys use the parentRef's
// namespace, the route's when it names none (Gateway API's default).
const (
	keyParentGateway     = "parent/Gateway/"
	keyParentListenerSet = "parent/ListenerSet/"
	keyBackend           = "backend/"
	keyRuleConfig        = "ruleconfig/"
	// keyStatusListenerSets: the route's status has an entry of an lbsg
	// controller for a ListenerSet. An entry for a ListenerSet that no
	// longer exists is every Gateway's to drop (parentScope), and a gone
	// ListenerSet's name is known to no Gateway, so they list this key.
	keyStatusListenerSets = "status/ListenerSet"
)

// gatewayParentKey is the key of the routes naming Gateway (or, in their
// status, having an entry for) gw.
func gatewayParentKey(gw types.NamespacedName) string { return keyParentGateway + gw.String() }

// listenerSetParentKey is the key of the routes naming ListenerSet ls.
func listenerSetParentKey(ls types.NamespacedName) string { return keyParentListenerSet + ls.String() }

// backendKey is the key of the routes with a backendRef, of any kind,
// naming ns/name.
func backendKey(obj types.NamespacedName) string { return keyBackend + obj.String() }

// ruleConfigKey is the key of the routes whose rules name
// ListenerRuleConfiguration cfg.
func ruleConfigKey(cfg types.NamespacedName) string { return keyRuleConfig + cfg.String() }

// routeKeys are route o's index keys: the Gateways and ListenerSets its
// parentRefs and status entries name, the objects its backendRefs name,
// the ListenerRuleConfigurations its rules name, and
// keyStatusListenerSets when lbsg wrote a status entry for a ListenerSet.
// A superset of what the readers need: they filter what they list.
func routeKeys(o client.Object) []string {
	rt := routeFields(o)
	if rt == nil {
		return nil
	}
	var keys []string
	parent := func(ref gwv1.ParentReference) {
		if ls, ok := listenerSetRef(ref, rt.Namespace); ok {
			keys = append(keys, listenerSetParentKey(ls))
		} else if gw, ok := gwattach.GatewayRef(ref, rt.Namespace); ok {
			keys = append(keys, gatewayParentKey(gw))
		}
	}
	for _, ref := range rt.ParentRefs {
		parent(ref)
	}
	for _, s := range rt.Status {
		parent(s.ParentRef)
		if _, ok := listenerSetRef(s.ParentRef, rt.Namespace); ok && lbsgController(string(s.ControllerName)) {
			keys = append(keys, keyStatusListenerSets)
		}
	}
	for _, rule := range rt.Rules {
		for _, ref := range rule {
			ns := rt.Namespace
			if ref.Namespace != nil {
				ns = string(*ref.Namespace)
			}
			keys = append(keys, backendKey(types.NamespacedName{Namespace: ns, Name: string(ref.Name)}))
		}
	}
	for _, names := range ruleConfigNames(o) {
		for _, name := range names {
			keys = append(keys, ruleConfigKey(types.NamespacedName{Namespace: rt.Namespace, Name: name}))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// lbsgController: name is the controllerName of one of lbsg's Gateway
// controllers.
func lbsgController(name string) bool {
	return name == gwattach.ControllerNLB || name == gwattach.ControllerALB
}

// indexRoutes registers routeRefsField on the route kinds of the class
// (alb: HTTPRoute, GRPCRoute; else TCPRoute, UDPRoute, TLSRoute): each
// kind is served by one reconciler, so each is indexed once.
func indexRoutes(ctx context.Context, indexer client.FieldIndexer, alb bool) error {
	for _, k := range routeLists(alb) {
		if err := indexer.IndexField(ctx, k.object, routeRefsField, routeKeys); err != nil {
			return fmt.Errorf("indexing %ss by reference: %w", k.kind, err)
		}
	}
	return nil
}

// routeQuery selects routes of the class's kinds: those with one of keys
// (routeKeys) that pick keeps (nil: all of them).
type routeQuery struct {
	keys []string
	// pick sees the cached object itself (listed without a copy when
	// indexed): it must not keep or change it. Only what it keeps is
	// copied, so a key many routes may have (keyStatusListenerSets: every
	// route attached through a ListenerSet) costs no copy of each.
	pick func(client.Object) bool
}

// listRoutes lists the routes q selects as gwattach routes, with their
// objects (copies, safe to change) by route key, by kind then
// namespace/name.
func (b Builder) listRoutes(ctx context.Context, q routeQuery) ([]*gwattach.Route, map[string]client.Object, error) {
	var out []*gwattach.Route
	objs := map[string]client.Object{}
	keep := func(kind string, o client.Object, copied bool) {
		key := kind + "/" + o.GetNamespace() + "/" + o.GetName()
		if _, dup := objs[key]; dup || q.pick != nil && !q.pick(o) {
			return
		}
		if !copied {
			o = o.DeepCopyObject().(client.Object)
		}
		out = append(out, routeOf(o))
		objs[key] = o
	}
	for _, k := range routeLists(b.ALB) {
		if !b.RouteIndex {
			list := k.list.DeepCopyObject().(client.ObjectList)
			if err := b.Kube.List(ctx, list); err != nil && !meta.IsNoMatchError(err) {
				return nil, nil, err
			}
			for _, o := range routeItems(list) {
				if hasAnyKey(routeKeys(o), q.keys) {
					keep(k.kind, o, true)
				}
			}
			continue
		}
		for _, key := range q.keys {
			list := k.list.DeepCopyObject().(client.ObjectList)
			opts := []client.ListOption{client.MatchingFields{routeRefsField: key}}
			if q.pick != nil {
				// Read-only until pick keeps one: keep copies it.
				opts = append(opts, client.UnsafeDisableDeepCopy)
			}
			if err := b.Kube.List(ctx, list, opts...); err != nil {
				if meta.IsNoMatchError(err) {
					break
				}
				return nil, nil, err
			}
			for _, o := range routeItems(list) {
				keep(k.kind, o, q.pick == nil)
			}
		}
	}
	sortRoutes(out)
	return out, objs, nil
}

// sortRoutes orders routes by kind, namespace and name.
func sortRoutes(routes []*gwattach.Route) {
	slices.SortFunc(routes, func(a, b *gwattach.Route) int { return strings.Compare(a.Key(), b.Key()) })
}

// hasAnyKey: keys (sorted) holds one of want.
func hasAnyKey(keys, want []string) bool {
	return slices.ContainsFunc(want, func(k string) bool {
		_, ok := slices.BinarySearch(keys, k)
		return ok
	})
}

// scopeRoutes lists the routes of the Gateway's scope: those naming the
// Gateway or one of its ListenerSets, in their spec or status, and (with
// ListenerSets served) those whose status has an entry of ours for a
// ListenerSet that is gone.
func (b Builder) scopeRoutes(ctx context.Context, scope parentScope) ([]*gwattach.Route, map[string]client.Object, error) {
	keys := []string{gatewayParentKey(types.NamespacedName{Namespace: scope.ns, Name: scope.name})}
	for ls := range scope.sets {
		keys = append(keys, listenerSetParentKey(ls))
	}
	slices.Sort(keys)
	if scope.known == nil {
		return b.listRoutes(ctx, routeQuery{keys: keys})
	}
	controller := b.controller()
	goneSet := func(o client.Object) bool {
		_, status := routeCommon(o)
		return slices.ContainsFunc(status.Parents, func(s gwv1.RouteParentStatus) bool {
			ls, ok := listenerSetRef(s.ParentRef, o.GetNamespace())
			return ok && string(s.ControllerName) == controller && !scope.known[ls]
		})
	}
	if !b.RouteIndex {
		// One pass over every route for both.
		return b.listRoutes(ctx, routeQuery{keys: append(slices.Clone(keys), keyStatusListenerSets), pick: func(o client.Object) bool {
			return hasAnyKey(routeKeys(o), keys) || goneSet(o)
		}})
	}
	routes, objs, err := b.listRoutes(ctx, routeQuery{keys: keys})
	if err != nil {
		return nil, nil, err
	}
	gone, goneObjs, err := b.listRoutes(ctx, routeQuery{keys: []string{keyStatusListenerSets}, pick: goneSet})
	if err != nil {
		return nil, nil, err
	}
	for _, rt := range gone {
		if _, dup := objs[rt.Key()]; !dup {
			routes = append(routes, rt)
			objs[rt.Key()] = goneObjs[rt.Key()]
		}
	}
	sortRoutes(routes)
	return routes, objs, nil
}
