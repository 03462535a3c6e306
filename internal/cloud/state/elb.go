package state

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/awserr"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

type lbEntry struct {
	lb   plan.ObservedLB
	tags map[string]string
}

type tgEntry struct {
	tg   plan.ObservedTG
	tags map[string]string
}

// elbIndex is every LB and TG of the VPC with its tags.
type elbIndex struct {
	lbs map[string]*lbEntry
	tgs map[string]*tgEntry
}

type snapshotEntry struct {
	snap plan.Snapshot // without ManagedSGs, filled from the SG cache
}

func observedLB(l cloudelbv2.LoadBalancer) plan.ObservedLB {
	return plan.ObservedLB{ARN: l.ARN, Name: l.Name, DNSName: l.DNSName, Type: l.Type, Scheme: l.Scheme, IPAddressType: l.IPAddressType,
		SecurityGroups: slices.Clone(l.SecurityGroups), State: l.State, Subnets: slices.Clone(l.Subnets),
		SubnetMappings: modelMappings(l.Zones), SourceNATPrefix: l.SourceNAT, PrivateLinkInbound: l.EnforcePrivateLink, IPAMPool: l.IPAMPool,
		CustomerOwnedPool: l.CustomerOwnedPool}
}

func modelMappings(zs []cloudelbv2.SubnetMapping) []model.SubnetMapping {
	out := make([]model.SubnetMapping, 0, len(zs))
	for _, z := range zs {
		out = append(out, model.SubnetMapping{SubnetID: z.SubnetID, AllocationID: z.AllocationID, PrivateIPv4: z.PrivateIPv4,
			IPv6: z.IPv6, SourceNATPrefix: z.SourceNATPrefix})
	}
	return out
}

func cloudMappings(ms []model.SubnetMapping) []cloudelbv2.SubnetMapping {
	out := make([]cloudelbv2.SubnetMapping, 0, len(ms))
	for _, m := range ms {
		out = append(out, cloudelbv2.SubnetMapping{SubnetID: m.SubnetID, AllocationID: m.AllocationID, PrivateIPv4: m.PrivateIPv4,
			IPv6: m.IPv6, SourceNATPrefix: m.SourceNATPrefix})
	}
	return out
}

func observedTG(t cloudelbv2.TargetGroup) plan.ObservedTG {
	h := t.HealthCheck
	hc := model.HealthCheck{
		Protocol: h.Protocol, Port: h.Port, Path: h.Path, Interval: h.IntervalSeconds, Timeout: h.TimeoutSeconds,
		Healthy: h.HealthyThreshold, Unhealthy: h.UnhealthyThreshold, Matcher: cmp.Or(h.Matcher, h.GRPCMatcher),
	}
	if hc.Protocol == model.ProtoTCP {
		hc.Path, hc.Matcher = "", ""
	}
	return plan.ObservedTG{ARN: t.ARN, Name: t.Name, Port: t.Port, Protocol: t.Protocol, ProtocolVersion: t.ProtocolVersion,
		TargetType: t.TargetType, TargetControlPort: t.TargetControlPort, HealthCheck: hc}
}

// healthCheck is a model health check as ELBv2 takes it: the matcher is a
// gRPC code for GRPC target groups (version), else HTTP codes.
func healthCheck(hc model.HealthCheck, version string) cloudelbv2.HealthCheck {
	out := cloudelbv2.HealthCheck{Protocol: hc.Protocol, Port: hc.Port, Path: hc.Path, IntervalSeconds: hc.Interval,
		TimeoutSeconds: hc.Timeout, HealthyThreshold: hc.Healthy, UnhealthyThreshold: hc.Unhealthy}
	if version == "GRPC" {
		out.GRPCMatcher = hc.Matcher
	} else {
		out.Matcher = hc.Matcher
	}
	return out
}

// RefreshELB reloads every LB and TG of the VPC (paged Describes; tags only
// for ARNs not seen before) and returns the keys (naming.Stack.Key) of
// the stacks whose LB or TGs appeared, vanished or changed. A call made
// while another is listing joins it and gets its answer: at start, the
// first reconcile's load and the drift check's would otherwise read every
// tag twice (500 Services, 50 IngressGroups: 58 DescribeTags more), and
// writes made during the listing are replayed over it (elbWrites) either
// way. A caller that must see what AWS holds now, lbsg's writes or not
// (a create whose reply was lost), uses RefreshELBFresh.
func (p *Provider) RefreshELB(ctx context.Context) ([]string, error) {
	return p.refreshShared(ctx, false)
}

// RefreshELBFresh is RefreshELB from a listing that starts after the call:
// it waits for a listing in flight, which may have read AWS before the
// call, and joins only one started since.
func (p *Provider) RefreshELBFresh(ctx context.Context) ([]string, error) {
	return p.refreshShared(ctx, true)
}

func (p *Provider) refreshShared(ctx context.Context, fresh bool) ([]string, error) {
	p.mu.Lock()
	want := p.elbRefreshGen + 1 // the first listing to start after this call
	for {
		c := p.elbRefresh
		if c == nil {
			break
		}
		p.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if !fresh || c.gen >= want {
			return slices.Clone(c.changed), c.err
		}
		p.mu.Lock()
	}
	p.elbRefreshGen++
	c := &refreshCall{done: make(chan struct{}), gen: p.elbRefreshGen}
	p.elbRefresh = c
	p.mu.Unlock()
	c.changed, c.err = p.refreshELB(ctx)
	p.mu.Lock()
	p.elbRefresh = nil
	p.mu.Unlock()
	close(c.done)
	return c.changed, c.err
}

// refreshCall is a RefreshELB in flight, for callers that join it.
type refreshCall struct {
	gen     uint64 // order of the listing's start
	done    chan struct{}
	changed []string
	err     error
}

func (p *Provider) refreshELB(ctx context.Context) ([]string, error) {
	// A copy of the current index, taken under the lock: writers (creates,
	// deletes, tag and SG changes) update the live one in place while the
	// Describes below run.
	p.mu.Lock()
	mark := p.elbWrites.begin()
	defer func() {
		p.mu.Lock()
		p.elbWrites.end()
		p.mu.Unlock()
	}()
	var old *elbIndex
	if p.elbIdx != nil {
		old = &elbIndex{lbs: make(map[string]*lbEntry, len(p.elbIdx.lbs)), tgs: make(map[string]*tgEntry, len(p.elbIdx.tgs))}
		for arn, e := range p.elbIdx.lbs {
			c := *e
			old.lbs[arn] = &c
		}
		for arn, e := range p.elbIdx.tgs {
			c := *e
			old.tgs[arn] = &c
		}
	}
	p.mu.Unlock()
	idx := &elbIndex{lbs: map[string]*lbEntry{}, tgs: map[string]*tgEntry{}}
	lbs, err := p.elb.ListLoadBalancers(ctx, p.vpcID)
	if err != nil {
		return nil, err
	}
	for _, l := range lbs {
		idx.lbs[l.ARN] = &lbEntry{lb: observedLB(l)}
	}
	tgs, err := p.elb.ListTargetGroups(ctx, p.vpcID)
	if err != nil {
		return nil, err
	}
	for _, t := range tgs {
		idx.tgs[t.ARN] = &tgEntry{tg: observedTG(t)}
	}
	// Tags are read for ARNs not seen before, and again for those seen
	// without any: lbsg creates every resource with tags, so an empty set
	// is a read that came before they were visible (eventual consistency).
	var need []string
	for arn, e := range idx.lbs {
		if old != nil && old.lbs[arn] != nil && len(old.lbs[arn].tags) > 0 {
			e.tags = old.lbs[arn].tags
		} else {
			need = append(need, arn)
		}
	}
	for arn, e := range idx.tgs {
		if old != nil && old.tgs[arn] != nil && len(old.tgs[arn].tags) > 0 {
			e.tags = old.tgs[arn].tags
		} else {
			need = append(need, arn)
		}
	}
	slices.Sort(need)
	tags, gone, err := p.elb.TagsOrGone(ctx, need)
	if err != nil {
		return nil, fmt.Errorf("describing tags of %d load balancing resources: %w", len(need), err)
	}
	for _, arn := range gone {
		// Deleted between the listing and the tag read.
		delete(idx.lbs, arn)
		delete(idx.tgs, arn)
	}
	for arn, t := range tags {
		if e := idx.lbs[arn]; e != nil {
			e.tags = t
		}
		if e := idx.tgs[arn]; e != nil {
			e.tags = t
		}
	}
	for _, e := range idx.tgs {
		e.tg.ResourceID = e.tags[naming.TagServiceResource]
		if id, ok := e.tags[naming.TagIngressResource]; ok {
			e.tg.ResourceID = id
		}
		if st, ok := naming.StackFromTags(e.tags); ok && st.IsGateway() {
			e.tg.ResourceID = e.tags[st.ResourceTagKey()]
		}
		e.tg.Tags = e.tags
	}
	for _, e := range idx.lbs {
		e.lb.Tags = e.tags
	}
	p.mu.Lock()
	if p.elbIdx != nil {
		// Written while the listing ran: the cache's entry is newer.
		for _, arn := range p.elbWrites.since(mark) {
			if e := p.elbIdx.lbs[arn]; e != nil {
				idx.lbs[arn] = e
			} else {
				delete(idx.lbs, arn)
			}
			if e := p.elbIdx.tgs[arn]; e != nil {
				idx.tgs[arn] = e
			} else {
				delete(idx.tgs, arn)
			}
		}
	}
	// Still under the lock: no write may fall between the replay and the
	// swap.
	changed := map[string]bool{}
	if old != nil {
		stackOf := func(tags map[string]string) string {
			if st, ok := naming.StackFromTags(tags); ok {
				return st.Key()
			}
			return ""
		}
		for arn, e := range idx.lbs {
			if o := old.lbs[arn]; o == nil || !slices.Equal(o.lb.SecurityGroups, e.lb.SecurityGroups) || o.lb.State != e.lb.State {
				changed[stackOf(e.tags)] = true
			}
		}
		for arn, e := range old.lbs {
			if idx.lbs[arn] == nil {
				changed[stackOf(e.tags)] = true
			}
		}
		for arn, e := range old.tgs {
			if n := idx.tgs[arn]; n == nil || n.tg.HealthCheck != e.tg.HealthCheck {
				changed[stackOf(e.tags)] = true
			}
		}
		for arn, e := range idx.tgs {
			if old.tgs[arn] == nil {
				changed[stackOf(e.tags)] = true
			}
		}
	}
	p.elbIdx = idx
	for s := range changed {
		p.dropSnapshot(s)
	}
	p.mu.Unlock()
	delete(changed, "")
	return slices.Sorted(maps.Keys(changed)), nil
}

// OwnedStackKeys returns, from the cache, the stack keys of this cluster's
// load balancers and target groups (one entry per resource).
func (p *Provider) OwnedStackKeys() (lbs, tgs []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.elbIdx == nil {
		return nil, nil
	}
	for _, e := range p.elbIdx.lbs {
		if st, ok := naming.StackFromTags(e.tags); ok && naming.OwnsStackResource(e.tags, p.cluster, st) {
			lbs = append(lbs, st.Key())
		}
	}
	for _, e := range p.elbIdx.tgs {
		if st, ok := naming.StackFromTags(e.tags); ok && naming.OwnsStackResource(e.tags, p.cluster, st) {
			tgs = append(tgs, st.Key())
		}
	}
	return lbs, tgs
}

func (p *Provider) ensureELB(ctx context.Context) error {
	loaded := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.elbIdx != nil
	}
	if loaded() {
		return nil
	}
	p.fillELB.Lock()
	defer p.fillELB.Unlock()
	if loaded() {
		return nil
	}
	_, err := p.RefreshELB(ctx)
	return err
}

// Invalidate drops the cached Snapshot of a stack (by naming.Stack.Key).
func (p *Provider) Invalidate(stackKey string) {
	p.mu.Lock()
	p.dropSnapshot(stackKey)
	p.mu.Unlock()
}

// dropSnapshot forgets a stack's Snapshot and makes any read in flight
// uncacheable; p.mu held.
func (p *Provider) dropSnapshot(key string) {
	delete(p.snaps, key)
	p.snapGen[key]++
	p.untrusted[key] = true
}

// Converged says that lbsg's own writes just brought the stack to a model
// in full (every write succeeded): its listings, kept up to date by those
// writes, together with the record of that model describe it again, so
// Listed may serve it without a read.
func (p *Provider) Converged(stackKey string) {
	p.mu.Lock()
	delete(p.untrusted, stackKey)
	p.mu.Unlock()
}

// Snapshot returns what exists in AWS for a Service stack: from cache, or
// read (listeners of its LB, targets of its TGs) after an invalidation.
func (p *Provider) Snapshot(ctx context.Context, st naming.Stack) (plan.Snapshot, error) {
	if err := p.ensureELB(ctx); err != nil {
		return plan.Snapshot{}, err
	}
	managed, err := p.managedSGs(ctx, st)
	if err != nil {
		return plan.Snapshot{}, err
	}
	p.mu.Lock()
	e, ok := p.snaps[st.Key()]
	gen := p.snapGen[st.Key()]
	p.mu.Unlock()
	if ok {
		s := e.snap
		s.ManagedSGs = managed
		return s, nil
	}
	snap, err := p.readStack(ctx, st)
	if err != nil {
		return plan.Snapshot{}, err
	}
	p.mu.Lock()
	if p.snapGen[st.Key()] == gen {
		// Not invalidated while it was read (an ELB write or a drift check
		// in between would make it stale).
		p.snaps[st.Key()] = &snapshotEntry{snap: snap}
	}
	p.mu.Unlock()
	snap.ManagedSGs = managed
	return snap, nil
}

// managedSGs are the stack's managed frontend SGs, from the SG cache.
func (p *Provider) managedSGs(ctx context.Context, st naming.Stack) ([]plan.ObservedSG, error) {
	sgs, err := p.FindSecurityGroups(ctx, func(tags map[string]string) bool {
		o := naming.ClassifySecurityGroup(tags, p.cluster)
		return o.Role == naming.SGManagedFrontend && o.Kind == st.Kind && o.StackID == st.ID()
	})
	if err != nil {
		return nil, err
	}
	var managed []plan.ObservedSG
	for _, sg := range sgs {
		managed = append(managed, plan.ObservedSG{ID: sg.ID, Tags: sg.Tags, Ingress: sg.Ingress})
	}
	return managed, nil
}

// fromIndex is the stack's load balancer and target groups as the paged
// listings show them (no listeners, targets or attributes); p.mu held.
func (p *Provider) fromIndex(st naming.Stack) (*plan.ObservedLB, []plan.ObservedTG) {
	lb, tgs, _ := p.fromIndexWithFrontend(st)
	return lb, tgs
}

// fromIndexWithFrontend is fromIndex with the stack's frontend NLB and its
// target groups (Ingress stacks: resource tag FrontendNlb, FrontendNlb-…)
// set apart; front is nil when there are none. p.mu held.
func (p *Provider) fromIndexWithFrontend(st naming.Stack) (*plan.ObservedLB, []plan.ObservedTG, *plan.FrontendSnapshot) {
	var lb *plan.ObservedLB
	var tgs []plan.ObservedTG
	var front *plan.FrontendSnapshot
	isFront := func(tags map[string]string) bool {
		return st.Kind == naming.KindIngress && strings.HasPrefix(tags[naming.TagIngressResource], model.ResourceFrontendNLB)
	}
	for _, e := range p.elbIdx.lbs {
		if !naming.OwnsStackResource(e.tags, p.cluster, st) {
			continue
		}
		l := e.lb
		switch {
		case isFront(e.tags):
			if front == nil {
				front = &plan.FrontendSnapshot{}
			}
			if front.LoadBalancer == nil {
				front.LoadBalancer = &l
			}
		case lb == nil:
			lb = &l
		}
	}
	for _, e := range p.elbIdx.tgs {
		if !naming.OwnsStackResource(e.tags, p.cluster, st) {
			continue
		}
		if isFront(e.tags) {
			if front == nil {
				front = &plan.FrontendSnapshot{}
			}
			front.TargetGroups = append(front.TargetGroups, e.tg)
			continue
		}
		tgs = append(tgs, e.tg)
	}
	byARN := func(a, b plan.ObservedTG) int { return strings.Compare(a.ARN, b.ARN) }
	slices.SortFunc(tgs, byARN)
	if front != nil {
		slices.SortFunc(front.TargetGroups, byARN)
	}
	return lb, tgs, front
}

// ExistingLoadBalancer is the stack's load balancer as the paged listing
// shows it (nil: none), without any per-stack read.
func (p *Provider) ExistingLoadBalancer(ctx context.Context, st naming.Stack) (*plan.ObservedLB, error) {
	if err := p.ensureELB(ctx); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	lb, _ := p.fromIndex(st)
	return lb, nil
}

// Listed returns the stack as the batched listings show it (load balancer
// and target groups from the index, managed SGs from the SG cache),
// without any per-stack read, unless the stack's Snapshot is cached (a
// read is free then) or an invalidation made it untrusted since the start
// or its last Converged (ok false: the listings alone would hide what the
// invalidation knew). A restart, and the reconciles after lbsg's own
// changes, use it with the record of what was last applied
// (plan.Fingerprint, IndexAgrees).
func (p *Provider) Listed(ctx context.Context, st naming.Stack) (snap plan.Snapshot, ok bool, err error) {
	if err := p.ensureELB(ctx); err != nil {
		return plan.Snapshot{}, false, err
	}
	// Checked before the SG scan too: a stack with a cached Snapshot (every
	// reconcile after a read) goes on to Snapshot, which scans again.
	p.mu.Lock()
	ok = p.listable(st.Key())
	p.mu.Unlock()
	if !ok {
		return plan.Snapshot{}, false, nil
	}
	managed, err := p.managedSGs(ctx, st)
	if err != nil {
		return plan.Snapshot{}, false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.listable(st.Key()) { // invalidated during the scan
		return plan.Snapshot{}, false, nil
	}
	snap.LoadBalancer, snap.TargetGroups, snap.Frontend = p.fromIndexWithFrontend(st)
	snap.ManagedSGs = managed
	return snap, true, nil
}

// listable reports whether Listed may serve the stack: no cached Snapshot
// and not untrusted; p.mu held.
func (p *Provider) listable(key string) bool {
	_, cached := p.snaps[key]
	return !cached && !p.untrusted[key]
}

func (p *Provider) readStack(ctx context.Context, st naming.Stack) (plan.Snapshot, error) {
	p.mu.Lock()
	lb, tgs, front := p.fromIndexWithFrontend(st)
	p.mu.Unlock()
	snap, err := p.readLB(ctx, lb, tgs)
	if err != nil || front == nil {
		return snap, err
	}
	fs, err := p.readLB(ctx, front.LoadBalancer, front.TargetGroups)
	if err != nil {
		return snap, err
	}
	snap.Frontend = &plan.FrontendSnapshot{LoadBalancer: fs.LoadBalancer, Listeners: fs.Listeners, TargetGroups: fs.TargetGroups}
	return snap, nil
}

// readLB reads a load balancer's listeners (and ALB attributes) and its
// target groups' targets (and HTTP/HTTPS group attributes).
func (p *Provider) readLB(ctx context.Context, lb *plan.ObservedLB, tgs []plan.ObservedTG) (plan.Snapshot, error) {
	var snap plan.Snapshot
	snap.LoadBalancer = lb
	for i := range tgs {
		ths, err := p.elb.Targets(ctx, tgs[i].ARN)
		if awserr.Classify(err) == awserr.NotFound {
			continue
		}
		if err != nil {
			return snap, err
		}
		tgs[i].Targets = nil
		for _, th := range ths {
			if th.ID == "" || th.State == "draining" {
				continue // a draining target is already deregistered
			}
			tgs[i].Targets = append(tgs[i].Targets, model.Target{ID: th.ID, Port: th.Port, QUICServerID: th.QUICServerID})
		}
		if tgs[i].Protocol == "HTTP" || tgs[i].Protocol == "HTTPS" {
			attrs, err := p.elb.TargetGroupAttributes(ctx, tgs[i].ARN)
			if awserr.Classify(err) == awserr.NotFound {
				continue
			}
			if err != nil {
				return snap, err
			}
			tgs[i].Attributes = attrs
		}
		snap.TargetGroups = append(snap.TargetGroups, tgs[i])
	}
	if snap.LoadBalancer != nil {
		ls, err := p.readListeners(ctx, *snap.LoadBalancer)
		if err != nil {
			return snap, err
		}
		snap.Listeners = ls
		if snap.LoadBalancer.Type == model.TypeApplication {
			attrs, err := p.lbAttributes(ctx, snap.LoadBalancer.ARN)
			if err != nil {
				return snap, err
			}
			lb := *snap.LoadBalancer
			lb.Attributes = attrs
			snap.LoadBalancer = &lb
		}
	}
	return snap, nil
}

// CreateTargetGroup creates a TG, tagged at creation, and indexes it.
func (p *Provider) CreateTargetGroup(ctx context.Context, tg model.TargetGroup) (string, error) {
	out, err := p.elb.CreateTargetGroup(ctx, cloudelbv2.NewTargetGroup{
		Name: tg.Name, Protocol: tg.Protocol, ProtocolVersion: tg.ProtocolVersion, Port: tg.Port, VPCID: p.vpcID,
		TargetType: tg.TargetType, IPAddressType: tg.IPAddressType, TargetControlPort: tg.TargetControlPort,
		HealthCheck: healthCheck(tg.HealthCheck, tg.ProtocolVersion), Tags: tg.Tags,
	})
	if err != nil {
		return "", err
	}
	o := observedTG(out)
	o.ResourceID, o.Tags = tg.ResourceID, maps.Clone(tg.Tags)
	p.mu.Lock()
	if p.elbIdx != nil {
		p.elbIdx.tgs[o.ARN] = &tgEntry{tg: o, tags: maps.Clone(tg.Tags)}
	}
	p.elbWrites.note(o.ARN)
	p.mu.Unlock()
	if d := plan.CreatedTGAttributes(tg); d != nil {
		p.learnAttrs(o.ARN, d)
	}
	return o.ARN, nil
}

// ModifyHealthCheck sets a TG's health check; version is the TG's protocol
// version ("" for NLB TGs).
func (p *Provider) ModifyHealthCheck(ctx context.Context, arn string, hc model.HealthCheck, version string) error {
	if _, err := p.elb.ModifyTargetGroup(ctx, arn, healthCheck(hc, version)); err != nil {
		return err
	}
	p.mu.Lock()
	if e := p.elbIdx.tgs[arn]; e != nil {
		e.tg.HealthCheck = hc
	}
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

func targets(ts []model.Target) []cloudelbv2.Target {
	out := make([]cloudelbv2.Target, 0, len(ts))
	for _, t := range ts {
		out = append(out, cloudelbv2.Target{ID: t.ID, Port: t.Port, QUICServerID: t.QUICServerID})
	}
	return out
}

// RegisterTargets registers targets in one call.
func (p *Provider) RegisterTargets(ctx context.Context, arn string, ts []model.Target) error {
	return p.elb.RegisterTargets(ctx, arn, targets(ts))
}

// DeregisterTargets deregisters targets in one call.
func (p *Provider) DeregisterTargets(ctx context.Context, arn string, ts []model.Target) error {
	if err := p.elb.DeregisterTargets(ctx, arn, targets(ts)); err != nil && awserr.Classify(err) != awserr.NotFound {
		return err
	}
	return nil
}

// CreateLoadBalancer creates the NLB or ALB with its SGs, tagged at
// creation. How many subnets an ALB needs (two in Availability Zones, one
// on an Outpost or with gate ALBSingleSubnet) is the model's check; AWS
// refuses fewer than the account allows.
func (p *Provider) CreateLoadBalancer(ctx context.Context, lb model.LoadBalancer, sgIDs []string) (plan.ObservedLB, error) {
	typ := model.TypeNetwork
	if lb.IsALB() {
		typ = model.TypeApplication
	}
	out, err := p.elb.CreateLoadBalancer(ctx, cloudelbv2.NewLoadBalancer{Name: lb.Name, Type: typ, Scheme: lb.Scheme,
		IPAddressType: lb.IPAddressType, Subnets: lb.Subnets, Mappings: cloudMappings(lb.SubnetMappings), SourceNAT: lb.SourceNATPrefix,
		SecurityGroups: sgIDs, IPAMPool: lb.IPAMPool, CustomerOwnedPool: lb.CustomerOwnedPool, Tags: lb.Tags})
	if err != nil {
		return plan.ObservedLB{}, err
	}
	o := observedLB(out)
	o.Tags = maps.Clone(lb.Tags)
	p.mu.Lock()
	if p.elbIdx != nil {
		p.elbIdx.lbs[o.ARN] = &lbEntry{lb: o, tags: maps.Clone(lb.Tags)}
	}
	p.elbWrites.note(o.ARN)
	p.mu.Unlock()
	return o, nil
}

// SetSecurityGroups replaces the NLB's SGs; privateLink, when set, is its
// EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic.
func (p *Provider) SetSecurityGroups(ctx context.Context, arn string, ids []string, privateLink string) error {
	if err := p.elb.SetSecurityGroups(ctx, arn, ids, privateLink); err != nil {
		return err
	}
	p.updateLB(arn, func(lb *plan.ObservedLB) {
		lb.SecurityGroups = slices.Clone(ids)
		lb.PrivateLinkInbound = cmp.Or(privateLink, lb.PrivateLinkInbound)
	})
	return nil
}

// updateLB applies a write's effect to the indexed load balancer.
func (p *Provider) updateLB(arn string, f func(*plan.ObservedLB)) {
	p.mu.Lock()
	if p.elbIdx != nil {
		if e := p.elbIdx.lbs[arn]; e != nil {
			f(&e.lb)
		}
	}
	p.elbWrites.note(arn)
	p.mu.Unlock()
}

// SetSubnets attaches the load balancer to lb's subnets, with its subnet
// mappings and source-NAT setting.
func (p *Provider) SetSubnets(ctx context.Context, arn string, lb model.LoadBalancer) error {
	zones, err := p.elb.SetSubnets(ctx, arn, lb.Subnets, cloudMappings(lb.SubnetMappings), lb.SourceNATPrefix)
	if err != nil {
		return err
	}
	p.updateLB(arn, func(o *plan.ObservedLB) {
		o.SubnetMappings = modelMappings(zones)
		o.Subnets = nil
		for _, z := range zones {
			o.Subnets = append(o.Subnets, z.SubnetID)
		}
		o.SourceNATPrefix = cmp.Or(lb.SourceNATPrefix, o.SourceNATPrefix)
	})
	return nil
}

// ModifyIPAMPool sets (or, with "", removes) the load balancer's IPv4
// IPAM pool.
func (p *Provider) ModifyIPAMPool(ctx context.Context, arn, pool string) error {
	if err := p.elb.ModifyIPAMPool(ctx, arn, pool); err != nil {
		return err
	}
	p.updateLB(arn, func(o *plan.ObservedLB) { o.IPAMPool = pool })
	return nil
}

// SetIPAddressType sets the load balancer's IP address type.
func (p *Provider) SetIPAddressType(ctx context.Context, arn, ipType string) error {
	if err := p.elb.SetIPAddressType(ctx, arn, ipType); err != nil {
		return err
	}
	p.updateLB(arn, func(o *plan.ObservedLB) { o.IPAddressType = ipType })
	return nil
}

// ModifyCapacityReservation reserves units capacity units (0 resets).
func (p *Provider) ModifyCapacityReservation(ctx context.Context, arn string, units int32) error {
	if err := p.elb.ModifyCapacityReservation(ctx, arn, units); err != nil {
		return err
	}
	p.updateLB(arn, func(*plan.ObservedLB) {})
	return nil
}

// LoadBalancerState re-reads a load balancer's state (the listings hold
// the state of their last refresh, "provisioning" for one lbsg just made)
// and keeps it in the index.
func (p *Provider) LoadBalancerState(ctx context.Context, arn string) (string, error) {
	st, err := p.elb.LoadBalancerState(ctx, arn)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	if p.elbIdx != nil {
		if e := p.elbIdx.lbs[arn]; e != nil {
			e.lb.State = st
		}
	}
	for _, e := range p.snaps {
		if e.snap.LoadBalancer != nil && e.snap.LoadBalancer.ARN == arn {
			c := *e.snap.LoadBalancer
			c.State = st
			e.snap.LoadBalancer = &c
		}
	}
	p.mu.Unlock()
	return st, nil
}

// ReadCapacity adds the load balancer's capacity reservation to the
// stack's cached Snapshot (one DescribeCapacityReservation; none when the
// cached Snapshot has it already) and returns the Snapshot's load balancer.
func (p *Provider) ReadCapacity(ctx context.Context, st naming.Stack, lb plan.ObservedLB) (plan.ObservedLB, error) {
	if lb.CapacityRead {
		return lb, nil
	}
	p.mu.Lock()
	gen := p.snapGen[st.Key()]
	p.mu.Unlock()
	res, err := p.elb.CapacityReservation(ctx, lb.ARN)
	if err != nil {
		return lb, err
	}
	lb.CapacityRead, lb.MinimumCapacity = true, res.MinimumCapacity
	if len(res.States) == 0 && res.MinimumCapacity == nil {
		lb.MinimumCapacity = nil
	}
	p.mu.Lock()
	if e := p.snaps[st.Key()]; e != nil && p.snapGen[st.Key()] == gen && e.snap.LoadBalancer != nil && e.snap.LoadBalancer.ARN == lb.ARN {
		c := *e.snap.LoadBalancer
		c.CapacityRead, c.MinimumCapacity = lb.CapacityRead, lb.MinimumCapacity
		e.snap.LoadBalancer = &c
	}
	p.mu.Unlock()
	return lb, nil
}

// DeleteListener deletes a listener; a vanished one counts as deleted.
func (p *Provider) DeleteListener(ctx context.Context, arn string) error {
	if err := p.elb.DeleteListener(ctx, arn); err != nil {
		return err
	}
	p.forgetAttrs(arn)
	return nil
}

// DeleteLoadBalancer deletes an LB; a vanished one counts as deleted.
//
// A delete refused for deletion protection is retried once after turning
// the protection off, as LBC does (lbc-load-balancers.md §7); callers that
// must honour the protection check it before deciding to delete.
func (p *Provider) DeleteLoadBalancer(ctx context.Context, arn string) error {
	err := p.elb.DeleteLoadBalancer(ctx, arn)
	if awserr.IsDeletionProtection(err) {
		if err = p.ModifyLoadBalancerAttributes(ctx, arn, map[string]string{"deletion_protection.enabled": "false"}); err == nil {
			err = p.elb.DeleteLoadBalancer(ctx, arn)
		}
	}
	if err != nil {
		return err
	}
	p.mu.Lock()
	if p.elbIdx != nil {
		delete(p.elbIdx.lbs, arn)
	}
	delete(p.attrs, arn)
	p.attrWrites++
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

// DeleteTargetGroup deletes a TG; a vanished one counts as deleted.
func (p *Provider) DeleteTargetGroup(ctx context.Context, arn string) error {
	if err := p.elb.DeleteTargetGroup(ctx, arn); err != nil {
		return err
	}
	p.mu.Lock()
	if p.elbIdx != nil {
		delete(p.elbIdx.tgs, arn)
	}
	delete(p.attrs, arn)
	p.attrWrites++
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

// TagResource drives an LB's or TG's tags (AddTags, RemoveTags).
func (p *Provider) TagResource(ctx context.Context, arn string, set map[string]string, remove []string) error {
	if err := p.elb.AddTags(ctx, []string{arn}, set); err != nil {
		return err
	}
	if err := p.elb.RemoveTags(ctx, []string{arn}, remove); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.elbWrites.note(arn)
	if p.elbIdx == nil {
		return nil
	}
	apply := func(m map[string]string) map[string]string {
		m = maps.Clone(m)
		if m == nil {
			m = map[string]string{}
		}
		maps.Copy(m, set)
		for _, k := range remove {
			delete(m, k)
		}
		return m
	}
	if e := p.elbIdx.lbs[arn]; e != nil {
		e.tags = apply(e.tags)
		e.lb.Tags = e.tags
	}
	if e := p.elbIdx.tgs[arn]; e != nil {
		e.tags = apply(e.tags)
		e.tg.Tags = e.tags
	}
	return nil
}
