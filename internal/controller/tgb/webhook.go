package tgb

import (
	"context"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
)

// ValidationFacts reads what targetgroupbinding.Validate needs to judge b
// at admission: its target group (by ARN, else by name, through the
// binding's role; read fresh, not from the controller's cache) and the
// cluster's bindings. A read failure is in Facts.TargetGroupErr, for
// Validate to report as LBC's webhook does.
func (r *Reconciler) ValidationFacts(ctx context.Context, b *v1beta1.TargetGroupBinding) (targetgroupbinding.Facts, error) {
	f := targetgroupbinding.Facts{ClusterVPC: r.AWS.VPCID()}
	var list v1beta1.TargetGroupBindingList
	if err := r.Kube.List(ctx, &list); err != nil {
		return f, err
	}
	f.Bindings = list.Items
	f.TargetGroup, f.TargetGroupErr = r.readTargetGroup(ctx, b)
	return f, nil
}

// Default is LBC's mutating webhook for a new binding: it reads the target
// group and fills in what the spec leaves out (targetgroupbinding.Default).
func (r *Reconciler) Default(ctx context.Context, b *v1beta1.TargetGroupBinding) error {
	tg, err := r.readTargetGroup(ctx, b)
	if err != nil {
		return err
	}
	if tg == nil {
		ref := b.Spec.TargetGroupARN
		if ref == "" {
			ref = b.Spec.TargetGroupName
		}
		return &targetgroupbinding.Problem{Reason: targetgroupbinding.ReasonTargetGroupNotFound,
			Message: "expecting a single targetGroup with query [" + ref + "] but got 0"}
	}
	return targetgroupbinding.Default(b, *tg)
}

func (r *Reconciler) readTargetGroup(ctx context.Context, b *v1beta1.TargetGroupBinding) (*targetgroupbinding.TargetGroup, error) {
	api, err := r.api(b)
	if err != nil {
		return nil, err
	}
	var tg *cloudelbv2.TargetGroup
	switch {
	case b.Spec.TargetGroupARN != "":
		tg, err = api.TargetGroupByARN(ctx, b.Spec.TargetGroupARN)
	case b.Spec.TargetGroupName != "":
		tg, err = api.TargetGroupNamed(ctx, b.Spec.TargetGroupName)
	}
	if err != nil {
		return nil, err
	}
	return targetgroupbinding.FromCloud(tg), nil
}
