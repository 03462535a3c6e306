package gateway

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
)

// parentScope says which route parentRefs belong to one Gateway: the
// Gateway itself and, with ListenerSets served, the ListenerSets naming
// it. Status entries for a ListenerSet that no longer exists belong to
// every Gateway, so whichever reconciles first drops them.
type parentScope struct {
	ns, name string
	// sets naming the Gateway; known: every ListenerSet (nil when the
	// GatewayListenerSet gate is off: ListenerSet parents are nobody's).
	sets, known map[types.NamespacedName]bool
}

// listenerSetRef is the ListenerSet a parentRef names (ok false: it names
// another kind).
func listenerSetRef(ref gwv1.ParentReference, routeNS string) (types.NamespacedName, bool) {
	if ref.Kind == nil || string(*ref.Kind) != gwattach.KindListenerSet || ref.Group != nil && string(*ref.Group) != gwattach.Group {
		return types.NamespacedName{}, false
	}
	ns := routeNS
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	return types.NamespacedName{Namespace: ns, Name: string(ref.Name)}, true
}

// spec: a route's parentRef names the Gateway or one of its ListenerSets.
func (p parentScope) spec(ref gwv1.ParentReference, routeNS string) bool {
	if parentIs(ref, routeNS, p.ns, p.name) {
		return true
	}
	key, ok := listenerSetRef(ref, routeNS)
	return ok && p.sets[key]
}

// status: a status entry's parentRef is the Gateway's to rewrite (spec,
// or a ListenerSet that is gone).
func (p parentScope) status(ref gwv1.ParentReference, routeNS string) bool {
	if p.spec(ref, routeNS) {
		return true
	}
	key, ok := listenerSetRef(ref, routeNS)
	return ok && p.known != nil && !p.known[key]
}

// scope lists the ListenerSets (when served) and returns gw's parent
// scope with those naming it.
func (b Builder) scope(ctx context.Context, gw *gwv1.Gateway) (parentScope, []*gwv1.ListenerSet, error) {
	p := parentScope{ns: gw.Namespace, name: gw.Name}
	if !b.ListenerSets {
		return p, nil, nil
	}
	var list gwv1.ListenerSetList
	if err := b.Kube.List(ctx, &list); err != nil {
		return p, nil, err
	}
	p.sets, p.known = map[types.NamespacedName]bool{}, map[types.NamespacedName]bool{}
	var mine []*gwv1.ListenerSet
	for i := range list.Items {
		ls := &list.Items[i]
		key := types.NamespacedName{Namespace: ls.Namespace, Name: ls.Name}
		p.known[key] = true
		if gwattach.NamesGateway(ls, gw.Namespace, gw.Name) {
			p.sets[key] = true
			mine = append(mine, ls)
		}
	}
	return p, mine, nil
}

// attachedListenerSets is the Gateway's status.attachedListenerSets: the
// ListenerSets allowed with at least one valid listener (nil when
// ListenerSets are not served, as LBC leaves it unset).
func (r *Reconciler) attachedListenerSets(att gwattach.Result) *int32 {
	if !r.ListenerSets {
		return nil
	}
	n := int32(0)
	for _, s := range att.ListenerSets {
		if s.Accepted() {
			n++
		}
	}
	return &n
}

// writeListenerSetStatus sets each ListenerSet's status as LBC does:
// Accepted (True with a valid listener; reason ListenersNotValid when one
// is not; NotAllowed when the Gateway refuses it), Programmed (the load
// balancer exists and a listener is valid; else Pending, or
// ListenersNotValid), and the listeners' conditions as a Gateway's.
// Written only when it changed.
func (r *Reconciler) writeListenerSetStatus(ctx context.Context, att gwattach.Result, programmed bool) error {
	for _, s := range att.ListenerSets {
		if err := r.patchListenerSet(ctx, s, programmed); err != nil {
			return err
		}
	}
	return nil
}

func (r *Reconciler) patchListenerSet(ctx context.Context, s *gwattach.ListenerSet, gwProgrammed bool) error {
	o := s.Object
	st := o.Status.DeepCopy()
	gen := o.Generation
	set := func(t gwv1.ListenerSetConditionType, ok bool, reason gwv1.ListenerSetConditionReason, msg string) {
		c := metav1.Condition{Type: string(t), Status: metav1.ConditionTrue, Reason: string(reason), Message: msg, ObservedGeneration: gen}
		if !ok {
			c.Status = metav1.ConditionFalse
		}
		meta.SetStatusCondition(&st.Conditions, c)
	}
	if !s.Allowed {
		const msg = "Parent Gateway rejected ListenerSet"
		set(gwv1.ListenerSetConditionAccepted, false, gwv1.ListenerSetReasonNotAllowed, msg)
		set(gwv1.ListenerSetConditionProgrammed, false, gwv1.ListenerSetReasonNotAllowed, msg)
		st.Listeners = nil
	} else {
		accepted := s.Accepted()
		reason, msg := gwv1.ListenerSetReasonAccepted, string(gwv1.ListenerSetReasonAccepted)
		if slices.ContainsFunc(s.Listeners, func(l *gwattach.Listener) bool { return !l.Valid }) {
			reason, msg = gwv1.ListenerSetReasonListenersNotValid, "Some listeners are not valid"
		}
		set(gwv1.ListenerSetConditionAccepted, accepted, reason, msg)
		programmed := gwProgrammed && accepted
		switch {
		case programmed:
			set(gwv1.ListenerSetConditionProgrammed, true, gwv1.ListenerSetReasonProgrammed, string(gwv1.ListenerSetReasonProgrammed))
		case gwProgrammed:
			set(gwv1.ListenerSetConditionProgrammed, false, gwv1.ListenerSetReasonListenersNotValid, "No valid listeners to materialize")
		default:
			set(gwv1.ListenerSetConditionProgrammed, false, gwv1.ListenerSetReasonPending, "Parent gateway not yet programmed")
		}
		st.Listeners = nil
		prev := map[gwv1.SectionName][]metav1.Condition{}
		for _, l := range o.Status.Listeners {
			prev[l.Name] = l.Conditions
		}
		for _, ls := range listenerStatuses(s.Listeners, prev, gen, programmed) {
			st.Listeners = append(st.Listeners, gwv1.ListenerEntryStatus(ls))
		}
	}
	if equality.Semantic.DeepEqual(st, &o.Status) {
		return nil
	}
	base := o.DeepCopy()
	o.Status = *st
	err := r.Kube.Status().Patch(ctx, o, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	if err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
		r.Events.Warn(o, events.ReasonFailedUpdateStatus, events.ActionReconcile, "Failed update status due to "+err.Error())
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// listenerSetGateways maps a ListenerSet to the Gateway its parentRef
// names (called with the old and the new object on an update, so a
// ListenerSet moving away is reconciled on both sides).
func listenerSetGateways(_ context.Context, o client.Object) []reconcile.Request {
	ls, ok := o.(*gwv1.ListenerSet)
	if !ok {
		return nil
	}
	ref := ls.Spec.ParentRef
	if ref.Group != nil && string(*ref.Group) != gwattach.Group || ref.Kind != nil && string(*ref.Kind) != "Gateway" {
		return nil
	}
	ns := ls.Namespace
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: ns, Name: string(ref.Name)}}}
}

// listenerSetParent is the Gateway of ListenerSet key (ok false: it does
// not exist or names no Gateway).
func (r *Reconciler) listenerSetParent(ctx context.Context, key types.NamespacedName) (types.NamespacedName, bool) {
	ls := &gwv1.ListenerSet{}
	if err := r.Kube.Get(ctx, key, ls); err != nil {
		return types.NamespacedName{}, false
	}
	reqs := listenerSetGateways(ctx, ls)
	if len(reqs) == 0 {
		return types.NamespacedName{}, false
	}
	return reqs[0].NamespacedName, true
}
