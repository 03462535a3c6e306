package ec2

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

var vpcFilters = core.Names("vpc-id", "cidr", "cidr-block-association.cidr-block",
	"cidr-block-association.association-id", "cidr-block-association.state",
	"ipv6-cidr-block-association.ipv6-cidr-block", "ipv6-cidr-block-association.association-id",
	"ipv6-cidr-block-association.state", "is-default", "state", "owner-id", "dhcp-options-id",
	"tag-key", "tag-value")

func (b *Backend) vpcMatches(v *VPC, fs []core.Filter) bool {
	return b.matchAll(fs, v.Tags, func(f core.Filter) bool {
		var val string
		switch f.Name {
		case "vpc-id":
			val = v.ID
		case "cidr", "cidr-block-association.cidr-block":
			val = v.CIDR
		case "cidr-block-association.association-id":
			val = v.CIDRAssoc
		case "cidr-block-association.state", "state":
			val = "available"
			if f.Name == "cidr-block-association.state" {
				val = "associated"
			}
		case "ipv6-cidr-block-association.ipv6-cidr-block":
			val = v.IPv6CIDR
		case "ipv6-cidr-block-association.association-id":
			val = v.IPv6Assoc
		case "ipv6-cidr-block-association.state":
			if v.IPv6CIDR != "" {
				val = "associated"
			}
		case "is-default":
			val = strconv.FormatBool(v.IsDefault)
		case "owner-id":
			val = b.env.Account
		case "dhcp-options-id":
			val = "default"
		}
		return core.MatchAny(f.Values, val)
	})
}

func (b *Backend) describeVpcs(p query.Params) (any, error) {
	ids, err := idList(p, "VpcId", "vpc", "InvalidVpcID.Malformed")
	if err != nil {
		return nil, err
	}
	fs, err := core.ParseFilters(p, vpcFilters)
	if err != nil {
		return nil, err
	}
	match, err := selectByID(b.st.vpcs, dedupe(ids), always[VPC],
		func(r *VPC) bool { return b.vpcMatches(r, fs) },
		func(id string) error { return notFound("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id) })
	if err != nil {
		return nil, err
	}
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	out := &describeVpcsReply{NextToken: pg.Next, Vpcs: query.ItemsOf(make([]vpcItem, 0, pg.End-pg.Start))}
	for _, v := range match[pg.Start:pg.End] {
		it := vpcItem{
			VpcID: v.ID, OwnerID: b.env.Account, State: "available", CIDRBlock: v.CIDR,
			CIDRAssocs:    []vpcCIDRAssoc{{AssociationID: v.CIDRAssoc, CIDRBlock: v.CIDR, State: stateItem{"associated"}}},
			DhcpOptionsID: "default", InstanceTenancy: "default", IsDefault: query.Bool(v.IsDefault),
			Tags: b.tagItems(v.Tags),
		}
		if v.IPv6CIDR != "" {
			it.IPv6Assocs = []vpcIPv6Assoc{{AssociationID: v.IPv6Assoc, IPv6CIDRBlock: v.IPv6CIDR,
				State: stateItem{"associated"}, NetworkBorderGroup: b.env.Region, IPv6Pool: "Amazon"}}
		}
		out.Vpcs.Item = append(out.Vpcs.Item, it)
	}
	return out, nil
}

var subnetFilters = core.Names("vpc-id", "subnet-id", "availability-zone", "availability-zone-id",
	"cidr-block", "cidr", "cidrBlock", "state", "default-for-az", "defaultForAz", "owner-id", "subnet-arn",
	"map-public-ip-on-launch", "outpost-arn", "tag-key", "tag-value")

func (b *Backend) subnetMatches(s *Subnet, fs []core.Filter) bool {
	return b.matchAll(fs, s.Tags, func(f core.Filter) bool {
		var val string
		switch f.Name {
		case "vpc-id":
			val = s.VPCID
		case "subnet-id":
			val = s.ID
		case "availability-zone":
			val = s.AZ
		case "availability-zone-id":
			val = b.zoneID(s.AZ)
		case "cidr-block", "cidr", "cidrBlock":
			val = s.CIDR
		case "state":
			val = "available"
		case "default-for-az", "defaultForAz":
			val = "false"
		case "owner-id":
			val = b.env.Account
		case "subnet-arn":
			val = b.arn("subnet", s.ID)
		case "map-public-ip-on-launch":
			val = strconv.FormatBool(s.MapPublicIP)
		case "outpost-arn":
			val = s.OutpostARN
		}
		return core.MatchAny(f.Values, val)
	})
}

func (b *Backend) describeSubnets(p query.Params) (any, error) {
	ids, err := idList(p, "SubnetId", "subnet", "InvalidSubnetID.Malformed")
	if err != nil {
		return nil, err
	}
	fs, err := core.ParseFilters(p, subnetFilters)
	if err != nil {
		return nil, err
	}
	match, err := selectByID(b.st.subnets, dedupe(ids), always[Subnet],
		func(r *Subnet) bool { return b.subnetMatches(r, fs) },
		func(id string) error {
			return notFound("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
		})
	if err != nil {
		return nil, err
	}
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	out := &describeSubnetsReply{NextToken: pg.Next, Subnets: query.ItemsOf(make([]subnetItem, 0, pg.End-pg.Start))}
	for _, s := range match[pg.Start:pg.End] {
		out.Subnets.Item = append(out.Subnets.Item, subnetItem{
			SubnetID: s.ID, SubnetArn: b.arn("subnet", s.ID), OwnerID: b.env.Account, VpcID: s.VPCID,
			State: "available", CIDRBlock: s.CIDR, AvailabilityZone: s.AZ, AvailabilityZoneID: b.zoneID(s.AZ),
			AvailableIPAddressCount: b.availableIPs(s), MapPublicIPOnLaunch: query.Bool(s.MapPublicIP),
			OutpostArn: s.OutpostARN, Tags: b.tagItems(s.Tags),
		})
		if s.IPv6CIDR != "" {
			it := &out.Subnets.Item[len(out.Subnets.Item)-1]
			it.IPv6Assocs = []subnetIPv6Assoc{{AssociationID: s.IPv6Assoc, IPv6CIDRBlock: s.IPv6CIDR, State: stateItem{State: "associated"}}}
		}
	}
	return out, nil
}

// ---- Availability Zones ----

// zoneLetters are the zones of every emulated Region.
const zoneLetters = "abcd"

// regionCode abbreviates a Region as zone IDs do: us-west-2 → usw2,
// ap-northeast-1 → apne1, eu-central-1 → euc1.
func regionCode(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) < 3 {
		return strings.ReplaceAll(region, "-", "")
	}
	var sb strings.Builder
	sb.WriteString(parts[0])
	for _, w := range parts[1 : len(parts)-1] {
		for _, d := range []string{"north", "south", "east", "west", "central"} {
			if rest, ok := strings.CutPrefix(w, d); ok {
				sb.WriteByte(d[0])
				w = rest
			}
		}
		sb.WriteString(w)
	}
	sb.WriteString(parts[len(parts)-1])
	return sb.String()
}

// zones returns the Region's zone names (us-west-2a…d).
func (b *Backend) zones() []string {
	out := make([]string, len(zoneLetters))
	for i := range zoneLetters {
		out[i] = b.env.Region + zoneLetters[i:i+1]
	}
	return out
}

// zoneID maps a zone name to its ID: <region>a → <code>-az1, b → az2…
func (b *Backend) zoneID(zone string) string {
	suffix, ok := strings.CutPrefix(zone, b.env.Region)
	if !ok || len(suffix) != 1 {
		return ""
	}
	i := strings.Index(zoneLetters, suffix)
	if i < 0 {
		return ""
	}
	return regionCode(b.env.Region) + "-az" + strconv.Itoa(i+1)
}

func (b *Backend) validZone(zone string) bool { return b.zoneID(zone) != "" }

var outpostID = regexp.MustCompile(`^op-[0-9a-f]{17}$`)

// validOutpostARN reports whether arn names an Outpost of the emulated
// account and Region.
func (b *Backend) validOutpostARN(arn string) bool {
	prefix := "arn:aws:outposts:" + b.env.Region + ":" + b.env.Account + ":outpost/"
	return strings.HasPrefix(arn, prefix) && outpostID.MatchString(strings.TrimPrefix(arn, prefix))
}

var azFilters = core.Names("zone-name", "zone-id", "region-name", "state", "zone-type", "opt-in-status",
	"group-name", "network-border-group", "message")

func (b *Backend) describeAvailabilityZones(p query.Params) (any, error) {
	if _, _, err := p.Bool("AllAvailabilityZones"); err != nil {
		return nil, err
	}
	fs, err := core.ParseFilters(p, azFilters)
	if err != nil {
		return nil, err
	}
	names, zids := p.Strings("ZoneName"), p.Strings("ZoneId")
	for _, n := range names {
		if !b.validZone(n) {
			return nil, query.BadRequest("InvalidParameterValue", "Invalid availability zone: [%s]", n)
		}
	}
	for _, z := range zids {
		found := false
		for _, n := range b.zones() {
			found = found || b.zoneID(n) == z
		}
		if !found {
			return nil, query.BadRequest("InvalidParameterValue", "Invalid availability zone ID: [%s]", z)
		}
	}
	out := &describeAZsReply{Zones: query.ItemsOf([]azItem{})}
	for _, n := range b.zones() {
		it := azItem{ZoneName: n, ZoneID: b.zoneID(n), RegionName: b.env.Region, ZoneState: "available",
			ZoneType: "availability-zone", OptInStatus: "opt-in-not-required", GroupName: b.env.Region,
			NetworkBorderGroup: b.env.Region}
		if (len(names) > 0 || len(zids) > 0) && !contains(names, n) && !contains(zids, it.ZoneID) {
			continue
		}
		ok := true
		for _, f := range fs {
			var val string
			switch f.Name {
			case "zone-name":
				val = it.ZoneName
			case "zone-id":
				val = it.ZoneID
			case "region-name":
				val = it.RegionName
			case "state":
				val = it.ZoneState
			case "zone-type":
				val = it.ZoneType
			case "opt-in-status":
				val = it.OptInStatus
			case "group-name":
				val = it.GroupName
			case "network-border-group":
				val = it.NetworkBorderGroup
			}
			ok = ok && core.MatchAny(f.Values, val)
		}
		if ok {
			out.Zones.Item = append(out.Zones.Item, it)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---- addresses ----

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addrOf(u uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// prefixRange returns the first and last address of an IPv4 prefix.
func prefixRange(p netip.Prefix) (uint32, uint32) {
	first := v4(p.Masked().Addr())
	size := uint32(1) << (32 - p.Bits())
	return first, first + size - 1
}

// usedRanges lists the address ranges taken in a subnet: ENIs' addresses
// and prefixes.
func (b *Backend) usedRanges(subnetID string) [][2]uint32 {
	var out [][2]uint32
	for _, e := range b.st.enis {
		if e.SubnetID != subnetID || !b.alive(e) {
			continue
		}
		for _, ip := range append([]string{e.PrivateIP}, e.SecondaryIPs...) {
			if a, err := netip.ParseAddr(ip); err == nil && a.Is4() {
				out = append(out, [2]uint32{v4(a), v4(a)})
			}
		}
		for _, px := range e.Prefixes {
			if pp, err := netip.ParsePrefix(px); err == nil {
				lo, hi := prefixRange(pp)
				out = append(out, [2]uint32{lo, hi})
			}
		}
	}
	return out
}

func overlaps(used [][2]uint32, lo, hi uint32) bool {
	for _, r := range used {
		if lo <= r[1] && r[0] <= hi {
			return true
		}
	}
	return false
}

// availableIPs is the subnet's size minus AWS's 5 reserved addresses and
// what ENIs hold.
func (b *Backend) availableIPs(s *Subnet) int {
	p, err := netip.ParsePrefix(s.CIDR)
	if err != nil {
		return 0
	}
	n := 1<<(32-p.Bits()) - 5
	for _, r := range b.usedRanges(s.ID) {
		n -= int(r[1] - r[0] + 1)
	}
	return max(n, 0)
}

// allocIPs picks n free addresses in a subnet, skipping the first four and
// the last (reserved by AWS) and those in extra.
func (b *Backend) allocIPs(s *Subnet, n int, extra [][2]uint32) ([]string, bool) {
	p, err := netip.ParsePrefix(s.CIDR)
	if err != nil {
		return nil, false
	}
	lo, hi := prefixRange(p)
	used := append(b.usedRanges(s.ID), extra...)
	var out []string
	for a := lo + 4; a < hi && len(out) < n; a++ {
		if !overlaps(used, a, a) {
			out = append(out, addrOf(a).String())
			used = append(used, [2]uint32{a, a})
		}
	}
	return out, len(out) == n
}

// privateDNS is the EC2 private DNS name of an address.
func (b *Backend) privateDNS(ip string) string {
	if ip == "" {
		return ""
	}
	domain := b.env.Region + ".compute.internal"
	if b.env.Region == "us-east-1" {
		domain = "ec2.internal"
	}
	return "ip-" + strings.ReplaceAll(ip, ".", "-") + "." + domain
}
