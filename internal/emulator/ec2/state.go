package ec2

import (
	"sort"
	"strings"
	"time"
)

// Tag is one resource tag. At is when it was last written; the Describe
// views hide it for Lag.Tags after that.
type Tag struct {
	Key   string    `json:"key"`
	Value string    `json:"value"`
	At    time.Time `json:"at"`
}

// Tags is a resource's tag list, sorted by key.
type Tags []Tag

func (t Tags) find(k string) int {
	i := sort.Search(len(t), func(i int) bool { return t[i].Key >= k })
	if i < len(t) && t[i].Key == k {
		return i
	}
	return -1
}

// set overwrites or inserts key k, keeping the list sorted.
func (t Tags) set(k, v string, at time.Time) Tags {
	i := sort.Search(len(t), func(i int) bool { return t[i].Key >= k })
	if i < len(t) && t[i].Key == k {
		t[i].Value, t[i].At = v, at
		return t
	}
	t = append(t, Tag{})
	copy(t[i+1:], t[i:])
	t[i] = Tag{Key: k, Value: v, At: at}
	return t
}

func (t Tags) remove(i int) Tags {
	return append(t[:i], t[i+1:]...)
}

// Peer kinds of a rule: exactly one source or destination.
const (
	PeerCIDR4      = "cidr4"
	PeerCIDR6      = "cidr6"
	PeerPrefixList = "prefix-list"
	PeerGroup      = "group"
)

// Rule is one security-group rule: one protocol/port range and one peer.
// Protocol is normalised ("tcp", "udp", "icmp", "icmpv6", "-1" or a decimal
// number); From/To are -1 when the protocol has no ports.
type Rule struct {
	ID          string    `json:"id"`
	GroupID     string    `json:"groupId"`
	Egress      bool      `json:"egress,omitempty"`
	Protocol    string    `json:"protocol"`
	From        int32     `json:"from"`
	To          int32     `json:"to"`
	PeerKind    string    `json:"peerKind"`
	Peer        string    `json:"peer"`
	Description string    `json:"description,omitempty"`
	Tags        Tags      `json:"tags,omitempty"`
	Created     time.Time `json:"created"`
}

// ruleKey is AWS's rule identity: the description is not part of it.
type ruleKey struct {
	Egress   bool
	Protocol string
	From, To int32
	PeerKind string
	Peer     string
}

func (r *Rule) key() ruleKey {
	return ruleKey{r.Egress, r.Protocol, r.From, r.To, r.PeerKind, r.Peer}
}

// VPC is a virtual private cloud.
type VPC struct {
	ID             string    `json:"id"`
	CIDR           string    `json:"cidr"`
	CIDRAssoc      string    `json:"cidrAssociationId"`
	IPv6CIDR       string    `json:"ipv6Cidr,omitempty"`
	IPv6Assoc      string    `json:"ipv6AssociationId,omitempty"`
	IsDefault      bool      `json:"isDefault,omitempty"`
	DefaultGroupID string    `json:"defaultGroupId"`
	Tags           Tags      `json:"tags,omitempty"`
	Created        time.Time `json:"created"`
}

// Subnet is a subnet of a VPC in one Availability Zone.
type Subnet struct {
	ID          string    `json:"id"`
	VPCID       string    `json:"vpcId"`
	AZ          string    `json:"availabilityZone"`
	CIDR        string    `json:"cidr"`
	MapPublicIP bool      `json:"mapPublicIpOnLaunch,omitempty"`
	Tags        Tags      `json:"tags,omitempty"`
	Created     time.Time `json:"created"`
	// OutpostARN is the Outpost the subnet is on ("" for none).
	OutpostARN string `json:"outpostArn,omitempty"`
	// IPv6CIDR is the subnet's associated IPv6 block ("" for none).
	IPv6CIDR  string `json:"ipv6Cidr,omitempty"`
	IPv6Assoc string `json:"ipv6AssociationId,omitempty"`
}

// SecurityGroup is a VPC security group with its rules, in creation order.
type SecurityGroup struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	VPCID       string    `json:"vpcId"`
	Tags        Tags      `json:"tags,omitempty"`
	Ingress     []*Rule   `json:"ingress,omitempty"`
	Egress      []*Rule   `json:"egress,omitempty"`
	Created     time.Time `json:"created"`
}

func (g *SecurityGroup) rules(egress bool) []*Rule {
	if egress {
		return g.Egress
	}
	return g.Ingress
}

func (g *SecurityGroup) setRules(egress bool, rs []*Rule) {
	if egress {
		g.Egress = rs
	} else {
		g.Ingress = rs
	}
}

// ENI is a network interface: an instance's (attached, with a device
// index) or a standalone or requester-managed one.
type ENI struct {
	ID               string    `json:"id"`
	SubnetID         string    `json:"subnetId"`
	VPCID            string    `json:"vpcId"`
	AZ               string    `json:"availabilityZone"`
	Description      string    `json:"description,omitempty"`
	Type             string    `json:"interfaceType"`
	MAC              string    `json:"macAddress"`
	PrivateIP        string    `json:"privateIp"`
	SecondaryIPs     []string  `json:"secondaryIps,omitempty"`
	Prefixes         []string  `json:"ipv4Prefixes,omitempty"`
	Groups           []string  `json:"groups"`
	InstanceID       string    `json:"instanceId,omitempty"`
	DeviceIndex      int       `json:"deviceIndex,omitempty"`
	AttachmentID     string    `json:"attachmentId,omitempty"`
	RequesterManaged bool      `json:"requesterManaged,omitempty"`
	SourceDestCheck  bool      `json:"sourceDestCheck"`
	Tags             Tags      `json:"tags,omitempty"`
	Created          time.Time `json:"created"`
	// ReleaseAt, when set, is when a released ENI disappears; until then it
	// keeps holding its groups.
	ReleaseAt time.Time `json:"releaseAt,omitzero"`
}

// Instance is an EC2 instance; ENIs lists its interfaces by device index.
type Instance struct {
	ID            string    `json:"id"`
	ReservationID string    `json:"reservationId"`
	Type          string    `json:"instanceType"`
	ImageID       string    `json:"imageId"`
	State         string    `json:"state"`
	SubnetID      string    `json:"subnetId"`
	VPCID         string    `json:"vpcId"`
	AZ            string    `json:"availabilityZone"`
	ENIs          []string  `json:"networkInterfaces"`
	Tags          Tags      `json:"tags,omitempty"`
	Created       time.Time `json:"created"`
}

var instanceStateCodes = map[string]int{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

// state is the whole linearisable state plus its indexes.
type state struct {
	vpcs      map[string]*VPC
	subnets   map[string]*Subnet
	groups    map[string]*SecurityGroup
	groupIDs  []string // sorted
	rules     map[string]*Rule
	instances map[string]*Instance
	enis      map[string]*ENI
	addresses map[string]*Address
	// names indexes groups by VPC and lower-cased name.
	names map[nameKey]*SecurityGroup
	// refs counts rules in other groups that reference a group.
	refs map[string]int
}

type nameKey struct{ vpc, name string }

func newState() *state {
	return &state{
		vpcs:      map[string]*VPC{},
		subnets:   map[string]*Subnet{},
		groups:    map[string]*SecurityGroup{},
		rules:     map[string]*Rule{},
		instances: map[string]*Instance{},
		enis:      map[string]*ENI{},
		addresses: map[string]*Address{},
		names:     map[nameKey]*SecurityGroup{},
		refs:      map[string]int{},
	}
}

func (s *state) addGroup(g *SecurityGroup) {
	s.groups[g.ID] = g
	s.names[nameKey{g.VPCID, strings.ToLower(g.Name)}] = g
	i := sort.SearchStrings(s.groupIDs, g.ID)
	s.groupIDs = append(s.groupIDs, "")
	copy(s.groupIDs[i+1:], s.groupIDs[i:])
	s.groupIDs[i] = g.ID
	for _, r := range g.Ingress {
		s.addRuleIndex(r)
	}
	for _, r := range g.Egress {
		s.addRuleIndex(r)
	}
}

func (s *state) removeGroup(g *SecurityGroup) {
	for _, r := range g.Ingress {
		s.removeRuleIndex(r)
	}
	for _, r := range g.Egress {
		s.removeRuleIndex(r)
	}
	delete(s.groups, g.ID)
	delete(s.names, nameKey{g.VPCID, strings.ToLower(g.Name)})
	if i := sort.SearchStrings(s.groupIDs, g.ID); i < len(s.groupIDs) && s.groupIDs[i] == g.ID {
		s.groupIDs = append(s.groupIDs[:i], s.groupIDs[i+1:]...)
	}
}

func (s *state) addRuleIndex(r *Rule) {
	s.rules[r.ID] = r
	if r.PeerKind == PeerGroup && r.Peer != r.GroupID {
		s.refs[r.Peer]++
	}
}

func (s *state) removeRuleIndex(r *Rule) {
	delete(s.rules, r.ID)
	if r.PeerKind == PeerGroup && r.Peer != r.GroupID {
		if s.refs[r.Peer]--; s.refs[r.Peer] <= 0 {
			delete(s.refs, r.Peer)
		}
	}
}

// groupByName finds a group by VPC and name, case-insensitively.
func (s *state) groupByName(vpcID, name string) *SecurityGroup {
	return s.names[nameKey{vpcID, strings.ToLower(name)}]
}

func (s *state) defaultVPC() *VPC {
	for _, v := range s.vpcs {
		if v.IsDefault {
			return v
		}
	}
	return nil
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
