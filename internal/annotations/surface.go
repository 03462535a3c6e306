package annotations

import (
	"slices"
	"strings"
)

// Object is the kind of object an annotation is read from.
type Object string

// Objects LBC reads annotations from.
const (
	OnService Object = "Service"
	OnIngress Object = "Ingress" // also read on an Ingress's backend Services
)

// Support says what lbsg does with an LBC annotation.
type Support int

const (
	// Unsupported: lbsg lacks the behaviour. An object carrying the key is
	// left alone (its stack gets no AWS write) with an UnsupportedAnnotation
	// event, never served with less than it asks for.
	Unsupported Support = iota
	// Supported: parsed, modelled, written to AWS and tested as LBC does.
	Supported
)

func (s Support) String() string {
	if s == Supported {
		return "supported"
	}
	return "unsupported"
}

// Key is one entry of LBC v3.6.2's annotation surface.
type Key struct {
	// Name is the full annotation key; for a family, its prefix, ending in
	// "." or "-" (e.g. alb.ingress.kubernetes.io/actions.,
	// alb.ingress.kubernetes.io/frontend-nlb-), matching every key that
	// starts with it.
	Name   string
	Object Object
	Support
	// Harmless, for an unsupported key, reports values that ask for
	// nothing lbsg does not do (LBC's default, e.g. a boolean's false); such a
	// value does not stop the object.
	Harmless func(value string) bool
	// Lacks says, for an unsupported key, what lbsg does not do (events
	// and docs quote it).
	Lacks string
}

// Family reports whether the entry is a prefix family (actions.*, …).
func (k Key) Family() bool { return strings.HasSuffix(k.Name, ".") || strings.HasSuffix(k.Name, "-") }

// Surface lists every annotation key LBC v3.6.2 reads on Services and
// Ingresses (its pkg/annotations constants and the prefixed families its
// model builders format), with lbsg's support. It is the single source for
// the UnsupportedAnnotation check, docs/annotations.md and the test that
// compares it with LBC's own constants.
var Surface = func() []Key {
	svc := func(suffix string, s Support, lacks string) Key {
		return Key{Name: ServicePrefix + suffix, Object: OnService, Support: s, Lacks: lacks}
	}
	ing := func(suffix string, s Support, lacks string) Key {
		return Key{Name: IngressPrefix + suffix, Object: OnIngress, Support: s, Lacks: lacks}
	}
	keys := []Key{
		// Services (LBC reads them with the service.beta.kubernetes.io prefix only).
		svc("load-balancer-source-ranges", Supported, ""),
		svc("aws-load-balancer-type", Supported, ""),
		svc("aws-load-balancer-nlb-target-type", Supported, ""),
		svc("aws-load-balancer-name", Supported, ""),
		svc("aws-load-balancer-scheme", Supported, ""),
		svc("aws-load-balancer-internal", Supported, ""),
		svc("aws-load-balancer-proxy-protocol", Supported, ""),
		svc("aws-load-balancer-proxy-protocol-per-target-group", Supported, ""),
		svc("aws-load-balancer-ip-address-type", Supported, ""),
		svc("aws-load-balancer-access-log-enabled", Supported, ""),
		svc("aws-load-balancer-access-log-s3-bucket-name", Supported, ""),
		svc("aws-load-balancer-access-log-s3-bucket-prefix", Supported, ""),
		svc("aws-load-balancer-cross-zone-load-balancing-enabled", Supported, ""),
		svc("aws-load-balancer-ssl-cert", Supported, ""),
		svc("aws-load-balancer-ssl-ports", Supported, ""),
		svc("aws-load-balancer-ssl-negotiation-policy", Supported, ""),
		svc("aws-load-balancer-backend-protocol", Supported, ""),
		svc("aws-load-balancer-additional-resource-tags", Supported, ""),
		svc("aws-load-balancer-healthcheck-healthy-threshold", Supported, ""),
		svc("aws-load-balancer-healthcheck-unhealthy-threshold", Supported, ""),
		svc("aws-load-balancer-healthcheck-timeout", Supported, ""),
		svc("aws-load-balancer-healthcheck-interval", Supported, ""),
		svc("aws-load-balancer-healthcheck-protocol", Supported, ""),
		svc("aws-load-balancer-healthcheck-port", Supported, ""),
		svc("aws-load-balancer-healthcheck-path", Supported, ""),
		svc("aws-load-balancer-healthcheck-success-codes", Supported, ""),
		svc("aws-load-balancer-target-group-attributes", Supported, ""),
		svc("aws-load-balancer-subnets", Supported, ""),
		svc("aws-load-balancer-eip-allocations", Supported, ""),
		svc("aws-load-balancer-private-ipv4-addresses", Supported, ""),
		svc("aws-load-balancer-ipv6-addresses", Supported, ""),
		svc("aws-load-balancer-alpn-policy", Supported, ""),
		svc("aws-load-balancer-target-node-labels", Supported, ""),
		svc("aws-load-balancer-attributes", Supported, ""),
		svc("aws-load-balancer-security-groups", Supported, ""),
		svc("aws-load-balancer-manage-backend-security-group-rules", Supported, ""),
		svc("aws-load-balancer-inbound-sg-rules-on-private-link-traffic", Supported, ""),
		svc("aws-load-balancer-security-group-prefix-lists", Supported, ""),
		svc("aws-load-balancer-listener-attributes.", Supported, ""),
		svc("aws-load-balancer-multi-cluster-target-group", Supported, ""),
		svc("aws-load-balancer-enable-prefix-for-ipv6-source-nat", Supported, ""),
		svc("aws-load-balancer-source-nat-ipv6-prefixes", Supported, ""),
		svc("aws-load-balancer-minimum-load-balancer-capacity", Supported, ""),
		svc("aws-load-balancer-enable-icmp-for-path-mtu-discovery", Supported, ""),
		svc("aws-load-balancer-enable-tcp-udp-listener", Supported, ""),
		svc("aws-load-balancer-disable-nlb-sg", Supported, ""),
		svc("aws-load-balancer-quic-enabled-ports", Supported, ""),
		svc("aws-load-balancer-quic-enabled-containers", Supported, ""),
		svc("actions.", Supported, ""),

		// Ingresses.
		ing("load-balancer-name", Supported, ""),
		ing("group.name", Supported, ""),
		ing("group.order", Supported, ""),
		ing("tags", Supported, ""),
		ing("ip-address-type", Supported, ""),
		ing("scheme", Supported, ""),
		ing("subnets", Supported, ""),
		ing("customer-owned-ipv4-pool", Supported, ""),
		ing("load-balancer-attributes", Supported, ""),
		ing("wafv2-acl-arn", Supported, ""),
		ing("wafv2-acl-name", Supported, ""),
		ing("waf-acl-id", Supported, ""),
		ing("web-acl-id", Supported, ""),
		ing("shield-advanced-protection", Supported, ""),
		ing("security-groups", Supported, ""),
		ing("listen-ports", Supported, ""),
		ing("ssl-redirect", Supported, ""),
		ing("inbound-cidrs", Supported, ""),
		ing("certificate-arn", Supported, ""),
		ing("ssl-policy", Supported, ""),
		ing("target-type", Supported, ""),
		ing("backend-protocol", Supported, ""),
		ing("backend-protocol-version", Supported, ""),
		ing("target-group-attributes", Supported, ""),
		ing("healthcheck-port", Supported, ""),
		ing("healthcheck-protocol", Supported, ""),
		ing("healthcheck-path", Supported, ""),
		ing("healthcheck-interval-seconds", Supported, ""),
		ing("healthcheck-timeout-seconds", Supported, ""),
		ing("healthy-threshold-count", Supported, ""),
		ing("unhealthy-threshold-count", Supported, ""),
		ing("success-codes", Supported, ""),
		ing("auth-type", Supported, ""),
		ing("auth-idp-cognito", Supported, ""),
		ing("auth-idp-oidc", Supported, ""),
		ing("auth-on-unauthenticated-request", Supported, ""),
		ing("auth-scope", Supported, ""),
		ing("auth-session-cookie", Supported, ""),
		ing("auth-session-timeout", Supported, ""),
		ing("jwt-validation", Supported, ""),
		ing("target-node-labels", Supported, ""),
		ing("manage-backend-security-group-rules", Supported, ""),
		ing("mutual-authentication", Supported, ""),
		ing("security-group-prefix-lists", Supported, ""),
		ing("listener-attributes.", Supported, ""),
		ing("multi-cluster-target-group", Supported, ""),
		ing("minimum-load-balancer-capacity", Supported, ""),
		ing("ipam-ipv4-pool-id", Supported, ""),
		ing("enable-frontend-nlb", Supported, ""),
		ing("frontend-nlb-", Supported, ""), // frontend-nlb-scheme, -subnets, -security-groups, …
		ing("use-regex-path-match", Supported, ""),
		ing("target-control-port", Supported, ""),  // LBC reads only the family below
		ing("target-control-port.", Supported, ""), // target-control-port.<service>.<port>
		ing("create-acm-cert", Supported, ""),
		ing("acm-pca-arn", Supported, ""),
		ing("dry-run-plan", Unsupported, "LBC's dry-run plan annotation (lbsg plan shows plans instead)"),
		ing("actions.", Supported, ""),
		ing("conditions.", Supported, ""),
		ing("transforms.", Supported, ""),
	}
	return keys
}()

// LookupSurface finds the surface entry of an annotation key: the exact
// key, else the longest family prefix.
func LookupSurface(key string) (Key, bool) {
	var best Key
	found := false
	for _, k := range Surface {
		switch {
		case k.Name == key:
			return k, true
		case k.Family() && strings.HasPrefix(key, k.Name) &&
			(!found || len(k.Name) > len(best.Name)):
			best, found = k, true
		}
	}
	return best, found
}

// UnsupportedKeys returns, sorted, the keys of ann that LBC reads on obj and
// lbsg does not support (with a value that is not harmless). Keys of other
// prefixes, and keys LBC does not know, are not its business.
func UnsupportedKeys(ann map[string]string, obj Object) []string {
	prefix := ServicePrefix
	if obj == OnIngress {
		prefix = IngressPrefix
	}
	var out []string
	for key, v := range ann {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		k, ok := LookupSurface(key)
		if !ok || k.Object != obj || k.Support == Supported || (k.Harmless != nil && k.Harmless(v)) {
			continue
		}
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}
