// Package controller groups lbsg's reconcilers; they read and write AWS
// through internal/cloud/state. Subpackages:
//
//   - service: key = Service; builds a Service's NLB Stack.
//   - deploy: shared by the stack reconcilers; applies a Stack (plan.Diff
//     executed in dependency order), publishes its target-SG rules to the
//     registry, tears stacks down, and owns the backend SG lifecycle.
//   - targetsg: key = target SG ID; the single writer of rules on node/ENI
//     SGs: desired = union of every handled Service's contribution.
//   - drift: the periodic drift check (--drift-interval).
//   - registry: in-memory contributions per stack and triggers between
//     controllers; rebuilt after a restart before anything is revoked.
package controller
