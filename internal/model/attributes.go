package model

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Attribute keys lbsg reads or sets itself.
const (
	AttrDeletionProtection   = "deletion_protection.enabled"
	AttrProxyProtocolV2      = "proxy_protocol_v2.enabled"
	AttrPreserveClientIP     = "preserve_client_ip.enabled"
	attrCrossZone            = "load_balancing.cross_zone.enabled"
	attrAccessLogsEnabled    = "access_logs.s3.enabled"
	attrAccessLogsBucket     = "access_logs.s3.bucket"
	attrAccessLogsPrefix     = "access_logs.s3.prefix"
	attrDNSClientRouting     = "dns_record.client_routing_policy"
	routingAnyZone           = "any_availability_zone"
	routingPartialZoneAffine = "partial_availability_zone_affinity"
	routingZoneAffine        = "availability_zone_affinity"
)

// attributes fills the NLB's, its target groups' and its listeners'
// attributes from the annotations, as LBC v3.6.2 builds them.
func (b *builder) attributes() error {
	lbAttrs, err := b.lbAttributes()
	if err != nil {
		return err
	}
	b.st.LoadBalancer.Attributes = lbAttrs
	for i := range b.st.TargetGroups {
		tg := &b.st.TargetGroups[i]
		attrs, err := b.tgAttributes(tg.ServicePort)
		if err != nil {
			return err
		}
		tg.Attributes = attrs
	}
	for i := range b.st.Listeners {
		l := &b.st.Listeners[i]
		// LBC never reconciles the attributes of TLS listeners.
		if l.Protocol == "TLS" {
			continue
		}
		if attrs := b.cfg.ListenerAttrs[fmt.Sprintf("%s-%d", l.Protocol, l.Port)]; len(attrs) > 0 {
			l.Attributes = maps.Clone(attrs)
		}
	}
	return nil
}

// lbAttributes merges the aws-load-balancer-attributes map with the
// deprecated access-log and cross-zone annotations, which win on a shared
// key (LBC does not call that a conflict). nil: none.
func (b *builder) lbAttributes() (map[string]string, error) {
	out := maps.Clone(b.cfg.LoadBalancerAttrs)
	if p, ok := out[attrDNSClientRouting]; ok {
		switch p {
		case routingAnyZone, routingPartialZoneAffine, routingZoneAffine:
		default:
			return nil, fmt.Errorf("invalid dns_record.client_routing_policy set in annotation %s: got '%s' expected one of ['%s', '%s', '%s']",
				annotations.SvcLoadBalancerAttributes, p, routingAnyZone, routingPartialZoneAffine, routingZoneAffine)
		}
	}
	set := func(k, v string) {
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	// Only an enabled access log is written (false leaves AWS's value),
	// and the bucket settings only with it, as LBC does.
	if e := b.cfg.AccessLogEnabled; e != nil && *e {
		set(attrAccessLogsEnabled, "true")
		if v := b.cfg.AccessLogBucket; v != nil {
			set(attrAccessLogsBucket, *v)
		}
		if v := b.cfg.AccessLogPrefix; v != nil {
			set(attrAccessLogsPrefix, *v)
		}
	}
	if c := b.cfg.CrossZone; c != nil {
		set(attrCrossZone, strconv.FormatBool(*c))
	}
	return out, nil
}

// tgAttributes are one Service port's target-group attributes: proxy
// protocol off, then target-group-attributes, then its .<port> variant
// (an empty value there keeps the general one), then
// proxy-protocol-per-target-group (on for the ports it lists, off for the
// others), then proxy-protocol "*" (on everywhere). An empty
// proxy_protocol_v2.enabled is left out (AWS's value stays).
func (b *builder) tgAttributes(port int32) (map[string]string, error) {
	out := map[string]string{AttrProxyProtocolV2: "false"}
	general, err := checkTGAttributes(annotations.SvcTargetGroupAttributes, b.cfg.TargetGroupAttrs)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, general)
	key := annotations.SvcTargetGroupAttributes + "." + itoa(port)
	specific, err := checkTGAttributes(key, b.cfg.TargetGroupAttrsByPort[itoa(port)])
	if err != nil {
		return nil, err
	}
	for k, v := range specific {
		if v != "" {
			out[k] = v
		}
	}
	if raw := b.cfg.ProxyProtocolPerTG; raw != nil {
		on := false
		for p := range strings.SplitSeq(*raw, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if _, err := strconv.Atoi(p); err != nil {
				return nil, fmt.Errorf("invalid port number in proxy-protocol-per-target-group: %v (annotation %s)", p, annotations.SvcProxyProtocolPerTG)
			}
			on = on || p == itoa(port)
		}
		out[AttrProxyProtocolV2] = strconv.FormatBool(on)
	}
	if b.cfg.ProxyProtocol == "*" {
		out[AttrProxyProtocolV2] = "true"
	}
	if out[AttrProxyProtocolV2] == "" {
		delete(out, AttrProxyProtocolV2)
	}
	return out, nil
}

// checkTGAttributes is LBC's check of a target-group-attributes map:
// preserve_client_ip.enabled must be a bool.
func checkTGAttributes(key string, attrs map[string]string) (map[string]string, error) {
	if v, ok := attrs[AttrPreserveClientIP]; ok {
		if _, err := strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("failed to parse attribute %s=%s: %w (annotation %s)", AttrPreserveClientIP, v, err, key)
		}
	}
	return attrs, nil
}

// ServiceDeletionProtected is LBC's refusal to tear down a Service's NLB
// (the Service deleted, or no longer one lbsg handles, while it still has
// the finalizer) while its aws-load-balancer-attributes enable deletion
// protection; nil otherwise. A map or value that does not parse is an
// error too, as in LBC.
func ServiceDeletionProtected(svc *corev1.Service) error {
	raw, ok := svc.Annotations[annotations.SvcLoadBalancerAttributes]
	if !ok {
		return nil
	}
	cfg, err := annotations.ParseService(map[string]string{annotations.SvcLoadBalancerAttributes: raw})
	if err != nil {
		return err
	}
	v, ok := cfg.LoadBalancerAttrs[AttrDeletionProtection]
	if !ok {
		return nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%s=%s: %w (annotation %s)", AttrDeletionProtection, v, err, annotations.SvcLoadBalancerAttributes)
	}
	if on {
		return fmt.Errorf("deletion_protection is enabled, cannot delete the service: %s", svc.Name)
	}
	return nil
}
