package gateway

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// defaultTargetGroup reads the TargetGroupConfiguration that cfg's
// defaultTargetGroupConfiguration names, in cfg's namespace (nil: none).
// One that is missing, carries a targetReference (LBC: a default must
// not) or uses a field lbsg lacks refuses the Gateway.
func (r *Reconciler) defaultTargetGroup(ctx context.Context, cfg *gwconfig.LoadBalancerConfiguration) (*gwconfig.TargetGroupConfigurationSpec, error) {
	ref := cfg.Spec.DefaultTargetGroupConfiguration
	if ref == nil {
		return nil, nil
	}
	refusal := func(why string) error {
		return &refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonFailedBuildModel,
			message: fmt.Sprintf("failed to resolve default TargetGroupConfiguration %q referenced by LoadBalancerConfiguration %q in namespace %q: %s",
				ref.Name, cfg.Name, cfg.Namespace, why)}
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(tgConfigGVK.GroupVersion().WithKind(gwconfig.KindTargetGroupConfiguration))
	if err := r.Kube.Get(ctx, types.NamespacedName{Namespace: cfg.Namespace, Name: ref.Name}, u); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, refusal("not found")
		}
		return nil, err
	}
	tgc, err := gwconfig.ParseTargetGroupConfiguration(u.Object)
	if err != nil {
		return nil, &refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonUnsupportedConfiguration, message: err.Error()}
	}
	if tgc.Spec.TargetReference != nil {
		return nil, refusal("it has targetReference set and cannot be used as a defaultTargetGroupConfiguration — a default TGC must not have targetReference")
	}
	return &tgc.Spec, nil
}

// targetGroupProps are a backend's target-group settings on route rt, as
// LBC builds them: the Service's TargetGroupConfiguration (svc; nil: none)
// for the route, merged field by field over the Gateway's default
// TargetGroupConfiguration for the route.
func (in *inputs) targetGroupProps(svc *gwconfig.TargetGroupConfigurationSpec, rt *gwattach.Route) *gwconfig.TargetGroupProps {
	var def *gwconfig.TargetGroupConfigurationSpec
	if in.config != nil {
		def = in.config.DefaultTargetGroup
	}
	return gwconfig.MergeTargetGroupProps(svc.ForRoute(rt.Kind, rt.Namespace, rt.Name), def.ForRoute(rt.Kind, rt.Namespace, rt.Name))
}
