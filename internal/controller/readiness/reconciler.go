package readiness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/webhook"
)

// ControllerName is the reconciler's controller-runtime name.
const ControllerName = "readiness"

// Polling of a gate not yet open: the first poll after PollStart, each
// next one twice as late, at most PollMax apart (LBC polls every
// --targetgroupbinding-requeue-duration, 15s).
const (
	PollStart = time.Second
	PollMax   = 15 * time.Second
)

// Condition reasons lbsg writes besides AWS's target-health reasons.
const (
	// ReasonGateUnknown: no target group or TargetGroupBinding of that
	// name; the gate is opened so the pod is not held back for ever.
	ReasonGateUnknown = "GateUnknown"
	// ReasonNotRegistered: the pod's IP is not a target (yet).
	ReasonNotRegistered = "Target.NotRegistered"
)

// TargetGroupBindingGVK is LBC's binding kind; a gate naming one is the
// TargetGroupBinding controller's.
var TargetGroupBindingGVK = schema.GroupVersionKind{Group: "elbv2.k8s.aws", Version: "v1beta1", Kind: "TargetGroupBinding"}

// TargetHealthReader reads a target group's targets and their health
// (state.Provider).
type TargetHealthReader interface {
	TargetHealth(ctx context.Context, tgARN string) ([]cloudelbv2.TargetHealth, error)
}

// Reconciler sets the target-health conditions of lbsg's gates.
type Reconciler struct {
	Kube client.Client
	// API reads TargetGroupBindings uncached (nil: Kube).
	API   client.Reader
	AWS   TargetHealthReader
	Index *Index
	// Complete reports whether every stack has reported since the start
	// (deploy.Owners.Complete): only then is a gate unknown.
	Complete func(ctx context.Context) (bool, error)
	// EnqueueStack makes a stack's reconciler run (a pod it should now
	// register).
	EnqueueStack func(naming.Stack)
	// Now is the clock of condition transition times (nil: time.Now).
	Now func() time.Time

	mu    sync.Mutex
	polls map[reconcile.Request]int
	queue chan event.TypedGenericEvent[reconcile.Request]
}

// SetupWithManager watches pods (gates not yet open) and the index.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.queue = make(chan event.TypedGenericEvent[reconcile.Request], 1024)
	r.Index.mu.Lock()
	r.Index.changed = func(reqs ...reconcile.Request) {
		for _, q := range reqs {
			select {
			case r.queue <- event.TypedGenericEvent[reconcile.Request]{Object: q}:
			default: // full: the pod watch and the requeues catch up
			}
		}
	}
	r.Index.mu.Unlock()
	return builder.TypedControllerManagedBy[reconcile.Request](mgr).Named(ControllerName).
		WithOptions(controller.TypedOptions[reconcile.Request]{MaxConcurrentReconciles: 2}).
		WatchesRawSource(source.TypedKind(mgr.GetCache(), &corev1.Pod{}, handler.TypedFuncs[*corev1.Pod, reconcile.Request]{
			CreateFunc: func(ctx context.Context, e event.TypedCreateEvent[*corev1.Pod], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				r.podEvent(nil, e.Object, q)
			},
			UpdateFunc: func(ctx context.Context, e event.TypedUpdateEvent[*corev1.Pod], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				r.podEvent(e.ObjectOld, e.ObjectNew, q)
			},
		})).
		WatchesRawSource(source.Channel(r.queue, handler.TypedFuncs[reconcile.Request, reconcile.Request]{
			GenericFunc: func(_ context.Context, e event.TypedGenericEvent[reconcile.Request], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				q.Add(e.Object)
			},
		})).
		Complete(r)
}

// podEvent enqueues the pod's closed gates and, when its containers just
// became ready (or it got its IP) behind a closed gate of a stack, that
// stack.
func (r *Reconciler) podEvent(old, pod *corev1.Pod, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if pod.DeletionTimestamp != nil {
		return
	}
	closed := ClosedGates(pod)
	became := old == nil || containersReady(old) != containersReady(pod) || old.Status.PodIP != pod.Status.PodIP
	if !became && slices.Equal(ClosedGates(old), closed) {
		// Nothing a poll depends on changed (e.g. lbsg's own condition
		// patch): a pending gate is already requeued with its backoff.
		return
	}
	for _, name := range closed {
		q.Add(gateRequest(pod.Namespace, name))
	}
	if len(closed) == 0 || r.EnqueueStack == nil || !containersReady(pod) || pod.Status.PodIP == "" || !became {
		return
	}
	for _, name := range closed {
		if g, ok := r.Index.Group(pod.Namespace, name); ok {
			r.EnqueueStack(g.Stack)
		}
	}
}

// ClosedGates are the names of pod's target-health gates whose condition
// is not True.
func ClosedGates(pod *corev1.Pod) []string {
	var out []string
	for _, g := range pod.Spec.ReadinessGates {
		name, ok := strings.CutPrefix(string(g.ConditionType), webhook.GatePrefix)
		if !ok {
			continue
		}
		if c := condition(pod, g.ConditionType); c == nil || c.Status != corev1.ConditionTrue {
			out = append(out, name)
		}
	}
	return out
}

func condition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func containersReady(pod *corev1.Pod) bool {
	c := condition(pod, corev1.ContainersReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

// Reconcile opens the gate (req.Namespace, req.Name) of the pods whose
// targets are healthy.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	log := logf.FromContext(ctx).WithValues("gate", webhook.GatePrefix+req.Name)
	pods, err := r.waiting(ctx, req)
	if err != nil || len(pods) == 0 {
		r.forget(req)
		return reconcile.Result{}, err
	}
	g, ok := r.Index.Group(req.Namespace, req.Name)
	if !ok || g.ARN == "" {
		return r.unknown(ctx, req, pods, ok)
	}
	// Only a pod with an IP and ready containers can have a healthy
	// target; the others are enqueued again when they change (pod watch),
	// so a pod stuck Pending costs no polling.
	live := pods[:0]
	for _, p := range pods {
		if p.Status.PodIP != "" && containersReady(&p) {
			live = append(live, p)
		}
	}
	if pods = live; len(pods) == 0 {
		r.forget(req)
		return reconcile.Result{}, nil
	}
	targets, err := r.AWS.TargetHealth(ctx, g.ARN)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("reading the target health of %s: %w", g.Name, err)
	}
	health := map[string]corev1.PodCondition{}
	for _, t := range targets {
		if t.State == "draining" {
			continue
		}
		if prev, seen := health[t.ID]; seen && prev.Status == corev1.ConditionTrue {
			continue // a pod with several ports: healthy on one is LBC's "healthy" too
		}
		c := corev1.PodCondition{Status: corev1.ConditionFalse, Reason: t.Reason, Message: t.Description}
		if t.State == "healthy" {
			c.Status = corev1.ConditionTrue
		}
		health[t.ID] = c
	}
	pending := 0
	for i := range pods {
		p := &pods[i]
		c, found := health[p.Status.PodIP]
		if !found {
			c = corev1.PodCondition{Status: corev1.ConditionFalse, Reason: ReasonNotRegistered, Message: "the pod's IP is not a target of " + g.Name}
		}
		if c.Status != corev1.ConditionTrue {
			pending++
		}
		if err := r.setCondition(ctx, p, webhook.GateType(req.Name), c); err != nil {
			return reconcile.Result{}, err
		}
	}
	if pending == 0 {
		log.V(1).Info("gate open on every pod", "pods", len(pods))
		r.forget(req)
		return reconcile.Result{}, nil
	}
	return reconcile.Result{RequeueAfter: r.backoff(req)}, nil
}

// waiting lists the live pods of the namespace whose gate req is closed.
func (r *Reconciler) waiting(ctx context.Context, req reconcile.Request) ([]corev1.Pod, error) {
	var list corev1.PodList
	if err := r.Kube.List(ctx, &list, client.InNamespace(req.Namespace)); err != nil {
		return nil, err
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		for _, name := range ClosedGates(&p) {
			if name == req.Name {
				out = append(out, p)
				break
			}
		}
	}
	return out, nil
}

// unknown handles a gate of no published group: a TargetGroupBinding's is
// left to its controller; before every stack has reported, or while the
// group has no ARN yet, it waits; otherwise the gate is opened.
func (r *Reconciler) unknown(ctx context.Context, req reconcile.Request, pods []corev1.Pod, known bool) (reconcile.Result, error) {
	if known {
		return reconcile.Result{RequeueAfter: r.backoff(req)}, nil
	}
	binding := &metav1.PartialObjectMetadata{}
	binding.SetGroupVersionKind(TargetGroupBindingGVK)
	api := r.API
	if api == nil {
		api = r.Kube
	}
	err := api.Get(ctx, client.ObjectKey{Namespace: req.Namespace, Name: req.Name}, binding)
	switch {
	case err == nil:
		r.forget(req)
		return reconcile.Result{}, nil // the TargetGroupBinding controller's gate
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
	default:
		return reconcile.Result{}, err
	}
	if r.Complete != nil {
		done, err := r.Complete(ctx)
		if err != nil {
			return reconcile.Result{}, err
		}
		if !done {
			return reconcile.Result{RequeueAfter: PollMax}, nil
		}
	}
	for i := range pods {
		c := corev1.PodCondition{Status: corev1.ConditionTrue, Reason: ReasonGateUnknown,
			Message: "lbsg knows no target group or TargetGroupBinding " + req.Name + " in this namespace; the gate is opened so the pod is not held back"}
		if err := r.setCondition(ctx, &pods[i], webhook.GateType(req.Name), c); err != nil {
			return reconcile.Result{}, err
		}
	}
	logf.FromContext(ctx).Info("opened unknown readiness gates", "gate", webhook.GatePrefix+req.Name, "pods", len(pods))
	r.forget(req)
	return reconcile.Result{}, nil
}

// setCondition writes c as pod's condition t unless it already says so
// (LBC's patch: a strategic merge of the one condition, the pod's UID as
// precondition).
func (r *Reconciler) setCondition(ctx context.Context, pod *corev1.Pod, t corev1.PodConditionType, c corev1.PodCondition) error {
	old := condition(pod, t)
	if old != nil && old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
		return nil
	}
	c.Type = t
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	c.LastTransitionTime = metav1.NewTime(now())
	if old != nil && old.Status == c.Status {
		c.LastTransitionTime = old.LastTransitionTime
	}
	base := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name}}
	if old != nil {
		base.Status.Conditions = []corev1.PodCondition{*old}
	}
	next := base.DeepCopy()
	next.UID = pod.UID
	next.Status.Conditions = []corev1.PodCondition{c}
	if err := r.Kube.Status().Patch(ctx, next, client.StrategicMergeFrom(base)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("setting %s on pod %s/%s: %w", t, pod.Namespace, pod.Name, err)
	}
	return nil
}

func (r *Reconciler) backoff(req reconcile.Request) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.polls == nil {
		r.polls = map[reconcile.Request]int{}
	}
	n := r.polls[req]
	r.polls[req] = n + 1
	d := PollStart << min(n, 8)
	return min(d, PollMax)
}

func (r *Reconciler) forget(req reconcile.Request) {
	r.mu.Lock()
	delete(r.polls, req)
	r.mu.Unlock()
}

// Unready is the stacks' rule for an unready endpoint (LBC's): registered
// when its pod is live and all its containers are ready, so only readiness
// gates hold it back. pods reads the pod cache.
func Unready(ctx context.Context, pods client.Reader, ns string) func(discoveryv1.Endpoint) bool {
	return func(e discoveryv1.Endpoint) bool {
		if e.TargetRef == nil || e.TargetRef.Kind != "Pod" {
			return false
		}
		podNS := ns
		if e.TargetRef.Namespace != "" {
			podNS = e.TargetRef.Namespace
		}
		pod := &corev1.Pod{}
		if err := pods.Get(ctx, client.ObjectKey{Namespace: podNS, Name: e.TargetRef.Name}, pod); err != nil {
			return false
		}
		return pod.DeletionTimestamp == nil && (e.TargetRef.UID == "" || e.TargetRef.UID == pod.UID) && containersReady(pod)
	}
}

// SlimPod is the pod cache's transform: what the gates, the webhook and
// Unready read (metadata, readiness gates, node, IPs, conditions).
func SlimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	meta := *p.ObjectMeta.DeepCopy()
	meta.ManagedFields, meta.Annotations = nil, nil
	out := &corev1.Pod{TypeMeta: p.TypeMeta, ObjectMeta: meta,
		Spec:   corev1.PodSpec{ReadinessGates: p.Spec.ReadinessGates, NodeName: p.Spec.NodeName},
		Status: corev1.PodStatus{PodIP: p.Status.PodIP, PodIPs: p.Status.PodIPs, Conditions: p.Status.Conditions, Phase: p.Status.Phase}}
	return out, nil
}
