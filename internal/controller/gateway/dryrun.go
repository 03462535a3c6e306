package gateway

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/naming"
)

// LBC v3.6.2's dry-run annotations of a Gateway
// (pkg/gateway/constants/controller_constants.go).
const (
	// AnnotationDryRun "true" asks that nothing be created in AWS for a
	// Gateway not yet provisioned; LBC then writes its stack JSON to
	// AnnotationDryRunPlan.
	AnnotationDryRun = "gateway.k8s.aws/dry-run"
	// AnnotationDryRunPlan is LBC's output: the planned stack, in LBC's
	// model JSON. lbsg does not write it (its plan is `lbsg plan`) and
	// removes a stale one, as LBC removes it once dry-run ends.
	AnnotationDryRunPlan = "gateway.k8s.aws/dry-run-plan"
)

// DryRunMessage is the DryRun event's text.
const DryRunMessage = AnnotationDryRun + ` is "true": the Gateway's model was built and nothing is created in AWS, as in LBC; ` +
	`lbsg does not write LBC's ` + AnnotationDryRunPlan + ` annotation (run "lbsg plan" for the plan)`

// DryRun: the Gateway asks for a dry run and is not provisioned yet (no
// finalizer of b's kind). LBC ignores the annotation on a provisioned
// Gateway, and so does lbsg.
func (b Builder) DryRun(gw *gwv1.Gateway) bool {
	return gw.Annotations[AnnotationDryRun] == "true" && !controllerutil.ContainsFinalizer(gw, b.Finalizer())
}

// holdDryRun is the dry run of a Gateway whose stack built: no AWS write,
// nothing registered, a Warning that LBC's plan annotation is not written.
func (r *Reconciler) holdDryRun(ctx context.Context, gw *gwv1.Gateway, stack naming.Stack) error {
	r.Deploy.Forget(stack)
	if err := r.dropDryRunPlan(ctx, gw); err != nil {
		return err
	}
	logf.FromContext(ctx).Info("dry run: nothing applied", "gateway", client.ObjectKeyFromObject(gw))
	r.Events.Warn(gw, events.ReasonDryRun, events.ActionReconcile, DryRunMessage)
	return nil
}

// dropDryRunPlan removes LBC's dry-run plan annotation (none: no call).
func (r *Reconciler) dropDryRunPlan(ctx context.Context, gw *gwv1.Gateway) error {
	if _, ok := gw.Annotations[AnnotationDryRunPlan]; !ok {
		return nil
	}
	base := gw.DeepCopy()
	delete(gw.Annotations, AnnotationDryRunPlan)
	return r.Kube.Patch(ctx, gw, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
}
