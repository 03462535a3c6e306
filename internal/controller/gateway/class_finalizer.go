package gateway

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/naming"
)

// addFinalizer puts LBC's GatewayClass finalizer on a class lbsg serves.
// LBC adds it to every class of its controllers, used or not, so a class
// is never deleted from under its Gateways.
func (r *ClassReconciler) addFinalizer(ctx context.Context, c *gwv1.GatewayClass) error {
	if controllerutil.ContainsFinalizer(c, naming.FinalizerGatewayClass) {
		return nil
	}
	base := c.DeepCopy()
	controllerutil.AddFinalizer(c, naming.FinalizerGatewayClass)
	err := r.Kube.Patch(ctx, c, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	if err != nil && !apierrors.IsConflict(err) {
		r.Events.Warn(c, events.ReasonFailedAddFinalizer, events.ActionReconcile, "Failed add finalizer due to "+err.Error())
	}
	return err
}

// finalize removes the finalizer of a class being deleted once no Gateway
// names it (LBC's handleDelete). While Gateways do, the class stays, a
// Warning says so, and the deletion of a Gateway (deletingClass) brings
// the class back here.
func (r *ClassReconciler) finalize(ctx context.Context, c *gwv1.GatewayClass) (reconcile.Result, error) {
	if !controllerutil.ContainsFinalizer(c, naming.FinalizerGatewayClass) {
		return reconcile.Result{}, nil
	}
	var list gwv1.GatewayList
	if err := r.Kube.List(ctx, &list); err != nil {
		return reconcile.Result{}, err
	}
	users := 0
	for _, gw := range list.Items {
		if string(gw.Spec.GatewayClassName) == c.Name {
			users++
		}
	}
	if users > 0 {
		msg := fmt.Sprintf("unable to delete GatewayClass %s, as it is still referenced by %d Gateways", c.Name, users)
		logf.FromContext(ctx).Info("gatewayclass deletion waits for its gateways", "class", c.Name, "gateways", users)
		r.Events.Warn(c, events.ReasonFailedRemoveFinalizer, events.ActionDelete, msg)
		return reconcile.Result{}, nil
	}
	base := c.DeepCopy()
	controllerutil.RemoveFinalizer(c, naming.FinalizerGatewayClass)
	err := r.Kube.Patch(ctx, c, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	if apierrors.IsNotFound(err) {
		return reconcile.Result{}, nil
	}
	if err != nil && !apierrors.IsConflict(err) {
		r.Events.Warn(c, events.ReasonFailedRemoveFinalizer, events.ActionDelete, "Failed remove finalizer due to "+err.Error())
	}
	return conflictRequeue(err)
}

// deletingClass maps a Gateway to its class when that class is being
// deleted: a Gateway going away may free it.
func (r *ClassReconciler) deletingClass(ctx context.Context, o client.Object) []reconcile.Request {
	gw, ok := o.(*gwv1.Gateway)
	if !ok {
		return nil
	}
	c := &gwv1.GatewayClass{}
	key := types.NamespacedName{Name: string(gw.Spec.GatewayClassName)}
	if err := r.Kube.Get(ctx, key, c); err != nil || c.DeletionTimestamp.IsZero() {
		return nil
	}
	return []reconcile.Request{{NamespacedName: key}}
}
