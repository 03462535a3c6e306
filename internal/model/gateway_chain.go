package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

// ChainedALB is an ALB Gateway an NLB Gateway's L4 route names as its
// backend (LBC's Gateway chaining): the NLB forwards the port to a target
// group of type alb whose one target is that Gateway's ALB.
type ChainedALB struct {
	Namespace, Name string
	// ARN of the ALB Gateway's load balancer (known: the backend does not
	// resolve before it exists).
	ARN string
	// Port is the backendRef's port: an ALB listener port.
	Port int32
}

// LBC's health check of an alb-type Gateway target group: HTTP on the
// traffic port, "/", 200-399, 15 s / 5 s / 3 / 3.
var chainedHealthCheck = HealthCheck{Protocol: "HTTP", Port: annotations.HealthCheckTrafficPort, Path: "/", Matcher: "200-399",
	Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}

// chainedTargetGroup is the target group of type alb for a route port
// forwarding to an ALB Gateway, as LBC builds it (its
// buildTargetGroupFromGateway): TCP, the backendRef's port, named and
// identified with the ALB Gateway in the Service's place. What AWS or LBC
// cannot do with an alb target group (another protocol, attributes, a
// target control port, a TCP health check) fails the build.
func (b *gwBuilder) chainedTargetGroup(p GatewayPort, listenerProto string, be GatewayBackend) (TargetGroup, error) {
	c := be.Chained
	props := be.TargetGroup
	if props == nil {
		props = &gwconfig.TargetGroupProps{}
	}
	r := p.Route
	fail := func(format string, args ...any) (TargetGroup, error) {
		return TargetGroup{}, fmt.Errorf("%s %s/%s: backend Gateway %s/%s: %s", r.Kind, r.Namespace, r.Name, c.Namespace, c.Name, fmt.Sprintf(format, args...))
	}
	if listenerProto != ProtoTCP {
		return fail("an ALB target needs a TCP listener, not %s", listenerProto)
	}
	if props.Protocol != nil && *props.Protocol != ProtoTCP {
		return fail("target groups of type alb are TCP, not %s", *props.Protocol)
	}
	if props.TargetType != nil && *props.TargetType != TargetTypeALB {
		return fail("targetType %s: a Gateway backend's target group is of type alb", *props.TargetType)
	}
	if len(props.TargetGroupAttributes) > 0 {
		return fail("target groups of type alb take no targetGroupAttributes (an AWS limitation)")
	}
	if props.TargetControlPort != nil {
		return fail("target control port is not supported for ALB target target group")
	}
	hc, err := chainedHealthCheckOf(props.HealthCheckConfig, c.Port)
	if err != nil {
		return fail("%v", err)
	}
	tg := TargetGroup{Port: c.Port, ServicePort: c.Port, Protocol: ProtoTCP, TargetType: TargetTypeALB, IPAddressType: "ipv4",
		HealthCheck: hc, Targets: []Target{{ID: c.ARN, Port: c.Port}}}
	id := naming.GatewayTargetGroup{
		GatewayNamespace: b.gw.Namespace, GatewayName: b.gw.Name,
		RouteNamespace: r.Namespace, RouteName: r.Name, RouteKind: r.Kind,
		ServiceNamespace: c.Namespace, ServiceName: c.Name,
		IdentifierPort: strconv.Itoa(int(c.Port)), TargetPort: c.Port, TargetType: TargetTypeALB, Protocol: ProtoTCP,
	}
	if err := b.identify(&tg, id, props); err != nil {
		return TargetGroup{}, err
	}
	return tg, nil
}

// chainedHealthCheckOf is LBC's alb-target health check with the
// TargetGroupConfiguration's healthCheckConfig over it. ALB targets take
// HTTP or HTTPS checks only; LBC checks the traffic port whatever number
// is configured, so a number other than the ALB port is refused rather
// than ignored.
func chainedHealthCheckOf(c *gwconfig.HealthCheckConfiguration, port int32) (HealthCheck, error) {
	hc := chainedHealthCheck
	if c == nil {
		return hc, nil
	}
	if c.HealthCheckProtocol != nil {
		hc.Protocol = strings.ToUpper(*c.HealthCheckProtocol)
		if hc.Protocol != "HTTP" && hc.Protocol != "HTTPS" {
			return HealthCheck{}, fmt.Errorf("healthCheckProtocol %s: ALB targets take HTTP or HTTPS health checks", *c.HealthCheckProtocol)
		}
	}
	if c.HealthCheckPort != nil && *c.HealthCheckPort != annotations.HealthCheckTrafficPort && *c.HealthCheckPort != strconv.Itoa(int(port)) {
		return HealthCheck{}, fmt.Errorf("healthCheckPort %s: an ALB target is checked on its listener port %d (traffic-port)", *c.HealthCheckPort, port)
	}
	if c.HealthCheckPath != nil {
		hc.Path = *c.HealthCheckPath
	}
	if c.Matcher != nil && c.Matcher.HTTPCode != nil {
		hc.Matcher = *c.Matcher.HTTPCode
	}
	if c.Matcher != nil && c.Matcher.GRPCCode != nil {
		return HealthCheck{}, fmt.Errorf("matcher.grpcCode: ALB targets are checked over HTTP")
	}
	overrideHealthCheckCounts(&hc, c)
	return hc, nil
}

// overrideHealthCheckCounts sets, of hc, the interval, timeout and
// thresholds that a TargetGroupConfiguration's healthCheckConfig states.
func overrideHealthCheckCounts(hc *HealthCheck, c *gwconfig.HealthCheckConfiguration) {
	for _, o := range []struct {
		dst *int32
		src *int32
	}{{&hc.Interval, c.HealthCheckInterval}, {&hc.Timeout, c.HealthCheckTimeout}, {&hc.Healthy, c.HealthyThresholdCount}, {&hc.Unhealthy, c.UnhealthyThresholdCount}} {
		if o.src != nil {
			*o.dst = *o.src
		}
	}
}
