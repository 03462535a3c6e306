package gateway

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// defaultTargetGroup reads the TargetGroupConfiguration that cfg's
// defaultTargetGroupConfiguration names (nil: none); one that is missing,
// carries a targetReference or uses a field lbsg lacks refuses the
// Gateway.
func (b Builder) defaultTargetGroup(ctx context.Context, cfg *gwconfig.LoadBalancerConfiguration) (*gwconfig.TargetGroupConfigurationSpec, error) {
	spec, why, event, err := readDefaultTargetGroup(ctx, b.Kube, cfg)
	if err != nil || why == "" {
		return spec, err
	}
	return nil, &Refused{reason: gwv1.GatewayReasonInvalidParameters, event: event, message: why}
}

// readDefaultTargetGroup reads, in cfg's namespace, the
// TargetGroupConfiguration cfg's defaultTargetGroupConfiguration names
// (nil: none). why says, with the event reason to report it under, why it
// cannot be used: missing, a targetReference (LBC: a default must not
// have one) or a field lbsg lacks.
func readDefaultTargetGroup(ctx context.Context, kube client.Reader, cfg *gwconfig.LoadBalancerConfiguration) (spec *gwconfig.TargetGroupConfigurationSpec, why, event string, err error) {
	ref := cfg.Spec.DefaultTargetGroupConfiguration
	if ref == nil {
		return nil, "", "", nil
	}
	fail := func(what string) string {
		return fmt.Sprintf("failed to resolve default TargetGroupConfiguration %q referenced by LoadBalancerConfiguration %q in namespace %q: %s",
			ref.Name, cfg.Name, cfg.Namespace, what)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(tgConfigGVK.GroupVersion().WithKind(gwconfig.KindTargetGroupConfiguration))
	if err := kube.Get(ctx, types.NamespacedName{Namespace: cfg.Namespace, Name: ref.Name}, u); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, fail("not found"), events.ReasonFailedBuildModel, nil
		}
		return nil, "", "", err
	}
	tgc, perr := gwconfig.ParseTargetGroupConfiguration(u.Object)
	if perr != nil {
		return nil, perr.Error(), events.ReasonUnsupportedConfiguration, nil //nolint:nilerr // the configuration's fault is the Gateway's condition, not a reconcile error
	}
	if tgc.Spec.TargetReference != nil {
		return nil, fail("it has targetReference set and cannot be used as a defaultTargetGroupConfiguration — a default TGC must not have targetReference"),
			events.ReasonFailedBuildModel, nil
	}
	return &tgc.Spec, "", "", nil
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
