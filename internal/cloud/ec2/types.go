package ec2

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/rules"
)

// VPC is what lbsg needs of a VPC.
type VPC struct {
	ID string
	// CIDRs are the associated IPv4 blocks, primary first.
	CIDRs []string
	// IPv6CIDRs are the associated IPv6 blocks.
	IPv6CIDRs []string
}

// Subnet is what subnet discovery needs (lbc-load-balancers.md §4).
type Subnet struct {
	ID, VPCID    string
	AZ, AZID     string
	CIDR         string
	AvailableIPs int32
	// HasIPv6 reports an associated IPv6 block.
	HasIPv6 bool
	// IPv6CIDRs are the associated IPv6 blocks.
	IPv6CIDRs []string
	Tags      map[string]string
	// OutpostARN is the Outpost the subnet is on ("" for none).
	OutpostARN string
}

// SecurityGroup is a group with its inbound rules as a Set.
type SecurityGroup struct {
	ID, Name, Description, VPCID string
	Tags                         map[string]string
	Ingress                      rules.Set
	// IngressErrors lists inbound entries that could not be keyed (an odd
	// rule written outside lbsg); they are not in Ingress.
	IngressErrors error
}

// ENI is a network interface and its groups.
type ENI struct {
	ID          string
	VPCID       string
	SubnetID    string
	Type        string // interface, efa, …; "" when AWS did not say
	Description string
	InstanceID  string // "" when not attached to an instance
	DeviceIndex int32  // of the attachment; 0 when not attached
	GroupIDs    []string
	PrivateIPs  []string // IPv4, primary first
	IPv6s       []string
	Prefixes    []string // IPv4 and IPv6 prefixes delegated to the interface
}

// Instance is what the controllers need of an EC2 instance: its primary
// ENI and that ENI's groups.
type Instance struct {
	ID, ENIID string
	Groups    []string
}

// UnresolvedSecurityGroupsError names the entries of a security-groups
// annotation that match nothing in the VPC.
type UnresolvedSecurityGroupsError struct {
	VPCID string
	IDs   []string // sg-… entries with no such group in the VPC
	Names []string // Name-tag values no group in the VPC carries
}

func (e *UnresolvedSecurityGroupsError) Error() string {
	var parts []string
	if len(e.IDs) > 0 {
		parts = append(parts, "IDs "+strings.Join(e.IDs, ", "))
	}
	if len(e.Names) > 0 {
		parts = append(parts, "names "+strings.Join(e.Names, ", "))
	}
	return fmt.Sprintf("security groups not found in %s: %s", e.VPCID, strings.Join(parts, "; "))
}

// NotFoundError names groups asked for by ID that do not exist.
type NotFoundError struct {
	IDs []string
}

func (e *NotFoundError) Error() string {
	return "security groups not found: " + strings.Join(e.IDs, ", ")
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
