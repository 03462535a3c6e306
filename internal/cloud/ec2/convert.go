package ec2

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/rules"
)

// FromSDK converts EC2's grouped IpPermissions into rules.Permission values,
// one peer per source entry. Missing ports (EC2 omits them for -1 rules) are
// 0; rules.NewKey canonicalises the rest.
func FromSDK(perms []ec2types.IpPermission) []rules.Permission {
	out := make([]rules.Permission, 0, len(perms))
	for _, p := range perms {
		rp := rules.Permission{
			Protocol: aws.ToString(p.IpProtocol),
			FromPort: aws.ToInt32(p.FromPort),
			ToPort:   aws.ToInt32(p.ToPort),
		}
		for _, r := range p.IpRanges {
			rp.Peers = append(rp.Peers, rules.Peer{ID: aws.ToString(r.CidrIp), Description: aws.ToString(r.Description)})
		}
		for _, r := range p.Ipv6Ranges {
			rp.Peers = append(rp.Peers, rules.Peer{ID: aws.ToString(r.CidrIpv6), Description: aws.ToString(r.Description)})
		}
		for _, r := range p.PrefixListIds {
			rp.Peers = append(rp.Peers, rules.Peer{ID: aws.ToString(r.PrefixListId), Description: aws.ToString(r.Description)})
		}
		for _, r := range p.UserIdGroupPairs {
			rp.Peers = append(rp.Peers, rules.Peer{ID: aws.ToString(r.GroupId), Description: aws.ToString(r.Description)})
		}
		out = append(out, rp)
	}
	return out
}

// RuleSet expands EC2's grouped permissions into a rules.Set. Entries it
// cannot key are reported in the error; the others are still returned, so a
// group with one odd rule can be diffed.
func RuleSet(perms []ec2types.IpPermission) (rules.Set, error) {
	s, err := rules.Expand(FromSDK(perms))
	if err != nil {
		return s, fmt.Errorf("reading permissions: %w", err)
	}
	return s, nil
}

// ToSDK groups a Set into IpPermissions, one per (protocol, ports), with
// every peer of that group as a source entry, so one Authorize or Revoke
// call carries the whole Set. Protocols without ports (-1 and numbers other
// than tcp/udp/icmp/icmpv6) get no FromPort/ToPort, as EC2 shows them.
func ToSDK(s rules.Set) ([]ec2types.IpPermission, error) {
	var out []ec2types.IpPermission
	var errs []error
	for _, p := range s.Permissions(0) {
		ip := ec2types.IpPermission{IpProtocol: aws.String(p.Protocol)}
		if hasPortFields(p.Protocol) {
			ip.FromPort, ip.ToPort = aws.Int32(p.FromPort), aws.Int32(p.ToPort)
		}
		for _, peer := range p.Peers {
			_, kind, err := rules.CanonicalPeer(peer.ID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			desc := optional(peer.Description)
			switch kind {
			case rules.PeerIPv4:
				ip.IpRanges = append(ip.IpRanges, ec2types.IpRange{CidrIp: aws.String(peer.ID), Description: desc})
			case rules.PeerIPv6:
				ip.Ipv6Ranges = append(ip.Ipv6Ranges, ec2types.Ipv6Range{CidrIpv6: aws.String(peer.ID), Description: desc})
			case rules.PeerPrefixList:
				ip.PrefixListIds = append(ip.PrefixListIds, ec2types.PrefixListId{PrefixListId: aws.String(peer.ID), Description: desc})
			case rules.PeerSecurityGroup:
				ip.UserIdGroupPairs = append(ip.UserIdGroupPairs, ec2types.UserIdGroupPair{GroupId: aws.String(peer.ID), Description: desc})
			case rules.PeerInvalid:
				errs = append(errs, fmt.Errorf("peer %q: invalid", peer.ID))
			}
		}
		out = append(out, ip)
	}
	return out, errors.Join(errs...)
}

func hasPortFields(proto string) bool {
	switch proto {
	case rules.TCP, rules.UDP, rules.ICMP, rules.ICMPv6:
		return true
	}
	return false
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// tagMap turns EC2 tags into a map.
func tagMap(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// sdkTags turns a map into EC2 tags sorted by key (LBC's create order).
func sdkTags(m map[string]string) []ec2types.Tag {
	out := make([]ec2types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
