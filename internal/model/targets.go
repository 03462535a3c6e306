package model

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// Target-group protocols.
const (
	ProtoTCP    = "TCP"
	ProtoUDP    = "UDP"
	ProtoTCPUDP = "TCP_UDP"
	ProtoTLS    = "TLS"
	// ProtoHTTP and ProtoHTTPS: ALB listeners and target groups.
	ProtoHTTP  = "HTTP"
	ProtoHTTPS = "HTTPS"
)

type portSpec struct {
	port     corev1.ServicePort
	protocol string // TCP | UDP | TCP_UDP
}

// ports merges TCP and UDP entries on one port into TCP_UDP when enabled;
// otherwise the second entry on a port is dropped, as LBC does.
func (b *builder) ports() []portSpec {
	tcpUDP := b.d.TCPUDPListeners
	if b.cfg.EnableTCPUDPListener != nil {
		tcpUDP = *b.cfg.EnableTCPUDPListener
	}
	var out []portSpec
	idx := map[int32]int{}
	for _, p := range b.svc.Spec.Ports {
		proto := strings.ToUpper(string(p.Protocol))
		if proto == "" {
			proto = ProtoTCP
		}
		if i, ok := idx[p.Port]; ok {
			if tcpUDP && out[i].protocol != proto && (proto == ProtoTCP || proto == ProtoUDP) {
				out[i].protocol = ProtoTCPUDP
			}
			continue
		}
		idx[p.Port] = len(out)
		out = append(out, portSpec{port: p, protocol: proto})
	}
	slices.SortFunc(out, func(a, c portSpec) int { return cmp.Compare(a.port.Port, c.port.Port) })
	return out
}

func (b *builder) targetType() string {
	if b.cfg.Type == annotations.LBTypeNLBIP {
		return annotations.TargetTypeIP
	}
	if b.cfg.TargetType != "" {
		return b.cfg.TargetType
	}
	if b.d.DefaultTargetType != "" {
		return b.d.DefaultTargetType
	}
	return annotations.TargetTypeInstance
}

func (b *builder) targetGroups(userTags map[string]string) error {
	tt := b.targetType()
	if tt == annotations.TargetTypeInstance && b.svc.Spec.Type == corev1.ServiceTypeClusterIP {
		return fmt.Errorf("unsupported service type %q for load balancer target type %q", b.svc.Spec.Type, tt)
	}
	tls, err := b.tlsConfig()
	if err != nil {
		return err
	}
	ipType, err := b.targetIPAddressType()
	if err != nil {
		return err
	}
	for _, ps := range b.ports() {
		p := ps.port
		ls, tgProto, err := tls.listener(b.cfg, p, ps.protocol)
		if err != nil {
			return err
		}
		if ls.Protocol, tgProto, err = quicUpgrade(b.cfg, p, ls.Protocol, tgProto); err != nil {
			return err
		}
		tg := TargetGroup{
			ResourceID:    naming.ServiceTargetGroupResourceID(b.svc.Namespace, b.svc.Name, p.Port),
			ServicePort:   p.Port,
			Protocol:      tgProto,
			TargetType:    tt,
			IPAddressType: ipType,
			Backend:       b.svc.Namespace + "/" + b.svc.Name,
		}
		switch tt {
		case annotations.TargetTypeInstance:
			tg.Port = p.NodePort
			if tg.Port == 0 {
				return fmt.Errorf("TargetGroup port is empty. When using Instance targets, your service be must of type 'NodePort' or 'LoadBalancer'")
			}
		default:
			tg.Port = 1 // named target port
			if p.TargetPort.Type == intstr.Int {
				tg.Port = p.TargetPort.IntVal
				if tg.Port == 0 {
					tg.Port = p.Port // targetPort defaults to port
				}
			}
		}
		hc, err := b.healthCheck(tt)
		if err != nil {
			return err
		}
		tg.HealthCheck = hc
		tg.Name = naming.ServiceTargetGroupName(b.d.ClusterName, naming.ServiceTargetGroup{
			Namespace: b.svc.Namespace, Name: b.svc.Name, UID: string(b.svc.UID),
			TargetPort: tg.Port, ServicePort: p.Port, TargetType: tt, Protocol: tg.Protocol,
			HealthCheckProtocol: hc.Protocol, HealthCheckInterval: hc.Interval,
		})
		tg.Tags = naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, tg.ResourceID), userTags)
		tg.Targets = serviceTargets(p, tt, b.targetNodes(), endpointsOfFamily(b.f.Endpoints, ipType))
		if err := quicTargets(&tg, p, endpointsOfFamily(b.f.Endpoints, ipType)); err != nil {
			return err
		}
		tg.MultiCluster = b.cfg.MultiClusterTargetGroup
		b.st.TargetGroups = append(b.st.TargetGroups, tg)
		ls.Port, ls.TargetGroup = p.Port, tg.ResourceID
		if err := b.listenerAction(&ls, tg.ResourceID); err != nil {
			return err
		}
		ls.Tags = naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, naming.ListenerResourceID(p.Port)), userTags)
		b.st.Listeners = append(b.st.Listeners, ls)
	}
	return checkQUICListeners(b.cfg, b.st.LoadBalancer, b.st.Listeners)
}

// targetIPAddressType is LBC's: ipv6 when the Service has the IPv6 family
// (dual-stack Services too), which needs a dualstack NLB; else ipv4.
func (b *builder) targetIPAddressType() (string, error) {
	if !slices.Contains(b.svc.Spec.IPFamilies, corev1.IPv6Protocol) {
		return "ipv4", nil
	}
	if lb := b.st.LoadBalancer; lb == nil || lb.IPAddressType != annotations.IPAddressTypeDualStack {
		return "", fmt.Errorf("unsupported IPv6 configuration, lb not dual-stack")
	}
	return "ipv6", nil
}

// endpointsOfFamily keeps the endpoints whose address is of the target
// group's family (an ipv6 group registers the pods' IPv6 addresses).
func endpointsOfFamily(eps []Endpoint, ipType string) []Endpoint {
	var out []Endpoint
	for _, e := range eps {
		if a, err := netip.ParseAddr(e.IP); err == nil && a.Is6() == (ipType == "ipv6") {
			out = append(out, e)
		}
	}
	return out
}

func (b *builder) localPolicy(tt string) bool {
	return tt == annotations.TargetTypeInstance &&
		b.svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal &&
		b.svc.Spec.Type == corev1.ServiceTypeLoadBalancer && b.svc.Spec.HealthCheckNodePort != 0
}

// healthCheck applies lbc-load-balancers.md §5.4.
func (b *builder) healthCheck(tt string) (HealthCheck, error) {
	hc := HealthCheck{Protocol: ProtoTCP, Port: annotations.HealthCheckTrafficPort, Interval: 10, Timeout: 10, Healthy: 3, Unhealthy: 3}
	if b.localPolicy(tt) {
		hc = HealthCheck{Protocol: "HTTP", Port: itoa(b.svc.Spec.HealthCheckNodePort), Path: "/healthz",
			Interval: 10, Timeout: 6, Healthy: 2, Unhealthy: 2, Matcher: "200-399"}
	}
	a := b.cfg.HealthCheck
	if a.Protocol != "" {
		hc.Protocol = strings.ToUpper(a.Protocol)
	}
	if a.Port != "" {
		port, err := resolveHCPort(b.svc, a.Port, tt)
		if err != nil {
			return HealthCheck{}, err
		}
		hc.Port = port
	}
	if hc.Protocol != ProtoTCP {
		if hc.Path == "" {
			hc.Path = "/"
		}
		if hc.Matcher == "" {
			hc.Matcher = "200-399"
		}
	}
	if a.Path != "" {
		hc.Path = a.Path
	}
	if a.SuccessCodes != "" {
		hc.Matcher = a.SuccessCodes
	}
	for _, o := range []struct {
		dst *int32
		src *int32
	}{{&hc.Interval, a.Interval}, {&hc.Timeout, a.Timeout}, {&hc.Healthy, a.HealthyThreshold}, {&hc.Unhealthy, a.UnhealthyThreshold}} {
		if o.src != nil {
			*o.dst = *o.src
		}
	}
	if hc.Protocol == ProtoTCP {
		hc.Path, hc.Matcher = "", ""
	}
	return hc, nil
}

// resolveHCPort resolves a health-check port annotation on svc: traffic-port
// and numbers as they are, a port name to its NodePort (instance) or numeric
// targetPort (ip), with LBC's error texts.
func resolveHCPort(svc *corev1.Service, v, tt string) (string, error) {
	if v == annotations.HealthCheckTrafficPort {
		return v, nil
	}
	if _, err := strconv.Atoi(v); err == nil {
		return v, nil
	}
	for _, p := range svc.Spec.Ports {
		if p.Name != v {
			continue
		}
		if tt == annotations.TargetTypeInstance {
			return itoa(p.NodePort), nil
		}
		if p.TargetPort.Type == intstr.Int {
			return itoa(p.TargetPort.IntVal), nil
		}
		return "", fmt.Errorf("cannot use named healthCheckPort for IP TargetType when service's targetPort is a named port")
	}
	return "", fmt.Errorf("failed to resolve healthCheckPort: unable to find port %s on service %s/%s", v, svc.Namespace, svc.Name)
}

// targetNodes are the Service's instance targets (TargetNodes with its
// target-node-labels).
func (b *builder) targetNodes() []Node {
	return TargetNodes(b.f.Nodes, b.cfg.TargetNodeLabels)
}

// serviceTargets are the targets of Service port p: instance → the target
// nodes (TargetNodes) on the NodePort; ip → ready endpoint addresses on the
// resolved target port. Shared by the NLB and ALB builders.
func serviceTargets(p corev1.ServicePort, tt string, nodes []Node, endpoints []Endpoint) []Target {
	var out []Target
	if tt == annotations.TargetTypeInstance {
		for _, n := range nodes {
			if n.InstanceID != "" {
				out = append(out, Target{ID: n.InstanceID, Port: p.NodePort})
			}
		}
	} else {
		for _, e := range endpoints {
			if port, ok := endpointPort(p, e); ok {
				out = append(out, Target{ID: e.IP, Port: port})
			}
		}
	}
	slices.SortFunc(out, func(a, c Target) int { return cmp.Or(cmp.Compare(a.ID, c.ID), cmp.Compare(a.Port, c.Port)) })
	return slices.Compact(out)
}

// endpointPort finds the pod port of Service port p on an endpoint: by the
// Service port's name (EndpointSlice ports carry it), else a numeric
// targetPort.
func endpointPort(p corev1.ServicePort, e Endpoint) (int32, bool) {
	if port, ok := e.Ports[p.Name]; ok {
		return port, true
	}
	if p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal != 0 {
		return p.TargetPort.IntVal, true
	}
	if p.TargetPort.Type == intstr.Int {
		return p.Port, true
	}
	return 0, false
}

// targetRules computes the rules on target SGs per lbc-security-groups.md
// §6.3, exact ports, with the SG chosen per node ENI as §6.6.
func (b *builder) targetRules(source RefKind) {
	groups := b.targetSGs()
	var perms []targetPerm
	for _, tg := range b.st.TargetGroups {
		perms = append(perms, targetGroupPerms(tg, b.d.DisableRestrictedSGRules)...)
	}
	b.st.TargetRules = append(b.st.TargetRules, crossTargetRules(groups, perms, source)...)
}

// targetSGs are the target SGs of the Service's nodes: the target nodes
// for instance targets (as LBC's networking manager, which is given the
// resolved node endpoints), the endpoints' nodes for ip targets.
func (b *builder) targetSGs() []string {
	nodes := map[string]bool{}
	if b.targetType() == annotations.TargetTypeInstance {
		for _, n := range b.targetNodes() {
			nodes[n.Name] = true
		}
	} else {
		for _, e := range b.f.Endpoints {
			nodes[e.NodeName] = true
		}
	}
	groups, warns := targetSGs(b.f.Nodes, nodes, b.d)
	b.warnings = append(b.warnings, warns...)
	return groups
}

// targetPerm is one protocol/port range a target group needs on its
// targets' SGs.
type targetPerm struct {
	proto    string
	from, to int32
}

// targetGroupPerms are the ports of tg's targets that the LB must reach:
// the TG port (instance) or every pod port (ip), the protocol-dependent
// extras of §6.3 (UDP target groups need TCP for health checks) and a
// numeric health-check port; unrestricted, all TCP (and UDP) ports. For ALB
// target groups (HTTP/HTTPS) this is §6.2: TCP on the target ports plus a
// numeric health-check port and the target-control port.
func targetGroupPerms(tg TargetGroup, unrestricted bool) []targetPerm {
	proto := transportProto(tg.Protocol)
	udp := proto == ProtoUDP || proto == ProtoTCPUDP
	if unrestricted {
		out := []targetPerm{{rules.TCP, 0, rules.MaxPort}}
		if udp {
			out = append(out, targetPerm{rules.UDP, 0, rules.MaxPort})
		}
		return out
	}
	ports := []int32{tg.Port}
	if tg.TargetType == annotations.TargetTypeIP {
		ports = ports[:0]
		for _, t := range tg.Targets {
			ports = append(ports, t.Port)
		}
		slices.Sort(ports)
		ports = slices.Compact(ports)
	}
	hcPort, hcNumeric := int32(0), false
	if n, err := strconv.Atoi(tg.HealthCheck.Port); err == nil {
		hcPort, hcNumeric = int32(n), true
	}
	var out []targetPerm
	for _, port := range ports {
		switch proto {
		case ProtoUDP:
			out = append(out, targetPerm{rules.UDP, port, port})
			if !hcNumeric || hcPort == port {
				out = append(out, targetPerm{rules.TCP, port, port})
			}
		case ProtoTCPUDP:
			out = append(out, targetPerm{rules.UDP, port, port}, targetPerm{rules.TCP, port, port})
		default:
			out = append(out, targetPerm{rules.TCP, port, port})
		}
		if hcNumeric && hcPort != port {
			out = append(out, targetPerm{rules.TCP, hcPort, hcPort})
		}
	}
	if c := tg.TargetControlPort; c != nil {
		out = append(out, targetPerm{rules.TCP, *c, *c}) // the target-control agent's port
	}
	return out
}

// ptrValue is *p, or 0 for nil.
func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// crossTargetRules puts every permission on every target SG, de-duplicated
// and in a stable order (SG, protocol, ports).
func crossTargetRules(groups []string, perms []targetPerm, source RefKind) []TargetRule {
	if len(groups) == 0 || len(perms) == 0 {
		return nil
	}
	slices.SortFunc(perms, func(a, c targetPerm) int {
		return cmp.Or(strings.Compare(a.proto, c.proto), cmp.Compare(a.from, c.from), cmp.Compare(a.to, c.to))
	})
	perms = slices.Compact(perms)
	var out []TargetRule
	for _, g := range groups {
		for _, k := range perms {
			out = append(out, TargetRule{GroupID: g, Source: source, Protocol: k.proto, FromPort: k.from, ToPort: k.to})
		}
	}
	return out
}

// targetSGs picks, per node in want, the SG of its primary ENI as LBC does
// (§6.6), sorted and de-duplicated; nodes whose choice is ambiguous get a
// warning instead.
func targetSGs(nodes []Node, want map[string]bool, d Defaults) ([]string, []Warning) {
	var out []string
	var warns []Warning
	for _, n := range nodes {
		if !want[n.Name] || n.InstanceID == "" {
			continue
		}
		id, err := ChooseTargetSG(n.ENIID, n.SecurityGroups, d.ClusterName, d.TargetSGTags)
		if err != nil {
			warns = append(warns, Warning{Reason: WarnTargetSGAmbiguous, Message: fmt.Sprintf("node %s: %v", n.Name, err)})
			continue
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), warns
}

// ChooseTargetSG is LBC's choice of the SG on an ENI that receives target
// rules (lbc-security-groups.md §6.6), with its error text.
func ChooseTargetSG(eni string, sgs []SecurityGroupInfo, cluster string, extra map[string]string) (string, error) {
	if len(sgs) == 1 {
		return sgs[0].ID, nil
	}
	var cands []string
	for _, sg := range sgs {
		if _, ok := sg.Tags[naming.ClusterTagKey(cluster)]; !ok {
			continue
		}
		match := true
		for k, v := range extra {
			if sg.Tags[k] != v {
				match = false
			}
		}
		if match {
			cands = append(cands, sg.ID)
		}
	}
	if len(cands) == 1 {
		return cands[0], nil
	}
	slices.Sort(cands)
	what := naming.ClusterTagKey(cluster)
	if len(extra) > 0 {
		what += fmt.Sprintf(" and %v", extra)
	}
	return "", fmt.Errorf("expected exactly one securityGroup tagged with %s for eni %s, got: [%s] (clusterName: %s)",
		what, eni, strings.Join(cands, " "), cluster)
}
