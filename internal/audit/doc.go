// Package audit is `lbsg audit`: findings over a Snapshot of one VPC's AWS
// state and what the cluster's Kubernetes objects need. Audit is pure (no
// client, clock or logger) so prepared states are table-tested; Fix is the
// only writer and removes only leaks this cluster owns.
//
// A stack — a Service, an IngressGroup or a Gateway, told apart by
// naming.Stack.Key —
// is live when the Snapshot's LiveStacks name it: the caller lists the
// stacks the cluster's objects need and those a finalizer still holds.
//
// Findings name the stack owning a resource as naming.Stack.String does
// ("service ns/name", "ingress group g", "gateway ns/name"): owned SGs
// nothing needs (a managed SG whose Service, IngressGroup or Gateway is
// gone, a backend SG no LB, Service, Ingress or Gateway uses), owned
// target-SG rules no stack's desired rules include (naming the stack whose
// managed SG such a rule admits), this cluster's LBs and target groups
// whose stack is gone, LBs whose SGs drifted, LBs whose listeners,
// certificates or rules differ from the manifests (ListenerDrift: the
// changes plan.Diff would make, as plan prints them; the first five
// named), objects lbsg leaves alone
// (Unsupported) and Gateway routes it does not apply (RefusedRoutes), rules open to
// 0.0.0.0/0 or ::/0 on node (cluster-tagged) SGs, SGs at ≥ 90% of the
// inbound-rule quota (IPv4 and IPv6 apart), ENIs at their SG limit,
// TargetGroupBindings that cannot be served (target group gone, another
// VPC, wrong target type; their networking rules count as desired);
// targets registered in a target group the cluster owns (its stacks', or
// one its served bindings bind, Terraform's included) that no stack or
// binding wants (OwnedTargets: unexplained-target, a problem: it gets
// traffic the cluster did not mean to send it) — except draining targets,
// targets of a multi-cluster group that this cluster's record
// (aws-lbc-targets-<name>) does not hold (other clusters'), and the groups
// of stacks lbsg leaves alone; targets wanted but missing are not reported
// (the controllers register them, and a snapshot between a pod's start
// and its registration would flag it); and, as
// information only, SGs owned by another cluster and rules marked by
// another cluster or by LBC, all left alone, and internet-facing ALBs open
// to 0.0.0.0/0 (or ::/0) that authenticate no request (WAF associations
// are not considered yet).
//
// Ownership is decided by package naming only (ClassifySecurityGroup,
// ClassifyRule, OwnsRule, StackFromTags); Fix re-checks it on every write.
// Limits: leaks are judged against the Snapshot's DesiredRules, which the
// caller builds with the model for every stack; when one fails to build,
// the caller must mark the Snapshot incomplete so no rule is called leaked.
// Leaked LBs and target groups are reported, never deleted, and
// unexplained targets never deregistered: --fix leaves targets to the
// controllers, which deregister them when they next read the group
// (only recorded ones in a multi-cluster group), so a target that stays is
// registered by something else (LBC still running, Terraform) that a
// deregistration by audit would only race.
package audit
