package ec2

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Quotas are the EC2 limits the backend enforces (aws-api.md §4). The
// server and tests may change them at any time between requests.
type Quotas struct {
	// RulesPerGroup bounds the rules of one direction of a group, IPv4 and
	// IPv6 counted apart (a group reference weighs 1 in both).
	RulesPerGroup int
	// GroupsPerInterface bounds the groups of one network interface.
	GroupsPerInterface int
	// TagsPerResource bounds the tags of one resource.
	TagsPerResource int
	// GroupsPerRegion bounds the security groups of the Region (VPC default
	// groups included).
	GroupsPerRegion int
}

// DefaultQuotas are AWS's default quotas.
func DefaultQuotas() Quotas {
	return Quotas{RulesPerGroup: 60, GroupsPerInterface: 5, TagsPerResource: 50, GroupsPerRegion: 2500}
}

// Backend is the emulated EC2 of one account and Region. It is not safe for
// concurrent use on its own: the server calls mutating actions exclusively
// and read-only actions under a shared lock; read-only actions never write.
type Backend struct {
	env *core.Env
	// Quotas are the enforced limits; DefaultQuotas unless changed.
	Quotas Quotas
	st     *state
}

// New returns an empty backend for env.
func New(env *core.Env) *Backend {
	return &Backend{env: env, Quotas: DefaultQuotas(), st: newState()}
}

type action struct {
	fn       func(*Backend, query.Params) (any, error)
	mutating bool
	// params are the top-level parameter names the action accepts (the part
	// of a key before its first dot).
	params []string
}

var actions = map[string]action{
	"DescribeVpcs":              {(*Backend).describeVpcs, false, []string{"VpcId", "Filter", "MaxResults", "NextToken"}},
	"DescribeSubnets":           {(*Backend).describeSubnets, false, []string{"SubnetId", "Filter", "MaxResults", "NextToken"}},
	"DescribeAvailabilityZones": {(*Backend).describeAvailabilityZones, false, []string{"ZoneName", "ZoneId", "Filter", "AllAvailabilityZones"}},
	"DescribeSecurityGroups":    {(*Backend).describeSecurityGroups, false, []string{"GroupId", "GroupName", "Filter", "MaxResults", "NextToken"}},
	"DescribeSecurityGroupRules": {(*Backend).describeSecurityGroupRules, false,
		[]string{"SecurityGroupRuleId", "Filter", "MaxResults", "NextToken"}},
	"CreateSecurityGroup": {(*Backend).createSecurityGroup, true, []string{"GroupName", "GroupDescription", "VpcId", "TagSpecification"}},
	"DeleteSecurityGroup": {(*Backend).deleteSecurityGroup, true, []string{"GroupId", "GroupName"}},
	"AuthorizeSecurityGroupIngress": {(*Backend).authorizeIngress, true, []string{"GroupId", "GroupName", "IpPermissions",
		"TagSpecification", "CidrIp", "IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"}},
	"AuthorizeSecurityGroupEgress": {(*Backend).authorizeEgress, true, []string{"GroupId", "IpPermissions", "TagSpecification",
		"CidrIp", "IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"}},
	"RevokeSecurityGroupIngress": {(*Backend).revokeIngress, true, []string{"GroupId", "GroupName", "IpPermissions",
		"SecurityGroupRuleId", "CidrIp", "IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"}},
	"RevokeSecurityGroupEgress": {(*Backend).revokeEgress, true, []string{"GroupId", "IpPermissions", "SecurityGroupRuleId",
		"CidrIp", "IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"}},
	"ModifySecurityGroupRules": {(*Backend).modifySecurityGroupRules, true, []string{"GroupId", "SecurityGroupRule"}},
	"UpdateSecurityGroupRuleDescriptionsIngress": {(*Backend).updateDescriptionsIngress, true,
		[]string{"GroupId", "GroupName", "IpPermissions", "SecurityGroupRuleDescription"}},
	"UpdateSecurityGroupRuleDescriptionsEgress": {(*Backend).updateDescriptionsEgress, true,
		[]string{"GroupId", "GroupName", "IpPermissions", "SecurityGroupRuleDescription"}},
	"CreateTags":                {(*Backend).createTags, true, []string{"ResourceId", "Tag"}},
	"DeleteTags":                {(*Backend).deleteTags, true, []string{"ResourceId", "Tag"}},
	"DescribeTags":              {(*Backend).describeTags, false, []string{"Filter", "MaxResults", "NextToken"}},
	"DescribeInstances":         {(*Backend).describeInstances, false, []string{"InstanceId", "Filter", "MaxResults", "NextToken", "IncludeManagedResources"}},
	"DescribeNetworkInterfaces": {(*Backend).describeNetworkInterfaces, false, []string{"NetworkInterfaceId", "Filter", "MaxResults", "NextToken", "IncludeManagedResources"}},
	"ModifyNetworkInterfaceAttribute": {(*Backend).modifyNetworkInterfaceAttribute, true,
		append([]string{"NetworkInterfaceId"}, eniAttributes...)},
	"ModifyInstanceAttribute": {(*Backend).modifyInstanceAttribute, true,
		[]string{"InstanceId", "GroupId", "Attribute", "Value", "SourceDestCheck", "BlockDeviceMapping", "DisableApiStop",
			"DisableApiTermination", "EbsOptimized", "EnaSupport", "EnclaveOptions", "InstanceInitiatedShutdownBehavior",
			"InstanceType", "Kernel", "Ramdisk", "SriovNetSupport", "UserData"}},
	"AllocateAddress": {(*Backend).allocateAddress, true,
		[]string{"Domain", "Address", "PublicIpv4Pool", "NetworkBorderGroup", "CustomerOwnedIpv4Pool", "TagSpecification", "IpamPoolId"}},
	"DescribeAddresses": {(*Backend).describeAddresses, false, []string{"AllocationId", "PublicIp", "Filter"}},
	"ReleaseAddress":    {(*Backend).releaseAddress, true, []string{"AllocationId", "PublicIp", "NetworkBorderGroup"}},
	"AssignPrivateIpAddresses": {(*Backend).assignPrivateIPAddresses, true,
		[]string{"NetworkInterfaceId", "PrivateIpAddress", "SecondaryPrivateIpAddressCount", "Ipv4Prefix", "Ipv4PrefixCount", "AllowReassignment"}},
}

// accepted indexes actions' parameter names, built once.
var accepted = func() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(actions))
	for name, a := range actions {
		m := map[string]bool{"Action": true, "Version": true, "DryRun": true}
		for _, p := range a.params {
			m[p] = true
		}
		out[name] = m
	}
	return out
}()

// Actions lists the supported actions, sorted.
func Actions() []string { return sortedKeys(actions) }

// Mutating reports whether an action changes state. Unknown actions do not.
func (b *Backend) Mutating(name string) bool { return actions[name].mutating }

// Handle runs one EC2 action. Errors are *query.Error; DryRun=true on a
// well-formed request answers DryRunOperation (412) without side effects.
func (b *Backend) Handle(name string, p query.Params) (any, error) {
	a, ok := actions[name]
	if !ok {
		return nil, query.InvalidAction(name)
	}
	ok2 := accepted[name]
	for _, k := range p.Keys() {
		top, _, _ := strings.Cut(k, ".")
		if !ok2[top] && !strings.HasPrefix(k, "X-Amz-") {
			return nil, query.BadRequest("UnknownParameter", "The parameter %s is not recognized", top)
		}
	}
	dry, _, err := p.Bool("DryRun")
	if err != nil {
		return nil, err
	}
	if dry {
		return nil, query.Errorf(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	}
	if a.mutating {
		b.purgeReleased()
	}
	return a.fn(b, p)
}

// purgeReleased deletes released ENIs whose delay has passed.
func (b *Backend) purgeReleased() {
	now := b.env.Now()
	for id, e := range b.st.enis {
		if !e.ReleaseAt.IsZero() && !now.Before(e.ReleaseAt) {
			delete(b.st.enis, id)
		}
	}
}

// alive reports whether an ENI still exists (a released one lives until its
// ReleaseAt). Read paths use it instead of purging.
func (b *Backend) alive(e *ENI) bool {
	return e.ReleaseAt.IsZero() || b.env.Now().Before(e.ReleaseAt)
}

// snapshot is the JSON form of the whole state.
type snapshot struct {
	VPCs              []*VPC           `json:"vpcs"`
	Subnets           []*Subnet        `json:"subnets"`
	SecurityGroups    []*SecurityGroup `json:"securityGroups"`
	Instances         []*Instance      `json:"instances"`
	NetworkInterfaces []*ENI           `json:"networkInterfaces"`
	Addresses         []*Address       `json:"addresses,omitempty"`
}

// Snapshot returns the whole state as JSON, every list sorted by ID.
func (b *Backend) Snapshot() (json.RawMessage, error) {
	s := snapshot{
		VPCs:              make([]*VPC, 0, len(b.st.vpcs)),
		Subnets:           make([]*Subnet, 0, len(b.st.subnets)),
		SecurityGroups:    make([]*SecurityGroup, 0, len(b.st.groups)),
		Instances:         make([]*Instance, 0, len(b.st.instances)),
		NetworkInterfaces: make([]*ENI, 0, len(b.st.enis)),
	}
	for _, id := range sortedKeys(b.st.vpcs) {
		s.VPCs = append(s.VPCs, b.st.vpcs[id])
	}
	for _, id := range sortedKeys(b.st.subnets) {
		s.Subnets = append(s.Subnets, b.st.subnets[id])
	}
	for _, id := range b.st.groupIDs {
		s.SecurityGroups = append(s.SecurityGroups, b.st.groups[id])
	}
	for _, id := range sortedKeys(b.st.instances) {
		s.Instances = append(s.Instances, b.st.instances[id])
	}
	for _, id := range sortedKeys(b.st.enis) {
		s.NetworkInterfaces = append(s.NetworkInterfaces, b.st.enis[id])
	}
	for _, id := range sortedKeys(b.st.addresses) {
		s.Addresses = append(s.Addresses, b.st.addresses[id])
	}
	return json.Marshal(s)
}

// Restore replaces the state with a Snapshot. On error the state is
// unchanged.
func (b *Backend) Restore(raw json.RawMessage) error {
	var s snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("decoding EC2 state: %w", err)
	}
	st := newState()
	for _, v := range s.VPCs {
		if v == nil || v.ID == "" {
			return fmt.Errorf("decoding EC2 state: VPC without ID")
		}
		st.vpcs[v.ID] = v
	}
	for _, sn := range s.Subnets {
		if sn == nil || st.vpcs[sn.VPCID] == nil {
			return fmt.Errorf("decoding EC2 state: subnet without a known VPC")
		}
		st.subnets[sn.ID] = sn
	}
	for _, g := range s.SecurityGroups {
		if g == nil || st.vpcs[g.VPCID] == nil {
			return fmt.Errorf("decoding EC2 state: security group without a known VPC")
		}
		for _, r := range append(append([]*Rule(nil), g.Ingress...), g.Egress...) {
			if r == nil {
				return fmt.Errorf("decoding EC2 state: null rule in %s", g.ID)
			}
		}
		st.addGroup(g)
	}
	for _, i := range s.Instances {
		if i == nil || i.ID == "" {
			return fmt.Errorf("decoding EC2 state: instance without ID")
		}
		st.instances[i.ID] = i
	}
	for _, e := range s.NetworkInterfaces {
		if e == nil || e.ID == "" {
			return fmt.Errorf("decoding EC2 state: network interface without ID")
		}
		st.enis[e.ID] = e
	}
	for _, a := range s.Addresses {
		if a == nil || a.AllocationID == "" {
			return fmt.Errorf("decoding EC2 state: address without allocation ID")
		}
		st.addresses[a.AllocationID] = a
	}
	b.st = st
	return nil
}

// Reset empties the state.
func (b *Backend) Reset() { b.st = newState() }

// ---- shared helpers ----

func notFound(code, format string, args ...any) *query.Error {
	return query.BadRequest(code, format, args...)
}

// isID reports whether s is prefix-<8 or 17 lower-case hex digits>.
func isID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"-")
	if !ok || (len(rest) != 8 && len(rest) != 17) {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func malformed(code, id, prefix string) *query.Error {
	return query.BadRequest(code, "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
}

// visible reports whether a resource created at t is visible to Describe.
func (b *Backend) visible(t time.Time, lag time.Duration) bool { return b.env.Visible(t, lag) }

// tagItems renders the tags visible to Describe calls.
func (b *Backend) tagItems(t Tags) []tagItem {
	if len(t) == 0 {
		return nil
	}
	out := make([]tagItem, 0, len(t))
	for _, tg := range t {
		if b.visible(tg.At, b.env.Lag.Tags) {
			out = append(out, tagItem{Key: tg.Key, Value: tg.Value})
		}
	}
	return out
}

// matchTags evaluates a tag filter (tag:k, tag-key, tag-value) against the
// visible tags; handled is false for other filters.
// matchAll reports whether a resource passes every filter: tag filters are
// checked against its tags, every other filter by match.
func (b *Backend) matchAll(fs []core.Filter, tags Tags, match func(f core.Filter) bool) bool {
	for _, f := range fs {
		if h, ok := b.matchTags(f, tags); h {
			if !ok {
				return false
			}
			continue
		}
		if !match(f) {
			return false
		}
	}
	return true
}

func (b *Backend) matchTags(f core.Filter, t Tags) (handled, ok bool) {
	switch {
	case strings.HasPrefix(f.Name, "tag:"):
		i := t.find(f.Name[4:])
		return true, i >= 0 && b.visible(t[i].At, b.env.Lag.Tags) && core.MatchAny(f.Values, t[i].Value)
	case f.Name == "tag-key", f.Name == "tag-value":
		for _, tg := range t {
			v := tg.Key
			if f.Name == "tag-value" {
				v = tg.Value
			}
			if b.visible(tg.At, b.env.Lag.Tags) && core.MatchAny(f.Values, v) {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}

// paramInt32 reads an optional integer parameter.
func paramInt32(p query.Params, k string, lo, hi int64) (int32, bool, error) {
	v, ok, err := p.Int(k, lo, hi)
	return int32(v), ok, err
}

// idList reads k.N IDs, checking their format.
func idList(p query.Params, k, prefix, malformedCode string) ([]string, error) {
	ids := p.Strings(k)
	for _, id := range ids {
		if !isID(id, prefix) {
			return nil, malformed(malformedCode, id, prefix)
		}
	}
	return ids, nil
}

// selectByID is the common first half of a Describe: the resources named by
// ids (each must exist and be visible, else the notFound error for it), or
// every visible resource when no ID is given, keeping those that match, in
// ID order.
func selectByID[T any](index map[string]*T, ids []string, visible, matches func(*T) bool, notFound func(id string) error) ([]*T, error) {
	var cands []string
	if len(ids) > 0 {
		ids = dedupe(ids)
		for _, id := range ids { // the first missing one in request order
			if r := index[id]; r == nil || !visible(r) {
				return nil, notFound(id)
			}
		}
		cands = sortStrings(append([]string(nil), ids...))
	} else {
		cands = sortedKeys(index)
	}
	var out []*T
	for _, id := range cands {
		if r := index[id]; visible(r) && matches(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func always[T any](*T) bool { return true }

// dedupe returns ids without repeats, keeping the first occurrence.
func dedupe(ids []string) []string {
	if len(ids) < 2 {
		return ids
	}
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func sortStrings(s []string) []string { sort.Strings(s); return s }

func (b *Backend) arn(kind, id string) string {
	return "arn:aws:ec2:" + b.env.Region + ":" + b.env.Account + ":" + kind + "/" + id
}
