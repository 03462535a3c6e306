package state

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// describeTagsBatch is ELBv2's limit of ARNs per DescribeTags.
const describeTagsBatch = 20

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

func elbTags(ts []elbv2types.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func toELBTags(m map[string]string) []elbv2types.Tag {
	var out []elbv2types.Tag
	for _, t := range naming.SortedTags(m) {
		out = append(out, elbv2types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}

func observedLB(l elbv2types.LoadBalancer) plan.ObservedLB {
	o := plan.ObservedLB{ARN: aws.ToString(l.LoadBalancerArn), Name: aws.ToString(l.LoadBalancerName), DNSName: aws.ToString(l.DNSName),
		Type: string(l.Type), Scheme: string(l.Scheme), IPAddressType: string(l.IpAddressType), SecurityGroups: slices.Clone(l.SecurityGroups)}
	if l.State != nil {
		o.State = string(l.State.Code)
	}
	for _, az := range l.AvailabilityZones {
		o.Subnets = append(o.Subnets, aws.ToString(az.SubnetId))
	}
	slices.Sort(o.Subnets)
	return o
}

func observedTG(t elbv2types.TargetGroup) plan.ObservedTG {
	hc := model.HealthCheck{
		Protocol: string(t.HealthCheckProtocol), Port: aws.ToString(t.HealthCheckPort), Path: aws.ToString(t.HealthCheckPath),
		Interval: aws.ToInt32(t.HealthCheckIntervalSeconds), Timeout: aws.ToInt32(t.HealthCheckTimeoutSeconds),
		Healthy: aws.ToInt32(t.HealthyThresholdCount), Unhealthy: aws.ToInt32(t.UnhealthyThresholdCount),
	}
	if t.Matcher != nil {
		hc.Matcher = cmp.Or(aws.ToString(t.Matcher.HttpCode), aws.ToString(t.Matcher.GrpcCode))
	}
	if hc.Protocol == model.ProtoTCP {
		hc.Path, hc.Matcher = "", ""
	}
	return plan.ObservedTG{ARN: aws.ToString(t.TargetGroupArn), Name: aws.ToString(t.TargetGroupName), Port: aws.ToInt32(t.Port),
		Protocol: string(t.Protocol), ProtocolVersion: aws.ToString(t.ProtocolVersion), TargetType: string(t.TargetType), HealthCheck: hc}
}

// RefreshELB reloads every LB and TG of the VPC (paged Describes; tags only
// for ARNs not seen before) and returns the keys (naming.Stack.Key) of
// the stacks whose LB or TGs
// appeared, vanished or changed.
func (p *Provider) RefreshELB(ctx context.Context) ([]string, error) {
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
	lbp := elbv2.NewDescribeLoadBalancersPaginator(p.elb, &elbv2.DescribeLoadBalancersInput{})
	for lbp.HasMorePages() {
		page, err := lbp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing load balancers: %w", err)
		}
		for _, l := range page.LoadBalancers {
			if aws.ToString(l.VpcId) == p.vpcID {
				o := observedLB(l)
				idx.lbs[o.ARN] = &lbEntry{lb: o}
			}
		}
	}
	tgp := elbv2.NewDescribeTargetGroupsPaginator(p.elb, &elbv2.DescribeTargetGroupsInput{})
	for tgp.HasMorePages() {
		page, err := tgp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing target groups: %w", err)
		}
		for _, t := range page.TargetGroups {
			if aws.ToString(t.VpcId) == p.vpcID {
				o := observedTG(t)
				idx.tgs[o.ARN] = &tgEntry{tg: o}
			}
		}
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
	for chunk := range slices.Chunk(need, describeTagsBatch) {
		tds, gone, err := p.tagsOrGone(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("describing tags of %d load balancing resources: %w", len(chunk), err)
		}
		for _, arn := range gone {
			// Deleted between the listing and the tag read.
			delete(idx.lbs, arn)
			delete(idx.tgs, arn)
		}
		for _, td := range tds {
			arn := aws.ToString(td.ResourceArn)
			if e := idx.lbs[arn]; e != nil {
				e.tags = elbTags(td.Tags)
			}
			if e := idx.tgs[arn]; e != nil {
				e.tags = elbTags(td.Tags)
			}
		}
	}
	for _, e := range idx.tgs {
		e.tg.ResourceID = e.tags[naming.TagServiceResource]
		if id, ok := e.tags[naming.TagIngressResource]; ok {
			e.tg.ResourceID = id
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

// tagsOrGone reads the tags of arns. A resource deleted since it was
// listed fails the whole batch with a NotFound code; the batch is then read
// one ARN at a time and the vanished ARNs are returned in gone.
func (p *Provider) tagsOrGone(ctx context.Context, arns []string) (tds []elbv2types.TagDescription, gone []string, err error) {
	out, err := p.elb.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns})
	if err == nil {
		return out.TagDescriptions, nil, nil
	}
	if awserr.Classify(err) != awserr.NotFound || len(arns) == 1 {
		if awserr.Classify(err) == awserr.NotFound {
			return nil, arns, nil
		}
		return nil, nil, err
	}
	for _, arn := range arns {
		one, g, err := p.tagsOrGone(ctx, []string{arn})
		if err != nil {
			return nil, nil, err
		}
		tds, gone = append(tds, one...), append(gone, g...)
	}
	return tds, gone, nil
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
	var lb *plan.ObservedLB
	var tgs []plan.ObservedTG
	for _, e := range p.elbIdx.lbs {
		if naming.OwnsStackResource(e.tags, p.cluster, st) && lb == nil {
			l := e.lb
			lb = &l
		}
	}
	for _, e := range p.elbIdx.tgs {
		if naming.OwnsStackResource(e.tags, p.cluster, st) {
			tgs = append(tgs, e.tg)
		}
	}
	slices.SortFunc(tgs, func(a, b plan.ObservedTG) int { return compareStrings(a.ARN, b.ARN) })
	return lb, tgs
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
	snap.LoadBalancer, snap.TargetGroups = p.fromIndex(st)
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
	var snap plan.Snapshot
	p.mu.Lock()
	var tgs []plan.ObservedTG
	snap.LoadBalancer, tgs = p.fromIndex(st)
	p.mu.Unlock()
	for i := range tgs {
		out, err := p.elb.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgs[i].ARN)})
		if awserr.Classify(err) == awserr.NotFound {
			continue
		}
		if err != nil {
			return snap, fmt.Errorf("describing targets of %s: %w", tgs[i].ARN, err)
		}
		tgs[i].Targets = nil
		for _, d := range out.TargetHealthDescriptions {
			if d.Target == nil || (d.TargetHealth != nil && d.TargetHealth.State == elbv2types.TargetHealthStateEnumDraining) {
				continue // a draining target is already deregistered
			}
			tgs[i].Targets = append(tgs[i].Targets, model.Target{ID: aws.ToString(d.Target.Id), Port: aws.ToInt32(d.Target.Port)})
		}
		if tgs[i].Protocol == "HTTP" || tgs[i].Protocol == "HTTPS" {
			attrs, err := p.tgAttributes(ctx, tgs[i].ARN)
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
	in := &elbv2.CreateTargetGroupInput{
		Name: aws.String(tg.Name), Protocol: elbv2types.ProtocolEnum(tg.Protocol), Port: aws.Int32(tg.Port),
		VpcId: aws.String(p.vpcID), TargetType: elbv2types.TargetTypeEnum(tg.TargetType),
		IpAddressType: elbv2types.TargetGroupIpAddressTypeEnum(tg.IPAddressType), Tags: toELBTags(tg.Tags),
	}
	if tg.ProtocolVersion != "" {
		in.ProtocolVersion = aws.String(tg.ProtocolVersion)
	}
	hcInput(tg.HealthCheck, tg.ProtocolVersion, &in.HealthCheckProtocol, &in.HealthCheckPort, &in.HealthCheckPath, &in.HealthCheckIntervalSeconds,
		&in.HealthCheckTimeoutSeconds, &in.HealthyThresholdCount, &in.UnhealthyThresholdCount, &in.Matcher)
	out, err := p.elb.CreateTargetGroup(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating target group %s: %w", tg.Name, err)
	}
	if len(out.TargetGroups) == 0 {
		return "", fmt.Errorf("creating target group %s: empty response", tg.Name)
	}
	o := observedTG(out.TargetGroups[0])
	o.ResourceID, o.Tags = tg.ResourceID, maps.Clone(tg.Tags)
	p.mu.Lock()
	if p.elbIdx != nil {
		p.elbIdx.tgs[o.ARN] = &tgEntry{tg: o, tags: maps.Clone(tg.Tags)}
	}
	p.elbWrites.note(o.ARN)
	p.mu.Unlock()
	return o.ARN, nil
}

// hcInput fills a health check's fields of a Create or ModifyTargetGroup
// input; the matcher is a gRPC code for GRPC target groups, else HTTP codes.
func hcInput(hc model.HealthCheck, version string, proto *elbv2types.ProtocolEnum, port, path **string, interval, timeout, healthy, unhealthy **int32, matcher **elbv2types.Matcher) {
	*proto = elbv2types.ProtocolEnum(hc.Protocol)
	*port = aws.String(hc.Port)
	if hc.Path != "" {
		*path = aws.String(hc.Path)
	}
	*interval, *timeout = aws.Int32(hc.Interval), aws.Int32(hc.Timeout)
	*healthy, *unhealthy = aws.Int32(hc.Healthy), aws.Int32(hc.Unhealthy)
	switch {
	case hc.Matcher == "":
	case version == "GRPC":
		*matcher = &elbv2types.Matcher{GrpcCode: aws.String(hc.Matcher)}
	default:
		*matcher = &elbv2types.Matcher{HttpCode: aws.String(hc.Matcher)}
	}
}

// ModifyHealthCheck sets a TG's health check; version is the TG's protocol
// version ("" for NLB TGs).
func (p *Provider) ModifyHealthCheck(ctx context.Context, arn string, hc model.HealthCheck, version string) error {
	in := &elbv2.ModifyTargetGroupInput{TargetGroupArn: aws.String(arn)}
	hcInput(hc, version, &in.HealthCheckProtocol, &in.HealthCheckPort, &in.HealthCheckPath, &in.HealthCheckIntervalSeconds,
		&in.HealthCheckTimeoutSeconds, &in.HealthyThresholdCount, &in.UnhealthyThresholdCount, &in.Matcher)
	if _, err := p.elb.ModifyTargetGroup(ctx, in); err != nil {
		return fmt.Errorf("modifying health check of %s: %w", arn, err)
	}
	p.mu.Lock()
	if e := p.elbIdx.tgs[arn]; e != nil {
		e.tg.HealthCheck = hc
	}
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

func targetDescs(ts []model.Target) []elbv2types.TargetDescription {
	out := make([]elbv2types.TargetDescription, 0, len(ts))
	for _, t := range ts {
		out = append(out, elbv2types.TargetDescription{Id: aws.String(t.ID), Port: aws.Int32(t.Port)})
	}
	return out
}

// RegisterTargets registers targets in one call.
func (p *Provider) RegisterTargets(ctx context.Context, arn string, ts []model.Target) error {
	if _, err := p.elb.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: targetDescs(ts)}); err != nil {
		return fmt.Errorf("registering %d targets in %s: %w", len(ts), arn, err)
	}
	return nil
}

// DeregisterTargets deregisters targets in one call.
func (p *Provider) DeregisterTargets(ctx context.Context, arn string, ts []model.Target) error {
	_, err := p.elb.DeregisterTargets(ctx, &elbv2.DeregisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: targetDescs(ts)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deregistering %d targets from %s: %w", len(ts), arn, err)
	}
	return nil
}

// CreateLoadBalancer creates the NLB or ALB with its SGs, tagged at
// creation. An ALB needs subnets in two zones at least; fewer fail here.
func (p *Provider) CreateLoadBalancer(ctx context.Context, lb model.LoadBalancer, sgIDs []string) (plan.ObservedLB, error) {
	typ := elbv2types.LoadBalancerTypeEnumNetwork
	if lb.IsALB() {
		typ = elbv2types.LoadBalancerTypeEnumApplication
		if len(lb.Subnets) < 2 {
			return plan.ObservedLB{}, fmt.Errorf("creating load balancer %s: an application load balancer needs at least two subnets, got %d", lb.Name, len(lb.Subnets))
		}
	}
	in := &elbv2.CreateLoadBalancerInput{
		Name: aws.String(lb.Name), Type: typ, Scheme: elbv2types.LoadBalancerSchemeEnum(lb.Scheme),
		IpAddressType: elbv2types.IpAddressType(lb.IPAddressType), Subnets: lb.Subnets, SecurityGroups: sgIDs, Tags: toELBTags(lb.Tags),
	}
	out, err := p.elb.CreateLoadBalancer(ctx, in)
	if err != nil {
		return plan.ObservedLB{}, fmt.Errorf("creating load balancer %s: %w", lb.Name, err)
	}
	if len(out.LoadBalancers) == 0 {
		return plan.ObservedLB{}, fmt.Errorf("creating load balancer %s: empty response", lb.Name)
	}
	o := observedLB(out.LoadBalancers[0])
	o.Tags = maps.Clone(lb.Tags)
	p.mu.Lock()
	if p.elbIdx != nil {
		p.elbIdx.lbs[o.ARN] = &lbEntry{lb: o, tags: maps.Clone(lb.Tags)}
	}
	p.elbWrites.note(o.ARN)
	p.mu.Unlock()
	return o, nil
}

// SetSecurityGroups replaces the NLB's SGs.
func (p *Provider) SetSecurityGroups(ctx context.Context, arn string, ids []string) error {
	if _, err := p.elb.SetSecurityGroups(ctx, &elbv2.SetSecurityGroupsInput{LoadBalancerArn: aws.String(arn), SecurityGroups: ids}); err != nil {
		return fmt.Errorf("setting security groups %v on %s: %w", ids, arn, err)
	}
	p.mu.Lock()
	if e := p.elbIdx.lbs[arn]; e != nil {
		e.lb.SecurityGroups = slices.Clone(ids)
	}
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

// DeleteListener deletes a listener; a vanished one counts as deleted.
func (p *Provider) DeleteListener(ctx context.Context, arn string) error {
	_, err := p.elb.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(arn)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting listener %s: %w", arn, err)
	}
	return nil
}

// DeleteLoadBalancer deletes an LB; a vanished one counts as deleted.
//
// A delete refused for deletion protection is retried once after turning
// the protection off, as LBC does (lbc-load-balancers.md §7); callers that
// must honour the protection check it before deciding to delete.
func (p *Provider) DeleteLoadBalancer(ctx context.Context, arn string) error {
	del := func() error {
		_, err := p.elb.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)})
		return err
	}
	err := del()
	if awserr.IsDeletionProtection(err) {
		if err = p.ModifyLoadBalancerAttributes(ctx, arn, map[string]string{"deletion_protection.enabled": "false"}); err == nil {
			err = del()
		}
	}
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting load balancer %s: %w", arn, err)
	}
	p.mu.Lock()
	if p.elbIdx != nil {
		delete(p.elbIdx.lbs, arn)
	}
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

// DeleteTargetGroup deletes a TG; a vanished one counts as deleted.
func (p *Provider) DeleteTargetGroup(ctx context.Context, arn string) error {
	_, err := p.elb.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		return fmt.Errorf("deleting target group %s: %w", arn, err)
	}
	p.mu.Lock()
	if p.elbIdx != nil {
		delete(p.elbIdx.tgs, arn)
	}
	p.elbWrites.note(arn)
	p.mu.Unlock()
	return nil
}

// TagResource drives an LB's or TG's tags (AddTags, RemoveTags).
func (p *Provider) TagResource(ctx context.Context, arn string, set map[string]string, remove []string) error {
	if len(set) > 0 {
		if _, err := p.elb.AddTags(ctx, &elbv2.AddTagsInput{ResourceArns: []string{arn}, Tags: toELBTags(set)}); err != nil {
			return fmt.Errorf("tagging %s: %w", arn, err)
		}
	}
	if len(remove) > 0 {
		if _, err := p.elb.RemoveTags(ctx, &elbv2.RemoveTagsInput{ResourceArns: []string{arn}, TagKeys: remove}); err != nil {
			return fmt.Errorf("untagging %s: %w", arn, err)
		}
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
