package gateway

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/model"
)

// httpRouteRefusal says why lbsg will not apply an HTTPRoute (nil: it
// will): a filter other than RequestRedirect, URLRewrite and an
// ExtensionRef to a ListenerRuleConfiguration (LBC refuses header
// modifiers, mirrors, CORS and external auth, and ignores other extension
// refs, which lbsg refuses), a redirect path with
// wildcards, a backendRef filter, rule timeouts, retries or session
// persistence, a RegularExpression query match, a PathPrefix with
// wildcards. It says so rather than serve the route without them.
func httpRouteRefusal(rt *gwv1.HTTPRoute) *gwattach.Refusal {
	var why []string
	for i, r := range rt.Spec.Rules {
		rule := fmt.Sprintf("rule %d", i)
		if r.Name != nil {
			rule = fmt.Sprintf("rule %d (%s)", i, *r.Name)
		}
		for _, f := range r.Filters {
			switch {
			case f.Type == gwv1.HTTPRouteFilterRequestRedirect && f.RequestRedirect != nil:
				if p := f.RequestRedirect.Path; p != nil && p.ReplaceFullPath != nil && strings.ContainsAny(*p.ReplaceFullPath, "*?") {
					why = append(why, rule+": RequestRedirect replaceFullPath with wildcards")
				}
				if p := f.RequestRedirect.Path; p != nil && p.ReplacePrefixMatch != nil && strings.ContainsAny(*p.ReplacePrefixMatch, "*?") {
					why = append(why, rule+": RequestRedirect replacePrefixMatch with wildcards")
				}
				if p := f.RequestRedirect.Path; p != nil && p.ReplacePrefixMatch != nil {
					why = append(why, prefixRegexProblems(rule, r.Matches)...)
				}
			case f.Type == gwv1.HTTPRouteFilterURLRewrite && f.URLRewrite != nil:
				if p := f.URLRewrite.Path; p != nil && p.ReplacePrefixMatch != nil {
					why = append(why, prefixRegexProblems(rule, r.Matches)...)
				}
			case f.Type == gwv1.HTTPRouteFilterExtensionRef && isRuleConfigRef(f.ExtensionRef):
				// Built: ruleConfigs resolves it.
			case f.Type == gwv1.HTTPRouteFilterExtensionRef && f.ExtensionRef != nil:
				why = append(why, fmt.Sprintf("%s: filter ExtensionRef (%s %s)", rule, f.ExtensionRef.Kind, f.ExtensionRef.Name))
			default:
				why = append(why, fmt.Sprintf("%s: filter %s", rule, f.Type))
			}
		}
		for _, b := range r.BackendRefs {
			if len(b.Filters) > 0 {
				why = append(why, fmt.Sprintf("%s: backendRef %s filters", rule, b.Name))
			}
		}
		if r.Timeouts != nil {
			why = append(why, rule+": timeouts")
		}
		if r.Retry != nil {
			why = append(why, rule+": retry")
		}
		if r.SessionPersistence != nil {
			why = append(why, rule+": sessionPersistence")
		}
		for _, m := range r.Matches {
			for _, q := range m.QueryParams {
				if q.Type != nil && *q.Type == gwv1.QueryParamMatchRegularExpression {
					why = append(why, fmt.Sprintf("%s: RegularExpression match of query parameter %s", rule, q.Name))
				}
			}
			if p := m.Path; p != nil && p.Value != nil && (p.Type == nil || *p.Type == gwv1.PathMatchPathPrefix) && strings.ContainsAny(*p.Value, "*?") {
				why = append(why, fmt.Sprintf("%s: PathPrefix %q with wildcards", rule, *p.Value))
			}
		}
	}
	if len(why) == 0 {
		return nil
	}
	slices.Sort(why)
	return &gwattach.Refusal{Reason: gwv1.RouteReasonUnsupportedValue,
		Message: "lbsg does not support " + strings.Join(slices.Compact(why), ", ") + ": the route is not applied"}
}

// prefixRegexProblems: a prefix replacement rewrites by the regex
// "(^<prefix>(/)?)" built from the match's path as written (LBC), so a
// path that does not make a valid regex (ALB would refuse the rule) is
// named here.
func prefixRegexProblems(rule string, matches []gwv1.HTTPRouteMatch) []string {
	var out []string
	for _, m := range matches {
		if m.Path == nil || m.Path.Value == nil {
			continue
		}
		if _, err := regexp.Compile("(^" + *m.Path.Value + "(/)?)"); err != nil {
			out = append(out, fmt.Sprintf("%s: replacePrefixMatch of path %q, which is not a valid regular expression", rule, *m.Path.Value))
		}
	}
	return out
}

// albPorts fills the ALB Gateway's ports: per valid listener port its
// protocol, hostnames and attached HTTPRoutes and GRPCRoutes (each once,
// with the hostnames it serves there and its rules' resolved backends).
func (b Builder) albPorts(ctx context.Context, out *model.Gateway, in *inputs, att gwattach.Result) error {
	byPort := map[int32]*model.GatewayPort{}
	var order []int32
	tgcs := map[types.NamespacedName]*gwconfig.TargetGroupConfigurationSpec{}
	eps := map[types.NamespacedName][]model.Endpoint{}
	for _, l := range att.AllListeners() {
		if !l.Valid {
			continue
		}
		port := int32(l.Spec.Port)
		p := byPort[port]
		if p == nil {
			p = &model.GatewayPort{Port: port}
			byPort[port] = p
			order = append(order, port)
		}
		if proto := string(l.Spec.Protocol); !slices.Contains(p.Protocols, proto) {
			p.Protocols = append(p.Protocols, proto)
		}
		if l.Spec.Hostname != nil {
			p.Hostnames = append(p.Hostnames, string(*l.Spec.Hostname))
		}
		for _, rt := range l.Routes {
			if slices.ContainsFunc(p.HTTPRoutes, func(h model.GatewayHTTPRoute) bool {
				return h.GRPC == (rt.Kind == gwattach.KindGRPCRoute) && h.Namespace == rt.Namespace && h.Name == rt.Name
			}) {
				continue
			}
			hr := model.GatewayHTTPRoute{GRPC: rt.Kind == gwattach.KindGRPCRoute, Namespace: rt.Namespace, Name: rt.Name,
				Created: rt.Created, Hostnames: att.Hostnames[rt.Key()][port]}
			var rules []model.GatewayHTTPRule
			switch obj := in.routeObjs[rt.Key()].(type) {
			case *gwv1.HTTPRoute:
				rules = httpRules(obj)
			case *gwv1.GRPCRoute:
				for _, rule := range obj.Spec.Rules {
					rules = append(rules, model.GatewayHTTPRule{GRPCMatches: rule.Matches})
				}
			default:
				continue
			}
			for i, c := range in.ruleConfigs[rt.Key()] {
				if i < len(rules) {
					rules[i].Config = c
				}
			}
			if len(hr.Hostnames) == 0 {
				for _, h := range rt.Hostnames {
					hr.Hostnames = append(hr.Hostnames, string(h))
				}
			}
			p.Hostnames = append(p.Hostnames, hr.Hostnames...)
			for i := range rules {
				for _, be := range att.Backends[rt.Key()] {
					if be.Rule != i {
						continue
					}
					mb, err := b.backend(ctx, in, rt, be, tgcs, eps)
					if err != nil {
						return err
					}
					rules[i].Backends = append(rules[i].Backends, mb)
				}
			}
			hr.Rules = rules
			p.HTTPRoutes = append(p.HTTPRoutes, hr)
		}
	}
	for _, port := range order {
		p := byPort[port]
		slices.Sort(p.Hostnames)
		p.Hostnames = slices.Compact(p.Hostnames)
		out.Ports = append(out.Ports, *p)
	}
	return nil
}

// httpRules are an HTTPRoute's rules with their matches and the filters
// lbsg builds (httpRouteRefusal refuses the others).
func httpRules(obj *gwv1.HTTPRoute) []model.GatewayHTTPRule {
	var out []model.GatewayHTTPRule
	for _, rule := range obj.Spec.Rules {
		mr := model.GatewayHTTPRule{Matches: rule.Matches}
		for _, f := range rule.Filters {
			if f.Type == gwv1.HTTPRouteFilterRequestRedirect {
				mr.Redirect = f.RequestRedirect
			}
			if f.Type == gwv1.HTTPRouteFilterURLRewrite {
				mr.Rewrite = f.URLRewrite
			}
		}
		out = append(out, mr)
	}
	return out
}

// backend resolves one backend's target-group settings (for route rt) and
// endpoints, each Service read once.
func (b Builder) backend(ctx context.Context, in *inputs, rt *gwattach.Route, be gwattach.Backend,
	tgcs map[types.NamespacedName]*gwconfig.TargetGroupConfigurationSpec, eps map[types.NamespacedName][]model.Endpoint) (model.GatewayBackend, error) {
	key := types.NamespacedName{Namespace: be.Service.Namespace, Name: be.Service.Name}
	spec, ok := tgcs[key]
	if !ok {
		var err error
		if spec, err = b.targetGroupConfig(ctx, key, kindService); err != nil {
			return model.GatewayBackend{}, err
		}
		tgcs[key] = spec
	}
	props := in.targetGroupProps(spec, rt)
	e, ok := eps[key]
	if !ok {
		var err error
		if e, err = b.endpoints(ctx, key); err != nil {
			return model.GatewayBackend{}, err
		}
		eps[key] = e
	}
	return model.GatewayBackend{Service: be.Service, Port: be.Port, Weight: be.Weight, TargetGroup: props, Endpoints: e}, nil
}
