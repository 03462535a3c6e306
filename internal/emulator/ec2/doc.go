// Package ec2 is the emulator's EC2 backend: VPCs, subnets, Availability
// Zones, security groups and their rules, instances with their primary
// network interfaces, standalone and requester-managed network interfaces,
// and tags, served through the emulator.Backend contract (Handle, Mutating,
// Snapshot/Restore, Reset). It imports only the emulator's query codec and
// core package and the standard library; it never does HTTP. It also
// implements core.Network for the ELBv2 backend, which creates its load
// balancers' ENIs here so that deleting a security group a load balancer
// holds fails with DependencyViolation.
//
// Actions: DescribeVpcs, DescribeSubnets, DescribeAvailabilityZones,
// DescribeSecurityGroups, DescribeSecurityGroupRules, CreateSecurityGroup,
// DeleteSecurityGroup, Authorize/RevokeSecurityGroupIngress/Egress,
// ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress/Egress,
// CreateTags, DeleteTags, DescribeTags, DescribeInstances,
// DescribeNetworkInterfaces, ModifyNetworkInterfaceAttribute,
// ModifyInstanceAttribute and AssignPrivateIpAddresses. Unknown actions are
// InvalidAction; parameters the action does not take are UnknownParameter.
//
// Resources come from a Seed (ApplySeed), usually YAML:
//
//	vpcs:
//	- name: demo                      # the Name tag
//	  cidr: 10.0.0.0/16
//	  ipv6Cidr: 2600:1f14:abc:de00::/56 # optional; the default group then also allows ::/0 out
//	  tags: {kubernetes.io/cluster/demo: shared}
//	  subnets:
//	  - {name: public-a, az: us-west-2a, cidr: 10.0.0.0/20, tags: {kubernetes.io/role/elb: "1"}}
//	  - {name: dual-b, az: us-west-2b, cidr: 10.0.16.0/20, ipv6Cidr: 2600:1f14:abc:de01::/64} # a /64 of the VPC's block
//	  - {name: edge, az: us-west-2a, cidr: 10.0.96.0/20, outpostArn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"}
//	  securityGroups:
//	  - name: demo-node
//	    tags: {kubernetes.io/cluster/demo: owned}
//	    ingress: [{protocol: "-1", group: demo-node}]   # or cidr, ipv6Cidr, prefixListId; fromPort/toPort
//	  instances:
//	  - {name: node-1, subnet: public-a, securityGroups: [demo-node], instanceType: m5.large, privateIp: 10.0.0.10}
//	  networkInterfaces:                # standalone, or a second ENI of an instance
//	  - {name: extra, subnet: public-a, instance: node-1}
//
// DefaultSeed is the sandbox's network.
//
// Invariants:
//   - Requests are atomic: every check (validation, NotFound, duplicates,
//     quotas evaluated on the resulting state) runs before the first write,
//     so an error changes nothing.
//   - The state is linearisable; only Describe views lag (core.Lag): a new
//     group, instance or ENI is invisible to Describe* for Lag.Create, new
//     tags for Lag.Tags, new rules for Lag.Rules. Mutations always see the
//     current state.
//   - Read-only actions never write, so the server may run them in parallel.
//   - Results are sorted by ID; DescribeSecurityGroups merges rules by
//     (protocol, from, to) and omits ports for protocols without ports.
//   - Bad input never panics (FuzzHandle).
//
// Known limits and deviations:
//   - Prefix lists are not modelled: any well-formed pl- ID is accepted and
//     weighs 1 (IPv4) in the rule quota.
//   - AssignPrivateIpAddresses accepts Ipv4Prefix.N of /16–/28 inside the
//     subnet (AWS delegates only /28), so a node's pod CIDR can be
//     registered as one prefix; Ipv4PrefixCount allocates /28s.
//   - DryRun=true answers DryRunOperation (412) after only the parameter-name
//     check, before validating values.
//   - Cross-account group references, VPC peering, managed prefix lists,
//     IPv6 addresses on ENIs and instance lifecycle calls (RunInstances…) are
//     not emulated; instances and ENIs come from a Seed. Each instance has
//     its own reservation.
//   - Outposts exist only as a seeded subnet's outpostArn (an Outpost of the
//     account and Region, op- and 17 hex digits): DescribeSubnets reports
//     it and filters on outpost-arn, ELBv2 reads it; there is no Outposts
//     API, and the Outpost's zone type is not modelled.
//   - Overwriting a tag hides the key for Lag.Tags instead of showing the
//     old value.
//   - New groups in IPv6 VPCs get only the IPv4 default egress rule
//     (aws-api.md §2.4: unconfirmed).
//   - Elastic IPs (AllocateAddress, DescribeAddresses, ReleaseAddress):
//     domain vpc only, from 198.51.100.0/24 (a documentation range), tags
//     via TagSpecification elastic-ip; no BYOIP, IPAM or customer-owned
//     pools, no AssociateAddress: only load balancers take them (through
//     core.Network), and one in use is InvalidIPAddress.InUse on release.
package ec2
