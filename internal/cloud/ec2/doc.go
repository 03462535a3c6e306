// Package ec2 is lbsg's EC2 layer: VPCs, subnets, security groups,
// instances and network interfaces, read and written in batched calls.
// Values in, values out: it returns SDK-free values (VPC, Subnet,
// SecurityGroup with a rules.Set, Instance, ENI) and errors; never events or
// status.
//
// Caches: none. Every method is one or a few calls, made when it is called;
// a write invalidates nothing here. The controllers' cache is cloud/state,
// built on this package.
//
// Reads:
//   - VPC CIDRs; all subnets of a VPC, or those with a tag (LBC discovery);
//     DiscoverVPC (the VPC tagged for the cluster, else the only one).
//   - Security groups by ID (one paged, filtered Describe per 200 IDs); by
//     tags, by Name tag or by group name within a VPC; owned groups
//     (naming.ClassifySecurityGroup); names-or-IDs of an annotation resolved
//     within the VPC via the Name tag, unknown ones named by
//     *UnresolvedSecurityGroupsError.
//   - VPCSecurityGroups: the drift check's single paged Describe per VPC.
//   - Instance → primary ENI (device index 0) and its groups; pod IPs → ENIs
//     by vpc-id + addresses.private-ip-address, within EC2's 200 filter values
//     per call; every ENI of a VPC (audit, graph).
//
// Writes:
//   - CreateSecurityGroup tags in the create call (TagSpecifications).
//   - Authorize / Revoke / UpdateIngressDescriptions send ONE call per group
//     carrying every permission (ToSDK merges peers with the same protocol
//     and ports), and nothing else. AuthorizeIngress re-reads and retries once
//     on InvalidPermission.Duplicate. RevokeIngress re-reads the group first
//     (never a stale view, LBC #4889), revokes only rules still present whose
//     current description the caller's predicate owns, and re-reads and
//     retries once on InvalidPermission.NotFound.
//   - RulesPerSecurityGroupLimitExceeded (awserr.QuotaExceeded) is returned
//     as is: the caller packs rules (rules.Pack) before it authorizes.
//   - DeleteSecurityGroup treats "already gone" as success and returns
//     DependencyViolation for the caller to requeue; nothing here waits.
//
// Ownership: never decided here. naming decides (ClassifySecurityGroup,
// OwnsRule) and callers pass predicates; this package adds no rule of its
// own. Authorize before revoke is the caller's order to keep (LBC #3639).
//
// Imports awsapi, awserr, naming, rules and the EC2 SDK types.
//
// Known limits: pod IPs inside delegated prefixes (ipv4-prefix) are not
// matched; ResolveSecurityGroups sends all IDs (or names) in one call, so an
// annotation with more than 199 items would exceed EC2's filter limit;
// egress rules are read and written by nobody (LBC never touches egress).
package ec2
