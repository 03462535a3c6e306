package gateway

import (
	"fmt"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

// grpcPatternChars are the characters a RegularExpression GRPC method
// match may use: LBC writes its service and method into an ALB path
// pattern as they are, so only what a path pattern means the same way
// (names, '.', and the wildcards * and ?) is served.
const grpcPatternChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-*?"

// grpcRouteRefusal says why lbsg will not apply a GRPCRoute (nil: it
// will): any filter but an ExtensionRef to a ListenerRuleConfiguration
// (the one LBC builds), backendRef
// filters, sessionPersistence, a RegularExpression header match (LBC would
// write the expression as a literal value), a RegularExpression method
// match using more than names and the wildcards * and ?, a method match
// naming neither service nor method.
func grpcRouteRefusal(rt *gwv1.GRPCRoute) *gwattach.Refusal {
	var why []string
	for i, r := range rt.Spec.Rules {
		rule := fmt.Sprintf("rule %d", i)
		if r.Name != nil {
			rule = fmt.Sprintf("rule %d (%s)", i, *r.Name)
		}
		for _, f := range r.Filters {
			if f.Type == gwv1.GRPCRouteFilterExtensionRef && isRuleConfigRef(f.ExtensionRef) {
				continue // built: ruleConfigs resolves it
			}
			if f.Type == gwv1.GRPCRouteFilterExtensionRef && f.ExtensionRef != nil {
				why = append(why, fmt.Sprintf("%s: filter ExtensionRef (%s %s)", rule, f.ExtensionRef.Kind, f.ExtensionRef.Name))
				continue
			}
			why = append(why, fmt.Sprintf("%s: filter %s", rule, f.Type))
		}
		for _, b := range r.BackendRefs {
			if len(b.Filters) > 0 {
				why = append(why, fmt.Sprintf("%s: backendRef %s filters", rule, b.Name))
			}
		}
		if r.SessionPersistence != nil {
			why = append(why, rule+": sessionPersistence")
		}
		for _, m := range r.Matches {
			for _, h := range m.Headers {
				if h.Type != nil && *h.Type == gwv1.GRPCHeaderMatchRegularExpression {
					why = append(why, fmt.Sprintf("%s: RegularExpression match of header %s", rule, h.Name))
				}
			}
			mm := m.Method
			if mm == nil {
				continue
			}
			if mm.Service == nil && mm.Method == nil {
				why = append(why, rule+": a method match naming neither service nor method")
			}
			if mm.Type == nil || *mm.Type != gwv1.GRPCMethodMatchRegularExpression {
				continue
			}
			for _, v := range []*string{mm.Service, mm.Method} {
				if v != nil && strings.Trim(*v, grpcPatternChars) != "" {
					why = append(why, fmt.Sprintf("%s: RegularExpression method match %q (only names and the wildcards * and ? are served)", rule, *v))
				}
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
