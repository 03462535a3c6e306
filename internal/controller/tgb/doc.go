// Package tgb is the TargetGroupBinding controller (key = binding): it
// keeps the targets of a target group made outside lbsg (Terraform,
// CloudFormation, another cluster) equal to a Service's ready endpoints
// (ip) or selected nodes (instance), and the binding's networking rules on
// the targets' security groups. lbsg's own Services and Ingresses register
// their targets directly and make no binding.
//
// The decisions are internal/targetgroupbinding's (Check, Targets, Rules);
// this package reads the facts and writes:
//
//   - The target group (by ARN, or by name, resolved once and cached) is
//     read once and cached; a binding whose target group is missing, in
//     another VPC or of the wrong type gets a Warning event and a Ready=False
//     condition, and nothing is written.
//   - Registered targets are read once (DescribeTargetHealth) and then
//     kept from lbsg's own writes: a change costs one RegisterTargets with
//     every new target and one DeregisterTargets with every removed one; an
//     unchanged binding costs no AWS call. The registrations are read again
//     after --drift-interval, or after a failed write.
//   - multiClusterTargetGroup: LBC's record (internal/controller/multicluster,
//     ConfigMap aws-lbc-targets-<binding name>) says which targets this
//     cluster registered; only those are ever deregistered.
//   - networking.ingress rules are this binding's contribution to the
//     target-SG registry (stack key targetgroupbinding:ns/name); the targetsg
//     controller writes them with lbsg's marker, packing and quota rules.
//   - iamRoleArnToAssume: the target group's calls go through a client acting
//     as the role (STS AssumeRole with assumeRoleExternalId).
//   - Finalizer elbv2.k8s.aws/resources (LBC's): on delete, the targets are
//     deregistered — all of them for a binding that owns its target group,
//     only the recorded ones for a multi-cluster one — the record and the
//     rules go, then the finalizer.
//
// Readiness gates (LBC's): Gates is the pod webhook's GateSource (a gate
// per ip binding whose Service selects the pod); BindingGate tells the
// readiness controller (internal/controller/readiness) a binding's target
// group and how to read its health. An unready pod whose containers are
// ready is registered (readiness.Unready), and a pod whose containers turn
// ready behind a closed gate enqueues the binding the gate names; after
// registering, the binding's gate is enqueued (GateKeeper.EnqueueGate). On
// delete, the binding's pods' gates are opened (GateKeeper.OpenGates,
// LBC's message DeletedMessage) before the finalizer goes.
//
// Fields LBC's mutating webhook fills in (targetType, ipAddressType, vpcID,
// targetGroupProtocol) are discovered from the target group when unset and
// not written back: the webhook writes them. For the webhook server,
// Reconciler.Default is LBC's mutator and Reconciler.ValidationFacts reads
// what targetgroupbinding.Validate (LBC's validator) needs.
package tgb
