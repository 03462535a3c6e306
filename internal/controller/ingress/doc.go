// Package ingress is the Ingress → ALB reconciler. Its key is the
// IngressGroup (drift.GroupRequest): the Ingress itself for an implicit
// group, {"", name} for an explicit one. A reconcile loads the group — the
// managed, non-deleting Ingresses with that group ID (members) and the
// Ingresses still holding the group's finalizer (leaving) — adds the
// finalizer to every member, reads the facts (cached), builds the desired
// Stack (model.BuildIngressGroup) and hands it to package deploy, which
// applies it and publishes the group's target-SG rules; then it writes the
// ALB's hostname into every member's status and releases the leaving
// Ingresses. A group without members is torn down and its finalizers
// removed once AWS shows nothing left.
//
// A member at fault (bad annotation, conflict with an earlier member)
// gets a FailedBuildModel event and is left out; the rest of the group
// keeps working. A group-level failure (security groups not resolved, more
// than five SGs, rule quota) gets an event on every member and changes
// nothing in AWS.
//
// The OIDC Secrets a group's authentication names are read through
// package secrets, which watches exactly those and enqueues the group when
// one changes; an unreadable one (forbidden, lacking
// --required-secrets-label) is the build's to report, failing closed.
//
// With gate EnableCertificateManagement, certificate management
// (package acmcerts, certs.go) runs first, as LBC's certificate
// synthesizer does: the certificates create-acm-cert asks for are found or
// requested; while one is not issued the group is held (CertificatePending
// event, polled every CertificatePoll); after the deploy (or the teardown)
// the stack's certificates no longer used are deleted, a certificate still
// in use retried later (WaitingForDependencies).
//
// Owner lists Ingress stacks for deploy.Owners.
package ingress
