package rules

import "fmt"

// DefaultRulesPerDirection is EC2's default quota of inbound (and, separately,
// outbound) rules per security group, counted apart for IPv4 and IPv6.
const DefaultRulesPerDirection = 60

// Usage is how much of one direction's quota a Set consumes.
type Usage struct{ IPv4, IPv6 int }

// String renders the usage per family.
func (u Usage) String() string { return fmt.Sprintf("ipv4 %d, ipv6 %d", u.IPv4, u.IPv6) }

// Quota describes one SG direction's rule quota.
type Quota struct {
	// Limit per address family; 0 means DefaultRulesPerDirection.
	Limit int
	// PrefixListWeight returns what a prefix-list rule costs. EC2 charges a
	// customer-managed list its MaxEntries in its address family; that lives
	// in AWS, so the caller supplies it. nil: 1 in IPv4.
	PrefixListWeight func(id string) Usage
}

func (q Quota) limit() int {
	if q.Limit <= 0 {
		return DefaultRulesPerDirection
	}
	return q.Limit
}

// Weight is what one rule with this key costs: a CIDR 1 in its family, an SG
// reference 1 in each (aws-api.md §4), a prefix list per PrefixListWeight.
func (q Quota) Weight(k Key) Usage {
	switch k.PeerKind() {
	case PeerIPv4:
		return Usage{IPv4: 1}
	case PeerIPv6:
		return Usage{IPv6: 1}
	case PeerSecurityGroup:
		return Usage{IPv4: 1, IPv6: 1}
	case PeerPrefixList:
		if q.PrefixListWeight != nil {
			return q.PrefixListWeight(k.Peer)
		}
		return Usage{IPv4: 1}
	case PeerInvalid:
	}
	return Usage{}
}

// Usage sums the weights of s.
func (q Quota) Usage(s Set) Usage {
	var u Usage
	for k := range s {
		w := q.Weight(k)
		u.IPv4 += w.IPv4
		u.IPv6 += w.IPv6
	}
	return u
}

// Fits reports whether u is within the quota.
func (q Quota) Fits(u Usage) bool { return u.IPv4 <= q.limit() && u.IPv6 <= q.limit() }

// Headroom is how many more unit rules of each family fit (negative if over).
func (q Quota) Headroom(u Usage) Usage {
	return Usage{IPv4: q.limit() - u.IPv4, IPv6: q.limit() - u.IPv6}
}
