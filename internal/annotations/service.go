package annotations

import (
	"fmt"
	"net"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ServicePrefix is the only prefix LBC reads on Services.
const ServicePrefix = "service.beta.kubernetes.io/"

// Service annotation keys.
const (
	SvcType                        = ServicePrefix + "aws-load-balancer-type"
	SvcNLBTargetType               = ServicePrefix + "aws-load-balancer-nlb-target-type"
	SvcName                        = ServicePrefix + "aws-load-balancer-name"
	SvcScheme                      = ServicePrefix + "aws-load-balancer-scheme"
	SvcInternal                    = ServicePrefix + "aws-load-balancer-internal"
	SvcSubnets                     = ServicePrefix + "aws-load-balancer-subnets"
	SvcIPAddressType               = ServicePrefix + "aws-load-balancer-ip-address-type"
	SvcSecurityGroups              = ServicePrefix + "aws-load-balancer-security-groups"
	SvcManageBackendSGRules        = ServicePrefix + "aws-load-balancer-manage-backend-security-group-rules"
	SvcSourceRanges                = ServicePrefix + "load-balancer-source-ranges"
	SvcSGPrefixLists               = ServicePrefix + "aws-load-balancer-security-group-prefix-lists"
	SvcICMPForPathMTU              = ServicePrefix + "aws-load-balancer-enable-icmp-for-path-mtu-discovery"
	SvcDisableNLBSG                = ServicePrefix + "aws-load-balancer-disable-nlb-sg"
	SvcPrivateLinkInboundSGRules   = ServicePrefix + "aws-load-balancer-inbound-sg-rules-on-private-link-traffic"
	SvcAdditionalResourceTags      = ServicePrefix + "aws-load-balancer-additional-resource-tags"
	SvcHealthCheckProtocol         = ServicePrefix + "aws-load-balancer-healthcheck-protocol"
	SvcHealthCheckPort             = ServicePrefix + "aws-load-balancer-healthcheck-port"
	SvcHealthCheckPath             = ServicePrefix + "aws-load-balancer-healthcheck-path"
	SvcHealthCheckInterval         = ServicePrefix + "aws-load-balancer-healthcheck-interval"
	SvcHealthCheckTimeout          = ServicePrefix + "aws-load-balancer-healthcheck-timeout"
	SvcHealthCheckHealthyThreshold = ServicePrefix + "aws-load-balancer-healthcheck-healthy-threshold"
	SvcHealthCheckUnhealthy        = ServicePrefix + "aws-load-balancer-healthcheck-unhealthy-threshold"
	SvcHealthCheckSuccessCodes     = ServicePrefix + "aws-load-balancer-healthcheck-success-codes"
	SvcTargetGroupAttributes       = ServicePrefix + "aws-load-balancer-target-group-attributes"
	SvcLoadBalancerAttributes      = ServicePrefix + "aws-load-balancer-attributes"
	SvcSSLCert                     = ServicePrefix + "aws-load-balancer-ssl-cert"
	SvcSSLPorts                    = ServicePrefix + "aws-load-balancer-ssl-ports"
	SvcQUICEnabledPorts            = ServicePrefix + "aws-load-balancer-quic-enabled-ports"
	// PodQUICEnabledContainers is LBC's pod annotation: its containers'
	// QUIC server ID variable is read only on pods carrying it.
	PodQUICEnabledContainers   = ServicePrefix + "aws-load-balancer-quic-enabled-containers"
	SvcSSLNegotiationPolicy    = ServicePrefix + "aws-load-balancer-ssl-negotiation-policy"
	SvcALPNPolicy              = ServicePrefix + "aws-load-balancer-alpn-policy"
	SvcBackendProtocol         = ServicePrefix + "aws-load-balancer-backend-protocol"
	SvcProxyProtocol           = ServicePrefix + "aws-load-balancer-proxy-protocol"
	SvcEIPAllocations          = ServicePrefix + "aws-load-balancer-eip-allocations"
	SvcPrivateIPv4Addresses    = ServicePrefix + "aws-load-balancer-private-ipv4-addresses"
	SvcIPv6Addresses           = ServicePrefix + "aws-load-balancer-ipv6-addresses"
	SvcEnableTCPUDPListener    = ServicePrefix + "aws-load-balancer-enable-tcp-udp-listener"
	SvcEnablePrefixSourceNAT   = ServicePrefix + "aws-load-balancer-enable-prefix-for-ipv6-source-nat"
	SvcSourceNATPrefixes       = ServicePrefix + "aws-load-balancer-source-nat-ipv6-prefixes"
	SvcMinimumCapacity         = ServicePrefix + "aws-load-balancer-minimum-load-balancer-capacity"
	SvcProxyProtocolPerTG      = ServicePrefix + "aws-load-balancer-proxy-protocol-per-target-group"
	SvcAccessLogEnabled        = ServicePrefix + "aws-load-balancer-access-log-enabled"
	SvcAccessLogS3BucketName   = ServicePrefix + "aws-load-balancer-access-log-s3-bucket-name"
	SvcAccessLogS3BucketPrefix = ServicePrefix + "aws-load-balancer-access-log-s3-bucket-prefix"
	SvcCrossZoneEnabled        = ServicePrefix + "aws-load-balancer-cross-zone-load-balancing-enabled"
	// SvcListenerAttributesPrefix is followed by "<PROTOCOL>-<port>" (the
	// listener's protocol as ELBv2 names it, e.g. TCP-80).
	SvcListenerAttributesPrefix = ServicePrefix + "aws-load-balancer-listener-attributes."
	SvcTargetNodeLabels         = ServicePrefix + "aws-load-balancer-target-node-labels"
	SvcMultiClusterTargetGroup  = ServicePrefix + "aws-load-balancer-multi-cluster-target-group"
)

// Values.
const (
	LBTypeExternal = "external"
	LBTypeNLBIP    = "nlb-ip"

	TargetTypeInstance = "instance"
	TargetTypeIP       = "ip"

	SchemeInternal       = "internal"
	SchemeInternetFacing = "internet-facing"

	IPAddressTypeIPv4                       = "ipv4"
	IPAddressTypeDualStack                  = "dualstack"
	IPAddressTypeDualStackWithoutPublicIPv4 = "dualstack-without-public-ipv4"

	HealthCheckTrafficPort = "traffic-port"

	// DefaultLoadBalancerClass is LBC's --load-balancer-class default.
	DefaultLoadBalancerClass = "service.k8s.aws/nlb"
)

// HealthCheck holds health-check overrides; zero values mean "not set".
type HealthCheck struct {
	Protocol           string // as written; NLB: upper-cased TCP/HTTP/HTTPS
	Port               string // "traffic-port", a number or a port name
	Path               string
	Interval           *int32
	Timeout            *int32
	HealthyThreshold   *int32
	UnhealthyThreshold *int32
	SuccessCodes       string
}

// Service is the typed form of a Service's LBC annotations.
type Service struct {
	Type                 string // aws-load-balancer-type: "external", "nlb-ip", …
	TargetType           string // nlb-target-type: "instance" | "ip" | ""
	Name                 string // explicit LB name (≤ 32 checked)
	Scheme               string // "internal" | "internet-facing" | ""
	Internal             *bool  // deprecated aws-load-balancer-internal
	Subnets              []string
	IPAddressType        string // "ipv4" | "dualstack" | ""
	SecurityGroups       []string
	ManageBackendSGRules *bool
	SourceRanges         []string // the annotation; spec.loadBalancerSourceRanges wins (SourceRanges func)
	PrefixLists          []string // non-nil even when empty: presence suppresses default CIDRs
	ICMPForPathMTU       bool     // exactly "on"; other values are ignored as in LBC
	DisableNLBSG         bool
	PrivateLinkInbound   string // "on" | "off" | ""
	AdditionalTags       map[string]string
	HealthCheck          HealthCheck
	TargetGroupAttrs     map[string]string
	LoadBalancerAttrs    map[string]string
	SSLCerts             []string
	SSLPorts             []string
	// QUICPorts are the Service ports (names or numbers) whose UDP and
	// TCP_UDP listeners and target groups become QUIC and TCP_QUIC.
	QUICPorts       []string
	SSLPolicy       string
	ALPNPolicy      string
	BackendProtocol string // "ssl" → TLS target groups
	ProxyProtocol   string // "*" or ""
	// ProxyProtocolPerTG is the raw proxy-protocol-per-target-group list
	// (ports, checked by the builder as LBC does); nil when absent.
	ProxyProtocolPerTG *string
	// TargetGroupAttrsByPort are the target-group-attributes.<port>
	// annotations, by the port as written.
	TargetGroupAttrsByPort map[string]map[string]string
	// AccessLogEnabled, AccessLogBucket, AccessLogPrefix and CrossZone are
	// the deprecated attribute annotations (nil / "" when absent).
	AccessLogEnabled *bool
	AccessLogBucket  *string
	AccessLogPrefix  *string
	CrossZone        *bool
	// ListenerAttrs are the listener-attributes.<PROTOCOL>-<port>
	// annotations, by "<PROTOCOL>-<port>" as written.
	ListenerAttrs        map[string]map[string]string
	EIPAllocations       []string
	PrivateIPv4Addresses []string
	IPv6Addresses        []string
	EnableTCPUDPListener *bool
	// SourceNATPrefix is enable-prefix-for-ipv6-source-nat: "on" | "off" |
	// "" (absent).
	SourceNATPrefix string
	// SourceNATPrefixes is source-nat-ipv6-prefixes (nil when absent).
	SourceNATPrefixes []string
	// MinimumCapacity is minimum-load-balancer-capacity's CapacityUnits
	// (nil when absent or without a value).
	MinimumCapacity *int32
	// TargetNodeLabels: instance targets are only nodes with all of these
	// labels and values (nil: no restriction).
	TargetNodeLabels map[string]string
	// MultiClusterTargetGroup: the target groups are shared with other
	// clusters; only targets lbsg registered are ever deregistered.
	MultiClusterTargetGroup bool
}

// DualStack reports whether the Service asks for a dual-stack NLB.
func (s Service) DualStack() bool { return s.IPAddressType == IPAddressTypeDualStack }

// ParseService reads a Service's LBC annotations. All problems are returned
// together; the Service fields parsed without problems are still set.
func ParseService(ann map[string]string) (Service, error) {
	r := &reader{ann: ann}
	s := Service{
		Type:                 r.str(SvcType),
		Name:                 r.str(SvcName),
		Internal:             r.boolean(SvcInternal),
		Subnets:              r.list(SvcSubnets),
		SecurityGroups:       r.list(SvcSecurityGroups),
		ManageBackendSGRules: r.boolean(SvcManageBackendSGRules),
		PrefixLists:          r.list(SvcSGPrefixLists),
		ICMPForPathMTU:       r.str(SvcICMPForPathMTU) == "on",
		AdditionalTags:       r.stringMap(SvcAdditionalResourceTags),
		TargetGroupAttrs:     r.stringMap(SvcTargetGroupAttributes),
		LoadBalancerAttrs:    r.stringMap(SvcLoadBalancerAttributes),
		SSLCerts:             r.list(SvcSSLCert),
		SSLPorts:             r.list(SvcSSLPorts),
		QUICPorts:            r.list(SvcQUICEnabledPorts),
		SSLPolicy:            r.str(SvcSSLNegotiationPolicy),
		ALPNPolicy:           r.str(SvcALPNPolicy),
		BackendProtocol:      r.str(SvcBackendProtocol),
		EIPAllocations:       r.list(SvcEIPAllocations),
		PrivateIPv4Addresses: r.list(SvcPrivateIPv4Addresses),
		IPv6Addresses:        r.list(SvcIPv6Addresses),
		EnableTCPUDPListener: r.boolean(SvcEnableTCPUDPListener),
		SourceNATPrefixes:    r.list(SvcSourceNATPrefixes),
		MinimumCapacity:      r.capacity(SvcMinimumCapacity),
		AccessLogEnabled:     r.boolean(SvcAccessLogEnabled),
		AccessLogBucket:      r.optional(SvcAccessLogS3BucketName),
		AccessLogPrefix:      r.optional(SvcAccessLogS3BucketPrefix),
		CrossZone:            r.boolean(SvcCrossZoneEnabled),
		ProxyProtocolPerTG:   r.optional(SvcProxyProtocolPerTG),
		TargetNodeLabels:     r.nodeLabels(SvcTargetNodeLabels),
	}
	if b := r.boolean(SvcMultiClusterTargetGroup); b != nil {
		s.MultiClusterTargetGroup = *b
	}
	s.SourceNATPrefix = r.oneOf(SvcEnablePrefixSourceNAT, func(v string) string {
		return fmt.Sprintf("Invalid enable-prefix-for-ipv6-source-nat value: %s. Valid values are ['on', 'off'].", v)
	}, "on", "off")
	s.TargetGroupAttrsByPort = r.suffixedMaps(SvcTargetGroupAttributes + ".")
	s.ListenerAttrs = r.suffixedMaps(SvcListenerAttributesPrefix)
	if raw, ok := r.raw(SvcName); ok && len(raw) > 32 {
		r.fail(newErr(SvcName, raw, nil, "load balancer name cannot be longer than 32 characters"))
	}
	// Spec silent on the text for a bad nlb-target-type; LBC's ICP wording is reused.
	s.TargetType = r.oneOf(SvcNLBTargetType, func(v string) string { return "unknown targetType: " + v },
		TargetTypeInstance, TargetTypeIP)
	s.Scheme = r.oneOf(SvcScheme, func(v string) string { return "unknown scheme: " + v },
		SchemeInternal, SchemeInternetFacing)
	s.IPAddressType = r.oneOf(SvcIPAddressType, func(v string) string { return "unknown IPAddressType: " + v },
		IPAddressTypeIPv4, IPAddressTypeDualStack)
	if b := r.boolean(SvcDisableNLBSG); b != nil {
		s.DisableNLBSG = *b
	}
	s.PrivateLinkInbound = r.oneOf(SvcPrivateLinkInboundSGRules, func(v string) string {
		return fmt.Sprintf("Invalid value for securityGroupsInboundRulesOnPrivateLink status: %s, value must be one of [on, off]", v)
	}, "on", "off")
	s.ProxyProtocol = r.oneOf(SvcProxyProtocol, func(v string) string {
		return fmt.Sprintf("invalid value %s for Load Balancer proxy protocol v2 annotation, only value currently supported is *", v)
	}, "*")
	// Source ranges are CIDRs; the text for a bad one is lbsg's (spec silent).
	s.SourceRanges = r.cidrs(SvcSourceRanges, func(err error) string { return "invalid source range: " + err.Error() })
	s.HealthCheck = HealthCheck{
		Port:               r.str(SvcHealthCheckPort),
		Path:               r.str(SvcHealthCheckPath),
		Interval:           r.int32v(SvcHealthCheckInterval),
		Timeout:            r.int32v(SvcHealthCheckTimeout),
		HealthyThreshold:   r.int32v(SvcHealthCheckHealthyThreshold),
		UnhealthyThreshold: r.int32v(SvcHealthCheckUnhealthy),
		SuccessCodes:       r.str(SvcHealthCheckSuccessCodes),
	}
	if raw, ok := r.raw(SvcHealthCheckProtocol); ok {
		switch p := strings.ToUpper(raw); p {
		case "TCP", "HTTP", "HTTPS":
			s.HealthCheck.Protocol = p
		default:
			r.fail(newErr(SvcHealthCheckProtocol, raw, nil, "unsupported health check protocol %s", raw))
		}
	}
	return s, r.err()
}

// IsNLBService reports whether lbsg (as LBC with --load-balancer-class
// class, "" = service.k8s.aws/nlb) handles svc (lbc-load-balancers.md §5.1).
// Deletion is not considered: a deleting Service still needs teardown.
// serviceTypeLBOnly is the ServiceTypeLoadBalancerOnly gate.
func IsNLBService(svc *corev1.Service, class string, serviceTypeLBOnly bool) bool {
	if svc == nil {
		return false
	}
	if serviceTypeLBOnly && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	if class == "" {
		class = DefaultLoadBalancerClass
	}
	if svc.Spec.LoadBalancerClass != nil {
		return *svc.Spec.LoadBalancerClass == class
	}
	switch svc.Annotations[SvcType] {
	case LBTypeNLBIP:
		return true
	case LBTypeExternal:
		t := svc.Annotations[SvcNLBTargetType]
		return t == TargetTypeIP || t == TargetTypeInstance
	}
	return false
}

// SourceRanges returns the client CIDRs of a Service's managed SG: the
// non-empty spec.loadBalancerSourceRanges, else the annotation
// (lbc-security-groups.md §3.7). An IPv6 range on a non-dualstack NLB is
// LBC's error; an unparsable spec range is lbsg's (spec silent; LBC would
// fail later in EC2). The result is nil when neither is set.
func SourceRanges(svc *corev1.Service, cfg Service) ([]string, error) {
	ranges := cfg.SourceRanges
	key := SvcSourceRanges
	if len(svc.Spec.LoadBalancerSourceRanges) > 0 {
		ranges, key = nil, "spec.loadBalancerSourceRanges"
		for _, c := range svc.Spec.LoadBalancerSourceRanges {
			if c = strings.TrimSpace(c); c != "" {
				ranges = append(ranges, c)
			}
		}
	}
	for _, c := range ranges {
		if _, _, err := net.ParseCIDR(c); err != nil {
			return nil, newErr(key, c, err, "invalid source range: %v", err)
		}
		if strings.Contains(c, ":") && !cfg.DualStack() {
			return nil, newErr(key, c, nil, "unsupported v6 cidr %s when lb is not dualstack", c)
		}
	}
	if len(ranges) == 0 {
		return nil, nil
	}
	return ranges, nil
}

// EffectiveTargetType is the Service's target type (lbc-load-balancers.md
// §5.4): "ip" for type nlb-ip, else nlb-target-type, else def (LBC's
// --default-target-type, "instance").
func (s Service) EffectiveTargetType(def string) string {
	switch {
	case s.Type == LBTypeNLBIP:
		return TargetTypeIP
	case s.TargetType != "":
		return s.TargetType
	case def != "":
		return def
	}
	return TargetTypeInstance
}

// ExplicitScheme is the scheme the annotations ask for: aws-load-balancer-
// scheme, else the deprecated aws-load-balancer-internal (true → internal,
// false → internet-facing), else "" — then the existing LB's scheme, else
// --default-load-balancer-scheme, decide (the caller's facts).
func (s Service) ExplicitScheme() string {
	switch {
	case s.Scheme != "":
		return s.Scheme
	case s.Internal == nil:
		return ""
	case *s.Internal:
		return SchemeInternal
	}
	return SchemeInternetFacing
}
