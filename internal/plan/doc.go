// Package plan diffs a Service's desired Stack (package model) against an
// observed Snapshot of AWS and returns the ordered Actions that converge
// them, in LBC's dependency order (lbc-security-groups.md §8.2): managed SG
// created and authorized before anything references it (authorize before
// revoke), target groups before the load balancer, the load balancer before
// its listeners, then deletions in reverse: listeners, the load balancer,
// target groups, and last the SGs nothing references any more. The same
// Actions serve the controller's executor and `lbsg plan` / `lbsg audit`.
//
// Symbolic references: an Action that needs an ID created by an earlier
// Action (the managed SG, a target group's ARN, the LB's ARN) names it by
// model resource ID; the executor resolves it.
//
// Imports: model, rules, naming. No I/O (depguard: pure core).
//
// Known limits: listener and target-group attributes, LB attributes, tags
// of existing resources and subnets of an existing LB are not diffed.
package plan
