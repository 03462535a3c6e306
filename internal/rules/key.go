package rules

import (
	"cmp"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Protocol names used in canonical Keys.
const (
	TCP    = "tcp"
	UDP    = "udp"
	ICMP   = "icmp"
	ICMPv6 = "icmpv6"
	All    = "-1"
)

// MaxPort is the highest TCP/UDP port.
const MaxPort int32 = 65535

// Key is one rule's identity as AWS sees it. Build Keys with NewKey so they are
// canonical; a Key literal that is not canonical compares unequal to the
// canonical one.
type Key struct {
	Protocol         string // "tcp", "udp", "icmp", "icmpv6", "-1" or another IANA number
	FromPort, ToPort int32  // icmp: type and code (-1 = any); 0,0 when the protocol has no ports
	Peer             string // masked CIDR, "sg-…" or "pl-…"
}

// PeerKind says what a Key's peer is.
type PeerKind int

// Peer kinds.
const (
	PeerInvalid PeerKind = iota
	PeerIPv4
	PeerIPv6
	PeerSecurityGroup
	PeerPrefixList
)

// String names the peer kind.
func (k PeerKind) String() string {
	switch k {
	case PeerIPv4:
		return "ipv4"
	case PeerIPv6:
		return "ipv6"
	case PeerSecurityGroup:
		return "security-group"
	case PeerPrefixList:
		return "prefix-list"
	case PeerInvalid:
	}
	return "invalid"
}

// NewKey returns the canonical Key for a rule, or an error naming what is
// wrong with it.
func NewKey(protocol string, from, to int32, peer string) (Key, error) {
	p, err := CanonicalProtocol(protocol)
	if err != nil {
		return Key{}, err
	}
	peer, _, err = CanonicalPeer(peer)
	if err != nil {
		return Key{}, err
	}
	switch p {
	case TCP, UDP:
		if from < 0 || to > MaxPort || from > to {
			return Key{}, fmt.Errorf("invalid %s port range %d-%d: ports must satisfy 0 <= from <= to <= %d", p, from, to, MaxPort)
		}
	case ICMP, ICMPv6:
		if from < -1 || from > 255 || to < -1 || to > 255 {
			return Key{}, fmt.Errorf("invalid %s type/code %d/%d: each must be within [-1, 255]", p, from, to)
		}
		if p == ICMP && from == -1 {
			to = -1 // EC2: type -1 forces code -1
		}
	default: // -1 and other protocols carry no ports
		from, to = 0, 0
	}
	return Key{Protocol: p, FromPort: from, ToPort: to, Peer: peer}, nil
}

// MustKey is NewKey for literals in tests and tables; it panics on bad input.
func MustKey(protocol string, from, to int32, peer string) Key {
	k, err := NewKey(protocol, from, to, peer)
	if err != nil {
		panic(err)
	}
	return k
}

// CanonicalProtocol lower-cases names, maps 6/17/1/58 to tcp/udp/icmp/icmpv6,
// maps "all" and any negative number to "-1", and keeps other numbers 0–255.
func CanonicalProtocol(p string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(p))
	switch s {
	case TCP, UDP, ICMP, ICMPv6, All:
		return s, nil
	case "all":
		// Not accepted by EC2, but what a user typing it means.
		return All, nil
	case "":
		return "", fmt.Errorf("empty protocol")
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", fmt.Errorf("unknown protocol %q: want tcp, udp, icmp, icmpv6, -1 or a number 0-255", p)
	}
	switch {
	case n < 0:
		return All, nil
	case n == 6:
		return TCP, nil
	case n == 17:
		return UDP, nil
	case n == 1:
		return ICMP, nil
	case n == 58:
		return ICMPv6, nil
	case n > 255:
		return "", fmt.Errorf("unknown protocol %q: numbers must be within [0, 255]", p)
	}
	return strconv.Itoa(n), nil
}

// CanonicalPeer returns the canonical spelling of a peer and its kind: a
// masked CIDR (IPv4-mapped IPv6 stays IPv6), an SG ID or a prefix-list ID.
// A bare address is rejected, as EC2 rejects it.
func CanonicalPeer(peer string) (string, PeerKind, error) {
	s := strings.TrimSpace(peer)
	switch {
	case strings.HasPrefix(s, "sg-") && len(s) > 3:
		return strings.ToLower(s), PeerSecurityGroup, nil
	case strings.HasPrefix(s, "pl-") && len(s) > 3:
		return strings.ToLower(s), PeerPrefixList, nil
	}
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		return "", PeerInvalid, fmt.Errorf("invalid peer %q: want a CIDR, sg-… or pl-…", peer)
	}
	pfx = pfx.Masked()
	if pfx.Addr().Is4() {
		return pfx.String(), PeerIPv4, nil
	}
	return pfx.String(), PeerIPv6, nil
}

// PeerKind classifies the Key's peer.
func (k Key) PeerKind() PeerKind {
	switch {
	case strings.HasPrefix(k.Peer, "sg-"):
		return PeerSecurityGroup
	case strings.HasPrefix(k.Peer, "pl-"):
		return PeerPrefixList
	case strings.Contains(k.Peer, ":"):
		return PeerIPv6
	case strings.Contains(k.Peer, "/"):
		return PeerIPv4
	}
	return PeerInvalid
}

// HasPorts reports whether the protocol has a TCP/UDP port range that Pack may
// widen.
func (k Key) HasPorts() bool { return k.Protocol == TCP || k.Protocol == UDP }

// Ports is the number of ports the key opens (TCP/UDP only, else 0).
func (k Key) Ports() int {
	if !k.HasPorts() {
		return 0
	}
	return int(k.ToPort-k.FromPort) + 1
}

// String renders "tcp 80 ← 10.0.0.0/8", "udp 30000-32767 ← sg-1", "-1 ← ::/0".
func (k Key) String() string {
	switch {
	case k.Protocol == ICMP || k.Protocol == ICMPv6:
		return fmt.Sprintf("%s %d/%d ← %s", k.Protocol, k.FromPort, k.ToPort, k.Peer)
	case !k.HasPorts():
		return fmt.Sprintf("%s ← %s", k.Protocol, k.Peer)
	case k.FromPort == k.ToPort:
		return fmt.Sprintf("%s %d ← %s", k.Protocol, k.FromPort, k.Peer)
	}
	return fmt.Sprintf("%s %d-%d ← %s", k.Protocol, k.FromPort, k.ToPort, k.Peer)
}

// Compare orders keys by peer, protocol, FromPort, ToPort; it gives tables,
// events and plans a stable order.
func Compare(a, b Key) int {
	return cmp.Or(
		strings.Compare(a.Peer, b.Peer),
		strings.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.FromPort, b.FromPort),
		cmp.Compare(a.ToPort, b.ToPort),
	)
}
