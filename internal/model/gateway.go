package model

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// Gateway is what BuildGateway needs of one Gateway: its identity, its
// LoadBalancerConfiguration (nil: none) and its valid listeners grouped by
// port, each with the route that carries its traffic (NLB) or the
// HTTPRoutes and GRPCRoutes attached to it (ALB).
type Gateway struct {
	Stack           naming.Stack
	Namespace, Name string
	UID             string
	// ALB: the Gateway's class is an ALB class (gateway.k8s.aws/alb).
	ALB    bool
	Config *gwconfig.LoadBalancerConfigurationSpec
	Ports  []GatewayPort
	// ActiveAddons are the add-ons the Gateway's annotations record as
	// enabled (ActiveGatewayAddons): what a configuration no longer asking
	// for them removes.
	ActiveAddons map[string]bool
}

// GatewayPort is one load-balancer port: the Gateway listeners on it
// (TCP and UDP on one port make TCP_UDP).
type GatewayPort struct {
	Port int32
	// Protocols of the Gateway listeners on the port (TCP, UDP, TLS).
	Protocols []string
	// TLSTerminate: a TLS listener that terminates TLS (mode Terminate).
	TLSTerminate bool
	// Route carries the port's traffic (nil: no listener is created).
	// NLB only.
	Route *GatewayRoute
	// HTTPRoutes (and GRPCRoutes) attached to the port (ALB; none: no
	// listener is created).
	HTTPRoutes []GatewayHTTPRoute
	// Hostnames the port serves (its listeners' and its routes'), for an
	// HTTPS (ALB) or TLS (NLB) listener's certificate discovery.
	Hostnames []string
}

// GatewayRoute is the route chosen for a port with its resolved backends.
type GatewayRoute struct {
	Kind, Namespace, Name string
	Backends              []GatewayBackend
}

// GatewayBackend is one Service port a route forwards to, or (Chained
// set, Service nil) an ALB Gateway an NLB route forwards to.
type GatewayBackend struct {
	Service *corev1.Service
	Port    corev1.ServicePort
	Weight  int32
	// TargetGroup is the Service's TargetGroupConfiguration (nil: none).
	TargetGroup *gwconfig.TargetGroupProps
	// Endpoints of the Service (ready addresses), for ip targets.
	Endpoints []Endpoint
	// Chained: the backend is an ALB Gateway (gateway_chain.go).
	Chained *ChainedALB
}

// LBC's NLB gateway target-group health-check defaults.
var gatewayHealthCheck = HealthCheck{Protocol: ProtoTCP, Port: annotations.HealthCheckTrafficPort, Interval: 15, Timeout: 5, Healthy: 3, Unhealthy: 3}

// BuildGateway computes the desired NLB or ALB Stack of a Gateway (LBC
// v3.6.2's gateway model builder, on lbsg's security-group engine).
func BuildGateway(gw Gateway, f Facts, d Defaults) (Stack, []Warning, error) {
	b := &gwBuilder{gw: gw, f: f, d: d, st: Stack{ID: gw.Stack, UID: gw.UID}}
	if b.gw.Config == nil {
		b.gw.Config = &gwconfig.LoadBalancerConfigurationSpec{}
	}
	if err := b.build(); err != nil {
		return Stack{}, nil, err
	}
	return b.st, b.warnings, nil
}

type gwBuilder struct {
	gw       Gateway
	f        Facts
	d        Defaults
	st       Stack
	warnings []Warning
}

func (b *gwBuilder) build() error {
	cfg := b.gw.Config
	var tags map[string]string
	if cfg.Tags != nil {
		tags = *cfg.Tags
	}
	if err := naming.ValidateUserTags(tags, b.d.ExternalManagedTags, ""); err != nil {
		return err
	}
	userTags := naming.MergeUserTags(b.d.DefaultTags, tags, b.d.DefaultTagsLowPriority)
	scheme := naming.SchemeInternal
	switch {
	case cfg.Scheme != nil:
		scheme = *cfg.Scheme
	case b.d.DefaultScheme != "":
		scheme = b.d.DefaultScheme
	}
	if scheme != naming.SchemeInternal && scheme != naming.SchemeInternetFacing {
		return fmt.Errorf("unknown scheme: %v", scheme)
	}
	lbType := TypeNetwork
	if b.gw.ALB {
		lbType = TypeApplication
	}
	ipType, err := gatewayIPAddressType(cfg)
	if err != nil {
		return err
	}
	lb := &LoadBalancer{
		Type: lbType, Scheme: scheme, IPAddressType: ipType,
		Tags: naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, naming.ResourceLoadBalancer), userTags),
	}
	if cfg.LoadBalancerName != nil {
		lb.Name = *cfg.LoadBalancerName
		if err := naming.ValidateLBName(lb.Name); err != nil {
			return err
		}
	} else {
		lb.Name = naming.GatewayLBName(b.d.ClusterName, b.gw.Namespace, b.gw.Name, b.gw.UID, scheme)
	}
	if err := b.checkSubnetConfigs(scheme); err != nil {
		return err
	}
	if err := b.checkIPv6SubnetConfigs(ipType); err != nil {
		return err
	}
	subnets, err := b.subnets(scheme, isDualStack(ipType))
	if err != nil {
		return err
	}
	lb.Subnets = subnets
	if err := b.subnetMappings(lb); err != nil {
		return err
	}
	if err := b.gatewayAddons(lb); err != nil {
		return err
	}
	if len(cfg.LoadBalancerAttributes) > 0 {
		lb.Attributes = map[string]string{}
		for _, a := range cfg.LoadBalancerAttributes {
			lb.Attributes[a.Key] = a.Value
		}
	}
	b.st.LoadBalancer = lb
	source, err := b.securityGroups(lb, userTags)
	if err != nil {
		return err
	}
	if v := cfg.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic; v != nil && len(lb.SecurityGroups) > 0 && !b.gw.ALB {
		lb.PrivateLinkInbound = *v
	}
	listeners := b.listeners
	if b.gw.ALB {
		listeners = b.albListeners
	}
	if err := listeners(userTags); err != nil {
		return err
	}
	if err := checkGatewayQUICListeners(lb, b.st.Listeners); err != nil {
		return err
	}
	if err := b.gatewayMutualAuth(); err != nil {
		return err
	}
	switch {
	case source != 0:
		b.targetRules(source)
	case len(lb.SecurityGroups) == 0:
		b.noSGTargetRules(lb)
	}
	return nil
}

// subnets: an ALB needs two (in two AZs), an NLB one.
func (b *gwBuilder) subnets(scheme string, dualstack bool) ([]string, error) {
	cfg := b.gw.Config
	minCount := 1
	if b.gw.ALB {
		minCount = albMinSubnets(b.d)
	}
	if cfg.LoadBalancerSubnets != nil && len(*cfg.LoadBalancerSubnets) > 0 && (*cfg.LoadBalancerSubnets)[0].Identifier != "" {
		var ids []string
		for _, s := range *cfg.LoadBalancerSubnets {
			ids = append(ids, s.Identifier)
		}
		out, err := explicitSubnets(b.f.Subnets, ids, minCount)
		if err != nil {
			return nil, err
		}
		return out, checkSubnetsIPv6(b.f.Subnets, out, dualstack)
	}
	if cfg.LoadBalancerSubnetsSelector != nil && len(*cfg.LoadBalancerSubnetsSelector) > 0 {
		out, err := discoverSubnets(b.f.Subnets, selectorMatch(*cfg.LoadBalancerSubnetsSelector), b.d.ClusterName, dualstack)
		if err != nil {
			return nil, err
		}
		return out, checkSubnetCount(b.f.Subnets, out, minCount)
	}
	if e := b.f.ExistingLB; e != nil && e.Scheme == scheme && len(e.Subnets) > 0 {
		// LBC resolves the NLB's subnets again, with the IPv6 check.
		return slices.Clone(e.Subnets), checkSubnetsIPv6(b.f.Subnets, e.Subnets, dualstack)
	}
	out, err := DiscoverSubnets(b.f.Subnets, scheme, b.d.ClusterName, dualstack)
	if err != nil {
		return nil, err
	}
	return out, checkSubnetCount(b.f.Subnets, out, minCount)
}

// securityGroups: manual SGs (securityGroups, resolved by the caller into
// Facts.ManualSecurityGroups) with the backend SG when
// manageBackendSecurityGroupRules; else the managed SG (+ backend SG with
// --enable-backend-security-group). Returns the source of target rules.
func (b *gwBuilder) securityGroups(lb *LoadBalancer, userTags map[string]string) (RefKind, error) {
	cfg := b.gw.Config
	if done, err := b.withoutSecurityGroups(); done || err != nil {
		return 0, err
	}
	if cfg.SecurityGroups != nil && len(*cfg.SecurityGroups) > 0 {
		if b.f.ManualSecurityGroupsErr != nil {
			return 0, b.f.ManualSecurityGroupsErr
		}
		for _, id := range b.f.ManualSecurityGroups {
			lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefID, ID: id})
		}
		if cfg.ManageBackendSecurityGroupRules == nil || !*cfg.ManageBackendSecurityGroupRules {
			return 0, nil
		}
		if !b.d.EnableBackendSG {
			return 0, fmt.Errorf("backendSG feature is required to manage worker node SG rules when frontendSG manually specified")
		}
		lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefBackend})
		return RefBackend, nil
	}
	ingress, err := b.frontendRules()
	if err != nil {
		return 0, err
	}
	name := naming.GatewayManagedSGName(b.d.ClusterName, b.gw.Namespace, b.gw.Name, b.gw.UID)
	packed, warns, err := packManagedRules(name, ingress)
	b.warnings = append(b.warnings, warns...)
	if err != nil {
		return 0, err
	}
	b.st.ManagedSG = &ManagedSG{Name: name, Description: naming.ManagedSGDescription,
		Tags: naming.ManagedSGTags(b.d.ClusterName, b.st.ID, userTags), Ingress: packed}
	lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefManaged})
	if b.d.EnableBackendSG {
		lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefBackend})
		return RefBackend, nil
	}
	return RefManaged, nil
}

// frontendRules: per listener port and protocol, each source range
// (default 0.0.0.0/0 and ::/0; IPv6 ranges only on dual-stack load
// balancers, as LBC), ICMP (ICMPv6 for IPv6 ranges) path-MTU when
// enableICMP, and each prefix list.
func (b *gwBuilder) frontendRules() (rules.Set, error) {
	cfg := b.gw.Config
	dual := b.st.LoadBalancer != nil && isDualStack(b.st.LoadBalancer.IPAddressType)
	cidrs := []string{"0.0.0.0/0", "::/0"}
	if cfg.SourceRanges != nil {
		cidrs = *cfg.SourceRanges
	}
	cidrs = slices.DeleteFunc(slices.Clone(cidrs), func(c string) bool { return strings.Contains(c, ":") && !dual })
	icmp := cfg.EnableICMP != nil && *cfg.EnableICMP
	out := rules.Set{}
	for _, p := range b.gw.Ports {
		for _, proto := range p.Protocols {
			ip := rules.TCP
			if proto == ProtoUDP {
				ip = rules.UDP
			}
			for _, c := range cidrs {
				k, err := rules.NewKey(ip, p.Port, p.Port, c)
				if err != nil {
					return nil, err
				}
				out.Add(k, "")
				switch {
				case !icmp:
				case strings.Contains(c, ":"):
					out.Add(rules.MustKey(rules.ICMPv6, 2, 0, c), "")
				default:
					out.Add(rules.MustKey(rules.ICMP, 3, 4, c), "")
				}
			}
			if cfg.SecurityGroupPrefixes != nil {
				for _, pl := range *cfg.SecurityGroupPrefixes {
					k, err := rules.NewKey(ip, p.Port, p.Port, pl)
					if err != nil {
						return nil, err
					}
					out.Add(k, "")
				}
			}
		}
	}
	return out, nil
}

// listenerProtocol is the NLB protocol of a port.
func (p GatewayPort) listenerProtocol() string {
	switch {
	case slices.Contains(p.Protocols, ProtoTCP) && slices.Contains(p.Protocols, ProtoUDP):
		return ProtoTCPUDP
	case slices.Contains(p.Protocols, ProtoTLS) && p.TLSTerminate:
		return ProtoTLS
	case slices.Contains(p.Protocols, ProtoUDP):
		return ProtoUDP
	}
	return ProtoTCP
}

// listenerAttributes are a listener configuration's listenerAttributes
// (nil: none).
func listenerAttributes(lc *gwconfig.ListenerConfiguration) map[string]string {
	if lc == nil || len(lc.ListenerAttributes) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, a := range lc.ListenerAttributes {
		out[a.Key] = a.Value
	}
	return out
}

func (b *gwBuilder) listenerConfig(proto string, port int32) *gwconfig.ListenerConfiguration {
	cfg := b.gw.Config
	if cfg.ListenerConfigurations == nil {
		return nil
	}
	want := strings.ToLower(proto) + ":" + strconv.Itoa(int(port))
	for i, lc := range *cfg.ListenerConfigurations {
		if strings.ToLower(lc.ProtocolPort) == want {
			return &(*cfg.ListenerConfigurations)[i]
		}
	}
	return nil
}

func (b *gwBuilder) listeners(userTags map[string]string) error {
	ports := slices.Clone(b.gw.Ports)
	slices.SortFunc(ports, func(a, c GatewayPort) int { return cmp.Compare(a.Port, c.Port) })
	seen := map[string]bool{}
	for _, p := range ports {
		if p.Route == nil {
			continue
		}
		lc := b.listenerConfig(p.listenerProtocol(), p.Port)
		proto, err := gatewayQUICUpgrade(p.listenerProtocol(), lc)
		if err != nil {
			return err
		}
		ls := Listener{Port: p.Port, Protocol: proto,
			Tags: naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, naming.ListenerResourceID(p.Port)), userTags)}
		ls.Attributes = listenerAttributes(lc)
		if proto == ProtoTLS {
			if ls.Certificates, err = b.listenerCertificates(ProtoTLS, p, lc); err != nil {
				return err
			}
			ls.SSLPolicy = cmp.Or(b.d.DefaultSSLPolicy, DefaultSSLPolicy)
			if lc != nil && lc.SSLPolicy != nil {
				ls.SSLPolicy = *lc.SSLPolicy
			}
			if lc != nil && lc.ALPNPolicy != nil {
				ls.ALPNPolicy = *lc.ALPNPolicy
			}
		}
		fw := &Forward{}
		nonZero := false
		for _, be := range p.Route.Backends {
			tg, err := b.targetGroup(p, proto, be, userTags)
			if err != nil {
				return err
			}
			if !seen[tg.ResourceID] {
				seen[tg.ResourceID] = true
				b.st.TargetGroups = append(b.st.TargetGroups, tg)
			}
			w := be.Weight
			wt := WeightedTarget{TargetGroup: tg.ResourceID, Weight: &w}
			if isQUIC(proto) {
				wt.Weight = nil // LBC: QUIC forwards take no weights
			}
			fw.TargetGroups = append(fw.TargetGroups, wt)
			if w > 0 {
				nonZero = true
			}
		}
		if len(fw.TargetGroups) == 0 || !nonZero {
			continue // LBC creates no listener without a backend to send to
		}
		if lc != nil && lc.TargetGroupStickiness != nil {
			// LBC's L4 default action: stickiness as the listener configuration states it.
			fw.Stickiness = &Stickiness{Enabled: lc.TargetGroupStickiness}
		}
		if b.d.NoWeightedTargetGroups {
			if err := unweighted(fw); err != nil {
				return fmt.Errorf("listener %s:%d: %w", proto, p.Port, err)
			}
		}
		ls.TargetGroup = fw.TargetGroups[0].TargetGroup
		ls.DefaultAction = &Action{Type: ActionForward, Forward: fw}
		b.st.Listeners = append(b.st.Listeners, ls)
	}
	return nil
}

func (b *gwBuilder) targetGroup(p GatewayPort, listenerProto string, be GatewayBackend, userTags map[string]string) (TargetGroup, error) {
	if be.Chained != nil {
		return b.chainedTargetGroup(p, listenerProto, be)
	}
	props := be.TargetGroup
	if props == nil {
		props = &gwconfig.TargetGroupProps{}
	}
	r := p.Route
	tt := cmp.Or(b.d.DefaultTargetType, annotations.TargetTypeInstance)
	if props.TargetType != nil {
		tt = *props.TargetType
	}
	if tt != annotations.TargetTypeInstance && tt != annotations.TargetTypeIP {
		return TargetGroup{}, fmt.Errorf("target type %q is not supported for NLB Gateways", tt)
	}
	proto := ProtoTCP
	switch {
	case listenerProto == ProtoTCPUDP || isQUIC(listenerProto):
		proto = listenerProto
	case props.Protocol != nil:
		proto = *props.Protocol
		if !slices.Contains([]string{ProtoTCP, ProtoUDP, ProtoTCPUDP, ProtoTLS}, proto) {
			return TargetGroup{}, fmt.Errorf("backend protocol must be within [TCP, UDP, TCP_UDP, TLS, QUIC, TCP_QUIC]: %v", proto)
		}
	case r.Kind == "UDPRoute":
		proto = ProtoUDP
	case r.Kind == "TLSRoute" && listenerProto == ProtoTLS:
		// Deliberate difference: LBC v3.6.2 infers TLS for every TLSRoute,
		// which AWS refuses behind the TCP listener of a Passthrough TLS
		// listener (IncompatibleProtocols); lbsg forwards TCP there.
		proto = ProtoTLS
	}
	if _, err := gatewayTargetControlPort(props, proto, tt); err != nil {
		return TargetGroup{}, err
	}
	svc, sp := be.Service, be.Port
	ipType, err := b.targetIPAddressType(be, props, tt)
	if err != nil {
		return TargetGroup{}, err
	}
	tg := TargetGroup{ServicePort: sp.Port, Protocol: proto, TargetType: tt, IPAddressType: ipType}
	if tt == annotations.TargetTypeInstance {
		tg.Port = sp.NodePort
		if tg.Port == 0 {
			return TargetGroup{}, fmt.Errorf("TargetGroup port is empty. When using Instance targets, your service must be of type 'NodePort' or 'LoadBalancer'")
		}
	} else {
		tg.Port = 1
		if sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal != 0 {
			tg.Port = sp.TargetPort.IntVal
		}
	}
	hc, err := gatewayHealthCheckOf(props, svc, tt)
	if err != nil {
		return TargetGroup{}, err
	}
	tg.HealthCheck = hc
	id := naming.GatewayTargetGroup{
		GatewayNamespace: b.gw.Namespace, GatewayName: b.gw.Name,
		RouteNamespace: r.Namespace, RouteName: r.Name, RouteKind: r.Kind,
		ServiceNamespace: svc.Namespace, ServiceName: svc.Name,
		IdentifierPort: sp.TargetPort.String(), TargetPort: tg.Port, TargetType: tt, Protocol: proto,
	}
	if err := b.identify(&tg, id, props); err != nil {
		return TargetGroup{}, err
	}
	nodes, err := b.instanceNodes(props)
	if err != nil {
		return TargetGroup{}, err
	}
	tg.Targets = serviceTargets(sp, tt, nodes, endpointsOfFamily(be.Endpoints, ipType))
	if err := gatewayQUICTargets(&tg, sp, endpointsOfFamily(be.Endpoints, ipType)); err != nil {
		return TargetGroup{}, err
	}
	return tg, nil
}

// gatewayHealthCheckOf is LBC's NLB gateway health check: its defaults
// (TCP, traffic-port, 15 s, 5 s, 3, 3; instance targets of a Local
// Service: HTTP on the health-check node port, /healthz, 10 s, 6 s, 2, 2),
// then the TargetGroupConfiguration's healthCheckConfig.
func gatewayHealthCheckOf(props *gwconfig.TargetGroupProps, svc *corev1.Service, tt string) (HealthCheck, error) {
	hc := gatewayHealthCheck
	local := tt == annotations.TargetTypeInstance && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
	if local {
		hc = HealthCheck{Protocol: "HTTP", Port: itoa(svc.Spec.HealthCheckNodePort), Path: "/healthz",
			Interval: 10, Timeout: 6, Healthy: 2, Unhealthy: 2, Matcher: "200-399"}
	}
	c := props.HealthCheckConfig
	if c == nil {
		return hc, nil
	}
	if c.HealthCheckProtocol != nil {
		hc.Protocol = strings.ToUpper(*c.HealthCheckProtocol)
	}
	if c.HealthCheckPort != nil {
		port, err := resolveHCPort(svc, *c.HealthCheckPort, tt)
		if err != nil {
			return HealthCheck{}, err
		}
		hc.Port = port
	}
	if hc.Protocol != ProtoTCP {
		hc.Path = cmp.Or(hc.Path, "/")
		hc.Matcher = cmp.Or(hc.Matcher, "200-399")
		if c.HealthCheckPath != nil {
			hc.Path = *c.HealthCheckPath
		}
		if c.Matcher != nil && c.Matcher.HTTPCode != nil {
			hc.Matcher = *c.Matcher.HTTPCode
		}
	} else {
		hc.Path, hc.Matcher = "", ""
	}
	overrideHealthCheckCounts(&hc, c)
	return hc, nil
}

// identify names and tags a Gateway target group as LBC does (id: its
// identity; props: the TargetGroupConfiguration's tags and attributes).
func (b *gwBuilder) identify(tg *TargetGroup, id naming.GatewayTargetGroup, props *gwconfig.TargetGroupProps) error {
	tg.ResourceID = naming.GatewayTargetGroupResourceID(id)
	tg.Name = naming.GatewayTargetGroupName(b.d.ClusterName, id)
	if err := b.nameAndShare(tg, props); err != nil {
		return err
	}
	var tgTags map[string]string
	if props.Tags != nil {
		tgTags = *props.Tags
	}
	if err := naming.ValidateUserTags(tgTags, b.d.ExternalManagedTags, ""); err != nil {
		return err
	}
	tg.Tags = naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, tg.ResourceID),
		naming.MergeUserTags(b.d.DefaultTags, tgTags, b.d.DefaultTagsLowPriority))
	if len(props.TargetGroupAttributes) > 0 {
		tg.Attributes = map[string]string{}
		for _, a := range props.TargetGroupAttributes {
			tg.Attributes[a.Key] = a.Value
		}
	}
	return nil
}

// targetRules: every target group's ports on the SGs of its targets'
// nodes (instance: the target nodes; ip: the endpoints' nodes).
func (b *gwBuilder) targetRules(source RefKind) {
	var perms []targetPerm
	for _, tg := range b.st.TargetGroups {
		if tg.TargetType == TargetTypeALB {
			continue // an ALB Gateway's target: no node rules
		}
		perms = append(perms, targetGroupPerms(tg, b.d.DisableRestrictedSGRules)...)
	}
	b.st.TargetRules = append(b.st.TargetRules, crossTargetRules(b.targetNodeSGs(), perms, source)...)
}

// targetNodeSGs are the SGs of the nodes the Gateway's targets run on
// (instance targets: the target nodes; ip: the endpoints' nodes).
func (b *gwBuilder) targetNodeSGs() []string {
	nodes := map[string]bool{}
	for _, be := range b.backends() {
		instance := be.TargetGroup == nil || be.TargetGroup.TargetType == nil
		if instance {
			instance = cmp.Or(b.d.DefaultTargetType, annotations.TargetTypeInstance) == annotations.TargetTypeInstance
		} else {
			instance = *be.TargetGroup.TargetType == annotations.TargetTypeInstance
		}
		if instance {
			targets, _ := b.instanceNodes(be.TargetGroup) // a bad selector already failed the build
			for _, n := range targets {
				nodes[n.Name] = true
			}
			continue
		}
		for _, e := range be.Endpoints {
			nodes[e.NodeName] = true
		}
	}
	groups, warns := targetSGs(b.f.Nodes, nodes, b.d)
	b.warnings = append(b.warnings, warns...)
	return groups
}
