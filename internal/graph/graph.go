package graph

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/rules"
)

// State is what Read observed in one VPC, and the Gateways of the cluster
// (the caller's: Read does not read Kubernetes).
type State struct {
	VPCID          string
	SecurityGroups []SecurityGroup
	LoadBalancers  []LoadBalancer
	ENIs           []ENI
	Gateways       []Gateway
}

// Gateway is a Gateway API Gateway: the load balancer it is served by,
// its listeners and the routes attached to them.
type Gateway struct {
	Namespace, Name string
	// LoadBalancer is the name of its load balancer ("" when it did not
	// build: Error says why).
	LoadBalancer string
	Error        string
	Listeners    []GatewayListener
}

// GatewayListener is a listener of a Gateway; an invalid one has Problem.
type GatewayListener struct {
	Name, Protocol string
	Port           int32
	Problem        string
	Routes         []GatewayRoute
}

// GatewayRoute is a route attached to a listener.
type GatewayRoute struct {
	Kind, Namespace, Name string
	Backends              []GatewayBackend
}

// GatewayBackend is a route's backend: a Service port ("ns/name:port"),
// its weight and its target group's name ("" for none).
type GatewayBackend struct {
	Service     string
	Weight      int32
	TargetGroup string
}

// SecurityGroup is a group and its inbound rules, one peer per rule.
type SecurityGroup struct {
	ID, Name string
	Ingress  []rules.Key
}

// LoadBalancer is an ELBv2 load balancer with its listeners and target
// groups.
type LoadBalancer struct {
	ARN, Name, Type, Scheme string
	SecurityGroups          []string
	// EIPs are the Elastic IP allocations of its zones ("subnet=eipalloc-…").
	EIPs         []string
	Listeners    []Listener
	TargetGroups []TargetGroup
	// WebACL is the ALB's web ACL (WAFv2 ARN or WAF Regional ID, "" none);
	// Shield is true when Shield Advanced protects it. AddonsUnread says why
	// they could not be read ("" when they were, or were not asked for).
	WebACL       string
	Shield       bool
	AddonsUnread string
}

// Listener is one port a load balancer listens on; an HTTPS or TLS
// listener also has certificates (the default first, then the rest of its
// certificate list) and an SSL policy.
type Listener struct {
	Protocol     string
	Port         int32
	Certificates []string
	SSLPolicy    string
	// Rules are an ALB listener's rules, the default rule included: their
	// conditions, actions (authentication first) and transforms.
	Rules []elbv2.Rule
}

// TargetGroup is a target group and its registered targets.
type TargetGroup struct {
	ARN, Name, Protocol, TargetType string
	Port                            int32
	Targets                         []Target
}

// Target is a registered target: an instance ID or an IP address, and the
// port traffic goes to (0: the group's port).
type Target struct {
	ID   string
	Port int32
}

// ENI is a network interface with its addresses and groups.
type ENI struct {
	ID, Type, Description string
	InstanceID            string
	DeviceIndex           int32
	PrivateIPs            []string
	Prefixes              []string // IPv4/IPv6 prefixes delegated to the interface
	Groups                []string
}

// Kind says which column a node stands in.
type Kind int

// Node kinds, in column order.
const (
	KindSource Kind = iota
	KindFrontendSG
	KindLoadBalancer
	// KindGateway, KindListener, KindRoute and KindBackend are the
	// Gateway API's view of a load balancer: Gateway, its listeners, the
	// routes attached, their backend Services with target groups.
	KindGateway
	KindListener
	KindRoute
	KindBackend
	KindBackendSG
	KindTargetSG
	KindTarget
)

// Columns is the number of kinds (columns of the drawing).
const Columns = int(KindTarget) + 1

// String names the column.
func (k Kind) String() string {
	switch k {
	case KindSource:
		return "clients"
	case KindFrontendSG:
		return "frontend SGs"
	case KindLoadBalancer:
		return "load balancers"
	case KindGateway:
		return "gateways"
	case KindListener:
		return "listeners"
	case KindRoute:
		return "routes"
	case KindBackend:
		return "services / target groups"
	case KindBackendSG:
		return "backend SGs"
	case KindTargetSG:
		return "node/ENI SGs"
	case KindTarget:
		return "targets"
	}
	return "?"
}

// Node is one box: its ID (unique in the graph), kind and label lines.
type Node struct {
	ID    string
	Kind  Kind
	Label []string
}

// Edge is one arrow; Label says what passes (ports) or how they relate.
type Edge struct {
	From, To string
	Label    string
}

// Graph is a reachability graph: nodes ordered by kind then ID, edges by
// endpoints.
type Graph struct {
	Nodes []Node
	Edges []Edge
}

// Node returns the node with id, if any.
func (g Graph) Node(id string) (Node, bool) {
	for _, n := range g.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// Edge labels that are not ports.
const (
	LabelGuards  = "guards"  // a frontend SG on a load balancer
	LabelCarries = "carries" // a load balancer's traffic carries its backend SG
	LabelFronts  = "fronts"  // a frontend NLB forwards to an ALB (on this port)
	LabelServes  = "serves"  // a load balancer serves a Gateway
)

// builder accumulates nodes and edges; edge labels between the same two
// nodes are merged.
type builder struct {
	nodes map[string]Node
	edges map[[2]string][]string
}

func (b *builder) node(n Node) {
	if _, ok := b.nodes[n.ID]; !ok {
		b.nodes[n.ID] = n
	}
}

func (b *builder) edge(from, to, label string) {
	k := [2]string{from, to}
	if label != "" && !slices.Contains(b.edges[k], label) {
		b.edges[k] = append(b.edges[k], label)
	} else if _, ok := b.edges[k]; !ok {
		b.edges[k] = nil
	}
}

// Build draws s: which sources each SG admits on which ports, which SGs
// guard and are carried by each load balancer, and which interfaces each
// node SG protects, with the ports targets receive there.
func Build(s State) Graph {
	b := &builder{nodes: map[string]Node{}, edges: map[[2]string][]string{}}
	sgs := map[string]SecurityGroup{}
	for _, sg := range s.SecurityGroups {
		sgs[sg.ID] = sg
	}
	onLB := map[string]bool{}
	for _, lb := range s.LoadBalancers {
		for _, g := range lb.SecurityGroups {
			onLB[g] = true
		}
	}
	enis := targetENIs(s.ENIs)
	onENI := map[string]bool{}
	for _, e := range enis {
		for _, g := range e.Groups {
			onENI[g] = true
		}
	}
	peer := map[string]bool{} // SGs that are the source of some rule
	for _, sg := range s.SecurityGroups {
		for _, k := range sg.Ingress {
			if k.PeerKind() == rules.PeerSecurityGroup && k.Peer != sg.ID {
				peer[k.Peer] = true
			}
		}
	}
	kind := func(id string) Kind {
		switch {
		case onLB[id] && peer[id] && len(sgs[id].Ingress) == 0:
			return KindBackendSG
		case onLB[id]:
			return KindFrontendSG
		case onENI[id]:
			return KindTargetSG
		}
		return KindSource
	}
	sgNode := func(id string) {
		sg, known := sgs[id]
		label := []string{id}
		if known && sg.Name != "" {
			label = []string{sg.Name, id}
		} else if !known {
			label = []string{id, "(not in this VPC)"}
		}
		b.node(Node{ID: id, Kind: kind(id), Label: label})
	}
	// SGs that guard something, and the sources their rules admit.
	for _, sg := range s.SecurityGroups {
		if !onLB[sg.ID] && !onENI[sg.ID] {
			continue
		}
		sgNode(sg.ID)
		for _, k := range sg.Ingress {
			from := k.Peer
			switch k.PeerKind() {
			case rules.PeerSecurityGroup:
				sgNode(k.Peer)
			default:
				from = "src:" + k.Peer
				b.node(Node{ID: from, Kind: KindSource, Label: sourceLabel(k)})
			}
			b.edge(from, sg.ID, ports(k))
		}
	}
	for _, lb := range s.LoadBalancers {
		id := "lb:" + lb.Name
		b.node(Node{ID: id, Kind: KindLoadBalancer, Label: lbLabel(lb)})
		for _, g := range lb.SecurityGroups {
			sgNode(g)
			if kind(g) == KindBackendSG {
				b.edge(id, g, LabelCarries)
			} else {
				b.edge(g, id, LabelGuards)
			}
		}
	}
	// A frontend NLB forwards to an ALB through an alb-type target group.
	byARN := map[string]string{}
	for _, lb := range s.LoadBalancers {
		byARN[lb.ARN] = lb.Name
	}
	for _, lb := range s.LoadBalancers {
		for _, tg := range lb.TargetGroups {
			for _, t := range tg.Targets {
				if name, ok := byARN[t.ID]; ok && tg.TargetType == "alb" {
					b.edge("lb:"+lb.Name, "lb:"+name, fmt.Sprintf("%s %d", LabelFronts, cmp.Or(t.Port, tg.Port)))
				}
			}
		}
	}
	b.gateways(s, enis, kind)
	targetPorts := resolveTargets(s.LoadBalancers, enis)
	for _, e := range enis {
		b.node(Node{ID: e.ID, Kind: KindTarget, Label: eniLabel(e)})
		for _, g := range e.Groups {
			if kind(g) != KindTargetSG {
				continue
			}
			b.edge(g, e.ID, strings.Join(targetPorts[e.ID], ", "))
		}
	}
	return b.graph()
}

// gateways draws each Gateway: its load balancer serves it, it has its
// listeners, each listener the routes attached, each route its backends
// (a target group, or a Service without one), and each target group
// reaches the node SGs of the interfaces its registered targets are on,
// on the ports it sends to.
func (b *builder) gateways(s State, enis []ENI, kind func(string) Kind) {
	lbs := map[string]bool{}
	tgs := map[string]TargetGroup{}
	for _, lb := range s.LoadBalancers {
		lbs[lb.Name] = true
		for _, tg := range lb.TargetGroups {
			tgs[tg.Name] = tg
		}
	}
	for _, gw := range s.Gateways {
		id := "gw:" + gw.Namespace + "/" + gw.Name
		label := []string{"gateway " + gw.Namespace + "/" + gw.Name}
		switch {
		case gw.Error != "":
			label = append(label, "not built: "+gw.Error)
		case !lbs[gw.LoadBalancer]:
			label = append(label, "no load balancer "+gw.LoadBalancer+" yet")
		}
		b.node(Node{ID: id, Kind: KindGateway, Label: label})
		if lbs[gw.LoadBalancer] {
			b.edge("lb:"+gw.LoadBalancer, id, LabelServes)
		}
		for _, l := range gw.Listeners {
			lid := id + "/" + l.Name
			ll := []string{"listener " + l.Name, fmt.Sprintf("%s:%d", l.Protocol, l.Port)}
			if l.Problem != "" {
				ll = append(ll, "invalid: "+l.Problem)
			}
			b.node(Node{ID: lid, Kind: KindListener, Label: ll})
			b.edge(id, lid, "")
			for _, rt := range l.Routes {
				rid := "route:" + rt.Kind + "/" + rt.Namespace + "/" + rt.Name
				b.node(Node{ID: rid, Kind: KindRoute, Label: []string{rt.Kind + " " + rt.Namespace + "/" + rt.Name}})
				b.edge(lid, rid, "")
				for _, be := range rt.Backends {
					bid, bl := "svc:"+be.Service, []string{"service " + be.Service}
					if be.TargetGroup != "" {
						bid, bl = "tg:"+be.TargetGroup, append(bl, "target group "+be.TargetGroup)
					}
					b.node(Node{ID: bid, Kind: KindBackend, Label: bl})
					b.edge(rid, bid, fmt.Sprintf("weight %d", be.Weight))
					tg, ok := tgs[be.TargetGroup]
					if !ok {
						continue
					}
					for eni, ps := range resolveTargets([]LoadBalancer{{TargetGroups: []TargetGroup{tg}}}, enis) {
						for _, e := range enis {
							if e.ID != eni {
								continue
							}
							for _, g := range e.Groups {
								if kind(g) == KindTargetSG {
									for _, p := range ps {
										b.edge(bid, g, p)
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

func (b *builder) graph() Graph {
	var g Graph
	for _, n := range b.nodes {
		g.Nodes = append(g.Nodes, n)
	}
	sort.Slice(g.Nodes, func(i, j int) bool {
		return cmp.Or(cmp.Compare(g.Nodes[i].Kind, g.Nodes[j].Kind), strings.Compare(g.Nodes[i].ID, g.Nodes[j].ID)) < 0
	})
	for k, labels := range b.edges {
		g.Edges = append(g.Edges, Edge{From: k[0], To: k[1], Label: strings.Join(labels, ", ")})
	}
	sort.Slice(g.Edges, func(i, j int) bool {
		return cmp.Or(strings.Compare(g.Edges[i].From, g.Edges[j].From), strings.Compare(g.Edges[i].To, g.Edges[j].To)) < 0
	})
	return g
}

// targetENIs drops interfaces owned by load balancers (their SGs are the
// load balancer's) and interfaces without groups.
func targetENIs(all []ENI) []ENI {
	var out []ENI
	for _, e := range all {
		if len(e.Groups) == 0 || strings.HasPrefix(e.Description, "ELB ") ||
			e.Type == "network_load_balancer" || e.Type == "gateway_load_balancer" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// resolveTargets maps every registered target to the interface that
// receives its traffic (an instance's primary ENI, or the ENI holding the
// IP as an address or in a delegated prefix) and returns, per ENI, the
// sorted "tcp 8443" strings load balancers send there.
func resolveTargets(lbs []LoadBalancer, enis []ENI) map[string][]string {
	out := map[string][]string{}
	for _, lb := range lbs {
		for _, tg := range lb.TargetGroups {
			for _, t := range tg.Targets {
				eni := findENI(enis, tg.TargetType, t.ID)
				if eni == "" {
					continue
				}
				port := t.Port
				if port == 0 {
					port = tg.Port
				}
				for _, p := range tgProtocols(tg.Protocol) {
					s := fmt.Sprintf("%s %d", p, port)
					if !slices.Contains(out[eni], s) {
						out[eni] = append(out[eni], s)
					}
				}
			}
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func findENI(enis []ENI, targetType, id string) string {
	if targetType == "instance" || strings.HasPrefix(id, "i-") {
		for _, e := range enis {
			if e.InstanceID == id && e.DeviceIndex == 0 {
				return e.ID
			}
		}
		return ""
	}
	ip, err := netip.ParseAddr(id)
	if err != nil {
		return ""
	}
	for _, e := range enis {
		if slices.Contains(e.PrivateIPs, ip.String()) {
			return e.ID
		}
	}
	for _, e := range enis {
		for _, p := range e.Prefixes {
			if pre, err := netip.ParsePrefix(p); err == nil && pre.Contains(ip) {
				return e.ID
			}
		}
	}
	return ""
}

// tgProtocols is what a target group's protocol puts on the wire.
func tgProtocols(p string) []string {
	switch strings.ToUpper(p) {
	case "UDP", "QUIC":
		return []string{"udp"}
	case "TCP_UDP", "TCP_QUIC":
		return []string{"tcp", "udp"}
	}
	return []string{"tcp"}
}

// ports renders a rule's protocol and ports: "tcp 443", "tcp 30000-32767",
// "all traffic", "icmp 3/4".
func ports(k rules.Key) string {
	switch {
	case k.Protocol == rules.All:
		return "all traffic"
	case k.Protocol == rules.ICMP || k.Protocol == rules.ICMPv6:
		if k.FromPort == -1 {
			return k.Protocol
		}
		return fmt.Sprintf("%s %d/%d", k.Protocol, k.FromPort, k.ToPort)
	case !k.HasPorts():
		return "protocol " + k.Protocol
	case k.FromPort == 0 && k.ToPort == rules.MaxPort:
		return k.Protocol + " all ports"
	case k.FromPort == k.ToPort:
		return fmt.Sprintf("%s %d", k.Protocol, k.FromPort)
	}
	return fmt.Sprintf("%s %d-%d", k.Protocol, k.FromPort, k.ToPort)
}

func sourceLabel(k rules.Key) []string {
	switch k.Peer {
	case "0.0.0.0/0":
		return []string{k.Peer, "(any IPv4 client)"}
	case "::/0":
		return []string{k.Peer, "(any IPv6 client)"}
	}
	if k.PeerKind() == rules.PeerPrefixList {
		return []string{k.Peer, "(prefix list)"}
	}
	return []string{k.Peer}
}

func lbLabel(lb LoadBalancer) []string {
	out := []string{lb.Name}
	if desc := strings.TrimSpace(lb.Type + " " + lb.Scheme); desc != "" {
		out = append(out, desc)
	}
	listeners := slices.Clone(lb.Listeners)
	slices.SortFunc(listeners, func(a, b Listener) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
	})
	var ls []string
	var tls []string
	for _, l := range listeners {
		ls = append(ls, fmt.Sprintf("%s:%d", l.Protocol, l.Port))
		if len(l.Certificates) > 0 || l.SSLPolicy != "" {
			var certs []string
			for _, c := range l.Certificates {
				certs = append(certs, lastPart(c))
			}
			tls = append(tls, strings.TrimSpace(fmt.Sprintf("%d: %s %s", l.Port, strings.Join(certs, ","), l.SSLPolicy)))
		}
	}
	if len(ls) > 0 {
		out = append(out, "listens "+strings.Join(ls, " "))
	}
	if len(tls) > 0 {
		out = append(out, "certificates "+strings.Join(tls, "; "))
	}
	if len(lb.EIPs) > 0 {
		out = append(out, "EIPs "+strings.Join(lb.EIPs, " "))
	}
	if lb.WebACL != "" {
		out = append(out, "web ACL "+webACLName(lb.WebACL))
	}
	if lb.Shield {
		out = append(out, "Shield Advanced")
	}
	if lb.AddonsUnread != "" {
		out = append(out, "add-ons unread: "+lb.AddonsUnread)
	}
	return append(out, ruleLines(lb)...)
}

func eniLabel(e ENI) []string {
	out := []string{e.ID}
	if e.InstanceID != "" {
		out = append(out, e.InstanceID)
	}
	if len(e.PrivateIPs) > 0 {
		out = append(out, e.PrivateIPs[0])
	}
	return out
}
