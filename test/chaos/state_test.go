package chaos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/audit"
	"github.com/lbsg/lbsg/internal/cli"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
)

func awsec2Client(cfg aws.Config) *awsec2.Client { return awsec2.NewFromConfig(cfg) }

// The emulator's state file format, as far as the checks read it.
type (
	stateTag  struct{ Key, Value string }
	stateRule struct {
		Protocol    string `json:"protocol"`
		From        int32  `json:"from"`
		To          int32  `json:"to"`
		Peer        string `json:"peer"`
		Description string `json:"description"`
	}
	stateSG struct {
		ID      string      `json:"id"`
		Name    string      `json:"name"`
		Tags    []stateTag  `json:"tags"`
		Ingress []stateRule `json:"ingress"`
	}
	stateLB struct {
		ARN            string     `json:"arn"`
		Name           string     `json:"name"`
		DNSName        string     `json:"dnsName"`
		SecurityGroups []string   `json:"securityGroups"`
		Tags           []stateTag `json:"tags"`
	}
	stateTG struct {
		ARN     string     `json:"arn"`
		Name    string     `json:"name"`
		Tags    []stateTag `json:"tags"`
		Targets []struct {
			ID           string     `json:"id"`
			Port         int        `json:"port"`
			Deregistered *time.Time `json:"deregistered"`
		} `json:"targets"`
	}
	stateListener struct {
		LoadBalancer string `json:"loadBalancer"`
		Port         int    `json:"port"`
	}
	stateAction struct {
		Type  string `json:"type"`
		Order int    `json:"order"`
	}
	stateELBRule struct {
		Listener   string        `json:"listener"`
		IsDefault  bool          `json:"isDefault"`
		Actions    []stateAction `json:"actions"`
		Conditions []struct {
			Field  string   `json:"field"`
			Values []string `json:"values"`
		} `json:"conditions"`
	}
	emuState struct {
		EC2 struct {
			SecurityGroups []stateSG `json:"securityGroups"`
		} `json:"ec2"`
		ELBv2 struct {
			LoadBalancers map[string]stateLB       `json:"loadBalancers"`
			TargetGroups  map[string]stateTG       `json:"targetGroups"`
			Listeners     map[string]stateListener `json:"listeners"`
			Rules         map[string]stateELBRule  `json:"rules"`
		} `json:"elbv2"`
		WAFv2 struct {
			// Assoc: resource (ALB) ARN → web ACL ARN.
			Assoc map[string]string `json:"associations"`
		} `json:"wafv2"`
	}
)

func tagMap(ts []stateTag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// readState reads the emulator's state directly: no call log entry, no
// fault, no lag.
func (e *emu) readState() (emuState, error) {
	var s emuState
	b, err := e.srv.State()
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// stackKey is the key (naming.Stack.Key) of the stack an LB, TG or managed
// SG belongs to, from its stack tag: "service:ns/name", "ingress:ns/name"
// (implicit group) or "ingress:group".
func stackKey(tags map[string]string) string {
	st, ok := naming.StackFromTags(tags)
	if !ok {
		return ""
	}
	return st.Key()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// owned summarises what cluster owns in the state, by stack key.
type owned struct {
	lbs       map[string][]stateLB // stack key → LBs
	tgs       map[string][]stateTG
	managed   map[string][]stateSG // stack key → managed SGs
	backend   []stateSG
	listeners map[string][]int // LB ARN → ports
	// rulePaths: LB ARN → listener port → the path of each non-default
	// rule (its shortest path-pattern value: "/x" of "/x", "/x/*").
	rulePaths map[string]map[int][]string
	// ruleActions: LB ARN → listener port → a non-default rule's path (as
	// rulePaths) → its action types in order.
	ruleActions map[string]map[int]map[string][]string
}

func (s emuState) owned(cluster string) owned {
	o := owned{lbs: map[string][]stateLB{}, tgs: map[string][]stateTG{}, managed: map[string][]stateSG{}, listeners: map[string][]int{},
		rulePaths: map[string]map[int][]string{}, ruleActions: map[string]map[int]map[string][]string{}}
	for _, lb := range s.ELBv2.LoadBalancers {
		if t := tagMap(lb.Tags); t[naming.TagCluster] == cluster {
			o.lbs[stackKey(t)] = append(o.lbs[stackKey(t)], lb)
		}
	}
	for _, tg := range s.ELBv2.TargetGroups {
		if t := tagMap(tg.Tags); t[naming.TagCluster] == cluster {
			o.tgs[stackKey(t)] = append(o.tgs[stackKey(t)], tg)
		}
	}
	for _, l := range s.ELBv2.Listeners {
		o.listeners[l.LoadBalancer] = append(o.listeners[l.LoadBalancer], l.Port)
	}
	for _, r := range s.ELBv2.Rules {
		l, ok := s.ELBv2.Listeners[r.Listener]
		if !ok || r.IsDefault {
			continue
		}
		path := ""
		for _, c := range r.Conditions {
			for _, v := range c.Values {
				if c.Field == "path-pattern" && (path == "" || len(v) < len(path)) {
					path = v
				}
			}
		}
		if o.rulePaths[l.LoadBalancer] == nil {
			o.rulePaths[l.LoadBalancer] = map[int][]string{}
		}
		o.rulePaths[l.LoadBalancer][l.Port] = append(o.rulePaths[l.LoadBalancer][l.Port], path)
		acts := slices.Clone(r.Actions)
		slices.SortStableFunc(acts, func(a, b stateAction) int { return a.Order - b.Order })
		var types []string
		for _, a := range acts {
			types = append(types, a.Type)
		}
		if o.ruleActions[l.LoadBalancer] == nil {
			o.ruleActions[l.LoadBalancer] = map[int]map[string][]string{}
		}
		if o.ruleActions[l.LoadBalancer][l.Port] == nil {
			o.ruleActions[l.LoadBalancer][l.Port] = map[string][]string{}
		}
		o.ruleActions[l.LoadBalancer][l.Port][path] = types
	}
	for _, sg := range s.EC2.SecurityGroups {
		switch own := naming.ClassifySecurityGroup(tagMap(sg.Tags), cluster); own.Role {
		case naming.SGManagedFrontend:
			key := stackKey(tagMap(sg.Tags))
			o.managed[key] = append(o.managed[key], sg)
		case naming.SGBackend:
			o.backend = append(o.backend, sg)
		case naming.SGNotOwned:
		}
	}
	return o
}

// monitor samples the emulator's state during a run and records every
// breach of the invariants that must hold at all times, not just at the
// end: no stack (a Service, an IngressGroup: the stack key from the LB's or
// SG's tags, naming.StackFromTags) with two LBs or two managed SGs, no LB
// (NLB or ALB) with more than 5 SGs, no rule marked by lbsg opening a node
// SG to the Internet; with watchProtection, nothing protected served
// without its protection.
type monitor struct {
	e        *emu
	clusters []string
	nodeSGs  []string

	mu         sync.Mutex
	violations map[string]bool
	samples    int
	// albStacks are the Ingress stacks seen with an ALB (figures).
	albStacks map[string]bool
	// protect, when set, is what the Ingresses ask for protection: its
	// strict asks are checked at every sample (protection.violations).
	protect *protection
	stop    chan struct{}
	done    chan struct{}
}

func startMonitor(t *testing.T, e *emu, nodeSGs []string, clusters ...string) *monitor {
	t.Helper()
	m := &monitor{e: e, clusters: clusters, nodeSGs: nodeSGs, violations: map[string]bool{}, albStacks: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	t.Cleanup(m.halt)
	return m
}

func (m *monitor) run() {
	defer close(m.done)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			m.sample()
			return
		case <-tick.C:
			m.sample()
		}
	}
}

func (m *monitor) halt() {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	<-m.done
}

// watchProtection makes every later sample check p's strict asks.
func (m *monitor) watchProtection(p *protection) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.protect = p
}

func (m *monitor) sample() {
	s, err := m.e.readState()
	var bad []string
	if err != nil {
		bad = append(bad, "reading state: "+err.Error())
	}
	m.mu.Lock()
	protect := m.protect
	m.mu.Unlock()
	if protect != nil && err == nil {
		for _, cluster := range m.clusters {
			bad = append(bad, protect.violations(s, cluster)...)
		}
	}
	var albs []string
	for _, cluster := range m.clusters {
		o := s.owned(cluster)
		for stack, lbs := range o.lbs {
			if strings.HasPrefix(stack, "ingress:") {
				albs = append(albs, cluster+" "+stack)
			}
			if len(lbs) > 1 {
				bad = append(bad, fmt.Sprintf("%s: stack %s has %d load balancers", cluster, stack, len(lbs)))
			}
		}
		for stack, sgs := range o.managed {
			if len(sgs) > 1 {
				bad = append(bad, fmt.Sprintf("%s: stack %s has %d managed frontend SGs", cluster, stack, len(sgs)))
			}
		}
	}
	for _, lb := range s.ELBv2.LoadBalancers {
		if len(lb.SecurityGroups) > 5 {
			bad = append(bad, fmt.Sprintf("LB %s has %d SGs", lb.Name, len(lb.SecurityGroups)))
		}
	}
	for _, sg := range s.EC2.SecurityGroups {
		if !slices.Contains(m.nodeSGs, sg.ID) {
			continue
		}
		for _, r := range sg.Ingress {
			marked := strings.Contains(r.Description, naming.LBCRuleDescription)
			if marked && (r.Peer == "0.0.0.0/0" || r.Peer == "::/0") {
				bad = append(bad, fmt.Sprintf("node SG %s opened to %s by %q", sg.ID, r.Peer, r.Description))
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples++
	for _, a := range albs {
		m.albStacks[a] = true
	}
	for _, b := range bad {
		m.violations[b] = true
	}
}

// check fails t with every violation seen so far.
func (m *monitor) check(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.samples == 0 {
		t.Error("monitor: no sample taken")
	}
	for _, v := range slices.Sorted(mapsKeys(m.violations)) {
		t.Errorf("invariant broken during the run: %s", v)
	}
}

func (m *monitor) sampleCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.samples
}

// albStackCount is how many Ingress stacks (groups) had an ALB in some
// sample.
func (m *monitor) albStackCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.albStacks)
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// foreign is a byte-for-byte record of state lbsg does not own: whole SGs,
// and single rules (by rule ID) on SGs lbsg adds rules to.
type foreign struct {
	groups []string          // SG IDs compared whole
	rules  map[string]string // rule ID → JSON
	sgs    map[string]string // SG ID → JSON (rules, tags, everything)
}

// snapshotForeign reads groups whole and every rule of ruleGroups as they
// are now.
func (e *emu) snapshotForeign(t *testing.T, groups, ruleGroups []string) foreign {
	t.Helper()
	f := foreign{groups: groups, rules: map[string]string{}, sgs: map[string]string{}}
	f.sgs = e.describeGroups(t, groups)
	for id, js := range e.describeRules(t, ruleGroups) {
		f.rules[id] = js
	}
	return f
}

func (e *emu) describeGroups(t *testing.T, ids []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if len(ids) == 0 {
		return out
	}
	res, err := e.aws.EC2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: ids})
	if err != nil {
		t.Fatalf("describing foreign SGs: %v", err)
	}
	for _, g := range res.SecurityGroups {
		sortPerms(g.IpPermissions)
		sortPerms(g.IpPermissionsEgress)
		sort.Slice(g.Tags, func(i, j int) bool { return aws.ToString(g.Tags[i].Key) < aws.ToString(g.Tags[j].Key) })
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		out[aws.ToString(g.GroupId)] = string(b)
	}
	return out
}

// sortPerms orders permissions and their peers so the JSON does not depend
// on the emulator's map order (AWS itself promises no order either).
func sortPerms(ps []ec2types.IpPermission) {
	key := func(p ec2types.IpPermission) string {
		return fmt.Sprintf("%s/%d/%d", aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort))
	}
	sort.Slice(ps, func(i, j int) bool { return key(ps[i]) < key(ps[j]) })
	for i := range ps {
		sort.Slice(ps[i].IpRanges, func(a, b int) bool {
			return aws.ToString(ps[i].IpRanges[a].CidrIp) < aws.ToString(ps[i].IpRanges[b].CidrIp)
		})
		sort.Slice(ps[i].Ipv6Ranges, func(a, b int) bool {
			return aws.ToString(ps[i].Ipv6Ranges[a].CidrIpv6) < aws.ToString(ps[i].Ipv6Ranges[b].CidrIpv6)
		})
		sort.Slice(ps[i].UserIdGroupPairs, func(a, b int) bool {
			return aws.ToString(ps[i].UserIdGroupPairs[a].GroupId) < aws.ToString(ps[i].UserIdGroupPairs[b].GroupId)
		})
		sort.Slice(ps[i].PrefixListIds, func(a, b int) bool {
			return aws.ToString(ps[i].PrefixListIds[a].PrefixListId) < aws.ToString(ps[i].PrefixListIds[b].PrefixListId)
		})
	}
}

// describeRules reads every rule of groups but those whose description is
// exactly one a cluster in ours writes.
func (e *emu) describeRules(t *testing.T, groups []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if len(groups) == 0 {
		return out
	}
	ours := map[string]bool{}
	for _, c := range e.clusters {
		ours[naming.RuleDescription(c)] = true
	}
	pg := awsec2.NewDescribeSecurityGroupRulesPaginator(e.aws.EC2, &awsec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: groups}}})
	for pg.HasMorePages() {
		page, err := pg.NextPage(t.Context())
		if err != nil {
			t.Fatalf("describing rules: %v", err)
		}
		for _, r := range page.SecurityGroupRules {
			if ours[aws.ToString(r.Description)] {
				continue // a rule lbsg wrote: not foreign
			}
			sort.Slice(r.Tags, func(i, j int) bool { return aws.ToString(r.Tags[i].Key) < aws.ToString(r.Tags[j].Key) })
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			out[aws.ToString(r.SecurityGroupRuleId)] = string(b)
		}
	}
	return out
}

// unchanged fails t for every foreign SG or rule that differs from before
// and returns how many things it compared.
func (f foreign) unchanged(t *testing.T, e *emu, ruleGroups []string) int {
	t.Helper()
	now := e.describeGroups(t, f.groups)
	n := 0
	for id, before := range f.sgs {
		n++
		if after, ok := now[id]; !ok {
			t.Errorf("foreign SG %s was deleted", id)
		} else if after != before {
			t.Errorf("foreign SG %s changed:\nbefore %s\nafter  %s", id, before, after)
		}
	}
	rulesNow := e.describeRules(t, ruleGroups)
	for id, before := range f.rules {
		n++
		if after, ok := rulesNow[id]; !ok {
			t.Errorf("foreign rule %s was revoked: %s", id, before)
		} else if after != before {
			t.Errorf("foreign rule %s changed:\nbefore %s\nafter  %s", id, before, after)
		}
	}
	return n
}

// auditReport runs `lbsg audit`'s read and judgement in-process.
func auditReport(ctx context.Context, e *emu, k *kube, cluster string) (audit.Report, error) {
	o := options.New()
	o.ClusterName = cluster
	prov := state.New(e.aws.EC2, e.aws.ELBV2, cluster, e.seed.VPCID)
	snap, err := cli.AuditSnapshot(ctx, prov, e.aws, k.client, controller.Defaults(o))
	if err != nil {
		return audit.Report{}, err
	}
	return audit.Audit(snap), nil
}

// problems lists the report's problems, plus leaked target groups, which
// audit does not judge: a TG of this cluster whose stack is not live.
func problems(rep audit.Report, s emuState, cluster string, live map[string]bool) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Severity == audit.Problem {
			out = append(out, fmt.Sprintf("%s %s %s %s", f.Kind, f.Resource, f.Rule, f.Detail))
		}
	}
	for stack, tgs := range s.owned(cluster).tgs {
		if !live[stack] {
			for _, tg := range tgs {
				out = append(out, fmt.Sprintf("leaked-target-group %s of %s", tg.Name, stack))
			}
		}
	}
	sort.Strings(out)
	return out
}
