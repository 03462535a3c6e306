// Package chaos holds lbsg's reliability suites (issue 10): seeded runs that
// create, update and delete many objects while the controller, a real
// `lbsg controller` subprocess, is SIGKILLed at random points; runs under
// injected AWS faults (throttling, InternalError, eventual consistency); a
// property test that state made by someone else is never changed; and two
// clusters sharing one VPC and its node security groups.
//
// The emulator runs in-process and serves HTTP on a loopback port, so the
// suites read its state and call log without going through its faults; the
// apiserver is an envtest control plane per test (localenv), so every test
// has its own Nodes and no other test's objects.
//
// Objects come from generators, taken in turn, so every run (but the fault
// run, Services only for now) is NLB Services and ALB Ingresses (three
// explicit IngressGroups and implicit ones, each Ingress with its own
// NodePort backend Service; updates move members between groups); the
// killed-controller run adds as many NLB and ALB Gateways with their
// routes, and TargetGroupBindings of target groups the test makes through
// the AWS API (never deleted by lbsg; the test deletes them at the end),
// and protects some Ingresses (HTTPS with Cognito authentication, a WAFv2
// web ACL), which its monitor checks at every sample: nothing is served
// with less protection than asked. Sizes: a small run by default (CI,
// `make test`); LBSG_CHAOS_FULL=1 (or -chaos.full) runs the full size, 50
// objects (the killed-controller run 20 of each of its four kinds) and at
// least 20 kill points (`make chaos`). -chaos.seed (or LBSG_CHAOS_SEED) replays a run.
package chaos
