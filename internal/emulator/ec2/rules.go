package ec2

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

var protocolNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}

// normProtocol normalises an IpProtocol: names are lower-cased, the numbers
// of tcp/udp/icmp/icmpv6 become their names, other numbers 0–255 stay.
func normProtocol(s string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if n, ok := protocolNames[l]; ok {
		return n, nil
	}
	switch l {
	case "tcp", "udp", "icmp", "icmpv6", "-1":
		return l, nil
	}
	if n, err := strconv.Atoi(l); err == nil && n >= 0 && n <= 255 {
		return strconv.Itoa(n), nil
	}
	return "", query.BadRequest("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", s)
}

func protocolNumber(p string) string {
	switch p {
	case "tcp":
		return "6"
	case "udp":
		return "17"
	case "icmp":
		return "1"
	case "icmpv6":
		return "58"
	}
	return p
}

// normPorts validates and normalises a rule's ports for its protocol.
func normPorts(proto string, from, to int32, hasFrom, hasTo bool) (int32, int32, error) {
	switch proto {
	case "tcp", "udp":
		if !hasFrom || !hasTo {
			return 0, 0, query.BadRequest("InvalidParameterValue", "Invalid value 'null' for %s. You must specify a port range for TCP and UDP.", ternary(hasFrom, "toPort", "fromPort"))
		}
		if from < 0 || to > 65535 || from > to {
			return 0, 0, query.BadRequest("InvalidParameterValue", "Invalid TCP/UDP port range %d-%d", from, to)
		}
		return from, to, nil
	case "icmp", "icmpv6":
		if !hasFrom {
			from = -1
		}
		if !hasTo {
			to = -1
		}
		if from < -1 || from > 255 || to < -1 || to > 255 {
			return 0, 0, query.BadRequest("InvalidParameterValue", "Invalid value for ICMP type %d or code %d", from, to)
		}
		if from == -1 {
			to = -1
		}
		return from, to, nil
	}
	return -1, -1, nil
}

func ternary[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// canonCIDR parses and masks a CIDR of the given family.
func canonCIDR(s string, v6 bool) (string, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || p.Addr().Is4() == v6 || p.Addr().Zone() != "" || p.Addr().Is4In6() {
		return "", query.BadRequest("InvalidParameterValue", "CIDR block %s is malformed", s)
	}
	return p.Masked().String(), nil
}

func validDescription(d string) error {
	if len(d) > 255 || !validText(d) {
		return query.BadRequest("InvalidParameterValue",
			"Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
	}
	return nil
}

// permSource is how rules name their peers while parsing: groups may be
// given by name.
type ruleParser struct {
	b      *Backend
	g      *SecurityGroup
	egress bool
	// lenient resolves peers that no longer exist to rules that match
	// nothing instead of failing (revoke, description updates).
	lenient bool
}

func noSource() error {
	return query.BadRequest("InvalidParameterValue", "missing mandatory parameter: exactly one of remote-security-group, remote-ip-range, remote-ipv6-range, or prefix-list-id must be present")
}

// permission parses one IpPermission into rules, one per source, and also
// returns the number of sources.
func (rp ruleParser) permission(pm query.Params) ([]*Rule, error) {
	proto, err := normProtocol(pm.Get("IpProtocol"))
	if _, ok := pm.Lookup("IpProtocol"); !ok {
		return nil, query.MissingParameter("IpPermissions.IpProtocol")
	}
	if err != nil {
		return nil, err
	}
	from, hasFrom, err := paramInt32(pm, "FromPort", -1, 65535)
	if err != nil {
		return nil, err
	}
	to, hasTo, err := paramInt32(pm, "ToPort", -1, 65535)
	if err != nil {
		return nil, err
	}
	from, to, err = normPorts(proto, from, to, hasFrom, hasTo)
	if err != nil {
		return nil, err
	}
	base := Rule{GroupID: rp.g.ID, Egress: rp.egress, Protocol: proto, From: from, To: to}
	var out []*Rule
	add := func(kind, peer, desc string) error {
		if err := validDescription(desc); err != nil {
			return err
		}
		r := base
		r.PeerKind, r.Peer, r.Description = kind, peer, desc
		out = append(out, &r)
		return nil
	}
	for _, s := range pm.Indexed("IpRanges") {
		c, err := canonCIDR(s.Get("CidrIp"), false)
		if err != nil {
			return nil, err
		}
		if err := add(PeerCIDR4, c, s.Get("Description")); err != nil {
			return nil, err
		}
	}
	for _, s := range pm.Indexed("Ipv6Ranges") {
		c, err := canonCIDR(s.Get("CidrIpv6"), true)
		if err != nil {
			return nil, err
		}
		if err := add(PeerCIDR6, c, s.Get("Description")); err != nil {
			return nil, err
		}
	}
	for _, s := range pm.Indexed("PrefixListIds") {
		id := s.Get("PrefixListId")
		if !isPrefixListID(id) {
			return nil, query.BadRequest("InvalidPrefixListID.Malformed", "The prefix list ID '%s' is malformed", id)
		}
		if err := add(PeerPrefixList, id, s.Get("Description")); err != nil {
			return nil, err
		}
	}
	for _, s := range pm.Indexed("Groups") {
		id, err := rp.peerGroup(s.Get("GroupId"), s.Get("GroupName"), s.Get("UserId"))
		if err != nil {
			return nil, err
		}
		if err := add(PeerGroup, id, s.Get("Description")); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, noSource()
	}
	return out, nil
}

func isPrefixListID(id string) bool {
	rest, ok := strings.CutPrefix(id, "pl-")
	if !ok || len(rest) < 8 || len(rest) > 17 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// peerGroup resolves a referenced group by ID or by name in the target's
// VPC; it must be in the same VPC.
func (rp ruleParser) peerGroup(id, name, user string) (string, error) {
	if user != "" && user != rp.b.env.Account {
		return "", query.BadRequest("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
	}
	switch {
	case id != "":
		g := rp.b.st.groups[id]
		if g == nil {
			if !isID(id, "sg") {
				return "", malformed("InvalidGroupId.Malformed", id, "sg")
			}
			if rp.lenient {
				return id, nil
			}
			return "", notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
		if g.VPCID != rp.g.VPCID {
			return "", query.BadRequest("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
		}
		return g.ID, nil
	case name != "":
		g := rp.b.st.groupByName(rp.g.VPCID, name)
		if g == nil {
			if rp.lenient {
				return "name:" + name, nil
			}
			return "", notFound("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", name, rp.g.VPCID)
		}
		return g.ID, nil
	}
	return "", noSource()
}

// permissions reads IpPermissions.N or the legacy flat form.
func (rp ruleParser) permissions(p query.Params) ([]*Rule, error) {
	perms := p.Indexed("IpPermissions")
	flat := p.Has("CidrIp") || p.Has("IpProtocol") || p.Has("FromPort") || p.Has("ToPort") ||
		p.Has("SourceSecurityGroupName") || p.Has("SourceSecurityGroupOwnerId")
	if flat && len(perms) > 0 {
		return nil, query.BadRequest("InvalidParameterCombination", "The parameter 'ipPermissions' may not be used in combination with 'cidrIp', 'ipProtocol', 'fromPort', 'toPort' or 'sourceSecurityGroupName'")
	}
	if flat {
		if rp.egress {
			return nil, query.BadRequest("InvalidParameterValue", "Only IpPermissions may be used with egress rules: the legacy CidrIp, IpProtocol, FromPort, ToPort and SourceSecurityGroup parameters are not supported")
		}
		return rp.legacy(p)
	}
	var out []*Rule
	for _, pm := range perms {
		rs, err := rp.permission(pm)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// legacy reads the flat CidrIp/IpProtocol/FromPort/ToPort or
// SourceSecurityGroupName form of ingress calls.
func (rp ruleParser) legacy(p query.Params) ([]*Rule, error) {
	pm := map[string]string{}
	proto, ok := p.Lookup("IpProtocol")
	if !ok {
		proto = "-1"
		if !p.Has("SourceSecurityGroupName") {
			return nil, query.MissingParameter("IpProtocol")
		}
	}
	pm["IpProtocol"] = proto
	for _, k := range []string{"FromPort", "ToPort"} {
		if v, ok := p.Lookup(k); ok {
			pm[k] = v
		}
	}
	if c, ok := p.Lookup("CidrIp"); ok {
		pm["IpRanges.1.CidrIp"] = c
	}
	if n, ok := p.Lookup("SourceSecurityGroupName"); ok {
		pm["Groups.1.GroupName"] = n
		if u, ok := p.Lookup("SourceSecurityGroupOwnerId"); ok {
			pm["Groups.1.UserId"] = u
		}
	}
	vals := make(map[string][]string, len(pm))
	for k, v := range pm {
		vals[k] = []string{v}
	}
	return rp.permission(query.FromValues(vals))
}

// ruleText is how AWS names a rule in InvalidPermission.Duplicate.
func ruleText(r *Rule) string {
	proto := strings.ToUpper(r.Protocol)
	if r.Protocol == "-1" {
		proto = "ALL"
	}
	switch r.Protocol {
	case "tcp", "udp":
		return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", r.Peer, proto, r.From, r.To)
	case "icmp", "icmpv6":
		return fmt.Sprintf("peer: %s, %s, type: %d, code: %d, ALLOW", r.Peer, proto, r.From, r.To)
	}
	return fmt.Sprintf("peer: %s, %s, ALLOW", r.Peer, proto)
}

// weights counts a rule list's quota use: IPv4 and IPv6 apart, a group
// reference weighing 1 in both, a prefix list 1 in IPv4.
func weights(rules []*Rule) (v4, v6 int) {
	for _, r := range rules {
		switch r.PeerKind {
		case PeerCIDR6:
			v6++
		case PeerGroup:
			v4++
			v6++
		default:
			v4++
		}
	}
	return
}

// checkQuota evaluates the rule quota on the resulting list; only a family
// that grows may exceed it.
func (b *Backend) checkQuota(before, after []*Rule) error {
	o4, o6 := weights(before)
	n4, n6 := weights(after)
	q := b.Quotas.RulesPerGroup
	if (n4 > q && n4 > o4) || (n6 > q && n6 > o6) {
		return query.BadRequest("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
	}
	return nil
}

func (b *Backend) authorizeIngress(p query.Params) (any, error) { return b.authorize(p, false) }
func (b *Backend) authorizeEgress(p query.Params) (any, error)  { return b.authorize(p, true) }

func (b *Backend) authorize(p query.Params, egress bool) (any, error) {
	g, err := b.lookupGroup(p, !egress)
	if err != nil {
		return nil, err
	}
	tags, err := b.parseTagSpecs(p, "security-group-rule")
	if err != nil {
		return nil, err
	}
	rp := ruleParser{b: b, g: g, egress: egress}
	add, err := rp.permissions(p)
	if err != nil {
		return nil, err
	}
	if len(add) == 0 {
		return nil, query.MissingParameter("IpPermissions")
	}
	existing := g.rules(egress)
	have := make(map[ruleKey]bool, len(existing)+len(add))
	for _, r := range existing {
		have[r.key()] = true
	}
	seen := make(map[ruleKey]bool, len(add))
	for _, r := range add {
		k := r.key()
		if seen[k] {
			return nil, query.BadRequest("InvalidParameterValue", "The same permission must not appear multiple times")
		}
		seen[k] = true
	}
	for _, r := range add {
		if have[r.key()] {
			return nil, query.BadRequest("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", ruleText(r))
		}
	}
	after := make([]*Rule, 0, len(existing)+len(add))
	after = append(append(after, existing...), add...)
	if err := b.checkQuota(existing, after); err != nil {
		return nil, err
	}
	now := b.env.Now().UTC()
	out := &authorizeReply{Return: true, Rules: make([]securityGroupRuleItem, 0, len(add))}
	for _, r := range add {
		r.ID = b.env.IDs.New("sgr")
		r.Created = now
		r.Tags = b.applyTags(nil, tags)
		b.st.addRuleIndex(r)
		out.Rules = append(out.Rules, b.ruleItem(r))
	}
	g.setRules(egress, after)
	return out, nil
}

func (b *Backend) revokeIngress(p query.Params) (any, error) { return b.revoke(p, false) }
func (b *Backend) revokeEgress(p query.Params) (any, error)  { return b.revoke(p, true) }

func (b *Backend) revoke(p query.Params, egress bool) (any, error) {
	g, err := b.lookupGroup(p, !egress)
	if err != nil {
		return nil, err
	}
	ruleIDs := p.Strings("SecurityGroupRuleId")
	hasPerms := p.Has("IpPermissions") || p.Has("CidrIp") || p.Has("IpProtocol") || p.Has("SourceSecurityGroupName")
	if len(ruleIDs) > 0 && hasPerms {
		return nil, query.BadRequest("InvalidParameterCombination", "The parameter 'SecurityGroupRuleIds' may not be used in combination with 'IpPermissions'")
	}
	existing := g.rules(egress)
	remove := map[string]bool{}
	out := &revokeReply{Return: true}
	defaultVPC := false
	if v := b.st.vpcs[g.VPCID]; v != nil {
		defaultVPC = v.IsDefault
	}
	if len(ruleIDs) > 0 {
		for _, id := range ruleIDs {
			if !isID(id, "sgr") {
				return nil, malformed("InvalidSecurityGroupRuleId.Malformed", id, "sgr")
			}
			r := b.st.rules[id]
			if r == nil || r.GroupID != g.ID || r.Egress != egress {
				return nil, notFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
			}
			remove[id] = true
		}
	} else {
		rp := ruleParser{b: b, g: g, egress: egress, lenient: true}
		want, err := rp.permissions(p)
		if err != nil {
			return nil, err
		}
		if len(want) == 0 {
			return nil, query.MissingParameter("IpPermissions")
		}
		byKey := make(map[ruleKey]*Rule, len(existing))
		for _, r := range existing {
			byKey[r.key()] = r
		}
		for _, w := range want {
			if r := byKey[w.key()]; r != nil {
				remove[r.ID] = true
				continue
			}
			if !defaultVPC {
				return nil, query.BadRequest("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			}
			w.Created = time.Time{} // always visible
			out.Unknown = append(out.Unknown, b.mergePermissions([]*Rule{w}, newPermArena([]*SecurityGroup{{Ingress: []*Rule{w}}}))...)
		}
	}
	kept := make([]*Rule, 0, len(existing))
	for _, r := range existing {
		if remove[r.ID] {
			b.st.removeRuleIndex(r)
			out.Revoked = append(out.Revoked, revokedItem(r))
			continue
		}
		kept = append(kept, r)
	}
	g.setRules(egress, kept)
	return out, nil
}

func revokedItem(r *Rule) revokedRuleItem {
	it := revokedRuleItem{SecurityGroupRuleID: r.ID, GroupID: r.GroupID, IsEgress: query.Bool(r.Egress),
		IPProtocol: r.Protocol, FromPort: r.From, ToPort: r.To, Description: r.Description}
	switch r.PeerKind {
	case PeerCIDR4:
		it.CidrIPv4 = r.Peer
	case PeerCIDR6:
		it.CidrIPv6 = r.Peer
	case PeerPrefixList:
		it.PrefixListID = r.Peer
	case PeerGroup:
		it.ReferencedGroupID = r.Peer
	}
	return it
}

func (b *Backend) ruleItem(r *Rule) securityGroupRuleItem {
	it := securityGroupRuleItem{SecurityGroupRuleID: r.ID, GroupID: r.GroupID, GroupOwnerID: b.env.Account,
		IsEgress: query.Bool(r.Egress), IPProtocol: r.Protocol, FromPort: r.From, ToPort: r.To,
		Description: r.Description, Tags: b.tagItems(r.Tags), SecurityGroupRuleArn: b.arn("security-group-rule", r.ID)}
	switch r.PeerKind {
	case PeerCIDR4:
		it.CidrIPv4 = r.Peer
	case PeerCIDR6:
		it.CidrIPv6 = r.Peer
	case PeerPrefixList:
		it.PrefixListID = r.Peer
	case PeerGroup:
		it.ReferencedGroupInfo = &referencedGroup{GroupID: r.Peer, UserID: b.env.Account}
	}
	return it
}

// ---- ModifySecurityGroupRules ----

func (b *Backend) modifySecurityGroupRules(p query.Params) (any, error) {
	gid, err := p.Require("GroupId")
	if err != nil {
		return nil, err
	}
	g, err := b.groupByID(gid)
	if err != nil {
		return nil, err
	}
	updates := p.Indexed("SecurityGroupRule")
	if len(updates) == 0 {
		return nil, query.MissingParameter("SecurityGroupRules")
	}
	// replaced maps rule ID to its new version.
	replaced := map[string]*Rule{}
	for _, u := range updates {
		id, err := u.Require("SecurityGroupRuleId")
		if err != nil {
			return nil, err
		}
		if !isID(id, "sgr") {
			return nil, malformed("InvalidSecurityGroupRuleId.Malformed", id, "sgr")
		}
		old := b.st.rules[id]
		if old == nil || old.GroupID != g.ID {
			return nil, notFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
		}
		if replaced[id] != nil {
			return nil, query.BadRequest("InvalidParameterValue", "The same permission must not appear multiple times")
		}
		spec := u.Sub("SecurityGroupRule")
		vals := map[string][]string{}
		for _, k := range []string{"IpProtocol", "FromPort", "ToPort"} {
			if v, ok := spec.Lookup(k); ok {
				vals[k] = []string{v}
			}
		}
		n := 0
		for k, key := range map[string]string{"CidrIpv4": "IpRanges.1.CidrIp", "CidrIpv6": "Ipv6Ranges.1.CidrIpv6",
			"PrefixListId": "PrefixListIds.1.PrefixListId", "ReferencedGroupId": "Groups.1.GroupId"} {
			if v, ok := spec.Lookup(k); ok && v != "" {
				n++
				vals[key] = []string{v}
				vals[key[:strings.LastIndexByte(key, '.')]+".Description"] = []string{spec.Get("Description")}
			}
		}
		if n != 1 {
			return nil, noSource()
		}
		rp := ruleParser{b: b, g: g, egress: old.Egress}
		rs, err := rp.permission(query.FromValues(vals))
		if err != nil {
			return nil, err
		}
		nr := rs[0]
		nr.ID, nr.Tags, nr.Created = old.ID, old.Tags, old.Created
		replaced[id] = nr
	}
	var newLists [2][]*Rule
	for i, egress := range []bool{false, true} {
		existing := g.rules(egress)
		list := make([]*Rule, len(existing))
		seen := make(map[ruleKey]bool, len(existing))
		for j, r := range existing {
			if nr := replaced[r.ID]; nr != nil {
				r = nr
			}
			list[j] = r
			if seen[r.key()] {
				return nil, query.BadRequest("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", ruleText(r))
			}
			seen[r.key()] = true
		}
		if err := b.checkQuota(existing, list); err != nil {
			return nil, err
		}
		newLists[i] = list
	}
	for id, nr := range replaced {
		b.st.removeRuleIndex(b.st.rules[id])
		b.st.addRuleIndex(nr)
	}
	g.Ingress, g.Egress = newLists[0], newLists[1]
	return nil, nil
}

// ---- UpdateSecurityGroupRuleDescriptions* ----

func (b *Backend) updateDescriptionsIngress(p query.Params) (any, error) {
	return b.updateDescriptions(p, false)
}
func (b *Backend) updateDescriptionsEgress(p query.Params) (any, error) {
	return b.updateDescriptions(p, true)
}

func (b *Backend) updateDescriptions(p query.Params, egress bool) (any, error) {
	g, err := b.lookupGroup(p, true)
	if err != nil {
		return nil, err
	}
	descs := p.Indexed("SecurityGroupRuleDescription")
	hasPerms := p.Has("IpPermissions")
	switch {
	case len(descs) > 0 && hasPerms:
		return nil, query.BadRequest("InvalidParameterCombination", "The parameter 'SecurityGroupRuleDescriptions' may not be used in combination with 'IpPermissions'")
	case len(descs) == 0 && !hasPerms:
		return nil, query.MissingParameter("IpPermissions")
	}
	set := map[string]string{}
	if len(descs) > 0 {
		for _, d := range descs {
			id, err := d.Require("SecurityGroupRuleId")
			if err != nil {
				return nil, err
			}
			r := b.st.rules[id]
			if r == nil || r.GroupID != g.ID || r.Egress != egress {
				if !isID(id, "sgr") {
					return nil, malformed("InvalidSecurityGroupRuleId.Malformed", id, "sgr")
				}
				return nil, notFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
			}
			if err := validDescription(d.Get("Description")); err != nil {
				return nil, err
			}
			set[id] = d.Get("Description")
		}
	} else {
		rp := ruleParser{b: b, g: g, egress: egress, lenient: true}
		want, err := rp.permissions(p)
		if err != nil {
			return nil, err
		}
		byKey := map[ruleKey]*Rule{}
		for _, r := range g.rules(egress) {
			byKey[r.key()] = r
		}
		for _, w := range want {
			r := byKey[w.key()]
			if r == nil {
				return nil, query.BadRequest("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			}
			set[r.ID] = w.Description
		}
	}
	for id, d := range set {
		b.st.rules[id].Description = d
	}
	return nil, nil
}

// ---- DescribeSecurityGroupRules ----

var ruleFilters = core.Names("group-id", "security-group-rule-id", "tag-key", "tag-value")

func (b *Backend) describeSecurityGroupRules(p query.Params) (any, error) {
	ids, err := idList(p, "SecurityGroupRuleId", "sgr", "InvalidSecurityGroupRuleId.Malformed")
	if err != nil {
		return nil, err
	}
	fs, err := core.ParseFilters(p, ruleFilters)
	if err != nil {
		return nil, err
	}
	var cands []*Rule
	visibleRule := func(r *Rule) bool {
		g := b.st.groups[r.GroupID]
		return g != nil && b.visible(g.Created, b.env.Lag.Create) && b.ruleVisible(r)
	}
	switch {
	case len(ids) > 0:
		for _, id := range dedupe(ids) {
			r := b.st.rules[id]
			if r == nil || !visibleRule(r) {
				return nil, notFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
			}
			cands = append(cands, r)
		}
	case exactFilter(fs, "group-id") != nil:
		for _, gid := range dedupe(exactFilter(fs, "group-id")) {
			if g := b.st.groups[gid]; g != nil {
				cands = append(cands, g.Ingress...)
				cands = append(cands, g.Egress...)
			}
		}
	default:
		cands = make([]*Rule, 0, len(b.st.rules))
		for _, r := range b.st.rules {
			cands = append(cands, r)
		}
	}
	match := cands[:0:0]
	for _, r := range cands {
		if visibleRule(r) && b.securityGroupRuleMatches(r, fs) {
			match = append(match, r)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].ID < match[j].ID })
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	out := &describeSecurityGroupRulesReply{NextToken: pg.Next, Rules: query.ItemsOf(make([]securityGroupRuleItem, 0, pg.End-pg.Start))}
	for _, r := range match[pg.Start:pg.End] {
		out.Rules.Item = append(out.Rules.Item, b.ruleItem(r))
	}
	return out, nil
}

// exactFilter returns the values of filter name when they have no
// wildcards (so they can drive an index lookup), else nil.
func exactFilter(fs []core.Filter, name string) []string {
	for _, f := range fs {
		if f.Name != name {
			continue
		}
		for _, v := range f.Values {
			if strings.ContainsAny(v, "*?") {
				return nil
			}
		}
		if f.Values == nil {
			return []string{}
		}
		return f.Values
	}
	return nil
}

func (b *Backend) securityGroupRuleMatches(r *Rule, fs []core.Filter) bool {
	return b.matchAll(fs, r.Tags, func(f core.Filter) bool {
		val := r.ID
		if f.Name == "group-id" {
			val = r.GroupID
		}
		return core.MatchAny(f.Values, val)
	})
}
