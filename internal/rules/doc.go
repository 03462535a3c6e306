// Package rules is the arithmetic of security-group rules.
//
// A Key is what AWS treats as one rule's identity (direction aside): protocol,
// port range and exactly one peer. Keys are canonical, so two Keys are equal
// exactly when AWS would call the rules duplicates: CIDRs are masked
// (10.1.2.3/8 → 10.0.0.0/8, LBC #4893), IPv6 is in RFC 5952 form, protocol
// names are lower case and the numbers 6/17/1/58 become tcp/udp/icmp/icmpv6,
// protocols without ports (-1 and every number other than those four) carry
// FromPort = ToPort = 0. A Set maps Keys to descriptions: descriptions sit
// beside the key because AWS ignores them for identity.
//
// Diff/Compare say what to authorize, what to revoke and which descriptions to
// rewrite. They take an ownership predicate (naming.OwnsRule or a closure over
// it) and never revoke or rewrite a rule whose description the predicate does
// not own; such rules are reported as Foreign for audit. Callers must
// authorize before they revoke (LBC #3639).
//
// Usage counts rules against the per-SG quota the way EC2 does (aws-api.md §4):
// per direction, IPv4 and IPv6 apart, an SG reference in both. Pack fits a Set
// into the quota by merging ports of the same (protocol, peer) into ranges,
// closing the smallest gaps first, and reports every widening; it fails rather
// than drop a rule. Spread distributes what still does not fit over several
// SGs (an LB takes five), keeping rules where they already are. SpanPerSource is LBC's restricted-mode aggregation
// (lbc-security-groups.md §6.8), kept for compatibility and for audit.
//
// Imports: standard library only. No I/O, no clock, no SDK types: the
// cloud/ec2 adapter converts IpPermissions to and from Permission.
//
// Known limits: prefix lists weigh what the caller's Quota says (default 1 in
// IPv4), because their MaxEntries and address family live in AWS; egress is
// modelled by using a second Set, not by a field in Key; cross-account peers
// (UserId/sg-…) are keyed by the group ID alone.
package rules
