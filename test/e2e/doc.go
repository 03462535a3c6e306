// Package e2e holds black-box suites: they build the lbsg binary, run it as
// a user would, and drive it with real clients (the AWS CLI v2, kubectl).
// Tests skip when a client is missing, unless LBSG_REQUIRE_ASSETS=1 (set by
// `make test` and CI), where a missing client fails the run.
package e2e
