package deploy

import (
	"context"
	"fmt"
	"maps"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/model"
)

// watched is what the drift check re-reads for desired (registry.Watched):
// its add-ons, the load balancer's attributes, and the attributes of each
// target group whose ARN tgARNs (by resource ID) knows. A target group
// whose only attribute is the proxy protocol off that lbsg gives every NLB
// target group unasked is not watched: no manifest set it, and a plain
// Service would otherwise cost a DescribeTargetGroupAttributes per target
// group at every check. The frontend NLB and listeners are not watched.
func watched(desired model.Stack, tgARNs map[string]string) registry.Watched {
	w := registry.Watched{Addons: desired.Addons}
	if desired.LoadBalancer == nil {
		return registry.Watched{}
	}
	if len(desired.LoadBalancer.Attributes) > 0 {
		w.LoadBalancerAttributes = maps.Clone(desired.LoadBalancer.Attributes)
	}
	for _, tg := range desired.TargetGroups {
		arn := tgARNs[tg.ResourceID]
		if arn == "" || len(tg.Attributes) == 0 || onlyImplicitTGAttributes(tg.Attributes) {
			continue
		}
		if w.TargetGroupAttributes == nil {
			w.TargetGroupAttributes = map[string]map[string]string{}
		}
		w.TargetGroupAttributes[arn] = maps.Clone(tg.Attributes)
	}
	return w
}

// onlyImplicitTGAttributes: attrs is the proxy protocol off and nothing
// else (model.tgAttributes' starting point).
func onlyImplicitTGAttributes(attrs map[string]string) bool {
	v, ok := attrs[model.AttrProxyProtocolV2]
	return len(attrs) == 1 && ok && v == "false"
}

// AddonsDiffer re-reads (state.Provider.Reread…) the add-ons a asks of
// the load balancer lbARN and reports whether applying a would change any
// (applyAddons' decisions): a web ACL other than the one asked for, a
// protection missing or one of the controller's that is asked against.
// Add-ons a leaves nil, and disabled ones, are not read. The Shield
// subscription comes from the cache (RereadShieldSubscribed refreshes it);
// without one no protection is read, as applyShield writes none.
func AddonsDiffer(ctx context.Context, aws *state.Provider, lbARN string, a model.Addons) (bool, error) {
	if lbARN == "" || a.IsZero() {
		return false, nil
	}
	if a.WAFv2 != nil && aws.WAFv2Enabled() {
		cur, err := aws.RereadWAFv2Association(ctx, lbARN)
		if err != nil {
			return false, fmt.Errorf("reading WAFv2 webACL association on LoadBalancer: %w", err)
		}
		if wafv2Differs(*a.WAFv2, cur) {
			return true, nil
		}
	}
	if a.WAFRegional != nil && aws.WAFRegionalEnabled() {
		cur, err := aws.RereadWAFRegionalAssociation(ctx, lbARN)
		if err != nil {
			return false, fmt.Errorf("reading WAFClassic webACL association on LoadBalancer: %w", err)
		}
		if *a.WAFRegional != cur {
			return true, nil
		}
	}
	if a.Shield == nil || !aws.ShieldEnabled() {
		return false, nil
	}
	subscribed, err := aws.ShieldSubscribed(ctx)
	if err != nil || !subscribed {
		return false, err
	}
	pr, err := aws.RereadShieldProtection(ctx, lbARN)
	if err != nil {
		return false, fmt.Errorf("reading shield protection on LoadBalancer: %w", err)
	}
	create, del := shieldChange(*a.Shield, pr)
	return create || del, nil
}
