// Package awsstate is the controllers' view of AWS: cached reads (every SG
// of the VPC, subnets, instances, the ELBv2 resources of the cluster and a
// per-stack Snapshot) and the writes the controllers make, each updating or
// invalidating what it changed. A Kubernetes resync of an unchanged object
// therefore costs no AWS call; the drift check (Refresh*) replaces the SG
// and ELB caches wholesale with one paged Describe per kind.
//
// Destructive decisions never use the cache alone: SecurityGroup(…, fresh)
// re-reads before a revoke (LBC #4889).
//
// Imports: awsapi (SDK-signature interfaces), awserr, model, plan, rules,
// naming. It is a stop-gap adapter kept inside controller until
// internal/cloud/ec2 and internal/cloud/elbv2 cover these calls.
package awsstate
