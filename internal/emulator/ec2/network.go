package ec2

import (
	"fmt"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

var _ core.Network = (*Backend)(nil)

// Subnet implements core.Network.
func (b *Backend) Subnet(id string) (core.SubnetInfo, bool) {
	s := b.st.subnets[id]
	if s == nil {
		return core.SubnetInfo{}, false
	}
	info := core.SubnetInfo{ID: s.ID, VPCID: s.VPCID, AvailabilityZone: s.AZ, AvailabilityZoneID: b.zoneID(s.AZ), CIDR: s.CIDR, OutpostARN: s.OutpostARN}
	if s.IPv6CIDR != "" {
		info.IPv6CIDRs = []string{s.IPv6CIDR}
	}
	return info, true
}

// VPC implements core.Network.
func (b *Backend) VPC(id string) (core.VPCInfo, bool) {
	v := b.st.vpcs[id]
	if v == nil {
		return core.VPCInfo{}, false
	}
	info := core.VPCInfo{ID: v.ID, CIDRs: []string{v.CIDR}}
	if v.IPv6CIDR != "" {
		info.IPv6CIDRs = []string{v.IPv6CIDR}
	}
	return info, true
}

// SecurityGroupVPC implements core.Network.
func (b *Backend) SecurityGroupVPC(id string) (string, bool) {
	g := b.st.groups[id]
	if g == nil {
		return "", false
	}
	return g.VPCID, true
}

// DefaultSecurityGroup implements core.Network.
func (b *Backend) DefaultSecurityGroup(vpcID string) (string, bool) {
	v := b.st.vpcs[vpcID]
	if v == nil || v.DefaultGroupID == "" {
		return "", false
	}
	return v.DefaultGroupID, true
}

// Instance implements core.Network.
func (b *Backend) Instance(id string) (core.InstanceInfo, bool) {
	i := b.st.instances[id]
	if i == nil {
		return core.InstanceInfo{}, false
	}
	return core.InstanceInfo{ID: i.ID, VPCID: i.VPCID, SubnetID: i.SubnetID, State: i.State,
		PrivateIP: b.instancePrivateIP(i), AvailabilityZone: i.AZ}, true
}

// CreateServiceENI implements core.Network: a requester-managed interface
// holding groups, as load balancers' ENIs do.
func (b *Backend) CreateServiceENI(subnetID string, groups []string, interfaceType, description string) (string, error) {
	s := b.st.subnets[subnetID]
	if s == nil {
		return "", notFound("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", subnetID)
	}
	for _, g := range groups {
		if b.st.groups[g] == nil {
			return "", notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", g)
		}
	}
	e, err := b.newENI(s, groups, "")
	if err != nil {
		return "", err
	}
	e.Type, e.Description, e.RequesterManaged = interfaceType, description, true
	b.st.enis[e.ID] = e
	return e.ID, nil
}

// SetENIGroups implements core.Network.
func (b *Backend) SetENIGroups(eniID string, groups []string) error {
	e := b.st.enis[eniID]
	if e == nil {
		return notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", eniID)
	}
	for _, g := range groups {
		if b.st.groups[g] == nil {
			return notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", g)
		}
	}
	e.Groups = append([]string(nil), groups...)
	return nil
}

// ReleaseENI implements core.Network: the ENI keeps its groups for delay.
func (b *Backend) ReleaseENI(eniID string, delay time.Duration) {
	e := b.st.enis[eniID]
	if e == nil {
		return
	}
	b.freeAddresses(eniID)
	if delay <= 0 {
		delete(b.st.enis, eniID)
		return
	}
	e.ReleaseAt = b.env.Now().UTC().Add(delay)
}

// newENI builds (but does not index) an interface in s with a free
// address, or ip when given.
func (b *Backend) newENI(s *Subnet, groups []string, ip string) (*ENI, error) {
	if ip == "" {
		ips, ok := b.allocIPs(s, 1, nil)
		if !ok {
			return nil, query.BadRequest("InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request.")
		}
		ip = ips[0]
	}
	mac := b.env.IDs.Hex(10)
	return &ENI{
		ID: b.env.IDs.New("eni"), SubnetID: s.ID, VPCID: s.VPCID, AZ: s.AZ, Type: "interface",
		MAC:       fmt.Sprintf("02:%s:%s:%s:%s:%s", mac[0:2], mac[2:4], mac[4:6], mac[6:8], mac[8:10]),
		PrivateIP: ip, Groups: append([]string{}, groups...), SourceDestCheck: true, Created: b.env.Now().UTC(),
	}, nil
}
