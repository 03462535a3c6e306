package deploy

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// NodeTargetsChanged passes Node events that can change a stack's targets
// or target SGs: creation, deletion, and a new spec.providerID (the EC2
// instance). Status heartbeats and label churn do not reconcile anything.
var NodeTargetsChanged = predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*corev1.Node)
	n, ok2 := e.ObjectNew.(*corev1.Node)
	return !ok1 || !ok2 || o.Spec.ProviderID != n.Spec.ProviderID
}}

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
	add := func(ctx context.Context, obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		for _, r := range fn(ctx, obj) {
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
			add(ctx, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.ObjectNew, q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.Object, q)
		},
		GenericFunc: func(ctx context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.Object, q)
		},
	}
}
