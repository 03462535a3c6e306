package deploy

import (
	"context"
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
// (addonSteps, applyAddons' decisions). Add-ons a leaves nil, and disabled
// ones, are not read. The Shield subscription comes from the cache
// (RereadShieldSubscribed refreshes it); without one no protection is
// read, as applyAddons writes none.
func AddonsDiffer(ctx context.Context, aws *state.Provider, lbARN string, a model.Addons) (bool, error) {
	if lbARN == "" || a.IsZero() {
		return false, nil
	}
	steps, err := addonSteps(ctx, aws, freshReads(aws), lbARN, a)
	return len(steps) > 0, err
}
