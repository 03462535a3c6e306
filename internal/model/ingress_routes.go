package model

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// ALB rule condition fields.
const (
	FieldHostHeader        = "host-header"
	FieldPathPattern       = "path-pattern"
	FieldHTTPHeader        = "http-header"
	FieldHTTPRequestMethod = "http-request-method"
	FieldQueryString       = "query-string"
	FieldSourceIP          = "source-ip"
)

// ALB target-group protocol versions and health-check defaults (§6.7).
const (
	ProtocolVersionHTTP1 = "HTTP1"
	ProtocolVersionGRPC  = "GRPC"
	// useAnnotation is the backend port name that defers to actions.<name>.
	useAnnotation = "use-annotation"
)

// Fixed responses LBC uses.
var (
	notFoundResponse = FixedResponse{StatusCode: "404", ContentType: "text/plain"}
	// missingServiceResponse: a rule whose Service does not exist
	// (--tolerate-non-existent-backend-service, default true).
	missingServiceResponse = FixedResponse{StatusCode: "503", ContentType: "text/plain", MessageBody: "Backend service does not exist"}
	// missingActionResponse: a use-annotation backend without its actions
	// annotation (--tolerate-non-existent-backend-action, default true).
	missingActionResponse = FixedResponse{StatusCode: "503", ContentType: "text/plain", MessageBody: "Backend action does not exist"}
)

// route is one rule of a member before it gets a listener and priority.
type route struct {
	conds      []Condition
	action     Action
	transforms []Transform
	auth       routeAuth
}

// buildRoutes builds the member's routes (spec.rules, §6.6), its default
// action (spec.defaultBackend) and the target groups they forward to.
func (m *member) buildRoutes(stack naming.Stack, f Facts, d Defaults) error {
	m.tgs = map[string]*TargetGroup{}
	m.tgNodes = map[string]map[string]bool{}
	if db := m.Ingress.Spec.DefaultBackend; db != nil {
		if db.Service != nil {
			// LBC reads (and validates) them for a default backend too.
			if _, err := annotations.ParseRouteConditions(m.Ingress.Annotations, db.Service.Name); err != nil {
				return fmt.Errorf("ingress: %s: %w", m.key, err)
			}
			if _, err := annotations.ParseRouteTransforms(m.Ingress.Annotations, db.Service.Name); err != nil {
				return fmt.Errorf("ingress: %s: %w", m.key, err)
			}
		}
		a, err := m.backendAction(stack, *db, f, d)
		if err != nil {
			return err
		}
		m.defaultAction = &a
		m.defaultAuth = m.backendAuth(*db)
	}
	for _, r := range m.Ingress.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range sortPaths(r.HTTP.Paths) {
			var extra []annotations.RouteCondition
			var rts []annotations.RouteTransform
			if p.Backend.Service != nil {
				var err error
				if extra, err = annotations.ParseRouteConditions(m.Ingress.Annotations, p.Backend.Service.Name); err != nil {
					return fmt.Errorf("ingress: %s: %w", m.key, err)
				}
				if rts, err = annotations.ParseRouteTransforms(m.Ingress.Annotations, p.Backend.Service.Name); err != nil {
					return fmt.Errorf("ingress: %s: %w", m.key, err)
				}
			}
			a, err := m.backendAction(stack, p.Backend, f, d)
			if err != nil {
				return err
			}
			conds, err := ruleConditions(r.Host, p, m.cfg.UseRegexPathMatch != nil && *m.cfg.UseRegexPathMatch, extra)
			if err != nil {
				return fmt.Errorf("ingress: %s: %w", m.key, err)
			}
			m.routes = append(m.routes, route{conds: conds, action: a, transforms: transforms(rts), auth: m.backendAuth(p.Backend)})
		}
	}
	return nil
}

// backendAction is what a backend does: a use-annotation backend runs its
// actions.<name> annotation (a 503 when the annotation is missing, unless
// --tolerate-non-existent-backend-action=false); a Service backend forwards
// to its target group, or answers 503 when the Service does not exist.
func (m *member) backendAction(stack naming.Stack, b networkingv1.IngressBackend, f Facts, d Defaults) (Action, error) {
	if b.Service == nil {
		return Action{}, fmt.Errorf("ingress: %s: only service backends are supported", m.key)
	}
	if b.Service.Port.Name == useAnnotation {
		ra, ok, err := annotations.ParseRouteAction(m.Ingress.Annotations, b.Service.Name)
		switch {
		case err != nil:
			return Action{}, fmt.Errorf("ingress: %s: %w", m.key, err)
		case !ok && d.FailMissingBackendAction:
			return Action{}, fmt.Errorf("ingress: %s: missing actions.%s configuration (annotation %s%s)",
				m.key, b.Service.Name, annotations.IngActionsPrefix, b.Service.Name)
		case !ok:
			return Action{Type: ActionFixedResponse, FixedResponse: new(missingActionResponse)}, nil
		}
		a, err := m.routeAction(stack, ra, f, d)
		if err != nil {
			return Action{}, fmt.Errorf("ingress: %s: %s%s: %w", m.key, annotations.IngActionsPrefix, b.Service.Name, err)
		}
		return a, nil
	}
	svc := m.Services[b.Service.Name]
	if svc == nil {
		return Action{Type: ActionFixedResponse, FixedResponse: new(missingServiceResponse)}, nil
	}
	tg, err := m.targetGroup(stack, svc, b.Service.Port, f, d)
	if err != nil {
		return Action{}, err
	}
	return Action{Type: ActionForward, TargetGroup: tg.ResourceID}, nil
}

// routeAction models a validated, normalized actions.<name> annotation.
func (m *member) routeAction(stack naming.Stack, ra annotations.RouteAction, f Facts, d Defaults) (Action, error) {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch ra.Type {
	case annotations.RouteFixedResponse:
		c := ra.FixedResponseConfig
		return Action{Type: ActionFixedResponse, FixedResponse: &FixedResponse{
			StatusCode: c.StatusCode, ContentType: deref(c.ContentType), MessageBody: deref(c.MessageBody)}}, nil
	case annotations.RouteRedirect:
		c := ra.RedirectConfig
		return Action{Type: ActionRedirect, Redirect: &Redirect{Protocol: deref(c.Protocol), Port: deref(c.Port),
			Host: deref(c.Host), Path: deref(c.Path), Query: deref(c.Query), StatusCode: c.StatusCode}}, nil
	}
	fc := ra.ForwardConfig
	// LBC answers 503 for a missing Service only when the forward has one
	// target, that Service.
	single := len(fc.TargetGroups) == 1 && len(ra.ServiceNames()) == 1
	for _, name := range ra.ServiceNames() {
		if m.Services[name] == nil {
			if single {
				return Action{Type: ActionFixedResponse, FixedResponse: new(missingServiceResponse)}, nil
			}
			return Action{}, fmt.Errorf("services %q not found", name)
		}
	}
	fw := &Forward{}
	for _, t := range fc.TargetGroups {
		w := WeightedTarget{Weight: t.Weight}
		switch {
		case t.TargetGroupARN != nil:
			w.ARN = *t.TargetGroupARN
		case t.TargetGroupName != nil:
			arn, ok := f.TargetGroupARNs[*t.TargetGroupName]
			if !ok {
				return Action{}, fmt.Errorf("searching TargetGroup with name %s: expecting a single targetGroup with query [%s] but got 0",
					*t.TargetGroupName, *t.TargetGroupName)
			}
			w.ARN = arn
		default:
			bp := networkingv1.ServiceBackendPort{Name: t.ServicePort.StrVal}
			if t.ServicePort.Type == intstr.Int {
				bp = networkingv1.ServiceBackendPort{Number: t.ServicePort.IntVal}
			}
			tg, err := m.targetGroup(stack, m.Services[*t.ServiceName], bp, f, d)
			if err != nil {
				return Action{}, err
			}
			w.TargetGroup = tg.ResourceID
		}
		fw.TargetGroups = append(fw.TargetGroups, w)
	}
	if d.NoWeightedTargetGroups {
		if err := unweighted(fw); err != nil {
			return Action{}, err
		}
		return Action{Type: ActionForward, Forward: fw}, nil
	}
	if s := fc.TargetGroupStickinessConfig; s != nil {
		fw.Stickiness = &Stickiness{Enabled: s.Enabled, DurationSeconds: s.DurationSeconds}
	}
	return Action{Type: ActionForward, Forward: fw}, nil
}

// IngressTargetGroupNames are the target group names the members' actions
// annotations forward to (targetGroupName), sorted, for the controller to
// resolve into Facts.TargetGroupARNs. Invalid annotations are skipped (the
// build reports them).
func IngressTargetGroupNames(members []IngressMember) []string {
	var out []string
	for _, m := range members {
		var backends []networkingv1.IngressBackend
		if db := m.Ingress.Spec.DefaultBackend; db != nil {
			backends = append(backends, *db)
		}
		for _, r := range m.Ingress.Spec.Rules {
			if r.HTTP != nil {
				for _, p := range r.HTTP.Paths {
					backends = append(backends, p.Backend)
				}
			}
		}
		for _, b := range backends {
			if b.Service == nil || b.Service.Port.Name != useAnnotation {
				continue
			}
			ra, ok, err := annotations.ParseRouteAction(m.Ingress.Annotations, b.Service.Name)
			if !ok || err != nil || ra.ForwardConfig == nil {
				continue
			}
			for _, t := range ra.ForwardConfig.TargetGroups {
				if t.TargetGroupARN == nil && t.TargetGroupName != nil && !slices.Contains(out, *t.TargetGroupName) {
					out = append(out, *t.TargetGroupName)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// transforms models a transforms.<name> annotation's entries in order.
func transforms(rts []annotations.RouteTransform) []Transform {
	var out []Transform
	for _, rt := range rts {
		t := Transform{Type: rt.Type}
		for _, rw := range rt.Rewrites() {
			t.Rewrites = append(t.Rewrites, Rewrite{Regex: rw.Regex, Replace: rw.Replace})
		}
		out = append(out, t)
	}
	return out
}

// targetGroup builds (once) the target group of (member, Service, port as
// written): §2.1 and §6.7.
func (m *member) targetGroup(stack naming.Stack, svc *corev1.Service, bp networkingv1.ServiceBackendPort, f Facts, d Defaults) (*TargetGroup, error) {
	portStr := bp.Name
	if portStr == "" {
		portStr = strconv.Itoa(int(bp.Number))
	}
	id := naming.IngressTargetGroupResourceID(m.Ingress.Namespace, m.Ingress.Name, svc.Name, portStr)
	if tg, ok := m.tgs[id]; ok {
		return tg, nil
	}
	svcCfg, err := annotations.ParseIngressAnnotations(svc.Namespace, svc.Name, svc.Annotations)
	if err != nil {
		return nil, fmt.Errorf("service %s/%s: %w", svc.Namespace, svc.Name, err)
	}
	sp, ok := findServicePort(svc, bp)
	if !ok {
		return nil, fmt.Errorf("ingress: %s: unable to find port %s on service %s/%s", m.key, portStr, svc.Namespace, svc.Name)
	}
	tt := cmp.Or(m.targetTypeParam(), svcCfg.TargetType, m.cfg.TargetType, d.DefaultTargetType, annotations.TargetTypeInstance)
	tg := &TargetGroup{
		ResourceID:      id,
		ServicePort:     sp.Port,
		Protocol:        cmp.Or(svcCfg.BackendProtocol, m.cfg.BackendProtocol, annotations.ProtocolHTTP),
		ProtocolVersion: cmp.Or(svcCfg.BackendProtocolVer, m.cfg.BackendProtocolVer, ProtocolVersionHTTP1),
		TargetType:      tt,
		IPAddressType:   "ipv4",
		Backend:         svc.Namespace + "/" + svc.Name,
	}
	switch tt {
	case annotations.TargetTypeInstance:
		tg.Port = sp.NodePort
		if svc.Spec.Type == corev1.ServiceTypeClusterIP || tg.Port == 0 {
			return nil, fmt.Errorf("ingress: %s: TargetGroup port is empty. When using Instance targets, your service be must of type 'NodePort' or 'LoadBalancer'", m.key)
		}
	default:
		tg.Port = 1 // a named target port: targets carry each pod's port
		if sp.TargetPort.Type == intstr.Int {
			tg.Port = cmp.Or(sp.TargetPort.IntVal, sp.Port)
		}
	}
	hc, err := albHealthCheck(svc, m.cfg.HealthCheck, svcCfg.HealthCheck, tg.Protocol, tg.ProtocolVersion, tt)
	if err != nil {
		return nil, err
	}
	tg.HealthCheck = hc
	if tg.TargetControlPort, err = annotations.TargetControlPort(svc.Annotations, m.Ingress.Annotations, svc.Name, portStr); err != nil {
		return nil, err
	}
	if tg.TargetControlPort != nil && tt == annotations.TargetTypeInstance {
		return nil, fmt.Errorf("target control port is not supported for instance target target group")
	}
	tg.Name = naming.IngressTargetGroupName(d.ClusterName, naming.IngressTargetGroup{
		GroupID: stack.ID(), IngressNamespace: m.Ingress.Namespace, IngressName: m.Ingress.Name,
		ServiceName: svc.Name, ServiceUID: string(svc.UID), BackendPort: portStr,
		TargetPort: tg.Port, TargetType: tt, Protocol: tg.Protocol, ProtocolVersion: tg.ProtocolVersion,
		TargetControlPort: ptrValue(tg.TargetControlPort),
	})
	// §3.2: ICP ⊕ Service tags ⊕ Ingress tags, the earlier source winning.
	if err := naming.ValidateUserTags(svcCfg.Tags, d.ExternalManagedTags, ""); err != nil {
		return nil, fmt.Errorf("failed build tags for Service %s/%s: %w", svc.Namespace, svc.Name, err)
	}
	user := maps.Clone(m.cfg.Tags)
	if user == nil {
		user = map[string]string{}
	}
	maps.Copy(user, svcCfg.Tags)
	maps.Copy(user, m.paramTags())
	tg.Tags = naming.WithTracking(naming.TrackingTags(d.ClusterName, stack, id),
		naming.MergeUserTags(d.DefaultTags, user, d.DefaultTagsLowPriority))
	if len(m.cfg.TargetGroupAttrs)+len(svcCfg.TargetGroupAttrs) > 0 {
		tg.Attributes = maps.Clone(m.cfg.TargetGroupAttrs)
		if tg.Attributes == nil {
			tg.Attributes = map[string]string{}
		}
		maps.Copy(tg.Attributes, svcCfg.TargetGroupAttrs)
	}
	eps := m.Endpoints[svc.Name]
	// target-node-labels: the backend Service's annotation, when present,
	// wins over the Ingress's (LBC merges the two annotation maps).
	selector := m.cfg.TargetNodeLabels
	if _, ok := svc.Annotations[annotations.IngTargetNodeLabels]; ok {
		selector = svcCfg.TargetNodeLabels
	}
	targetNodes := TargetNodes(f.Nodes, selector)
	tg.Targets = serviceTargets(sp, tt, targetNodes, eps)
	tg.MultiCluster = m.cfg.MultiClusterTargetGroup || svcCfg.MultiClusterTargetGroup
	nodes := map[string]bool{}
	if tt == annotations.TargetTypeInstance {
		for _, n := range targetNodes {
			nodes[n.Name] = true
		}
	} else {
		for _, e := range eps {
			nodes[e.NodeName] = true
		}
	}
	m.tgs[id], m.tgNodes[id] = tg, nodes
	return tg, nil
}

// paramTags are the member's IngressClassParams tags.
func (m *member) paramTags() map[string]string {
	if m.Params == nil {
		return nil
	}
	out := map[string]string{}
	for _, t := range m.Params.Tags {
		out[t.Key] = t.Value
	}
	return out
}

// findServicePort finds the Service port an Ingress backend names, by port
// name or number.
func findServicePort(svc *corev1.Service, bp networkingv1.ServiceBackendPort) (corev1.ServicePort, bool) {
	for _, p := range svc.Spec.Ports {
		if (bp.Name != "" && p.Name == bp.Name) || (bp.Name == "" && p.Port == bp.Number) {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

// albHealthCheck is §6.7: protocol = TG protocol, traffic-port, "/"
// (GRPC "/AWS.ALB/healthcheck"), 15/5/2/2, matcher 200 (GRPC 12); the
// Ingress's annotations override it and the Service's override those.
func albHealthCheck(svc *corev1.Service, ing, svcHC annotations.HealthCheck, proto, version, tt string) (HealthCheck, error) {
	hc := HealthCheck{Protocol: proto, Port: annotations.HealthCheckTrafficPort, Path: "/",
		Interval: 15, Timeout: 5, Healthy: 2, Unhealthy: 2, Matcher: "200"}
	if version == ProtocolVersionGRPC {
		hc.Path, hc.Matcher = "/AWS.ALB/healthcheck", "12"
	}
	for _, a := range []annotations.HealthCheck{ing, svcHC} {
		hc.Protocol = cmp.Or(a.Protocol, hc.Protocol) // case-sensitive for ALBs
		hc.Path = cmp.Or(a.Path, hc.Path)
		hc.Matcher = cmp.Or(a.SuccessCodes, hc.Matcher)
		if a.Port != "" {
			hc.Port = a.Port
		}
		for _, o := range []struct{ dst, src *int32 }{
			{&hc.Interval, a.Interval}, {&hc.Timeout, a.Timeout},
			{&hc.Healthy, a.HealthyThreshold}, {&hc.Unhealthy, a.UnhealthyThreshold},
		} {
			if o.src != nil {
				*o.dst = *o.src
			}
		}
	}
	port, err := resolveHCPort(svc, hc.Port, tt)
	if err != nil {
		return HealthCheck{}, err
	}
	hc.Port = port
	return hc, nil
}

// sortPaths orders one rule's paths as LBC does (§6.6): Exact in their
// order, then Prefix by length descending (stable), then the rest.
func sortPaths(paths []networkingv1.HTTPIngressPath) []networkingv1.HTTPIngressPath {
	rank := func(p networkingv1.HTTPIngressPath) int {
		switch pathType(p) {
		case networkingv1.PathTypeExact:
			return 0
		case networkingv1.PathTypePrefix:
			return 1
		default: // ImplementationSpecific, and unknown types (refused later)
			return 2
		}
	}
	out := slices.Clone(paths)
	slices.SortStableFunc(out, func(a, b networkingv1.HTTPIngressPath) int {
		ra, rb := rank(a), rank(b)
		if ra != rb {
			return cmp.Compare(ra, rb)
		}
		if ra == 1 {
			return cmp.Compare(len(b.Path), len(a.Path))
		}
		return 0
	})
	return out
}

func pathType(p networkingv1.HTTPIngressPath) networkingv1.PathType {
	if p.PathType == nil {
		return networkingv1.PathTypeImplementationSpecific
	}
	return *p.PathType
}

// PathPatterns are the path-pattern values of one Ingress path (§6.6,
// scenario 18), with LBC's error texts.
func PathPatterns(p networkingv1.HTTPIngressPath) ([]string, error) {
	path := p.Path
	switch t := pathType(p); t {
	case networkingv1.PathTypeExact:
		if strings.ContainsAny(path, "*?") {
			return nil, fmt.Errorf("exact path shouldn't contain wildcards: %s", path)
		}
		return []string{path}, nil
	case networkingv1.PathTypePrefix:
		if strings.ContainsAny(path, "*?") {
			return nil, fmt.Errorf("prefix path shouldn't contain wildcards: %s", path)
		}
		if path == "/" {
			return []string{"/*"}, nil
		}
		path = strings.TrimSuffix(path, "/")
		return []string{path, path + "/*"}, nil
	case networkingv1.PathTypeImplementationSpecific:
		if path == "" {
			return nil, nil
		}
		return []string{path}, nil
	default:
		return nil, fmt.Errorf("unsupported pathType: %s", t)
	}
}

// ruleConditions are a rule's conditions as LBC builds them: the
// conditions.<name> annotation's http-header, http-request-method,
// query-string and source-ip conditions in their order, then one
// host-header condition (the rule's host, then the annotation's hosts), then
// one path-pattern condition (the path's patterns, then the annotation's);
// hosts and paths each take either values or regex values, never both.
// None at all → path-pattern /*. With use-regex-path-match, an
// ImplementationSpecific path is a regex (its leading "/" dropped).
func ruleConditions(host string, p networkingv1.HTTPIngressPath, regexPaths bool, extra []annotations.RouteCondition) ([]Condition, error) {
	var hosts, hostRegex, paths, pathRegex []string
	if host != "" {
		hosts = append(hosts, host)
	}
	if p.Path != "" {
		if regexPaths && pathType(p) == networkingv1.PathTypeImplementationSpecific {
			pathRegex = append(pathRegex, p.Path[1:])
		} else {
			patterns, err := PathPatterns(p)
			if err != nil {
				return nil, err
			}
			paths = append(paths, patterns...)
		}
	}
	var out []Condition
	for _, c := range extra {
		switch c.Field {
		case annotations.CondHostHeader:
			hosts = append(hosts, c.HostHeaderConfig.Values...)
			hostRegex = append(hostRegex, c.HostHeaderConfig.RegexValues...)
		case annotations.CondPathPattern:
			paths = append(paths, c.PathPatternConfig.Values...)
			pathRegex = append(pathRegex, c.PathPatternConfig.RegexValues...)
		case annotations.CondHTTPHeader:
			h := c.HTTPHeaderConfig
			out = append(out, Condition{Field: FieldHTTPHeader, HTTPHeaderName: h.HTTPHeaderName,
				Values: slices.Clone(h.Values), RegexValues: slices.Clone(h.RegexValues)})
		case annotations.CondHTTPRequestMethod:
			out = append(out, Condition{Field: FieldHTTPRequestMethod, Values: slices.Clone(c.HTTPRequestMethodConfig.Values)})
		case annotations.CondQueryString:
			q := Condition{Field: FieldQueryString}
			for _, kv := range c.QueryStringConfig.Values {
				pair := QueryPair{Value: kv.Value}
				if kv.Key != nil {
					pair.Key = *kv.Key
				}
				q.QueryString = append(q.QueryString, pair)
			}
			out = append(out, q)
		case annotations.CondSourceIP:
			out = append(out, Condition{Field: FieldSourceIP, Values: slices.Clone(c.SourceIPConfig.Values)})
		}
	}
	if len(hosts) != 0 && len(hostRegex) != 0 {
		return nil, fmt.Errorf("host condition must specify exactly one of Values and RegexValues, got both Values %s and RegexValues %s", hosts, hostRegex)
	}
	if len(paths) != 0 && len(pathRegex) != 0 {
		return nil, fmt.Errorf("path condition must specify exactly one of Values and RegexValues, got both Values %s and RegexValues %s", paths, pathRegex)
	}
	if len(hosts) != 0 {
		out = append(out, Condition{Field: FieldHostHeader, Values: hosts})
	}
	if len(hostRegex) != 0 {
		out = append(out, Condition{Field: FieldHostHeader, RegexValues: hostRegex})
	}
	if len(paths) != 0 {
		out = append(out, Condition{Field: FieldPathPattern, Values: paths})
	}
	if len(pathRegex) != 0 {
		out = append(out, Condition{Field: FieldPathPattern, RegexValues: pathRegex})
	}
	if len(out) == 0 {
		out = append(out, Condition{Field: FieldPathPattern, Values: []string{"/*"}})
	}
	return out, nil
}
