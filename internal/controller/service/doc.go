// Package service is the Service → NLB reconciler (key = Service). A
// reconcile reads the facts (cached), builds the desired Stack
// (model.Build) and hands it to package deploy, which diffs and applies it
// and publishes the Service's target-SG rules to the registry. The
// finalizer service.k8s.aws/resources is added before the first AWS create
// and removed after teardown is verified.
//
// Errors: bad input → Warning event and reconcile.TerminalError; AWS
// failures as deploy.Failure maps them. Owner lists Service stacks for
// deploy.Owners (completeness before revokes, objects for events).
package service
