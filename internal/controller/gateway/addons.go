package gateway

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/model"
)

// Add-on bookkeeping, as LBC's gateway controller keeps it: the Gateway's
// gateway.k8s.aws.addon.<name> annotations record which add-ons (WAFv2,
// Shield, ProvisionedCapacity) were applied. An add-on turned on is
// recorded ("true") before the stack is applied, so a failed apply never
// leaves one unrecorded; one turned off is recorded ("false") only after
// the apply removed it, so a failed removal is tried again. The model
// removes a recorded add-on the configuration no longer asks for and
// leaves an unrecorded one alone (a web ACL associated by someone else).

// addonChanges are the add-ons desired turns on that gw does not record
// as enabled (on), and those it records that desired no longer turns on
// (off), among the add-ons of r's load balancer type; sorted.
func (r *Reconciler) addonChanges(gw *gwv1.Gateway, desired model.Stack) (on, off []string) {
	active := model.ActiveGatewayAddons(gw.Annotations)
	enabled := model.EnabledGatewayAddons(desired)
	for _, a := range model.GatewayAddons(r.ALB) {
		switch {
		case enabled[a] && !active[a]:
			on = append(on, a)
		case active[a] && !enabled[a]:
			off = append(off, a)
		}
	}
	return on, off
}

// recordAddons sets the annotations of addons to enabled, in one patch
// (none when there is nothing to record).
func (r *Reconciler) recordAddons(ctx context.Context, gw *gwv1.Gateway, addons []string, enabled bool) error {
	if len(addons) == 0 {
		return nil
	}
	base := gw.DeepCopy()
	ann := maps.Clone(gw.Annotations)
	if ann == nil {
		ann = map[string]string{}
	}
	for _, a := range slices.Sorted(slices.Values(addons)) {
		ann[model.GatewayAddonAnnotation(a)] = strconv.FormatBool(enabled)
	}
	gw.Annotations = ann
	return r.Kube.Patch(ctx, gw, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
}

// warnShieldless warns on a Gateway whose ALB asks for Shield Advanced
// protection the account cannot give (no active subscription), as lbsg
// does for Ingresses; the state read is the cached one of the apply.
func (r *Reconciler) warnShieldless(ctx context.Context, gw *gwv1.Gateway, desired model.Stack) {
	if r.Deploy.ShieldUnavailable(ctx, desired) {
		r.Events.Warn(gw, events.ReasonShieldNotSubscribed, events.ActionReconcile,
			"the load balancer is not protected by Shield Advanced: shieldConfiguration asks for it and the account has no active AWS Shield Advanced subscription")
	}
}

// l7Refusal refuses, on an NLB Gateway, a configuration (merged) using
// fields that apply to ALBs only (LBC drops them there without a word):
// like a field lbsg does not implement, it holds the Gateway.
func (b Builder) l7Refusal(cfg *gwconfig.LoadBalancerConfiguration) *Refused {
	if b.ALB || cfg == nil {
		return nil
	}
	s := cfg.Spec
	var bad []string
	for _, f := range []struct {
		set  bool
		path string
	}{
		{s.CustomerOwnedIpv4Pool != nil, "spec.customerOwnedIpv4Pool"},
		{s.IPv4IPAMPoolId != nil, "spec.ipv4IPAMPoolId"},
		{s.ShieldConfiguration != nil, "spec.shieldConfiguration"},
		{s.WAFv2 != nil, "spec.wafV2"},
		{s.ListenerConfigurations != nil && slices.ContainsFunc(*s.ListenerConfigurations,
			func(lc gwconfig.ListenerConfiguration) bool { return lc.MutualAuthentication != nil }),
			"spec.listenerConfigurations[].mutualAuthentication"},
	} {
		if f.set {
			bad = append(bad, f.path)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	obj := cfg.Name
	if cfg.Namespace != "" {
		obj = cfg.Namespace + "/" + cfg.Name
	}
	return &Refused{reason: gwv1.GatewayReasonInvalidParameters, event: events.ReasonUnsupportedConfiguration,
		message: fmt.Sprintf("%s %s uses fields that apply to Application Load Balancer Gateways only, not to this NLB Gateway: %s",
			gwconfig.KindLoadBalancerConfiguration, obj, strings.Join(bad, ", "))}
}
