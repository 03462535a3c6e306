// Package audit is `lbsg audit`: findings over a Snapshot of one VPC's AWS
// state and what the cluster's Kubernetes objects need. Audit is pure (no
// client, clock or logger) so prepared states are table-tested; Fix is the
// only writer and removes only leaks this cluster owns.
//
// Findings: owned SGs no Service needs (a managed SG whose Service is gone,
// a backend SG no LB or Service uses), owned target-SG rules no Service's
// desired rules include, this cluster's LBs whose Service is gone or whose
// SGs drifted, rules open to 0.0.0.0/0 or ::/0 on node (cluster-tagged) SGs,
// SGs at ≥ 90% of the inbound-rule quota (IPv4 and IPv6 apart), ENIs at
// their SG limit; and, as information only, SGs owned by another cluster
// and rules marked by another cluster or by LBC, all left alone.
//
// Ownership is decided by package naming only (ClassifySecurityGroup,
// ClassifyRule, OwnsRule); Fix re-checks it on every write. Limits: leaks
// are judged against the Snapshot's DesiredRules, which the caller builds
// with the model for every Service; when a Service fails to build, the
// caller must mark the Snapshot incomplete so no rule is called leaked.
package audit
