package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LoadBalancerScheme is the scheme of a load balancer.
// +kubebuilder:validation:Enum=internal;internet-facing
type LoadBalancerScheme string

// Schemes.
const (
	LoadBalancerSchemeInternal       LoadBalancerScheme = "internal"
	LoadBalancerSchemeInternetFacing LoadBalancerScheme = "internet-facing"
)

// IPAddressType is the IP address type of a load balancer.
// +kubebuilder:validation:Enum=ipv4;dualstack;dualstack-without-public-ipv4
type IPAddressType string

// IP address types.
const (
	IPAddressTypeIPv4                       IPAddressType = "ipv4"
	IPAddressTypeDualStack                  IPAddressType = "dualstack"
	IPAddressTypeDualStackWithoutPublicIPv4 IPAddressType = "dualstack-without-public-ipv4"
)

// TargetType is how a target group reaches pods.
// +kubebuilder:validation:Enum=instance;ip
type TargetType string

// Target types.
const (
	TargetTypeInstance TargetType = "instance"
	TargetTypeIP       TargetType = "ip"
)

// IngressGroup names the Ingress group of every Ingress of the class.
type IngressGroup struct {
	// Name is the group name; it replaces the group.name annotation.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern="^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$"
	Name string `json:"name"`
}

// SubnetSelector picks the load balancer's subnets by ID or by tags; exactly
// one of the two is meant to be set.
type SubnetSelector struct {
	// IDs are subnet IDs.
	// +optional
	IDs []SubnetID `json:"ids,omitempty"`

	// Tags selects subnets carrying, for every key, one of the values.
	// +optional
	Tags map[string][]string `json:"tags,omitempty"`
}

// SubnetID is the ID of a subnet.
// +kubebuilder:validation:Pattern="^subnet-[0-9a-f]+$"
type SubnetID string

// Tag is an AWS tag.
type Tag struct {
	// Key is the tag key.
	// +kubebuilder:validation:MinLength=1
	Key string `json:"key"`
	// Value is the tag value.
	Value string `json:"value"`
}

// Attribute is a load balancer attribute.
type Attribute struct {
	// Key is the attribute key.
	Key string `json:"key"`
	// Value is the attribute value.
	Value string `json:"value"`
}

// IngressClassParamsSpec is the configuration an IngressClass imposes on its
// Ingresses. A set (non-empty) field beats the matching annotation of each
// Ingress.
// +kubebuilder:validation:XValidation:rule="!(has(self.prefixListsIDs) && has(self.PrefixListsIDs))",message="cannot specify both 'prefixListsIDs' and 'PrefixListsIDs' fields"
type IngressClassParamsSpec struct {
	// NamespaceSelector restricts the class to Ingresses in matching
	// namespaces; nil matches every namespace.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`

	// Group puts every Ingress of the class into one Ingress group.
	// +optional
	Group *IngressGroup `json:"group,omitempty"`

	// Scheme is the load balancer scheme.
	// +optional
	Scheme LoadBalancerScheme `json:"scheme,omitempty"`

	// IPAddressType is the load balancer's IP address type.
	// +optional
	IPAddressType IPAddressType `json:"ipAddressType,omitempty"`

	// Subnets are the load balancer's subnets.
	// +optional
	Subnets *SubnetSelector `json:"subnets,omitempty"`

	// CertificateArn lists ACM certificate ARNs for HTTPS listeners.
	// +optional
	CertificateArn []string `json:"certificateArn,omitempty"`

	// SSLPolicy is the security policy of HTTPS listeners.
	// +optional
	SSLPolicy string `json:"sslPolicy,omitempty"`

	// SSLRedirectPort is the HTTPS port HTTP listeners redirect to.
	// +optional
	SSLRedirectPort string `json:"sslRedirectPort,omitempty"`

	// InboundCIDRs are the CIDRs allowed to reach the load balancer.
	// +optional
	InboundCIDRs []string `json:"inboundCIDRs,omitempty"`

	// PrefixListsIDs are managed prefix list IDs allowed to reach the load
	// balancer.
	// +optional
	PrefixListsIDs []string `json:"prefixListsIDs,omitempty"`

	// PrefixListsIDsLegacy is LBC's older spelling of prefixListsIDs, used
	// only when prefixListsIDs is empty; see PrefixLists.
	// +optional
	PrefixListsIDsLegacy []string `json:"PrefixListsIDs,omitempty"`

	// Tags are AWS tags on the load balancer and its resources.
	// +optional
	Tags []Tag `json:"tags,omitempty"`

	// TargetType is the target type of the class's target groups.
	// +optional
	TargetType TargetType `json:"targetType,omitempty"`

	// LoadBalancerName is the load balancer's name.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	LoadBalancerName string `json:"loadBalancerName,omitempty"`

	// LoadBalancerAttributes are load balancer attributes.
	// +optional
	LoadBalancerAttributes []Attribute `json:"loadBalancerAttributes,omitempty"`

	// The fields below are LBC's, kept so that existing objects round-trip
	// through lbsg's CRD unchanged. Those lbsg does not apply yet (the WAF
	// ones): an Ingress of a class whose params set one is refused with an
	// UnsupportedAnnotation event and its ALB left as it is
	// (model.ParamsFields).

	// Listeners set listener attributes by protocol and port.
	// +optional
	Listeners []Listener `json:"listeners,omitempty"`

	// MinimumLoadBalancerCapacity reserves load-balancer capacity.
	// +optional
	MinimumLoadBalancerCapacity *MinimumLoadBalancerCapacity `json:"minimumLoadBalancerCapacity,omitempty"`

	// IPAMConfiguration takes the ALB's IPv4 addresses from an IPAM pool.
	// +optional
	IPAMConfiguration *IPAMConfiguration `json:"ipamConfiguration,omitempty"`

	// WAFv2ACLArn is the ARN of a WAFv2 web ACL for the ALB.
	// +optional
	WAFv2ACLArn string `json:"wafv2AclArn,omitempty"`

	// WAFv2ACLName is the name of a WAFv2 web ACL for the ALB.
	// +optional
	WAFv2ACLName string `json:"wafv2AclName,omitempty"`
}

// ListenerProtocol is an ALB listener protocol (HTTP, HTTPS).
type ListenerProtocol string

// Listener is one listener's attributes in IngressClassParams.
type Listener struct {
	// Protocol of the listener.
	// +optional
	Protocol ListenerProtocol `json:"protocol,omitempty"`
	// Port of the listener.
	// +optional
	Port int32 `json:"port,omitempty"`
	// ListenerAttributes are the listener's attributes.
	// +optional
	ListenerAttributes []Attribute `json:"listenerAttributes,omitempty"`
}

// MinimumLoadBalancerCapacity is a load-balancer capacity reservation.
type MinimumLoadBalancerCapacity struct {
	// CapacityUnits reserved.
	CapacityUnits int32 `json:"capacityUnits"`
}

// IPAMConfiguration names the IPAM pool of the ALB's addresses.
type IPAMConfiguration struct {
	// IPv4IPAMPoolId is the IPAM pool of the ALB's IPv4 addresses.
	// +optional
	IPv4IPAMPoolId *string `json:"ipv4IPAMPoolId,omitempty"`
}

// IngressClassParams is LBC's IngressClass parameters object, referenced
// from an IngressClass's spec.parameters.
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster,path=ingressclassparams,singular=ingressclassparams
// +kubebuilder:printcolumn:name="GROUP-NAME",type="string",JSONPath=".spec.group.name"
// +kubebuilder:printcolumn:name="SCHEME",type="string",JSONPath=".spec.scheme"
// +kubebuilder:printcolumn:name="IP-ADDRESS-TYPE",type="string",JSONPath=".spec.ipAddressType"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
type IngressClassParams struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec IngressClassParamsSpec `json:"spec,omitempty"`
}

// IngressClassParamsList is a list of IngressClassParams.
// +kubebuilder:object:root=true
type IngressClassParamsList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []IngressClassParams `json:"items"`
}

// PrefixLists returns the prefix list IDs in effect: prefixListsIDs, or the
// legacy PrefixListsIDs when the former is empty (lbc-security-groups.md
// §2.3).
func (s *IngressClassParamsSpec) PrefixLists() []string {
	if len(s.PrefixListsIDs) > 0 {
		return s.PrefixListsIDs
	}
	return s.PrefixListsIDsLegacy
}
