package rules

import (
	"errors"
	"fmt"
	"slices"
)

// Permission is the SDK-free shape of an EC2 IpPermission: one protocol and
// port range with any number of peers, each with its own description. The
// cloud/ec2 adapter converts ec2types.IpPermission to and from it.
type Permission struct {
	Protocol         string
	FromPort, ToPort int32
	Peers            []Peer
}

// Peer is one source entry of a Permission.
type Peer struct {
	ID          string // CIDR, IPv6 CIDR, "sg-…" or "pl-…"
	Description string
}

// Expand turns grouped permissions into a Set with one peer per rule. Invalid
// entries are reported together; the valid ones are still returned so an
// observed SG with one odd rule can be diffed. When the same key appears twice,
// the first description wins (AWS cannot hold two rules with one key).
func Expand(perms []Permission) (Set, error) {
	out := Set{}
	var errs []error
	for _, p := range perms {
		for _, peer := range p.Peers {
			k, err := NewKey(p.Protocol, p.FromPort, p.ToPort, peer.ID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if _, dup := out[k]; !dup {
				out[k] = peer.Description
			}
		}
	}
	return out, errors.Join(errs...)
}

// Permissions groups s back into permissions, one per (protocol, ports), peers
// and permissions in a stable order, so one Authorize or Revoke call carries a
// whole Set. maxPeers > 0 splits a permission's peers into chunks of at most
// that many.
func (s Set) Permissions(maxPeers int) []Permission {
	type pk struct {
		proto    string
		from, to int32
	}
	groups := map[pk][]Peer{}
	var order []pk
	for _, k := range s.Keys() {
		g := pk{k.Protocol, k.FromPort, k.ToPort}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], Peer{ID: k.Peer, Description: s[k]})
	}
	slices.SortFunc(order, func(a, b pk) int {
		return Compare(Key{a.proto, a.from, a.to, ""}, Key{b.proto, b.from, b.to, ""})
	})
	var out []Permission
	for _, g := range order {
		peers := groups[g]
		for len(peers) > 0 {
			n := len(peers)
			if maxPeers > 0 && n > maxPeers {
				n = maxPeers
			}
			out = append(out, Permission{Protocol: g.proto, FromPort: g.from, ToPort: g.to, Peers: peers[:n:n]})
			peers = peers[n:]
		}
	}
	return out
}

// String renders a permission for messages.
func (p Permission) String() string {
	return fmt.Sprintf("%s %d-%d %v", p.Protocol, p.FromPort, p.ToPort, p.Peers)
}
