package annotations

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
)

// IngressPrefix is the only prefix LBC reads on Ingresses (and on Services
// behind Ingresses, for target-group settings).
const IngressPrefix = "alb.ingress.kubernetes.io/"

// Ingress annotation keys.
const (
	IngGroupName              = IngressPrefix + "group.name"
	IngGroupOrder             = IngressPrefix + "group.order"
	IngLoadBalancerName       = IngressPrefix + "load-balancer-name"
	IngScheme                 = IngressPrefix + "scheme"
	IngSubnets                = IngressPrefix + "subnets"
	IngIPAddressType          = IngressPrefix + "ip-address-type"
	IngMinimumCapacity        = IngressPrefix + "minimum-load-balancer-capacity"
	IngTargetType             = IngressPrefix + "target-type"
	IngSecurityGroups         = IngressPrefix + "security-groups"
	IngManageBackendSGRules   = IngressPrefix + "manage-backend-security-group-rules"
	IngInboundCIDRs           = IngressPrefix + "inbound-cidrs"
	IngSGPrefixLists          = IngressPrefix + "security-group-prefix-lists"
	IngListenPorts            = IngressPrefix + "listen-ports"
	IngCertificateARN         = IngressPrefix + "certificate-arn"
	IngCreateACMCert          = IngressPrefix + "create-acm-cert"
	IngACMPCAARN              = IngressPrefix + "acm-pca-arn"
	IngSSLPolicy              = IngressPrefix + "ssl-policy"
	IngSSLRedirect            = IngressPrefix + "ssl-redirect"
	IngTags                   = IngressPrefix + "tags"
	IngLoadBalancerAttributes = IngressPrefix + "load-balancer-attributes"
	IngTargetGroupAttributes  = IngressPrefix + "target-group-attributes"
	// IngListenerAttributesPrefix is followed by "<PROTOCOL>-<port>".
	IngListenerAttributesPrefix = IngressPrefix + "listener-attributes."
	IngBackendProtocol          = IngressPrefix + "backend-protocol"
	IngBackendProtocolVersion   = IngressPrefix + "backend-protocol-version"
	IngHealthCheckProtocol      = IngressPrefix + "healthcheck-protocol"
	IngHealthCheckPort          = IngressPrefix + "healthcheck-port"
	IngHealthCheckPath          = IngressPrefix + "healthcheck-path"
	IngHealthCheckInterval      = IngressPrefix + "healthcheck-interval-seconds"
	IngHealthCheckTimeout       = IngressPrefix + "healthcheck-timeout-seconds"
	IngHealthyThreshold         = IngressPrefix + "healthy-threshold-count"
	IngUnhealthyThreshold       = IngressPrefix + "unhealthy-threshold-count"
	IngSuccessCodes             = IngressPrefix + "success-codes"
	// IngTargetControlPortPrefix is followed by "<service>.<port>" (the
	// backend's Service name and port as the Ingress writes it).
	IngTargetControlPortPrefix  = IngressPrefix + "target-control-port."
	IngFrontendNLBSecurityGroup = IngressPrefix + "frontend-nlb-security-groups"
	IngUseRegexPathMatch        = IngressPrefix + "use-regex-path-match"
	IngTargetNodeLabels         = IngressPrefix + "target-node-labels"
	IngMultiClusterTargetGroup  = IngressPrefix + "multi-cluster-target-group"
	IngIPAMIPv4PoolID           = IngressPrefix + "ipam-ipv4-pool-id"
	IngCustomerOwnedIPv4Pool    = IngressPrefix + "customer-owned-ipv4-pool"
)

// Protocols of ALB listeners.
const (
	ProtocolHTTP  = "HTTP"
	ProtocolHTTPS = "HTTPS"
)

// Group limits (lbc-load-balancers.md §6.3).
const (
	MaxGroupNameLength = 63
	MinGroupOrder      = -1000
	MaxGroupOrder      = 1000
)

var groupNameRE = regexp.MustCompile(`^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$`)

// ListenPort is one entry of listen-ports.
type ListenPort struct {
	Protocol string // HTTP | HTTPS
	Port     int32
}

// String renders "HTTP:80".
func (l ListenPort) String() string { return fmt.Sprintf("%s:%d", l.Protocol, l.Port) }

// Ingress is the typed form of one Ingress's LBC annotations (or of the
// alb.ingress.kubernetes.io/ annotations on a backend Service).
type Ingress struct {
	GroupName            string // validated; "" = implicit group
	GroupOrder           int32  // default 0
	LoadBalancerName     string
	Scheme               string // "" | internal | internet-facing
	Subnets              []string
	IPAddressType        string // "" | ipv4 | dualstack | dualstack-without-public-ipv4
	TargetType           string // "" | instance | ip
	SecurityGroups       []string
	ManageBackendSGRules *bool
	InboundCIDRs         []string
	PrefixLists          []string
	ListenPorts          []ListenPort // nil = absent (see EffectiveListenPorts)
	CertificateARNs      []string
	// CreateACMCert is create-acm-cert: lbsg requests (and owns) the
	// HTTPS certificate of the Ingress's hosts (gate
	// EnableCertificateManagement). A value that does not parse as a bool
	// is an error (LBC reads it as false).
	CreateACMCert bool
	// ACMPCAARN is acm-pca-arn: the private CA of the certificate
	// create-acm-cert requests ("" = --default-pca-arn, else Amazon issued).
	ACMPCAARN         string
	SSLPolicy         string
	SSLRedirect       *int32
	Tags              map[string]string
	LoadBalancerAttrs map[string]string
	// MinimumCapacity is minimum-load-balancer-capacity as written (nil
	// when absent); the group's value is checked once merged.
	MinimumCapacity    map[string]string
	TargetGroupAttrs   map[string]string
	BackendProtocol    string // "" | HTTP | HTTPS
	BackendProtocolVer string // "" | HTTP1 | HTTP2 | GRPC
	HealthCheck        HealthCheck
	FrontendNLBSGs     []string
	// FrontendNLB holds enable-frontend-nlb and the frontend-nlb-*
	// annotations (FrontendNLBSGs is its SecurityGroups too).
	FrontendNLB       FrontendNLB
	UseRegexPathMatch *bool
	// ListenerAttrs are the listener-attributes.<PROTOCOL>-<port>
	// annotations, by "<PROTOCOL>-<port>" as written.
	ListenerAttrs map[string]map[string]string
	// TargetNodeLabels restricts instance targets to nodes with these
	// labels; on a backend Service the annotation wins over the Ingress's.
	TargetNodeLabels map[string]string
	// IPAMIPv4PoolID is the IPAM pool of the ALB's IPv4 addresses ("" when
	// absent or empty, as LBC reads it).
	IPAMIPv4PoolID string
	// CustomerOwnedIPv4Pool is the customer-owned address pool of an ALB on
	// an Outpost; nil when absent, "" when present but empty (an error to
	// the model, as to LBC).
	CustomerOwnedIPv4Pool *string
	// MultiClusterTargetGroup: only targets lbsg registered are ever
	// deregistered (true on the Ingress or on the backend Service).
	MultiClusterTargetGroup bool
}

func ptrTrue(b *bool) bool { return b != nil && *b }

// DualStack reports whether IPv6 sources apply (both dualstack types).
func (i Ingress) DualStack() bool {
	return i.IPAddressType == IPAddressTypeDualStack || i.IPAddressType == IPAddressTypeDualStackWithoutPublicIPv4
}

// EffectiveListenPorts is listen-ports, or LBC's default when absent:
// HTTPS:443 when the Ingress has explicit certificates (or hasOtherCerts: an
// IngressClassParams certificateArn or an auto-created ACM cert), else HTTP:80.
func (i Ingress) EffectiveListenPorts(hasOtherCerts bool) []ListenPort {
	if i.ListenPorts != nil {
		return i.ListenPorts
	}
	if len(i.CertificateARNs) > 0 || hasOtherCerts {
		return []ListenPort{{ProtocolHTTPS, 443}}
	}
	return []ListenPort{{ProtocolHTTP, 80}}
}

// ParseIngress reads an Ingress's annotations; see ParseIngressAnnotations.
func ParseIngress(ing *networkingv1.Ingress) (Ingress, error) {
	return ParseIngressAnnotations(ing.Namespace, ing.Name, ing.Annotations)
}

// ParseIngressAnnotations reads the alb.ingress.kubernetes.io/ annotations of
// the object ns/name (named in LBC's inbound-cidrs message). Group order
// range errors carry LBC's text, which names the Ingress too.
func ParseIngressAnnotations(ns, name string, ann map[string]string) (Ingress, error) {
	r := &reader{ann: ann}
	in := Ingress{
		LoadBalancerName:     r.str(IngLoadBalancerName),
		Subnets:              r.list(IngSubnets),
		SecurityGroups:       r.list(IngSecurityGroups),
		ManageBackendSGRules: r.boolean(IngManageBackendSGRules),
		PrefixLists:          r.list(IngSGPrefixLists),
		CertificateARNs:      r.list(IngCertificateARN),
		CreateACMCert:        ptrTrue(r.boolean(IngCreateACMCert)),
		ACMPCAARN:            r.str(IngACMPCAARN),
		SSLPolicy:            r.str(IngSSLPolicy),
		SSLRedirect:          r.int32v(IngSSLRedirect),
		Tags:                 r.stringMap(IngTags),
		LoadBalancerAttrs:    r.stringMap(IngLoadBalancerAttributes),
		MinimumCapacity:      r.stringMap(IngMinimumCapacity),
		TargetGroupAttrs:     r.stringMap(IngTargetGroupAttributes),
		FrontendNLBSGs:       r.list(IngFrontendNLBSecurityGroup),
		UseRegexPathMatch:    r.boolean(IngUseRegexPathMatch),
		TargetNodeLabels:     r.nodeLabels(IngTargetNodeLabels),
		IPAMIPv4PoolID:       r.str(IngIPAMIPv4PoolID),
		HealthCheck: HealthCheck{
			Protocol:           r.str(IngHealthCheckProtocol), // case-sensitive for ALB; checked by AWS
			Port:               r.str(IngHealthCheckPort),
			Path:               r.str(IngHealthCheckPath),
			Interval:           r.int32v(IngHealthCheckInterval),
			Timeout:            r.int32v(IngHealthCheckTimeout),
			HealthyThreshold:   r.int32v(IngHealthyThreshold),
			UnhealthyThreshold: r.int32v(IngUnhealthyThreshold),
			SuccessCodes:       r.str(IngSuccessCodes),
		},
	}
	if v, ok := ann[IngCustomerOwnedIPv4Pool]; ok {
		in.CustomerOwnedIPv4Pool = &v
	}
	in.ListenerAttrs = r.suffixedMaps(IngListenerAttributesPrefix)
	in.FrontendNLB = r.frontendNLB()
	if b := r.boolean(IngMultiClusterTargetGroup); b != nil {
		in.MultiClusterTargetGroup = *b
	}
	if raw, ok := r.raw(IngLoadBalancerName); ok && len(raw) > 32 {
		r.fail(newErr(IngLoadBalancerName, raw, nil, "load balancer name cannot be longer than 32 characters"))
	}
	if raw, ok := r.raw(IngGroupName); ok {
		if err := ValidateGroupName(raw); err != nil {
			r.fail(newErr(IngGroupName, raw, err, "invalid ingress group: %v", err))
		} else {
			in.GroupName = raw
		}
	}
	if o := r.int32v(IngGroupOrder); o != nil {
		if *o < MinGroupOrder || *o > MaxGroupOrder {
			r.fail(newErr(IngGroupOrder, r.str(IngGroupOrder), nil,
				"explicit Ingress group order must be within [%d:%d], Ingress: %s/%s, order: %d",
				MinGroupOrder, MaxGroupOrder, ns, name, *o))
		} else {
			in.GroupOrder = *o
		}
	}
	in.Scheme = r.oneOf(IngScheme, func(v string) string { return "unknown scheme: " + v },
		SchemeInternal, SchemeInternetFacing)
	in.IPAddressType = r.oneOf(IngIPAddressType, func(v string) string { return "unknown IPAddressType: " + v },
		IPAddressTypeIPv4, IPAddressTypeDualStack, IPAddressTypeDualStackWithoutPublicIPv4)
	in.TargetType = r.oneOf(IngTargetType, func(v string) string { return "unknown targetType: " + v },
		TargetTypeInstance, TargetTypeIP)
	in.BackendProtocol = r.oneOf(IngBackendProtocol, func(v string) string {
		return "backend protocol must be within [HTTP, HTTPS]: " + v
	}, ProtocolHTTP, ProtocolHTTPS)
	// Spec silent on the text; LBC's other enum messages are followed.
	in.BackendProtocolVer = r.oneOf(IngBackendProtocolVersion, func(v string) string {
		return "backend protocol version must be within [HTTP1, HTTP2, GRPC]: " + v
	}, "HTTP1", "HTTP2", "GRPC")
	in.InboundCIDRs = r.cidrs(IngInboundCIDRs, func(err error) string {
		return fmt.Sprintf("invalid inbound-cidrs settings on Ingress: %s/%s: %v", ns, name, err)
	})
	if raw, ok := r.raw(IngListenPorts); ok {
		ports, err := ParseListenPorts(raw)
		if err != nil {
			r.fail(err)
		} else {
			in.ListenPorts = ports
		}
	}
	return in, r.err()
}

// ValidateGroupName checks an IngressGroup name as LBC does.
func ValidateGroupName(g string) error {
	if len(g) > MaxGroupNameLength {
		return fmt.Errorf("groupName must be no more than %d characters", MaxGroupNameLength)
	}
	if !groupNameRE.MatchString(g) {
		return fmt.Errorf("groupName must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
	}
	return nil
}

// ParseListenPorts parses the listen-ports JSON, e.g.
// [{"HTTP":80},{"HTTPS":443}], with LBC's error texts. Entries keep their
// order; protocols inside one JSON object are taken in sorted order (Go maps
// have none). A port listed twice with the same protocol appears once; with
// two protocols it is an error (spec silent: LBC keeps one silently).
func ParseListenPorts(raw string) ([]ListenPort, error) {
	var entries []map[string]int64
	if err := jsonUnmarshal(raw, &entries); err != nil {
		return nil, newErr(IngListenPorts, raw, err, "failed to parse listen-ports configuration: `%s`: %v", raw, err)
	}
	if len(entries) == 0 {
		return nil, newErr(IngListenPorts, raw, nil, "empty listen-ports configuration: `%s`", raw)
	}
	var out []ListenPort
	seen := map[int32]string{}
	for _, e := range entries {
		protos := make([]string, 0, len(e))
		for p := range e {
			protos = append(protos, p)
		}
		slices.SortFunc(protos, cmp.Compare)
		for _, p := range protos {
			port := e[p]
			if port < 1 || port > 65535 {
				return nil, newErr(IngListenPorts, raw, nil, "listen port must be within [1, 65535]: %d", port)
			}
			if p != ProtocolHTTP && p != ProtocolHTTPS {
				return nil, newErr(IngListenPorts, raw, nil, "listen protocol must be within [HTTP, HTTPS]: %s", p)
			}
			lp := ListenPort{Protocol: p, Port: int32(port)}
			if prev, ok := seen[lp.Port]; ok {
				if prev != p {
					return nil, newErr(IngListenPorts, raw, nil, "conflicting protocol for listen port %d: %s | %s", port, prev, p)
				}
				continue
			}
			seen[lp.Port] = p
			out = append(out, lp)
		}
	}
	if len(out) == 0 {
		// e.g. [{}]: spec silent; LBC would build an ALB without listeners.
		return nil, newErr(IngListenPorts, raw, nil, "empty listen-ports configuration: `%s`", raw)
	}
	return out, nil
}

// ParseGroupOrder reads only the group.order annotation of Ingress ns/name
// (default 0), with LBC's texts: a value that is not an int32 gives
// "failed to load Ingress group order for ingress: <ns/name>: failed to
// parse int32 annotation, …", one outside [-1000:1000] LBC's range error.
func ParseGroupOrder(ns, name string, ann map[string]string) (int32, error) {
	r := &reader{ann: ann}
	o := r.int32v(IngGroupOrder)
	if err := r.err(); err != nil {
		return 0, fmt.Errorf("failed to load Ingress group order for ingress: %s/%s: %w", ns, name, err)
	}
	if o == nil {
		return 0, nil
	}
	if *o < MinGroupOrder || *o > MaxGroupOrder {
		return 0, newErr(IngGroupOrder, r.str(IngGroupOrder), nil,
			"explicit Ingress group order must be within [%d:%d], Ingress: %s/%s, order: %d",
			MinGroupOrder, MaxGroupOrder, ns, name, *o)
	}
	return *o, nil
}

// TargetControlPort is the target-control-port.<service>.<port> annotation
// of one Ingress backend (port: its name or number as written), read as
// LBC reads it from the Service's and the Ingress's annotations merged,
// the Service's winning; nil when neither sets it.
func TargetControlPort(svcAnn, ingAnn map[string]string, service, port string) (*int32, error) {
	key := IngTargetControlPortPrefix + service + "." + port
	for _, ann := range []map[string]string{svcAnn, ingAnn} {
		if _, ok := ann[key]; ok {
			r := &reader{ann: ann}
			v := r.int32v(key)
			return v, r.err()
		}
	}
	return nil, nil
}
