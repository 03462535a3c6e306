package tgb

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
	"github.com/lbsg/lbsg/internal/webhook"
)

// GateKeeper is the readiness controller as the binding controller needs
// it: a gate's poll made to run now (targets just registered), and a
// deleted binding's gates opened (readiness.Reconciler).
type GateKeeper interface {
	EnqueueGate(ns, name string)
	OpenGates(ctx context.Context, ns, name, message string) error
}

// DeletedMessage is the condition message of the gates of a deleted
// binding (LBC's; its reason is empty).
const DeletedMessage = "Target Group Binding is deleted"

// Gates is the pod webhook's GateSource for bindings (LBC's
// PodReadinessGate mutator): a new pod gets target-health.elbv2.k8s.aws/<binding>
// for every ip binding of its namespace whose Service selects it. Whether
// the namespace is labelled for injection is the webhook configuration's
// namespaceSelector.
type Gates struct {
	// Reader reads bindings and Services (the manager's cache).
	Reader client.Reader
}

var _ webhook.GateSource = Gates{}

// PodGates implements webhook.GateSource.
func (g Gates) PodGates(ctx context.Context, ns string, pod *corev1.Pod) ([]corev1.PodConditionType, error) {
	if ns == "" {
		ns = pod.Namespace
	}
	var list v1beta1.TargetGroupBindingList
	if err := g.Reader.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	var out []corev1.PodConditionType
	for i := range list.Items {
		b := &list.Items[i]
		if !targetgroupbinding.InjectsGate(b) {
			continue
		}
		svc := &corev1.Service{}
		if err := g.Reader.Get(ctx, types.NamespacedName{Namespace: ns, Name: b.Spec.ServiceRef.Name}, svc); err != nil {
			if apierrors.IsNotFound(err) {
				continue // LBC: a binding of a missing Service gates nothing
			}
			return nil, err
		}
		if len(svc.Spec.Selector) > 0 && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
			out = append(out, webhook.GateType(b.Name))
		}
	}
	return out, nil
}

// BindingGate implements readiness.Bindings: what the readiness controller
// needs to set the gate named after binding ns/name.
func (r *Reconciler) BindingGate(ctx context.Context, ns, name string) (readiness.BindingGate, error) {
	b := &v1beta1.TargetGroupBinding{}
	if err := r.Kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, b); err != nil {
		if apierrors.IsNotFound(err) {
			return readiness.BindingGate{}, nil
		}
		return readiness.BindingGate{}, err
	}
	out := readiness.BindingGate{Found: true}
	switch {
	case targetgroupbinding.LBCStackBinding(b):
		// LBC's binding of its own stack: the gate is the stack's, known
		// to the Index once the stack is applied.
		return out, nil
	case !b.DeletionTimestamp.IsZero():
		out.Deleted = DeletedMessage
		return out, nil
	}
	arn := b.Spec.TargetGroupARN
	// The target type: the spec's, else the target group's once read;
	// unknown until then, taken as ip so the gate waits for it.
	out.IP = true
	r.mu.Lock()
	if e := r.cache[types.NamespacedName{Namespace: ns, Name: name}]; e != nil && e.tg != nil {
		arn = e.arn
		out.IP = e.tg.TargetType == string(v1beta1.TargetTypeIP)
	}
	r.mu.Unlock()
	if b.Spec.TargetType != nil {
		out.IP = *b.Spec.TargetType == v1beta1.TargetTypeIP
	}
	if !out.IP || arn == "" {
		// An instance binding's gate is never set (LBC sets conditions
		// for ip bindings only); an ip binding not yet resolved waits.
		return out, nil
	}
	api, err := r.api(b)
	if err != nil {
		return out, err
	}
	out.ARN, out.Health = arn, healthReader{api}
	return out, nil
}

// healthReader reads target health through the binding's account.
type healthReader struct{ api *cloudelbv2.Provider }

func (h healthReader) TargetHealth(ctx context.Context, arn string) ([]cloudelbv2.TargetHealth, error) {
	return h.api.Targets(ctx, arn)
}

// gatedPodReady passes pod events after which a binding may now register
// the pod: its containers became ready (or it got an IP) while one of its
// target-health gates is not yet True.
var gatedPodReady = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool {
		p, ok := e.Object.(*corev1.Pod)
		return ok && !e.IsInInitialList && len(readiness.ClosedGates(p)) > 0 && readiness.ContainersReady(p)
	},
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*corev1.Pod)
		n, ok2 := e.ObjectNew.(*corev1.Pod)
		if !ok1 || !ok2 || n.DeletionTimestamp != nil || len(readiness.ClosedGates(n)) == 0 || !readiness.ContainersReady(n) {
			return false
		}
		return !readiness.ContainersReady(o) || o.Status.PodIP != n.Status.PodIP
	},
	DeleteFunc:  func(event.DeleteEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// podBindings maps a gated pod to the bindings its closed gates name.
func (r *Reconciler) podBindings(ctx context.Context, o client.Object) []reconcile.Request {
	p, ok := o.(*corev1.Pod)
	if !ok {
		return nil
	}
	var out []reconcile.Request
	for _, name := range readiness.ClosedGates(p) {
		key := types.NamespacedName{Namespace: p.Namespace, Name: name}
		if err := r.Kube.Get(ctx, key, &v1beta1.TargetGroupBinding{}); err == nil {
			out = append(out, reconcile.Request{NamespacedName: key})
		}
	}
	return slices.Compact(out)
}
