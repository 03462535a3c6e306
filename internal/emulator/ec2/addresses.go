package ec2

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Elastic IP addresses: AllocateAddress (domain vpc only), DescribeAddresses,
// ReleaseAddress. Load balancers take them through core.Network
// (UseAddress), which associates them with the subnet's ENI; an address in
// use cannot be released or used twice.

// Address is an Elastic IP allocation.
type Address struct {
	AllocationID string    `json:"allocationId"`
	PublicIP     string    `json:"publicIp"`
	Tags         Tags      `json:"tags,omitempty"`
	Association  string    `json:"associationId,omitempty"`
	ENI          string    `json:"networkInterfaceId,omitempty"`
	Created      time.Time `json:"created"`
}

// publicPool is where the emulator's Elastic IPs come from: a documentation
// range (RFC 5737), never a real address.
var publicPool = netip.MustParsePrefix("198.51.100.0/24")

type addressItem struct {
	PublicIP           string    `xml:"publicIp"`
	AllocationID       string    `xml:"allocationId"`
	Domain             string    `xml:"domain"`
	AssociationID      string    `xml:"associationId,omitempty"`
	NetworkInterfaceID string    `xml:"networkInterfaceId,omitempty"`
	NetworkOwnerID     string    `xml:"networkInterfaceOwnerId,omitempty"`
	PrivateIPAddress   string    `xml:"privateIpAddress,omitempty"`
	Tags               []tagItem `xml:"tagSet>item"`
	PublicIPv4Pool     string    `xml:"publicIpv4Pool"`
	NetworkBorderGroup string    `xml:"networkBorderGroup"`
}

type allocateAddressReply struct {
	query.EC2Response
	PublicIP           string `xml:"publicIp"`
	Domain             string `xml:"domain"`
	AllocationID       string `xml:"allocationId"`
	PublicIPv4Pool     string `xml:"publicIpv4Pool"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
}

type describeAddressesReply struct {
	query.EC2Response
	Addresses query.Items[addressItem] `xml:"addressesSet"`
}

type releaseAddressReply struct {
	query.EC2Response
	Return query.Bool `xml:"return"`
}

func (b *Backend) allocateAddress(p query.Params) (any, error) {
	if d, ok := p.Lookup("Domain"); ok && d != "vpc" && d != "standard" {
		return nil, query.BadRequest("InvalidParameterValue", "Value (%s) for parameter domain is invalid.", d)
	}
	if d := p.Get("Domain"); d == "standard" {
		return nil, query.BadRequest("InvalidParameterValue", "EC2-Classic is not supported; the domain must be vpc.")
	}
	for _, k := range []string{"Address", "CustomerOwnedIpv4Pool", "IpamPoolId"} {
		if v, ok := p.Lookup(k); ok {
			return nil, query.BadRequest("InvalidParameterValue", "The emulator has no address pool for %s '%s'.", k, v)
		}
	}
	if pool, ok := p.Lookup("PublicIpv4Pool"); ok && pool != "amazon" {
		return nil, query.BadRequest("InvalidPublicIpv4PoolID.NotFound", "The pool ID '%s' does not exist", pool)
	}
	if g, ok := p.Lookup("NetworkBorderGroup"); ok && g != b.env.Region {
		return nil, query.BadRequest("InvalidParameterValue", "The network border group '%s' is not valid.", g)
	}
	tags, err := b.parseTagSpecs(p, "elastic-ip")
	if err != nil {
		return nil, err
	}
	ip, ok := b.freePublicIP()
	if !ok {
		return nil, query.BadRequest("AddressLimitExceeded", "The maximum number of addresses has been reached.")
	}
	now := b.env.Now().UTC()
	a := &Address{AllocationID: b.env.IDs.New("eipalloc"), PublicIP: ip, Created: now}
	for _, t := range tags {
		a.Tags = a.Tags.set(t.Key, t.Value, now)
	}
	b.st.addresses[a.AllocationID] = a
	return &allocateAddressReply{PublicIP: a.PublicIP, Domain: "vpc", AllocationID: a.AllocationID,
		PublicIPv4Pool: "amazon", NetworkBorderGroup: b.env.Region}, nil
}

// freePublicIP picks the lowest unused address of publicPool.
func (b *Backend) freePublicIP() (string, bool) {
	used := map[string]bool{}
	for _, a := range b.st.addresses {
		used[a.PublicIP] = true
	}
	for ip := publicPool.Addr().Next(); publicPool.Contains(ip); ip = ip.Next() {
		if s := ip.String(); !used[s] && ip != netip.MustParseAddr("198.51.100.255") {
			return s, true
		}
	}
	return "", false
}

var addressFilters = core.Names("allocation-id", "association-id", "domain", "instance-id", "network-border-group",
	"network-interface-id", "network-interface-owner-id", "private-ip-address", "public-ip", "tag-key")

func (b *Backend) describeAddresses(p query.Params) (any, error) {
	fs, err := core.ParseFilters(p, addressFilters)
	if err != nil {
		return nil, err
	}
	var match []*Address
	ids, ips := dedupe(p.Strings("AllocationId")), dedupe(p.Strings("PublicIp"))
	for _, id := range ids {
		a := b.st.addresses[id]
		if a == nil {
			return nil, notFound("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
		}
		match = append(match, a)
	}
	for _, ip := range ips {
		a := b.addressByIP(ip)
		if a == nil {
			return nil, notFound("InvalidAddress.NotFound", "Address '%s' not found.", ip)
		}
		match = append(match, a)
	}
	if len(ids) == 0 && len(ips) == 0 {
		for _, a := range b.st.addresses {
			match = append(match, a)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].AllocationID < match[j].AllocationID })
	out := &describeAddressesReply{Addresses: query.ItemsOf(make([]addressItem, 0, len(match)))}
	seen := map[string]bool{}
	for _, a := range match {
		if seen[a.AllocationID] {
			continue
		}
		seen[a.AllocationID] = true
		item := b.addressItem(a)
		if !b.matchAll(fs, a.Tags, func(f core.Filter) bool { return addressMatches(item, f) }) {
			continue
		}
		out.Addresses.Item = append(out.Addresses.Item, item)
	}
	return out, nil
}

func addressMatches(it addressItem, f core.Filter) bool {
	var v string
	switch f.Name {
	case "allocation-id":
		v = it.AllocationID
	case "association-id":
		v = it.AssociationID
	case "domain":
		v = it.Domain
	case "network-border-group":
		v = it.NetworkBorderGroup
	case "network-interface-id":
		v = it.NetworkInterfaceID
	case "network-interface-owner-id":
		v = it.NetworkOwnerID
	case "private-ip-address":
		v = it.PrivateIPAddress
	case "public-ip":
		v = it.PublicIP
	case "instance-id":
		v = "" // service ENIs only: never an instance
	}
	return core.MatchAny(f.Values, v)
}

func (b *Backend) addressItem(a *Address) addressItem {
	it := addressItem{PublicIP: a.PublicIP, AllocationID: a.AllocationID, Domain: "vpc", Tags: b.tagItems(a.Tags),
		PublicIPv4Pool: "amazon", NetworkBorderGroup: b.env.Region}
	if e := b.st.enis[a.ENI]; e != nil && a.Association != "" {
		it.AssociationID, it.NetworkInterfaceID, it.NetworkOwnerID, it.PrivateIPAddress = a.Association, e.ID, b.env.Account, e.PrivateIP
	}
	return it
}

func (b *Backend) addressByIP(ip string) *Address {
	for _, a := range b.st.addresses {
		if a.PublicIP == ip {
			return a
		}
	}
	return nil
}

func (b *Backend) releaseAddress(p query.Params) (any, error) {
	id, hasID := p.Lookup("AllocationId")
	ip, hasIP := p.Lookup("PublicIp")
	var a *Address
	switch {
	case hasID && hasIP:
		return nil, query.BadRequest("InvalidParameterCombination", "You may specify public IP or allocation id, but not both in the same call")
	case hasID:
		if a = b.st.addresses[id]; a == nil {
			return nil, notFound("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
		}
	case hasIP:
		if a = b.addressByIP(ip); a == nil {
			return nil, notFound("InvalidAddress.NotFound", "Address '%s' not found.", ip)
		}
		return nil, query.BadRequest("InvalidParameterValue", "You must specify an allocation id when releasing a VPC elastic IP address")
	default:
		return nil, query.MissingParameter("AllocationId")
	}
	if g, ok := p.Lookup("NetworkBorderGroup"); ok && g != b.env.Region {
		return nil, query.BadRequest("InvalidParameterValue", "The network border group '%s' is not valid.", g)
	}
	if a.Association != "" {
		return nil, query.BadRequest("InvalidIPAddress.InUse", "Address %s is in use.", a.PublicIP)
	}
	delete(b.st.addresses, a.AllocationID)
	return &releaseAddressReply{Return: true}, nil
}

// CheckAddress implements core.Network: the allocation exists and is free
// (or already on eniID).
func (b *Backend) CheckAddress(allocationID, eniID string) error {
	a := b.st.addresses[allocationID]
	if a == nil {
		return notFound("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", allocationID)
	}
	if a.Association != "" && (eniID == "" || a.ENI != eniID) {
		return query.BadRequest("Resource.AlreadyAssociated", "Elastic IP address %s is already associated", allocationID)
	}
	return nil
}

// UseAddress implements core.Network: associates the allocation with an
// ENI the caller created and returns its public IP.
func (b *Backend) UseAddress(allocationID, eniID string) (string, error) {
	if err := b.CheckAddress(allocationID, eniID); err != nil {
		return "", err
	}
	if b.st.enis[eniID] == nil {
		return "", notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", eniID)
	}
	a := b.st.addresses[allocationID]
	if a.ENI != eniID {
		a.ENI, a.Association = eniID, b.env.IDs.New("eipassoc")
	}
	return a.PublicIP, nil
}

// freeAddresses disassociates the addresses of an ENI being released.
func (b *Backend) freeAddresses(eniID string) {
	for _, a := range b.st.addresses {
		if a.ENI == eniID {
			a.ENI, a.Association = "", ""
		}
	}
}

func (a *Address) String() string { return fmt.Sprintf("%s (%s)", a.AllocationID, a.PublicIP) }
