package gateway

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// serviceHandler is the Service watch's handler: the Gateways of the
// routes naming the Service, and a deleted Service's QUIC server IDs
// forgotten.
func (r *Reconciler) serviceHandler() handler.EventHandler {
	return forgetDeleted{handler.EnqueueRequestsFromMapFunc(r.serviceGateways), r.quic.Forget}
}

// forgetDeleted is the Service watch's handler: it enqueues as its
// EventHandler does and, for a Service deleted, first forgets what the
// reconciler remembers of it (forget: the QUIC server IDs of its pods).
// A reconcile never reads a deleted Service, so nothing else would drop
// it: the memory would grow with every Service ever behind a QUIC
// listener.
type forgetDeleted struct {
	handler.EventHandler
	forget func(types.NamespacedName)
}

func (h forgetDeleted) Delete(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if e.Object != nil {
		h.forget(client.ObjectKeyFromObject(e.Object))
	}
	h.EventHandler.Delete(ctx, e, q)
}
