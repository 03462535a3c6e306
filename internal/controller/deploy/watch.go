package deploy

import (
	"context"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/model"
)

// NodeTargetsChanged passes Node events that can change a stack's targets
// or target SGs: creation, deletion, a new spec.providerID (the EC2
// instance), and a change of what decides whether the node is an instance
// target (labels, taints, the Ready condition's status; see
// model.TargetNodes). Heartbeats and other status churn reconcile nothing.
var NodeTargetsChanged = predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*corev1.Node)
	n, ok2 := e.ObjectNew.(*corev1.Node)
	return !ok1 || !ok2 || o.Spec.ProviderID != n.Spec.ProviderID || NodeTargetingEdit(o, n)
}}

// NodeTargetingEdit reports whether an update changed a Node's labels,
// taints or readiness.
func NodeTargetingEdit(o, n *corev1.Node) bool {
	return !maps.Equal(o.Labels, n.Labels) || !equality.Semantic.DeepEqual(o.Spec.Taints, n.Spec.Taints) ||
		model.NodeReadyStatus(o) != model.NodeReadyStatus(n)
}

// NodeEvent is one Node event: Old is nil on creation, New on deletion.
type NodeEvent struct{ Old, New *corev1.Node }

// EnqueueNodeEvents is EnqueueBatched for a map function that sees both
// sides of an update, so it can enqueue only the stacks the change affects.
func EnqueueNodeEvents(delay time.Duration, fn func(context.Context, NodeEvent) []reconcile.Request) handler.EventHandler {
	node := func(o client.Object) *corev1.Node {
		n, _ := o.(*corev1.Node)
		return n
	}
	return enqueueAfter(delay, func(ctx context.Context, before, after client.Object) []reconcile.Request {
		e := NodeEvent{Old: node(before), New: node(after)}
		if e.Old == nil && e.New == nil {
			return nil
		}
		return fn(ctx, e)
	})
}

// NodeBatch is how long the reconciles a Node event causes wait in the
// queue. Nodes join and leave in bursts (a scale-up, a drained node
// group); every instance target group is registered once for the burst
// instead of once per Node, and Register/DeregisterTargets have the
// tightest ELBv2 bucket.
const NodeBatch = 2 * time.Second

// EnqueueBatched is handler.EnqueueRequestsFromMapFunc whose requests wait
// delay before they are processed. A request already waiting keeps its
// earlier time (the workqueue's AddAfter), so every event within delay of
// the first is served by one reconcile. The initial list's Create events
// enqueue nothing.
func EnqueueBatched(delay time.Duration, fn handler.MapFunc) handler.EventHandler {
	return enqueueAfter(delay, func(ctx context.Context, before, after client.Object) []reconcile.Request {
		if after == nil {
			return fn(ctx, before)
		}
		return fn(ctx, after)
	})
}

// enqueueAfter is the handler of EnqueueBatched; fn gets before nil on
// creation (and generic events), after nil on deletion.
func enqueueAfter(delay time.Duration, fn func(ctx context.Context, before, after client.Object) []reconcile.Request) handler.EventHandler {
	add := func(ctx context.Context, before, after client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		for _, r := range fn(ctx, before, after) {
			q.AddAfter(r, delay)
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if e.IsInInitialList {
				// The informer's first list at start: every object is
				// reconciled then anyway, with these Nodes in the cache.
				return
			}
			add(ctx, nil, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.ObjectOld, e.ObjectNew, q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.Object, nil, q)
		},
		GenericFunc: func(ctx context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, nil, e.Object, q)
		},
	}
}
