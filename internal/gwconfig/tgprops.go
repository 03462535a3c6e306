package gwconfig

import (
	"reflect"
)

// Ranks of a partial route match (LBC's longest match): kind and
// namespace beat kind alone.
const (
	rankKindNamespace = 2
	rankKind          = 1
)

// ForRoute is the configuration's target-group settings for a route of
// kind in namespace ns named name, as LBC builds them: the routeConfigurations
// entry that matches it best (kind, namespace and name; else kind and
// namespace of an entry naming no route; else kind of an entry naming no
// namespace either) merged over defaultConfiguration. A nil s has none.
func (s *TargetGroupConfigurationSpec) ForRoute(kind, ns, name string) *TargetGroupProps {
	if s == nil {
		return nil
	}
	var matched *TargetGroupProps
	best := 0
	for i := range s.RouteConfigurations {
		rc := &s.RouteConfigurations[i]
		id := rc.RouteIdentifier
		kindEq, nsEq := id.Kind == kind, id.Namespace == ns
		if kindEq && nsEq && id.Name == name {
			matched = &rc.TargetGroupProps
			break
		}
		if id.Name != "" {
			continue
		}
		switch {
		case kindEq && nsEq && rankKindNamespace > best:
			matched, best = &rc.TargetGroupProps, rankKindNamespace
		case kindEq && id.Namespace == "" && rankKind > best:
			matched, best = &rc.TargetGroupProps, rankKind
		}
	}
	def := s.DefaultConfiguration
	if matched == nil {
		return &def
	}
	return MergeTargetGroupProps(matched, &def)
}

// MergeTargetGroupProps merges two target-group settings as LBC does: each
// field from hi when it sets it, else from lo; tags and attributes are
// unions where hi's values win (Tags is the one pointer field that is not
// take-one). Either may be nil.
func MergeTargetGroupProps(hi, lo *TargetGroupProps) *TargetGroupProps {
	switch {
	case hi == nil:
		return lo
	case lo == nil:
		return hi
	}
	// Every pointer field is take-one (by reflection, so a field added to
	// TargetGroupProps merges too).
	out := &TargetGroupProps{}
	ov, hv, lv := reflect.ValueOf(out).Elem(), reflect.ValueOf(hi).Elem(), reflect.ValueOf(lo).Elem()
	for i := range ov.NumField() {
		if ov.Field(i).Kind() != reflect.Pointer {
			continue
		}
		if f := hv.Field(i); !f.IsNil() {
			ov.Field(i).Set(f)
		} else {
			ov.Field(i).Set(lv.Field(i))
		}
	}
	out.Tags = unionTags(lo.Tags, hi.Tags)
	out.TargetGroupAttributes = unionAttributes(lo.TargetGroupAttributes, hi.TargetGroupAttributes)
	return out
}

// MergeDefaultTargetGroups merges the default TargetGroupConfigurations of
// a GatewayClass's and a Gateway's LoadBalancerConfigurations as LBC does:
// the class's mergingMode (default prefer-gateway-class) picks the winner,
// whose routeConfigurations are kept, and the two defaultConfigurations
// merge with the winner's fields first. Either may be nil.
func MergeDefaultTargetGroups(class, gateway *TargetGroupConfigurationSpec, mergingMode *string) *TargetGroupConfigurationSpec {
	switch {
	case class == nil:
		return gateway
	case gateway == nil:
		return class
	}
	hi, lo := class, gateway
	if mergingMode != nil && *mergingMode == MergeModePreferGateway {
		hi, lo = gateway, class
	}
	out := *hi
	out.DefaultConfiguration = *MergeTargetGroupProps(&hi.DefaultConfiguration, &lo.DefaultConfiguration)
	return &out
}
