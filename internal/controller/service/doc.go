// Package service is the Service → NLB reconciler (key = Service). A
// reconcile builds the desired Stack (model.Build over cached facts), diffs
// it against the cached Snapshot (plan.Diff) and executes the Actions in
// dependency order: managed SG and its rules, target groups, the NLB with
// its SGs, listeners, then deletions. It publishes the Service's target-SG
// rules to the registry and triggers the targetsg controller, which alone
// writes node/ENI SGs. The finalizer service.k8s.aws/resources is added
// before the first AWS create and removed after teardown is verified.
//
// Errors: bad input → Warning event and reconcile.TerminalError; waiting on
// AWS (DependencyViolation, ResourceInUse) → RequeueAfter; throttling and
// other AWS failures → error (workqueue backoff). Events carry the AWS code.
//
// The shared backend SG lifecycle lives here too (Backend): created on first
// need, deleted once no stack uses it and every Service that could has
// reported since start — also after --enable-backend-security-group is
// turned off (LBC #4526).
package service
