package webhook

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

// paramsRules is the /validate-elbv2-k8s-aws-v1beta1-ingressclassparams
// handler: LBC's checks of inboundCIDRs and subnets on create and update.
type paramsRules struct {
	dec admission.Decoder
}

func (h *paramsRules) Handle(_ context.Context, req admission.Request) admission.Response {
	switch string(req.Operation) {
	case "CREATE", "UPDATE":
	default:
		return admission.Allowed("")
	}
	p := &v1beta1.IngressClassParams{}
	if err := h.dec.Decode(req, p); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if err := ValidateIngressClassParams(p); err != nil {
		return admission.Denied(err.Error())
	}
	return admission.Allowed("")
}

// ValidateIngressClassParams applies LBC's webhook rules: every
// inboundCIDRs entry a CIDR with no host bits, and subnets either ids
// (no duplicates) or tags (at least one key, no duplicate values).
func ValidateIngressClassParams(p *v1beta1.IngressClassParams) error {
	var errs field.ErrorList
	for i, c := range p.Spec.InboundCIDRs {
		errs = append(errs, validateCIDR(c, field.NewPath("spec", "inboundCIDRs").Index(i))...)
	}
	errs = append(errs, validateSubnets(p.Spec.Subnets)...)
	return errs.ToAggregate()
}

func validateCIDR(cidr string, path *field.Path) field.ErrorList {
	ip, n, err := net.ParseCIDR(cidr)
	if err != nil {
		detail := "Could not be parsed as a CIDR"
		if !strings.Contains(cidr, "/") {
			if a := net.ParseIP(cidr); a != nil {
				if a.To4() != nil && !strings.Contains(cidr, ":") {
					detail += fmt.Sprintf(" (did you mean \"%s/32\")", cidr)
				} else {
					detail += fmt.Sprintf(" (did you mean \"%s/64\")", cidr)
				}
			}
		}
		return field.ErrorList{field.Invalid(path, cidr, detail)}
	}
	if !ip.Equal(n.IP) {
		size, _ := n.Mask.Size()
		return field.ErrorList{field.Invalid(path, cidr, fmt.Sprintf("Network contains bits outside prefix (did you mean \"%s/%d\")", n.IP, size))}
	}
	return nil
}

func validateSubnets(s *v1beta1.SubnetSelector) field.ErrorList {
	if s == nil {
		return nil
	}
	path := field.NewPath("spec", "subnets")
	switch {
	case s.IDs == nil && s.Tags == nil:
		return field.ErrorList{field.Required(path, "must have either `ids` or `tags`")}
	case s.IDs != nil && s.Tags != nil:
		return field.ErrorList{field.Forbidden(path.Child("tags"), "may not have both `ids` and `tags` set")}
	}
	var errs field.ErrorList
	if s.IDs != nil {
		seen := map[v1beta1.SubnetID]bool{}
		for i, id := range s.IDs {
			if seen[id] {
				errs = append(errs, field.Duplicate(path.Child("ids").Index(i), id))
			}
			seen[id] = true
		}
		return errs
	}
	if len(s.Tags) == 0 {
		errs = append(errs, field.Required(path.Child("tags"), "must have at least one tag key"))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		vs := s.Tags[k]
		seen := map[string]bool{}
		for i, v := range vs {
			if seen[v] {
				errs = append(errs, field.Duplicate(path.Child("tags").Key(k).Index(i), v))
			}
			seen[v] = true
		}
	}
	return errs
}
