package gateway

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// ClassControllerName is the GatewayClass reconciler's name.
const ClassControllerName = "gatewayclass"

// ClassReconciler sets the Accepted condition of the GatewayClasses of
// the controllers that run (NLB classes with NLB set, ALB classes with ALB
// set) and keeps LBC's finalizer on them while Gateways name them.
type ClassReconciler struct {
	Kube   client.Client
	Events *events.Recorder
	// NLB: answer for gateway.k8s.aws/nlb classes (gate NLBGatewayAPI).
	NLB bool
	// ALB: answer for gateway.k8s.aws/alb classes (gate ALBGatewayAPI).
	ALB bool
}

// SetupWithManager registers the controller.
func (r *ClassReconciler) SetupWithManager(mgr ctrl.Manager) error {
	cfg := &unstructured.Unstructured{}
	cfg.SetGroupVersionKind(lbConfigGVK)
	tgc := &unstructured.Unstructured{}
	tgc.SetGroupVersionKind(tgConfigGVK.GroupVersion().WithKind(gwconfig.KindTargetGroupConfiguration))
	return ctrl.NewControllerManagedBy(mgr).Named(ClassControllerName).
		For(&gwv1.GatewayClass{}).
		Watches(cfg, handler.EnqueueRequestsFromMapFunc(r.allClasses)).
		Watches(tgc, handler.EnqueueRequestsFromMapFunc(r.allClasses)).
		Watches(&gwv1.Gateway{}, handler.EnqueueRequestsFromMapFunc(r.deletingClass)).
		Complete(r)
}

func (r *ClassReconciler) allClasses(ctx context.Context, _ client.Object) []reconcile.Request {
	var list gwv1.GatewayClassList
	if err := r.Kube.List(ctx, &list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, c := range list.Items {
		if r.serves(string(c.Spec.ControllerName)) && c.Spec.ParametersRef != nil {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: c.Name}})
		}
	}
	return out
}

// Reconcile sets Accepted: True, or False with InvalidParameters when the
// parametersRef does not name a usable LoadBalancerConfiguration.
func (r *ClassReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	c := &gwv1.GatewayClass{}
	if err := r.Kube.Get(ctx, req.NamespacedName, c); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	cond := metav1.Condition{Type: string(gwv1.GatewayClassConditionStatusAccepted), Status: metav1.ConditionTrue,
		Reason: string(gwv1.GatewayClassReasonAccepted), Message: "GatewayClass is accepted", ObservedGeneration: c.Generation}
	if !r.serves(string(c.Spec.ControllerName)) {
		return reconcile.Result{}, nil
	}
	if !c.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, c)
	}
	if err := r.addFinalizer(ctx, c); err != nil {
		return conflictRequeue(err)
	}
	if msg, err := r.checkParameters(ctx, c); err != nil {
		return reconcile.Result{}, err
	} else if msg != "" {
		cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, string(gwv1.GatewayClassReasonInvalidParameters), msg
		r.Events.Warn(c, events.ReasonUnsupportedConfiguration, events.ActionReconcile, msg)
	}
	return r.setAccepted(ctx, c, cond)
}

// serves reports whether the reconciler answers classes of controller.
func (r *ClassReconciler) serves(controller string) bool {
	return r.NLB && controller == gwattach.ControllerNLB || r.ALB && controller == gwattach.ControllerALB
}

// setAccepted writes the class's Accepted condition when it changed.
func (r *ClassReconciler) setAccepted(ctx context.Context, c *gwv1.GatewayClass, cond metav1.Condition) (reconcile.Result, error) {
	st := c.Status.DeepCopy()
	meta.SetStatusCondition(&st.Conditions, cond)
	if equality.Semantic.DeepEqual(st, &c.Status) {
		return reconcile.Result{}, nil
	}
	base := c.DeepCopy()
	c.Status = *st
	err := r.Kube.Status().Patch(ctx, c, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsNotFound(err) {
		return reconcile.Result{}, nil
	}
	return reconcile.Result{}, err
}

// checkParameters returns why the class's parametersRef is unusable ("":
// none or usable).
func (r *ClassReconciler) checkParameters(ctx context.Context, c *gwv1.GatewayClass) (string, error) {
	p := c.Spec.ParametersRef
	if p == nil {
		return "", nil
	}
	if string(p.Group) != gwconfig.Group || string(p.Kind) != gwconfig.KindLoadBalancerConfiguration {
		return fmt.Sprintf("parametersRef must name a %s.%s, not %s.%s", gwconfig.KindLoadBalancerConfiguration, gwconfig.Group, p.Kind, p.Group), nil
	}
	if p.Namespace == nil {
		return "parametersRef must name the LoadBalancerConfiguration's namespace", nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(lbConfigGVK)
	if err := r.Kube.Get(ctx, types.NamespacedName{Namespace: string(*p.Namespace), Name: p.Name}, u); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return fmt.Sprintf("LoadBalancerConfiguration %s/%s not found", *p.Namespace, p.Name), nil
		}
		return "", err
	}
	cfg, perr := gwconfig.ParseLoadBalancerConfiguration(u.Object)
	if perr != nil {
		return perr.Error(), nil //nolint:nilerr // the configuration's fault is the class's condition, not a reconcile error
	}
	// LBC accepts the class only when its default TargetGroupConfiguration
	// resolves too.
	_, why, _, err := readDefaultTargetGroup(ctx, r.Kube, cfg)
	return why, err
}
