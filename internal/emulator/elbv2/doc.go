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
//     IPv6 CIDR blocks (seed ipv6Cidr); each subnet then takes the /80 of
//     its block its mapping's SourceNatIpv6Prefix names, or (auto_assigned,
//     or none given) the block's second /80, reported in AvailabilityZones
//     SourceNatIpv6Prefixes. A prefix without "on", outside the block or not
//     a /80 is InvalidConfigurationRequest [?].
//   - SubnetMappings IPv6Address: dualstack NLBs only, inside the subnet's
//     IPv6 block (InvalidConfigurationRequest otherwise [?]).
//   - Subnets on an Outpost (a seeded subnet's OutpostArn): an ALB only,
//     exactly one subnet ("You must specify one Outpost subnet", the SDK's
//     documented rule; ALBs elsewhere need two), never beside subnets of the
//     Region; otherwise InvalidConfigurationRequest [?: texts]. Its
//     AvailabilityZones entry carries the OutpostId.
//   - CustomerOwnedIpv4Pool (CreateLoadBalancer only): an ALB whose subnet is
//     on an Outpost; stored and returned by DescribeLoadBalancers. Another
//     type, or no Outpost subnet, is InvalidConfigurationRequest, an ID not
//     of the form ipv4pool-coip-… ValidationError [?]. The emulated EC2 has
//     no customer-owned pools, so any well-formed ID is taken. SetSubnets
//     cannot move an ALB with a pool off its Outpost
//     (InvalidConfigurationRequest [?]).
//   - IpamPools.Ipv4IpamPoolId (CreateLoadBalancer, ModifyIpPools; ipam.go):
//     a pool the seed declares (AddIPAMPool; the emulated EC2 has no IPAM
//     API), internet-facing ALBs only, else InvalidConfigurationRequest
//     [?]; returned by DescribeLoadBalancers. ModifyIpPools takes either
//     IpamPools or RemoveIpamPools (ipv4), not both (ValidationError [?]).
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
//     never configured]; verify needs a TrustStoreArn (ValidationError
//     without one) naming a trust store of the account (TrustStoreNotFound)
//     and reports it with IgnoreClientCertificateExpiry (default false),
//     AdvertiseTrustStoreCaNames (default off) and association status
//     active. An empty TrustStoreArn counts as absent (LBC sends one with
//     off and passthrough [?]); trust store members with another mode, and
//     TrustStoreAssociationStatus, are ValidationError [?].
//   - Certificates IsDefault (output only, per AWS's documentation):
//     ValidationError [?].
//   - SourceIpConfig.IpAddressType: ValidationError "… is not supported by
//     the emulator".
//   - Authenticate actions (authenticate-oidc, authenticate-cognito) and
//     jwt-validation: HTTPS listeners only (InvalidConfigurationRequest,
//     also when ModifyListener would make such a listener HTTP [?]), before
//     the one terminal action; required members ValidationError "….X must
//     be specified" [?]; OnUnauthenticatedRequest, Scope, SessionCookieName
//     and SessionTimeout (1–604800) default to authenticate, openid,
//     AWSELBAuthSessionCookie and 604800 and are returned so. ClientSecret is
//     required (or UseExistingClientSecret on a Modify, which keeps the
//     stored one; both: InvalidLoadBalancerAction) and never returned.
//     jwt-validation needs JwksEndpoint and Issuer; additional claims a
//     known Format, a Name and Values.
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
// Target groups of type alb (AWS's "Application Load Balancer as the
// target of a Network Load Balancer"): TCP only (InvalidConfigurationRequest
// [?: code]); one registered target, an ALB (TooManyTargets, as for
// lambda groups [?]) of the group's VPC with a listener on the target's
// port (InvalidTarget [?: AWS's text]); an ALB registered in such a group
// cannot be deleted until it is deregistered (ResourceInUse "… currently
// associated with another service" [?: AWS documents ResourceInUse for
// DeleteLoadBalancer without naming this case]).
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
// Trust stores (truststores.go): CreateTrustStore accepts any S3 bucket and
// key (the emulator has no S3) and makes an ACTIVE store holding one CA
// certificate [?]; names are 1–32 alphanumerics and hyphens, unique
// (DuplicateTrustStoreName), at most Quotas.TrustStores (TooManyTrustStores).
// DescribeTrustStores takes Names or TrustStoreArns (an unknown one is
// TrustStoreNotFound [?]); DeleteTrustStore refuses a store a listener uses
// (TrustStoreInUse). Tags work as on other resources. Revocations, shared
// associations and ModifyTrustStore are not served (InvalidAction).
//
// Known limits: no Outposts or resource
// policies (the actions for them are InvalidAction,
// their parameters refused as above); target health is simulated (never unhealthy; unused when the instance stops); the
// targets-per-AZ-per-NLB quota is not enforced, and target and certificate
// quotas are checked on registration, not when a listener later attaches a
// group; hosted zones for Regions outside the table in §3.0 fall back to
// us-east-1's; which settings make CreateLoadBalancer idempotent (Type,
// Scheme, subnets, security groups, IpAddressType) is our reading of an
// unpublished rule.
package elbv2
