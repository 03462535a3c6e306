package gateway

import (
	"context"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
)

// LBC's status messages.
const (
	msgListenerInvalid    = "Gateway is not accepted because there is an invalid listener."
	msgListenerNoConflict = "Listener has no conflict."
	msgListenerResolved   = "Listener has all refs resolved."
	msgListenerProgram    = "Listener is programmed."
	msgListenerNotAccept  = "Listener is not accepted."
)

// writeStatus sets the Gateway's status from the attachment and the load
// balancer's DNS name (ref non-nil: the Gateway is refused), writing only
// on change.
func (r *Reconciler) writeStatus(ctx context.Context, gw *gwv1.Gateway, att gwattach.Result, dns string, ref *Refused) error {
	st := gw.Status.DeepCopy()
	gen := gw.Generation
	set := func(conds *[]metav1.Condition, t string, ok bool, reason, msg string) {
		s := metav1.ConditionTrue
		if !ok {
			s = metav1.ConditionFalse
		}
		meta.SetStatusCondition(conds, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
	}
	switch {
	case ref != nil:
		set(&st.Conditions, string(gwv1.GatewayConditionAccepted), false, string(ref.reason), ref.message)
		set(&st.Conditions, string(gwv1.GatewayConditionProgrammed), false, string(gwv1.GatewayReasonInvalid), "Check Gateway Events for more information.")
	default:
		if att.Valid() {
			set(&st.Conditions, string(gwv1.GatewayConditionAccepted), true, string(gwv1.GatewayReasonAccepted), "")
		} else {
			set(&st.Conditions, string(gwv1.GatewayConditionAccepted), false, string(gwv1.GatewayReasonListenersNotValid), msgListenerInvalid)
		}
		set(&st.Conditions, string(gwv1.GatewayConditionProgrammed), dns != "", string(gwv1.GatewayReasonProgrammed), "")
		st.Addresses = nil
		if dns != "" {
			t := gwv1.HostnameAddressType
			st.Addresses = []gwv1.GatewayStatusAddress{{Type: &t, Value: strings.ToLower(dns)}}
		}
		st.Listeners = listenerStatuses(att.Listeners, gatewayListenerConditions(gw.Status.Listeners), gen, dns != "")
		st.AttachedListenerSets = r.attachedListenerSets(att)
	}
	if equality.Semantic.DeepEqual(st, &gw.Status) {
		return nil
	}
	base := gw.DeepCopy()
	gw.Status = *st
	err := r.Kube.Status().Patch(ctx, gw, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	if err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
		r.Events.Warn(gw, events.ReasonFailedUpdateStatus, events.ActionReconcile, "Failed update status due to "+err.Error())
	}
	return err
}

func gatewayListenerConditions(s []gwv1.ListenerStatus) map[gwv1.SectionName][]metav1.Condition {
	out := map[gwv1.SectionName][]metav1.Condition{}
	for _, l := range s {
		out[l.Name] = l.Conditions
	}
	return out
}

// listenerStatuses is one entry per listener (of a Gateway or a
// ListenerSet), in spec order, keeping the transition times of unchanged
// conditions of prev.
func listenerStatuses(listeners []*gwattach.Listener, prev map[gwv1.SectionName][]metav1.Condition, gen int64, programmed bool) []gwv1.ListenerStatus {
	var out []gwv1.ListenerStatus
	for _, l := range listeners {
		ls := gwv1.ListenerStatus{Name: l.Spec.Name, SupportedKinds: l.Kinds, AttachedRoutes: int32(len(l.Routes))}
		if ls.SupportedKinds == nil {
			ls.SupportedKinds = []gwv1.RouteGroupKind{}
		}
		ls.Conditions = slices.Clone(prev[l.Spec.Name])
		set := func(t gwv1.ListenerConditionType, ok bool, reason gwv1.ListenerConditionReason, msg string) {
			s := metav1.ConditionTrue
			if !ok {
				s = metav1.ConditionFalse
			}
			meta.SetStatusCondition(&ls.Conditions, metav1.Condition{Type: string(t), Status: s, Reason: string(reason), Message: msg, ObservedGeneration: gen})
		}
		conflict := l.Reason == gwv1.ListenerReasonHostnameConflict || l.Reason == gwv1.ListenerReasonProtocolConflict
		if conflict {
			set(gwv1.ListenerConditionConflicted, true, l.Reason, l.Message)
		} else {
			set(gwv1.ListenerConditionConflicted, false, gwv1.ListenerReasonNoConflicts, msgListenerNoConflict)
		}
		switch l.Reason {
		case gwv1.ListenerReasonPortUnavailable, gwv1.ListenerReasonUnsupportedProtocol, gwv1.ListenerReasonHostnameConflict, gwv1.ListenerReasonProtocolConflict:
			set(gwv1.ListenerConditionAccepted, false, l.Reason, l.Message)
		default:
			set(gwv1.ListenerConditionAccepted, true, gwv1.ListenerReasonAccepted, "Listener is accepted.")
		}
		if l.Reason == gwv1.ListenerReasonInvalidRouteKinds {
			set(gwv1.ListenerConditionResolvedRefs, false, l.Reason, l.Message)
		} else {
			set(gwv1.ListenerConditionResolvedRefs, true, gwv1.ListenerReasonResolvedRefs, msgListenerResolved)
		}
		switch {
		case !l.Valid:
			set(gwv1.ListenerConditionProgrammed, false, l.Reason, msgListenerNotAccept)
		case programmed:
			set(gwv1.ListenerConditionProgrammed, true, gwv1.ListenerReasonProgrammed, msgListenerProgram)
		default:
			set(gwv1.ListenerConditionProgrammed, false, gwv1.ListenerReasonPending, "Listener is pending to be programmed.")
		}
		out = append(out, ls)
	}
	return out
}
