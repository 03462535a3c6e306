package model

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// LBC's Ingress wording (no "is", unlike the Service one).
var errBackendSGRequiredIngress = errors.New("backendSG feature is required to manage worker node SG rules when frontendSG manually specified")

// securityGroups fills the ALB's SG list and managed SG
// (lbc-security-groups.md §3, §4, §5.1, §7.1) and returns the source of
// target rules (0: none).
func (b *albBuilder) securityGroups(lb *LoadBalancer, userTags map[string]string) (RefKind, error) {
	if len(b.sgs) > 0 {
		return b.manualSGs(lb)
	}
	ingress, err := b.frontendRules(isDualStack(lb.IPAddressType))
	if err != nil {
		return 0, err
	}
	name := naming.ManagedSGName(b.d.ClusterName, b.stack)
	packed, warns, err := packManagedRules(name, ingress)
	if err != nil {
		return 0, err
	}
	b.warnings = append(b.warnings, warns...)
	b.st.ManagedSG = &ManagedSG{
		Name:        name,
		Description: naming.ManagedSGDescription,
		Tags:        naming.ManagedSGTags(b.d.ClusterName, b.stack, userTags),
		Ingress:     packed,
	}
	lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefManaged})
	if b.d.EnableBackendSG {
		lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefBackend})
		return RefBackend, nil
	}
	return RefManaged, nil
}

// manualSGs: the group's security-groups list, resolved, plus the backend
// SG when manage-backend-security-group-rules is on. More than
// MaxLBSecurityGroups is refused here, before any AWS call (LBC lets AWS
// reject it, scenario 50).
func (b *albBuilder) manualSGs(lb *LoadBalancer) (RefKind, error) {
	manage := b.d.ManageBackendSGRules
	if b.manage != nil {
		manage = *b.manage
	}
	backend := 0
	if manage {
		backend = 1
	}
	if err := sgLimit(len(b.sgs), backend); err != nil {
		return 0, err
	}
	var ids []string
	switch l := b.f.SecurityGroupLookup; {
	case l != nil:
		var err error
		if ids, err = ResolveSecurityGroups(b.sgs, l.ByID, l.ByName); err != nil {
			return 0, err
		}
	case b.f.ManualSecurityGroupsErr != nil:
		return 0, b.f.ManualSecurityGroupsErr
	default:
		ids = b.f.ManualSecurityGroups
	}
	var uniq []string
	for _, id := range ids {
		if !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	if err := sgLimit(len(uniq), backend); err != nil {
		return 0, err
	}
	for _, id := range uniq {
		lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefID, ID: id})
	}
	if !manage {
		return 0, nil
	}
	if !b.d.EnableBackendSG {
		return 0, errBackendSGRequiredIngress
	}
	lb.SecurityGroups = append(lb.SecurityGroups, SGRef{Kind: RefBackend})
	return RefBackend, nil
}

func sgLimit(manual, backend int) error {
	if manual+backend <= MaxLBSecurityGroups {
		return nil
	}
	what := fmt.Sprintf("%d from %s", manual, annotations.IngSecurityGroups)
	if backend > 0 {
		what += " plus the backend security group"
	}
	return fmt.Errorf("%w: %d (%s); AWS allows at most %d", ErrTooManySecurityGroups, manual+backend, what, MaxLBSecurityGroups)
}

// frontendRules are the managed SG's inbound rules (§3.6): per merged
// port, TCP from each CIDR (IPv6 ones only on dualstack) and prefix list of
// the members declaring it; 0.0.0.0/0 (and ::/0 on dualstack) when none
// gave either.
func (b *albBuilder) frontendRules(dualstack bool) (rules.Set, error) {
	out := rules.Set{}
	for _, p := range slices.Sorted(maps.Keys(b.ports)) {
		ps := b.ports[p]
		cidrs := ps.cidrs
		if len(cidrs) == 0 && len(ps.prefixLists) == 0 {
			cidrs = []string{"0.0.0.0/0", "::/0"}
		}
		for _, peer := range append(slices.Clone(cidrs), ps.prefixLists...) {
			if strings.Contains(peer, ":") && !dualstack {
				continue
			}
			k, err := rules.NewKey(rules.TCP, p, p, peer)
			if err != nil {
				return nil, err
			}
			out.Add(k, "")
		}
	}
	return out, nil
}

// targetRules: per target group, its ports (§6.2) on the SGs of the nodes
// behind it (§6.6), from source.
func (b *albBuilder) targetRules(source RefKind) {
	seen := map[string]bool{}
	var out []TargetRule
	for _, tg := range b.st.TargetGroups {
		var nodes map[string]bool
		for _, m := range b.members {
			if n, ok := m.tgNodes[tg.ResourceID]; ok {
				nodes = n
			}
		}
		groups, warns := targetSGs(b.f.Nodes, nodes, b.d)
		for _, w := range warns {
			if !seen[w.Message] {
				seen[w.Message] = true
				b.warnings = append(b.warnings, w)
			}
		}
		out = append(out, crossTargetRules(groups, targetGroupPerms(tg, b.d.DisableRestrictedSGRules), source)...)
	}
	slices.SortFunc(out, func(a, c TargetRule) int {
		return cmp.Or(strings.Compare(a.GroupID, c.GroupID), strings.Compare(a.Protocol, c.Protocol),
			cmp.Compare(a.FromPort, c.FromPort), cmp.Compare(a.ToPort, c.ToPort))
	})
	b.st.TargetRules = slices.Compact(out)
}
