package secrets

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Watcher reads and watches the Secrets its consumers use.
type Watcher struct {
	client kubernetes.Interface
	// labelKey=labelValue is --required-secrets-label ("" key: none).
	labelKey, labelValue string
	// onChange enqueues the consumers of a Secret that changed.
	onChange func(...reconcile.Request)

	mu     sync.Mutex
	items  map[types.NamespacedName]*item
	closed bool
}

type item struct {
	store     cache.Store
	synced    func() bool
	stop      chan struct{}
	consumers map[reconcile.Request]bool
}

// New builds a Watcher. label is --required-secrets-label as key=value ("":
// none); onChange is called with the consumers of a Secret that changed.
func New(client kubernetes.Interface, labelKey, labelValue string, onChange func(...reconcile.Request)) *Watcher {
	return &Watcher{client: client, labelKey: labelKey, labelValue: labelValue, onChange: onChange,
		items: map[types.NamespacedName]*item{}}
}

// Start implements manager.Runnable: it returns when ctx ends, stopping
// every watch (a stopped controller holds no watch open).
func (w *Watcher) Start(ctx context.Context) error {
	<-ctx.Done()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	for k, it := range w.items {
		close(it.stop)
		delete(w.items, k)
	}
	return nil
}

// Monitor records that consumer uses exactly keys: watches start for new
// ones, and a watch no consumer uses any more stops.
func (w *Watcher) Monitor(consumer reconcile.Request, keys []types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	want := map[types.NamespacedName]bool{}
	for _, k := range keys {
		want[k] = true
		it := w.items[k]
		if it == nil {
			it = w.start(k)
			w.items[k] = it
		}
		it.consumers[consumer] = true
	}
	for k, it := range w.items {
		if want[k] || !it.consumers[consumer] {
			continue
		}
		delete(it.consumers, consumer)
		if len(it.consumers) == 0 {
			close(it.stop)
			delete(w.items, k)
		}
	}
}

// Watched lists the Secrets being watched (tests, metrics).
func (w *Watcher) Watched() []types.NamespacedName {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]types.NamespacedName, 0, len(w.items))
	for k := range w.items {
		out = append(out, k)
	}
	return out
}

// Get returns the Secret key, nil when it does not exist. An error is a
// Secret that cannot be read: the API failed, RBAC forbids it, or it lacks
// the --required-secrets-label label.
func (w *Watcher) Get(ctx context.Context, key types.NamespacedName) (*corev1.Secret, error) {
	w.mu.Lock()
	it := w.items[key]
	w.mu.Unlock()
	if it != nil && it.synced() {
		obj, ok, err := it.store.GetByKey(key.String())
		if err == nil && ok {
			if s, isSecret := obj.(*corev1.Secret); isSecret {
				return s.DeepCopy(), nil
			}
		}
		if err == nil && !ok && w.labelKey == "" {
			return nil, nil // the synced watch shows it does not exist
		}
	}
	s, err := w.client.CoreV1().Secrets(key.Namespace).Get(ctx, key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := Unlabelled(s, w.labelKey, w.labelValue); err != nil {
		return nil, err
	}
	return s, nil
}

// Unlabelled is the LabelError of a Secret lacking the label
// labelKey=labelValue that --required-secrets-label requires (nil: it has
// it, or labelKey is "" and none is required).
func Unlabelled(s *corev1.Secret, labelKey, labelValue string) error {
	if labelKey == "" || s.Labels[labelKey] == labelValue {
		return nil
	}
	return &LabelError{Secret: types.NamespacedName{Namespace: s.Namespace, Name: s.Name}, Label: labelKey + "=" + labelValue}
}

// LabelError is a Secret lacking the --required-secrets-label label.
type LabelError struct {
	Secret types.NamespacedName
	Label  string
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("secret %s lacks the label %s that --required-secrets-label requires", e.Secret, e.Label)
}

// start begins the watch of one Secret; w.mu is held.
func (w *Watcher) start(key types.NamespacedName) *item {
	sel := func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("metadata.name", key.Name).String()
		if w.labelKey != "" {
			o.LabelSelector = w.labelKey + "=" + w.labelValue
		}
	}
	secrets := w.client.CoreV1().Secrets(key.Namespace)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			sel(&o)
			return secrets.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			sel(&o)
			return secrets.Watch(ctx, o)
		},
	}
	it := &item{stop: make(chan struct{}), consumers: map[reconcile.Request]bool{}}
	changed := func() {
		w.mu.Lock()
		var reqs []reconcile.Request
		if w.items[key] == it {
			reqs = make([]reconcile.Request, 0, len(it.consumers))
			for r := range it.consumers {
				reqs = append(reqs, r)
			}
		}
		w.mu.Unlock()
		if len(reqs) > 0 && w.onChange != nil {
			w.onChange(reqs...)
		}
	}
	store, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    &corev1.Secret{},
		Handler: cache.ResourceEventHandlerDetailedFuncs{
			AddFunc: func(_ any, initial bool) {
				if !initial {
					changed()
				}
			},
			UpdateFunc: func(oldObj, newObj any) {
				o, ok1 := oldObj.(*corev1.Secret)
				n, ok2 := newObj.(*corev1.Secret)
				if ok1 && ok2 && reflect.DeepEqual(o.Data, n.Data) && maps.Equal(o.Labels, n.Labels) {
					return
				}
				changed()
			},
			DeleteFunc: func(any) { changed() },
		},
	})
	it.store, it.synced = store, ctrl.HasSynced
	go ctrl.RunWithContext(wait.ContextForChannel(it.stop))
	return it
}
