package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/naming"
)

// Subnet role tags.
const (
	TagRoleELB         = "kubernetes.io/role/elb"
	TagRoleInternalELB = "kubernetes.io/role/internal-elb"
	minFreeIPs         = 8
)

// subnets applies lbc-load-balancers.md §4.1 for an NLB: annotation, the
// existing LB's subnets when its scheme is unchanged, else discovery.
func (b *builder) subnets(scheme string) ([]string, error) {
	if b.cfg.Subnets != nil {
		return explicitSubnets(b.f.Subnets, b.cfg.Subnets, 1)
	}
	if e := b.f.ExistingLB; e != nil && e.Scheme == scheme && len(e.Subnets) > 0 {
		return slices.Clone(e.Subnets), nil
	}
	out, err := DiscoverSubnets(b.f.Subnets, scheme, b.d.ClusterName, b.cfg.DualStack())
	if err != nil {
		return nil, err
	}
	return out, checkSubnetCount(b.f.Subnets, out, 1)
}

// explicitSubnets resolves subnet IDs and Name-tag values (§4.3) in the
// requested order and validates them (§4.4): one subnet per AZ, one locale,
// at least minCount (NLB 1, ALB 2) in Availability Zones.
func explicitSubnets(all []Subnet, items []string, minCount int) ([]string, error) {
	return listSubnets(all, items, minCount, "names or IDs")
}

// listSubnets is explicitSubnets with the "failed to list subnets by
// <what>" of LBC's message: "IDs" for IngressClassParams subnet IDs.
func listSubnets(all []Subnet, items []string, minCount int, what string) ([]string, error) {
	var out, missingIDs, missingNames []string
	azs := map[string][]string{}
	for _, it := range items {
		var found *Subnet
		for i := range all {
			s := &all[i]
			if (strings.HasPrefix(it, "subnet-") && s.ID == it) || (!strings.HasPrefix(it, "subnet-") && s.Tags[naming.TagName] == it) {
				found = s
				break
			}
		}
		switch {
		case found == nil && strings.HasPrefix(it, "subnet-"):
			missingIDs = append(missingIDs, it)
		case found == nil:
			missingNames = append(missingNames, it)
		default:
			out = append(out, found.ID)
			azs[found.AZ] = append(azs[found.AZ], found.ID)
		}
	}
	if len(missingIDs) > 0 {
		return nil, fmt.Errorf("failed to list subnets by %s: couldn't find all subnets, want: [%s], found: [%s]",
			what, strings.Join(items, " "), strings.Join(out, " "))
	}
	if len(missingNames) > 0 {
		return nil, fmt.Errorf("failed to list subnets by %s: couldn't find all subnets, missing names: [%s]", what, strings.Join(missingNames, " "))
	}
	for _, az := range slices.Sorted(maps.Keys(azs)) {
		if ids := azs[az]; len(ids) > 1 {
			return nil, fmt.Errorf("multiple subnets in same Availability Zone %s: [%s]", az, strings.Join(ids, " "))
		}
	}
	if err := checkSubnetCount(all, out, minCount); err != nil {
		return nil, err
	}
	return out, nil
}

// Subnet locales, as LBC names them. lbsg reads no zone types, so it tells
// only Outposts from Availability Zones (LBC also knows Local Zones and
// Wavelength Zones, from DescribeAvailabilityZones).
const (
	localeAvailabilityZone = "availability-zone"
	localeOutpost          = "outpost"
)

func subnetLocale(s Subnet) string {
	if s.OutpostARN != "" {
		return localeOutpost
	}
	return localeAvailabilityZone
}

// checkSubnetCount is §4.4's locale and count checks with LBC's texts: the
// chosen subnets (ids, found in all) share one locale, and there are at
// least minCount of them when that locale is availability-zone; in any
// other (an Outpost) one is enough, so an ALB on an Outpost has one subnet.
func checkSubnetCount(all []Subnet, ids []string, minCount int) error {
	locales := map[string]bool{}
	for _, id := range ids {
		if i := slices.IndexFunc(all, func(s Subnet) bool { return s.ID == id }); i >= 0 {
			locales[subnetLocale(all[i])] = true
		}
	}
	if len(locales) > 1 {
		return fmt.Errorf("subnets in multiple locales: [%s]", strings.Join(slices.Sorted(maps.Keys(locales)), " "))
	}
	if len(locales) == 1 && !locales[localeAvailabilityZone] {
		minCount = 1
	}
	if len(ids) < minCount {
		return fmt.Errorf("subnets count less than minimal required count: %d < %d", len(ids), minCount)
	}
	return nil
}

// DiscoverSubnets is LBC's tag-based discovery (§4.2 steps 1, 3, 4): role
// tag, drop subnets of other clusters or with fewer than 8 free IPs (and
// without IPv6 for dualstack), one per AZ preferring the cluster-tagged one
// then the smallest ID, sorted by ID.
func DiscoverSubnets(all []Subnet, scheme, cluster string, dualstack bool) ([]string, error) {
	role := TagRoleInternalELB
	if scheme == naming.SchemeInternetFacing {
		role = TagRoleELB
	}
	return discoverSubnets(all, func(s Subnet) bool {
		v, ok := s.Tags[role]
		return ok && (v == "" || v == "1")
	}, cluster, dualstack)
}

// selectorMatch matches subnets carrying, for every key of an
// IngressClassParams tag selector, one of its values (§4.2 step 1).
func selectorMatch(tags map[string][]string) func(Subnet) bool {
	return func(s Subnet) bool {
		for k, vals := range tags {
			v, ok := s.Tags[k]
			if !ok || !slices.Contains(vals, v) {
				return false
			}
		}
		return true
	}
}

// discoverSubnets is §4.2 steps 3–5 over the subnets match selects.
func discoverSubnets(all []Subnet, match func(Subnet) bool, cluster string, dualstack bool) ([]string, error) {
	var evaluated, otherCluster, lowIP, noV6 int
	best := map[string]Subnet{}
	for _, s := range all {
		if !match(s) {
			continue
		}
		evaluated++
		if taggedForOther(s.Tags, cluster) {
			otherCluster++
			continue
		}
		if s.AvailableIPs < minFreeIPs {
			lowIP++
			continue
		}
		if dualstack && !s.HasIPv6 {
			noV6++
			continue
		}
		cur, ok := best[s.AZ]
		if !ok || better(s, cur, cluster) {
			best[s.AZ] = s
		}
	}
	var out []string
	for _, s := range best {
		out = append(out, s.ID)
	}
	slices.Sort(out)
	if len(out) == 0 {
		msg := fmt.Sprintf("unable to resolve at least one subnet. Evaluated %d subnets: %d are tagged for other clusters, and %d have insufficient available IP addresses", evaluated, otherCluster, lowIP)
		if dualstack {
			msg = fmt.Sprintf("unable to resolve at least one subnet. Evaluated %d subnets: %d are tagged for other clusters, %d have insufficient available IP addresses, and %d don't have an associated IPv6 CIDR block, which is required for dualstack load balancers", evaluated, otherCluster, lowIP, noV6)
		}
		return nil, fmt.Errorf("couldn't auto-discover subnets: %s", msg)
	}
	return out, nil
}

func taggedForOther(tags map[string]string, cluster string) bool {
	if _, ours := tags[naming.ClusterTagKey(cluster)]; ours {
		return false // shared with other clusters too: LBC accepts it
	}
	for k := range tags {
		if strings.HasPrefix(k, "kubernetes.io/cluster") && k != naming.ClusterTagKey(cluster) {
			return true
		}
	}
	return false
}

func better(a, b Subnet, cluster string) bool {
	_, at := a.Tags[naming.ClusterTagKey(cluster)]
	_, bt := b.Tags[naming.ClusterTagKey(cluster)]
	if at != bt {
		return at
	}
	return a.ID < b.ID
}
