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
// An Ingress stack's frontend NLB (Stack.Frontend, Snapshot.Frontend) is
// diffed as a load balancer of its own, its Actions marked Frontend:
// deregistrations of the ALB from its alb-type target groups come first
// (AWS will not delete an ALB registered as a target), then the ALB's
// creates and changes, then the frontend NLB's (its target groups with the
// ALB registered once the ALB and its listeners exist, the NLB, its
// listeners), then the frontend NLB's deletions, then the ALB's. The
// ALB's managed SG is diffed once, with the ALB.
//
// Known limits: listener and target-group attributes, SNI certificates
// beyond the default one, and subnets or IP address type of an existing LB
// are not diffed.
package plan
