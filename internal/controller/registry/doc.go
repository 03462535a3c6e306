// Package registry is the in-memory meeting point of lbsg's controllers:
// each Service stack's contribution of rules per target SG, whether the
// stack uses the backend SG, what its desired state asks of facts the drift
// check re-reads (Watched: add-ons, attributes), and triggers that enqueue
// keys into another controller's workqueue. It is rebuilt from scratch
// after a restart: Complete says whether every Service that may own rules
// has reported, and nothing is revoked before it has (LBC #3637, #3639).
package registry
