package localenv

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodeSpec describes a simulated node backed by an EC2 instance.
type NodeSpec struct {
	Name             string // Node name, e.g. "ip-10-0-1-10.us-west-2.compute.internal"
	InstanceID       string // "i-0123456789abcdef0"
	AvailabilityZone string // "us-west-2a"
	Region           string // "us-west-2"
	InstanceType     string // "m5.large"; default "m5.large"
	PrivateIP        string // the instance's primary private IPv4: the node's InternalIP
	PodCIDR          string // pod IPs come from here (kwok allocates them)
}

// Annotation and label keys set on simulated nodes.
const (
	// KwokNodeAnnotation marks a node as simulated by kwok.
	KwokNodeAnnotation  = "kwok.x-k8s.io/node"
	defaultInstanceType = "m5.large"
)

// ProviderID returns the node's spec.providerID as the AWS cloud provider
// sets it: aws:///<az>/<instance-id>.
func (s NodeSpec) ProviderID() string {
	return fmt.Sprintf("aws:///%s/%s", s.AvailabilityZone, s.InstanceID)
}

// Node returns the Node object to create for s.
func (s NodeSpec) Node() (*corev1.Node, error) {
	if s.Name == "" || s.InstanceID == "" || s.AvailabilityZone == "" || s.Region == "" {
		return nil, fmt.Errorf("node spec %+v: Name, InstanceID, AvailabilityZone and Region are required", s)
	}
	if _, err := netip.ParseAddr(s.PrivateIP); err != nil {
		return nil, fmt.Errorf("node %s: PrivateIP: %w", s.Name, err)
	}
	if _, err := netip.ParsePrefix(s.PodCIDR); err != nil {
		return nil, fmt.Errorf("node %s: PodCIDR: %w", s.Name, err)
	}
	it := s.InstanceType
	if it == "" {
		it = defaultInstanceType
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("16Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: s.Name,
			Labels: map[string]string{
				corev1.LabelHostname:           s.Name,
				corev1.LabelOSStable:           "linux",
				corev1.LabelArchStable:         "amd64",
				corev1.LabelTopologyZone:       s.AvailabilityZone,
				corev1.LabelTopologyRegion:     s.Region,
				corev1.LabelInstanceTypeStable: it,
				"type":                         "kwok",
			},
			Annotations: map[string]string{
				KwokNodeAnnotation:             "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
		},
		Spec: corev1.NodeSpec{
			ProviderID: s.ProviderID(),
			PodCIDR:    s.PodCIDR,
			PodCIDRs:   []string{s.PodCIDR},
		},
		Status: corev1.NodeStatus{
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: s.PrivateIP},
				{Type: corev1.NodeHostName, Address: s.Name},
			},
			Capacity:    capacity,
			Allocatable: capacity,
		},
	}, nil
}
