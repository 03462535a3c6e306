// Package deploy applies desired Stacks (NLB or ALB, with their managed SG
// and target groups) to AWS for the Service and Ingress reconcilers, which
// share it. Apply diffs the Stack against the cached Snapshot (plan.Diff)
// and executes the Actions in dependency order: managed SG and its rules,
// target groups, the load balancer with its SGs, listeners and rules, then
// deletions; an Ingress stack's frontend NLB is applied within the same
// run (actions marked Frontend resolve IDs among the NLB's resources, and
// model.ALBTarget to the ALB's ARN), and ApplyStack also returns its DNS
// name for the Ingress status. Between the two phases it publishes the
// stack's target-SG rules to the registry and triggers the targetsg
// controller, which alone writes node/ENI SGs, so rules citing an SG about
// to be deleted are revoked first (LBC #4207). Teardown deploys the empty
// stack and verifies that nothing is left.
//
// The shared backend SG lifecycle lives here too (Backend): created on
// first need, deleted once no stack uses it and every stack that could
// has reported since start (Owners.Complete) — also after
// --enable-backend-security-group is turned off (LBC #4526).
//
// An ALB's add-ons (model.Addons: WAFv2 and WAF Classic web ACLs, Shield
// Advanced) are applied as LBC's synthesizers apply them, but earlier: on
// an existing ALB before any listener or rule changes, on a new one right
// after CreateLoadBalancer, so no listener serves without the web ACL its
// Ingresses ask for (a failed association stops the run). Before deleting
// an ALB, the controller's Shield protection (LBC's name) is deleted too:
// AWS keeps protections of deleted resources, and LBC leaves them.
// Publish records in the registry what the drift check re-reads for the
// stack (registry.Watched: the add-ons asked for, the attributes set), and
// AddonsDiffer is the drift check's test of add-ons, with applyAddons'
// decisions, so a web ACL disassociated or a protection deleted by hand is
// put back at the next check.
//
// Failure maps an AWS error to an event and a reconcile result (style R7):
// waiting on AWS (DependencyViolation, ResourceInUse) → RequeueAfter; bad
// input or denied → terminal; throttling and other failures → error
// (workqueue backoff). Events carry the AWS code.
package deploy
