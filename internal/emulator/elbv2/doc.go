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
//     is "initial" for Timing.HealthyAfter (with Timing.HealthScale: for
//     the group's interval × healthy threshold × the scale), then "healthy",
//     or "unhealthy" while MarkTargetHealth says so, "draining" for the
//     target group's deregistration delay (or Timing.Draining), and
//     "unused" while no load balancer forwards to its group.
//
// Parameters: params.go lists every parameter of API version 2015-12-01 per
// served action (TestParamsCoverSDK keeps the lists equal to the SDK's input
// types). Any other key is refused with 400 ValidationError "The parameter X
// is not recognized" before the action runs [?: AWS's answer to an unknown
// awsquery parameter is unconfirmed]. Each listed parameter that changes a
// described field is stored and returned where AWS returns it; those the
// emulator does not implement are refused, never dropped:
//   - EnablePrefixForIpv6SourceNat: stored; an NLB reports "off" unless
//     enabled, in CreateLoadBalancer, DescribeLoadBalancers and SetSubnets;
//     other types report nothing, and sending it for them is
//     InvalidConfigurationRequest [?]. "on" needs dualstack and subnets with
//     IPv6 CIDR blocks, which the emulated EC2 never has, so "on" and any
//     SubnetMappings SourceNatIpv6Prefix are InvalidConfigurationRequest [?];
//     AvailabilityZones never carry SourceNatIpv6Prefixes.
//   - CustomerOwnedIpv4Pool (no subnet is on an Outpost) and
//     IpamPools.Ipv4IpamPoolId (no IPAM pool exists):
//     InvalidConfigurationRequest [?].
//   - TargetControlPort: stored and returned, HTTP and HTTPS groups only
//     (InvalidConfigurationRequest otherwise [?]).
//   - QUIC and TCP_QUIC listeners (CreateListener, ModifyListener): not on
//     an NLB with security groups or a dualstack one, at most one per NLB,
//     never beside UDP or TCP_UDP listeners (AWS's documented rules; the
//     code, InvalidConfigurationRequest, and texts [?]); QUIC and TCP_QUIC
//     target groups cannot be ipv6 (InvalidConfigurationRequest [?]).
//   - Targets QuicServerId: required by QUIC and TCP_QUIC groups, refused by
//     others, 0x and 16 lower-case hex digits, fixed while registered
//     (ValidationError [?]); returned by DescribeTargetHealth. Its
//     uniqueness per listener is not checked; DeregisterTargets and
//     DescribeTargetHealth match targets on Id and Port only.
//   - DescribeTargetHealth Include (AnomalyDetection, All): HTTP and HTTPS
//     groups' targets report AnomalyDetection normal, mitigation no [?].
//   - DescribeSSLPolicies LoadBalancerType: filters; every known policy
//     supports application and network, none gateway.
//   - MutualAuthentication (HTTPS listeners only, else
//     InvalidConfigurationRequest [?]): Mode off and passthrough are stored
//     and returned once set [?: whether AWS reports Mode off on a listener
//     never configured]; verify is TrustStoreNotFound (no trust stores),
//     ValidationError without a TrustStoreArn; trust store members with
//     another mode, and TrustStoreAssociationStatus, are ValidationError [?].
//   - Certificates IsDefault (output only, per AWS's documentation):
//     ValidationError [?].
//   - SourceIpConfig.IpAddressType and JwtValidationConfig (or action type
//     jwt-validation): ValidationError "… is not supported by the emulator".
//   - Rule transforms: one of each type, each rewrite a regex that
//     compiles (Go's RE2, which may accept what AWS refuses [?]) and a
//     replacement, both at most 1,024 characters; ModifyRule keeps them
//     unless given Transforms or ResetTransforms (both: ValidationError [?]).
//   - RegexValues (host-header, path-pattern, http-header; each a regex
//     that compiles, at most 128 characters) count toward the rule's five
//     condition values; Values and RegexValues together: ValidationError.
//   - An action's config member for another action type, or a condition's
//     config for another field: ValidationError [?].
//
// Capacity reservations (capacity.go) are provisioned at once and spread
// evenly over the zones; ModifyCapacityReservation refuses gateway load
// balancers and NLBs with TLS listeners (InvalidConfigurationRequest [?]),
// load balancers still provisioning (OperationNotPermitted [?]), and a
// third decrease (a reset counts [?]) within 24 hours
// (CapacityDecreaseRequestLimitExceeded). No minimum number of units is
// enforced [?]. SubnetMappings AllocationId must name an Elastic IP of the
// emulated EC2 (AllocationIdNotFound) that is free; NLBs and internet-facing
// only, and a kept subnet keeps its address (InvalidConfigurationRequest
// [?]). The address is associated with the subnet's ENI until the load
// balancer releases it.
//
// Known limits: no trust stores, IPAM pools, resource
// policies or jwt-validation actions (the actions for them are InvalidAction,
// their parameters refused as above); target health is simulated (never unhealthy; unused when the instance stops); the
// targets-per-AZ-per-NLB quota is not enforced, and target and certificate
// quotas are checked on registration, not when a listener later attaches a
// group; hosted zones for Regions outside the table in §3.0 fall back to
// us-east-1's; which settings make CreateLoadBalancer idempotent (Type,
// Scheme, subnets, security groups, IpAddressType) is our reading of an
// unpublished rule.
package elbv2
