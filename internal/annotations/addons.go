package annotations

import "strconv"

// The Ingress annotations of an ALB's add-ons: WAF web ACLs and Shield
// Advanced (LBC's Addons section).
const (
	IngWAFv2ACLARN  = IngressPrefix + "wafv2-acl-arn"
	IngWAFv2ACLName = IngressPrefix + "wafv2-acl-name"
	IngWAFACLID     = IngressPrefix + "waf-acl-id"
	// IngWebACLID is waf-acl-id's deprecated name, read only when
	// waf-acl-id is absent.
	IngWebACLID                 = IngressPrefix + "web-acl-id"
	IngShieldAdvancedProtection = IngressPrefix + "shield-advanced-protection"
)

// AddonNone is the value of wafv2-acl-arn, wafv2-acl-name (and the
// IngressClassParams fields) and waf-acl-id that removes an association.
const AddonNone = "none"

// IngressAddons is one Ingress's add-on annotations as LBC reads them: an
// absent or empty string annotation is "" (no ask).
type IngressAddons struct {
	WAFv2ACLARN  string
	WAFv2ACLName string
	// WAFACLID is waf-acl-id, or web-acl-id when waf-acl-id is absent (a
	// present but empty waf-acl-id hides web-acl-id, as in LBC).
	WAFACLID string
	// Shield is nil when shield-advanced-protection is absent.
	Shield *bool
}

// ParseIngressAddons reads an Ingress's add-on annotations; a
// shield-advanced-protection that is not a bool is an error with LBC's
// message.
func ParseIngressAddons(ann map[string]string) (IngressAddons, error) {
	a := IngressAddons{WAFv2ACLARN: ann[IngWAFv2ACLARN], WAFv2ACLName: ann[IngWAFv2ACLName]}
	if id, ok := ann[IngWAFACLID]; ok {
		a.WAFACLID = id
	} else {
		a.WAFACLID = ann[IngWebACLID]
	}
	if raw, ok := ann[IngShieldAdvancedProtection]; ok {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return a, newErr(IngShieldAdvancedProtection, raw, err, "failed to parse bool annotation, %s: %s: %v", IngShieldAdvancedProtection, raw, err)
		}
		a.Shield = &b
	}
	return a, nil
}
