package model

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Addons are an ALB's WAF and Shield Advanced settings as LBC v3.6.2
// builds them (pkg/ingress/model_build_load_balancer_addons.go). A nil
// field means no member asks: whatever AWS has is left alone (WAF or
// Shield may be managed outside). A WAF field set to "" removes the
// association; Shield false removes the protection lbsg (or LBC) created
// and no other.
type Addons struct {
	// WAFv2 is the web ACL ARN to associate.
	WAFv2 *string `json:",omitempty"`
	// WAFRegional is the WAF Classic web ACL ID to associate.
	WAFRegional *string `json:",omitempty"`
	// Shield asks for a Shield Advanced protection (true) or none.
	Shield *bool `json:",omitempty"`
}

// IsZero reports that no member asks for any add-on.
func (a Addons) IsZero() bool { return a.WAFv2 == nil && a.WAFRegional == nil && a.Shield == nil }

// IngressWebACLNames lists the WAFv2 web ACL names the members ask for
// (IngressClassParams wafv2AclName beats the wafv2-acl-name annotation;
// "none" is no name), sorted: what the caller resolves to ARNs for
// Facts.WebACLARNs.
func IngressWebACLNames(members []IngressMember) []string {
	var out []string
	for _, m := range members {
		name := wafv2Name(m)
		if name != "" && name != annotations.AddonNone && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func wafv2Name(m IngressMember) string {
	if m.Params != nil && m.Params.WAFv2ACLName != "" {
		return m.Params.WAFv2ACLName
	}
	return m.Ingress.Annotations[annotations.IngWAFv2ACLName]
}

// sortedSet renders a set of strings as LBC does in its conflict errors.
func sortedSet(s map[string]bool) []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// buildAddons merges the group's add-on asks over every member given (as
// LBC: members conflicting on one add-on fail the whole group, nothing is
// changed). A web ACL name missing from f.WebACLARNs is an error.
func buildAddons(members []IngressMember, f Facts) (Addons, error) {
	var a Addons
	parsed := make([]annotations.IngressAddons, len(members))
	for i, m := range members {
		p, err := annotations.ParseIngressAddons(m.Ingress.Annotations)
		if err != nil {
			return a, err
		}
		parsed[i] = p
	}
	var err error
	if a.WAFv2, err = buildWAFv2(members, parsed, f); err != nil {
		return a, err
	}
	ids := map[string]bool{}
	for _, p := range parsed {
		if p.WAFACLID != "" {
			ids[p.WAFACLID] = true
		}
	}
	switch {
	case len(ids) > 1:
		return a, fmt.Errorf("conflicting WAFClassic WebACL IDs: %v", sortedSet(ids))
	case len(ids) == 1:
		id := sortedSet(ids)[0]
		if id == annotations.AddonNone {
			id = ""
		}
		a.WAFRegional = &id
	}
	shield := map[bool]bool{}
	for _, p := range parsed {
		if p.Shield != nil {
			shield[*p.Shield] = true
		}
	}
	switch {
	case len(shield) > 1:
		return a, errors.New("conflicting enable shield advanced protection")
	case len(shield) == 1:
		on := shield[true]
		a.Shield = &on
	}
	return a, nil
}

func buildWAFv2(members []IngressMember, parsed []annotations.IngressAddons, f Facts) (*string, error) {
	names := map[string]bool{}
	for _, m := range members {
		if n := wafv2Name(m); n != "" {
			names[n] = true
		}
	}
	arn := ""
	if len(names) == 0 {
		arns := map[string]bool{}
		for i, m := range members {
			switch {
			case m.Params != nil && m.Params.WAFv2ACLArn != "":
				arns[m.Params.WAFv2ACLArn] = true
			case parsed[i].WAFv2ACLARN != "":
				arns[parsed[i].WAFv2ACLARN] = true
			}
		}
		switch {
		case len(arns) == 0:
			return nil, nil
		case len(arns) > 1:
			return nil, fmt.Errorf("conflicting WAFv2 WebACL ARNs: %v", sortedSet(arns))
		}
		arn = sortedSet(arns)[0]
	}
	if len(names) > 1 {
		return nil, fmt.Errorf("conflicting WAFv2 WebACL names: %v", sortedSet(names))
	}
	if len(names) == 1 {
		if name := sortedSet(names)[0]; name != annotations.AddonNone {
			found, ok := f.WebACLARNs[name]
			if !ok {
				from := annotations.IngWAFv2ACLName
				for _, m := range members {
					if m.Params != nil && m.Params.WAFv2ACLName == name {
						from = "IngressClassParams spec.wafv2AclName"
					}
				}
				return nil, &WebACLNotFoundError{Name: name, From: from}
			}
			arn = found
		}
	}
	if arn == annotations.AddonNone {
		arn = ""
	}
	return &arn, nil
}

// WebACLNotFoundError is a wafv2-acl-name (or wafv2AclName) that names no
// REGIONAL web ACL of the account: the group is not built, so nothing is
// created or changed without the ACL it asks for.
type WebACLNotFoundError struct {
	Name string
	From string // the annotation or IngressClassParams field naming it
}

// Error is LBC's message, with where the name comes from.
func (e *WebACLNotFoundError) Error() string {
	return "couldn't find WAFv2 WebACL with name: " + e.Name + " (" + e.From + ")"
}
