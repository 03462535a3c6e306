package secrets

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// The fake clientset does not serve watch-list streams (no initial-events
// bookmark): reflectors list, then watch, as against older API servers.
func init() { _ = os.Setenv("KUBE_FEATURE_WatchListClient", "false") }

type recorder struct {
	mu  sync.Mutex
	got []reconcile.Request
}

func (r *recorder) add(reqs ...reconcile.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, reqs...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func secret(name string, labels map[string]string, value string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: name, Labels: labels},
		Data: map[string][]byte{"clientSecret": []byte(value)}}
}

// TestWatchedSecretsAreServedFromTheWatchAndTheirChangesEnqueueTheirUsers:
// a monitored Secret is read from its watch once synced; creating,
// changing and deleting it enqueue its consumers (not the initial list);
// a Secret no consumer uses is no longer watched.
func TestWatchedSecretsAreServedFromTheWatchAndTheirChangesEnqueueTheirUsers(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewSimpleClientset()
	rec := &recorder{}
	w := New(cs, "", "", rec.add)
	key := types.NamespacedName{Namespace: "app", Name: "oidc"}
	group := reconcile.Request{NamespacedName: types.NamespacedName{Name: "shop"}}
	w.Monitor(group, []types.NamespacedName{key})
	eventually(t, "the watch synced", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.items[key].synced()
	})
	if s, err := w.Get(ctx, key); s != nil || err != nil {
		t.Fatalf("a missing Secret: %v, %v", s, err)
	}
	if _, err := cs.CoreV1().Secrets("app").Create(ctx, secret("oidc", nil, "a"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the creation enqueues the group", func() bool { return rec.count() >= 1 })
	eventually(t, "the watch serves the Secret", func() bool {
		s, err := w.Get(ctx, key)
		return err == nil && s != nil && string(s.Data["clientSecret"]) == "a"
	})
	before := rec.count()
	if _, err := cs.CoreV1().Secrets("app").Update(ctx, secret("oidc", nil, "b"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the change enqueues the group", func() bool { return rec.count() > before })
	before = rec.count()
	if err := cs.CoreV1().Secrets("app").Delete(ctx, "oidc", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deletion enqueues the group", func() bool { return rec.count() > before })
	w.Monitor(group, nil)
	if got := w.Watched(); len(got) != 0 {
		t.Errorf("still watching %v", got)
	}
}

// TestASecretWithoutTheRequiredLabelCannotBeRead: --required-secrets-label.
func TestASecretWithoutTheRequiredLabelCannotBeRead(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewSimpleClientset(secret("plain", nil, "x"), secret("marked", map[string]string{"lbsg": "yes"}, "y"))
	w := New(cs, "lbsg", "yes", nil)
	var le *LabelError
	if _, err := w.Get(ctx, types.NamespacedName{Namespace: "app", Name: "plain"}); !errors.As(err, &le) {
		t.Errorf("unlabelled Secret: %v, want a LabelError", err)
	}
	if s, err := w.Get(ctx, types.NamespacedName{Namespace: "app", Name: "marked"}); err != nil || s == nil {
		t.Errorf("labelled Secret: %v, %v", s, err)
	}
}
