package state

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	cloudacm "github.com/lbsg/lbsg/internal/cloud/acm"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// SG is a security group as last read or written.
type SG = cloudec2.SecurityGroup

// Instance is what the controllers need of an EC2 instance.
type Instance = cloudec2.Instance

// Provider holds the caches and the per-service clients.
type Provider struct {
	ec2     *cloudec2.Provider
	elb     *cloudelbv2.Provider
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
	// attrs are the attributes known per LB, TG or listener ARN (see
	// FillAttributes); lazily made.
	attrs map[string]map[string]string
	// attrWrites counts changes to attrs by lbsg's writes: a re-read
	// (rereadAttrs) that raced one is not kept.
	attrWrites uint64

	// One filler per cache: concurrent reconciles that find a cache cold
	// wait for the first one's Describe instead of each making their own
	// (--max-concurrent-reconciles of them at start).
	fillSGs, fillELB, fillSubnets, fillVPC, fillInstances sync.Mutex
	// elbRefresh is the RefreshELB in flight, if any (p.mu).
	elbRefresh *refreshCall
	// elbRefreshGen counts the RefreshELB listings started (p.mu).
	elbRefreshGen uint64

	// tgNames caches target groups found by name (TargetGroupARNsByName).
	tgNames map[string]tgNameEntry

	// acm reads certificates for discovery (UseACM); certs is its catalog,
	// filled by one caller at a time (fillCerts).
	acm       *cloudacm.Provider
	certs     certCatalog
	fillCerts sync.Mutex
	// tsNames caches trust stores found by name (TrustStoreARNsByName).
	tsNames map[string]tgNameEntry
	// addons caches the ALBs' WAF and Shield state (nil until
	// EnableAddons).
	addons *addonState

	// oidcSecrets is, per listener or rule ARN, the digest of the OIDC
	// client secret lbsg last wrote there (ELBv2 never returns it); see
	// model.AuthOIDC. Lazily made; kept in memory only.
	oidcSecrets map[string]string
}

// New builds a Provider for one cluster and VPC.
func New(ec2api awsapi.EC2API, elbapi awsapi.ELBV2API, cluster, vpcID string) *Provider {
	return &Provider{ec2: cloudec2.New(ec2api), elb: cloudelbv2.New(elbapi), cluster: cluster, vpcID: vpcID,
		sgs: map[string]*SG{}, stale: map[string]bool{}, instances: map[string]Instance{}, snaps: map[string]*snapshotEntry{}, snapGen: map[string]uint64{}, untrusted: map[string]bool{}}
}

// VPCID is the VPC the Provider works in.
func (p *Provider) VPCID() string { return p.vpcID }

func ref(g cloudec2.SecurityGroup) *SG { return &g }

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
	gs, err := p.ec2.VPCSecurityGroups(ctx, p.vpcID)
	if err != nil {
		return nil, err
	}
	fresh := make(map[string]*SG, len(gs))
	for _, g := range gs {
		fresh[g.ID] = ref(g)
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
	g, err := p.ec2.SecurityGroup(ctx, id)
	if _, gone := errors.AsType[*cloudec2.NotFoundError](err); gone {
		p.mu.Lock()
		delete(p.sgs, id)
		p.sgWrites.note(id)
		p.mu.Unlock()
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sg := ref(g)
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
	slices.SortFunc(out, func(a, b *SG) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
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
		gs, err := p.ec2.SecurityGroupsNamed(ctx, p.vpcID, missingNames)
		if err != nil {
			return model.SecurityGroupLookup{}, err
		}
		p.mu.Lock()
		for _, g := range gs {
			sg := ref(g)
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
	id, err := p.ec2.CreateSecurityGroup(ctx, cloudec2.NewGroup{VPCID: p.vpcID, Name: name, Description: desc, Tags: tags})
	if awserr.Is(err, awserr.EC2InvalidGroupDuplicate) {
		return p.adoptByName(ctx, name, tags, err)
	}
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.sgs[id] = &SG{ID: id, Name: name, Description: desc, VPCID: p.vpcID, Tags: maps.Clone(tags), Ingress: rules.Set{}}
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
	gs, err := p.ec2.SecurityGroupsByName(ctx, p.vpcID, name)
	if err != nil {
		return "", fmt.Errorf("%w; looking it up: %w", dup, err)
	}
	want := naming.ClassifySecurityGroup(tags, p.cluster)
	for _, g := range gs {
		sg := ref(g)
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
			return "", fmt.Errorf("%w (%s has no tags yet; retrying)", dup, sg.ID)
		default:
			return "", fmt.Errorf("%w (%s is not this stack's: %s)", dup, sg.ID, got.Role)
		}
	}
	// Taken but not visible to Describe yet: retry.
	return "", fmt.Errorf("%w (not visible yet; retrying)", dup)
}

// RefreshStackSGs reads the managed SGs tagged for stack st straight from
// EC2 (one filtered Describe) into the cache: a group whose create reply
// was lost is in AWS but not in the cache, and a teardown must see it.
func (p *Provider) RefreshStackSGs(ctx context.Context, st naming.Stack) error {
	if err := p.ensureSGs(ctx); err != nil {
		return err
	}
	gs, err := p.ec2.SecurityGroupsByTags(ctx, p.vpcID, map[string]string{st.StackTagKey(): st.ID()})
	if err != nil {
		return fmt.Errorf("describing security groups of %s: %w", st, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range gs {
		sg := ref(g)
		if _, ok := p.sgs[sg.ID]; !ok {
			p.sgs[sg.ID] = sg
			p.sgWrites.note(sg.ID)
		}
	}
	return nil
}

// Authorize adds rules to an SG in one call and updates the cache.
func (p *Provider) Authorize(ctx context.Context, id string, s rules.Set) error {
	return p.writeRules(ctx, id, s, p.ec2.Authorize, func(in rules.Set) { maps.Copy(in, s) })
}

// Revoke removes rules from an SG in one call and updates the cache.
func (p *Provider) Revoke(ctx context.Context, id string, s rules.Set) error {
	return p.writeRules(ctx, id, s, p.ec2.Revoke, func(in rules.Set) {
		for k := range s {
			delete(in, k)
		}
	})
}

// Describe rewrites the descriptions of rules already on an SG in one call
// (UpdateSecurityGroupRuleDescriptionsIngress: no revoke, no gap) and
// updates the cache.
func (p *Provider) Describe(ctx context.Context, id string, s rules.Set) error {
	return p.writeRules(ctx, id, s, p.ec2.UpdateIngressDescriptions, func(in rules.Set) { maps.Copy(in, s) })
}

// writeRules makes one rule write (nothing for an empty Set): on success
// apply edits the cached rules; on failure the SG is marked stale, as the
// write may have half happened.
func (p *Provider) writeRules(ctx context.Context, id string, s rules.Set, write func(context.Context, string, rules.Set) error, apply func(rules.Set)) error {
	if len(s) == 0 {
		return nil
	}
	if err := write(ctx, id, s); err != nil {
		p.markStale(id)
		return err
	}
	p.mu.Lock()
	if sg, ok := p.sgs[id]; ok {
		apply(sg.Ingress)
	}
	p.sgWrites.note(id)
	p.mu.Unlock()
	return nil
}

// DeleteSecurityGroup deletes an SG; a vanished one counts as deleted.
func (p *Provider) DeleteSecurityGroup(ctx context.Context, id string) error {
	if err := p.ec2.DeleteSecurityGroup(ctx, id); err != nil {
		return err
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
	if err := p.ec2.CreateTags(ctx, []string{id}, set); err != nil {
		return err
	}
	if err := p.ec2.DeleteTags(ctx, []string{id}, remove); err != nil {
		return err
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
