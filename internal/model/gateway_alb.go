package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

// GatewayHTTPRoute is an HTTPRoute or a GRPCRoute attached to a port of an
// ALB Gateway.
type GatewayHTTPRoute struct {
	// GRPC: the route is a GRPCRoute (its rules' GRPCMatches apply).
	GRPC            bool
	Namespace, Name string
	Created         time.Time
	// Hostnames the route serves on the port (empty: any host).
	Hostnames []string
	Rules     []GatewayHTTPRule
}

// GatewayHTTPRule is one rule of an HTTPRoute (Matches) or a GRPCRoute
// (GRPCMatches): its matches, its RequestRedirect and URLRewrite filters
// (nil: none; the caller refuses the filters lbsg does not build) and its
// resolved backends.
type GatewayHTTPRule struct {
	Matches     []gwv1.HTTPRouteMatch
	GRPCMatches []gwv1.GRPCRouteMatch
	Redirect    *gwv1.HTTPRequestRedirectFilter
	Rewrite     *gwv1.HTTPURLRewriteFilter
	Backends    []GatewayBackend
	// Config is the ListenerRuleConfiguration the rule names (nil: none).
	Config *GatewayRuleConfig
}

// ProtocolVersionHTTP2 is the ALB target-group protocol version of a
// backend port with appProtocol kubernetes.io/h2c behind an HTTPS listener.
const ProtocolVersionHTTP2 = "HTTP2"

// Fixed responses of LBC's ALB Gateways.
var (
	// gatewayNoRouteResponse is every ALB Gateway listener's default action.
	gatewayNoRouteResponse = FixedResponse{StatusCode: "404", ContentType: "text/plain"}
	// gatewayNoBackendResponse answers a rule with no backend to forward to.
	gatewayNoBackendResponse = FixedResponse{StatusCode: "500", ContentType: "text/plain"}
)

// albListeners builds, per port with routes, an HTTP or HTTPS listener
// whose default action is a 404 and whose rules are the routes' matches in
// LBC's precedence order (priority 1, 2, …).
func (b *gwBuilder) albListeners(userTags map[string]string) error {
	ports := slices.Clone(b.gw.Ports)
	slices.SortFunc(ports, func(a, c GatewayPort) int { return cmp.Compare(a.Port, c.Port) })
	seen := map[string]bool{}
	for _, p := range ports {
		if len(p.HTTPRoutes) == 0 {
			continue
		}
		proto := ProtoHTTP
		if slices.Contains(p.Protocols, ProtoHTTPS) {
			proto = ProtoHTTPS
		}
		ls := Listener{Port: p.Port, Protocol: proto,
			Tags:          naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, naming.ListenerResourceID(p.Port)), userTags),
			DefaultAction: &Action{Type: ActionFixedResponse, FixedResponse: new(gatewayNoRouteResponse)},
			Attributes:    listenerAttributes(b.listenerConfig(proto, p.Port))}
		if proto == ProtoHTTPS {
			if err := b.httpsSettings(&ls, p); err != nil {
				return err
			}
		}
		for i, u := range sortHTTPRules(p.HTTPRoutes) {
			conds, err := httpConditions(u)
			if err != nil {
				return fmt.Errorf("%s %s/%s: %w", u.route.kind(), u.route.Namespace, u.route.Name, err)
			}
			conds = lrcConditions(u.rule.Config, u.matchIdx, conds)
			var actions []Action
			pre, err := lrcPreRouting(u.rule.Config, proto)
			if err != nil {
				return fmt.Errorf("%s %s/%s: %w", u.route.kind(), u.route.Namespace, u.route.Name, err)
			}
			if pre != nil {
				actions = append(actions, *pre)
			}
			action, err := b.httpAction(p, proto, u, seen, userTags)
			if err != nil {
				return fmt.Errorf("%s %s/%s: %w", u.route.kind(), u.route.Namespace, u.route.Name, err)
			}
			actions = append(actions, action)
			transforms, err := httpTransforms(u)
			if err != nil {
				return fmt.Errorf("%s %s/%s: %w", u.route.kind(), u.route.Namespace, u.route.Name, err)
			}
			ruleTags, err := b.lrcRuleTags(u.rule.Config)
			if err != nil {
				return fmt.Errorf("%s %s/%s: %w", u.route.kind(), u.route.Namespace, u.route.Name, err)
			}
			prio := int32(i + 1)
			ls.Rules = append(ls.Rules, ListenerRule{Priority: prio, Conditions: conds, Actions: actions, Transforms: transforms,
				Tags: naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, naming.RuleResourceID(p.Port, prio)), ruleTags)})
		}
		b.st.Listeners = append(b.st.Listeners, ls)
	}
	slices.SortFunc(b.st.TargetGroups, func(a, c TargetGroup) int { return strings.Compare(a.ResourceID, c.ResourceID) })
	return nil
}

// httpsSettings: the certificates of the listener's LoadBalancerConfiguration
// entry (HTTPS:port; defaultCertificate first, then certificates), else the
// ACM certificates discovery finds for the port's hostnames; the SSL
// policy (default --default-ssl-policy).
func (b *gwBuilder) httpsSettings(ls *Listener, p GatewayPort) error {
	lc := b.listenerConfig(ProtoHTTPS, p.Port)
	var err error
	if ls.Certificates, err = b.listenerCertificates(ProtoHTTPS, p, lc); err != nil {
		return err
	}
	ls.SSLPolicy = cmp.Or(b.d.DefaultSSLPolicy, DefaultSSLPolicy)
	if lc != nil && lc.SSLPolicy != nil {
		ls.SSLPolicy = *lc.SSLPolicy
	}
	return nil
}

// httpRuleUnit is one ALB rule to be: a match of a route rule on one of
// the route's hostnames ("" for none), with LBC's precedence signals.
type httpRuleUnit struct {
	route    *GatewayHTTPRoute
	rule     *GatewayHTTPRule
	ruleIdx  int
	matchIdx int
	match    gwv1.HTTPRouteMatch
	// grpc is the GRPCRoute match of a GRPCRoute's unit (nil for HTTPRoutes).
	grpc *gwv1.GRPCRouteMatch
	host string
	// pathType: 3 Exact, 2 PathPrefix, 1 RegularExpression, 0 none;
	// pathLen: the path's length (GRPC: the service's); secondary: GRPC
	// the method's length.
	pathType, pathLen, secondary, headers, queries int
	method                                         bool
}

// sortHTTPRules splits the routes into rule units (per rule, match and
// hostname) and sorts them by LBC's precedence, one order for HTTPRoutes
// and GRPCRoutes alike: hostname specificity, path type (GRPC: method
// match type), path length (GRPC: service length), GRPC method length,
// HTTP method, header count, query count, then route age, namespace/name,
// rule index, match index and hostname.
func sortHTTPRules(routes []GatewayHTTPRoute) []httpRuleUnit {
	var out []httpRuleUnit
	for ri := range routes {
		rt := &routes[ri]
		hosts := rt.Hostnames
		if len(hosts) == 0 {
			hosts = []string{""}
		}
		for ki := range rt.Rules {
			rule := &rt.Rules[ki]
			n := len(rule.Matches)
			if rt.GRPC {
				n = len(rule.GRPCMatches)
			}
			noMatch := n == 0
			if noMatch {
				n = 1
			}
			for mi := range n {
				for _, h := range hosts {
					u := httpRuleUnit{route: rt, rule: rule, ruleIdx: ki, matchIdx: mi, host: h}
					switch {
					case noMatch:
						u.matchIdx = int(^uint(0) >> 1)
						if rt.GRPC {
							u.grpc = &gwv1.GRPCRouteMatch{}
						}
					case rt.GRPC:
						m := &rule.GRPCMatches[mi]
						u.grpc = m
						u.pathType, u.pathLen, u.secondary = grpcPrecedence(m.Method)
						u.headers = len(m.Headers)
					default:
						m := rule.Matches[mi]
						u.match = m
						u.pathType, u.pathLen = pathPrecedence(m.Path)
						u.method = m.Method != nil
						u.headers, u.queries = len(m.Headers), len(m.QueryParams)
					}
					out = append(out, u)
				}
			}
		}
	}
	slices.SortStableFunc(out, compareHTTPRuleUnits)
	return out
}

// grpcPrecedence is a GRPC method match's type (3 Exact, the default; 1
// RegularExpression; 0 none), service length and method length (LBC).
func grpcPrecedence(m *gwv1.GRPCMethodMatch) (int, int, int) {
	if m == nil {
		return 0, 0, 0
	}
	t := 3
	if m.Type != nil && *m.Type == gwv1.GRPCMethodMatchRegularExpression {
		t = 1
	}
	var svc, method int
	if m.Service != nil {
		svc = len(*m.Service)
	}
	if m.Method != nil {
		method = len(*m.Method)
	}
	return t, svc, method
}

func pathPrecedence(p *gwv1.HTTPPathMatch) (int, int) {
	if p == nil {
		return 0, 0
	}
	n := 0
	if p.Value != nil {
		n = len(*p.Value)
	}
	t := gwv1.PathMatchPathPrefix
	if p.Type != nil {
		t = *p.Type
	}
	switch t {
	case gwv1.PathMatchExact:
		return 3, n
	case gwv1.PathMatchPathPrefix:
		return 2, n
	case gwv1.PathMatchRegularExpression:
		return 1, n
	}
	return 0, n
}

func compareHTTPRuleUnits(a, b httpRuleUnit) int {
	if c := hostnamePrecedence(a.host, b.host); c != 0 {
		return c
	}
	boolInt := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	// More specific first: compare b to a.
	if c := cmp.Or(cmp.Compare(b.pathType, a.pathType), cmp.Compare(b.pathLen, a.pathLen), cmp.Compare(b.secondary, a.secondary),
		cmp.Compare(boolInt(b.method), boolInt(a.method)), cmp.Compare(b.headers, a.headers),
		cmp.Compare(b.queries, a.queries)); c != 0 {
		return c
	}
	return cmp.Or(a.route.Created.Compare(b.route.Created),
		strings.Compare(a.route.Namespace+"/"+a.route.Name, b.route.Namespace+"/"+b.route.Name),
		cmp.Compare(a.ruleIdx, b.ruleIdx), cmp.Compare(a.matchIdx, b.matchIdx), strings.Compare(a.host, b.host))
}

// hostnamePrecedence is LBC's hostname order (-1: a first): a hostname
// before none, an exact one before a wildcard, then more labels, then
// longer.
func hostnamePrecedence(a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	aw, bw := strings.HasPrefix(a, "*."), strings.HasPrefix(b, "*.")
	switch {
	case !aw && bw:
		return -1
	case aw && !bw:
		return 1
	}
	return cmp.Or(cmp.Compare(strings.Count(b, "."), strings.Count(a, ".")), cmp.Compare(len(b), len(a)))
}

// httpConditions are a rule unit's ALB conditions, as LBC writes them:
// host-header, path-pattern (PathPrefix /a: /a and /a/*; / : /*; Exact as
// is; RegularExpression as a regex value), one http-header per header
// match (exact values split at unescaped commas), one query-string per
// query match, http-request-method.
func httpConditions(u httpRuleUnit) ([]Condition, error) {
	var out []Condition
	if u.host != "" {
		out = append(out, Condition{Field: FieldHostHeader, Values: []string{u.host}})
	}
	if u.grpc != nil {
		return grpcConditions(out, u.grpc)
	}
	m := u.match
	if p := m.Path; p != nil && p.Value != nil {
		t := gwv1.PathMatchPathPrefix
		if p.Type != nil {
			t = *p.Type
		}
		v := *p.Value
		switch t {
		case gwv1.PathMatchPathPrefix:
			if strings.ContainsAny(v, "*?") {
				return nil, fmt.Errorf("prefix path shouldn't contain wildcards: %v", v)
			}
			if v == "/" {
				out = append(out, Condition{Field: FieldPathPattern, Values: []string{"/*"}})
			} else {
				v = strings.TrimSuffix(v, "/")
				out = append(out, Condition{Field: FieldPathPattern, Values: []string{v, v + "/*"}})
			}
		case gwv1.PathMatchExact:
			out = append(out, Condition{Field: FieldPathPattern, Values: []string{v}})
		case gwv1.PathMatchRegularExpression:
			out = append(out, Condition{Field: FieldPathPattern, RegexValues: []string{v}})
		default:
			return nil, fmt.Errorf("unsupported path match type %q", t)
		}
	}
	for _, h := range m.Headers {
		if h.Type != nil && *h.Type == gwv1.HeaderMatchRegularExpression {
			out = append(out, Condition{Field: FieldHTTPHeader, HTTPHeaderName: string(h.Name), RegexValues: []string{h.Value}})
			continue
		}
		out = append(out, Condition{Field: FieldHTTPHeader, HTTPHeaderName: string(h.Name), Values: splitHeaderValue(h.Value)})
	}
	for _, q := range m.QueryParams {
		out = append(out, Condition{Field: FieldQueryString, QueryString: []QueryPair{{Key: string(q.Name), Value: q.Value}}})
	}
	if m.Method != nil {
		out = append(out, Condition{Field: FieldHTTPRequestMethod, Values: []string{string(*m.Method)}})
	}
	return out, nil
}

// grpcConditions appends a GRPCRoute match's conditions, as LBC writes
// them: path-pattern /<service>/<method> (/<service>/* without a method,
// /*/<method> without a service, /* without a method match; a
// RegularExpression match's values as they are, ALB wildcards), then one
// http-header per header match (values split at unescaped commas).
func grpcConditions(out []Condition, m *gwv1.GRPCRouteMatch) ([]Condition, error) {
	path := "/*"
	if mm := m.Method; mm != nil {
		switch {
		case mm.Service != nil && mm.Method != nil:
			path = "/" + *mm.Service + "/" + *mm.Method
		case mm.Service != nil:
			path = "/" + *mm.Service + "/*"
		case mm.Method != nil:
			path = "/*/" + *mm.Method
		default:
			return nil, fmt.Errorf("invalid grpc method match: neither service nor method")
		}
	}
	out = append(out, Condition{Field: FieldPathPattern, Values: []string{path}})
	for _, h := range m.Headers {
		out = append(out, Condition{Field: FieldHTTPHeader, HTTPHeaderName: string(h.Name), Values: splitHeaderValue(h.Value)})
	}
	return out, nil
}

// splitHeaderValue splits a header match value at unescaped commas, a
// backslash escaping the next character (LBC).
func splitHeaderValue(v string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v):
			cur.WriteByte(v[i+1])
			i++
		case v[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(v[i])
		}
	}
	return append(out, cur.String())
}

// httpAction is a rule unit's routing action, as LBC builds it: the
// fixed response of its ListenerRuleConfiguration; else the rule's
// redirect (with the configuration's query); else a weighted forward to
// its backends' target groups (with the configuration's stickiness) when
// one weighs more than 0; else a 500 fixed response. The backends' target
// groups are built in every case, as LBC builds them.
func (b *gwBuilder) httpAction(p GatewayPort, proto string, u httpRuleUnit, seen map[string]bool, userTags map[string]string) (Action, error) {
	var fw Forward
	send := false
	for _, be := range u.rule.Backends {
		tg, err := b.albTargetGroup(u.route, proto, be)
		if err != nil {
			return Action{}, err
		}
		if !seen[tg.ResourceID] {
			seen[tg.ResourceID] = true
			b.st.TargetGroups = append(b.st.TargetGroups, tg)
		}
		w := be.Weight
		fw.TargetGroups = append(fw.TargetGroups, WeightedTarget{TargetGroup: tg.ResourceID, Weight: &w})
		send = send || w != 0
	}
	if fr := lrcFixedResponse(u.rule.Config); fr != nil {
		return *fr, nil
	}
	if r := u.rule.Redirect; r != nil {
		a, err := redirectAction(r)
		if q := lrcRedirectQuery(u.rule.Config); err == nil && q != nil {
			a.Redirect.Query = *q
		}
		return a, err
	}
	if send {
		fw.Stickiness = lrcStickiness(u.rule.Config)
		if b.d.NoWeightedTargetGroups {
			if err := unweighted(&fw); err != nil {
				return Action{}, err
			}
		}
		return Action{Type: ActionForward, Forward: &fw}, nil
	}
	return Action{Type: ActionFixedResponse, FixedResponse: new(gatewayNoBackendResponse)}, nil
}

// redirectAction is LBC's RequestRedirect: scheme (with its default port
// unless port is set), hostname, port, full path, status code (Gateway
// API default 302).
func redirectAction(f *gwv1.HTTPRequestRedirectFilter) (Action, error) {
	r := &Redirect{StatusCode: "HTTP_302"}
	if f.StatusCode != nil {
		r.StatusCode = fmt.Sprintf("HTTP_%d", *f.StatusCode)
	}
	if f.Port != nil {
		r.Port = fmt.Sprint(*f.Port)
	}
	if f.Scheme != nil {
		r.Protocol = strings.ToUpper(*f.Scheme)
		switch r.Protocol {
		case ProtoHTTP:
			r.Port = cmp.Or(r.Port, "80")
		case ProtoHTTPS:
			r.Port = cmp.Or(r.Port, "443")
		default:
			return Action{}, fmt.Errorf("unsupported redirect scheme: %v", r.Protocol)
		}
	}
	if f.Path != nil && f.Path.ReplaceFullPath != nil {
		if strings.ContainsAny(*f.Path.ReplaceFullPath, "*?") {
			return Action{}, fmt.Errorf("ReplaceFullPath shouldn't contain wildcards: %v", *f.Path.ReplaceFullPath)
		}
		r.Path = *f.Path.ReplaceFullPath
	}
	// A prefix replacement is the rule's url-rewrite transform
	// (httpTransforms, as LBC); the redirect itself names no path.
	if f.Path != nil && f.Path.ReplacePrefixMatch != nil && strings.ContainsAny(*f.Path.ReplacePrefixMatch, "*?") {
		return Action{}, fmt.Errorf("ReplacePrefixMatch shouldn't contain wildcards: %v", *f.Path.ReplacePrefixMatch)
	}
	if f.Hostname != nil {
		r.Host = string(*f.Hostname)
	}
	return Action{Type: ActionRedirect, Redirect: r}, nil
}

// kind is the route's kind, as target-group names hash it.
func (rt *GatewayHTTPRoute) kind() string {
	if rt.GRPC {
		return "GRPCRoute"
	}
	return "HTTPRoute"
}

// Regexes of LBC's rewrite transforms.
const (
	// rewriteWholeHost replaces the whole Host header.
	rewriteWholeHost = ".*"
	// rewriteWholePath replaces the path, not the query string.
	rewriteWholePath = "^([^?]*)"
)

// httpTransforms are a rule unit's transforms, as LBC writes them: a
// URLRewrite filter's path (ReplaceFullPath: the whole path; ReplacePrefixMatch:
// the match's prefix) as a url-rewrite and its hostname as a
// host-header-rewrite; a RequestRedirect's ReplacePrefixMatch as a
// url-rewrite too. ALB takes one transform of each type per rule.
func httpTransforms(u httpRuleUnit) ([]Transform, error) {
	var out []Transform
	add := func(t Transform) error {
		if slices.ContainsFunc(out, func(o Transform) bool { return o.Type == t.Type }) {
			return fmt.Errorf("a rule can have only one %s transform", t.Type)
		}
		out = append(out, t)
		return nil
	}
	if rw := u.rule.Rewrite; rw != nil {
		if rw.Path != nil {
			t, err := pathRewrite(*rw.Path, u.match)
			if err != nil {
				return nil, err
			}
			if err := add(t); err != nil {
				return nil, err
			}
		}
		if rw.Hostname != nil {
			if err := add(Transform{Type: TransformHostHeaderRewrite, Rewrites: []Rewrite{{Regex: rewriteWholeHost, Replace: string(*rw.Hostname)}}}); err != nil {
				return nil, err
			}
		}
	}
	if rd := u.rule.Redirect; rd != nil && rd.Path != nil && rd.Path.ReplacePrefixMatch != nil {
		t, err := pathRewrite(*rd.Path, u.match)
		if err != nil {
			return nil, err
		}
		if err := add(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pathRewrite is LBC's url-rewrite of a path modifier: ReplaceFullPath
// replaces the path (not the query string); ReplacePrefixMatch replaces
// the match's path value and an optional slash after it ("(^<prefix>(/)?)"),
// putting the slash back unless the replacement ends in one, and "" by
// "/" (a path must stay a path).
func pathRewrite(m gwv1.HTTPPathModifier, match gwv1.HTTPRouteMatch) (Transform, error) {
	var rw Rewrite
	switch {
	case m.Type == gwv1.FullPathHTTPPathModifier && m.ReplaceFullPath != nil:
		rw = Rewrite{Regex: rewriteWholePath, Replace: *m.ReplaceFullPath}
	case m.Type == gwv1.PrefixMatchHTTPPathModifier && m.ReplacePrefixMatch != nil:
		prefix := "/" // a match without path matches the prefix "/" (the CRD's default)
		if match.Path != nil && match.Path.Value != nil {
			prefix = *match.Path.Value
		}
		repl := *m.ReplacePrefixMatch
		switch {
		case repl == "":
			repl = "/"
		case !strings.HasSuffix(repl, "/"):
			repl += "$2"
		}
		rw = Rewrite{Regex: "(^" + prefix + "(/)?)", Replace: repl}
	default:
		return Transform{}, fmt.Errorf("unsupported path modifier %q", m.Type)
	}
	return Transform{Type: TransformURLRewrite, Rewrites: []Rewrite{rw}}, nil
}

// albTargetGroup is the target group of one backend of an HTTPRoute or a
// GRPCRoute (LBC's L7 target group: HTTP unless the
// TargetGroupConfiguration says HTTPS; version HTTP1, behind HTTPS the
// configuration's protocolVersion, else GRPC for a GRPCRoute or HTTP2 for
// an h2c port; health check on the group's
// protocol, /, 200-399, 15 s, 5 s, 3, 3; a GRPC group's on
// /AWS.ALB/healthcheck, gRPC code 12, matcher.grpcCode overriding it).
func (b *gwBuilder) albTargetGroup(rt *GatewayHTTPRoute, listenerProto string, be GatewayBackend) (TargetGroup, error) {
	props := be.TargetGroup
	if props == nil {
		props = &gwconfig.TargetGroupProps{}
	}
	tt := cmp.Or(b.d.DefaultTargetType, annotations.TargetTypeInstance)
	if props.TargetType != nil {
		tt = *props.TargetType
	}
	if tt != annotations.TargetTypeInstance && tt != annotations.TargetTypeIP {
		return TargetGroup{}, fmt.Errorf("target type %q is not supported for ALB Gateways", tt)
	}
	proto := ProtoHTTP
	if props.Protocol != nil {
		switch *props.Protocol {
		case ProtoHTTP, ProtoHTTPS:
			proto = *props.Protocol
		default:
			return TargetGroup{}, fmt.Errorf("backend protocol must be within [HTTP, HTTPS]: %v", *props.Protocol)
		}
	}
	svc, sp := be.Service, be.Port
	version := ProtocolVersionHTTP1
	switch {
	case listenerProto != ProtoHTTPS:
	case props.ProtocolVersion != nil:
		version = *props.ProtocolVersion
		if !slices.Contains([]string{ProtocolVersionHTTP1, ProtocolVersionHTTP2, ProtocolVersionGRPC}, version) {
			return TargetGroup{}, fmt.Errorf("protocolVersion must be within [HTTP1, HTTP2, GRPC]: %v", version)
		}
	case rt.GRPC:
		version = ProtocolVersionGRPC
	case sp.AppProtocol != nil && *sp.AppProtocol == "kubernetes.io/h2c":
		version = ProtocolVersionHTTP2
	}
	ipType, err := b.targetIPAddressType(be, props, tt)
	if err != nil {
		return TargetGroup{}, err
	}
	tg := TargetGroup{ServicePort: sp.Port, Protocol: proto, ProtocolVersion: version, TargetType: tt, IPAddressType: ipType}
	control, err := gatewayTargetControlPort(props, proto, tt)
	if err != nil {
		return TargetGroup{}, err
	}
	tg.TargetControlPort = control
	if tt == annotations.TargetTypeInstance {
		tg.Port = sp.NodePort
		if tg.Port == 0 {
			return TargetGroup{}, fmt.Errorf("TargetGroup port is empty. When using Instance targets, your service must be of type 'NodePort' or 'LoadBalancer'")
		}
	} else {
		tg.Port = 1
		if sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal != 0 {
			tg.Port = sp.TargetPort.IntVal
		}
	}
	hc := HealthCheck{Protocol: proto, Port: annotations.HealthCheckTrafficPort, Path: "/", Matcher: "200-399",
		Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}
	if version == ProtocolVersionGRPC {
		hc.Path, hc.Matcher = "/AWS.ALB/healthcheck", "12"
	}
	if c := props.HealthCheckConfig; c != nil {
		if c.HealthCheckProtocol != nil {
			hc.Protocol = strings.ToUpper(*c.HealthCheckProtocol)
		}
		if c.HealthCheckPort != nil {
			port, err := resolveHCPort(svc, *c.HealthCheckPort, tt)
			if err != nil {
				return TargetGroup{}, err
			}
			hc.Port = port
		}
		if hc.Protocol == ProtoTCP {
			hc.Path, hc.Matcher = "", ""
		} else {
			if c.HealthCheckPath != nil {
				hc.Path = *c.HealthCheckPath
			}
			switch {
			case c.Matcher == nil:
			case version == ProtocolVersionGRPC && c.Matcher.GRPCCode != nil:
				hc.Matcher = *c.Matcher.GRPCCode
			case version != ProtocolVersionGRPC && c.Matcher.HTTPCode != nil:
				hc.Matcher = *c.Matcher.HTTPCode
			}
		}
		overrideHealthCheckCounts(&hc, c)
	}
	tg.HealthCheck = hc
	id := naming.GatewayTargetGroup{
		GatewayNamespace: b.gw.Namespace, GatewayName: b.gw.Name,
		RouteNamespace: rt.Namespace, RouteName: rt.Name, RouteKind: rt.kind(),
		ServiceNamespace: svc.Namespace, ServiceName: svc.Name,
		IdentifierPort: sp.TargetPort.String(), TargetPort: tg.Port, TargetType: tt, Protocol: proto, ProtocolVersion: version,
		TargetControlPort: control,
	}
	if err := b.identify(&tg, id, props); err != nil {
		return TargetGroup{}, err
	}
	tg.Backend = svc.Namespace + "/" + svc.Name
	nodes, err := b.instanceNodes(props)
	if err != nil {
		return TargetGroup{}, err
	}
	tg.Targets = serviceTargets(sp, tt, nodes, endpointsOfFamily(be.Endpoints, ipType))
	return tg, nil
}

// backends are every backend of the Gateway's routes.
func (b *gwBuilder) backends() []GatewayBackend {
	var out []GatewayBackend
	for _, p := range b.gw.Ports {
		if p.Route != nil {
			for _, be := range p.Route.Backends {
				if be.Chained == nil {
					out = append(out, be)
				}
			}
		}
		for _, rt := range p.HTTPRoutes {
			for _, r := range rt.Rules {
				out = append(out, r.Backends...)
			}
		}
	}
	return out
}
