package ec2

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// ---- network interfaces ----

var eniFilters = core.Names("network-interface-id", "attachment.instance-id", "attachment.attachment-id",
	"attachment.device-index", "attachment.status", "attachment.instance-owner-id",
	"addresses.private-ip-address", "addresses.primary", "private-ip-address", "private-dns-name",
	"ipv6-addresses.ipv6-address", "vpc-id", "subnet-id", "availability-zone", "group-id", "group-name",
	"interface-type", "status", "description", "owner-id", "requester-managed", "mac-address",
	"source-dest-check", "ipv4-prefix", "tag-key", "tag-value")

func eniStatus(e *ENI) string {
	if e.InstanceID != "" || e.RequesterManaged {
		return "in-use"
	}
	return "available"
}

func (b *Backend) eniFieldValues(name string, e *ENI) []string {
	switch name {
	case "network-interface-id":
		return []string{e.ID}
	case "attachment.instance-id":
		return []string{e.InstanceID}
	case "attachment.attachment-id":
		return []string{e.AttachmentID}
	case "attachment.device-index":
		if e.InstanceID == "" {
			return nil
		}
		return []string{strconv.Itoa(e.DeviceIndex)}
	case "attachment.status":
		if e.AttachmentID == "" {
			return nil
		}
		return []string{"attached"}
	case "attachment.instance-owner-id", "owner-id":
		return []string{b.env.Account}
	case "addresses.private-ip-address":
		return append([]string{e.PrivateIP}, e.SecondaryIPs...)
	case "addresses.primary":
		return []string{"true"}
	case "private-ip-address":
		return []string{e.PrivateIP}
	case "private-dns-name":
		return []string{b.privateDNS(e.PrivateIP)}
	case "vpc-id":
		return []string{e.VPCID}
	case "subnet-id":
		return []string{e.SubnetID}
	case "availability-zone":
		return []string{e.AZ}
	case "group-id":
		return e.Groups
	case "group-name":
		var out []string
		for _, id := range e.Groups {
			if g := b.st.groups[id]; g != nil {
				out = append(out, g.Name)
			}
		}
		return out
	case "interface-type":
		return []string{e.Type}
	case "status":
		return []string{eniStatus(e)}
	case "description":
		return []string{e.Description}
	case "requester-managed":
		return []string{strconv.FormatBool(e.RequesterManaged)}
	case "mac-address":
		return []string{e.MAC}
	case "source-dest-check":
		return []string{strconv.FormatBool(e.SourceDestCheck)}
	case "ipv4-prefix":
		return e.Prefixes
	}
	return nil
}

func (b *Backend) eniMatches(e *ENI, fs []core.Filter) bool {
	return b.matchAll(fs, e.Tags, func(f core.Filter) bool {
		return f.Name != "ipv6-addresses.ipv6-address" && core.MatchAnyOf(f.Values, b.eniFieldValues(f.Name, e))
	})
}

func (b *Backend) eniVisible(e *ENI) bool {
	return b.alive(e) && b.visible(e.Created, b.env.Lag.Create)
}

func (b *Backend) eniItem(e *ENI) networkInterfaceItem {
	it := networkInterfaceItem{
		NetworkInterfaceID: e.ID, SubnetID: e.SubnetID, VpcID: e.VPCID, AvailabilityZone: e.AZ,
		Description: e.Description, OwnerID: b.env.Account, Status: eniStatus(e), MacAddress: e.MAC,
		PrivateIPAddress: e.PrivateIP, PrivateDNSName: b.privateDNS(e.PrivateIP),
		SourceDestCheck: query.Bool(e.SourceDestCheck), InterfaceType: e.Type,
		Tags: b.tagItems(e.Tags),
	}
	rm := query.Bool(e.RequesterManaged)
	it.RequesterManaged = &rm
	if e.RequesterManaged {
		it.RequesterID = "amazon-elb"
	}
	it.Groups = b.groupIdentifiers(e.Groups)
	it.PrivateIPs = make([]privateIPItem, 0, 1+len(e.SecondaryIPs))
	it.PrivateIPs = append(it.PrivateIPs, privateIPItem{PrivateIPAddress: e.PrivateIP, PrivateDNSName: b.privateDNS(e.PrivateIP), Primary: true})
	for _, ip := range e.SecondaryIPs {
		it.PrivateIPs = append(it.PrivateIPs, privateIPItem{PrivateIPAddress: ip, PrivateDNSName: b.privateDNS(ip)})
	}
	for _, px := range e.Prefixes {
		it.IPv4Prefixes = append(it.IPv4Prefixes, ipv4PrefixItem{px})
	}
	if e.AttachmentID != "" {
		it.Attachment = &eniAttachment{AttachmentID: e.AttachmentID, InstanceID: e.InstanceID, InstanceOwnerID: b.env.Account,
			DeviceIndex: e.DeviceIndex, Status: "attached", AttachTime: core.Timestamp(e.Created),
			DeleteOnTermination: query.Bool(e.DeviceIndex == 0)}
	}
	return it
}

func (b *Backend) groupIdentifiers(ids []string) []groupIdentifier {
	out := make([]groupIdentifier, 0, len(ids))
	for _, id := range ids {
		gi := groupIdentifier{GroupID: id}
		if g := b.st.groups[id]; g != nil {
			gi.GroupName = g.Name
		}
		out = append(out, gi)
	}
	return out
}

func (b *Backend) describeNetworkInterfaces(p query.Params) (any, error) {
	ids, err := idList(p, "NetworkInterfaceId", "eni", "InvalidNetworkInterfaceId.Malformed")
	if err != nil {
		return nil, err
	}
	if _, _, err := p.Bool("IncludeManagedResources"); err != nil {
		return nil, err
	}
	if len(ids) > 0 && p.Has("MaxResults") {
		return nil, query.BadRequest("InvalidParameterCombination", "The parameter networkInterfaceIdSet cannot be used with the parameter maxResults")
	}
	fs, err := core.ParseFilters(p, eniFilters)
	if err != nil {
		return nil, err
	}
	match, err := selectByID(b.st.enis, dedupe(ids), b.eniVisible,
		func(r *ENI) bool { return b.eniMatches(r, fs) },
		func(id string) error {
			return notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
		})
	if err != nil {
		return nil, err
	}
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	out := &describeNetworkInterfacesReply{NextToken: pg.Next, Interfaces: query.ItemsOf(make([]networkInterfaceItem, 0, pg.End-pg.Start))}
	for _, e := range match[pg.Start:pg.End] {
		out.Interfaces.Item = append(out.Interfaces.Item, b.eniItem(e))
	}
	return out, nil
}

func (b *Backend) eniByID(id string) (*ENI, error) {
	if id == "" {
		return nil, query.MissingParameter("NetworkInterfaceId")
	}
	if e := b.st.enis[id]; e != nil && b.alive(e) {
		return e, nil
	}
	if !isID(id, "eni") {
		return nil, malformed("InvalidNetworkInterfaceId.Malformed", id, "eni")
	}
	return nil, notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
}

// resolveGroups checks a replacement group list for an interface in vpcID.
func (b *Backend) resolveGroups(ids []string, vpcID, limitCode string) ([]string, error) {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, query.MissingParameter("SecurityGroupId")
	}
	for _, id := range ids {
		g, err := b.groupByID(id)
		if err != nil {
			return nil, err
		}
		if g.VPCID != vpcID {
			return nil, query.BadRequest("InvalidParameterValue", "The security group '%s' does not belong to VPC '%s'", id, vpcID)
		}
	}
	if len(ids) > b.Quotas.GroupsPerInterface {
		msg := "The maximum number of security groups per interface has been reached."
		if limitCode == "SecurityGroupsPerInstanceLimitExceeded" {
			msg = "The maximum number of security groups per instance has been reached."
		}
		return nil, query.BadRequest(limitCode, "%s", msg)
	}
	return append([]string(nil), ids...), nil
}

// eniAttributes are ModifyNetworkInterfaceAttribute's attributes; one per call.
var eniAttributes = []string{"SecurityGroupId", "Description", "SourceDestCheck", "Attachment", "AssociatedSubnetId",
	"AssociatePublicIpAddress", "ConnectionTrackingSpecification", "EnablePrimaryIpv6", "EnaSrdSpecification"}

func (b *Backend) modifyNetworkInterfaceAttribute(p query.Params) (any, error) {
	e, err := b.eniByID(p.Get("NetworkInterfaceId"))
	if err != nil {
		return nil, err
	}
	n := 0
	for _, k := range eniAttributes {
		if p.Has(k) {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, query.BadRequest("MissingParameter", "The request must contain exactly one attribute to modify")
	case n > 1:
		return nil, query.BadRequest("InvalidParameterCombination", "Fields for multiple attribute types specified: only one attribute can be modified per call")
	}
	switch {
	case p.Has("SecurityGroupId"):
		groups, err := b.resolveGroups(p.Strings("SecurityGroupId"), e.VPCID, "SecurityGroupsPerInterfaceLimitExceeded")
		if err != nil {
			return nil, err
		}
		e.Groups = groups
	case p.Has("Description"):
		d := p.Get("Description.Value")
		if len(d) > 255 {
			return nil, query.InvalidParameterValue("Description", d)
		}
		e.Description = d
	case p.Has("SourceDestCheck"):
		v, ok, err := p.Bool("SourceDestCheck.Value")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, query.MissingParameter("SourceDestCheck.Value")
		}
		e.SourceDestCheck = v
	default:
		return nil, query.BadRequest("InvalidParameterValue", "The emulator supports modifying only the groups, description and sourceDestCheck of a network interface")
	}
	return nil, nil
}

// ---- AssignPrivateIpAddresses ----

func (b *Backend) assignPrivateIPAddresses(p query.Params) (any, error) {
	e, err := b.eniByID(p.Get("NetworkInterfaceId"))
	if err != nil {
		return nil, err
	}
	if _, _, err := p.Bool("AllowReassignment"); err != nil {
		return nil, err
	}
	s := b.st.subnets[e.SubnetID]
	if s == nil {
		return nil, query.Errorf(500, "InternalError", "subnet %s of %s is gone", e.SubnetID, e.ID)
	}
	subnet, _ := netip.ParsePrefix(s.CIDR)
	slo, shi := prefixRange(subnet)
	ips, prefixes := p.Strings("PrivateIpAddress"), p.Strings("Ipv4Prefix")
	ipCount, hasIPCount, err := p.Int("SecondaryPrivateIpAddressCount", 1, 256)
	if err != nil {
		return nil, err
	}
	pxCount, hasPxCount, err := p.Int("Ipv4PrefixCount", 1, 256)
	if err != nil {
		return nil, err
	}
	kinds := 0
	for _, has := range []bool{len(ips) > 0, hasIPCount, len(prefixes) > 0, hasPxCount} {
		if has {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return nil, query.MissingParameter("PrivateIpAddress")
	case kinds > 1:
		return nil, query.BadRequest("InvalidParameterCombination",
			"Only one of PrivateIpAddresses, SecondaryPrivateIpAddressCount, Ipv4Prefixes and Ipv4PrefixCount may be specified")
	}
	used := b.usedRanges(s.ID)
	out := &assignPrivateIPsReply{NetworkInterfaceID: e.ID}
	var newIPs, newPrefixes []string
	switch {
	case len(ips) > 0:
		for _, ip := range ips {
			a, err := netip.ParseAddr(ip)
			if err != nil || !a.Is4() {
				return nil, query.InvalidParameterValue("PrivateIpAddress", ip)
			}
			u := v4(a)
			if u < slo+4 || u >= shi {
				return nil, query.BadRequest("InvalidParameterValue", "Address %s does not fall within the subnet's address range", ip)
			}
			if overlaps(used, u, u) {
				return nil, query.BadRequest("PrivateIpAddressInUse", "The specified address %s is already in use", ip)
			}
			used = append(used, [2]uint32{u, u})
			newIPs = append(newIPs, a.String())
		}
	case hasIPCount:
		got, ok := b.allocIPs(s, int(ipCount), nil)
		if !ok {
			return nil, query.BadRequest("InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request.")
		}
		newIPs = got
	case len(prefixes) > 0:
		// Documented deviation: /16–/28 prefixes are accepted (AWS only
		// delegates /28), so a node's pod CIDR can be registered whole.
		for _, px := range prefixes {
			pp, err := netip.ParsePrefix(px)
			if err != nil || !pp.Addr().Is4() || pp.Bits() < 16 || pp.Bits() > 28 || pp.Masked() != pp {
				return nil, query.BadRequest("InvalidParameterValue", "Value (%s) for parameter Ipv4Prefix is invalid. Expecting an aligned IPv4 prefix from /16 to /28.", px)
			}
			lo, hi := prefixRange(pp)
			if lo < slo || hi > shi {
				return nil, query.BadRequest("InvalidParameterValue", "Prefix %s does not fall within the subnet's address range", px)
			}
			if overlaps(used, lo, hi) {
				return nil, query.BadRequest("PrivateIpAddressInUse", "The specified prefix %s overlaps addresses already in use", px)
			}
			used = append(used, [2]uint32{lo, hi})
			newPrefixes = append(newPrefixes, pp.String())
		}
	case hasPxCount:
		for a := slo; a+15 <= shi && len(newPrefixes) < int(pxCount); a += 16 {
			if a == slo || a+15 == shi || overlaps(used, a, a+15) {
				continue // keep clear of the reserved addresses
			}
			used = append(used, [2]uint32{a, a + 15})
			newPrefixes = append(newPrefixes, netip.PrefixFrom(addrOf(a), 28).String())
		}
		if len(newPrefixes) < int(pxCount) {
			return nil, query.BadRequest("InsufficientCidrBlocks", "There are not enough free cidr blocks in the specified subnet to satisfy the request.")
		}
	}
	e.SecondaryIPs = append(e.SecondaryIPs, newIPs...)
	e.Prefixes = append(e.Prefixes, newPrefixes...)
	for _, ip := range newIPs {
		out.AssignedIPs = append(out.AssignedIPs, assignedIPItem{ip})
	}
	for _, px := range newPrefixes {
		out.AssignedPrefixes = append(out.AssignedPrefixes, ipv4PrefixItem{px})
	}
	return out, nil
}

// ---- instances ----

var instanceFilters = core.Names("instance-id", "private-dns-name", "private-ip-address", "vpc-id", "subnet-id",
	"instance-state-name", "instance-state-code", "instance-type", "availability-zone", "reservation-id",
	"owner-id", "image-id", "instance.group-id", "instance.group-name", "group-id", "group-name",
	"network-interface.network-interface-id", "network-interface.addresses.private-ip-address",
	"network-interface.private-dns-name", "network-interface.subnet-id", "network-interface.vpc-id",
	"network-interface.group-id", "network-interface.group-name", "network-interface.attachment.device-index",
	"network-interface.status", "network-interface.mac-address", "network-interface.description",
	"network-interface.ipv4-prefix", "tag-key", "tag-value")

func (b *Backend) instanceENIs(i *Instance) []*ENI {
	out := make([]*ENI, 0, len(i.ENIs))
	for _, id := range i.ENIs {
		if e := b.st.enis[id]; e != nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(x, y int) bool { return out[x].DeviceIndex < out[y].DeviceIndex })
	return out
}

func (b *Backend) primaryENI(i *Instance) *ENI {
	for _, e := range b.instanceENIs(i) {
		if e.DeviceIndex == 0 {
			return e
		}
	}
	return nil
}

func (b *Backend) instancePrivateIP(i *Instance) string {
	if e := b.primaryENI(i); e != nil {
		return e.PrivateIP
	}
	return ""
}

func (b *Backend) instanceMatches(i *Instance, fs []core.Filter) bool {
	return b.matchAll(fs, i.Tags, func(f core.Filter) bool {
		var vals []string
		switch f.Name {
		case "instance-id":
			vals = []string{i.ID}
		case "private-ip-address":
			vals = []string{b.instancePrivateIP(i)}
		case "private-dns-name":
			vals = []string{b.privateDNS(b.instancePrivateIP(i))}
		case "vpc-id":
			vals = []string{i.VPCID}
		case "subnet-id":
			vals = []string{i.SubnetID}
		case "instance-state-name":
			vals = []string{i.State}
		case "instance-state-code":
			vals = []string{strconv.Itoa(instanceStateCodes[i.State])}
		case "instance-type":
			vals = []string{i.Type}
		case "availability-zone":
			vals = []string{i.AZ}
		case "reservation-id":
			vals = []string{i.ReservationID}
		case "owner-id":
			vals = []string{b.env.Account}
		case "image-id":
			vals = []string{i.ImageID}
		case "instance.group-id", "group-id", "instance.group-name", "group-name":
			if e := b.primaryENI(i); e != nil {
				vals = b.eniFieldValues(f.Name[strings.LastIndexByte(f.Name, '.')+1:], e)
			}
		default:
			field, _ := strings.CutPrefix(f.Name, "network-interface.")
			for _, e := range b.instanceENIs(i) {
				vals = append(vals, b.eniFieldValues(field, e)...)
			}
		}
		return core.MatchAnyOf(f.Values, vals)
	})
}

func (b *Backend) describeInstances(p query.Params) (any, error) {
	ids, err := idList(p, "InstanceId", "i", "InvalidInstanceID.Malformed")
	if err != nil {
		return nil, err
	}
	if _, _, err := p.Bool("IncludeManagedResources"); err != nil {
		return nil, err
	}
	if len(ids) > 0 && p.Has("MaxResults") {
		return nil, query.BadRequest("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	fs, err := core.ParseFilters(p, instanceFilters)
	if err != nil {
		return nil, err
	}
	var cands []string
	if len(ids) > 0 {
		for _, id := range dedupe(ids) {
			if i := b.st.instances[id]; i == nil || !b.visible(i.Created, b.env.Lag.Create) {
				return nil, notFound("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
			}
		}
		cands = sortStrings(dedupe(ids))
	} else {
		cands = sortedKeys(b.st.instances)
	}
	var match []*Instance
	for _, id := range cands {
		if i := b.st.instances[id]; b.visible(i.Created, b.env.Lag.Create) && b.instanceMatches(i, fs) {
			match = append(match, i)
		}
	}
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	out := &describeInstancesReply{NextToken: pg.Next, Reservations: query.ItemsOf(make([]reservationItem, 0, pg.End-pg.Start))}
	for _, i := range match[pg.Start:pg.End] {
		out.Reservations.Item = append(out.Reservations.Item, reservationItem{ReservationID: i.ReservationID, OwnerID: b.env.Account,
			Instances: []instanceItem{b.instanceItem(i)}})
	}
	return out, nil
}

func (b *Backend) instanceItem(i *Instance) instanceItem {
	it := instanceItem{InstanceID: i.ID, ImageID: i.ImageID,
		State:        instanceState{Code: instanceStateCodes[i.State], Name: i.State},
		InstanceType: i.Type, LaunchTime: core.Timestamp(i.Created),
		Placement: placement{AvailabilityZone: i.AZ, Tenancy: "default"}, SubnetID: i.SubnetID, VpcID: i.VPCID,
		Architecture: "x86_64", RootDeviceType: "ebs", Hypervisor: "xen", Tags: b.tagItems(i.Tags)}
	for _, e := range b.instanceENIs(i) {
		it.NetworkInterfaces = append(it.NetworkInterfaces, b.eniItem(e))
		if e.DeviceIndex == 0 {
			it.PrivateIPAddress = e.PrivateIP
			it.PrivateDNSName = b.privateDNS(e.PrivateIP)
			it.SourceDestCheck = query.Bool(e.SourceDestCheck)
			it.Groups = b.groupIdentifiers(e.Groups)
		}
	}
	return it
}

func (b *Backend) modifyInstanceAttribute(p query.Params) (any, error) {
	id, err := p.Require("InstanceId")
	if err != nil {
		return nil, err
	}
	i := b.st.instances[id]
	if i == nil {
		if !isID(id, "i") {
			return nil, malformed("InvalidInstanceID.Malformed", id, "i")
		}
		return nil, notFound("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	}
	switch {
	case p.Has("GroupId") || p.Get("Attribute") == "groupSet":
		enis := b.instanceENIs(i)
		if len(enis) != 1 {
			return nil, query.BadRequest("InvalidInstanceID", "There are multiple interfaces attached to instance '%s'. Please specify an interface ID for the operation instead.", i.ID)
		}
		ids := p.Strings("GroupId")
		if len(ids) == 0 && p.Get("Value") != "" {
			ids = []string{p.Get("Value")}
		}
		groups, err := b.resolveGroups(ids, i.VPCID, "SecurityGroupsPerInstanceLimitExceeded")
		if err != nil {
			return nil, err
		}
		enis[0].Groups = groups
	case p.Has("SourceDestCheck") || p.Get("Attribute") == "sourceDestCheck":
		key := "SourceDestCheck.Value"
		if !p.Has("SourceDestCheck") {
			key = "Value"
		}
		v, ok, err := p.Bool(key)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, query.MissingParameter(key)
		}
		if e := b.primaryENI(i); e != nil {
			e.SourceDestCheck = v
		}
	default:
		return nil, query.BadRequest("InvalidParameterCombination", "The emulator supports only the groupSet and sourceDestCheck attributes")
	}
	return nil, nil
}
