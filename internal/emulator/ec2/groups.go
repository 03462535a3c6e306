package ec2

import (
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// validText reports whether s uses only the characters EC2 allows in group
// names, group descriptions and rule descriptions.
func validText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(" ._-:/()#,@[]+=&;{}!$*", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// tagSpec is the parsed TagSpecification.N for one resource type.
type tagPair struct{ Key, Value string }

// parseTagSpecs reads TagSpecification.N and returns the tags for
// resourceType; any other type is InvalidParameterValue.
func (b *Backend) parseTagSpecs(p query.Params, resourceType string) ([]tagPair, error) {
	var out []tagPair
	for _, spec := range p.Indexed("TagSpecification") {
		rt := spec.Get("ResourceType")
		if rt != resourceType {
			return nil, query.BadRequest("InvalidParameterValue",
				"'%s' is not a valid taggable resource type for this operation.", rt)
		}
		tags, err := parseTags(spec, true)
		if err != nil {
			return nil, err
		}
		out = append(out, tags...)
	}
	seen := map[string]bool{}
	for _, t := range out {
		if seen[t.Key] {
			return nil, query.BadRequest("InvalidParameterValue", "Duplicate tag key '%s' specified.", t.Key)
		}
		seen[t.Key] = true
	}
	if len(out) > b.Quotas.TagsPerResource {
		return nil, query.BadRequest("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
	}
	return out, nil
}

// parseTags reads Tag.N.Key / Tag.N.Value. With requireKey a tag without a
// key is an error; a missing value is "".
func parseTags(p query.Params, requireKey bool) ([]tagPair, error) {
	var out []tagPair
	for _, t := range p.Indexed("Tag") {
		k, hasKey := t.Lookup("Key")
		v := t.Get("Value")
		if !hasKey && requireKey {
			return nil, query.MissingParameter("Tag.Key")
		}
		if err := validTag(k, v); err != nil {
			return nil, err
		}
		out = append(out, tagPair{k, v})
	}
	return out, nil
}

func validTag(k, v string) error {
	switch {
	case k == "" || len([]rune(k)) > 128:
		return query.BadRequest("InvalidParameterValue", "Value ( %s ) for parameter key is invalid. Tag keys must be between 1 and 128 characters.", k)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return query.BadRequest("InvalidParameterValue",
			"Value ( %s ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use", k)
	case len([]rune(v)) > 256:
		return query.BadRequest("InvalidParameterValue", "Value ( %s ) for parameter value is invalid. Tag values must be at most 256 characters.", v)
	}
	return nil
}

func (b *Backend) applyTags(t Tags, pairs []tagPair) Tags {
	now := b.env.Now().UTC()
	for _, tp := range pairs {
		t = t.set(tp.Key, tp.Value, now)
	}
	return t
}

func (b *Backend) createSecurityGroup(p query.Params) (any, error) {
	name, err := p.Require("GroupName")
	if err != nil {
		return nil, err
	}
	desc, err := p.Require("GroupDescription")
	if err != nil {
		return nil, err
	}
	switch {
	case len(name) > 255 || !validText(name):
		return nil, query.BadRequest("InvalidParameterValue", "Value (%s) for parameter GroupName is invalid. Character sets beyond ASCII are not supported.", name)
	case strings.HasPrefix(strings.ToLower(name), "sg-"):
		return nil, query.BadRequest("InvalidParameterValue", "Value (%s) for parameter GroupName is invalid. Group names may not be in the format sg-*.", name)
	case len(desc) > 255 || !validText(desc):
		return nil, query.BadRequest("InvalidParameterValue", "Value (%s) for parameter GroupDescription is invalid. Character sets beyond ASCII are not supported.", desc)
	case strings.EqualFold(name, "default"):
		return nil, query.BadRequest("InvalidGroup.Reserved", "The security group 'default' is reserved")
	}
	tags, err := b.parseTagSpecs(p, "security-group")
	if err != nil {
		return nil, err
	}
	var vpc *VPC
	if id, ok := p.Lookup("VpcId"); ok && id != "" {
		if vpc = b.st.vpcs[id]; vpc == nil {
			if !isID(id, "vpc") {
				return nil, malformed("InvalidVpcID.Malformed", id, "vpc")
			}
			return nil, notFound("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
		}
	} else if vpc = b.st.defaultVPC(); vpc == nil {
		return nil, query.BadRequest("VPCIdNotSpecified", "No default VPC for this user")
	}
	if g := b.st.groupByName(vpc.ID, name); g != nil {
		return nil, query.BadRequest("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpc.ID)
	}
	if len(b.st.groups) >= b.Quotas.GroupsPerRegion {
		return nil, query.BadRequest("SecurityGroupLimitExceeded", "The maximum number of security groups has been reached.")
	}
	g := b.newGroup(vpc.ID, name, desc)
	g.Tags = b.applyTags(g.Tags, tags)
	b.st.addGroup(g)
	return &createSecurityGroupReply{Return: true, GroupID: g.ID, Tags: b.tagItems(g.Tags), SecurityGroupArn: b.arn("security-group", g.ID)}, nil
}

// newGroup builds a group with AWS's default egress rule (all traffic to
// 0.0.0.0/0); the caller indexes it.
func (b *Backend) newGroup(vpcID, name, desc string) *SecurityGroup {
	now := b.env.Now().UTC()
	g := &SecurityGroup{ID: b.env.IDs.New("sg"), Name: name, Description: desc, VPCID: vpcID, Created: now}
	g.Egress = []*Rule{{ID: b.env.IDs.New("sgr"), GroupID: g.ID, Egress: true, Protocol: "-1", From: -1, To: -1,
		PeerKind: PeerCIDR4, Peer: "0.0.0.0/0", Created: now}}
	return g
}

// lookupGroup resolves GroupId, or GroupName in the default VPC.
func (b *Backend) lookupGroup(p query.Params, allowName bool) (*SecurityGroup, error) {
	if id := p.Get("GroupId"); id != "" {
		return b.groupByID(id)
	}
	if name := p.Get("GroupName"); name != "" && allowName {
		return b.groupInDefaultVPC(name)
	}
	return nil, query.MissingParameter("GroupId")
}

func (b *Backend) groupByID(id string) (*SecurityGroup, error) {
	if g := b.st.groups[id]; g != nil {
		return g, nil
	}
	if !isID(id, "sg") {
		return nil, malformed("InvalidGroupId.Malformed", id, "sg")
	}
	return nil, notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
}

func (b *Backend) groupInDefaultVPC(name string) (*SecurityGroup, error) {
	v := b.st.defaultVPC()
	if v == nil {
		return nil, query.BadRequest("VPCIdNotSpecified", "No default VPC for this user")
	}
	g := b.st.groupByName(v.ID, name)
	if g == nil {
		return nil, notFound("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, v.ID)
	}
	return g, nil
}

func (b *Backend) deleteSecurityGroup(p query.Params) (any, error) {
	g, err := b.lookupGroup(p, true)
	if err != nil {
		return nil, err
	}
	if v := b.st.vpcs[g.VPCID]; v != nil && v.DefaultGroupID == g.ID {
		return nil, query.BadRequest("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.ID)
	}
	if b.st.refs[g.ID] > 0 || b.groupOnENI(g.ID) {
		return nil, query.BadRequest("DependencyViolation", "resource %s has a dependent object", g.ID)
	}
	b.st.removeGroup(g)
	return &deleteSecurityGroupReply{Return: true, GroupID: g.ID}, nil
}

func (b *Backend) groupOnENI(id string) bool {
	for _, e := range b.st.enis {
		if b.alive(e) && contains(e.Groups, id) {
			return true
		}
	}
	return false
}

// ---- DescribeSecurityGroups ----

var permFilterFields = []string{"cidr", "from-port", "to-port", "protocol", "group-id", "group-name",
	"ipv6-cidr", "prefix-list-id", "user-id"}

var sgFilters = func() func(string) bool {
	names := []string{"description", "group-id", "group-name", "owner-id", "vpc-id", "tag-key", "tag-value"}
	for _, f := range permFilterFields {
		names = append(names, "ip-permission."+f, "egress.ip-permission."+f)
	}
	return core.Names(names...)
}()

func (b *Backend) ruleVisible(r *Rule) bool { return b.visible(r.Created, b.env.Lag.Rules) }

// ruleMatches evaluates one ip-permission.* filter field against a rule.
func (b *Backend) ruleMatches(field string, vals []string, r *Rule) bool {
	var val string
	switch field {
	case "cidr":
		if r.PeerKind != PeerCIDR4 {
			return false
		}
		val = r.Peer
	case "ipv6-cidr":
		if r.PeerKind != PeerCIDR6 {
			return false
		}
		val = r.Peer
	case "prefix-list-id":
		if r.PeerKind != PeerPrefixList {
			return false
		}
		val = r.Peer
	case "group-id":
		if r.PeerKind != PeerGroup {
			return false
		}
		val = r.Peer
	case "group-name":
		if r.PeerKind != PeerGroup {
			return false
		}
		if g := b.st.groups[r.Peer]; g != nil {
			val = g.Name
		}
	case "user-id":
		if r.PeerKind != PeerGroup {
			return false
		}
		val = b.env.Account
	case "from-port":
		val = strconv.Itoa(int(r.From))
	case "to-port":
		val = strconv.Itoa(int(r.To))
	case "protocol":
		val = r.Protocol
		if core.MatchAny(vals, protocolNumber(r.Protocol)) {
			return true
		}
	}
	return core.MatchAny(vals, val)
}

func (b *Backend) groupMatches(g *SecurityGroup, fs []core.Filter) bool {
	return b.matchAll(fs, g.Tags, func(f core.Filter) bool {
		var val string
		switch f.Name {
		case "description":
			val = g.Description
		case "group-id":
			val = g.ID
		case "group-name":
			val = g.Name
		case "owner-id":
			val = b.env.Account
		case "vpc-id":
			val = g.VPCID
		default:
			egress := strings.HasPrefix(f.Name, "egress.")
			field := f.Name[strings.LastIndexByte(f.Name, '.')+1:] // ip-permission.<field>
			ok := false
			for _, r := range g.rules(egress) {
				if b.ruleVisible(r) && b.ruleMatches(field, f.Values, r) {
					ok = true
					break
				}
			}
			return ok
		}
		return core.MatchAny(f.Values, val)
	})
}

func (b *Backend) describeSecurityGroups(p query.Params) (any, error) {
	ids, err := idList(p, "GroupId", "sg", "InvalidGroupId.Malformed")
	if err != nil {
		return nil, err
	}
	fs, err := core.ParseFilters(p, sgFilters)
	if err != nil {
		return nil, err
	}
	names := p.Strings("GroupName")
	var cands []string
	if len(ids) > 0 || len(names) > 0 {
		for _, id := range dedupe(ids) {
			if g := b.st.groups[id]; g == nil || !b.visible(g.Created, b.env.Lag.Create) {
				return nil, notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
			}
			cands = append(cands, id)
		}
		for _, n := range names {
			g, err := b.groupInDefaultVPC(n)
			if err != nil {
				return nil, err
			}
			if !b.visible(g.Created, b.env.Lag.Create) {
				return nil, notFound("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", n, g.VPCID)
			}
			cands = append(cands, g.ID)
		}
		cands = sortStrings(dedupe(cands))
	} else if ids := exactFilter(fs, "group-id"); ids != nil {
		// An exact group-id filter reads the index instead of every group.
		for _, id := range dedupe(ids) {
			if b.st.groups[id] != nil {
				cands = append(cands, id)
			}
		}
		cands = sortStrings(cands)
	} else {
		cands = b.st.groupIDs
	}
	match := make([]*SecurityGroup, 0, len(cands))
	for _, id := range cands {
		g := b.st.groups[id]
		if b.visible(g.Created, b.env.Lag.Create) && b.groupMatches(g, fs) {
			match = append(match, g)
		}
	}
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	page := match[pg.Start:pg.End]
	out := &describeSecurityGroupsReply{NextToken: pg.Next, Groups: query.ItemsOf(make([]securityGroupItem, len(page)))}
	a := newPermArena(page)
	for i, g := range page {
		it := &out.Groups.Item[i]
		it.OwnerID, it.GroupID, it.GroupName, it.GroupDescription, it.VpcID = b.env.Account, g.ID, g.Name, g.Description, g.VPCID
		it.SecurityGroupArn = b.arn("security-group", g.ID)
		it.IPPermissions.Item = b.mergePermissions(g.Ingress, a)
		it.IPPermissionsEgress.Item = b.mergePermissions(g.Egress, a)
		it.Tags = b.tagItems(g.Tags)
	}
	return out, nil
}

// hasPorts reports whether a protocol's rules carry ports.
func hasPorts(proto string) bool {
	return proto == "tcp" || proto == "udp" || proto == "icmp" || proto == "icmpv6"
}

// permArena holds the permissions and sources of one reply in a few large
// slices, so a page of thousands of groups costs a handful of allocations.
// Capacities are upper bounds (every rule of the page), so appends never
// reallocate and the sub-slices handed out stay valid.
type permArena struct {
	perms  []ipPermission
	ports  []int32
	groups []userIDGroupPair
	v4     []ipRange
	v6     []ipv6Range
	pls    []prefixListID
	idx    []int    // scratch: the permission of each rule
	counts [][4]int // scratch: sources per kind of each permission
}

func newPermArena(groups []*SecurityGroup) *permArena {
	var n, kinds [4]int
	for _, g := range groups {
		for _, rs := range [2][]*Rule{g.Ingress, g.Egress} {
			n[0] += len(rs)
			for _, r := range rs {
				kinds[peerIndex(r.PeerKind)]++
			}
		}
	}
	return &permArena{
		perms: make([]ipPermission, 0, n[0]), ports: make([]int32, 0, 2*n[0]),
		v4: make([]ipRange, 0, kinds[0]), v6: make([]ipv6Range, 0, kinds[1]),
		pls: make([]prefixListID, 0, kinds[2]), groups: make([]userIDGroupPair, 0, kinds[3]),
	}
}

func peerIndex(kind string) int {
	switch kind {
	case PeerCIDR6:
		return 1
	case PeerPrefixList:
		return 2
	case PeerGroup:
		return 3
	}
	return 0
}

// mergePermissions groups visible rules by (protocol, from, to) in order of
// first appearance, each source keeping its description. Ports are absent
// for protocols without ports.
func (b *Backend) mergePermissions(rules []*Rule, a *permArena) []ipPermission {
	start := len(a.perms)
	a.idx, a.counts = a.idx[:0], a.counts[:0]
	for _, r := range rules {
		if !b.ruleVisible(r) {
			a.idx = append(a.idx, -1)
			continue
		}
		j := -1
		for k := start; k < len(a.perms); k++ {
			pm := &a.perms[k]
			if pm.IPProtocol == r.Protocol && portEq(pm.FromPort, r.From) && portEq(pm.ToPort, r.To) {
				j = k - start
				break
			}
		}
		if j < 0 {
			pm := ipPermission{IPProtocol: r.Protocol}
			if hasPorts(r.Protocol) {
				a.ports = append(a.ports, r.From, r.To)
				n := len(a.ports)
				pm.FromPort, pm.ToPort = &a.ports[n-2], &a.ports[n-1]
			}
			a.perms = append(a.perms, pm)
			a.counts = append(a.counts, [4]int{})
			j = len(a.perms) - 1 - start
		}
		a.idx = append(a.idx, j)
		a.counts[j][peerIndex(r.PeerKind)]++
	}
	perms := a.perms[start:len(a.perms):len(a.perms)]
	for j := range perms {
		c := a.counts[j]
		pm := &perms[j]
		pm.IPRanges.Item, a.v4 = carve(a.v4, c[0])
		pm.IPv6Ranges.Item, a.v6 = carve(a.v6, c[1])
		pm.PrefixListIDs.Item, a.pls = carve(a.pls, c[2])
		pm.Groups.Item, a.groups = carve(a.groups, c[3])
	}
	for i, r := range rules {
		j := a.idx[i]
		if j < 0 {
			continue
		}
		pm := &perms[j]
		switch r.PeerKind {
		case PeerCIDR4:
			pm.IPRanges.Item = append(pm.IPRanges.Item, ipRange{CidrIP: r.Peer, Description: r.Description})
		case PeerCIDR6:
			pm.IPv6Ranges.Item = append(pm.IPv6Ranges.Item, ipv6Range{CidrIPv6: r.Peer, Description: r.Description})
		case PeerPrefixList:
			pm.PrefixListIDs.Item = append(pm.PrefixListIDs.Item, prefixListID{PrefixListID: r.Peer, Description: r.Description})
		case PeerGroup:
			pm.Groups.Item = append(pm.Groups.Item, userIDGroupPair{UserID: b.env.Account, GroupID: r.Peer, Description: r.Description})
		}
	}
	return perms
}

// carve reserves n elements of arena: an empty slice of capacity n, and the
// arena grown past them.
func carve[T any](arena []T, n int) ([]T, []T) {
	l := len(arena)
	return arena[l : l : l+n], arena[:l+n]
}

func portEq(p *int32, v int32) bool {
	if p == nil {
		return v == -1
	}
	return *p == v
}
