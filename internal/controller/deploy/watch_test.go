package deploy_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/controller/deploy"
)

// TestNodeEventsInABurstCostOneReconcile: Nodes joining and leaving
// together enqueue each stack once, after the batch delay; the informer's
// initial list enqueues nothing (every stack is reconciled at start anyway).
func TestNodeEventsInABurstCostOneReconcile(t *testing.T) {
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "web"}}
	h := deploy.EnqueueBatched(200*time.Millisecond, func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{req}
	})
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer q.ShutDown()
	node := func(n string) *corev1.Node { return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n}} }
	ctx := t.Context()
	h.Create(ctx, event.CreateEvent{Object: node("old"), IsInInitialList: true}, q)
	start := time.Now()
	h.Create(ctx, event.CreateEvent{Object: node("a")}, q)
	h.Create(ctx, event.CreateEvent{Object: node("b")}, q)
	h.Delete(ctx, event.DeleteEvent{Object: node("c")}, q)
	h.Update(ctx, event.UpdateEvent{ObjectOld: node("d"), ObjectNew: node("d")}, q)
	if n := q.Len(); n != 0 {
		t.Fatalf("%d requests ready at once, want none before the batch delay", n)
	}
	got, _ := q.Get()
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("request ready after %v, want the batch delay", waited)
	}
	if got != req {
		t.Errorf("got %v", got)
	}
	q.Done(got)
	time.Sleep(300 * time.Millisecond) // any second copy would be ready by now
	if n := q.Len(); n != 0 {
		t.Errorf("%d more requests after the burst's one, want none", n)
	}
}
