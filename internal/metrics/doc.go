// Package metrics defines lbsg's Prometheus metrics on a Metrics value built
// by cli and registered on the controller-runtime registry there (no
// package-level registration, style R10): reconcile outcomes, AWS calls by
// service, operation and error code, throttled calls, rules per SG,
// reconcile durations, drift found and leaked resources.
//
// Imports: prometheus client only.
package metrics
