package gwconfig

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LoadBalancerConfiguration is the supported part of an LBC
// LoadBalancerConfiguration (LBC's JSON names).
type LoadBalancerConfiguration struct {
	Namespace, Name string `json:"-"`
	Generation      int64  `json:"-"`
	Spec            LoadBalancerConfigurationSpec
	// DefaultTargetGroup is the TargetGroupConfiguration that
	// spec.defaultTargetGroupConfiguration names (for a merged
	// configuration: the class's and the Gateway's merged, as LBC), read
	// by the caller; nil: none.
	DefaultTargetGroup *TargetGroupConfigurationSpec `json:"-"`
}

// LoadBalancerConfigurationSpec holds the fields Fields marks Supported.
type LoadBalancerConfigurationSpec struct {
	MergingMode                                          *string                  `json:"mergingMode,omitempty"`
	LoadBalancerName                                     *string                  `json:"loadBalancerName,omitempty"`
	Scheme                                               *string                  `json:"scheme,omitempty"`
	IPAddressType                                        *string                  `json:"ipAddressType,omitempty"`
	EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic *string                  `json:"enforceSecurityGroupInboundRulesOnPrivateLinkTraffic,omitempty"`
	LoadBalancerSubnets                                  *[]SubnetConfiguration   `json:"loadBalancerSubnets,omitempty"`
	LoadBalancerSubnetsSelector                          *map[string][]string     `json:"loadBalancerSubnetsSelector,omitempty"`
	ListenerConfigurations                               *[]ListenerConfiguration `json:"listenerConfigurations,omitempty"`
	DisableSecurityGroup                                 *bool                    `json:"disableSecurityGroup,omitempty"`
	SecurityGroups                                       *[]string                `json:"securityGroups,omitempty"`
	SecurityGroupPrefixes                                *[]string                `json:"securityGroupPrefixes,omitempty"`
	SourceRanges                                         *[]string                `json:"sourceRanges,omitempty"`
	LoadBalancerAttributes                               []Attribute              `json:"loadBalancerAttributes,omitempty"`
	Tags                                                 *map[string]string       `json:"tags,omitempty"`
	EnableICMP                                           *bool                    `json:"enableICMP,omitempty"`
	ManageBackendSecurityGroupRules                      *bool                    `json:"manageBackendSecurityGroupRules,omitempty"`
	// CustomerOwnedIpv4Pool is an ALB's customer-owned IPv4 pool (Outposts).
	CustomerOwnedIpv4Pool *string `json:"customerOwnedIpv4Pool,omitempty"`
	// IPv4IPAMPoolId is the IPAM pool of an ALB's IPv4 addresses.
	IPv4IPAMPoolId *string `json:"ipv4IPAMPoolId,omitempty"`
	// MinimumLoadBalancerCapacity is the capacity reservation (NLB, ALB).
	MinimumLoadBalancerCapacity *MinimumLoadBalancerCapacity `json:"minimumLoadBalancerCapacity,omitempty"`
	// WAFv2 is an ALB's web ACL.
	WAFv2 *WAFv2Configuration `json:"wafV2,omitempty"`
	// ShieldConfiguration is an ALB's Shield Advanced protection.
	ShieldConfiguration             *ShieldConfiguration `json:"shieldConfiguration,omitempty"`
	DefaultTargetGroupConfiguration *LocalReference      `json:"defaultTargetGroupConfiguration,omitempty"`
}

// MinimumLoadBalancerCapacity is a capacity reservation.
type MinimumLoadBalancerCapacity struct {
	CapacityUnits int32 `json:"capacityUnits"`
}

// WAFv2Configuration names the web ACL (its ARN, as LBC sends it).
type WAFv2Configuration struct {
	ACL string `json:"webACL"`
}

// ShieldConfiguration asks for Shield Advanced protection.
type ShieldConfiguration struct {
	Enabled bool `json:"enabled,omitempty"`
}

// MutualAuthentication is an HTTPS listener's mutual TLS (LBC's
// MutualAuthenticationAttributes).
type MutualAuthentication struct {
	Mode                          string  `json:"mode"`
	TrustStore                    *string `json:"trustStore,omitempty"`
	IgnoreClientCertificateExpiry *bool   `json:"ignoreClientCertificateExpiry,omitempty"`
	AdvertiseTrustStoreCaNames    *string `json:"advertiseTrustStoreCaNames,omitempty"`
}

// LocalReference names an object in the configuration's namespace.
type LocalReference struct {
	Name string `json:"name"`
}

// SubnetConfiguration is one entry of loadBalancerSubnets.
type SubnetConfiguration struct {
	Identifier string `json:"identifier"`
	// EIPAllocation is the NLB's Elastic IP allocation in this subnet
	// (internet-facing NLBs).
	EIPAllocation *string `json:"eipAllocation,omitempty"`
	// PrivateIPv4Allocation is the NLB's private IPv4 address in this
	// subnet (internal NLBs).
	PrivateIPv4Allocation *string `json:"privateIPv4Allocation,omitempty"`
	// IPv6Allocation is the NLB's IPv6 address in this subnet (dualstack
	// NLBs).
	IPv6Allocation *string `json:"ipv6Allocation,omitempty"`
	// SourceNatIPv6Prefix is the NLB's source-NAT IPv6 prefix in this
	// subnet (a /80 of the subnet's IPv6 blocks, or auto_assigned).
	SourceNatIPv6Prefix *string `json:"sourceNatIPv6Prefix,omitempty"`
}

// ListenerConfiguration configures the listener of one PROTOCOL:port.
type ListenerConfiguration struct {
	ProtocolPort       string    `json:"protocolPort"`
	DefaultCertificate *string   `json:"defaultCertificate,omitempty"`
	Certificates       []*string `json:"certificates,omitempty"`
	SSLPolicy          *string   `json:"sslPolicy,omitempty"`
	ALPNPolicy         *string   `json:"alpnPolicy,omitempty"`
	// TargetGroupStickiness of an NLB listener's weighted forward.
	TargetGroupStickiness *bool `json:"targetGroupStickiness,omitempty"`
	// ListenerAttributes of the listener (e.g. ALB header modification,
	// NLB TCP idle timeout).
	ListenerAttributes []Attribute `json:"listenerAttributes,omitempty"`
	// QuicEnabled upgrades an NLB's UDP listener to QUIC (TCP_UDP to
	// TCP_QUIC).
	QuicEnabled *bool `json:"quicEnabled,omitempty"`
	// MutualAuthentication of an ALB HTTPS listener.
	MutualAuthentication *MutualAuthentication `json:"mutualAuthentication,omitempty"`
}

// Attribute is a key/value attribute.
type Attribute struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TargetGroupConfiguration is the supported part of an LBC
// TargetGroupConfiguration.
type TargetGroupConfiguration struct {
	Namespace, Name string `json:"-"`
	Generation      int64  `json:"-"`
	Spec            TargetGroupConfigurationSpec
}

// TargetGroupConfigurationSpec holds the fields Fields marks Supported.
type TargetGroupConfigurationSpec struct {
	TargetReference      *Reference       `json:"targetReference,omitempty"`
	DefaultConfiguration TargetGroupProps `json:"defaultConfiguration,omitempty"`
	// RouteConfigurations override DefaultConfiguration for the routes
	// they identify (ForRoute).
	RouteConfigurations []RouteConfiguration `json:"routeConfigurations,omitempty"`
}

// RouteConfiguration is the target-group settings of the routes its
// identifier matches.
type RouteConfiguration struct {
	RouteIdentifier  RouteIdentifier  `json:"routeIdentifier"`
	TargetGroupProps TargetGroupProps `json:"targetGroupProps"`
}

// RouteIdentifier identifies routes by kind, and optionally namespace and
// name.
type RouteIdentifier struct {
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// Reference names the Service a TargetGroupConfiguration configures.
type Reference struct {
	Group *string `json:"group,omitempty"`
	Kind  *string `json:"kind,omitempty"`
	Name  string  `json:"name"`
}

// TargetGroupProps are a target group's settings.
type TargetGroupProps struct {
	TargetType            *string                   `json:"targetType,omitempty"`
	HealthCheckConfig     *HealthCheckConfiguration `json:"healthCheckConfig,omitempty"`
	TargetGroupAttributes []Attribute               `json:"targetGroupAttributes,omitempty"`
	Tags                  *map[string]string        `json:"tags,omitempty"`
	Protocol              *string                   `json:"protocol,omitempty"`
	// ProtocolVersion of an ALB target group behind an HTTPS listener:
	// HTTP1, HTTP2 or GRPC.
	ProtocolVersion *string `json:"protocolVersion,omitempty"`
	// TargetGroupName replaces LBC's generated target group name.
	TargetGroupName *string `json:"targetGroupName,omitempty"`
	// NodeSelector narrows an instance target group's nodes.
	NodeSelector *metav1.LabelSelector `json:"nodeSelector,omitempty"`
	// EnableMultiCluster shares the target group with other clusters: only
	// the targets this cluster registered are deregistered.
	EnableMultiCluster *bool `json:"enableMultiCluster,omitempty"`
	// TargetControlPort is the ALB target-control agent's port (ip
	// targets, HTTP or HTTPS target groups).
	TargetControlPort *int32 `json:"targetControlPort,omitempty"`
	// IPAddressType is the target group's IP address type (ipv4, ipv6);
	// LBC infers it from the Service's ipFamilies.
	IPAddressType *string `json:"ipAddressType,omitempty"`
}

// HealthCheckConfiguration is a target group's health check.
type HealthCheckConfiguration struct {
	HealthyThresholdCount   *int32              `json:"healthyThresholdCount,omitempty"`
	HealthCheckInterval     *int32              `json:"healthCheckInterval,omitempty"`
	HealthCheckPath         *string             `json:"healthCheckPath,omitempty"`
	HealthCheckPort         *string             `json:"healthCheckPort,omitempty"`
	HealthCheckProtocol     *string             `json:"healthCheckProtocol,omitempty"`
	HealthCheckTimeout      *int32              `json:"healthCheckTimeout,omitempty"`
	UnhealthyThresholdCount *int32              `json:"unhealthyThresholdCount,omitempty"`
	Matcher                 *HealthCheckMatcher `json:"matcher,omitempty"`
}

// HealthCheckMatcher is the health check's success codes.
type HealthCheckMatcher struct {
	HTTPCode *string `json:"httpCode,omitempty"`
	GRPCCode *string `json:"grpcCode,omitempty"`
}

// meta reads an object's namespace, name and generation.
func meta(obj map[string]any) (ns, name string, gen int64) {
	m, _ := obj["metadata"].(map[string]any)
	ns, _ = m["namespace"].(string)
	name, _ = m["name"].(string)
	switch g := m["generation"].(type) {
	case int64:
		gen = g
	case float64:
		gen = int64(g)
	}
	return ns, name, gen
}

func decodeSpec(obj map[string]any, into any) error {
	raw, err := json.Marshal(obj["spec"])
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}

// ParseLoadBalancerConfiguration decodes obj (as the API server returns
// it); an object with unsupported fields is an *UnsupportedError.
func ParseLoadBalancerConfiguration(obj map[string]any) (*LoadBalancerConfiguration, error) {
	out := &LoadBalancerConfiguration{}
	out.Namespace, out.Name, out.Generation = meta(obj)
	if bad := UnsupportedFields(KindLoadBalancerConfiguration, obj); len(bad) > 0 {
		return nil, &UnsupportedError{Kind: KindLoadBalancerConfiguration, Namespace: out.Namespace, Name: out.Name, Fields: bad}
	}
	if err := decodeSpec(obj, &out.Spec); err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", KindLoadBalancerConfiguration, out.Namespace, out.Name, err)
	}
	return out, nil
}

// ParseTargetGroupConfiguration decodes obj; an object with unsupported
// fields is an *UnsupportedError.
func ParseTargetGroupConfiguration(obj map[string]any) (*TargetGroupConfiguration, error) {
	out := &TargetGroupConfiguration{}
	out.Namespace, out.Name, out.Generation = meta(obj)
	if bad := UnsupportedFields(KindTargetGroupConfiguration, obj); len(bad) > 0 {
		return nil, &UnsupportedError{Kind: KindTargetGroupConfiguration, Namespace: out.Namespace, Name: out.Name, Fields: bad}
	}
	if err := decodeSpec(obj, &out.Spec); err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", KindTargetGroupConfiguration, out.Namespace, out.Name, err)
	}
	return out, nil
}
