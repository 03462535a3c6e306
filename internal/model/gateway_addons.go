package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// LBC's Gateway add-ons (pkg/addon) and the Gateway annotations recording
// which ones are enabled (controllers/gateway/addons.go): an add-on whose
// annotation says "true" was applied, so a configuration that no longer
// asks for it removes it; one that never was is left alone.
const (
	GatewayAddonWAFv2               = "WAFv2"
	GatewayAddonShield              = "Shield"
	GatewayAddonProvisionedCapacity = "ProvisionedCapacity"
	// GatewayAddonAnnotationPrefix + the lower-cased add-on name.
	GatewayAddonAnnotationPrefix = "gateway.k8s.aws.addon."
)

// GatewayAddonAnnotation is the Gateway annotation recording addon.
func GatewayAddonAnnotation(addon string) string {
	return GatewayAddonAnnotationPrefix + strings.ToLower(addon)
}

// GatewayAddons lists the add-ons of a Gateway's load balancer type (ALB:
// WAFv2, Shield, ProvisionedCapacity; NLB: ProvisionedCapacity), as LBC.
func GatewayAddons(alb bool) []string {
	if alb {
		return []string{GatewayAddonWAFv2, GatewayAddonShield, GatewayAddonProvisionedCapacity}
	}
	return []string{GatewayAddonProvisionedCapacity}
}

// ActiveGatewayAddons reads the add-ons a Gateway's annotations record as
// enabled ("true"; anything else is off, as LBC parses it).
func ActiveGatewayAddons(gatewayAnnotations map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, a := range GatewayAddons(true) {
		if on, err := strconv.ParseBool(gatewayAnnotations[GatewayAddonAnnotation(a)]); err == nil && on {
			out[a] = true
		}
	}
	return out
}

// EnabledGatewayAddons are the add-ons a Gateway's desired Stack turns on:
// a web ACL associated, a Shield protection, a non-zero capacity
// reservation.
func EnabledGatewayAddons(st Stack) map[string]bool {
	out := map[string]bool{}
	if w := st.Addons.WAFv2; w != nil && *w != "" {
		out[GatewayAddonWAFv2] = true
	}
	if s := st.Addons.Shield; s != nil && *s {
		out[GatewayAddonShield] = true
	}
	if lb := st.LoadBalancer; lb != nil && lb.MinimumCapacity != nil && *lb.MinimumCapacity > 0 {
		out[GatewayAddonProvisionedCapacity] = true
	}
	return out
}

// gatewayAddons fills the load balancer's add-ons from the configuration
// (LBC's gateway addon builder and addL7Fields): a web ACL, Shield and
// the IPAM and customer-owned pools on ALBs (refused on NLBs, where LBC
// drops them without a word); the capacity reservation on both. An
// add-on the configuration no longer asks for is removed only when the
// Gateway records it as enabled (gw.ActiveAddons), else left alone.
func (b *gwBuilder) gatewayAddons(lb *LoadBalancer) error {
	cfg, active := b.gw.Config, b.gw.ActiveAddons
	if !b.gw.ALB {
		var l7 []string
		for _, f := range []struct {
			set  bool
			name string
		}{{cfg.WAFv2 != nil, "wafV2"}, {cfg.ShieldConfiguration != nil, "shieldConfiguration"},
			{cfg.IPv4IPAMPoolId != nil, "ipv4IPAMPoolId"}, {cfg.CustomerOwnedIpv4Pool != nil, "customerOwnedIpv4Pool"}} {
			if f.set {
				l7 = append(l7, f.name)
			}
		}
		if len(l7) > 0 {
			return fmt.Errorf("%s only apply to Application Load Balancer Gateways", strings.Join(l7, ", "))
		}
	}
	if b.gw.ALB {
		acl := ""
		if cfg.WAFv2 != nil {
			acl = cfg.WAFv2.ACL
		}
		if acl != "" && !strings.HasPrefix(acl, "arn:") {
			return fmt.Errorf("wafV2.webACL must be a web ACL ARN (LBC associates it as an ARN): %q", acl)
		}
		if acl != "" || active[GatewayAddonWAFv2] {
			b.st.Addons.WAFv2 = &acl
		}
		on := cfg.ShieldConfiguration != nil && cfg.ShieldConfiguration.Enabled
		if on || active[GatewayAddonShield] {
			b.st.Addons.Shield = &on
		}
		if p := cfg.IPv4IPAMPoolId; p != nil {
			lb.IPAMPool = *p
		}
		if p := cfg.CustomerOwnedIpv4Pool; p != nil {
			if *p == "" {
				return fmt.Errorf("cannot use empty value for customerOwnedIpv4Pool")
			}
			lb.CustomerOwnedPool = *p
		}
	}
	if b.d.NoCapacityReservation {
		return nil
	}
	var units int32
	if c := cfg.MinimumLoadBalancerCapacity; c != nil {
		units = c.CapacityUnits
	}
	if units < 0 {
		return fmt.Errorf("minimumLoadBalancerCapacity.capacityUnits must not be negative: %d", units)
	}
	if units != 0 || active[GatewayAddonProvisionedCapacity] {
		lb.MinimumCapacity = &units
	}
	return nil
}

// GatewayTrustStoreNames are the trust store names (not ARNs) the
// configuration's mutualAuthentication entries name, sorted; the caller
// resolves them into Facts.TrustStoreARNs.
func GatewayTrustStoreNames(cfg *gwconfig.LoadBalancerConfigurationSpec) []string {
	if cfg == nil || cfg.ListenerConfigurations == nil {
		return nil
	}
	var out []string
	for _, lc := range *cfg.ListenerConfigurations {
		ma := lc.MutualAuthentication
		if ma == nil || ma.Mode != annotations.MTLSVerify || ma.TrustStore == nil {
			continue
		}
		if ts := *ma.TrustStore; ts != "" && !strings.HasPrefix(ts, "arn:") && !slices.Contains(out, ts) {
			out = append(out, ts)
		}
	}
	slices.Sort(out)
	return out
}

// gatewayMutualAuth sets each built listener's mutual TLS from its
// configuration entry (LBC's buildMutualAuthenticationAttributes): ALB
// HTTPS listeners only (LBC would also send it to an NLB TLS listener,
// which AWS refuses, and drop it on others: lbsg refuses both); verify
// needs a trust store (a name is resolved through f.TrustStoreARNs),
// ignoreClientCertificateExpiry defaults to false and
// advertiseTrustStoreCaNames to off (AWS's default; LBC sends an empty
// value).
func (b *gwBuilder) gatewayMutualAuth() error {
	for i := range b.st.Listeners {
		ls := &b.st.Listeners[i]
		lc := b.listenerConfig(ls.Protocol, ls.Port)
		if lc == nil || lc.MutualAuthentication == nil {
			continue
		}
		if !b.gw.ALB || ls.Protocol != ProtoHTTPS {
			return fmt.Errorf("listener %s:%d: mutualAuthentication applies to HTTPS listeners of Application Load Balancer Gateways only", ls.Protocol, ls.Port)
		}
		ma := lc.MutualAuthentication
		m := &MutualAuth{Mode: ma.Mode}
		switch ma.Mode {
		case annotations.MTLSOff, annotations.MTLSPassthrough:
			if ma.TrustStore != nil || ma.IgnoreClientCertificateExpiry != nil || ma.AdvertiseTrustStoreCaNames != nil {
				return fmt.Errorf("listener %s:%d: Mutual Authentication mode 'off' or 'passthrough' does not support 'trustStore', 'ignoreClientCertificateExpiry' or 'advertiseTrustStoreCaNames'", ls.Protocol, ls.Port)
			}
		case annotations.MTLSVerify:
			ts := ""
			if ma.TrustStore != nil {
				ts = *ma.TrustStore
			}
			switch {
			case ts == "":
				return fmt.Errorf("listener %s:%d: mutualAuthentication mode verify needs a trustStore", ls.Protocol, ls.Port)
			case strings.HasPrefix(ts, "arn:"):
				m.TrustStoreARN = ts
			default:
				arn, ok := b.f.TrustStoreARNs[ts]
				if !ok {
					return fmt.Errorf("couldn't find TrustStore with name %s", ts)
				}
				m.TrustStoreARN = arn
			}
			m.IgnoreClientCertificateExpiry = ma.IgnoreClientCertificateExpiry != nil && *ma.IgnoreClientCertificateExpiry
			m.AdvertiseTrustStoreCaNames = "off"
			if a := ma.AdvertiseTrustStoreCaNames; a != nil {
				if *a != "on" && *a != "off" {
					return fmt.Errorf("listener %s:%d: advertiseTrustStoreCaNames must be on or off: %q", ls.Protocol, ls.Port, *a)
				}
				m.AdvertiseTrustStoreCaNames = *a
			}
		default:
			return fmt.Errorf("listener %s:%d: mutualAuthentication mode must be off, passthrough or verify: %q", ls.Protocol, ls.Port, ma.Mode)
		}
		ls.MutualAuth = m
	}
	return nil
}

// gatewayTargetControlPort is LBC's buildTargetControlPort: the
// configuration's port, for HTTP and HTTPS target groups of ip targets
// only.
func gatewayTargetControlPort(props *gwconfig.TargetGroupProps, proto, targetType string) (*int32, error) {
	if props == nil || props.TargetControlPort == nil {
		return nil, nil
	}
	if proto != ProtoHTTP && proto != ProtoHTTPS {
		return nil, fmt.Errorf("target control port is only supported for HTTP and HTTPS protocols, got: %s", proto)
	}
	if targetType == annotations.TargetTypeInstance {
		return nil, fmt.Errorf("target control port is not supported for instance target target group")
	}
	p := *props.TargetControlPort
	return &p, nil
}
