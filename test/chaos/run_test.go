package chaos_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/naming"
)

// run drives one cluster's objects: random creates, updates and deletes,
// then waits for convergence and checks the end state.
type run struct {
	t       *testing.T
	r       *rand.Rand
	e       *emu
	k       *kube
	cluster string
	ns      string
	gens    []generator
	objs    []*tracked
	ops     map[string]int
}

type tracked struct {
	gen     generator
	name    string
	deleted bool
}

func newRun(t *testing.T, seed uint64, e *emu, k *kube, cluster string, gens ...generator) *run {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "chaos-" + cluster}}
	if err := k.client.Create(t.Context(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return &run{t: t, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), e: e, k: k, cluster: cluster, ns: ns.Name,
		gens: gens, ops: map[string]int{}}
}

// pause waits up to max, at random.
func (ru *run) pause(maxWait time.Duration) {
	if maxWait <= 0 {
		return
	}
	select {
	case <-ru.t.Context().Done():
	case <-time.After(time.Duration(ru.r.Int64N(int64(maxWait)))):
	}
}

func (ru *run) live() []*tracked {
	var out []*tracked
	for _, o := range ru.objs {
		if !o.deleted {
			out = append(out, o)
		}
	}
	return out
}

func (ru *run) create(n int, jitter time.Duration) {
	ru.t.Helper()
	for range n {
		// Generators in turn: a mixed run has as many objects of each.
		g := ru.gens[len(ru.objs)%len(ru.gens)]
		name := fmt.Sprintf("%s-%03d", strings.ToLower(g.kind()), len(ru.objs))
		obj := g.create(ru.r, ru.ns, name)
		if b, ok := g.(withBackends); ok {
			for _, dep := range b.backends(obj) {
				if err := ru.k.client.Create(ru.t.Context(), dep); err != nil {
					ru.t.Fatalf("creating %s's backend %s: %v", name, dep.GetName(), err)
				}
			}
		}
		if a, ok := g.(withAWS); ok {
			a.provision(ru.t, ru.e, obj)
		}
		if err := ru.k.client.Create(ru.t.Context(), obj); err != nil {
			ru.t.Fatalf("creating %s: %v", name, err)
		}
		ru.objs = append(ru.objs, &tracked{gen: g, name: name})
		ru.ops["create"]++
		ru.ops["create "+g.kind()]++
		ru.pause(jitter)
	}
}

func (ru *run) update(n int, jitter time.Duration) {
	ru.t.Helper()
	for range n {
		live := ru.live()
		if len(live) == 0 {
			return
		}
		o := live[ru.r.IntN(len(live))]
		err := wait.PollUntilContextTimeout(ru.t.Context(), 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			cur := o.gen.empty()
			if err := ru.k.client.Get(ctx, client.ObjectKey{Namespace: ru.ns, Name: o.name}, cur); err != nil {
				return false, err
			}
			how := o.gen.update(ru.r, cur)
			err := ru.k.client.Update(ctx, cur)
			if err == nil && strings.HasPrefix(how, "group ") {
				ru.ops["move group"]++
			}
			if apierrors.IsConflict(err) {
				return false, nil
			}
			return err == nil, err
		})
		if err != nil {
			ru.t.Fatalf("updating %s: %v", o.name, err)
		}
		ru.ops["update"]++
		ru.pause(jitter)
	}
}

func (ru *run) remove(n int, jitter time.Duration) {
	ru.t.Helper()
	for range n {
		live := ru.live()
		if len(live) == 0 {
			return
		}
		o := live[ru.r.IntN(len(live))]
		// As it is now: its backends may depend on its spec.
		obj := o.gen.empty()
		if err := ru.k.client.Get(ru.t.Context(), client.ObjectKey{Namespace: ru.ns, Name: o.name}, obj); err != nil {
			if !apierrors.IsNotFound(err) {
				ru.t.Fatalf("reading %s: %v", o.name, err)
			}
			obj.SetNamespace(ru.ns)
			obj.SetName(o.name)
		}
		if err := ru.k.client.Delete(ru.t.Context(), obj); err != nil && !apierrors.IsNotFound(err) {
			ru.t.Fatalf("deleting %s: %v", o.name, err)
		}
		if b, ok := o.gen.(withBackends); ok {
			for _, dep := range b.backends(obj) {
				if err := ru.k.client.Delete(ru.t.Context(), dep); err != nil && !apierrors.IsNotFound(err) {
					ru.t.Fatalf("deleting %s's backend %s: %v", o.name, dep.GetName(), err)
				}
			}
		}
		o.deleted = true
		ru.ops["delete"]++
		ru.pause(jitter)
	}
}

// mixed runs a create/update/delete schedule over n objects.
func (ru *run) mixed(n int, jitter time.Duration) {
	ru.t.Helper()
	ru.create(n, jitter)
	ru.update(n/2, jitter)
	ru.remove(n/3, jitter)
	ru.update(n/4, jitter)
}

// notConverged says what is not converged yet, or nil: every live object
// against AWS (and, for generators whose objects share stacks, every stack
// against all its objects); no deleted object left in the apiserver; no
// AWS resource of a stack no live object has (a deleted Service, an
// IngressGroup every member left); no backend SG once nothing is live.
func (ru *run) notConverged(ctx context.Context) ([]string, error) {
	s, err := ru.e.readState()
	if err != nil {
		return nil, err
	}
	var why []string
	o := s.owned(ru.cluster)
	live := map[string]bool{}
	byKind := map[string][]client.Object{} // generators by kind(): a generator may not be comparable
	gens := map[string]generator{}
	for _, t := range ru.objs {
		obj := t.gen.empty()
		err := ru.k.client.Get(ctx, client.ObjectKey{Namespace: ru.ns, Name: t.name}, obj)
		switch {
		case t.deleted && err == nil:
			why = append(why, t.name+": still in the apiserver (finalizer)")
		case t.deleted && apierrors.IsNotFound(err):
			if a, ok := t.gen.(withAWS); ok {
				if w := a.gone(t.name, s); w != "" {
					why = append(why, t.name+": "+w)
				}
			}
		case err != nil:
			return nil, err
		default:
			live[t.gen.stack(obj)] = true
			byKind[t.gen.kind()] = append(byKind[t.gen.kind()], obj)
			gens[t.gen.kind()] = t.gen
			if w := t.gen.converged(obj, s, ru.cluster); w != "" {
				why = append(why, t.name+": "+w)
			}
		}
	}
	for kind, objs := range byKind {
		if gc, ok := gens[kind].(groupChecker); ok {
			why = append(why, gc.groupsConverged(objs, s, ru.cluster)...)
		}
	}
	left := map[string]int{}
	for stack, lbs := range o.lbs {
		left[stack] += len(lbs)
	}
	for stack, tgs := range o.tgs {
		left[stack] += len(tgs)
	}
	for stack, sgs := range o.managed {
		left[stack] += len(sgs)
	}
	for stack, n := range left {
		if !live[stack] {
			why = append(why, fmt.Sprintf("%s: no live object, %d AWS resources left", stack, n))
		}
	}
	if len(ru.live()) == 0 && len(o.backend) > 0 {
		why = append(why, fmt.Sprintf("backend SG left: %d", len(o.backend)))
	}
	return why, nil
}

// liveStacks are the stack keys of the live objects, as they are now.
func (ru *run) liveStacks(ctx context.Context) (map[string]bool, error) {
	live := map[string]bool{}
	for _, t := range ru.live() {
		obj := t.gen.empty()
		if err := ru.k.client.Get(ctx, client.ObjectKey{Namespace: ru.ns, Name: t.name}, obj); err != nil {
			return nil, err
		}
		live[t.gen.stack(obj)] = true
	}
	return live, nil
}

// waitConverged polls until every object matches AWS and audit finds no
// problem; it fails t after within.
func (ru *run) waitConverged(within time.Duration) time.Duration {
	ru.t.Helper()
	start := time.Now()
	var last []string
	err := wait.PollUntilContextTimeout(ru.t.Context(), 500*time.Millisecond, within, true, func(ctx context.Context) (bool, error) {
		why, err := ru.notConverged(ctx)
		if err != nil {
			if ctx.Err() == nil { // keep the last reasons when the deadline cut the read
				last = []string{err.Error()}
			}
			return false, nil //nolint:nilerr // not converged yet: poll again
		}
		if len(why) == 0 {
			why, err = ru.auditProblems(ctx)
			if err != nil {
				if ctx.Err() == nil {
					last = []string{"audit: " + err.Error()}
				}
				return false, nil //nolint:nilerr // not converged yet: poll again
			}
		}
		last = why
		return len(why) == 0, nil
	})
	if err != nil {
		sort.Strings(last)
		if len(last) > 20 {
			last = append(last[:20], fmt.Sprintf("… and %d more", len(last)-20))
		}
		ru.t.Fatalf("%s: not converged after %v:\n%s", ru.cluster, within, strings.Join(last, "\n"))
	}
	return time.Since(start)
}

// waitState polls until every object matches AWS, reading the emulator's
// state only (no AWS call).
func (ru *run) waitState(within time.Duration) time.Duration {
	ru.t.Helper()
	start := time.Now()
	var last []string
	err := wait.PollUntilContextTimeout(ru.t.Context(), 500*time.Millisecond, within, true, func(ctx context.Context) (bool, error) {
		why, err := ru.notConverged(ctx)
		if err != nil {
			if ctx.Err() != nil { // keep the last reasons when the deadline cut the read
				return false, nil //nolint:nilerr // the poll ends on the deadline itself
			}
			why = []string{err.Error()}
		}
		last = why
		return len(why) == 0, nil
	})
	if err != nil {
		ru.t.Fatalf("%s: not converged after %v:\n%s", ru.cluster, within, strings.Join(last, "\n"))
	}
	return time.Since(start)
}

// auditProblems runs audit in-process and adds leaked target groups.
func (ru *run) auditProblems(ctx context.Context) ([]string, error) {
	rep, err := auditReport(ctx, ru.e, ru.k, ru.cluster)
	if err != nil {
		return nil, err
	}
	s, err := ru.e.readState()
	if err != nil {
		return nil, err
	}
	live, err := ru.liveStacks(ctx)
	if err != nil {
		return nil, err
	}
	return problems(rep, s, ru.cluster, live), nil
}

// deleteAll deletes every live object.
func (ru *run) deleteAll() {
	ru.t.Helper()
	ru.remove(len(ru.live()), 0)
}

// assertNothingOwned checks that no AWS resource of the cluster is left:
// LBs, TGs, managed and backend SGs, and rules marked by the cluster.
func (ru *run) assertNothingOwned() {
	ru.t.Helper()
	s, err := ru.e.readState()
	if err != nil {
		ru.t.Fatal(err)
	}
	o := s.owned(ru.cluster)
	for stack, lbs := range o.lbs {
		ru.t.Errorf("%s: %d LBs of %s left", ru.cluster, len(lbs), stack)
	}
	for stack, tgs := range o.tgs {
		ru.t.Errorf("%s: %d TGs of %s left", ru.cluster, len(tgs), stack)
	}
	for stack, sgs := range o.managed {
		ru.t.Errorf("%s: %d managed SGs of %s left", ru.cluster, len(sgs), stack)
	}
	if len(o.backend) > 0 {
		ru.t.Errorf("%s: backend SG left", ru.cluster)
	}
	mark := naming.RuleDescription(ru.cluster)
	for _, sg := range s.EC2.SecurityGroups {
		for _, r := range sg.Ingress {
			if r.Description == mark {
				ru.t.Errorf("%s: rule %+v left on %s", ru.cluster, r, sg.ID)
			}
		}
	}
}

// killer SIGKILLs a controller at random points and restarts it.
type killer struct {
	c    *proc
	r    *rand.Rand
	e    *emu
	minU time.Duration
	maxU time.Duration

	mu          sync.Mutex
	kills       int
	duringWrite int // kills after which the emulator saw the controller write since its start
	errs        []error
	stop        chan struct{}
	done        chan struct{}
}

func startKiller(c *proc, e *emu, seed uint64, minUp, maxUp time.Duration) *killer {
	k := &killer{c: c, e: e, r: rand.New(rand.NewPCG(seed, 7)), minU: minUp, maxU: maxUp, stop: make(chan struct{}), done: make(chan struct{})}
	go k.loop()
	return k
}

func (k *killer) loop() {
	defer close(k.done)
	for {
		before := k.e.srv.Calls().Mutations()
		up := k.minU + time.Duration(k.r.Int64N(int64(k.maxU-k.minU)))
		select {
		case <-k.stop:
			return
		case <-time.After(up):
		}
		wrote := k.e.srv.Calls().Mutations() > before
		alive := k.c.kill()
		k.mu.Lock()
		if alive {
			k.kills++
			if wrote {
				k.duringWrite++
			}
		}
		k.mu.Unlock()
		if err := k.c.startErr(); err != nil {
			k.mu.Lock()
			k.errs = append(k.errs, err)
			k.mu.Unlock()
			return
		}
	}
}

func (k *killer) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.kills
}

// halt stops the killer, leaving the controller running, and returns the
// kill points and how many of them came after AWS writes.
func (k *killer) halt(t *testing.T) (kills, duringWrite int) {
	t.Helper()
	close(k.stop)
	<-k.done
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, err := range k.errs {
		t.Errorf("restarting the controller: %v", err)
	}
	return k.kills, k.duringWrite
}

// waitKills waits until the killer has killed at least n times.
func (k *killer) waitKills(t *testing.T, n int) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, time.Duration(n+1)*(k.maxU+5*time.Second), true,
		func(context.Context) (bool, error) { return k.count() >= n, nil })
	if err != nil {
		t.Fatalf("only %d kills of %d", k.count(), n)
	}
}

// seedForeign creates state "someone else" owns in the VPC: SGs with tags
// that look like lbsg's or LBC's but are not (a cluster tag alone, a stack
// tag without a cluster, another cluster's), rules on them and on the
// node SG with descriptions lbsg must not claim (LBC's bare marker,
// another cluster's marker, near-miss markers, none), and a tag on the
// node SG. It returns the foreign SG IDs.
func seedForeign(t *testing.T, r *rand.Rand, e *emu, cluster string, nodeSGs []string, tag string) []string {
	t.Helper()
	ctx := t.Context()
	descs := []string{"", "ssh from the office", naming.LBCRuleDescription, naming.RuleDescription("someone-else"),
		"elbv2.k8s.aws/targetGroupBinding=shard,elbv2.k8s.aws/cluster=" + cluster,
		"elbv2.k8s.aws/targetGroupBinding=shared ,elbv2.k8s.aws/cluster=" + cluster + "x",
		"elbv2.k8s.aws/cluster=" + cluster, "k8s-traffic-" + cluster}
	tagSets := []map[string]string{
		{naming.TagCluster: cluster},
		{naming.TagServiceStack: "default/web", naming.TagServiceResource: "ManagedLBSecurityGroup"},
		{naming.TagCluster: "someone-else", naming.TagResource: "backend-sg"},
		{naming.TagCluster: cluster, naming.TagResource: "backend-sg-not"},
		{"team": "payments", "Name": "hand-made"},
	}
	var groups []string
	n := 2 + r.IntN(4)
	for i := range n {
		tags := []ec2types.Tag{}
		for k, v := range tagSets[r.IntN(len(tagSets))] {
			tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out, err := e.aws.EC2.CreateSecurityGroup(ctx, &awsec2.CreateSecurityGroupInput{
			GroupName: aws.String(fmt.Sprintf("foreign-%s-%d-%d", tag, i, r.IntN(1e6))), Description: aws.String("made by someone else"),
			VpcId:             aws.String(e.seed.VPCID),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: tags}},
		})
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, aws.ToString(out.GroupId))
	}
	rule := func(open bool) ec2types.IpPermission {
		p := int32(1 + r.IntN(65000))
		to := p + int32(r.IntN(3))
		desc := aws.String(descs[r.IntN(len(descs))])
		perm := ec2types.IpPermission{IpProtocol: aws.String([]string{"tcp", "udp"}[r.IntN(2)]), FromPort: aws.Int32(p), ToPort: aws.Int32(to)}
		switch r.IntN(3) {
		case 0:
			perm.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(groups[r.IntN(len(groups))]), Description: desc}}
		case 1:
			perm.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(fmt.Sprintf("10.%d.%d.0/24", r.IntN(256), r.IntN(256))), Description: desc}}
		default:
			cidr := fmt.Sprintf("192.0.2.%d/32", r.IntN(256))
			if open {
				cidr = "0.0.0.0/0"
			}
			perm.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(cidr), Description: desc}}
		}
		return perm
	}
	authorize := func(id string, open bool) {
		for range 1 + r.IntN(4) {
			_, err := e.aws.EC2.AuthorizeSecurityGroupIngress(ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id),
				IpPermissions: []ec2types.IpPermission{rule(open)}})
			if err != nil && !strings.Contains(err.Error(), "Duplicate") {
				t.Fatal(err)
			}
		}
	}
	for _, g := range groups {
		authorize(g, true)
	}
	for _, g := range nodeSGs {
		// No rule open to the Internet on node SGs: audit rightly calls
		// that a problem whoever wrote it.
		authorize(g, false)
		_, err := e.aws.EC2.CreateTags(ctx, &awsec2.CreateTagsInput{Resources: []string{g},
			Tags: []ec2types.Tag{{Key: aws.String("owner-" + tag), Value: aws.String(fmt.Sprint(r.IntN(1000)))}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return groups
}

// nodeTags reads the tags of the node SGs (lbsg must not change them).
func (e *emu) nodeTags(t *testing.T, nodeSGs []string) string {
	t.Helper()
	res, err := e.aws.EC2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: nodeSGs})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range res.SecurityGroups {
		for _, tg := range g.Tags {
			out = append(out, aws.ToString(g.GroupId)+" "+aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }
