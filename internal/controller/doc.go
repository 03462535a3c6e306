// Package controller groups lbsg's reconcilers. Subpackages:
//
//   - service: key = Service; converges a Service's NLB, managed SG,
//     listeners and target groups (plan.Diff executed in dependency order)
//     and publishes the Service's target-SG rules to the registry.
//   - targetsg: key = target SG ID; the single writer of rules on node/ENI
//     SGs: desired = union of every handled Service's contribution.
//   - drift: the periodic drift check (--drift-interval).
//   - awsstate: cached AWS reads and the writes the reconcilers make, a
//     stop-gap adapter over awsapi until cloud/ec2 and cloud/elbv2 settle.
//   - registry: in-memory contributions per stack and triggers between
//     controllers; rebuilt after a restart before anything is revoked.
package controller
