package cli

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// ruleConfigSecretKeys are the OIDC Secrets the ListenerRuleConfigurations
// among objs name.
func ruleConfigSecretKeys(objs []client.Object) []client.ObjectKey {
	var out []client.ObjectKey
	for _, o := range objs {
		u, ok := o.(*unstructured.Unstructured)
		if !ok || u.GetKind() != gwconfig.KindListenerRuleConfiguration {
			continue
		}
		cfg, err := gwconfig.ParseListenerRuleConfiguration(u.Object)
		if err != nil || cfg.Spec.OIDCSecret() == "" {
			continue
		}
		out = append(out, client.ObjectKey{Namespace: u.GetNamespace(), Name: cfg.Spec.OIDCSecret()})
	}
	return out
}

// gatewayObjects lists the cluster's Gateway API objects and LBC's
// gateway.k8s.aws configurations, what the Gateway reconcilers read (only
// GatewayClasses with classesOnly). A kind whose CRD is not installed has
// no objects.
func gatewayObjects(ctx context.Context, kube client.Reader, classesOnly bool) ([]client.Object, error) {
	lists := []client.ObjectList{&gwv1.GatewayClassList{}}
	if !classesOnly {
		lists = append(lists, &gwv1.GatewayList{}, &gwv1.HTTPRouteList{}, &gwv1.GRPCRouteList{}, &gwv1.TCPRouteList{},
			&gwv1.UDPRouteList{}, &gwv1.TLSRouteList{}, &gwv1.ReferenceGrantList{}, &gwv1.ListenerSetList{})
		for _, kind := range []string{gwconfig.KindLoadBalancerConfiguration, gwconfig.KindTargetGroupConfiguration, gwconfig.KindListenerRuleConfiguration} {
			u := &unstructured.UnstructuredList{}
			u.SetGroupVersionKind(schema.GroupVersionKind{Group: gwconfig.Group, Version: gwconfig.Version, Kind: kind + "List"})
			lists = append(lists, u)
		}
	}
	var out []client.Object
	for _, l := range lists {
		if err := kube.List(ctx, l); err != nil {
			if noCRD(err) {
				continue
			}
			return nil, fmt.Errorf("listing %s: %w", strings.TrimPrefix(fmt.Sprintf("%T", l), "*"), err)
		}
		items, err := meta.ExtractList(l)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if o, ok := it.(client.Object); ok {
				out = append(out, o)
			}
		}
	}
	return out, nil
}
