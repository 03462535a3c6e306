package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TargetType is how a target group reaches pods.
// +kubebuilder:validation:Enum=instance;ip
type TargetType string

// Target types.
const (
	TargetTypeInstance TargetType = "instance"
	TargetTypeIP       TargetType = "ip"
)

// ServiceReference names a Service and one of its ports.
type ServiceReference struct {
	// Name is the name of the Service.
	Name string `json:"name"`

	// Port is the Service port, by number or by name.
	Port intstr.IntOrString `json:"port"`
}

// IPBlock is a CIDR peer of a networking rule.
type IPBlock struct {
	// CIDR is an IPv4 or IPv6 network.
	CIDR string `json:"cidr"`
}

// SecurityGroup is a security-group peer of a networking rule.
type SecurityGroup struct {
	// GroupID is the EC2 security group ID.
	GroupID string `json:"groupID"`
}

// NetworkingPeer is the source of a networking rule.
type NetworkingPeer struct {
	// IPBlock is a CIDR source.
	// +optional
	IPBlock *IPBlock `json:"ipBlock,omitempty"`

	// SecurityGroup is a security-group source.
	// +optional
	SecurityGroup *SecurityGroup `json:"securityGroup,omitempty"`
}

// NetworkingProtocol is the protocol of a networking rule.
// +kubebuilder:validation:Enum=TCP;UDP
type NetworkingProtocol string

// NetworkingPort is a protocol and port a networking rule opens.
type NetworkingPort struct {
	// Protocol, TCP when unset.
	Protocol *NetworkingProtocol `json:"protocol,omitempty"`

	// Port to open; every port when unset.
	// +optional
	Port *intstr.IntOrString `json:"port,omitempty"`
}

// NetworkingIngressRule admits traffic from peers to ports of the targets.
type NetworkingIngressRule struct {
	// From are the sources.
	From []NetworkingPeer `json:"from"`

	// Ports are the ports opened.
	Ports []NetworkingPort `json:"ports"`
}

// TargetGroupBindingNetworking holds the binding's networking rules.
type TargetGroupBindingNetworking struct {
	// Ingress rules on the targets' security groups.
	// +optional
	Ingress []NetworkingIngressRule `json:"ingress,omitempty"`
}

// TargetGroupBindingSpec is what a binding asks for (v1alpha1's fields).
type TargetGroupBindingSpec struct {
	// TargetGroupARN is the target group's ARN.
	// +optional
	TargetGroupARN string `json:"targetGroupARN,omitempty"`

	// TargetGroupName is the target group's name.
	// +optional
	TargetGroupName string `json:"targetGroupName,omitempty"`

	// MultiClusterTargetGroup: the target group is shared with other clusters.
	// +optional
	MultiClusterTargetGroup bool `json:"multiClusterTargetGroup,omitempty"`

	// TargetType of the target group.
	// +optional
	TargetType *TargetType `json:"targetType,omitempty"`

	// ServiceRef is the Service whose endpoints or nodes are the targets.
	ServiceRef ServiceReference `json:"serviceRef"`

	// Networking rules.
	// +optional
	Networking *TargetGroupBindingNetworking `json:"networking,omitempty"`

	// IamRoleArnToAssume is the role assumed for the target group's calls.
	// +optional
	IamRoleArnToAssume string `json:"iamRoleArnToAssume,omitempty"`

	// AssumeRoleExternalId is the external ID given when assuming the role.
	// +optional
	AssumeRoleExternalId string `json:"assumeRoleExternalId,omitempty"` //nolint:revive // LBC's field name

	// RegisterTargetsWithPodAvailabilityZone registers cross-account ip
	// targets with their node's zone instead of "all".
	// +optional
	RegisterTargetsWithPodAvailabilityZone *bool `json:"registerTargetsWithPodAvailabilityZone,omitempty"`
}

// TargetGroupBindingStatus is what the controller observed.
type TargetGroupBindingStatus struct {
	// ObservedGeneration is the generation last reconciled.
	// +optional
	ObservedGeneration *int64 `json:"observedGeneration,omitempty"`
}

// TargetGroupBinding is LBC's elbv2.k8s.aws/v1alpha1 TargetGroupBinding.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="SERVICE-NAME",type="string",JSONPath=".spec.serviceRef.name",description="The Kubernetes Service's name"
// +kubebuilder:printcolumn:name="SERVICE-PORT",type="string",JSONPath=".spec.serviceRef.port",description="The Kubernetes Service's port"
// +kubebuilder:printcolumn:name="TARGET-TYPE",type="string",JSONPath=".spec.targetType",description="The AWS TargetGroup's TargetType"
// +kubebuilder:printcolumn:name="ARN",type="string",JSONPath=".spec.targetGroupARN",description="The AWS TargetGroup's Amazon Resource Name",priority=1
// +kubebuilder:printcolumn:name="NAME",type="string",JSONPath=".spec.targetGroupName",description="The AWS TargetGroup's Name",priority=2
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
type TargetGroupBinding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TargetGroupBindingSpec   `json:"spec,omitempty"`
	Status TargetGroupBindingStatus `json:"status,omitempty"`
}

// TargetGroupBindingList is a list of TargetGroupBindings.
//
// +kubebuilder:object:root=true
type TargetGroupBindingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TargetGroupBinding `json:"items"`
}
