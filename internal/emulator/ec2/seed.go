package ec2

import (
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Seed describes the starting network of an emulated account: VPCs (named
// by their Name tag) with their subnets, security groups, instances and
// standalone network interfaces. Names are unique within their kind across
// the whole seed.
type Seed struct {
	VPCs []SeedVPC `json:"vpcs"`
}

// SeedVPC is a VPC; it always gets a "default" security group.
type SeedVPC struct {
	Name              string              `json:"name"`
	CIDR              string              `json:"cidr"`
	IPv6CIDR          string              `json:"ipv6Cidr,omitempty"`
	Default           bool                `json:"default,omitempty"`
	Tags              map[string]string   `json:"tags,omitempty"`
	Subnets           []SeedSubnet        `json:"subnets,omitempty"`
	SecurityGroups    []SeedSecurityGroup `json:"securityGroups,omitempty"`
	Instances         []SeedInstance      `json:"instances,omitempty"`
	NetworkInterfaces []SeedENI           `json:"networkInterfaces,omitempty"`
}

// SeedSubnet is a subnet; AZ is a zone name of the Region (us-west-2a).
type SeedSubnet struct {
	Name     string            `json:"name"`
	AZ       string            `json:"az"`
	CIDR     string            `json:"cidr"`
	PublicIP bool              `json:"mapPublicIpOnLaunch,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
	// OutpostARN puts the subnet on an Outpost of the account and Region
	// (arn:aws:outposts:<region>:<account>:outpost/op-<17 hex digits>); its
	// AZ is the Outpost's anchor zone. The emulated EC2 has no Outposts
	// API: the ARN is only reported by DescribeSubnets and read by ELBv2.
	OutpostARN string `json:"outpostArn,omitempty"`
	// IPv6CIDR associates a /64 of the VPC's IPv6 block with the subnet.
	IPv6CIDR string `json:"ipv6Cidr,omitempty"`
}

// SeedSecurityGroup is a security group of its VPC with optional ingress
// rules (it always has the default allow-all egress rule).
type SeedSecurityGroup struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Ingress     []SeedRule        `json:"ingress,omitempty"`
}

// SeedRule is one ingress rule: a protocol (tcp, udp, icmp, -1 or a
// number), ports, and exactly one peer: a CIDR, an IPv6 CIDR, a prefix
// list ID or the name of a group of the same VPC (possibly itself).
type SeedRule struct {
	Protocol     string `json:"protocol"`
	FromPort     *int32 `json:"fromPort,omitempty"`
	ToPort       *int32 `json:"toPort,omitempty"`
	CIDR         string `json:"cidr,omitempty"`
	IPv6CIDR     string `json:"ipv6Cidr,omitempty"`
	PrefixListID string `json:"prefixListId,omitempty"`
	Group        string `json:"group,omitempty"`
	Description  string `json:"description,omitempty"`
}

// SeedInstance is an instance with its primary network interface.
type SeedInstance struct {
	Name           string            `json:"name"`
	Subnet         string            `json:"subnet"`
	SecurityGroups []string          `json:"securityGroups,omitempty"`
	PrivateIP      string            `json:"privateIp,omitempty"`
	InstanceType   string            `json:"instanceType,omitempty"`
	State          string            `json:"state,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// SeedENI is a standalone network interface, attached to Instance (by
// name, at the next device index) when set.
type SeedENI struct {
	Name           string            `json:"name"`
	Subnet         string            `json:"subnet"`
	SecurityGroups []string          `json:"securityGroups,omitempty"`
	PrivateIP      string            `json:"privateIp,omitempty"`
	Description    string            `json:"description,omitempty"`
	Instance       string            `json:"instance,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// SeedResult maps the seed's names to the IDs they got.
type SeedResult struct {
	VPCs              map[string]string `json:"vpcs"`
	DefaultGroups     map[string]string `json:"defaultGroups"` // VPC name → its default group
	Subnets           map[string]string `json:"subnets"`
	SecurityGroups    map[string]string `json:"securityGroups"`
	Instances         map[string]string `json:"instances"`
	NetworkInterfaces map[string]string `json:"networkInterfaces"`
	// InstanceDetails describes the instances, by name.
	InstanceDetails map[string]SeedInstanceDetails `json:"instanceDetails"`
}

// SeedInstanceDetails is what callers usually need of a seeded instance.
type SeedInstanceDetails struct {
	ID                 string `json:"id"`
	PrivateIP          string `json:"privateIp"`
	PrivateDNSName     string `json:"privateDnsName"`
	SubnetID           string `json:"subnetId"`
	VPCID              string `json:"vpcId"`
	AvailabilityZone   string `json:"availabilityZone"`
	NetworkInterfaceID string `json:"networkInterfaceId"`
}

// DefaultSeed is the sandbox network of a cluster in region: one VPC
// 10.0.0.0/16 named for the cluster, three public and three private /20
// subnets in zones a–c tagged for the cluster and for load balancers, a
// node security group <cluster>-node (owned by the cluster, allowing itself
// all traffic) and three running m5.large nodes, one per private subnet.
func DefaultSeed(clusterName, region string) Seed {
	clusterTag := "kubernetes.io/cluster/" + clusterName
	v := SeedVPC{Name: clusterName, CIDR: "10.0.0.0/16", Tags: map[string]string{clusterTag: "shared"}}
	for i, z := range []string{"a", "b", "c"} {
		v.Subnets = append(v.Subnets, SeedSubnet{
			Name: fmt.Sprintf("%s-public-%s%s", clusterName, region, z), AZ: region + z,
			CIDR: fmt.Sprintf("10.0.%d.0/20", 16*i), PublicIP: true,
			Tags: map[string]string{"kubernetes.io/role/elb": "1", clusterTag: "shared"},
		})
	}
	for i, z := range []string{"a", "b", "c"} {
		v.Subnets = append(v.Subnets, SeedSubnet{
			Name: fmt.Sprintf("%s-private-%s%s", clusterName, region, z), AZ: region + z,
			CIDR: fmt.Sprintf("10.0.%d.0/20", 128+16*i),
			Tags: map[string]string{"kubernetes.io/role/internal-elb": "1", clusterTag: "shared"},
		})
	}
	node := clusterName + "-node"
	v.SecurityGroups = []SeedSecurityGroup{{
		Name: node, Description: "Node security group of cluster " + clusterName,
		Tags:    map[string]string{clusterTag: "owned"},
		Ingress: []SeedRule{{Protocol: "-1", Group: node, Description: "nodes talk to each other"}},
	}}
	for i, z := range []string{"a", "b", "c"} {
		v.Instances = append(v.Instances, SeedInstance{
			Name: fmt.Sprintf("%s-node-%d", clusterName, i+1), Subnet: fmt.Sprintf("%s-private-%s%s", clusterName, region, z),
			SecurityGroups: []string{node}, InstanceType: "m5.large",
			Tags: map[string]string{clusterTag: "owned"},
		})
	}
	return Seed{VPCs: []SeedVPC{v}}
}

func nameTags(name string, tags map[string]string) []tagPair {
	out := make([]tagPair, 0, len(tags)+1)
	if name != "" {
		if _, ok := tags["Name"]; !ok {
			out = append(out, tagPair{"Name", name})
		}
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, tagPair{k, tags[k]})
	}
	return out
}

// ApplySeed adds a seed's resources to the state. It validates the whole
// seed first; on error nothing is added.
func (b *Backend) ApplySeed(s Seed) (SeedResult, error) {
	snap, err := b.Snapshot()
	if err != nil {
		return SeedResult{}, err
	}
	res, err := b.applySeed(s)
	if err != nil {
		if rerr := b.Restore(snap); rerr != nil {
			return SeedResult{}, fmt.Errorf("%w (and restoring the state failed: %v)", err, rerr)
		}
		return SeedResult{}, err
	}
	return res, nil
}

func (b *Backend) applySeed(s Seed) (SeedResult, error) {
	res := SeedResult{VPCs: map[string]string{}, DefaultGroups: map[string]string{}, Subnets: map[string]string{},
		SecurityGroups: map[string]string{}, Instances: map[string]string{}, NetworkInterfaces: map[string]string{},
		InstanceDetails: map[string]SeedInstanceDetails{}}
	now := b.env.Now().UTC()
	for _, sv := range s.VPCs {
		if _, dup := res.VPCs[sv.Name]; dup || sv.Name == "" {
			return res, fmt.Errorf("seed: VPC name %q is empty or repeated", sv.Name)
		}
		cidr, err := netip.ParsePrefix(sv.CIDR)
		if err != nil || !cidr.Addr().Is4() || cidr.Bits() < 16 || cidr.Bits() > 28 {
			return res, fmt.Errorf("seed: VPC %s: CIDR %q is not an IPv4 /16–/28", sv.Name, sv.CIDR)
		}
		v := &VPC{ID: b.env.IDs.New("vpc"), CIDR: cidr.Masked().String(), CIDRAssoc: b.env.IDs.New("vpc-cidr-assoc"),
			IsDefault: sv.Default, Created: now}
		if sv.Default && b.st.defaultVPC() != nil {
			return res, fmt.Errorf("seed: VPC %s: there is already a default VPC", sv.Name)
		}
		if sv.IPv6CIDR != "" {
			c6, err := canonCIDR(sv.IPv6CIDR, true)
			if err != nil {
				return res, fmt.Errorf("seed: VPC %s: %v", sv.Name, err)
			}
			v.IPv6CIDR, v.IPv6Assoc = c6, b.env.IDs.New("vpc-cidr-assoc")
		}
		v.Tags = b.applyTags(nil, nameTags(sv.Name, sv.Tags))
		b.st.vpcs[v.ID] = v
		res.VPCs[sv.Name] = v.ID
		// The default group: self-referencing all-traffic ingress, egress
		// to 0.0.0.0/0 and ::/0 with IPv6.
		dg := b.newGroup(v.ID, "default", "default VPC security group")
		dg.Ingress = []*Rule{{ID: b.env.IDs.New("sgr"), GroupID: dg.ID, Protocol: "-1", From: -1, To: -1,
			PeerKind: PeerGroup, Peer: dg.ID, Created: now}}
		if v.IPv6CIDR != "" {
			dg.Egress = append(dg.Egress, &Rule{ID: b.env.IDs.New("sgr"), GroupID: dg.ID, Egress: true, Protocol: "-1",
				From: -1, To: -1, PeerKind: PeerCIDR6, Peer: "::/0", Created: now})
		}
		b.st.addGroup(dg)
		v.DefaultGroupID = dg.ID
		res.DefaultGroups[sv.Name] = dg.ID

		for _, ss := range sv.Subnets {
			if _, dup := res.Subnets[ss.Name]; dup || ss.Name == "" {
				return res, fmt.Errorf("seed: subnet name %q is empty or repeated", ss.Name)
			}
			sc, err := netip.ParsePrefix(ss.CIDR)
			if err != nil || !sc.Addr().Is4() || sc.Bits() < cidr.Bits() || sc.Bits() > 28 || !cidr.Contains(sc.Addr()) {
				return res, fmt.Errorf("seed: subnet %s: CIDR %q is not inside %s", ss.Name, ss.CIDR, v.CIDR)
			}
			for _, other := range b.st.subnets {
				if o, _ := netip.ParsePrefix(other.CIDR); other.VPCID == v.ID && o.Overlaps(sc) {
					return res, fmt.Errorf("seed: subnet %s: CIDR %s overlaps %s", ss.Name, ss.CIDR, other.CIDR)
				}
			}
			if !b.validZone(ss.AZ) {
				return res, fmt.Errorf("seed: subnet %s: %q is not a zone of %s", ss.Name, ss.AZ, b.env.Region)
			}
			if ss.OutpostARN != "" && !b.validOutpostARN(ss.OutpostARN) {
				return res, fmt.Errorf("seed: subnet %s: %q is not an Outpost ARN of account %s in %s", ss.Name, ss.OutpostARN, b.env.Account, b.env.Region)
			}
			sn := &Subnet{ID: b.env.IDs.New("subnet"), VPCID: v.ID, AZ: ss.AZ, CIDR: sc.Masked().String(),
				MapPublicIP: ss.PublicIP, OutpostARN: ss.OutpostARN, Created: now}
			if ss.IPv6CIDR != "" {
				if sn.IPv6CIDR, err = b.seedSubnetIPv6(v, ss); err != nil {
					return res, err
				}
				sn.IPv6Assoc = b.env.IDs.New("subnet-cidr-assoc")
			}
			sn.Tags = b.applyTags(nil, nameTags(ss.Name, ss.Tags))
			b.st.subnets[sn.ID] = sn
			res.Subnets[ss.Name] = sn.ID
		}

		// Groups first, then their rules, so groups may reference each other.
		groups := map[string]*SecurityGroup{}
		for _, sg := range sv.SecurityGroups {
			if _, dup := res.SecurityGroups[sg.Name]; dup || sg.Name == "" || !validText(sg.Name) || sg.Name == "default" {
				return res, fmt.Errorf("seed: security group name %q is invalid or repeated", sg.Name)
			}
			desc := sg.Description
			if desc == "" {
				desc = sg.Name
			}
			g := b.newGroup(v.ID, sg.Name, desc)
			g.Tags = b.applyTags(nil, nameTags("", sg.Tags))
			b.st.addGroup(g)
			groups[sg.Name] = g
			res.SecurityGroups[sg.Name] = g.ID
		}
		for _, sg := range sv.SecurityGroups {
			if len(sg.Ingress) == 0 {
				continue
			}
			vals := url.Values{"GroupId": {groups[sg.Name].ID}}
			for i, r := range sg.Ingress {
				pre := "IpPermissions." + strconv.Itoa(i+1) + "."
				vals.Set(pre+"IpProtocol", r.Protocol)
				if r.FromPort != nil {
					vals.Set(pre+"FromPort", strconv.Itoa(int(*r.FromPort)))
				}
				if r.ToPort != nil {
					vals.Set(pre+"ToPort", strconv.Itoa(int(*r.ToPort)))
				}
				switch {
				case r.CIDR != "":
					vals.Set(pre+"IpRanges.1.CidrIp", r.CIDR)
					vals.Set(pre+"IpRanges.1.Description", r.Description)
				case r.IPv6CIDR != "":
					vals.Set(pre+"Ipv6Ranges.1.CidrIpv6", r.IPv6CIDR)
					vals.Set(pre+"Ipv6Ranges.1.Description", r.Description)
				case r.PrefixListID != "":
					vals.Set(pre+"PrefixListIds.1.PrefixListId", r.PrefixListID)
					vals.Set(pre+"PrefixListIds.1.Description", r.Description)
				case r.Group != "":
					pg := groups[r.Group]
					if r.Group == "default" {
						pg = b.st.groups[v.DefaultGroupID]
					}
					if pg == nil {
						return res, fmt.Errorf("seed: security group %s: rule references unknown group %q", sg.Name, r.Group)
					}
					vals.Set(pre+"Groups.1.GroupId", pg.ID)
					vals.Set(pre+"Groups.1.Description", r.Description)
				}
			}
			if _, err := b.authorize(query.FromValues(vals), false); err != nil {
				return res, fmt.Errorf("seed: security group %s: %v", sg.Name, err)
			}
		}

		groupIDs := func(owner string, names []string) ([]string, error) {
			if len(names) == 0 {
				return []string{v.DefaultGroupID}, nil
			}
			var out []string
			for _, n := range names {
				switch g := groups[n]; {
				case g != nil:
					out = append(out, g.ID)
				case n == "default":
					out = append(out, v.DefaultGroupID)
				default:
					return nil, fmt.Errorf("seed: %s: unknown security group %q in VPC %s", owner, n, sv.Name)
				}
			}
			if len(out) > b.Quotas.GroupsPerInterface {
				return nil, fmt.Errorf("seed: %s: more than %d security groups", owner, b.Quotas.GroupsPerInterface)
			}
			return out, nil
		}
		subnetOf := func(owner, name string) (*Subnet, error) {
			if s := b.st.subnets[res.Subnets[name]]; s != nil && s.VPCID == v.ID {
				return s, nil
			}
			return nil, fmt.Errorf("seed: %s: unknown subnet %q in VPC %s", owner, name, sv.Name)
		}
		checkIP := func(owner string, s *Subnet, ip string) (string, error) {
			if ip == "" {
				return "", nil
			}
			a, err := netip.ParseAddr(ip)
			sp, _ := netip.ParsePrefix(s.CIDR)
			lo, hi := prefixRange(sp)
			if err != nil || !a.Is4() || v4(a) < lo+4 || v4(a) >= hi || overlaps(b.usedRanges(s.ID), v4(a), v4(a)) {
				return "", fmt.Errorf("seed: %s: private IP %q is not a free address of subnet %s", owner, ip, s.CIDR)
			}
			return a.String(), nil
		}

		for _, si := range sv.Instances {
			if _, dup := res.Instances[si.Name]; dup || si.Name == "" {
				return res, fmt.Errorf("seed: instance name %q is empty or repeated", si.Name)
			}
			owner := "instance " + si.Name
			s, err := subnetOf(owner, si.Subnet)
			if err != nil {
				return res, err
			}
			gids, err := groupIDs(owner, si.SecurityGroups)
			if err != nil {
				return res, err
			}
			ip, err := checkIP(owner, s, si.PrivateIP)
			if err != nil {
				return res, err
			}
			state := si.State
			if state == "" {
				state = "running"
			}
			if _, ok := instanceStateCodes[state]; !ok {
				return res, fmt.Errorf("seed: %s: unknown state %q", owner, state)
			}
			typ := si.InstanceType
			if typ == "" {
				typ = "m5.large"
			}
			e, err := b.newENI(s, gids, ip)
			if err != nil {
				return res, fmt.Errorf("seed: %s: %v", owner, err)
			}
			i := &Instance{ID: b.env.IDs.New("i"), ReservationID: b.env.IDs.New("r"), Type: typ,
				ImageID: "ami-0" + b.env.IDs.Hex(16), State: state, SubnetID: s.ID, VPCID: v.ID, AZ: s.AZ,
				ENIs: []string{e.ID}, Created: now}
			i.Tags = b.applyTags(nil, nameTags(si.Name, si.Tags))
			e.InstanceID, e.AttachmentID, e.Description = i.ID, b.env.IDs.New("eni-attach"), ""
			b.st.enis[e.ID] = e
			b.st.instances[i.ID] = i
			res.Instances[si.Name] = i.ID
			res.InstanceDetails[si.Name] = SeedInstanceDetails{ID: i.ID, PrivateIP: e.PrivateIP,
				PrivateDNSName: b.privateDNS(e.PrivateIP), SubnetID: s.ID, VPCID: v.ID, AvailabilityZone: s.AZ,
				NetworkInterfaceID: e.ID}
		}

		for _, se := range sv.NetworkInterfaces {
			if _, dup := res.NetworkInterfaces[se.Name]; dup || se.Name == "" {
				return res, fmt.Errorf("seed: network interface name %q is empty or repeated", se.Name)
			}
			owner := "network interface " + se.Name
			s, err := subnetOf(owner, se.Subnet)
			if err != nil {
				return res, err
			}
			gids, err := groupIDs(owner, se.SecurityGroups)
			if err != nil {
				return res, err
			}
			ip, err := checkIP(owner, s, se.PrivateIP)
			if err != nil {
				return res, err
			}
			e, err := b.newENI(s, gids, ip)
			if err != nil {
				return res, fmt.Errorf("seed: %s: %v", owner, err)
			}
			e.Description = se.Description
			e.Tags = b.applyTags(nil, nameTags("", se.Tags))
			if se.Instance != "" {
				i := b.st.instances[res.Instances[se.Instance]]
				if i == nil || i.VPCID != v.ID {
					return res, fmt.Errorf("seed: %s: unknown instance %q in VPC %s", owner, se.Instance, sv.Name)
				}
				e.InstanceID, e.AttachmentID, e.DeviceIndex = i.ID, b.env.IDs.New("eni-attach"), len(i.ENIs)
				i.ENIs = append(i.ENIs, e.ID)
			}
			b.st.enis[e.ID] = e
			res.NetworkInterfaces[se.Name] = e.ID
		}
	}
	return res, nil
}

// seedSubnetIPv6 checks a seeded subnet's IPv6 block: a /64 inside its
// VPC's IPv6 block, overlapping no other subnet's (AWS's rules for
// AssociateSubnetCidrBlock).
func (b *Backend) seedSubnetIPv6(v *VPC, ss SeedSubnet) (string, error) {
	if v.IPv6CIDR == "" {
		return "", fmt.Errorf("seed: subnet %s: IPv6 CIDR %q needs a VPC with an IPv6 CIDR", ss.Name, ss.IPv6CIDR)
	}
	c, err := canonCIDR(ss.IPv6CIDR, true)
	if err != nil {
		return "", fmt.Errorf("seed: subnet %s: %v", ss.Name, err)
	}
	p, vp := netip.MustParsePrefix(c), netip.MustParsePrefix(v.IPv6CIDR)
	if p.Bits() != 64 || !vp.Contains(p.Addr()) {
		return "", fmt.Errorf("seed: subnet %s: IPv6 CIDR %q is not a /64 inside %s", ss.Name, ss.IPv6CIDR, v.IPv6CIDR)
	}
	for _, other := range b.st.subnets {
		if other.VPCID == v.ID && other.IPv6CIDR == c {
			return "", fmt.Errorf("seed: subnet %s: IPv6 CIDR %s overlaps subnet %s", ss.Name, c, other.ID)
		}
	}
	return c, nil
}
