package elbv2

import (
	"maps"
	"regexp"
	"strconv"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Attribute defaults per aws-api.md §3.2 and §3.4 (and the AWS docs for the
// keys LBC also reads).

var commonLBAttributes = map[string]string{
	"deletion_protection.enabled": "false",
	"access_logs.s3.enabled":      "false",
	"access_logs.s3.bucket":       "",
	"access_logs.s3.prefix":       "",
	"zonal_shift.config.enabled":  "false",
}

func defaultLBAttributes(lbType string) map[string]string {
	m := map[string]string{}
	maps.Copy(m, commonLBAttributes)
	switch lbType {
	case "application":
		maps.Copy(m, map[string]string{
			"idle_timeout.timeout_seconds":                             "60",
			"client_keep_alive.seconds":                                "3600",
			"connection_logs.s3.enabled":                               "false",
			"connection_logs.s3.bucket":                                "",
			"connection_logs.s3.prefix":                                "",
			"routing.http2.enabled":                                    "true",
			"routing.http.desync_mitigation_mode":                      "defensive",
			"routing.http.drop_invalid_header_fields.enabled":          "false",
			"routing.http.preserve_host_header.enabled":                "false",
			"routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
			"routing.http.xff_client_port.enabled":                     "false",
			"routing.http.xff_header_processing.mode":                  "append",
			"waf.fail_open.enabled":                                    "false",
			"load_balancing.cross_zone.enabled":                        "true",
		})
	case "network":
		m["load_balancing.cross_zone.enabled"] = "false"
		m["dns_record.client_routing_policy"] = "any_availability_zone"
		m["ipv6.deny_all_igw_traffic"] = "false"
	case "gateway":
		m["load_balancing.cross_zone.enabled"] = "false"
	}
	return m
}

var (
	attrKeyRe = regexp.MustCompile(`^[a-zA-Z0-9._]+$`)
	boolRe    = regexp.MustCompile(`^(true|false)$`)
)

// attrValueRules constrains values of well-known keys; others accept any string.
var attrValueRules = map[string]func(string) bool{
	"deletion_protection.enabled":                         isBool,
	"access_logs.s3.enabled":                              isBool,
	"routing.http2.enabled":                               isBool,
	"load_balancing.cross_zone.enabled":                   func(v string) bool { return isBool(v) || v == "use_load_balancer_configuration" },
	"idle_timeout.timeout_seconds":                        intIn(1, 4000),
	"client_keep_alive.seconds":                           intIn(60, 604800),
	"routing.http.desync_mitigation_mode":                 oneOf("monitor", "defensive", "strictest"),
	"routing.http.xff_header_processing.mode":             oneOf("append", "preserve", "remove"),
	"dns_record.client_routing_policy":                    oneOf("availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone"),
	"deregistration_delay.timeout_seconds":                intIn(0, 3600),
	"stickiness.enabled":                                  isBool,
	"stickiness.type":                                     oneOf("lb_cookie", "app_cookie", "source_ip", "source_ip_dest_ip", "source_ip_dest_ip_proto"),
	"stickiness.lb_cookie.duration_seconds":               intIn(1, 604800),
	"stickiness.app_cookie.duration_seconds":              intIn(1, 604800),
	"slow_start.duration_seconds":                         func(v string) bool { return v == "0" || intIn(30, 900)(v) },
	"load_balancing.algorithm.type":                       oneOf("round_robin", "least_outstanding_requests", "weighted_random"),
	"proxy_protocol_v2.enabled":                           isBool,
	"preserve_client_ip.enabled":                          isBool,
	"deregistration_delay.connection_termination.enabled": isBool,
}

func isBool(v string) bool { return boolRe.MatchString(v) }

func intIn(lo, hi int) func(string) bool {
	return func(v string) bool {
		n, err := strconv.Atoi(v)
		return err == nil && n >= lo && n <= hi
	}
}

func oneOf(vals ...string) func(string) bool {
	return func(v string) bool { return contains(vals, v) }
}

// modifyAttributes applies Attributes.member.N to a copy of cur; keys not in
// cur are rejected. The result replaces cur only when all are valid.
func modifyAttributes(p query.Params, cur map[string]string) (map[string]string, error) {
	attrs := p.Members("Attributes")
	if len(attrs) == 0 {
		return nil, query.MissingParameter("Attributes")
	}
	if len(attrs) > 20 {
		return nil, constraint(strconv.Itoa(len(attrs)), "attributes", "Member must have length less than or equal to 20")
	}
	next := make(map[string]string, len(cur))
	maps.Copy(next, cur)
	for _, a := range attrs {
		k, v := a.Get("Key"), a.Get("Value")
		if len(k) > 256 || !attrKeyRe.MatchString(k) {
			return nil, constraint(k, "attributes.member.key", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9._]+$")
		}
		if _, ok := cur[k]; !ok {
			return nil, invalidConfig("Key %s not valid", k)
		}
		if rule, ok := attrValueRules[k]; ok && !rule(v) {
			return nil, invalidConfig("%s is not a valid value for attribute '%s'", v, k)
		}
		next[k] = v
	}
	return next, nil
}

func (b *Backend) describeLoadBalancerAttributes(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	return &attributesResult{Attributes: attributeList(lb.Attributes)}, nil
}

func (b *Backend) modifyLoadBalancerAttributes(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	next, err := modifyAttributes(p, lb.Attributes)
	if err != nil {
		return nil, err
	}
	if lb.Type == "application" && next["load_balancing.cross_zone.enabled"] != "true" {
		return nil, invalidConfig("Cross-zone load balancing cannot be disabled for Application Load Balancers")
	}
	lb.Attributes = next
	return &attributesResult{Attributes: attributeList(lb.Attributes)}, nil
}

func defaultTGAttributes(tg *targetGroup) map[string]string {
	m := map[string]string{
		"deregistration_delay.timeout_seconds": "300",
		"stickiness.enabled":                   "false",
		"load_balancing.cross_zone.enabled":    "use_load_balancer_configuration",
	}
	if tg.TargetType != "lambda" {
		m["target_group_health.dns_failover.minimum_healthy_targets.count"] = "1"
		m["target_group_health.dns_failover.minimum_healthy_targets.percentage"] = "off"
		m["target_group_health.unhealthy_state_routing.minimum_healthy_targets.count"] = "1"
		m["target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage"] = "off"
	}
	switch tg.Protocol {
	case "HTTP", "HTTPS", "":
		if tg.TargetType == "lambda" {
			m = map[string]string{"lambda.multi_value_headers.enabled": "false"}
			return m
		}
		m["stickiness.type"] = "lb_cookie"
		m["stickiness.lb_cookie.duration_seconds"] = "86400"
		m["stickiness.app_cookie.cookie_name"] = ""
		m["stickiness.app_cookie.duration_seconds"] = "86400"
		m["load_balancing.algorithm.type"] = "round_robin"
		m["load_balancing.algorithm.anomaly_mitigation"] = "off"
		m["slow_start.duration_seconds"] = "0"
	case "GENEVE":
		m["stickiness.type"] = "source_ip_dest_ip_proto"
		m["target_failover.on_deregistration"] = "no_rebalance"
		m["target_failover.on_unhealthy"] = "no_rebalance"
	default: // NLB protocols
		m["stickiness.type"] = "source_ip"
		m["proxy_protocol_v2.enabled"] = "false"
		m["deregistration_delay.connection_termination.enabled"] = "false"
		m["target_health_state.unhealthy.connection_termination.enabled"] = "true"
		preserve := "false"
		if tg.TargetType == "instance" || tg.Protocol == "UDP" || tg.Protocol == "TCP_UDP" {
			preserve = "true"
		}
		m["preserve_client_ip.enabled"] = preserve
	}
	return m
}

func (b *Backend) describeTargetGroupAttributes(p query.Params) (any, error) {
	tg, err := b.lookupTG(p)
	if err != nil {
		return nil, err
	}
	return &attributesResult{Attributes: attributeList(tg.Attributes)}, nil
}

func (b *Backend) modifyTargetGroupAttributes(p query.Params) (any, error) {
	tg, err := b.lookupTG(p)
	if err != nil {
		return nil, err
	}
	next, err := modifyAttributes(p, tg.Attributes)
	if err != nil {
		return nil, err
	}
	if st := next["stickiness.type"]; st != "" && st != tg.Attributes["stickiness.type"] {
		alb := tg.Protocol == "HTTP" || tg.Protocol == "HTTPS"
		if alb != (st == "lb_cookie" || st == "app_cookie") {
			return nil, invalidConfig("Stickiness type '%s' is not supported for target groups with the %s protocol", st, tg.Protocol)
		}
	}
	tg.Attributes = next
	return &attributesResult{Attributes: attributeList(tg.Attributes)}, nil
}

func defaultListenerAttributes(protocol string) map[string]string {
	switch protocol {
	case "HTTP", "HTTPS":
		return map[string]string{
			"routing.http.response.server.enabled": "true",
		}
	case "TCP", "TLS", "TCP_UDP":
		return map[string]string{"tcp.idle_timeout.seconds": "350"}
	}
	return map[string]string{}
}

func (b *Backend) describeListenerAttributes(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	return &attributesResult{Attributes: attributeList(l.Attributes)}, nil
}

func (b *Backend) modifyListenerAttributes(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	next, err := modifyAttributes(p, l.Attributes)
	if err != nil {
		return nil, err
	}
	// AWS fixes a TLS listener's idle timeout at 350 seconds; only TCP
	// (and TCP_UDP) listeners take a change.
	if v, ok := next["tcp.idle_timeout.seconds"]; ok && l.Protocol == "TLS" && v != l.Attributes["tcp.idle_timeout.seconds"] {
		return nil, invalidConfig("The attribute 'tcp.idle_timeout.seconds' cannot be modified for listeners with the TLS protocol")
	}
	if v, ok := next["tcp.idle_timeout.seconds"]; ok && !intIn(60, 6000)(v) {
		return nil, invalidConfig("%s is not a valid value for attribute 'tcp.idle_timeout.seconds'", v)
	}
	l.Attributes = next
	return &attributesResult{Attributes: attributeList(l.Attributes)}, nil
}
