// Package lbcsource finds the source of the AWS Load Balancer Controller
// release lbsg replaces, at the version hack/tools/lbc pins (toolcache):
// for tests that compare lbsg's tables (annotations, flags, feature gates,
// the IngressClassParams CRD) with LBC's own, and for `lbsg sandbox
// --controller lbc`, which applies LBC's CRDs. The module is fetched
// through the Go module proxy into the module cache, never vendored or
// committed.
//
// Imports the standard library, testing and toolcache.
package lbcsource
