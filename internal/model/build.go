package model

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// LBC's texts.
var (
	errConflictingSGConfig = errors.New("conflicting security groups configuration")
	errBackendSGRequired   = errors.New("backendSG feature is required to manage worker node SG rules when frontendSG is manually specified")
)

// Handled reports whether lbsg handles svc under d (lbc-load-balancers.md §5.1).
func Handled(svc *corev1.Service, d Defaults) bool {
	return annotations.IsNLBService(svc, d.LoadBalancerClass, d.ServiceTypeLoadBalancerOnly)
}

// Empty is the empty stack of a Service: deploying it deletes everything.
func Empty(svc *corev1.Service) Stack {
	return Stack{ID: naming.ServiceStack(svc.Namespace, svc.Name), UID: string(svc.UID)}
}

// Build computes the desired Stack of a handled Service.
func Build(svc *corev1.Service, f Facts, d Defaults) (Stack, []Warning, error) {
	if err := unsupportedService(svc); err != nil {
		return Stack{}, nil, err
	}
	return buildService(svc, f, d)
}

// buildService is Build without the unsupported-annotation gate: what the
// annotations would model (tests of features lbsg cannot apply yet).
func buildService(svc *corev1.Service, f Facts, d Defaults) (Stack, []Warning, error) {
	cfg, err := annotations.ParseService(svc.Annotations)
	if err != nil {
		return Stack{}, nil, fmt.Errorf("service %s/%s: %w", svc.Namespace, svc.Name, err)
	}
	b := &builder{svc: svc, cfg: cfg, f: f, d: d, st: Empty(svc)}
	if err := b.build(); err != nil {
		return Stack{}, nil, err
	}
	return b.st, b.warnings, nil
}

type builder struct {
	svc      *corev1.Service
	cfg      annotations.Service
	f        Facts
	d        Defaults
	st       Stack
	warnings []Warning
}

func (b *builder) warn(reason, format string, args ...any) {
	b.warnings = append(b.warnings, Warning{Reason: reason, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) build() error {
	userTags := naming.MergeUserTags(b.d.DefaultTags, b.cfg.AdditionalTags, b.d.DefaultTagsLowPriority)
	if err := naming.ValidateUserTags(b.cfg.AdditionalTags, b.d.ExternalManagedTags, "Service"); err != nil {
		return err
	}
	lb := &LoadBalancer{
		Scheme:        b.scheme(),
		IPAddressType: annotations.IPAddressTypeIPv4,
		Tags:          naming.WithTracking(naming.TrackingTags(b.d.ClusterName, b.st.ID, naming.ResourceLoadBalancer), userTags),
	}
	if b.cfg.DualStack() {
		lb.IPAddressType = annotations.IPAddressTypeDualStack
	}
	lb.Name = b.cfg.Name
	if lb.Name == "" {
		lb.Name = naming.ServiceLBName(b.d.ClusterName, b.svc.Namespace, b.svc.Name, string(b.svc.UID), lb.Scheme)
	}
	subnets, err := b.subnets(lb.Scheme)
	if err != nil {
		return err
	}
	lb.Subnets = subnets
	if err := b.addresses(lb); err != nil {
		return err
	}
	if !b.d.NoCapacityReservation {
		lb.MinimumCapacity = b.cfg.MinimumCapacity
	}
	b.st.LoadBalancer = lb

	source, err := b.securityGroups(lb, userTags)
	if err != nil {
		return err
	}
	if v := b.cfg.PrivateLinkInbound; v != "" {
		if len(lb.SecurityGroups) > 0 {
			lb.PrivateLinkInbound = v
		} else {
			b.warn(WarnLBWithoutSGs, "load balancer %s has no security groups, so %s is ignored", lb.Name, annotations.SvcPrivateLinkInboundSGRules)
		}
	}
	if err := b.targetGroups(userTags); err != nil {
		return err
	}
	if err := b.attributes(); err != nil {
		return err
	}
	switch {
	case source != 0:
		b.targetRules(source)
	case len(lb.SecurityGroups) == 0:
		b.legacyTargetRules(lb)
	}
	return nil
}

// scheme: annotation, deprecated internal bool, existing LB,
// --default-load-balancer-scheme, internal.
func (b *builder) scheme() string {
	switch {
	case b.cfg.Scheme != "":
		return b.cfg.Scheme
	case b.cfg.Internal != nil && *b.cfg.Internal:
		return naming.SchemeInternal
	case b.cfg.Internal != nil:
		return naming.SchemeInternetFacing
	case b.f.ExistingLB != nil && b.f.ExistingLB.Scheme != "":
		return b.f.ExistingLB.Scheme
	case b.d.DefaultScheme != "":
		return b.d.DefaultScheme
	}
	return naming.SchemeInternal
}

// securityGroups fills the LB's SG list and the managed SG, and returns the
// source of target rules (0: none).
func (b *builder) securityGroups(lb *LoadBalancer, userTags map[string]string) (RefKind, error) {
	existing := b.f.ExistingLB
	wantSGs := b.d.NLBSecurityGroups && !b.cfg.DisableNLBSG
	switch {
	case existing != nil && len(existing.SecurityGroups) == 0:
		// AWS cannot add SGs to an NLB created without them (§7.2).
		if b.cfg.SecurityGroups != nil || wantSGs {
			b.warn(WarnLBWithoutSGs, "load balancer %s was created without security groups; AWS cannot add them, so security-group settings are ignored until the load balancer is recreated", lb.Name)
		}
		return 0, nil
	case existing != nil && !wantSGs:
		return 0, errConflictingSGConfig
	case !wantSGs:
		return 0, nil
	}

	manage := b.d.ManageBackendSGRules
	if b.cfg.ManageBackendSGRules != nil {
		manage = *b.cfg.ManageBackendSGRules
	}
	if len(b.cfg.SecurityGroups) > 0 {
		if b.f.ManualSecurityGroupsErr != nil {
			return 0, b.f.ManualSecurityGroupsErr
		}
		for _, id := range b.f.ManualSecurityGroups {
			lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefID, ID: id})
		}
		if !manage {
			return 0, nil
		}
		if !b.d.EnableBackendSG {
			return 0, errBackendSGRequired
		}
		lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefBackend})
		return RefBackend, nil
	}

	ingress, err := frontendRules(b.svc, b.cfg)
	if err != nil {
		return 0, err
	}
	name := naming.ServiceManagedSGName(b.d.ClusterName, b.svc.Namespace, b.svc.Name, string(b.svc.UID))
	if ingress, err = b.packFrontend(name, ingress); err != nil {
		return 0, err
	}
	b.st.ManagedSG = &ManagedSG{
		Name:        name,
		Description: naming.ManagedSGDescription,
		Tags:        naming.ManagedSGTags(b.d.ClusterName, b.st.ID, userTags),
		Ingress:     ingress,
	}
	lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefManaged})
	if b.d.EnableBackendSG {
		lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefBackend})
		return RefBackend, nil
	}
	return RefManaged, nil
}

// ResolveSGs returns the LB's SG IDs with managed and backend IDs filled in;
// an unknown ID is left out.
func (lb *LoadBalancer) ResolveSGs(managedID, backendID string) []string {
	var out []string
	for _, r := range lb.SecurityGroups {
		id := r.ID
		switch r.Kind {
		case RefManaged:
			id = managedID
		case RefBackend:
			id = backendID
		case RefID, RefCIDR: // given IDs stay; CIDR peers never sit in an LB's list
		}
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// ResolveSecurityGroups turns the security-groups annotation into IDs from
// what the controller found: byID holds the IDs DescribeSecurityGroups
// returned for the sg-… items, byName the IDs per Name tag found in the VPC.
// The error text is LBC's (lbc-security-groups.md §4).
func ResolveSecurityGroups(requested []string, byID map[string]bool, byName map[string][]string) ([]string, error) {
	var ids, names, foundIDs, foundNames, out []string
	for _, r := range requested {
		if strings.HasPrefix(r, "sg-") {
			ids = append(ids, r)
			if byID[r] {
				foundIDs = append(foundIDs, r)
			}
		} else if !slices.Contains(names, r) {
			names = append(names, r)
		}
	}
	out = append(out, foundIDs...)
	for _, n := range names {
		if got := byName[n]; len(got) > 0 {
			foundNames = append(foundNames, n)
			out = append(out, got...)
		}
	}
	var parts []string
	if len(foundIDs) != len(ids) {
		parts = append(parts, fmt.Sprintf("requested ids [%s] but found [%s]", strings.Join(ids, ", "), strings.Join(foundIDs, ", ")))
	}
	if len(foundNames) != len(names) {
		parts = append(parts, fmt.Sprintf("requested names [%s] but found [%s]", strings.Join(names, ", "), strings.Join(foundNames, ", ")))
	}
	if len(parts) > 0 {
		return nil, fmt.Errorf("couldn't find all security groups: %s", strings.Join(parts, ", "))
	}
	return out, nil
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
