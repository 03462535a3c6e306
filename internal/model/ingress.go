package model

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

// IngressMember is one active Ingress of an IngressGroup with the cluster
// objects the ALB builder reads for it.
type IngressMember struct {
	Ingress *networkingv1.Ingress
	// Params is the spec of the IngressClassParams of the Ingress's class;
	// nil when the class has none. Its set fields beat the annotations.
	Params *v1beta1.IngressClassParamsSpec
	// Services referenced by the Ingress, by name (they live in the
	// Ingress's namespace); a missing name is a missing Service.
	Services map[string]*corev1.Service
	// Endpoints of those Services by Service name, for ip targets.
	Endpoints map[string][]Endpoint
	// Secrets are the Secrets named by the auth-idp-oidc annotations of the
	// Ingress and its backend Services (AuthSecretNames), by name, as the
	// controller read them; a name missing here was not found. SecretErrs
	// holds the ones that could not be read (forbidden, or lacking
	// --required-secrets-label), by name.
	Secrets    map[string]*corev1.Secret
	SecretErrs map[string]error
}

// Key is the member's "namespace/name", the key of BuildIngressGroup's
// member errors.
func (m IngressMember) Key() string { return m.Ingress.Namespace + "/" + m.Ingress.Name }

// ErrNoUsableIngress is BuildIngressGroup's group error when members were
// given but every one of them failed: the stack is left as it is rather
// than torn down.
var ErrNoUsableIngress = errors.New("no Ingress of the group could be built")

// ErrTooManySecurityGroups: AWS accepts at most MaxLBSecurityGroups SGs on
// a load balancer; lbsg refuses before calling AWS.
var ErrTooManySecurityGroups = errors.New("too many security groups for a load balancer")

// MaxLBSecurityGroups is AWS's limit of SGs per load balancer.
const MaxLBSecurityGroups = 5

// IngressGroupID is the stack of an Ingress (lbc-load-balancers.md §6.3):
// the explicit group of its IngressClassParams spec.group.name (params may
// be nil), else of its group.name annotation, else the implicit group
// ns/name. An invalid group name is an error (the Ingress leaves its group).
func IngressGroupID(ing *networkingv1.Ingress, params *v1beta1.IngressClassParamsSpec) (naming.Stack, error) {
	if params != nil && params.Group != nil && params.Group.Name != "" {
		if err := annotations.ValidateGroupName(params.Group.Name); err != nil {
			return naming.Stack{}, fmt.Errorf("invalid ingress group: %w", err)
		}
		return naming.ExplicitIngressStack(params.Group.Name), nil
	}
	if raw, ok := ing.Annotations[annotations.IngGroupName]; ok {
		if err := annotations.ValidateGroupName(raw); err != nil {
			return naming.Stack{}, fmt.Errorf("invalid ingress group: %w", err)
		}
		return naming.ExplicitIngressStack(raw), nil
	}
	return naming.ImplicitIngressStack(ing.Namespace, ing.Name), nil
}

// OrderMembers sorts members by group.order, ties by "namespace/name"
// (§6.3). Members whose order annotation is invalid are left out and
// returned in errs by Key.
func OrderMembers(members []IngressMember) (ordered []IngressMember, errs map[string]error) {
	type item struct {
		m     IngressMember
		order int32
	}
	var items []item
	for _, m := range members {
		o, err := annotations.ParseGroupOrder(m.Ingress.Namespace, m.Ingress.Name, m.Ingress.Annotations)
		if err != nil {
			if errs == nil {
				errs = map[string]error{}
			}
			errs[m.Key()] = err
			continue
		}
		items = append(items, item{m, o})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.order, b.order), strings.Compare(a.m.Key(), b.m.Key()))
	})
	for _, it := range items {
		ordered = append(ordered, it.m)
	}
	return ordered, errs
}

// memberError is a failure attributed to one member: the member is left
// out and the rest of the group is built again.
type memberError struct {
	key string
	err error
}

func (e *memberError) Error() string { return e.key + ": " + e.err.Error() }
func (e *memberError) Unwrap() error { return e.err }

func blame(m *member, err error) error { return &memberError{key: m.key, err: err} }

// BuildIngressGroup computes the desired ALB Stack of IngressGroup stack
// from its active members (any order; they are sorted by OrderMembers).
//
// memberErrs holds, by "namespace/name", the members left out: their own
// annotations (or backends, paths) are invalid, or they conflict with
// members earlier in group order (scheme, name, IP address type, subnets,
// security groups, tags, listen-port protocol, inbound CIDRs, SSL settings,
// default backend). The later member is the one at fault; the rest of the
// group is built without it. err is a group-level failure (subnets,
// security-group resolution or limits, rule quota): nothing should change.
//
// No members gives the empty stack (teardown). Members given but none
// usable gives ErrNoUsableIngress, so a typo never deletes an ALB.
//
// A group any member of which asks for what lbsg does not do fails with an
// *UnsupportedError, as a group: nothing should change.
func BuildIngressGroup(stack naming.Stack, members []IngressMember, f Facts, d Defaults) (Stack, []Warning, map[string]error, error) {
	if err := UnsupportedIngressGroup(members, d); err != nil {
		return Stack{}, nil, map[string]error{}, err
	}
	st, warns, memberErrs, err := buildIngressGroup(stack, members, f, d)
	if err != nil {
		return Stack{}, nil, memberErrs, err
	}
	return st, warns, memberErrs, nil
}

// UnsupportedIngressGroup is BuildIngressGroup's first check: an
// *UnsupportedError when a member asks for what lbsg does not do (nothing
// of the group may then be written, certificates included).
func UnsupportedIngressGroup(members []IngressMember, d Defaults) error {
	if err := unsupportedGroup(members); err != nil {
		return err
	}
	return unsupportedCertificateManagement(members, d)
}

// buildIngressGroup is BuildIngressGroup without the unsupported gate.
func buildIngressGroup(stack naming.Stack, members []IngressMember, f Facts, d Defaults) (st Stack, warns []Warning, memberErrs map[string]error, err error) {
	memberErrs = map[string]error{}
	if len(members) == 0 {
		return Stack{ID: stack}, nil, memberErrs, nil
	}
	ordered, orderErrs := OrderMembers(members)
	for k, e := range orderErrs {
		memberErrs[k] = e
	}
	var cands []*member
	for _, im := range ordered {
		m, err := newMember(stack, im, f, d)
		if err != nil {
			memberErrs[im.Key()] = err
			continue
		}
		cands = append(cands, m)
	}
	for len(cands) > 0 {
		b := &albBuilder{stack: stack, f: f, d: d, st: Stack{ID: stack}}
		err := b.build(cands)
		if me := (*memberError)(nil); errors.As(err, &me) {
			memberErrs[me.key] = me.err
			cands = slices.DeleteFunc(cands, func(m *member) bool { return m.key == me.key })
			continue
		}
		if err != nil {
			return Stack{}, nil, memberErrs, err
		}
		// Add-ons are the group's, from every member given (LBC): a
		// conflict or an unknown ACL changes nothing.
		if b.st.Addons, err = buildAddons(ordered, f); err != nil {
			return Stack{}, nil, memberErrs, err
		}
		return b.st, b.warnings, memberErrs, nil
	}
	return Stack{}, nil, memberErrs, fmt.Errorf("%w %s", ErrNoUsableIngress, stack.ID())
}

// IngressSecurityGroupItems lists every item of the members'
// security-groups and frontend-nlb-security-groups annotations, sorted and de-duplicated: what the caller
// looks up (by ID, or by Name tag in the VPC) for Facts.SecurityGroupLookup.
func IngressSecurityGroupItems(members []IngressMember) []string {
	var out []string
	for _, m := range members {
		for _, key := range []string{annotations.IngSecurityGroups, annotations.IngFrontendNLBSecurityGroup} {
			if raw, ok := m.Ingress.Annotations[key]; ok {
				for it := range strings.SplitSeq(raw, ",") {
					if it = strings.TrimSpace(it); it != "" {
						out = append(out, it)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IngressDeletionProtected is LBC's refusal to let a deleting (or leaving)
// member go while its own load-balancer-attributes enable deletion
// protection (lbc-load-balancers.md §7, scenario 21); nil otherwise.
func IngressDeletionProtected(ing *networkingv1.Ingress) error {
	cfg, _ := annotations.ParseIngress(ing) // other annotation errors do not matter here
	if cfg.LoadBalancerAttrs["deletion_protection.enabled"] == "true" {
		return fmt.Errorf("deletion_protection is enabled, cannot delete the ingress: %s", ing.Name)
	}
	return nil
}
