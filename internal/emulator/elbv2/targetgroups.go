package elbv2

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

var (
	albProtocols  = []string{"HTTP", "HTTPS"}
	nlbProtocols  = []string{"TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"}
	allProtocols  = []string{"HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC"}
	httpCodeRe    = regexp.MustCompile(`^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$`)
	healthPathMax = 1024
)

func (b *Backend) renderTG(tg *targetGroup) xTargetGroup {
	x := xTargetGroup{
		TargetGroupArn:             tg.ARN,
		TargetGroupName:            tg.Name,
		Protocol:                   tg.Protocol,
		Port:                       tg.Port,
		VpcID:                      tg.VPCID,
		HealthCheckProtocol:        tg.HealthCheckProtocol,
		HealthCheckPort:            tg.HealthCheckPort,
		HealthCheckEnabled:         tg.HealthCheckEnabled,
		HealthCheckIntervalSeconds: tg.HealthCheckIntervalSeconds,
		HealthCheckTimeoutSeconds:  tg.HealthCheckTimeoutSeconds,
		HealthyThresholdCount:      tg.HealthyThresholdCount,
		UnhealthyThresholdCount:    tg.UnhealthyThresholdCount,
		HealthCheckPath:            tg.HealthCheckPath,
		LoadBalancerArns:           b.st.usersOf(tg.ARN),
		TargetType:                 tg.TargetType,
		ProtocolVersion:            tg.ProtocolVersion,
		IPAddressType:              tg.IPAddressType,
		TargetControlPort:          tg.TargetControlPort,
	}
	if tg.MatcherHTTPCode != "" || tg.MatcherGRPCCode != "" {
		x.Matcher = &xMatcher{HTTPCode: tg.MatcherHTTPCode, GrpcCode: tg.MatcherGRPCCode}
	}
	return x
}

// healthSettings reads the health-check members shared by Create and
// ModifyTargetGroup into tg (which holds the current or default values).
func healthSettings(p query.Params, tg *targetGroup) error {
	for _, step := range []func(query.Params, *targetGroup) error{
		healthProtocol, healthPort, healthEnabled, healthPath, healthNumbers, healthMatcher,
	} {
		if err := step(p, tg); err != nil {
			return err
		}
	}
	// ALB groups need the timeout below the interval; NLB groups (LBC's
	// default is 10 s for both) may use equal values.
	alb := tg.Protocol == "HTTP" || tg.Protocol == "HTTPS" || tg.TargetType == "lambda"
	if tg.HealthCheckTimeoutSeconds > tg.HealthCheckIntervalSeconds || alb && tg.HealthCheckTimeoutSeconds == tg.HealthCheckIntervalSeconds {
		return invalidConfig("Health check timeout '%d' must be smaller than the interval '%d'", tg.HealthCheckTimeoutSeconds, tg.HealthCheckIntervalSeconds)
	}
	return nil
}

func healthProtocol(p query.Params, tg *targetGroup) error {
	v, ok := p.Lookup("HealthCheckProtocol")
	if !ok {
		return nil
	}
	if !contains([]string{"HTTP", "HTTPS", "TCP"}, v) {
		return constraint(v, "healthCheckProtocol", "Member must satisfy enum value set: [HTTP, HTTPS, TCP]")
	}
	if v == "TCP" && (tg.Protocol == "HTTP" || tg.Protocol == "HTTPS") {
		return invalidConfig("Health check protocol '%s' is not supported for target groups with the %s protocol", v, tg.Protocol)
	}
	if v == tg.HealthCheckProtocol {
		return nil
	}
	tg.HealthCheckProtocol = v
	switch {
	case v == "TCP":
		tg.HealthCheckPath, tg.MatcherHTTPCode = "", ""
	case tg.HealthCheckPath == "":
		// An NLB group checked over HTTP(S): AWS's defaults for that case.
		tg.HealthCheckPath, tg.MatcherHTTPCode = "/", "200-399"
		tg.HealthCheckTimeoutSeconds = 6
	}
	return nil
}

func healthPort(p query.Params, tg *targetGroup) error {
	v, ok := p.Lookup("HealthCheckPort")
	if !ok {
		return nil
	}
	if v != "traffic-port" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
			return query.ValidationError("Health check port '%s' must be 'traffic-port' or a number between 1 and 65535", v)
		}
	}
	tg.HealthCheckPort = v
	return nil
}

func healthEnabled(p query.Params, tg *targetGroup) error {
	v, ok, err := boolParam(p, "HealthCheckEnabled", "healthCheckEnabled")
	if ok && err == nil {
		tg.HealthCheckEnabled = v
	}
	return err
}

func healthPath(p query.Params, tg *targetGroup) error {
	v, ok := p.Lookup("HealthCheckPath")
	switch {
	case !ok:
		return nil
	case tg.HealthCheckProtocol == "TCP":
		return invalidConfig("Health check path cannot be set for the TCP health check protocol")
	case v == "" || len(v) > healthPathMax || v[0] != '/':
		return query.ValidationError("Health check path '%s' must begin with '/' and be at most %d characters", v, healthPathMax)
	}
	tg.HealthCheckPath = v
	return nil
}

func healthNumbers(p query.Params, tg *targetGroup) error {
	for _, f := range []struct {
		key, member string
		lo, hi      int
		dst         *int
	}{
		{"HealthCheckIntervalSeconds", "healthCheckIntervalSeconds", 5, 300, &tg.HealthCheckIntervalSeconds},
		{"HealthCheckTimeoutSeconds", "healthCheckTimeoutSeconds", 2, 120, &tg.HealthCheckTimeoutSeconds},
		{"HealthyThresholdCount", "healthyThresholdCount", 2, 10, &tg.HealthyThresholdCount},
		{"UnhealthyThresholdCount", "unhealthyThresholdCount", 2, 10, &tg.UnhealthyThresholdCount},
	} {
		v, ok, err := intParam(p, f.key, f.member, f.lo, f.hi)
		if err != nil {
			return err
		}
		if ok {
			*f.dst = v
		}
	}
	return nil
}

func healthMatcher(p query.Params, tg *targetGroup) error {
	m := p.Sub("Matcher")
	if c, ok := m.Lookup("HttpCode"); ok {
		if tg.HealthCheckProtocol == "TCP" {
			return invalidConfig("A matcher cannot be set for the TCP health check protocol")
		}
		if !httpCodeRe.MatchString(c) {
			return query.ValidationError("Matcher HttpCode '%s' is not valid", c)
		}
		tg.MatcherHTTPCode, tg.MatcherGRPCCode = c, ""
	}
	if c, ok := m.Lookup("GrpcCode"); ok {
		tg.MatcherGRPCCode, tg.MatcherHTTPCode = c, ""
	}
	return nil
}

// enumDefault reads an optional enum, def when absent.
func enumDefault(p query.Params, key, member, def string, allowed ...string) (string, error) {
	v, err := enumParam(p, key, member, allowed...)
	if v == "" && err == nil {
		v = def
	}
	return v, err
}

// newTargetGroup reads CreateTargetGroup's identity members and fills in
// AWS's defaults for the protocol.
func (b *Backend) newTargetGroup(p query.Params) (*targetGroup, error) {
	name := p.Get("Name")
	if err := validateName("target group", name); err != nil {
		return nil, err
	}
	tg := &targetGroup{Name: name}
	var err error
	if tg.TargetType, err = enumDefault(p, "TargetType", "targetType", "instance", "instance", "ip", "lambda", "alb"); err != nil {
		return nil, err
	}
	if tg.Protocol, err = enumParam(p, "Protocol", "protocol", allProtocols...); err != nil {
		return nil, err
	}
	if tg.ProtocolVersion, err = enumParam(p, "ProtocolVersion", "protocolVersion", "HTTP1", "HTTP2", "GRPC"); err != nil {
		return nil, err
	}
	if tg.IPAddressType, err = enumParam(p, "IpAddressType", "ipAddressType", "ipv4", "ipv6"); err != nil {
		return nil, err
	}
	port, hasPort, err := intParam(p, "Port", "port", 1, 65535)
	if err != nil {
		return nil, err
	}
	tg.Port, tg.VPCID = port, p.Get("VpcId")
	if tg.TargetControlPort, err = targetControlPort(p, tg); err != nil {
		return nil, err
	}
	if tg.TargetType == "lambda" {
		if tg.Protocol != "" || hasPort || tg.VPCID != "" {
			return nil, query.ValidationError("A protocol, port and VPC ID cannot be specified for target groups with target type 'lambda'")
		}
		lambdaDefaults(tg)
		return tg, nil
	}
	if err := b.checkTGPlacement(tg, hasPort); err != nil {
		return nil, err
	}
	protocolDefaults(tg)
	return tg, nil
}

// targetControlPort reads the port of the ALB target optimizer's agent,
// which only an Application Load Balancer's (HTTP or HTTPS) target group has.
func targetControlPort(p query.Params, tg *targetGroup) (int, error) {
	port, ok, err := intParam(p, "TargetControlPort", "targetControlPort", 1, 65535)
	switch {
	case err != nil || !ok:
		return 0, err
	case tg.Protocol != "HTTP" && tg.Protocol != "HTTPS":
		return 0, invalidConfig("A target control port can only be specified for target groups with the HTTP or HTTPS protocol")
	}
	return port, nil
}

func lambdaDefaults(tg *targetGroup) {
	tg.HealthCheckEnabled = false
	tg.HealthCheckPath = "/"
	tg.HealthCheckIntervalSeconds, tg.HealthCheckTimeoutSeconds = 35, 30
	tg.HealthyThresholdCount, tg.UnhealthyThresholdCount = 5, 2
	tg.MatcherHTTPCode = "200"
	tg.IPAddressType, tg.ProtocolVersion = "", ""
}

func (b *Backend) checkTGPlacement(tg *targetGroup, hasPort bool) error {
	switch {
	case tg.Protocol == "":
		return query.ValidationError("A protocol must be specified")
	case !hasPort:
		return query.ValidationError("A port must be specified")
	case tg.VPCID == "":
		return query.ValidationError("A VPC ID must be specified")
	case tg.TargetType == "alb" && tg.Protocol != "TCP":
		return invalidConfig("Target groups with target type 'alb' must use the TCP protocol")
	case tg.IPAddressType == "ipv6" && tg.TargetType != "ip":
		return invalidConfig("IPv6 target groups must have target type 'ip'")
	case tg.IPAddressType == "ipv6" && quicGroup(tg):
		return invalidConfig("IPv6 target groups cannot use the %s protocol", tg.Protocol)
	case tg.ProtocolVersion != "" && tg.Protocol != "HTTP" && tg.Protocol != "HTTPS":
		return invalidConfig("A protocol version can only be specified for HTTP and HTTPS target groups")
	}
	if _, ok := b.net.VPC(tg.VPCID); !ok {
		return query.ValidationError("The VPC ID '%s' is not found", tg.VPCID)
	}
	return nil
}

// protocolDefaults sets the health-check defaults of aws-api.md §3.4.
func protocolDefaults(tg *targetGroup) {
	if tg.IPAddressType == "" {
		tg.IPAddressType = "ipv4"
	}
	tg.HealthCheckEnabled = true
	tg.HealthCheckPort = "traffic-port"
	tg.HealthCheckIntervalSeconds = 30
	tg.HealthyThresholdCount, tg.UnhealthyThresholdCount = 5, 2
	switch tg.Protocol {
	case "HTTP", "HTTPS":
		tg.HealthCheckProtocol = tg.Protocol
		tg.HealthCheckPath = "/"
		tg.HealthCheckTimeoutSeconds = 5
		tg.MatcherHTTPCode = "200"
		if tg.ProtocolVersion == "" {
			tg.ProtocolVersion = "HTTP1"
		}
		if tg.ProtocolVersion == "GRPC" {
			tg.HealthCheckPath = "/AWS.ALB/healthcheck"
			tg.MatcherHTTPCode, tg.MatcherGRPCCode = "", "12"
		}
	case "GENEVE":
		tg.HealthCheckProtocol = "TCP"
		tg.HealthCheckPort = "80"
		tg.HealthCheckIntervalSeconds, tg.HealthCheckTimeoutSeconds = 10, 5
	default:
		tg.HealthCheckProtocol = "TCP"
		tg.HealthCheckTimeoutSeconds = 10
	}
}

func (b *Backend) createTargetGroup(p query.Params) (any, error) {
	tg, err := b.newTargetGroup(p)
	if err != nil {
		return nil, err
	}
	if err := healthSettings(p, tg); err != nil {
		return nil, err
	}
	tags, err := b.parseTags(p, nil)
	if err != nil {
		return nil, err
	}
	for _, old := range b.st.TargetGroups {
		if old.Name != tg.Name {
			continue
		}
		if sameTGSettings(old, tg) {
			return &targetGroupsResult{TargetGroups: []xTargetGroup{b.renderTG(old)}}, nil
		}
		return nil, errf("DuplicateTargetGroupName", "A target group with the same name '%s' exists, but with different settings", tg.Name)
	}
	if len(b.st.TargetGroups) >= b.Quotas.TargetGroups {
		return nil, errf("TooManyTargetGroups", "The maximum number of target groups has been reached")
	}
	now := b.env.Now()
	tg.Seq = b.st.next()
	tg.ARN = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", b.env.Region, b.env.Account, tg.Name, b.env.IDs.Hex(16))
	tg.Created = now
	tg.Attributes = defaultTGAttributes(tg)
	tg.Tags = stamp(tags, now)
	b.st.TargetGroups[tg.ARN] = tg
	return &targetGroupsResult{TargetGroups: []xTargetGroup{b.renderTG(tg)}}, nil
}

// sameTGSettings compares everything a CreateTargetGroup sets except the
// identity and tags.
func sameTGSettings(a, b *targetGroup) bool {
	x, y := *a, *b
	for _, t := range []*targetGroup{&x, &y} {
		t.Seq, t.ARN, t.Created, t.Tags, t.Targets, t.Attributes = 0, "", time.Time{}, nil, nil, nil
	}
	return reflect.DeepEqual(x, y)
}

func (b *Backend) lookupTG(p query.Params) (*targetGroup, error) {
	arn, err := p.Require("TargetGroupArn")
	if err != nil {
		return nil, err
	}
	if err := checkARN(arn, "targetgroup"); err != nil {
		return nil, err
	}
	tg := b.st.TargetGroups[arn]
	if tg == nil {
		return nil, tgNotFound()
	}
	return tg, nil
}

func (b *Backend) describeTargetGroups(p query.Params) (any, error) {
	lbARN := p.Get("LoadBalancerArn")
	arns := p.MemberStrings("TargetGroupArns")
	names := p.MemberStrings("Names")
	given := 0
	for _, g := range []bool{lbARN != "", len(arns) > 0, len(names) > 0} {
		if g {
			given++
		}
	}
	if given > 1 {
		return nil, query.ValidationError("Only one of LoadBalancerArn, TargetGroupArns and Names can be specified")
	}
	out := b.st.targetGroupList()
	var err error
	switch {
	case lbARN != "":
		out, err = b.tgsBehind(out, lbARN)
	case len(arns) > 0:
		out, err = b.tgsByARN(out, arns)
	case len(names) > 0:
		out, err = tgsByName(out, names)
	}
	if err != nil {
		return nil, err
	}
	pg, err := core.ELBv2Page(p, len(out))
	if err != nil {
		return nil, err
	}
	res := &targetGroupsResult{TargetGroups: []xTargetGroup{}, NextMarker: pg.Next}
	for _, tg := range out[pg.Start:pg.End] {
		res.TargetGroups = append(res.TargetGroups, b.renderTG(tg))
	}
	return res, nil
}

func (b *Backend) tgsBehind(all []*targetGroup, lbARN string) ([]*targetGroup, error) {
	if err := checkARN(lbARN, "loadbalancer"); err != nil {
		return nil, err
	}
	if b.st.LoadBalancers[lbARN] == nil {
		return nil, lbNotFound()
	}
	used := b.st.tgsOfLB(lbARN)
	var out []*targetGroup
	for _, tg := range all {
		if used[tg.ARN] {
			out = append(out, tg)
		}
	}
	return out, nil
}

func (b *Backend) tgsByARN(all []*targetGroup, arns []string) ([]*targetGroup, error) {
	for _, a := range arns {
		if err := checkARN(a, "targetgroup"); err != nil {
			return nil, err
		}
		if b.st.TargetGroups[a] == nil {
			return nil, tgNotFound()
		}
	}
	var out []*targetGroup
	for _, tg := range all {
		if contains(arns, tg.ARN) {
			out = append(out, tg)
		}
	}
	return out, nil
}

func tgsByName(all []*targetGroup, names []string) ([]*targetGroup, error) {
	var out []*targetGroup
	found := map[string]bool{}
	for _, tg := range all {
		if contains(names, tg.Name) {
			out = append(out, tg)
			found[tg.Name] = true
		}
	}
	for _, n := range names {
		if !found[n] {
			return nil, errf("TargetGroupNotFound", "Target groups '[%s]' not found", n)
		}
	}
	return out, nil
}

func (b *Backend) modifyTargetGroup(p query.Params) (any, error) {
	tg, err := b.lookupTG(p)
	if err != nil {
		return nil, err
	}
	next := *tg
	if err := healthSettings(p, &next); err != nil {
		return nil, err
	}
	*tg = next
	return &targetGroupsResult{TargetGroups: []xTargetGroup{b.renderTG(tg)}}, nil
}

func (b *Backend) deleteTargetGroup(p query.Params) (any, error) {
	arn, err := p.Require("TargetGroupArn")
	if err != nil {
		return nil, err
	}
	if err := checkARN(arn, "targetgroup"); err != nil {
		return nil, err
	}
	if b.st.TargetGroups[arn] == nil {
		return nil, nil // idempotent, as AWS
	}
	if len(b.st.usersOf(arn)) > 0 {
		return nil, errf("ResourceInUse", "Target group '%s' is currently in use by a listener or a rule", arn)
	}
	delete(b.st.TargetGroups, arn)
	return nil, nil
}
