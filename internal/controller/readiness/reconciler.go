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

// Bindings resolves a gate named after a TargetGroupBinding of the pod's
// namespace (the TargetGroupBinding controller, internal/controller/tgb).
type Bindings interface {
	BindingGate(ctx context.Context, ns, name string) (BindingGate, error)
}

// BindingGate is what the gate of binding ns/name needs.
type BindingGate struct {
	// Found: the binding exists. A binding found with no ARN, not IP and
	// not Deleted is left alone: an instance binding (LBC sets no
	// condition for those), LBC's binding of one of its own stacks (the
	// Index knows the gate once the stack is applied), or a target group
	// not yet resolved (polled again).
	Found bool
	// IP: the binding has ip targets.
	IP bool
	// Deleted is the condition message when the binding is being deleted:
	// its gates are opened (LBC's rule).
	Deleted string
	// ARN of the target group and the reader of its targets' health
	// (through the binding's assumed role, if any); "" until resolved.
	ARN    string
	Health TargetHealthReader
}

// Reconciler sets the target-health conditions of lbsg's gates.
type Reconciler struct {
	Kube client.Client
	// API reads TargetGroupBindings uncached (nil: Kube).
	API   client.Reader
	AWS   TargetHealthReader
	Index *Index
	// Bindings resolves the gates of TargetGroupBindings (nil: the
	// TargetGroupBinding CRD is not served).
	Bindings Bindings
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
	became := old == nil || ContainersReady(old) != ContainersReady(pod) || old.Status.PodIP != pod.Status.PodIP
	if !became && slices.Equal(ClosedGates(old), closed) {
		// Nothing a poll depends on changed (e.g. lbsg's own condition
		// patch): a pending gate is already requeued with its backoff.
		return
	}
	for _, name := range closed {
		q.Add(gateRequest(pod.Namespace, name))
	}
	if len(closed) == 0 || r.EnqueueStack == nil || !ContainersReady(pod) || pod.Status.PodIP == "" || !became {
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

// ContainersReady reports whether pod's ContainersReady condition is True.
func ContainersReady(pod *corev1.Pod) bool {
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
	arn, reader := "", TargetHealthReader(r.AWS)
	g, ok := r.Index.Group(req.Namespace, req.Name)
	switch {
	case ok && g.ARN == "":
		return reconcile.Result{RequeueAfter: r.backoff(req)}, nil // the group is being made
	case ok:
		arn = g.ARN
	default:
		bg, err := r.binding(ctx, req)
		switch {
		case err != nil:
			return reconcile.Result{}, err
		case !bg.Found:
			return r.unknown(ctx, req, pods)
		case bg.Deleted != "":
			return reconcile.Result{}, r.open(ctx, req, pods, "", bg.Deleted)
		case bg.IP && bg.ARN == "":
			return reconcile.Result{RequeueAfter: r.backoff(req)}, nil // the binding's target group not resolved yet
		case bg.ARN == "":
			r.forget(req)
			return reconcile.Result{}, nil
		}
		arn, reader = bg.ARN, bg.Health
	}
	// Only a pod with an IP and ready containers can have a healthy
	// target; the others are enqueued again when they change (pod watch),
	// so a pod stuck Pending costs no polling.
	live := pods[:0]
	for _, p := range pods {
		if p.Status.PodIP != "" && ContainersReady(&p) {
			live = append(live, p)
		}
	}
	if pods = live; len(pods) == 0 {
		r.forget(req)
		return reconcile.Result{}, nil
	}
	targets, err := reader.TargetHealth(ctx, arn)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("reading the target health of %s: %w", arn, err)
	}
	pending, err := r.setHealth(ctx, req, pods, targets)
	if err != nil {
		return reconcile.Result{}, err
	}
	if pending == 0 {
		log.V(1).Info("gate open on every pod", "pods", len(pods))
		r.forget(req)
		return reconcile.Result{}, nil
	}
	return reconcile.Result{RequeueAfter: r.backoff(req)}, nil
}

// setHealth sets the gate req of each pod from its target's health (True
// when healthy, False with AWS's reason otherwise) and returns how many
// are not True.
func (r *Reconciler) setHealth(ctx context.Context, req reconcile.Request, pods []corev1.Pod, targets []cloudelbv2.TargetHealth) (int, error) {
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
			c = corev1.PodCondition{Status: corev1.ConditionFalse, Reason: ReasonNotRegistered, Message: "the pod's IP is not a target of " + req.Name}
		}
		if c.Status != corev1.ConditionTrue {
			pending++
		}
		if err := r.setCondition(ctx, p, webhook.GateType(req.Name), c); err != nil {
			return 0, err
		}
	}
	return pending, nil
}

// binding resolves a gate the Index does not know through Bindings; with
// no Bindings (the CRD not served), a binding of that name is only probed.
func (r *Reconciler) binding(ctx context.Context, req reconcile.Request) (BindingGate, error) {
	if r.Bindings != nil {
		return r.Bindings.BindingGate(ctx, req.Namespace, req.Name)
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
		return BindingGate{Found: true}, nil
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return BindingGate{}, nil
	default:
		return BindingGate{}, err
	}
}

// EnqueueGate makes the gate (ns, name) be looked at now (a binding just
// registered targets).
func (r *Reconciler) EnqueueGate(ns, name string) {
	if r.queue == nil {
		return
	}
	select {
	case r.queue <- event.TypedGenericEvent[reconcile.Request]{Object: gateRequest(ns, name)}:
	default: // full: the requeues catch up
	}
}

// OpenGates sets the gate (ns, name) True on every pod of ns whose gate is
// not yet (LBC, for the pods of a binding it deletes: reason empty, its
// message).
func (r *Reconciler) OpenGates(ctx context.Context, ns, name, message string) error {
	req := gateRequest(ns, name)
	pods, err := r.waiting(ctx, req)
	if err != nil {
		return err
	}
	return r.open(ctx, req, pods, "", message)
}

func (r *Reconciler) open(ctx context.Context, req reconcile.Request, pods []corev1.Pod, reason, message string) error {
	for i := range pods {
		c := corev1.PodCondition{Status: corev1.ConditionTrue, Reason: reason, Message: message}
		if err := r.setCondition(ctx, &pods[i], webhook.GateType(req.Name), c); err != nil {
			return err
		}
	}
	if len(pods) > 0 {
		logf.FromContext(ctx).Info("opened readiness gates", "gate", webhook.GatePrefix+req.Name, "pods", len(pods), "reason", reason)
	}
	r.forget(req)
	return nil
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

// unknown handles a gate of no published group and no binding: before
// every stack has reported it waits; then the gate is opened.
func (r *Reconciler) unknown(ctx context.Context, req reconcile.Request, pods []corev1.Pod) (reconcile.Result, error) {
	if r.Complete != nil {
		done, err := r.Complete(ctx)
		if err != nil {
			return reconcile.Result{}, err
		}
		if !done {
			return reconcile.Result{RequeueAfter: PollMax}, nil
		}
	}
	return reconcile.Result{}, r.open(ctx, req, pods, ReasonGateUnknown,
		"lbsg knows no target group or TargetGroupBinding "+req.Name+" in this namespace; the gate is opened so the pod is not held back")
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
		return pod.DeletionTimestamp == nil && (e.TargetRef.UID == "" || e.TargetRef.UID == pod.UID) && ContainersReady(pod)
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
