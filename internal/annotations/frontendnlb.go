package annotations

import (
	"maps"
	"slices"
	"strconv"
)

// Frontend NLB annotation keys (LBC's enable-frontend-nlb and the
// frontend-nlb- family).
const (
	IngEnableFrontendNLB         = IngressPrefix + "enable-frontend-nlb"
	IngFrontendNLBScheme         = IngressPrefix + "frontend-nlb-scheme"
	IngFrontendNLBSubnets        = IngressPrefix + "frontend-nlb-subnets"
	IngFrontendNLBPortMapping    = IngressPrefix + "frontend-nlb-listener-port-mapping"
	IngFrontendNLBEIPAllocations = IngressPrefix + "frontend-nlb-eip-allocations"
	IngFrontendNLBHCPort         = IngressPrefix + "frontend-nlb-healthcheck-port"
	IngFrontendNLBHCProtocol     = IngressPrefix + "frontend-nlb-healthcheck-protocol"
	IngFrontendNLBHCPath         = IngressPrefix + "frontend-nlb-healthcheck-path"
	IngFrontendNLBHCInterval     = IngressPrefix + "frontend-nlb-healthcheck-interval-seconds"
	IngFrontendNLBHCTimeout      = IngressPrefix + "frontend-nlb-healthcheck-timeout-seconds"
	IngFrontendNLBHCHealthy      = IngressPrefix + "frontend-nlb-healthcheck-healthy-threshold-count"
	IngFrontendNLBHCUnhealthy    = IngressPrefix + "frontend-nlb-healthcheck-unhealthy-threshold-count"
	IngFrontendNLBHCSuccessCodes = IngressPrefix + "frontend-nlb-healthcheck-success-codes"
	IngFrontendNLBAttributes     = IngressPrefix + "frontend-nlb-attributes"
	IngFrontendNLBTags           = IngressPrefix + "frontend-nlb-tags"
	IngFrontendNLBStatusOnly     = IngressPrefix + "frontend-nlb-status-only"
)

// FrontendNLB is one Ingress's frontend-NLB annotations, as written (the
// group merges them: model). Absent keys are nil or "".
type FrontendNLB struct {
	Enable         *bool
	Scheme         string // "" | internal | internet-facing
	Subnets        []string
	SecurityGroups []string
	// PortMapping is frontend-nlb-listener-port-mapping: NLB listener port
	// → ALB listener port; nil when absent.
	PortMapping    map[int32]int32
	EIPAllocations []string
	// HealthCheck holds the frontend-nlb-healthcheck-* settings; Port is
	// "traffic-port" or a number, Protocol HTTP or HTTPS.
	HealthCheck HealthCheck
	Attributes  map[string]string
	// Tags is frontend-nlb-tags; HasTags says the annotation is present
	// (an empty value still replaces the ALB's tags, as in LBC).
	Tags       map[string]string
	HasTags    bool
	StatusOnly bool
}

// dnsClientRoutingPolicies are the values LBC accepts for the frontend
// NLB's dns_record.client_routing_policy attribute.
var dnsClientRoutingPolicies = []string{"availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone"}

func (r *reader) frontendNLB() FrontendNLB {
	f := FrontendNLB{
		Enable:         r.boolean(IngEnableFrontendNLB),
		Subnets:        r.list(IngFrontendNLBSubnets),
		SecurityGroups: r.list(IngFrontendNLBSecurityGroup),
		EIPAllocations: r.list(IngFrontendNLBEIPAllocations),
		Attributes:     r.stringMap(IngFrontendNLBAttributes),
		Tags:           r.stringMap(IngFrontendNLBTags),
		HealthCheck: HealthCheck{
			Path:               r.str(IngFrontendNLBHCPath),
			Interval:           r.int32v(IngFrontendNLBHCInterval),
			Timeout:            r.int32v(IngFrontendNLBHCTimeout),
			HealthyThreshold:   r.int32v(IngFrontendNLBHCHealthy),
			UnhealthyThreshold: r.int32v(IngFrontendNLBHCUnhealthy),
			SuccessCodes:       r.str(IngFrontendNLBHCSuccessCodes),
		},
	}
	_, f.HasTags = r.raw(IngFrontendNLBTags)
	if b := r.boolean(IngFrontendNLBStatusOnly); b != nil {
		f.StatusOnly = *b
	}
	f.Scheme = r.oneOf(IngFrontendNLBScheme, func(v string) string { return "unknown scheme: " + v },
		SchemeInternal, SchemeInternetFacing)
	if raw, ok := r.raw(IngFrontendNLBHCPort); ok {
		if _, err := strconv.ParseInt(raw, 10, 32); raw != "traffic-port" && err != nil {
			r.fail(newErr(IngFrontendNLBHCPort, raw, err, "failed to resolve healthCheckPort"))
		} else {
			f.HealthCheck.Port = raw
		}
	}
	if raw, ok := r.raw(IngFrontendNLBHCProtocol); ok {
		if raw != ProtocolHTTP && raw != ProtocolHTTPS {
			r.fail(newErr(IngFrontendNLBHCProtocol, raw, nil, "healthCheckProtocol must be within [HTTP, HTTPS]"))
		} else {
			f.HealthCheck.Protocol = raw
		}
	}
	if v, ok := f.Attributes["dns_record.client_routing_policy"]; ok && !slices.Contains(dnsClientRoutingPolicies, v) {
		r.fail(newErr(IngFrontendNLBAttributes, r.str(IngFrontendNLBAttributes), nil,
			"invalid dns_record.client_routing_policy set in annotation %s: got '%s' expected one of ['%s', '%s', '%s']",
			IngFrontendNLBAttributes, v, dnsClientRoutingPolicies[2], dnsClientRoutingPolicies[1], dnsClientRoutingPolicies[0]))
	}
	if m := r.stringMap(IngFrontendNLBPortMapping); m != nil {
		f.PortMapping = map[int32]int32{}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			nlb, err := strconv.ParseInt(k, 10, 32)
			if err != nil {
				r.fail(newErr(IngFrontendNLBPortMapping, r.str(IngFrontendNLBPortMapping), err, "invalid NLB listener port: %s", k))
				continue
			}
			alb, err := strconv.ParseInt(m[k], 10, 32)
			if err != nil {
				r.fail(newErr(IngFrontendNLBPortMapping, r.str(IngFrontendNLBPortMapping), err, "invalid ALB listener port: %s", m[k]))
				continue
			}
			f.PortMapping[int32(nlb)] = int32(alb)
		}
	}
	return f
}
