package model

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

// albBuilder merges the members of one IngressGroup, in group order, into
// one ALB Stack. A conflict is returned as a memberError blaming the member
// that brought it; BuildIngressGroup then starts over without that member.
type albBuilder struct {
	stack    naming.Stack
	f        Facts
	d        Defaults
	st       Stack
	warnings []Warning
	members  []*member

	lbNames     map[string]struct{}
	schemes     map[string]struct{}
	ipTypes     map[string]struct{}
	subnets     []string // first annotation setter's list
	subnetsICP  *v1beta1.SubnetSelector
	sgs         []string
	sgsSet      bool
	manage      *bool
	tags        map[string]string
	lbAttrs     map[string]string
	icpAttrs    map[string]string // the first member's IngressClassParams attributes
	sslRedirect *int32
	ports       map[int32]*portState
}

// portState is one merged listen port (§2.4, §6.5).
type portState struct {
	protocol, protoFrom string
	members             []*member
	cidrs               []string
	cidrsFrom           string
	prefixLists         []string
	plFrom              string
	sslPolicy           string
	policyFrom          string
	defaultAction       *Action
	defaultFrom         string
	mtls                *MutualAuth
	mtlsFrom            string
	mtlsAdv             bool              // the entry stated advertiseTrustStoreCaNames
	attrs               map[string]string // listener attributes; nil: none
}

func (b *albBuilder) build(members []*member) error {
	b.members = members
	b.lbNames, b.schemes, b.ipTypes = map[string]struct{}{}, map[string]struct{}{}, map[string]struct{}{}
	b.tags, b.lbAttrs, b.ports = map[string]string{}, map[string]string{}, map[int32]*portState{}
	b.icpAttrs = members[0].icpAttrs
	for _, m := range members {
		if err := b.merge(m); err != nil {
			return blame(m, err)
		}
	}
	if err := b.checkListeners(); err != nil {
		return err
	}
	if err := b.mergeListenerAttrs(); err != nil {
		return err
	}
	userTags := naming.MergeUserTags(b.d.DefaultTags, b.tags, b.d.DefaultTagsLowPriority)
	lb, err := b.loadBalancer(userTags)
	if err != nil {
		return err
	}
	b.st.LoadBalancer = lb
	if err := b.listeners(); err != nil {
		return err
	}
	source, err := b.securityGroups(lb, userTags)
	if err != nil {
		return err
	}
	if source != 0 {
		b.targetRules(source)
	}
	return b.frontendNLB(lb, userTags)
}

// merge adds one member to the group, or says why it conflicts with the
// members before it (§6.3, lbc-security-groups.md §2.4).
func (b *albBuilder) merge(m *member) error {
	if err := b.mergeLB(m); err != nil {
		return err
	}
	if err := b.mergeSGs(m); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(m.tags)) {
		if v, ok := b.tags[k]; ok && v != m.tags[k] {
			return fmt.Errorf("conflicting tag %s: %s | %s", k, v, m.tags[k])
		}
		b.tags[k] = m.tags[k]
	}
	for _, k := range slices.Sorted(maps.Keys(m.lbAttrs)) {
		if _, byICP := b.icpAttrs[k]; byICP {
			continue // the first member's IngressClassParams decide this key
		}
		if v, ok := b.lbAttrs[k]; ok && v != m.lbAttrs[k] {
			return fmt.Errorf("conflicting load balancer attributes %s: %s | %s", k, v, m.lbAttrs[k])
		}
		b.lbAttrs[k] = m.lbAttrs[k]
	}
	if m.sslRedirect != nil {
		if b.sslRedirect != nil && *b.sslRedirect != *m.sslRedirect {
			ps := []int32{*b.sslRedirect, *m.sslRedirect}
			slices.Sort(ps)
			return fmt.Errorf("conflicting sslRedirect port: %v", ps)
		}
		b.sslRedirect = m.sslRedirect
	}
	for _, lp := range m.ports {
		if err := b.mergePort(m, lp); err != nil {
			return fmt.Errorf("failed to merge listenPort config for port: %d: %w", lp.Port, err)
		}
	}
	return b.mergePortSettings(m)
}

func (b *albBuilder) mergeLB(m *member) error {
	if m.lbName != "" {
		b.lbNames[m.lbName] = struct{}{}
		if len(b.lbNames) > 1 {
			return fmt.Errorf("conflicting load balancer name: %v", b.lbNames)
		}
	}
	if m.scheme != "" {
		b.schemes[m.scheme] = struct{}{}
		if len(b.schemes) > 1 {
			return fmt.Errorf("conflicting scheme: %v", b.schemes)
		}
	}
	if m.ipType != "" {
		b.ipTypes[m.ipType] = struct{}{}
		if len(b.ipTypes) > 1 {
			return fmt.Errorf("conflicting IPAddressType: %v", slices.Sorted(maps.Keys(b.ipTypes)))
		}
	}
	switch {
	case m.subnetsICP != nil && b.subnetsICP != nil:
		if !sameSelector(m.subnetsICP, b.subnetsICP) {
			return fmt.Errorf("conflicting IngressClassParams subnet specifications")
		}
	case m.subnetsICP != nil && b.subnets != nil, m.subnetsICP == nil && m.subnets != nil && b.subnetsICP != nil:
		return fmt.Errorf("conflicting subnet specifications: IngressClassParams versus annotation")
	case m.subnetsICP != nil:
		b.subnetsICP = m.subnetsICP
	case m.subnets != nil && b.subnets != nil:
		if !sameSet(m.subnets, b.subnets) {
			return fmt.Errorf("conflicting subnets: %v | %v", b.subnets, m.subnets)
		}
	case m.subnets != nil:
		b.subnets = m.subnets
	}
	return nil
}

func (b *albBuilder) mergeSGs(m *member) error {
	if m.sgs != nil {
		if b.sgsSet && !slices.Equal(b.sgs, m.sgs) {
			return fmt.Errorf("conflicting securityGroups: %v | %v", b.sgs, m.sgs)
		}
		b.sgs, b.sgsSet = m.sgs, true
	}
	if m.manage != nil {
		if b.manage != nil && *b.manage != *m.manage {
			return fmt.Errorf("conflicting manage backend security group rules settings")
		}
		b.manage = m.manage
	}
	return nil
}

// mergePort adds the member's protocol, inbound CIDRs and prefix lists to
// one listen port.
func (b *albBuilder) mergePort(m *member, lp annotations.ListenPort) error {
	ps := b.ports[lp.Port]
	if ps == nil {
		ps = &portState{protocol: lp.Protocol, protoFrom: m.key}
		b.ports[lp.Port] = ps
	}
	if ps.protocol != lp.Protocol {
		return fmt.Errorf("conflicting protocol, %s: %s | %s: %s", ps.protoFrom, ps.protocol, m.key, lp.Protocol)
	}
	if len(m.cidrs) > 0 {
		if ps.cidrsFrom != "" && !sameSet(ps.cidrs, m.cidrs) {
			a4, a6 := splitFamilies(ps.cidrs)
			b4, b6 := splitFamilies(m.cidrs)
			return fmt.Errorf("conflicting inbound-cidrs, %s: %v, %v | %s: %v, %v", ps.cidrsFrom, a4, a6, m.key, b4, b6)
		}
		ps.cidrs, ps.cidrsFrom = m.cidrs, m.key
	}
	if len(m.prefixLists) > 0 {
		if ps.plFrom != "" && !sameSet(ps.prefixLists, m.prefixLists) {
			return fmt.Errorf("conflicting inbound-prefix-lists, %s: %v | %s: %v", ps.plFrom, ps.prefixLists, m.key, m.prefixLists)
		}
		ps.prefixLists, ps.plFrom = m.prefixLists, m.key
	}
	ps.members = append(ps.members, m)
	return nil
}

// mergePortSettings: SSL policy, mutual TLS and default backend per listen
// port.
func (b *albBuilder) mergePortSettings(m *member) error {
	for _, lp := range m.ports {
		ps := b.ports[lp.Port]
		if m.sslPolicy != "" && lp.Protocol == annotations.ProtocolHTTPS {
			if ps.policyFrom != "" && ps.sslPolicy != m.sslPolicy {
				return fmt.Errorf("conflicting sslPolicy, %s: %s | %s: %s", ps.policyFrom, ps.sslPolicy, m.key, m.sslPolicy)
			}
			ps.sslPolicy, ps.policyFrom = m.sslPolicy, m.key
		}
		if a := m.mtls[lp.Port]; a != nil && lp.Protocol == annotations.ProtocolHTTPS {
			if ps.mtlsFrom != "" && (*ps.mtls != *a || ps.mtlsAdv != m.mtlsAdv[lp.Port]) {
				return fmt.Errorf("conflicting mTLS Attributes, %s: %s | %s: %s", ps.mtlsFrom, ps.mtls, m.key, a)
			}
			ps.mtls, ps.mtlsFrom, ps.mtlsAdv = a, m.key, m.mtlsAdv[lp.Port]
		}
		if m.defaultAction != nil {
			if ps.defaultFrom != "" {
				return fmt.Errorf("multiple ingress defined default backend: [%s %s]", ps.defaultFrom, m.key)
			}
			ps.defaultAction, ps.defaultFrom = m.defaultAction, m.key
		}
	}
	return nil
}

// checkListeners validates what only the merged group shows: the SSL
// redirect port (§6.5, blamed on the first member asking for the redirect)
// and a certificate on every HTTPS listener (blamed on the port's first
// member: one whose discovery had no host to look for).
func (b *albBuilder) checkListeners() error {
	if b.sslRedirect != nil {
		p := *b.sslRedirect
		var err error
		switch ps := b.ports[p]; {
		case ps == nil:
			err = fmt.Errorf("listener does not exist for SSLRedirect port: %d", p)
		case ps.protocol != annotations.ProtocolHTTPS:
			err = fmt.Errorf("listener protocol non-SSL for SSLRedirect port: %d", p)
		}
		if err != nil {
			for _, m := range b.members {
				if m.sslRedirect != nil {
					return blame(m, err)
				}
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(b.ports)) {
		ps := b.ports[p]
		if ps.protocol != annotations.ProtocolHTTPS || slices.ContainsFunc(ps.members, func(m *member) bool { return len(m.certs) > 0 }) {
			continue
		}
		return blame(ps.members[0], fmt.Errorf("HTTPS listener on port %d has no certificate: set %s or IngressClassParams certificateArn, or name hosts in spec.tls or the rules for certificate discovery",
			p, annotations.IngCertificateARN))
	}
	return nil
}

// mergeListenerAttrs merges, per listen port, the listener-attributes
// annotation of its members (a key two members set differently is a
// conflict, blamed on the later one, unless the IngressClassParams of the
// port's first member set it) under those IngressClassParams listeners
// entries, which win.
func (b *albBuilder) mergeListenerAttrs() error {
	for _, p := range slices.Sorted(maps.Keys(b.ports)) {
		ps := b.ports[p]
		icp := paramsListenerAttrs(ps.members[0].Params, ps.protocol, p)
		merged := map[string]string{}
		for _, m := range ps.members {
			attrs := m.cfg.ListenerAttrs[fmt.Sprintf("%s-%d", ps.protocol, p)]
			for _, k := range slices.Sorted(maps.Keys(attrs)) {
				if v, ok := merged[k]; ok && v != attrs[k] {
					if _, byICP := icp[k]; !byICP {
						return blame(m, fmt.Errorf("conflicting listener attributes %s: %s | %s for ingress %s", k, v, attrs[k], m.key))
					}
				}
				merged[k] = attrs[k]
			}
		}
		maps.Copy(merged, icp)
		if len(merged) > 0 {
			ps.attrs = merged
		}
	}
	return nil
}

// paramsListenerAttrs are the attributes IngressClassParams give the
// listener on protocol and port (the first entry for it).
func paramsListenerAttrs(p *v1beta1.IngressClassParamsSpec, protocol string, port int32) map[string]string {
	if p == nil {
		return nil
	}
	for _, l := range p.Listeners {
		if string(l.Protocol) == protocol && l.Port == port {
			out := map[string]string{}
			for _, a := range l.ListenerAttributes {
				out[a.Key] = a.Value
			}
			return out
		}
	}
	return nil
}

// loadBalancer is §6.4 with the name of §1.2 and the subnets of §4.1.
func (b *albBuilder) loadBalancer(userTags map[string]string) (*LoadBalancer, error) {
	lb := &LoadBalancer{
		Type:          TypeApplication,
		Scheme:        cmp.Or(firstKey(b.schemes), b.d.DefaultScheme, naming.SchemeInternal),
		IPAddressType: cmp.Or(firstKey(b.ipTypes), annotations.IPAddressTypeIPv4),
		Tags:          naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.stack, naming.ResourceLoadBalancer), userTags),
	}
	lb.Name = firstKey(b.lbNames)
	if lb.Name == "" {
		lb.Name = naming.IngressLBName(b.d.ClusterName, b.stack, lb.Scheme)
	}
	if len(b.lbAttrs)+len(b.icpAttrs) > 0 {
		lb.Attributes = maps.Clone(b.lbAttrs)
		maps.Copy(lb.Attributes, b.icpAttrs)
	}
	subnets, err := b.resolveSubnets(lb.Scheme, isDualStack(lb.IPAddressType))
	if err != nil {
		return nil, err
	}
	lb.Subnets = subnets
	if !b.d.NoCapacityReservation {
		if lb.MinimumCapacity, err = b.capacity(); err != nil {
			return nil, err
		}
	}
	if lb.CustomerOwnedPool, err = b.customerOwnedPool(); err != nil {
		return nil, err
	}
	if lb.IPAMPool, err = b.ipamPool(); err != nil {
		return nil, err
	}
	return lb, nil
}

// customerOwnedPool is LBC's customer-owned IPv4 pool of an ALB on an
// Outpost: the members' customer-owned-ipv4-pool annotations, which must
// agree; an empty one is an error.
func (b *albBuilder) customerOwnedPool() (string, error) {
	pools := map[string]bool{}
	for _, m := range b.members {
		v := m.cfg.CustomerOwnedIPv4Pool
		if v == nil {
			continue
		}
		if *v == "" {
			return "", fmt.Errorf("cannot use empty value for %s annotation, ingress: %s",
				strings.TrimPrefix(annotations.IngCustomerOwnedIPv4Pool, annotations.IngressPrefix), m.key)
		}
		pools[*v] = true
	}
	if len(pools) > 1 {
		return "", fmt.Errorf("conflicting CustomerOwnedIPv4Pool: [%s]", strings.Join(slices.Sorted(maps.Keys(pools)), " "))
	}
	for p := range pools {
		return p, nil
	}
	return "", nil
}

// ipamPool is LBC's IPv4 IPAM pool: the first member's IngressClassParams
// ipamConfiguration, else the members' ipam-ipv4-pool-id annotations
// (empty ones ignored), which must agree.
func (b *albBuilder) ipamPool() (string, error) {
	if p := b.members[0].Params; p != nil && p.IPAMConfiguration != nil && p.IPAMConfiguration.IPv4IPAMPoolId != nil {
		return *p.IPAMConfiguration.IPv4IPAMPoolId, nil
	}
	pool := ""
	for _, m := range b.members {
		if v := m.cfg.IPAMIPv4PoolID; v != "" {
			if pool != "" && pool != v {
				return "", fmt.Errorf("conflicting ipv4 ipam pools %s: %s", pool, v)
			}
			pool = v
		}
	}
	return pool, nil
}

// capacity is LBC's group capacity reservation: the first member's
// IngressClassParams minimumLoadBalancerCapacity, else the members'
// minimum-load-balancer-capacity annotations, which must agree per key.
func (b *albBuilder) capacity() (*int32, error) {
	if p := b.members[0].Params; p != nil && p.MinimumLoadBalancerCapacity != nil {
		units := p.MinimumLoadBalancerCapacity.CapacityUnits
		return &units, nil
	}
	merged, raw := map[string]string{}, ""
	for _, m := range b.members {
		for _, k := range slices.Sorted(maps.Keys(m.cfg.MinimumCapacity)) {
			v := m.cfg.MinimumCapacity[k]
			if cur, ok := merged[k]; ok && cur != v {
				return nil, fmt.Errorf("conflicting capacity reservation %s: %s | %s", k, cur, v)
			}
			merged[k] = v
		}
		if m.cfg.MinimumCapacity != nil && raw == "" {
			raw = m.Ingress.Annotations[annotations.IngMinimumCapacity]
		}
	}
	return annotations.Capacity(annotations.IngMinimumCapacity, raw, merged)
}

// albMinSubnets is §4.4's minimum for an ALB in availability zones: two,
// or one with gate ALBSingleSubnet (LBC's computeSubnetsMinimalCount).
func albMinSubnets(d Defaults) int {
	if d.ALBSingleSubnet {
		return 1
	}
	return 2
}

// resolveSubnets is §4.1 for an ALB: IngressClassParams, the subnets
// annotation, the existing LB's subnets when its scheme is unchanged
// (unvalidated), else discovery.
func (b *albBuilder) resolveSubnets(scheme string, dualstack bool) ([]string, error) {
	switch {
	case b.subnetsICP != nil && len(b.subnetsICP.IDs) > 0:
		ids := make([]string, len(b.subnetsICP.IDs))
		for i, id := range b.subnetsICP.IDs {
			ids[i] = string(id)
		}
		return listSubnets(b.f.Subnets, ids, albMinSubnets(b.d), "IDs")
	case b.subnetsICP != nil:
		out, err := discoverSubnets(b.f.Subnets, selectorMatch(b.subnetsICP.Tags), b.d.ClusterName, dualstack)
		if err != nil {
			return nil, err
		}
		return out, checkSubnetCount(b.f.Subnets, out, albMinSubnets(b.d))
	case b.subnets != nil:
		return explicitSubnets(b.f.Subnets, b.subnets, albMinSubnets(b.d))
	}
	if e := b.f.ExistingLB; e != nil && e.Scheme == scheme && len(e.Subnets) > 0 {
		return slices.Clone(e.Subnets), nil
	}
	out, err := DiscoverSubnets(b.f.Subnets, scheme, b.d.ClusterName, dualstack)
	if err != nil {
		return nil, err
	}
	return out, checkSubnetCount(b.f.Subnets, out, albMinSubnets(b.d))
}

// listeners builds one listener per merged port (§6.5) with its rules
// (§6.6), and the target groups they use. Authentication that cannot be
// built fails the group (it is held as it is): see routeAuth.
func (b *albBuilder) listeners() error {
	used := map[string]*TargetGroup{}
	use := func(m *member, a *Action) {
		for _, id := range a.TargetGroupIDs() {
			used[id] = m.tgs[id]
		}
	}
	for _, p := range slices.Sorted(maps.Keys(b.ports)) {
		ps := b.ports[p]
		l := Listener{Port: p, Protocol: ps.protocol, Attributes: ps.attrs}
		tags := map[string]string{}
		for _, m := range ps.members {
			maps.Copy(tags, m.tags)
		}
		l.Tags = b.tagged(naming.ListenerResourceID(p), tags)
		if ps.protocol == annotations.ProtocolHTTPS {
			for _, m := range ps.members {
				for _, c := range m.certs {
					if !slices.Contains(l.Certificates, c) {
						l.Certificates = append(l.Certificates, c)
					}
				}
			}
			l.SSLPolicy = cmp.Or(ps.sslPolicy, b.d.DefaultSSLPolicy, DefaultSSLPolicy)
			l.MutualAuth = ps.mtls
		}
		redirect := b.sslRedirect != nil && ps.protocol == annotations.ProtocolHTTP
		switch {
		case redirect:
			l.DefaultAction = &Action{Type: ActionRedirect, Redirect: &Redirect{
				Protocol: annotations.ProtocolHTTPS, Port: itoa(*b.sslRedirect), StatusCode: "HTTP_301"}}
		case ps.defaultAction != nil:
			l.DefaultAction = new(*ps.defaultAction)
			for _, m := range ps.members {
				if m.key == ps.defaultFrom {
					use(m, l.DefaultAction)
					auth, err := m.defaultAuth.forListener(m, ps.protocol, p)
					if err != nil {
						return err
					}
					l.DefaultAuth = auth
				}
			}
		default:
			l.DefaultAction = &Action{Type: ActionFixedResponse, FixedResponse: new(notFoundResponse)}
		}
		if !redirect {
			// LBC builds every rule's target groups, then drops the rules its
			// optimizer finds redundant.
			var rs []memberRoute
			for _, m := range ps.members {
				for _, r := range m.routes {
					use(m, &r.action)
					rs = append(rs, memberRoute{m, r})
				}
			}
			for _, r := range rs {
				// LBC builds every rule's actions before optimizing.
				if _, err := r.auth.forListener(r.m, ps.protocol, p); err != nil {
					return err
				}
			}
			for _, r := range optimizeRoutes(p, ps.protocol, rs) {
				prio := int32(len(l.Rules) + 1)
				auth, _ := r.auth.forListener(r.m, ps.protocol, p)
				actions := []Action{r.action}
				if auth != nil {
					actions = []Action{*auth, r.action}
				}
				l.Rules = append(l.Rules, ListenerRule{Priority: prio, Conditions: r.conds, Actions: actions,
					Transforms: r.transforms, Tags: b.tagged(naming.RuleResourceID(p, prio), r.m.tags)})
			}
		}
		b.st.Listeners = append(b.st.Listeners, l)
	}
	for _, id := range slices.Sorted(maps.Keys(used)) {
		b.st.TargetGroups = append(b.st.TargetGroups, *used[id])
	}
	return nil
}

// tagged is user tags merged with --default-tags under the tracking tags
// of resource id.
func (b *albBuilder) tagged(id string, user map[string]string) map[string]string {
	return naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.stack, id),
		naming.MergeUserTags(b.d.DefaultTags, user, b.d.DefaultTagsLowPriority))
}

// firstKey is the single key of a set that merge kept to at most one.
func firstKey(s map[string]struct{}) string {
	for k := range s {
		return k
	}
	return ""
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func sameSelector(a, b *v1beta1.SubnetSelector) bool {
	if !slices.Equal(a.IDs, b.IDs) || len(a.Tags) != len(b.Tags) {
		return false
	}
	for k, v := range a.Tags {
		w, ok := b.Tags[k]
		if !ok || !sameSet(v, w) {
			return false
		}
	}
	return true
}

// splitFamilies splits CIDRs into IPv4 and IPv6 (never nil, for printing).
func splitFamilies(cidrs []string) (v4, v6 []string) {
	v4, v6 = []string{}, []string{}
	for _, c := range cidrs {
		if strings.Contains(c, ":") {
			v6 = append(v6, c)
		} else {
			v4 = append(v4, c)
		}
	}
	return v4, v6
}
