package gateway

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/model"
)

// countingGets counts the pods read.
type countingGets struct {
	client.Reader
	gets int
}

func (c *countingGets) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.gets++
	return c.Reader.Get(ctx, key, obj, opts...)
}

// TestDeletedServiceIsForgottenByTheQUICCache: the Gateway reconciler
// remembers the QUIC server IDs of a Service's pods (each pod read once);
// the Service's deletion, through the Service watch, drops them (a pod
// of a Service of the same name created later is read again), so the
// memory does not grow with every Service ever deleted.
func TestDeletedServiceIsForgottenByTheQUICCache(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "quic"}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p", UID: "u1"}}
	pods := &countingGets{Reader: newReader(t, true, svc, pod)}
	r := &Reconciler{Kube: fakeClient(t, true), Pods: pods, routeIndex: true}
	fill := func() {
		t.Helper()
		eps := []model.Endpoint{{IP: "10.0.0.1", Pod: "p", PodUID: "u1"}}
		if err := (reconcilerQUIC{r}).ServerIDs(t.Context(), true, svc, eps); err != nil {
			t.Fatal(err)
		}
	}
	fill()
	fill()
	if pods.gets != 1 {
		t.Fatalf("the pod was read %d times before the delete, want once", pods.gets)
	}
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer q.ShutDown()
	r.serviceHandler().Delete(t.Context(), event.DeleteEvent{Object: svc}, q)
	fill()
	if pods.gets != 2 {
		t.Errorf("after the Service's deletion the pod was read %d times in all, want 2: the cache kept the deleted Service", pods.gets)
	}
}
