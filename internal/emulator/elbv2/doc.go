// Package elbv2 is the emulator's Elastic Load Balancing v2 backend: load
// balancers (application, network, gateway), target groups and targets,
// listeners and their certificates, rules, attributes, tags and account
// limits, answering the Query API (Version 2015-12-01) with AWS's error
// codes and quotas as restated in shared/spec/aws-api.md §3, §4 and §6.
//
// It owns only ELBv2 state and imports the query codec and core. Everything
// it needs from EC2 — subnets, VPCs, security groups, instances — comes
// through core.Network, which also creates one requester-managed ENI per load
// balancer subnet holding the load balancer's security groups, so EC2 answers
// DependencyViolation when such a group is deleted. SetSecurityGroups
// updates those ENIs; DeleteLoadBalancer and SetSubnets release them after
// Lag.ENIRelease.
//
// Invariants:
//   - Handle never panics on any input; errors are *query.Error with the
//     model's short code (LoadBalancerNotFound, not …Exception), 400 unless
//     the model says otherwise.
//   - Requests are atomic: every check runs before the first change.
//   - Reads never write. Draining targets whose delay has passed are purged
//     before mutating actions only, so Describe* calls are safe under the
//     server's shared lock.
//   - Results are in creation order (rules by priority, the default rule
//     last); Snapshot/Restore round-trip the whole state byte for byte.
//   - Time comes from the injected clock: a load balancer is "provisioning"
//     until Lag.Provisioning has passed, hidden from DescribeLoadBalancers for
//     Lag.Create, new tags are hidden from DescribeTags for Lag.Tags, a target
//     is "initial" for Timing.HealthyAfter and "draining" for the target
//     group's deregistration delay (or Timing.Draining).
//
// Known limits: no trust stores, capacity reservations, IPAM pools, resource
// policies or jwt-validation actions; rule Transforms are ignored; target
// health is simulated (never unhealthy; unused when the instance stops); the
// targets-per-AZ-per-NLB quota is not enforced, and target and certificate
// quotas are checked on registration, not when a listener later attaches a
// group; hosted zones for Regions outside the table in §3.0 fall back to
// us-east-1's; which settings make CreateLoadBalancer idempotent (Type,
// Scheme, subnets, security groups, IpAddressType) is our reading of an
// unpublished rule.
package elbv2
