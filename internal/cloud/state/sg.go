package state

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// SG is a security group as last read or written.
type SG struct {
	ID, Name string
	Tags     map[string]string
	Ingress  rules.Set
}

// Provider holds the caches and the clients.
type Provider struct {
	ec2 awsapi.EC2API
	elb awsapi.ELBV2API
	// cloud makes the listener and rule writes (its caches are never read
	// here: Snapshot has its own).
	cloud   *cloudelbv2.Provider
	cluster string
	vpcID   string

	mu        sync.Mutex
	sgs       map[string]*SG // every SG of the VPC (and foreign ones read by ID)
	sgsLoaded bool
	stale     map[string]bool // SGs whose cached rules may be wrong after a failed write
	subnets   []model.Subnet
	vpcCIDRs  []string
	instances map[string]Instance
	elbIdx    *elbIndex
	// sgWrites and elbWrites keep writes made during a full refresh.
	sgWrites, elbWrites writeLog
	snaps               map[string]*snapshotEntry // by stack key
	// snapGen counts invalidations per stack key: a Snapshot read that
	// raced with one is returned but not cached.
	snapGen map[string]uint64
	// untrusted stacks' listings may hide what an invalidation knew (a
	// write that may have failed half-way, drift seen by a refresh): Listed
	// refuses them until Converged.
	untrusted map[string]bool

	// One filler per cache: concurrent reconciles that find a cache cold
	// wait for the first one's Describe instead of each making their own
	// (--max-concurrent-reconciles of them at start).
	fillSGs, fillELB, fillSubnets, fillVPC, fillInstances sync.Mutex
}

// Instance is what the controllers need of an EC2 instance.
type Instance struct {
	ID, ENIID string
	Groups    []string
}

// New builds a Provider for one cluster and VPC.
func New(ec2api awsapi.EC2API, elbapi awsapi.ELBV2API, cluster, vpcID string) *Provider {
	return &Provider{ec2: ec2api, elb: elbapi, cloud: cloudelbv2.New(elbapi), cluster: cluster, vpcID: vpcID,
		sgs: map[string]*SG{}, stale: map[string]bool{}, instances: map[string]Instance{}, snaps: map[string]*snapshotEntry{}, snapGen: map[string]uint64{}, untrusted: map[string]bool{}}
}

// VPCID is the VPC the Provider works in.
func (p *Provider) VPCID() string { return p.vpcID }

func tagMap(ts []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func fromSDK(g ec2types.SecurityGroup) *SG {
	var perms []rules.Permission
	for _, ip := range g.IpPermissions {
		perm := rules.Permission{Protocol: aws.ToString(ip.IpProtocol), FromPort: aws.ToInt32(ip.FromPort), ToPort: aws.ToInt32(ip.ToPort)}
		for _, r := range ip.IpRanges {
			perm.Peers = append(perm.Peers, rules.Peer{ID: aws.ToString(r.CidrIp), Description: aws.ToString(r.Description)})
		}
		for _, r := range ip.Ipv6Ranges {
			perm.Peers = append(perm.Peers, rules.Peer{ID: aws.ToString(r.CidrIpv6), Description: aws.ToString(r.Description)})
		}
		for _, r := range ip.PrefixListIds {
			perm.Peers = append(perm.Peers, rules.Peer{ID: aws.ToString(r.PrefixListId), Description: aws.ToString(r.Description)})
		}
		for _, r := range ip.UserIdGroupPairs {
			perm.Peers = append(perm.Peers, rules.Peer{ID: aws.ToString(r.GroupId), Description: aws.ToString(r.Description)})
		}
		perms = append(perms, perm)
	}
	set, _ := rules.Expand(perms) // an odd rule is skipped, the rest still diffed
	return &SG{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName), Tags: tagMap(g.Tags), Ingress: set}
}

// ToSDK converts a Set to IpPermissions, one permission per (protocol,
// ports) with all its peers, so one call carries the whole Set.
func ToSDK(s rules.Set) []ec2types.IpPermission {
	var out []ec2types.IpPermission
	for _, p := range s.Permissions(0) {
		ip := ec2types.IpPermission{IpProtocol: aws.String(p.Protocol)}
		if p.Protocol != rules.All {
			ip.FromPort, ip.ToPort = aws.Int32(p.FromPort), aws.Int32(p.ToPort)
		}
		for _, peer := range p.Peers {
			d := aws.String(peer.Description)
			if peer.Description == "" {
				d = nil
			}
			k, _ := rules.NewKey(p.Protocol, p.FromPort, p.ToPort, peer.ID)
			switch k.PeerKind() {
			case rules.PeerIPv4:
				ip.IpRanges = append(ip.IpRanges, ec2types.IpRange{CidrIp: aws.String(peer.ID), Description: d})
			case rules.PeerIPv6:
				ip.Ipv6Ranges = append(ip.Ipv6Ranges, ec2types.Ipv6Range{CidrIpv6: aws.String(peer.ID), Description: d})
			case rules.PeerPrefixList:
				ip.PrefixListIds = append(ip.PrefixListIds, ec2types.PrefixListId{PrefixListId: aws.String(peer.ID), Description: d})
			case rules.PeerSecurityGroup:
				ip.UserIdGroupPairs = append(ip.UserIdGroupPairs, ec2types.UserIdGroupPair{GroupId: aws.String(peer.ID), Description: d})
			case rules.PeerInvalid:
			}
		}
		out = append(out, ip)
	}
	return out
}

// RefreshSecurityGroups reads every SG of the VPC with one paged
// DescribeSecurityGroups and replaces the cache. It returns the SGs whose
// ingress or tags changed since the last read (nil on the first read).
func (p *Provider) RefreshSecurityGroups(ctx context.Context) ([]string, error) {
	p.mu.Lock()
	mark := p.sgWrites.begin()
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.sgWrites.end()
		p.mu.Unlock()
	}()
	fresh := map[string]*SG{}
	pg := ec2.NewDescribeSecurityGroupsPaginator(p.ec2, &ec2.DescribeSecurityGroupsInput{
		Filters:    []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{p.vpcID}}},
		MaxResults: aws.Int32(1000),
	})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing security groups of %s: %w", p.vpcID, err)
		}
		for _, g := range out.SecurityGroups {
			sg := fromSDK(g)
			fresh[sg.ID] = sg
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Written while the listing ran: the cache's entry is newer.
	stale := map[string]bool{}
	for _, id := range p.sgWrites.since(mark) {
		if sg, ok := p.sgs[id]; ok {
			fresh[id] = sg
		} else {
			delete(fresh, id)
		}
		if p.stale[id] {
			stale[id] = true
		}
	}
	var changed []string
	if p.sgsLoaded {
		for id, sg := range fresh {
			old, ok := p.sgs[id]
			if !ok || !old.Ingress.Equal(sg.Ingress) || !maps.Equal(old.Tags, sg.Tags) {
				changed = append(changed, id)
			}
		}
		for id := range p.sgs {
			if _, ok := fresh[id]; !ok {
				changed = append(changed, id)
			}
		}
	}
	p.sgs, p.sgsLoaded, p.stale = fresh, true, stale
	slices.Sort(changed)
	return changed, nil
}

func (p *Provider) ensureSGs(ctx context.Context) error {
	loaded := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.sgsLoaded
	}
	if loaded() {
		return nil
	}
	p.fillSGs.Lock()
	defer p.fillSGs.Unlock()
	if loaded() {
		return nil
	}
	_, err := p.RefreshSecurityGroups(ctx)
	return err
}

// SecurityGroup returns an SG from the cache, or reads it (fresh: always).
// A vanished SG returns (nil, nil).
func (p *Provider) SecurityGroup(ctx context.Context, id string, fresh bool) (*SG, error) {
	if err := p.ensureSGs(ctx); err != nil {
		return nil, err
	}
	if !fresh {
		p.mu.Lock()
		sg, ok := p.sgs[id]
		ok = ok && !p.stale[id]
		p.mu.Unlock()
		if ok {
			return cloneSG(sg), nil
		}
	}
	out, err := p.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if awserr.Is(err, awserr.EC2InvalidGroupNotFound) {
		p.mu.Lock()
		delete(p.sgs, id)
		p.sgWrites.note(id)
		p.mu.Unlock()
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describing security group %s: %w", id, err)
	}
	if len(out.SecurityGroups) == 0 {
		return nil, nil
	}
	sg := fromSDK(out.SecurityGroups[0])
	p.mu.Lock()
	p.sgs[id] = sg
	delete(p.stale, id)
	p.sgWrites.note(id)
	p.mu.Unlock()
	return cloneSG(sg), nil
}

func cloneSG(sg *SG) *SG {
	c := *sg
	c.Tags = maps.Clone(sg.Tags)
	c.Ingress = sg.Ingress.Clone()
	return &c
}

// FindSecurityGroups returns cached SGs of the VPC whose tags satisfy match,
// sorted by ID.
func (p *Provider) FindSecurityGroups(ctx context.Context, match func(tags map[string]string) bool) ([]*SG, error) {
	if err := p.ensureSGs(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*SG
	for _, sg := range p.sgs {
		if match(sg.Tags) {
			out = append(out, cloneSG(sg))
		}
	}
	slices.SortFunc(out, func(a, b *SG) int { return compareStrings(a.ID, b.ID) })
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ResolveManual resolves the security-groups annotation (IDs and Name tags)
// from the cache; IDs not in the VPC cache are described by ID (LBC uses no
// VPC filter for IDs).
func (p *Provider) ResolveManual(ctx context.Context, items []string) ([]string, error) {
	l, err := p.LookupSecurityGroups(ctx, items)
	if err != nil {
		return nil, err
	}
	return model.ResolveSecurityGroups(items, l.ByID, l.ByName)
}

// LookupSecurityGroups finds the security-groups annotation items (IDs and
// Name tags) as ResolveManual does, leaving their resolution to the model.
func (p *Provider) LookupSecurityGroups(ctx context.Context, items []string) (model.SecurityGroupLookup, error) {
	if err := p.ensureSGs(ctx); err != nil {
		return model.SecurityGroupLookup{}, err
	}
	byID, byName := map[string]bool{}, map[string][]string{}
	var missing []string
	p.mu.Lock()
	for _, it := range items {
		if _, ok := p.sgs[it]; ok {
			byID[it] = true
		} else if len(it) > 3 && it[:3] == "sg-" {
			missing = append(missing, it)
		}
	}
	for _, sg := range p.sgs {
		if n, ok := sg.Tags[naming.TagName]; ok {
			byName[n] = append(byName[n], sg.ID)
		}
	}
	p.mu.Unlock()
	for _, id := range missing {
		sg, err := p.SecurityGroup(ctx, id, true)
		if err != nil {
			return model.SecurityGroupLookup{}, err
		}
		if sg != nil {
			byID[id] = true
		}
	}
	var missingNames []string
	for _, it := range items {
		if !strings.HasPrefix(it, "sg-") && len(byName[it]) == 0 && !slices.Contains(missingNames, it) {
			missingNames = append(missingNames, it)
		}
	}
	if len(missingNames) > 0 {
		// Not in the cache: ask EC2 (LBC resolves uncached every time).
		out, err := p.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{p.vpcID}},
			{Name: aws.String("tag:" + naming.TagName), Values: missingNames},
		}})
		if err != nil {
			return model.SecurityGroupLookup{}, fmt.Errorf("describing security groups named %v: %w", missingNames, err)
		}
		p.mu.Lock()
		for _, g := range out.SecurityGroups {
			sg := fromSDK(g)
			p.sgs[sg.ID] = sg
			p.sgWrites.note(sg.ID)
			byName[sg.Tags[naming.TagName]] = append(byName[sg.Tags[naming.TagName]], sg.ID)
		}
		p.mu.Unlock()
	}
	for n := range byName {
		slices.Sort(byName[n])
	}
	return model.SecurityGroupLookup{ByID: byID, ByName: byName}, nil
}

// CreateSecurityGroup creates an SG tagged at creation and caches it.
func (p *Provider) CreateSecurityGroup(ctx context.Context, name, desc string, tags map[string]string) (string, error) {
	var ts []ec2types.Tag
	for _, t := range naming.SortedTags(tags) {
		ts = append(ts, ec2types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	out, err := p.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String(desc), VpcId: aws.String(p.vpcID),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ts}},
	})
	if awserr.Is(err, awserr.EC2InvalidGroupDuplicate) {
		return p.adoptByName(ctx, name, tags, err)
	}
	if err != nil {
		return "", fmt.Errorf("creating security group %s: %w", name, err)
	}
	id := aws.ToString(out.GroupId)
	p.mu.Lock()
	p.sgs[id] = &SG{ID: id, Name: name, Tags: maps.Clone(tags), Ingress: rules.Set{}}
	p.sgWrites.note(id)
	p.mu.Unlock()
	return id, nil
}

// adoptByName handles a create refused because the name is taken: the
// group may be this one, created by an earlier attempt whose reply was
// lost (an InternalError after EC2 acted, a crash between create and
// cache). It is adopted when its tags say it plays the same role for the
// same stack of this cluster; anything else keeps the refusal.
func (p *Provider) adoptByName(ctx context.Context, name string, tags map[string]string, dup error) (string, error) {
	out, err := p.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{p.vpcID}},
		{Name: aws.String("group-name"), Values: []string{name}},
	}})
	if err != nil {
		return "", fmt.Errorf("creating security group %s: %w; looking it up: %w", name, dup, err)
	}
	want := naming.ClassifySecurityGroup(tags, p.cluster)
	for _, g := range out.SecurityGroups {
		sg := fromSDK(g)
		switch got := naming.ClassifySecurityGroup(sg.Tags, p.cluster); {
		case want.Role != naming.SGNotOwned && got == want:
			p.mu.Lock()
			p.sgs[sg.ID] = sg
			delete(p.stale, sg.ID)
			p.sgWrites.note(sg.ID)
			p.mu.Unlock()
			return sg.ID, nil
		case len(sg.Tags) == 0:
			// Tags not visible yet (EC2 is eventually consistent): retry.
			return "", fmt.Errorf("creating security group %s: %w (%s has no tags yet; retrying)", name, dup, sg.ID)
		default:
			return "", fmt.Errorf("creating security group %s: %w (%s is not this stack's: %s)", name, dup, sg.ID, got.Role)
		}
	}
	// Taken but not visible to Describe yet: retry.
	return "", fmt.Errorf("creating security group %s: %w (not visible yet; retrying)", name, dup)
}

// RefreshStackSGs reads the managed SGs tagged for stack st straight from
// EC2 (one filtered Describe) into the cache: a group whose create reply
// was lost is in AWS but not in the cache, and a teardown must see it.
func (p *Provider) RefreshStackSGs(ctx context.Context, st naming.Stack) error {
	if err := p.ensureSGs(ctx); err != nil {
		return err
	}
	out, err := p.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{p.vpcID}},
		{Name: aws.String("tag:" + st.StackTagKey()), Values: []string{st.ID()}},
	}})
	if err != nil {
		return fmt.Errorf("describing security groups of %s: %w", st, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range out.SecurityGroups {
		sg := fromSDK(g)
		if _, ok := p.sgs[sg.ID]; !ok {
			p.sgs[sg.ID] = sg
			p.sgWrites.note(sg.ID)
		}
	}
	return nil
}

// Authorize adds rules to an SG in one call and updates the cache.
func (p *Provider) Authorize(ctx context.Context, id string, s rules.Set) error {
	if len(s) == 0 {
		return nil
	}
	_, err := p.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: ToSDK(s)})
	if err != nil {
		p.markStale(id)
		return fmt.Errorf("authorizing %d rules on %s: %w", len(s), id, err)
	}
	p.mu.Lock()
	if sg, ok := p.sgs[id]; ok {
		maps.Copy(sg.Ingress, s)
	}
	p.sgWrites.note(id)
	p.mu.Unlock()
	return nil
}

// Revoke removes rules from an SG in one call and updates the cache.
func (p *Provider) Revoke(ctx context.Context, id string, s rules.Set) error {
	if len(s) == 0 {
		return nil
	}
	_, err := p.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: ToSDK(s)})
	if err != nil {
		p.markStale(id)
		return fmt.Errorf("revoking %d rules on %s: %w", len(s), id, err)
	}
	p.mu.Lock()
	if sg, ok := p.sgs[id]; ok {
		for k := range s {
			delete(sg.Ingress, k)
		}
	}
	p.sgWrites.note(id)
	p.mu.Unlock()
	return nil
}

// Describe rewrites the descriptions of rules already on an SG in one call
// (UpdateSecurityGroupRuleDescriptionsIngress: no revoke, no gap) and
// updates the cache.
func (p *Provider) Describe(ctx context.Context, id string, s rules.Set) error {
	if len(s) == 0 {
		return nil
	}
	_, err := p.ec2.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{
		GroupId: aws.String(id), IpPermissions: ToSDK(s)})
	if err != nil {
		p.markStale(id)
		return fmt.Errorf("updating descriptions of %d rules on %s: %w", len(s), id, err)
	}
	p.mu.Lock()
	if sg, ok := p.sgs[id]; ok {
		maps.Copy(sg.Ingress, s)
	}
	p.sgWrites.note(id)
	p.mu.Unlock()
	return nil
}

// DeleteSecurityGroup deletes an SG; a vanished one counts as deleted.
func (p *Provider) DeleteSecurityGroup(ctx context.Context, id string) error {
	_, err := p.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
	if err != nil && !awserr.Is(err, awserr.EC2InvalidGroupNotFound) {
		return fmt.Errorf("deleting security group %s: %w", id, err)
	}
	p.forget(id)
	return nil
}

func (p *Provider) markStale(id string) {
	p.mu.Lock()
	p.stale[id] = true
	p.sgWrites.note(id)
	p.mu.Unlock()
}

func (p *Provider) forget(id string) {
	p.mu.Lock()
	delete(p.sgs, id)
	p.sgWrites.note(id)
	p.mu.Unlock()
}

// TagSecurityGroup sets and removes tags (CreateTags, DeleteTags) and
// updates the cache.
func (p *Provider) TagSecurityGroup(ctx context.Context, id string, set map[string]string, remove []string) error {
	if len(set) > 0 {
		var ts []ec2types.Tag
		for _, t := range naming.SortedTags(set) {
			ts = append(ts, ec2types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
		}
		if _, err := p.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ts}); err != nil {
			return fmt.Errorf("tagging security group %s: %w", id, err)
		}
	}
	if len(remove) > 0 {
		var ts []ec2types.Tag
		for _, k := range remove {
			ts = append(ts, ec2types.Tag{Key: aws.String(k)})
		}
		if _, err := p.ec2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: ts}); err != nil {
			return fmt.Errorf("untagging security group %s: %w", id, err)
		}
	}
	p.mu.Lock()
	if sg, ok := p.sgs[id]; ok {
		maps.Copy(sg.Tags, set)
		for _, k := range remove {
			delete(sg.Tags, k)
		}
	}
	p.sgWrites.note(id)
	p.mu.Unlock()
	return nil
}
