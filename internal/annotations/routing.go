package annotations

import (
	"encoding/json"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// Routing annotation families of an Ingress: actions.<name> is the action of
// a backend whose port name is use-annotation and whose Service name is
// <name>; conditions.<name> adds conditions to every rule whose backend
// Service name is <name>; transforms.<name> rewrites its requests.
const (
	IngActionsPrefix    = IngressPrefix + "actions."
	IngConditionsPrefix = IngressPrefix + "conditions."
	IngTransformsPrefix = IngressPrefix + "transforms."
)

// Action types of an actions.<name> annotation.
const (
	RouteForward       = "forward"
	RouteRedirect      = "redirect"
	RouteFixedResponse = "fixed-response"
)

// RouteAction is the JSON of an actions.<name> annotation (LBC's Action).
// Unknown JSON fields are ignored, as LBC's encoding/json decoding does.
type RouteAction struct {
	Type                string               `json:"type"`
	TargetGroupARN      *string              `json:"targetGroupARN"`
	TargetGroupName     *string              `json:"targetGroupName,omitempty"`
	FixedResponseConfig *RouteFixedConfig    `json:"fixedResponseConfig,omitempty"`
	RedirectConfig      *RouteRedirectConfig `json:"redirectConfig,omitempty"`
	ForwardConfig       *RouteForwardConfig  `json:"forwardConfig,omitempty"`
}

// RouteFixedConfig is a fixed-response action's config.
type RouteFixedConfig struct {
	ContentType *string `json:"contentType,omitempty"`
	MessageBody *string `json:"messageBody,omitempty"`
	StatusCode  string  `json:"statusCode"`
}

// RouteRedirectConfig is a redirect action's config.
type RouteRedirectConfig struct {
	Host       *string `json:"host,omitempty"`
	Path       *string `json:"path,omitempty"`
	Port       *string `json:"port,omitempty"`
	Protocol   *string `json:"protocol,omitempty"`
	Query      *string `json:"query,omitempty"`
	StatusCode string  `json:"statusCode"`
}

// RouteTargetGroup is one target of a forward action: a Service port, or a
// target group by ARN or name.
type RouteTargetGroup struct {
	TargetGroupARN  *string             `json:"targetGroupARN"`
	TargetGroupName *string             `json:"targetGroupName,omitempty"`
	ServiceName     *string             `json:"serviceName"`
	ServicePort     *intstr.IntOrString `json:"servicePort"`
	Weight          *int32              `json:"weight,omitempty"`
}

// RouteStickiness is a forward action's target-group stickiness.
type RouteStickiness struct {
	Enabled         *bool  `json:"enabled,omitempty"`
	DurationSeconds *int32 `json:"durationSeconds,omitempty"`
}

// RouteForwardConfig is a forward action's advanced form.
type RouteForwardConfig struct {
	TargetGroups                []RouteTargetGroup `json:"targetGroups"`
	TargetGroupStickinessConfig *RouteStickiness   `json:"targetGroupStickinessConfig,omitempty"`
}

// Validate checks the action as LBC does (its error texts).
func (a *RouteAction) Validate() error {
	switch a.Type {
	case RouteFixedResponse:
		if a.FixedResponseConfig == nil {
			return errors.New("missing FixedResponseConfig")
		}
		if a.FixedResponseConfig.StatusCode == "" {
			return errors.New("invalid FixedResponseConfig: statusCode is required")
		}
	case RouteRedirect:
		if a.RedirectConfig == nil {
			return errors.New("missing RedirectConfig")
		}
		if a.RedirectConfig.StatusCode == "" {
			return errors.New("invalid RedirectConfig: statusCode is required")
		}
	case RouteForward:
		byTG := a.TargetGroupARN != nil || a.TargetGroupName != nil
		if !byTG && a.ForwardConfig == nil {
			return errors.New("missing ForwardConfig or TargetGroupARN/TargetGroupName")
		}
		if byTG && a.ForwardConfig != nil {
			return errors.New("either ForwardConfig or TargetGroupARN/TargetGroupName can be specified")
		}
		if a.ForwardConfig != nil {
			if err := a.ForwardConfig.validate(); err != nil {
				return fmt.Errorf("invalid ForwardConfig: %w", err)
			}
		}
	default:
		return fmt.Errorf("unknown action type: %v", a.Type)
	}
	return nil
}

func (c *RouteForwardConfig) validate() error {
	for _, t := range c.TargetGroups {
		byTG := t.TargetGroupARN != nil || t.TargetGroupName != nil
		switch {
		case !byTG && t.ServiceName == nil:
			return errors.New("invalid TargetGroupTuple: missing serviceName or targetGroupARN/targetGroupName")
		case byTG && t.ServiceName != nil:
			return errors.New("invalid TargetGroupTuple: either serviceName or targetGroupARN/targetGroupName can be specified")
		case t.ServiceName != nil && t.ServicePort == nil:
			return errors.New("invalid TargetGroupTuple: missing servicePort")
		}
	}
	if len(c.TargetGroups) > 1 {
		for _, t := range c.TargetGroups {
			if t.Weight == nil {
				return errors.New("weight must be set when route to multiple target groups")
			}
		}
	}
	return nil
}

// Normalize turns the simplified forward form (targetGroupARN or
// targetGroupName at the top) into forwardConfig, and reads a string
// servicePort holding a number as that number, as LBC does.
func (a *RouteAction) Normalize() {
	if a.Type == RouteForward && (a.TargetGroupARN != nil || a.TargetGroupName != nil) {
		*a = RouteAction{Type: RouteForward, ForwardConfig: &RouteForwardConfig{
			TargetGroups: []RouteTargetGroup{{TargetGroupARN: a.TargetGroupARN, TargetGroupName: a.TargetGroupName}}}}
	}
	if a.Type == RouteForward && a.ForwardConfig != nil {
		for _, t := range a.ForwardConfig.TargetGroups {
			if t.ServicePort != nil {
				*t.ServicePort = intstr.Parse(t.ServicePort.String())
			}
		}
	}
}

// ServiceNames are the Services a forward action names, in order, without
// duplicates.
func (a *RouteAction) ServiceNames() []string {
	var out []string
	if a.ForwardConfig == nil {
		return nil
	}
	for _, t := range a.ForwardConfig.TargetGroups {
		if t.ServiceName != nil && !contains(out, *t.ServiceName) {
			out = append(out, *t.ServiceName)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Condition fields of a conditions.<name> annotation.
const (
	CondHostHeader        = "host-header"
	CondPathPattern       = "path-pattern"
	CondHTTPHeader        = "http-header"
	CondHTTPRequestMethod = "http-request-method"
	CondQueryString       = "query-string"
	CondSourceIP          = "source-ip"
)

// RouteValues is the config of a host-header or path-pattern condition.
type RouteValues struct {
	RegexValues []string `json:"regexValues,omitempty"`
	Values      []string `json:"values,omitempty"`
}

// RouteHTTPHeader is an http-header condition's config.
type RouteHTTPHeader struct {
	HTTPHeaderName string   `json:"httpHeaderName"`
	RegexValues    []string `json:"regexValues,omitempty"`
	Values         []string `json:"values,omitempty"`
}

// RouteList is the config of an http-request-method or source-ip condition.
type RouteList struct {
	Values []string `json:"values"`
}

// RouteQueryPair is one key/value of a query-string condition; Key nil
// matches the value alone.
type RouteQueryPair struct {
	Key   *string `json:"key,omitempty"`
	Value string  `json:"value"`
}

// RouteQueryString is a query-string condition's config.
type RouteQueryString struct {
	Values []RouteQueryPair `json:"values"`
}

// RouteCondition is one entry of a conditions.<name> annotation.
type RouteCondition struct {
	Field                   string            `json:"field"`
	HostHeaderConfig        *RouteValues      `json:"hostHeaderConfig"`
	HTTPHeaderConfig        *RouteHTTPHeader  `json:"httpHeaderConfig"`
	HTTPRequestMethodConfig *RouteList        `json:"httpRequestMethodConfig"`
	PathPatternConfig       *RouteValues      `json:"pathPatternConfig"`
	QueryStringConfig       *RouteQueryString `json:"queryStringConfig"`
	SourceIPConfig          *RouteList        `json:"sourceIPConfig"`
}

func exactlyOne(values, regex []string) error {
	if len(values) == 0 && len(regex) == 0 {
		return errors.New("values or regexValues must be specified")
	}
	if len(values) != 0 && len(regex) != 0 {
		return errors.New("precisely one of values and regexValues can be specified")
	}
	return nil
}

// Validate checks the condition as LBC does (its error texts); an unknown
// field passes here, and LBC then leaves it out of the rule.
func (c *RouteCondition) Validate() error {
	wrap := func(name string, err error) error {
		if err != nil {
			return fmt.Errorf("invalid %s: %w", name, err)
		}
		return nil
	}
	switch c.Field {
	case CondHostHeader:
		if c.HostHeaderConfig == nil {
			return errors.New("missing hostHeaderConfig")
		}
		return wrap("hostHeaderConfig", exactlyOne(c.HostHeaderConfig.Values, c.HostHeaderConfig.RegexValues))
	case CondPathPattern:
		if c.PathPatternConfig == nil {
			return errors.New("missing pathPatternConfig")
		}
		return wrap("pathPatternConfig", exactlyOne(c.PathPatternConfig.Values, c.PathPatternConfig.RegexValues))
	case CondHTTPHeader:
		if c.HTTPHeaderConfig == nil {
			return errors.New("missing httpHeaderConfig")
		}
		return wrap("httpHeaderConfig", exactlyOne(c.HTTPHeaderConfig.Values, c.HTTPHeaderConfig.RegexValues))
	case CondHTTPRequestMethod:
		if c.HTTPRequestMethodConfig == nil {
			return errors.New("missing httpRequestMethodConfig")
		}
		if len(c.HTTPRequestMethodConfig.Values) == 0 {
			return wrap("httpRequestMethodConfig", errors.New("values cannot be empty"))
		}
	case CondQueryString:
		if c.QueryStringConfig == nil {
			return errors.New("missing queryStringConfig")
		}
		if len(c.QueryStringConfig.Values) == 0 {
			return wrap("queryStringConfig", errors.New("Values cannot be empty"))
		}
		for _, p := range c.QueryStringConfig.Values {
			if p.Value == "" {
				return wrap("queryStringConfig", errors.New("value cannot be empty"))
			}
		}
	case CondSourceIP:
		if c.SourceIPConfig == nil {
			return errors.New("missing sourceIPConfig")
		}
		if len(c.SourceIPConfig.Values) == 0 {
			return wrap("sourceIPConfig", errors.New("values cannot be empty"))
		}
	}
	return nil
}

// jsonAnnotation decodes annotation key of ann into v; false when absent.
// A malformed value is an *Error with LBC's text.
func jsonAnnotation(ann map[string]string, key string, v any) (bool, error) {
	raw, ok := ann[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return true, newErr(key, raw, err, "failed to parse json annotation, %s: %s: %v", key, raw, err)
	}
	return true, nil
}

// ParseRouteAction reads actions.<name>: false when absent; a malformed or
// invalid action is an *Error naming the annotation. The action comes back
// normalized (see Normalize).
func ParseRouteAction(ann map[string]string, name string) (RouteAction, bool, error) {
	key := IngActionsPrefix + name
	var a RouteAction
	ok, err := jsonAnnotation(ann, key, &a)
	if !ok || err != nil {
		return RouteAction{}, ok, err
	}
	if err := a.Validate(); err != nil {
		return RouteAction{}, true, newErr(key, ann[key], err, "%v", err)
	}
	a.Normalize()
	return a, true, nil
}

// ParseRouteConditions reads conditions.<name> (nil when absent); a
// malformed or invalid condition is an *Error naming the annotation.
func ParseRouteConditions(ann map[string]string, name string) ([]RouteCondition, error) {
	key := IngConditionsPrefix + name
	var cs []RouteCondition
	if _, err := jsonAnnotation(ann, key, &cs); err != nil {
		return nil, err
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, newErr(key, ann[key], err, "%v", err)
		}
	}
	return cs, nil
}

// Transform types of a transforms.<name> annotation.
const (
	TransformHostHeaderRewrite = "host-header-rewrite"
	TransformURLRewrite        = "url-rewrite"
)

// RouteRewrite is one regex/replacement pair of a transform.
type RouteRewrite struct {
	Regex   string `json:"regex"`
	Replace string `json:"replace"`
}

// RouteRewrites is a transform's config.
type RouteRewrites struct {
	Rewrites []RouteRewrite `json:"rewrites"`
}

// RouteTransform is one entry of a transforms.<name> annotation.
type RouteTransform struct {
	Type                    string         `json:"type"`
	HostHeaderRewriteConfig *RouteRewrites `json:"hostHeaderRewriteConfig,omitempty"`
	URLRewriteConfig        *RouteRewrites `json:"urlRewriteConfig,omitempty"`
}

// Validate checks the transform as LBC does (its error texts).
func (t *RouteTransform) Validate() error {
	switch t.Type {
	case TransformHostHeaderRewrite:
		if t.HostHeaderRewriteConfig == nil {
			return errors.New("missing hostHeaderRewriteConfig")
		}
		if len(t.HostHeaderRewriteConfig.Rewrites) == 0 {
			return errors.New("hostHeaderRewriteConfig.rewrites cannot be empty")
		}
	case TransformURLRewrite:
		if t.URLRewriteConfig == nil {
			return errors.New("missing urlRewriteConfig")
		}
		if len(t.URLRewriteConfig.Rewrites) == 0 {
			return errors.New("urlRewriteConfig.rewrites cannot be empty")
		}
	default:
		return fmt.Errorf("unknown transform type: %v", t.Type)
	}
	return nil
}

// Rewrites are the transform's rewrites for its type.
func (t *RouteTransform) Rewrites() []RouteRewrite {
	if t.Type == TransformHostHeaderRewrite {
		return t.HostHeaderRewriteConfig.Rewrites
	}
	return t.URLRewriteConfig.Rewrites
}

// ParseRouteTransforms reads transforms.<name> (nil when absent); a
// malformed or invalid transform is an *Error naming the annotation.
func ParseRouteTransforms(ann map[string]string, name string) ([]RouteTransform, error) {
	key := IngTransformsPrefix + name
	var ts []RouteTransform
	if _, err := jsonAnnotation(ann, key, &ts); err != nil {
		return nil, err
	}
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return nil, newErr(key, ann[key], err, "%v", err)
		}
	}
	return ts, nil
}
