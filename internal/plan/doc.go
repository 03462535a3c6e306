// Package plan diffs a Service's or Ingress group's desired Stack (package
// model) against an observed Snapshot of AWS and returns the ordered
// Actions that converge them, in LBC's dependency order (lbc-security-groups.md §8.2): managed SG
// created and authorized before anything references it (authorize before
// revoke), target groups before the load balancer, the load balancer before
// its listeners, then an ALB listener's rules (moved, modified, created,
// then deleted: lbc-load-balancers.md §2.6, never two rules on one
// priority), then deletions in reverse: listeners, the load balancer,
// target groups, and last the SGs nothing references any more. The same
// Actions serve the controller's executor and `lbsg plan` / `lbsg audit`.
//
// Symbolic references: an Action that needs an ID created by an earlier
// Action (the managed SG, a target group's ARN, the LB's ARN) names it by
// model resource ID; the executor resolves it.
//
// Imports: model, rules, naming. No I/O (depguard: pure core).
//
// Observed ALB actions name target groups by ARN; desired ones by resource
// ID, compared through the ARN of the target group kept for it, so a
// replaced target group rewrites whatever forwards to it.
//
// Known limits: listener and target-group attributes, SNI certificates
// beyond the default one, and subnets or IP address type of an existing LB
// are not diffed.
package plan
