package gwconfig

import (
	"fmt"
	"slices"
	"strings"
)

// Kinds of LBC's gateway.k8s.aws configuration objects.
const (
	KindLoadBalancerConfiguration = "LoadBalancerConfiguration"
	KindTargetGroupConfiguration  = "TargetGroupConfiguration"
	KindListenerRuleConfiguration = "ListenerRuleConfiguration"
	// Group and Version lbsg reads them at (LBC's storage version).
	Group   = "gateway.k8s.aws"
	Version = "v1"
)

// Support says whether lbsg implements a field.
type Support int

// Support levels.
const (
	// Unsupported: an object carrying the field is refused.
	Unsupported Support = iota
	// Supported: implemented as LBC implements it.
	Supported
	// Partial: some of its sub-fields are supported, each listed on its own.
	Partial
)

// Field is one field of a configuration object's spec.
type Field struct {
	Kind string
	// Path from the object's root, "[]" marking list items, e.g.
	// spec.listenerConfigurations[].defaultCertificate.
	Path    string
	Support Support
	// Note says what lbsg does, or what it lacks.
	Note string
}

const (
	lbc = KindLoadBalancerConfiguration
	tgc = KindTargetGroupConfiguration
	lrc = KindListenerRuleConfiguration
)

// Fields lists every field of the three specs, at the depth lbsg decides
// on: a Supported or Unsupported field covers its whole subtree, a Partial
// one lists its sub-fields.
var Fields = withRouteProps([]Field{
	{lbc, "spec.mergingMode", Supported, "on the GatewayClass's configuration: which one wins when the Gateway names one too (default prefer-gateway-class)"},
	{lbc, "spec.loadBalancerName", Supported, "the load balancer's name; LBC's generated name otherwise"},
	{lbc, "spec.scheme", Supported, "internal (default: --default-load-balancer-scheme) or internet-facing"},
	{lbc, "spec.ipAddressType", Supported, "ipv4 (default), dualstack or dualstack-without-public-ipv4 (ALB): subnets with IPv6 blocks, ::/0 in the managed SG's default sources and IPv6 sourceRanges admitted, ipv6 target groups for Services with the IPv6 family"},
	{lbc, "spec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic", Supported, "NLB attribute, with security groups only (ignored on ALBs, as LBC)"},
	{lbc, "spec.customerOwnedIpv4Pool", Supported, "ALB: customer-owned IPv4 pool (Outposts), sent when the ALB is created (AWS cannot change it; a difference on an existing ALB is logged); refused on NLBs and when empty"},
	{lbc, "spec.ipv4IPAMPoolId", Supported, "ALB: IPAM pool of its IPv4 addresses; removing the field releases the pool, as LBC; refused on NLBs"},
	{lbc, "spec.loadBalancerSubnets", Partial, ""},
	{lbc, "spec.loadBalancerSubnets[].identifier", Supported, "subnet ID or Name tag, one per AZ"},
	{lbc, "spec.loadBalancerSubnets[].eipAllocation", Supported, "NLB Elastic IP allocation in the subnet (internet-facing; on every entry or none)"},
	{lbc, "spec.loadBalancerSubnets[].privateIPv4Allocation", Supported, "NLB private IPv4 address, in the subnet whose CIDR holds it (internal; on every entry or none)"},
	{lbc, "spec.loadBalancerSubnets[].ipv6Allocation", Supported, "NLB IPv6 address, in the subnet whose IPv6 blocks hold it (dualstack; on every entry or none)"},
	{lbc, "spec.loadBalancerSubnets[].sourceNatIPv6Prefix", Supported, "NLB source-NAT IPv6 prefix per subnet (a /80 inside the subnet's IPv6 blocks, or auto_assigned; on every entry or none); turns enablePrefixForIpv6SourceNat on, as LBC (off on other dualstack NLBs); refused on IPv4 NLBs, where AWS would refuse it"},
	{lbc, "spec.loadBalancerSubnetsSelector", Supported, "subnets carrying, per key, one of the values (one per AZ)"},
	{lbc, "spec.listenerConfigurations", Partial, ""},
	{lbc, "spec.listenerConfigurations[].protocolPort", Supported, "PROTOCOL:port of the Gateway listener it configures"},
	{lbc, "spec.listenerConfigurations[].defaultCertificate", Supported, "certificate ARN of a TLS (NLB) or HTTPS (ALB) listener; a TLS or HTTPS listener without one (or certificates) discovers ACM certificates by its hostnames"},
	{lbc, "spec.listenerConfigurations[].certificates", Supported, "further certificate ARNs of a TLS or HTTPS listener"},
	{lbc, "spec.listenerConfigurations[].sslPolicy", Supported, "TLS or HTTPS listener policy (default --default-ssl-policy)"},
	{lbc, "spec.listenerConfigurations[].alpnPolicy", Supported, "TLS listener ALPN policy"},
	{lbc, "spec.listenerConfigurations[].targetGroupStickiness", Supported, "NLB listener: stickiness of its forward to the route's weighted target groups (ignored on ALBs, as LBC)"},
	{lbc, "spec.listenerConfigurations[].mutualAuthentication", Supported, "ALB HTTPS listener mutual TLS: mode off, passthrough or verify (trustStore by name or ARN, ignoreClientCertificateExpiry default false, advertiseTrustStoreCaNames default off); without the field the listener's AWS setting is kept; refused on other listeners"},
	{lbc, "spec.listenerConfigurations[].listenerAttributes", Supported, "listener attributes (ALB header modification such as routing.http.response.server.enabled, NLB tcp.idle_timeout.seconds); keys no longer listed keep their AWS value"},
	{lbc, "spec.listenerConfigurations[].quicEnabled", Supported, "UDP listener → QUIC, TCP_UDP → TCP_QUIC, with their target groups (as LBC); needs disableSecurityGroup, ip targets (pods' QUIC server IDs, as the Service's quic-enabled-ports) and no other UDP or QUIC listener"},
	{lbc, "spec.disableSecurityGroup", Supported, "NLB without security groups (node rules from the subnets' CIDRs or sourceRanges, as LBC; with securityGroups, securityGroupPrefixes, enableICMP, manageBackendSecurityGroupRules or enforceSecurityGroupInboundRulesOnPrivateLinkTraffic it is refused, where LBC drops them); ignored on ALBs, as LBC. AWS can neither remove all SGs from an NLB nor add them to one created without: such a change is refused"},
	{lbc, "spec.securityGroups", Supported, "frontend SGs by ID or Name tag instead of the managed SG"},
	{lbc, "spec.securityGroupPrefixes", Supported, "prefix lists admitted by the managed SG"},
	{lbc, "spec.sourceRanges", Supported, "CIDRs admitted by the managed SG (default 0.0.0.0/0)"},
	{lbc, "spec.loadBalancerAttributes", Supported, "load balancer attributes"},
	{lbc, "spec.tags", Supported, "tags on the load balancer, its listeners and managed SG"},
	{lbc, "spec.enableICMP", Supported, "ICMP path-MTU rules on the managed SG"},
	{lbc, "spec.manageBackendSecurityGroupRules", Supported, "with securityGroups: node rules from the shared backend SG"},
	{lbc, "spec.minimumLoadBalancerCapacity", Supported, "NLB and ALB capacity reservation (with the LBCapacityReservation gate, as for Services and Ingresses); removing the field or 0 resets a reservation lbsg set (gateway.k8s.aws.addon.provisionedcapacity annotation, as LBC)"},
	{lbc, "spec.wafV2", Supported, "ALB: webACL (an ARN) associated; removing the field or an empty webACL disassociates the ACL lbsg associated (gateway.k8s.aws.addon.wafv2 annotation, as LBC), and a web ACL lbsg never associated is left alone; refused on NLBs"},
	{lbc, "spec.shieldConfiguration", Supported, "ALB: enabled creates a Shield Advanced protection (a ShieldNotSubscribed Warning without a subscription); removing it or enabled false deletes the protection lbsg created (gateway.k8s.aws.addon.shield annotation, as LBC); refused on NLBs"},
	{lbc, "spec.defaultTargetGroupConfiguration", Supported, "a TargetGroupConfiguration (same namespace, without targetReference) whose settings every backend's target groups start from; a Service's own TargetGroupConfiguration wins field by field (tags and attributes merge), as LBC; the class's and the Gateway's merge by mergingMode"},

	{tgc, "spec.targetReference", Supported, "the Service (kind Service, the default) or, for Gateway chaining, the ALB Gateway (kind Gateway) in its namespace whose target groups it configures, matched by kind and name as LBC"},
	{tgc, "spec.defaultConfiguration", Partial, ""},
	{tgc, "spec.defaultConfiguration.targetType", Supported, "instance or ip (default --default-target-type)"},
	{tgc, "spec.defaultConfiguration.healthCheckConfig", Supported, "protocol, port, path, interval, timeout, thresholds, matcher.httpCode (matcher.grpcCode on GRPCRoute target groups)"},
	{tgc, "spec.defaultConfiguration.targetGroupAttributes", Supported, "target group attributes"},
	{tgc, "spec.defaultConfiguration.tags", Supported, "tags on the target groups"},
	{tgc, "spec.defaultConfiguration.protocol", Supported, "NLB: TCP, UDP, TCP_UDP or TLS (default from the route kind); ALB: HTTP (default) or HTTPS"},
	{tgc, "spec.defaultConfiguration.targetGroupName", Supported, "the target group's name instead of LBC's generated one (changing it replaces the group); two target groups of a Gateway cannot share one"},
	{tgc, "spec.defaultConfiguration.ipAddressType", Supported, "LBC v3.6.2 infers the type from the Service (ipv6 when its ipFamilies hold IPv6, which needs a dualstack load balancer) and never reads the field: lbsg accepts it when it states the inferred type and refuses it otherwise"},
	{tgc, "spec.defaultConfiguration.nodeSelector", Supported, "instance targets (and their node SG rules): only the nodes the label selector selects"},
	{tgc, "spec.defaultConfiguration.protocolVersion", Supported, "ALB target groups behind an HTTPS listener: HTTP1, HTTP2 or GRPC (default GRPC for GRPCRoutes, HTTP2 for an h2c port, else HTTP1); HTTP1 behind HTTP and none on NLBs, as LBC"},
	{tgc, "spec.defaultConfiguration.targetControlPort", Supported, "ALB target groups of ip targets (HTTP or HTTPS): the target-control agent's port, in the target group's name and ID as LBC (a change replaces the group) and admitted on the targets' SGs; refused on instance targets and NLB target groups"},
	{tgc, "spec.defaultConfiguration.enableMultiCluster", Supported, "the target group is shared with other clusters: lbsg deregisters only the targets it registered (as multi-cluster-target-group)"},
	{tgc, "spec.routeConfigurations", Partial, ""},
	{tgc, "spec.routeConfigurations[].routeIdentifier", Supported, "the routes an entry configures: kind, namespace, name (LBC's match: kind+namespace+name, else kind+namespace of an entry without name, else kind of an entry without namespace)"},
	{tgc, routeProps, Partial, "merged over defaultConfiguration for the matching routes"},

	{lrc, "spec.actions", Partial, ""},
	{lrc, "spec.actions[].type", Supported, "forward, redirect, fixed-response, authenticate-cognito, authenticate-oidc or jwt-validation (at most one pre-routing and one routing action)"},
	{lrc, "spec.actions[].forwardConfig", Supported, "targetGroupStickinessConfig on the rule's forward to its backendRefs' target groups (refused on a rule that redirects)"},
	{lrc, "spec.actions[].redirectConfig", Supported, "query of the rule's RequestRedirect filter (an HTTPRoute rule without one, or a GRPCRoute, is refused)"},
	{lrc, "spec.actions[].fixedResponseConfig", Supported, "the rule answers with this fixed response instead of forwarding or redirecting"},
	{lrc, "spec.actions[].authenticateCognitoConfig", Supported, "authenticate-cognito before the rule's action; HTTPS listeners only (a route it would leave unauthenticated on an HTTP listener is refused)"},
	{lrc, "spec.actions[].authenticateOIDCConfig", Partial, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.authorizationEndpoint", Supported, "authenticate-oidc before the rule's action; HTTPS listeners only (a route it would leave unauthenticated on an HTTP listener is refused)"},
	{lrc, "spec.actions[].authenticateOIDCConfig.issuer", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.tokenEndpoint", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.userInfoEndpoint", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.secret", Supported, "Secret in the configuration's namespace with clientID (or clientId) and clientSecret, read and watched as LBC does; missing: the route is refused"},
	{lrc, "spec.actions[].authenticateOIDCConfig.scope", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.authenticationRequestExtraParams", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.onUnauthenticatedRequest", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.sessionCookieName", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.sessionTimeout", Supported, ""},
	{lrc, "spec.actions[].authenticateOIDCConfig.useExistingClientSecret", Unsupported, "LBC v3.6.2 reads it nowhere; lbsg always writes the Secret's client secret"},
	{lrc, "spec.actions[].jwtValidationConfig", Supported, "jwt-validation before the rule's action; HTTPS listeners only (as for authentication)"},
	{lrc, "spec.conditions", Partial, ""},
	{lrc, "spec.conditions[].field", Supported, "source-ip (the only field of LBC's type)"},
	{lrc, "spec.conditions[].sourceIPConfig", Supported, "CIDRs, a source-ip condition after the rule's own conditions"},
	{lrc, "spec.conditions[].matchIndexes", Supported, "the indexes of the rule's matches the condition is added to (default: all)"},
	{lrc, "spec.tags", Supported, "tags on the rule's listener rules (over --default-tags as LBC merges them)"},
})

// routeProps is where a routeConfigurations entry's target-group settings
// sit; each is listed as its defaultConfiguration counterpart is.
const routeProps = "spec.routeConfigurations[].targetGroupProps"

// withRouteProps adds, after spec.routeConfigurations' own entries, one
// entry per spec.defaultConfiguration field under routeProps with the same
// support: a route configuration's settings are supported exactly where a
// default configuration's are.
func withRouteProps(fields []Field) []Field {
	var props []Field
	for _, f := range fields {
		if rest, ok := strings.CutPrefix(f.Path, "spec.defaultConfiguration."); ok && f.Kind == tgc {
			props = append(props, Field{tgc, routeProps + "." + rest, f.Support, f.Note})
		}
	}
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Kind == tgc && f.Path == routeProps })
	return slices.Insert(fields, i+1, props...)
}

// lookup finds the table's entry of kind at path.
func lookup(kind, path string) (Field, bool) {
	for _, f := range Fields {
		if f.Kind == kind && f.Path == path {
			return f, true
		}
	}
	return Field{}, false
}

// UnsupportedFields lists, sorted, the paths of the fields obj's spec
// carries that lbsg does not implement (a field the table does not know is
// unsupported too). obj is the object as the API server returns it.
func UnsupportedFields(kind string, obj map[string]any) []string {
	var out []string
	spec, _ := obj["spec"].(map[string]any)
	walk(kind, "spec", spec, &out)
	slices.Sort(out)
	return slices.Compact(out)
}

func walk(kind, path string, m map[string]any, out *[]string) {
	for k, v := range m {
		p := path + "." + k
		f, ok := lookup(kind, p)
		if !ok {
			*out = append(*out, p)
			continue
		}
		switch f.Support {
		case Supported:
		case Unsupported:
			*out = append(*out, p)
		case Partial:
			switch v := v.(type) {
			case map[string]any:
				walk(kind, p, v, out)
			case []any:
				for _, item := range v {
					if im, ok := item.(map[string]any); ok {
						walk(kind, p+"[]", im, out)
					}
				}
			}
		}
	}
}

// UnsupportedError refuses a configuration object carrying fields lbsg
// does not implement.
type UnsupportedError struct {
	Kind, Namespace, Name string
	Fields                []string
}

func (e *UnsupportedError) Error() string {
	var parts []string
	for _, p := range e.Fields {
		note := ""
		if f, ok := lookup(e.Kind, p); ok && f.Note != "" {
			note = " (" + f.Note + ")"
		}
		parts = append(parts, p+note)
	}
	obj := e.Name
	if e.Namespace != "" {
		obj = e.Namespace + "/" + e.Name
	}
	return fmt.Sprintf("%s %s uses fields lbsg does not support: %s", e.Kind, obj, strings.Join(parts, ", "))
}

// Markdown renders the table for docs/gateway.md.
func Markdown() string {
	var b strings.Builder
	for _, kind := range []string{lbc, tgc, lrc} {
		fmt.Fprintf(&b, "\n### %s\n\n| Field | Support | Notes |\n|---|---|---|\n", kind)
		for _, f := range Fields {
			if f.Kind != kind {
				continue
			}
			s := "refused"
			switch f.Support {
			case Supported:
				s = "supported"
			case Partial:
				s = "partly (below)"
			case Unsupported:
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Path, s, f.Note)
		}
	}
	return b.String()
}
