package core

import "time"

// Network is what the ELBv2 backend needs from the EC2 backend. The EC2
// backend implements it; the server wires the two together, so neither
// package imports the other. Calls happen under the server's lock. Lookups
// see the linearisable state, not the lagging Describe view.
type Network interface {
	// Subnet returns a subnet's VPC, Availability Zone, zone ID and IPv4 CIDR.
	Subnet(id string) (SubnetInfo, bool)
	// VPC returns a VPC's IPv4 CIDRs (primary first) and IPv6 CIDRs.
	VPC(id string) (VPCInfo, bool)
	// SecurityGroupVPC returns the VPC of a security group.
	SecurityGroupVPC(id string) (vpcID string, ok bool)
	// DefaultSecurityGroup returns the ID of a VPC's "default" group.
	DefaultSecurityGroup(vpcID string) (string, bool)
	// Instance returns an instance's VPC, subnet, state name (running, …)
	// and private IPv4 address.
	Instance(id string) (InstanceInfo, bool)
	// CreateServiceENI creates a requester-managed ENI in subnetID with the
	// given groups, interface type (load_balancer, network_load_balancer)
	// and description (ELB app/<name>/<id>), and returns its ID.
	CreateServiceENI(subnetID string, groups []string, interfaceType, description string) (string, error)
	// SetENIGroups replaces the groups of an ENI the caller created.
	SetENIGroups(eniID string, groups []string) error
	// ReleaseENI deletes an ENI the caller created, after delay (the ENI
	// keeps holding its groups until then).
	ReleaseENI(eniID string, delay time.Duration)
	// CheckAddress reports whether an Elastic IP allocation exists and is
	// free (or already on eniID, when given).
	CheckAddress(allocationID, eniID string) error
	// UseAddress associates an Elastic IP allocation with an ENI the
	// caller created and returns its public IP; ReleaseENI frees it.
	UseAddress(allocationID, eniID string) (publicIP string, err error)
}

// SubnetInfo describes a subnet for other backends.
type SubnetInfo struct {
	ID, VPCID, AvailabilityZone, AvailabilityZoneID, CIDR string
	// OutpostARN is the Outpost the subnet is on ("" for none).
	OutpostARN string
	// IPv6CIDRs are the subnet's associated IPv6 blocks.
	IPv6CIDRs []string
}

// VPCInfo describes a VPC for other backends.
type VPCInfo struct {
	ID        string
	CIDRs     []string
	IPv6CIDRs []string
}

// InstanceInfo describes an instance for other backends.
type InstanceInfo struct {
	ID, VPCID, SubnetID, State, PrivateIP, AvailabilityZone string
}
