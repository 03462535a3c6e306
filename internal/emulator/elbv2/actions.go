package elbv2

import (
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

var (
	fixedStatusRe = regexp.MustCompile(`^(2|4|5)\d\d$`)
	hostRe        = regexp.MustCompile(`^[A-Za-z0-9\-.*?]+$`)
	methodRe      = regexp.MustCompile(`^[A-Za-z_-]+$`)
	contentTypes  = []string{"text/plain", "text/css", "text/html", "application/javascript", "application/json"}
	terminalTypes = []string{"forward", "redirect", "fixed-response"}
)

// parseActions reads key.member.N (DefaultActions or Actions) for a listener
// of protocol on lb; prev are the actions they replace (nil on create), for
// UseExistingClientSecret. It checks shapes and target groups, not quotas
// over the whole load balancer (see checkLBTargetGroups).
func (b *Backend) parseActions(p query.Params, key string, lb *loadBalancer, protocol string, prev []action) ([]action, error) {
	members := p.Members(key)
	if len(members) == 0 {
		return nil, query.ValidationError("At least one action must be specified")
	}
	if len(members) > b.Quotas.ActionsPerRule {
		return nil, errf("TooManyActions", "A rule can have a maximum of %d actions", b.Quotas.ActionsPerRule)
	}
	out := make([]action, 0, len(members))
	orders := map[int]bool{}
	for _, m := range members {
		a, err := b.parseAction(m, lb, protocol)
		if err != nil {
			return nil, err
		}
		if a.Order != 0 {
			if orders[a.Order] {
				return nil, query.ValidationError("The action order '%d' is specified more than once", a.Order)
			}
			orders[a.Order] = true
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	terminal := 0
	for i, a := range out {
		if contains(terminalTypes, a.Type) {
			terminal++
			if i != len(out)-1 {
				return nil, errf("InvalidLoadBalancerAction", "The action type '%s' must be the last action", a.Type)
			}
		}
	}
	if terminal != 1 {
		return nil, errf("InvalidLoadBalancerAction", "Exactly one forward, redirect or fixed-response action must be specified")
	}
	return out, keepSecrets(prev, out)
}

// actionConfigs maps each action type to the members only it may carry.
var actionConfigs = map[string][]string{
	"forward":              {"ForwardConfig", "TargetGroupArn"},
	"redirect":             {"RedirectConfig"},
	"fixed-response":       {"FixedResponseConfig"},
	"authenticate-oidc":    {"AuthenticateOidcConfig"},
	"authenticate-cognito": {"AuthenticateCognitoConfig"},
	"jwt-validation":       {"JwtValidationConfig"},
}

// configFor refuses a member that belongs to another action type or
// condition field than kind's value (AWS: specify only when Type is …).
func configFor(m query.Params, kind, value string, configs map[string][]string) error {
	owners := make([]string, 0, len(configs))
	for o := range configs {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, owner := range owners {
		if owner == value {
			continue
		}
		for _, k := range configs[owner] {
			if m.Has(k) && !contains(configs[value], k) {
				return query.ValidationError("%s can only be specified when the %s is '%s'", k, kind, owner)
			}
		}
	}
	return nil
}

var actionTypes = []string{"forward", "authenticate-oidc", "authenticate-cognito", "redirect", "fixed-response", "jwt-validation"}

func (b *Backend) parseAction(m query.Params, lb *loadBalancer, protocol string) (action, error) {
	a := action{Type: m.Get("Type")}
	switch {
	case a.Type == "":
		return a, query.ValidationError("An action type must be specified")
	case !contains(actionTypes, a.Type):
		return a, constraint(a.Type, "actions.member.type", "Member must satisfy enum value set: ["+strings.Join(actionTypes, ", ")+"]")
	case lb.Type != "application" && a.Type != "forward":
		return a, errf("InvalidLoadBalancerAction", "The action type '%s' is not supported for load balancers of type '%s'", a.Type, lb.Type)
	}
	if err := configFor(m, "action type", a.Type, actionConfigs); err != nil {
		return a, err
	}
	n, _, err := intParam(m, "Order", "actions.member.order", 1, 50000)
	if err != nil {
		return a, err
	}
	a.Order = n
	switch a.Type {
	case "forward":
		a.Forward, err = b.parseForward(m, lb, protocol)
	case "redirect":
		a.Redirect, err = parseRedirect(m.Sub("RedirectConfig"))
	case "fixed-response":
		a.FixedResponse, err = parseFixedResponse(m.Sub("FixedResponseConfig"))
	case "jwt-validation":
		a.JWT, err = parseJWT(m.Sub("JwtValidationConfig"), protocol)
	default: // authenticate-oidc, authenticate-cognito
		a.Auth, a.AuthExtra, err = parseAuth(m, a.Type, protocol)
	}
	return a, err
}

var jwtClaimFormats = []string{"single-string", "string-array", "space-separated-values"}

// parseJWT reads a jwt-validation action's config (HTTPS listeners only).
func parseJWT(c query.Params, protocol string) (*jwtConfig, error) {
	if protocol != "HTTPS" {
		return nil, invalidConfig("JWT validation actions are only supported on HTTPS listeners")
	}
	j := &jwtConfig{JwksEndpoint: c.Get("JwksEndpoint"), Issuer: c.Get("Issuer")}
	switch {
	case j.JwksEndpoint == "":
		return nil, query.ValidationError("JwtValidationConfig.JwksEndpoint must be specified")
	case j.Issuer == "":
		return nil, query.ValidationError("JwtValidationConfig.Issuer must be specified")
	}
	for _, m := range c.Members("AdditionalClaims") {
		cl := jwtClaim{Format: m.Get("Format"), Name: m.Get("Name")}
		cl.Values = m.MemberStrings("Values")
		switch {
		case !contains(jwtClaimFormats, cl.Format):
			return nil, constraint(cl.Format, "actions.member.jwtValidationConfig.additionalClaims.member.format",
				"Member must satisfy enum value set: ["+strings.Join(jwtClaimFormats, ", ")+"]")
		case cl.Name == "":
			return nil, query.ValidationError("JwtValidationConfig.AdditionalClaims.Name must be specified")
		case len(cl.Values) == 0:
			return nil, query.ValidationError("JwtValidationConfig.AdditionalClaims.Values must be specified")
		}
		j.Claims = append(j.Claims, cl)
	}
	return j, nil
}

func parseRedirect(c query.Params) (*redirectConfig, error) {
	r := &redirectConfig{Protocol: c.Get("Protocol"), Port: c.Get("Port"), Host: c.Get("Host"),
		Path: c.Get("Path"), Query: c.Get("Query"), StatusCode: c.Get("StatusCode")}
	if r.StatusCode != "HTTP_301" && r.StatusCode != "HTTP_302" {
		return nil, constraint(r.StatusCode, "actions.member.redirectConfig.statusCode", "Member must satisfy enum value set: [HTTP_301, HTTP_302]")
	}
	if r.Protocol != "" && !contains([]string{"HTTP", "HTTPS", "#{protocol}"}, r.Protocol) {
		return nil, query.ValidationError("Redirect protocol '%s' is not valid", r.Protocol)
	}
	// AWS fills in the URI components left out.
	for _, f := range []struct {
		dst *string
		def string
	}{{&r.Protocol, "#{protocol}"}, {&r.Port, "#{port}"}, {&r.Host, "#{host}"}, {&r.Path, "/#{path}"}, {&r.Query, "#{query}"}} {
		if *f.dst == "" {
			*f.dst = f.def
		}
	}
	return r, nil
}

func parseFixedResponse(c query.Params) (*fixedResponseConfig, error) {
	f := &fixedResponseConfig{MessageBody: c.Get("MessageBody"), StatusCode: c.Get("StatusCode"), ContentType: c.Get("ContentType")}
	switch {
	case !fixedStatusRe.MatchString(f.StatusCode):
		return nil, constraint(f.StatusCode, "actions.member.fixedResponseConfig.statusCode", "Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$")
	case f.ContentType != "" && !contains(contentTypes, f.ContentType):
		return nil, query.ValidationError("Content type '%s' is not valid", f.ContentType)
	case len(f.MessageBody) > 1024:
		return nil, constraint(f.MessageBody, "actions.member.fixedResponseConfig.messageBody", "Member must have length less than or equal to 1024")
	}
	return f, nil
}

// parseAuth keeps an authentication config's scalar members and its
// AuthenticationRequestExtraParams map.
func parseAuth(m query.Params, typ, protocol string) (map[string]string, map[string]string, error) {
	if protocol != "HTTPS" {
		return nil, nil, invalidConfig("Authenticate actions are only supported on HTTPS listeners")
	}
	sub := "AuthenticateOidcConfig"
	required := []string{"Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint", "ClientId"}
	if typ == "authenticate-cognito" {
		sub = "AuthenticateCognitoConfig"
		required = []string{"UserPoolArn", "UserPoolClientId", "UserPoolDomain"}
	}
	c := m.Sub(sub)
	fields := map[string]string{}
	for _, k := range c.Keys() {
		if !strings.Contains(k, ".") {
			fields[k] = c.Get(k)
		}
	}
	for _, k := range required {
		if fields[k] == "" {
			return nil, nil, query.ValidationError("%s.%s must be specified", sub, k)
		}
	}
	if typ == "authenticate-oidc" {
		useExisting := strings.EqualFold(fields["UseExistingClientSecret"], "true")
		delete(fields, "UseExistingClientSecret")
		switch _, has := fields["ClientSecret"]; {
		case has && useExisting:
			return nil, nil, errf("InvalidLoadBalancerAction", "You cannot both specify a client secret and set UseExistingClientSecret to true")
		case !has && !useExisting:
			return nil, nil, query.ValidationError("%s.ClientSecret must be specified", sub)
		case useExisting:
			fields[keepSecret] = "true" // replaced by the action's current secret (keepSecrets)
		}
	}
	// ELBv2 reports the defaults of the members left out.
	for k, def := range map[string]string{"OnUnauthenticatedRequest": "authenticate", "Scope": "openid",
		"SessionCookieName": "AWSELBAuthSessionCookie", "SessionTimeout": "604800"} {
		if _, ok := fields[k]; !ok {
			fields[k] = def
		}
	}
	if v := fields["OnUnauthenticatedRequest"]; !contains([]string{"deny", "allow", "authenticate"}, v) {
		return nil, nil, constraint(v, "actions.member."+lowerFirst(sub)+".onUnauthenticatedRequest", "Member must satisfy enum value set: [deny, allow, authenticate]")
	}
	if n, err := strconv.ParseInt(fields["SessionTimeout"], 10, 64); err != nil || n < 1 || n > 604800 {
		return nil, nil, invalidConfig("The session timeout must be between 1 and 604800 seconds")
	}
	extra := c.Entries("AuthenticationRequestExtraParams")
	if len(extra) == 0 {
		extra = nil
	}
	return fields, extra, nil
}

// keepSecret marks an OIDC config sent with UseExistingClientSecret.
const keepSecret = "\x00keep"

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// keepSecrets gives each authenticate-oidc action of next sent with
// UseExistingClientSecret the client secret of prev's authenticate-oidc
// action (a ModifyRule or ModifyListener); without one it is refused.
func keepSecrets(prev, next []action) error {
	for i := range next {
		if next[i].Auth == nil || next[i].Auth[keepSecret] == "" {
			continue
		}
		delete(next[i].Auth, keepSecret)
		found := false
		for _, p := range prev {
			if p.Type == "authenticate-oidc" && p.Auth != nil {
				next[i].Auth["ClientSecret"], found = p.Auth["ClientSecret"], true
			}
		}
		if !found {
			return query.ValidationError("AuthenticateOidcConfig.ClientSecret must be specified")
		}
	}
	return nil
}

func (b *Backend) parseForward(m query.Params, lb *loadBalancer, protocol string) (*forwardConfig, error) {
	f, err := parseForwardConfig(m.Sub("ForwardConfig"), lb.Type == "network")
	if err != nil {
		return nil, err
	}
	single := m.Get("TargetGroupArn")
	switch {
	case single != "" && len(f.TargetGroups) == 0:
		f.TargetGroups = []tgTuple{{ARN: single}}
	case single != "" && (len(f.TargetGroups) != 1 || f.TargetGroups[0].ARN != single):
		return nil, query.ValidationError("You cannot specify both a target group ARN and a different target group list")
	case single == "" && len(f.TargetGroups) == 0:
		return nil, query.ValidationError("A target group ARN must be specified for forward actions")
	}
	limit := b.Quotas.TargetGroupsPerActionALB
	if lb.Type != "application" {
		limit = b.Quotas.TargetGroupsPerActionNLB
	}
	if len(f.TargetGroups) > limit {
		return nil, invalidConfig("A forward action for a load balancer of type '%s' can have at most %d target groups", lb.Type, limit)
	}
	seen := map[string]bool{}
	for _, t := range f.TargetGroups {
		if seen[t.ARN] {
			return nil, query.ValidationError("Target group '%s' is specified more than once", t.ARN)
		}
		seen[t.ARN] = true
		if err := b.checkForwardTarget(t.ARN, lb, protocol); err != nil {
			return nil, err
		}
	}
	if lb.Type == "network" {
		if err := b.checkNLBForward(f, protocol); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// nlbWeightedProtocols are the NLB listener protocols whose forward may
// name several (weighted) target groups.
var nlbWeightedProtocols = []string{"TCP", "TLS", "UDP", "TCP_UDP"}

// checkNLBForward applies the Network Load Balancer rules of a forward
// (checked target groups in f): weighted target groups only on TCP, TLS,
// UDP and TCP_UDP listeners, all of one IP address type and, on TLS
// listeners, of one protocol and without stickiness.
func (b *Backend) checkNLBForward(f *forwardConfig, protocol string) error {
	if protocol == "TLS" && f.Stickiness {
		return invalidConfig("Target group stickiness is not supported for TLS listeners")
	}
	if len(f.TargetGroups) < 2 {
		return nil
	}
	if !contains(nlbWeightedProtocols, protocol) {
		return invalidConfig("Multiple target groups are not supported for %s listeners", protocol)
	}
	first := b.st.TargetGroups[f.TargetGroups[0].ARN]
	for _, t := range f.TargetGroups[1:] {
		tg := b.st.TargetGroups[t.ARN]
		if tg.IPAddressType != first.IPAddressType {
			return invalidConfig("All target groups of a forward action must have the same IP address type")
		}
		if protocol == "TLS" && tg.Protocol != first.Protocol {
			return invalidConfig("All target groups of a forward action on a TLS listener must have the same protocol")
		}
	}
	return nil
}

// parseForwardConfig reads ForwardConfig's target group tuples and
// stickiness; nlb: for a Network Load Balancer, whose stickiness has no
// duration.
func parseForwardConfig(c query.Params, nlb bool) (*forwardConfig, error) {
	f := &forwardConfig{}
	for _, t := range c.Members("TargetGroups") {
		tt := tgTuple{ARN: t.Get("TargetGroupArn")}
		if tt.ARN == "" {
			return nil, query.ValidationError("A target group ARN must be specified in each target group tuple")
		}
		w, ok, err := intParam(t, "Weight", "actions.member.forwardConfig.targetGroups.member.weight", 0, 999)
		if err != nil {
			return nil, err
		}
		if ok {
			tt.Weight = &w
		}
		f.TargetGroups = append(f.TargetGroups, tt)
	}
	st := c.Sub("TargetGroupStickinessConfig")
	if st.Len() == 0 {
		return f, nil
	}
	en, _, err := boolParam(st, "Enabled", "targetGroupStickinessConfig.enabled")
	if err != nil {
		return nil, err
	}
	d, ok, err := intParam(st, "DurationSeconds", "targetGroupStickinessConfig.durationSeconds", 1, 604800)
	if err != nil {
		return nil, err
	}
	switch {
	case nlb && ok:
		return nil, query.ValidationError("A stickiness duration can only be specified for Application Load Balancers")
	case en && !ok && !nlb:
		return nil, query.ValidationError("A stickiness duration must be specified when stickiness is enabled")
	}
	f.Stickiness, f.StickinessSet, f.StickinessDuration = en, true, d
	return f, nil
}

// checkForwardTarget checks that lb may forward to the target group.
func (b *Backend) checkForwardTarget(arn string, lb *loadBalancer, protocol string) error {
	if err := checkARN(arn, "targetgroup"); err != nil {
		return err
	}
	tg := b.st.TargetGroups[arn]
	if tg == nil {
		return tgNotFound()
	}
	for _, u := range b.st.usersOf(arn) {
		if u != lb.ARN {
			return errf("TargetGroupAssociationLimit", "The following target groups cannot be associated with more than one load balancer: %s", arn)
		}
	}
	if tg.VPCID != "" && tg.VPCID != lb.VPCID {
		return query.ValidationError("Target group '%s' is not in the load balancer's VPC '%s'", arn, lb.VPCID)
	}
	if !compatible(lb.Type, protocol, tg) {
		return errf("IncompatibleProtocols", "The target group protocol '%s' is not compatible with a %s listener on a load balancer of type '%s'", tg.Protocol, protocol, lb.Type)
	}
	return nil
}

// nlbCompatible lists, per NLB listener protocol, the target group
// protocols it may forward to.
var nlbCompatible = map[string][]string{
	"TCP":      {"TCP", "TCP_UDP"},
	"TLS":      {"TLS", "TCP"},
	"UDP":      {"UDP", "TCP_UDP"},
	"TCP_UDP":  {"TCP_UDP", "TCP", "UDP"},
	"QUIC":     {"QUIC"},
	"TCP_QUIC": {"TCP_QUIC"},
}

func compatible(lbType, protocol string, tg *targetGroup) bool {
	switch lbType {
	case "application":
		return tg.TargetType == "lambda" || contains(albProtocols, tg.Protocol)
	case "network":
		return contains(nlbCompatible[protocol], tg.Protocol)
	}
	return tg.Protocol == "GENEVE"
}

// checkLBTargetGroups enforces the per-ALB unique target group quota for the
// set the load balancer would forward to with extra added.
func (b *Backend) checkLBTargetGroups(lb *loadBalancer, extra []action) error {
	if lb.Type != "application" {
		return nil
	}
	set := b.st.tgsOfLB(lb.ARN)
	for _, a := range extra {
		for _, t := range a.targetGroups() {
			set[t] = true
		}
	}
	if len(set) > b.Quotas.TargetGroupsPerALB {
		return errf("TooManyUniqueTargetGroupsPerLoadBalancer", "You have reached the limit on the number of unique target groups per load balancer (%d)", b.Quotas.TargetGroupsPerALB)
	}
	return nil
}

// conditionMembers maps each condition field to the members only it may
// carry (Values is shared by host-header and path-pattern).
var conditionMembers = map[string][]string{
	"host-header":         {"HostHeaderConfig", "Values"},
	"path-pattern":        {"PathPatternConfig", "Values"},
	"http-header":         {"HttpHeaderConfig"},
	"http-request-method": {"HttpRequestMethodConfig"},
	"source-ip":           {"SourceIpConfig"},
	"query-string":        {"QueryStringConfig"},
}

// conditionConfigs maps a condition field to its *Config member.
var conditionConfigs = map[string]string{
	"host-header":         "HostHeaderConfig",
	"path-pattern":        "PathPatternConfig",
	"http-header":         "HttpHeaderConfig",
	"http-request-method": "HttpRequestMethodConfig",
	"source-ip":           "SourceIpConfig",
	"query-string":        "QueryStringConfig",
}

// parseConditions reads Conditions.member.N.
func (b *Backend) parseConditions(p query.Params) ([]condition, error) {
	members := p.Members("Conditions")
	out := make([]condition, 0, len(members))
	once := map[string]bool{}
	values, wildcards := 0, 0
	for _, m := range members {
		c, err := parseCondition(m)
		if err != nil {
			return nil, err
		}
		if c.Field != "http-header" && c.Field != "query-string" {
			if once[c.Field] {
				return nil, query.ValidationError("A rule can have only one '%s' condition", c.Field)
			}
			once[c.Field] = true
		}
		for _, v := range c.Values {
			wildcards += strings.Count(v, "*") + strings.Count(v, "?")
		}
		for _, q := range c.QueryString {
			wildcards += strings.Count(q.Key+q.Value, "*") + strings.Count(q.Key+q.Value, "?")
		}
		values += len(c.Values) + len(c.QueryString) + len(c.RegexValues)
		out = append(out, c)
	}
	if values > b.Quotas.ConditionValuesPerRule {
		return nil, query.ValidationError("A rule can only have '%d' condition values", b.Quotas.ConditionValuesPerRule)
	}
	if wildcards > b.Quotas.ConditionWildcardsPerRule {
		return nil, query.ValidationError("A rule can only have '%d' wildcards", b.Quotas.ConditionWildcardsPerRule)
	}
	return out, nil
}

func parseCondition(m query.Params) (condition, error) {
	c := condition{Field: m.Get("Field")}
	cfg, known := conditionConfigs[c.Field]
	switch {
	case c.Field == "":
		return c, query.ValidationError("A condition field must be specified")
	case !known:
		return c, query.ValidationError("Condition field '%s' is not valid", c.Field)
	case (m.Has("RegexValues") || m.Sub(cfg).Has("RegexValues")) && !regexFields[c.Field]:
		return c, query.ValidationError("RegexValues can only be specified when the condition field is 'host-header', 'http-header' or 'path-pattern'")
	case m.Sub(cfg).Has("IpAddressType"):
		return c, notEmulated("SourceIpConfig.IpAddressType (Network Load Balancer source-ip conditions)")
	}
	if err := configFor(m, "condition field", c.Field, conditionMembers); err != nil {
		return c, err
	}
	if err := conditionValues(m, cfg, &c); err != nil {
		return c, err
	}
	if c.Field == "http-header" {
		if c.HTTPHeaderName = m.Sub(cfg).Get("HttpHeaderName"); c.HTTPHeaderName == "" {
			return c, query.ValidationError("An HTTP header name must be specified")
		}
	}
	if len(c.Values) == 0 && len(c.QueryString) == 0 && len(c.RegexValues) == 0 {
		return c, query.ValidationError("Condition '%s' must have at least one value", c.Field)
	}
	for _, v := range c.Values {
		if err := checkConditionValue(c.Field, v); err != nil {
			return c, err
		}
	}
	for _, v := range c.RegexValues {
		if _, err := regexp.Compile(v); err != nil || v == "" || len(v) > 128 {
			return c, query.ValidationError("Condition regex value '%s' is not a valid regular expression", v)
		}
	}
	return c, nil
}

// regexFields are the condition fields that take RegexValues.
var regexFields = map[string]bool{"host-header": true, "path-pattern": true, "http-header": true}

// conditionValues reads a condition's values from the legacy Values list
// (host-header and path-pattern only) or from its *Config member.
func conditionValues(m query.Params, cfg string, c *condition) error {
	sub := m.Sub(cfg)
	legacy := m.MemberStrings("Values")
	switch {
	case len(legacy) > 0 && c.Field != "host-header" && c.Field != "path-pattern":
		return query.ValidationError("Condition field '%s' requires %s", c.Field, cfg)
	case len(legacy) > 0 && sub.Len() > 0:
		return query.ValidationError("You cannot specify both Values and %s", cfg)
	case len(legacy) > 0:
		c.Values, c.LegacyValues = legacy, true
	case c.Field == "query-string":
		for _, kvp := range sub.Members("Values") {
			if kvp.Get("Value") == "" {
				return query.ValidationError("A query string value must be specified")
			}
			c.QueryString = append(c.QueryString, kv{Key: kvp.Get("Key"), Value: kvp.Get("Value")})
		}
	default:
		c.Values = sub.MemberStrings("Values")
		c.RegexValues = sub.MemberStrings("RegexValues")
		if top := m.MemberStrings("RegexValues"); len(top) > 0 {
			if len(c.RegexValues) > 0 {
				return query.ValidationError("You cannot specify both RegexValues and %s.RegexValues", cfg)
			}
			c.RegexValues = top
		}
		if len(c.Values) > 0 && len(c.RegexValues) > 0 {
			return query.ValidationError("You cannot specify both Values and RegexValues in a '%s' condition", c.Field)
		}
	}
	return nil
}

func checkConditionValue(field, v string) error {
	switch field {
	case "host-header":
		if len(v) > 128 || !hostRe.MatchString(v) {
			return query.ValidationError("Condition value '%s' is not a valid host header", v)
		}
	case "path-pattern":
		if v == "" || len(v) > 128 {
			return query.ValidationError("Condition value '%s' is not a valid path pattern", v)
		}
	case "http-request-method":
		if len(v) > 40 || !methodRe.MatchString(v) {
			return query.ValidationError("Condition value '%s' is not a valid HTTP request method", v)
		}
	case "source-ip":
		if _, err := netip.ParsePrefix(v); err != nil {
			return query.ValidationError("Condition value '%s' is not a valid CIDR block", v)
		}
	case "http-header":
		if len(v) > 128 {
			return query.ValidationError("Condition value '%s' is too long", v)
		}
	}
	return nil
}
