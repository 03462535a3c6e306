package elbv2

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// privateRanges are the ranges an ip target may use outside its VPC:
// RFC 1918 and RFC 6598.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// purge forgets targets whose draining has finished. It runs before
// mutating actions only, so reads never write.
func (b *Backend) purge() {
	now := b.env.Now()
	for _, tg := range b.st.TargetGroups {
		kept := tg.Targets[:0]
		for _, t := range tg.Targets {
			if t.DrainUntil == nil || now.Before(*t.DrainUntil) {
				kept = append(kept, t)
			}
		}
		for i := len(kept); i < len(tg.Targets); i++ {
			tg.Targets[i] = nil
		}
		tg.Targets = kept
	}
}

// live reports whether a target is registered or still draining.
func (b *Backend) live(t *target) bool {
	return t.DrainUntil == nil || b.env.Now().Before(*t.DrainUntil)
}

func registeredIDs(tg *targetGroup) []string {
	var out []string
	for _, t := range tg.Targets {
		if t.Deregistered == nil {
			out = append(out, t.ID)
		}
	}
	return out
}

func (b *Backend) registered(tg *targetGroup) int {
	n := 0
	for _, t := range tg.Targets {
		if t.Deregistered == nil {
			n++
		}
	}
	return n
}

type targetSpec struct {
	id   string
	port int
	az   string
	quic string
}

var quicServerIDRe = regexp.MustCompile(`^0x[0-9a-f]{16}$`)

func quicGroup(tg *targetGroup) bool { return tg.Protocol == "QUIC" || tg.Protocol == "TCP_QUIC" }

// quicServerID reads a registration's QuicServerId: required by QUIC and
// TCP_QUIC groups, refused by every other.
func quicServerID(m query.Params, tg *targetGroup) (string, error) {
	id, ok := m.Lookup("QuicServerId")
	switch {
	case quicGroup(tg) && !ok:
		return "", query.ValidationError("A QUIC server ID must be specified for targets of target groups with the %s protocol", tg.Protocol)
	case !ok:
		return "", nil
	case !quicGroup(tg):
		return "", query.ValidationError("A QUIC server ID can only be specified for target groups with the QUIC or TCP_QUIC protocol")
	case !quicServerIDRe.MatchString(id):
		return "", query.ValidationError("QUIC server ID '%s' must be 0x followed by 16 lower-case hexadecimal characters", id)
	}
	return id, nil
}

func (b *Backend) parseTargets(p query.Params, tg *targetGroup) ([]targetSpec, error) {
	members := p.Members("Targets")
	if len(members) == 0 {
		return nil, query.MissingParameter("Targets")
	}
	out := make([]targetSpec, 0, len(members))
	for _, m := range members {
		id := m.Get("Id")
		if id == "" {
			return nil, query.ValidationError("A target ID must be specified")
		}
		port := tg.Port
		if n, ok, err := intParam(m, "Port", "targets.member.port", 1, 65535); err != nil {
			return nil, err
		} else if ok {
			port = n
		}
		if tg.TargetType == "lambda" {
			port = 0
		}
		quic, err := quicServerID(m, tg)
		if err != nil {
			return nil, err
		}
		out = append(out, targetSpec{id: id, port: port, az: m.Get("AvailabilityZone"), quic: quic})
	}
	return out, nil
}

func (b *Backend) checkTarget(tg *targetGroup, t targetSpec) error {
	switch tg.TargetType {
	case "instance":
		inst, ok := b.net.Instance(t.id)
		if !ok {
			return errf("InvalidTarget", "The following targets are not valid instances: '%s'", t.id)
		}
		if inst.VPCID != tg.VPCID {
			return errf("InvalidTarget", "The following targets are not in the target group VPC '%s': '%s'", tg.VPCID, t.id)
		}
		if inst.State != "running" {
			return errf("InvalidTarget", "The following targets are not in a running state and cannot be registered: '%s'", t.id)
		}
	case "ip":
		addr, err := netip.ParseAddr(t.id)
		if err != nil {
			return errf("InvalidTarget", "The IP address '%s' is not a valid IPv4 or IPv6 address", t.id)
		}
		if addr.Is4() != (tg.IPAddressType != "ipv6") {
			return errf("InvalidTarget", "The IP address '%s' does not match the target group's IP address type '%s'", t.id, tg.IPAddressType)
		}
		if !b.ipAllowed(tg.VPCID, addr) {
			return errf("InvalidTarget", "The IP address '%s' is not within the VPC CIDR or an RFC 1918 or RFC 6598 range", t.id)
		}
	case "alb":
		lb := b.st.LoadBalancers[t.id]
		if lb == nil || lb.Type != "application" {
			return errf("InvalidTarget", "The target '%s' is not a valid Application Load Balancer", t.id)
		}
		if lb.VPCID != tg.VPCID {
			return errf("InvalidTarget", "The following targets are not in the target group VPC '%s': '%s'", tg.VPCID, t.id)
		}
		if !slices.ContainsFunc(b.st.listenersOf(lb.ARN), func(l *listener) bool { return l.Port == t.port }) {
			return errf("InvalidTarget", "The Application Load Balancer '%s' has no listener on port %d", t.id, t.port)
		}
	case "lambda":
		if !strings.HasPrefix(t.id, "arn:") {
			return errf("InvalidTarget", "The target '%s' is not a valid Lambda function ARN", t.id)
		}
	}
	return nil
}

func (b *Backend) ipAllowed(vpcID string, addr netip.Addr) bool {
	if v, ok := b.net.VPC(vpcID); ok {
		for _, c := range append(append([]string{}, v.CIDRs...), v.IPv6CIDRs...) {
			if pf, err := netip.ParsePrefix(c); err == nil && pf.Contains(addr) {
				return true
			}
		}
	}
	if addr.Is4() {
		for _, r := range privateRanges {
			if r.Contains(addr) {
				return true
			}
		}
	}
	return false
}

func (b *Backend) registerTargets(p query.Params) (any, error) {
	tg, err := b.lookupTG(p)
	if err != nil {
		return nil, err
	}
	specs, err := b.parseTargets(p, tg)
	if err != nil {
		return nil, err
	}
	if tg.TargetType == "lambda" && (len(specs) > 1 || b.registered(tg) > 0 && registeredIDs(tg)[0] != specs[0].id) {
		return nil, errf("TooManyTargets", "A target group with target type 'lambda' can have only one target")
	}
	if tg.TargetType == "alb" && (len(specs) > 1 || b.otherRegistration(tg, specs[0])) {
		return nil, errf("TooManyTargets", "A target group with target type 'alb' can have only one target")
	}
	added := 0
	for _, s := range specs {
		if err := b.checkTarget(tg, s); err != nil {
			return nil, err
		}
		t := findTarget(tg, s.id, s.port)
		if t == nil || t.Deregistered != nil {
			added++
		} else if t.QuicServerID != s.quic {
			return nil, query.ValidationError("The QUIC server ID of registered target '%s' cannot be changed; deregister it first", s.id)
		}
	}
	if err := b.checkTargetQuotas(tg, specs, added); err != nil {
		return nil, err
	}
	now := b.env.Now()
	for _, s := range specs {
		t := findTarget(tg, s.id, s.port)
		switch {
		case t == nil:
			tg.Targets = append(tg.Targets, &target{ID: s.id, Port: s.port, AZ: s.az, QuicServerID: s.quic, Registered: now})
		case t.Deregistered != nil: // re-registered while draining
			t.Deregistered, t.DrainUntil, t.Registered, t.QuicServerID, t.Unhealthy = nil, nil, now, s.quic, false
		}
	}
	return nil, nil
}

// checkTargetQuotas checks the per-group, per-load-balancer and
// per-target registration quotas for added new registrations.
func (b *Backend) checkTargetQuotas(tg *targetGroup, specs []targetSpec, added int) error {
	if b.registered(tg)+added > b.Quotas.TargetsPerTargetGroup {
		return errf("TooManyTargets", "You've reached the limit on the number of targets per target group (%d)", b.Quotas.TargetsPerTargetGroup)
	}
	for _, lbARN := range b.st.usersOf(tg.ARN) {
		limit := b.Quotas.TargetsPerALB
		if lb := b.st.LoadBalancers[lbARN]; lb != nil && lb.Type != "application" {
			limit = b.Quotas.TargetsPerNLB
		}
		total := added
		for arn := range b.st.tgsOfLB(lbARN) {
			if other := b.st.TargetGroups[arn]; other != nil {
				total += b.registered(other)
			}
		}
		if total > limit {
			return errf("TooManyTargets", "You've reached the limit on the number of targets per load balancer (%d)", limit)
		}
	}
	for _, s := range specs {
		if findTarget(tg, s.id, s.port) == nil && b.registrations(s.id)+1 > b.Quotas.RegistrationsPerTarget {
			return errf("TooManyRegistrationsForTargetId", "You've reached the limit on the number of times a target can be registered with a load balancer (%d)", b.Quotas.RegistrationsPerTarget)
		}
	}
	return nil
}

// otherRegistration reports whether tg has a registered target other than
// s (same ID and port).
func (b *Backend) otherRegistration(tg *targetGroup, s targetSpec) bool {
	for _, t := range tg.Targets {
		if t.Deregistered == nil && (t.ID != s.id || t.Port != s.port) {
			return true
		}
	}
	return false
}

// registeredALB reports whether the load balancer arn is a registered
// (not deregistering) target of an alb-type target group.
func (b *Backend) registeredALB(arn string) bool {
	for _, tg := range b.st.TargetGroups {
		if tg.TargetType != "alb" {
			continue
		}
		for _, t := range tg.Targets {
			if t.ID == arn && t.Deregistered == nil {
				return true
			}
		}
	}
	return false
}

func findTarget(tg *targetGroup, id string, port int) *target {
	for _, t := range tg.Targets {
		if t.ID == id && t.Port == port {
			return t
		}
	}
	return nil
}

func (b *Backend) registrations(id string) int {
	n := 0
	for _, tg := range b.st.TargetGroups {
		for _, t := range tg.Targets {
			if t.ID == id && t.Deregistered == nil {
				n++
			}
		}
	}
	return n
}

func (b *Backend) drainDelay(tg *targetGroup) time.Duration {
	if b.Timing.Draining >= 0 {
		return b.Timing.Draining
	}
	s, _ := strconv.Atoi(tg.Attributes["deregistration_delay.timeout_seconds"])
	return time.Duration(s) * time.Second
}

func (b *Backend) deregisterTargets(p query.Params) (any, error) {
	tg, err := b.lookupTG(p)
	if err != nil {
		return nil, err
	}
	members := p.Members("Targets")
	if len(members) == 0 {
		return nil, query.MissingParameter("Targets")
	}
	now := b.env.Now()
	inUse := len(b.st.usersOf(tg.ARN)) > 0
	delay := b.drainDelay(tg)
	for _, m := range members {
		id := m.Get("Id")
		if id == "" {
			return nil, query.ValidationError("A target ID must be specified")
		}
		port, hasPort, err := intParam(m, "Port", "targets.member.port", 1, 65535)
		if err != nil {
			return nil, err
		}
		kept := tg.Targets[:0]
		for _, t := range tg.Targets {
			match := t.ID == id && (!hasPort || t.Port == port)
			switch {
			case !match || t.Deregistered != nil:
				kept = append(kept, t)
			case inUse && delay > 0:
				at, until := now, now.Add(delay)
				t.Deregistered, t.DrainUntil = &at, &until
				kept = append(kept, t)
			}
		}
		tg.Targets = kept
	}
	return nil, nil
}

func (b *Backend) health(tg *targetGroup, t *target) xTargetHealth {
	now := b.env.Now()
	if t.Deregistered != nil {
		return xTargetHealth{State: "draining", Reason: "Target.DeregistrationInProgress", Description: "Target deregistration is in progress"}
	}
	users := b.st.usersOf(tg.ARN)
	if len(users) == 0 {
		return xTargetHealth{State: "unused", Reason: "Target.NotInUse", Description: "Target group is not configured to receive traffic from the load balancer"}
	}
	if tg.TargetType == "instance" {
		inst, ok := b.net.Instance(t.ID)
		state := "terminated"
		if ok {
			state = inst.State
		}
		if state != "running" {
			return xTargetHealth{State: "unused", Reason: "Target.InvalidState", Description: "Target is in the " + state + " state"}
		}
	}
	if !tg.HealthCheckEnabled {
		return xTargetHealth{State: "unavailable", Reason: "Target.HealthCheckDisabled", Description: "Health checks are disabled"}
	}
	for _, u := range users {
		if lb := b.st.LoadBalancers[u]; lb != nil && b.lbState(lb) != "active" {
			return xTargetHealth{State: "initial", Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress"}
		}
	}
	if now.Before(t.Registered.Add(b.initialFor(tg))) {
		return xTargetHealth{State: "initial", Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress"}
	}
	if t.Unhealthy {
		return xTargetHealth{State: "unhealthy", Reason: "Target.FailedHealthChecks", Description: "Health checks failed"}
	}
	return xTargetHealth{State: "healthy"}
}

// initialFor is how long a new target of tg stays "initial" (Timing).
func (b *Backend) initialFor(tg *targetGroup) time.Duration {
	if b.Timing.HealthScale <= 0 {
		return b.Timing.HealthyAfter
	}
	checks := time.Duration(tg.HealthCheckIntervalSeconds*tg.HealthyThresholdCount) * time.Second
	return time.Duration(float64(checks) * b.Timing.HealthScale)
}

// MarkTargetHealth marks a registered target of a target group failing its
// health checks (unhealthy true) or passing them again; port 0 marks every
// registration of id. It answers the control API, not the ELBv2 API.
func (b *Backend) MarkTargetHealth(tgARN, id string, port int, unhealthy bool) error {
	tg := b.st.TargetGroups[tgARN]
	if tg == nil {
		return errf("TargetGroupNotFound", "Target groups '%s' not found", tgARN)
	}
	found := false
	for _, t := range tg.Targets {
		if t.ID == id && (port == 0 || t.Port == port) && t.Deregistered == nil {
			t.Unhealthy, found = unhealthy, true
		}
	}
	if !found {
		return errf("InvalidTarget", "The target '%s' is not registered in target group '%s'", id, tgARN)
	}
	return nil
}

// healthCheckPort is the port a target is checked on.
func healthCheckPort(tg *targetGroup, port int) string {
	switch {
	case tg.HealthCheckPort != "traffic-port" && tg.HealthCheckPort != "":
		return tg.HealthCheckPort
	case port == 0:
		return ""
	}
	return strconv.Itoa(port)
}

func (b *Backend) describeTarget(tg *targetGroup, t *target, anomalies bool) xTargetHealthDescription {
	d := xTargetHealthDescription{
		Target:          xTarget{ID: t.ID, Port: t.Port, AvailabilityZone: t.AZ, QuicServerID: t.QuicServerID},
		HealthCheckPort: healthCheckPort(tg, t.Port),
		TargetHealth:    b.health(tg, t),
	}
	if anomalies && (tg.Protocol == "HTTP" || tg.Protocol == "HTTPS") {
		// Simulated targets never misbehave.
		d.AnomalyDetection = &xAnomalyDetection{Result: "normal", MitigationInEffect: "no"}
	}
	return d
}

// includeAnomalies reads DescribeTargetHealth's Include list.
func includeAnomalies(p query.Params) (bool, error) {
	include := p.MemberStrings("Include")
	for _, v := range include {
		if !contains([]string{"AnomalyDetection", "All"}, v) {
			return false, constraint(v, "include", "Member must satisfy enum value set: [AnomalyDetection, All]")
		}
	}
	return len(include) > 0, nil
}

func (b *Backend) describeTargetHealth(p query.Params) (any, error) {
	tg, err := b.lookupTG(p)
	if err != nil {
		return nil, err
	}
	anomalies, err := includeAnomalies(p)
	if err != nil {
		return nil, err
	}
	res := &targetHealthResult{TargetHealthDescriptions: []xTargetHealthDescription{}}
	asked := p.Members("Targets")
	if len(asked) == 0 {
		for _, t := range tg.Targets {
			if b.live(t) {
				res.TargetHealthDescriptions = append(res.TargetHealthDescriptions, b.describeTarget(tg, t, anomalies))
			}
		}
		return res, nil
	}
	for _, m := range asked {
		ds, err := b.describeAsked(tg, m, anomalies)
		if err != nil {
			return nil, err
		}
		res.TargetHealthDescriptions = append(res.TargetHealthDescriptions, ds...)
	}
	return res, nil
}

// describeAsked describes the registrations matching one queried target
// (any port when none is given), or reports it unregistered.
func (b *Backend) describeAsked(tg *targetGroup, m query.Params, anomalies bool) ([]xTargetHealthDescription, error) {
	id := m.Get("Id")
	if id == "" {
		return nil, query.ValidationError("A target ID must be specified")
	}
	port, hasPort, err := intParam(m, "Port", "targets.member.port", 1, 65535)
	if err != nil {
		return nil, err
	}
	var out []xTargetHealthDescription
	for _, t := range tg.Targets {
		if t.ID == id && (!hasPort || t.Port == port) && b.live(t) {
			out = append(out, b.describeTarget(tg, t, anomalies))
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if !hasPort {
		port = tg.Port
	}
	return []xTargetHealthDescription{{
		Target:          xTarget{ID: id, Port: port, AvailabilityZone: m.Get("AvailabilityZone"), QuicServerID: m.Get("QuicServerId")},
		HealthCheckPort: healthCheckPort(tg, port),
		TargetHealth:    xTargetHealth{State: "unused", Reason: "Target.NotRegistered", Description: "Target is not registered to the target group"},
	}}, nil
}
