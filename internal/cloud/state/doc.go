// Package state is the controllers' view of AWS: cached reads (every SG
// of the VPC, subnets, instances, the ELBv2 resources of the cluster and a
// per-stack Snapshot) and the writes the controllers make, each updating or
// invalidating what it changed. A Kubernetes resync of an unchanged object
// therefore costs no AWS call; the drift check (Refresh*) replaces the SG
// and ELB caches wholesale with one paged Describe per kind.
//
// Destructive decisions never use the cache alone: SecurityGroup(…, fresh)
// re-reads before a revoke (LBC #4889).
//
// An ALB stack's Snapshot also holds each listener's default action,
// certificate, SSL policy, non-default rules and tags, and the LB's
// attributes; listener and rule writes go through cloud/elbv2's Provider
// (whose caches this package never reads).
//
// Imports: awsapi (SDK-signature interfaces), awserr, cloud/elbv2, model,
// plan, rules, naming. It is a stop-gap adapter kept inside controller until
// internal/cloud/ec2 and internal/cloud/elbv2 cover these calls.
package state
