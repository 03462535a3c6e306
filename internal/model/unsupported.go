package model

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

// UnsupportedError is a build failure because an object asks for something
// lbsg does not do (an annotation the surface table marks unsupported, or a
// value lbsg cannot reproduce). The stack is left exactly as it is: serving
// the object with less than its manifest asks for could weaken it.
type UnsupportedError struct {
	// Keys lists, per object ("Service ns/name", "Ingress ns/name"), what
	// it carries that lbsg lacks, each as "key (what lbsg lacks)".
	Keys map[string][]string
}

func (e *UnsupportedError) Error() string {
	objs := slices.Sorted(maps.Keys(e.Keys))
	parts := make([]string, 0, len(objs))
	for _, o := range objs {
		parts = append(parts, o+": "+strings.Join(e.Keys[o], ", "))
	}
	return "unsupported by lbsg, so its load balancer is left as it is: " + strings.Join(parts, "; ")
}

// explainUnsupported renders keys with what lbsg lacks for each.
func explainUnsupported(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if e, ok := annotations.LookupSurface(k); ok && e.Lacks != "" {
			k += " (" + e.Lacks + ")"
		}
		out = append(out, k)
	}
	return out
}

// unsupportedService checks a Service handled as an NLB.
func unsupportedService(svc *corev1.Service) error {
	keys := annotations.UnsupportedKeys(svc.Annotations, annotations.OnService)
	if len(keys) == 0 {
		return nil
	}
	return &UnsupportedError{Keys: map[string][]string{
		"Service " + svc.Namespace + "/" + svc.Name: explainUnsupported(keys)}}
}

// ParamsFields lists every field of LBC v3.6.2's IngressClassParams spec
// (by JSON name) with whether lbsg applies it; a test keeps it equal to
// the CRD's fields.
var ParamsFields = map[string]bool{
	"namespaceSelector": true, "group": true, "scheme": true, "ipAddressType": true, "subnets": true,
	"certificateArn": true, "sslPolicy": true, "sslRedirectPort": true, "inboundCIDRs": true,
	"prefixListsIDs": true, "PrefixListsIDs": true, "tags": true, "targetType": true, "loadBalancerName": true,
	"loadBalancerAttributes":      true,
	"listeners":                   true,
	"minimumLoadBalancerCapacity": true,
	"ipamConfiguration":           true,
	"wafv2AclArn":                 true,
	"wafv2AclName":                true,
}

// unsupportedParams names the set fields of IngressClassParams lbsg does
// not apply.
func unsupportedParams(p *v1beta1.IngressClassParamsSpec) []string {
	if p == nil {
		return nil
	}
	var out []string
	for field, set := range map[string]bool{
		"minimumLoadBalancerCapacity": p.MinimumLoadBalancerCapacity != nil,
		"wafv2AclArn":                 p.WAFv2ACLArn != "", "wafv2AclName": p.WAFv2ACLName != "",
	} {
		if set && !ParamsFields[field] {
			out = append(out, "IngressClassParams field spec."+field)
		}
	}
	slices.Sort(out)
	return out
}

// unsupportedGroup checks every member of an IngressGroup, the
// IngressClassParams of its class, and the alb.ingress.kubernetes.io
// annotations of its backend Services (LBC reads them there too).
func unsupportedGroup(members []IngressMember) error {
	found := map[string][]string{}
	for _, m := range members {
		if fields := unsupportedParams(m.Params); len(fields) > 0 {
			found["class of Ingress "+m.Key()] = fields
		}
		if keys := annotations.UnsupportedKeys(m.Ingress.Annotations, annotations.OnIngress); len(keys) > 0 {
			found["Ingress "+m.Key()] = explainUnsupported(keys)
		}
		for _, name := range slices.Sorted(maps.Keys(m.Services)) {
			if keys := annotations.UnsupportedKeys(m.Services[name].Annotations, annotations.OnIngress); len(keys) > 0 {
				found["Service "+m.Ingress.Namespace+"/"+name+" (backend of Ingress "+m.Key()+")"] = explainUnsupported(keys)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	return &UnsupportedError{Keys: found}
}
