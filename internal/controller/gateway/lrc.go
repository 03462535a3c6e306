package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/secrets"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/model"
)

var lrConfigGVK = schema.GroupVersionKind{Group: gwconfig.Group, Version: gwconfig.Version, Kind: gwconfig.KindListenerRuleConfiguration}

// isRuleConfigRef: the ExtensionRef names a ListenerRuleConfiguration
// (group gateway.k8s.aws), the one extension LBC builds.
func isRuleConfigRef(ref *gwv1.LocalObjectReference) bool {
	return ref != nil && string(ref.Group) == gwconfig.Group && string(ref.Kind) == gwconfig.KindListenerRuleConfiguration
}

// ruleConfigNames are, per rule of an HTTPRoute or a GRPCRoute, the names
// of the ListenerRuleConfigurations its ExtensionRef filters name.
func ruleConfigNames(obj client.Object) [][]string {
	var out [][]string
	switch o := obj.(type) {
	case *gwv1.HTTPRoute:
		for _, r := range o.Spec.Rules {
			var names []string
			for _, f := range r.Filters {
				if f.Type == gwv1.HTTPRouteFilterExtensionRef && isRuleConfigRef(f.ExtensionRef) {
					names = append(names, string(f.ExtensionRef.Name))
				}
			}
			out = append(out, names)
		}
	case *gwv1.GRPCRoute:
		for _, r := range o.Spec.Rules {
			var names []string
			for _, f := range r.Filters {
				if f.Type == gwv1.GRPCRouteFilterExtensionRef && isRuleConfigRef(f.ExtensionRef) {
					names = append(names, string(f.ExtensionRef.Name))
				}
			}
			out = append(out, names)
		}
	}
	return out
}

// ruleConfigError is why a route's ListenerRuleConfiguration cannot be
// applied: the route is refused (Accepted False, IncompatibleFilters, as
// LBC reports it).
type ruleConfigError struct{ message string }

func (e *ruleConfigError) Error() string { return e.message }

// ruleConfigs resolves the ListenerRuleConfigurations of the routes in
// that name gw in their spec and are not refused already: per route key,
// per rule, the configuration with its OIDC credentials (nil: none). A
// route whose configuration is missing, invalid, names a Secret that is
// missing or incomplete, or does not fit its rule is refused
// (IncompatibleFilters) and gets no configuration. It returns the Secrets
// the configurations name (to be watched, missing ones too).
func (b Builder) ruleConfigs(ctx context.Context, in *inputs) ([]types.NamespacedName, error) {
	in.ruleConfigs = map[string][]*model.GatewayRuleConfig{}
	var keys []types.NamespacedName
	cache := map[types.NamespacedName]*gwconfig.ListenerRuleConfiguration{}
	for _, rt := range in.attach.Routes {
		if rt.Refusal != nil || !namesScopeInSpec(rt, in.scope) {
			continue
		}
		obj := in.routeObjs[rt.Key()]
		names := ruleConfigNames(obj)
		var per []*model.GatewayRuleConfig
		var why []string
		for i, ns := range names {
			rule := fmt.Sprintf("rule %d", i)
			if len(ns) == 0 {
				per = append(per, nil)
				continue
			}
			if len(ns) > 1 {
				why = append(why, rule+": Only one listener rule config can be referenced per route rule, found multiple")
				per = append(per, nil)
				continue
			}
			key := types.NamespacedName{Namespace: rt.Namespace, Name: ns[0]}
			cfg, ok := cache[key]
			if !ok {
				var err error
				if cfg, err = b.readRuleConfig(ctx, key); err != nil {
					var bad *ruleConfigError
					if !errors.As(err, &bad) {
						return nil, err
					}
					why = append(why, rule+": "+bad.message)
					per = append(per, nil)
					continue
				}
				cache[key] = cfg
			}
			mc := &model.GatewayRuleConfig{Namespace: cfg.Namespace, Name: cfg.Name, Spec: cfg.Spec}
			if msg := ruleFit(obj, i, cfg); msg != "" {
				why = append(why, rule+": "+msg)
				per = append(per, nil)
				continue
			}
			if name := cfg.Spec.OIDCSecret(); name != "" {
				sk := types.NamespacedName{Namespace: cfg.Namespace, Name: name}
				keys = append(keys, sk)
				id, secret, err := b.oidcCredentials(ctx, sk)
				if err != nil {
					var bad *ruleConfigError
					if !errors.As(err, &bad) {
						return nil, err
					}
					why = append(why, fmt.Sprintf("%s: %s %s: %s", rule, gwconfig.KindListenerRuleConfiguration, key, bad.message))
					per = append(per, nil)
					continue
				}
				mc.OIDCClientID, mc.OIDCClientSecret = id, secret
			}
			per = append(per, mc)
		}
		if len(why) > 0 {
			slices.Sort(why)
			rt.Refusal = &gwattach.Refusal{Reason: gwv1.RouteReasonIncompatibleFilters,
				Message: strings.Join(slices.Compact(why), ", ") + ": the route is not applied"}
			continue
		}
		in.ruleConfigs[rt.Key()] = per
	}
	slices.SortFunc(keys, func(a, b types.NamespacedName) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(keys), nil
}

// readRuleConfig reads and parses one ListenerRuleConfiguration; a
// missing, unsupported or invalid one is a *ruleConfigError.
func (b Builder) readRuleConfig(ctx context.Context, key types.NamespacedName) (*gwconfig.ListenerRuleConfiguration, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(lrConfigGVK)
	if err := b.Kube.Get(ctx, key, u); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			return nil, &ruleConfigError{message: fmt.Sprintf("%s %s not found", gwconfig.KindListenerRuleConfiguration, key)}
		}
		return nil, err
	}
	cfg, err := gwconfig.ParseListenerRuleConfiguration(u.Object)
	if err != nil {
		return nil, &ruleConfigError{message: err.Error()}
	}
	return cfg, nil
}

// oidcCredentials reads the client ID and secret of an authenticate-oidc
// action from its Secret, through the Secrets watcher.
func (b Builder) oidcCredentials(ctx context.Context, key types.NamespacedName) (string, string, error) {
	if b.Secrets == nil {
		return "", "", &ruleConfigError{message: fmt.Sprintf("secret %s cannot be read: this controller reads no Secrets", key)}
	}
	sec, err := b.Secrets.Get(ctx, key)
	var labelErr *secrets.LabelError
	switch {
	case errors.As(err, &labelErr):
		return "", "", &ruleConfigError{message: err.Error()}
	case apierrors.IsForbidden(err):
		return "", "", &ruleConfigError{message: fmt.Sprintf("secret %s cannot be read: %v", key, err)}
	case err != nil:
		return "", "", err
	case sec == nil:
		return "", "", &ruleConfigError{message: fmt.Sprintf("secret %s not found", key)}
	}
	id, secret, err := model.OIDCCredentials(sec, key.String())
	if err != nil {
		return "", "", &ruleConfigError{message: err.Error()}
	}
	return id, secret, nil
}

// ruleFit says why the configuration does not fit rule i of the route
// ("": it does): a redirectConfig needs the HTTPRoute rule's
// RequestRedirect filter (LBC's error) and is never built on a GRPCRoute;
// a forwardConfig's stickiness would be dropped on a rule that redirects.
func ruleFit(obj client.Object, i int, cfg *gwconfig.ListenerRuleConfiguration) string {
	a := cfg.Spec.Routing()
	if a == nil {
		return ""
	}
	name := types.NamespacedName{Namespace: cfg.Namespace, Name: cfg.Name}
	switch o := obj.(type) {
	case *gwv1.GRPCRoute:
		if a.Type == gwconfig.RuleActionRedirect {
			return fmt.Sprintf("%s %s: a redirect action on a GRPCRoute rule (LBC builds none)", gwconfig.KindListenerRuleConfiguration, name)
		}
	case *gwv1.HTTPRoute:
		redirects := slices.ContainsFunc(o.Spec.Rules[i].Filters, func(f gwv1.HTTPRouteFilter) bool {
			return f.Type == gwv1.HTTPRouteFilterRequestRedirect
		})
		if a.Type == gwconfig.RuleActionRedirect && !redirects {
			return fmt.Sprintf("%s %s: HTTPRouteFilterRequestRedirect must be provided if RedirectActionConfig in ListenerRuleConfiguration is provided", gwconfig.KindListenerRuleConfiguration, name)
		}
		if a.Type == gwconfig.RuleActionForward && redirects {
			return fmt.Sprintf("%s %s: forwardConfig on a rule that redirects (its stickiness would be dropped)", gwconfig.KindListenerRuleConfiguration, name)
		}
	}
	return ""
}

// refuseUnauthenticated refuses each route whose ListenerRuleConfiguration
// authenticates (or validates JWTs) and that attached to an HTTP listener:
// LBC builds its rules there without the pre-routing action, serving them
// unauthenticated. It reports whether it refused any (Attach must run
// again).
func refuseUnauthenticated(in *inputs, att gwattach.Result) bool {
	refused := false
	for _, l := range att.Listeners {
		if !l.Valid || l.Spec.Protocol != gwv1.HTTPProtocolType {
			continue
		}
		for _, lr := range l.Routes {
			for _, rt := range in.attach.Routes {
				if rt.Key() != lr.Key() || rt.Refusal != nil {
					continue
				}
				var why []string
				for i, c := range in.ruleConfigs[rt.Key()] {
					if c == nil {
						continue
					}
					if a := c.Spec.PreRouting(); a != nil {
						why = append(why, fmt.Sprintf("rule %d: %s %s/%s: %s needs an HTTPS listener; on listener %s (HTTP:%d) the rule would be served without it (LBC drops it)",
							i, gwconfig.KindListenerRuleConfiguration, c.Namespace, c.Name, a.Type, l.Spec.Name, l.Spec.Port))
					}
				}
				if len(why) > 0 {
					rt.Refusal = &gwattach.Refusal{Reason: gwv1.RouteReasonIncompatibleFilters,
						Message: strings.Join(why, ", ") + ": the route is not applied"}
					delete(in.ruleConfigs, rt.Key())
					refused = true
				}
			}
		}
	}
	return refused
}

// ruleConfigGateways are the Gateways of the routes (in its namespace)
// naming the ListenerRuleConfiguration.
func (r *Reconciler) ruleConfigGateways(ctx context.Context, o client.Object) []reconcile.Request {
	return r.parentsOfRoutes(ctx, ruleConfigKey(client.ObjectKeyFromObject(o)), func(rt *gwattach.Route, obj client.Object) bool {
		return rt.Namespace == o.GetNamespace() && slices.ContainsFunc(ruleConfigNames(obj),
			func(ns []string) bool { return slices.Contains(ns, o.GetName()) })
	})
}
