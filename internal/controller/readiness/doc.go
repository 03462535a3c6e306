// Package readiness owns LBC's pod readiness gates: the
// target-health.elbv2.k8s.aws/<name> condition of pods whose target sits in
// an ip target group of a Service or Ingress stack (name: the target
// group's), or of a TargetGroupBinding of their namespace (name: the
// binding's).
//
// Gate names: LBC names the gate after the TargetGroupBinding it creates
// per target group, and names that binding after the target group; lbsg
// names its target groups as LBC does, so the gate of an lbsg stack is the
// gate LBC would have injected, and pods created under LBC keep working
// after a takeover.
//
//   - Index: the ip target groups of every published stack (name, ARN,
//     backend Service), filled by the deployer; the webhook's GateSource
//     (which gates a new pod needs) and the controller's lookup.
//   - Reconciler: key = (namespace, gate name), one per gate. It reads,
//     from a slimmed pod cache, the pods whose gate is not yet True; none:
//     done, no AWS call. Otherwise one DescribeTargetHealth for the group,
//     the condition of each pod set (True when its IP's target is healthy,
//     False with AWS's reason otherwise), and, while some remain, a
//     requeue with backoff (PollStart doubling to PollMax). A name the
//     Index does not know is asked of Bindings (the TargetGroupBinding
//     controller): a binding gives its target group's ARN and a
//     target-health reader through its assumed role; a binding being
//     deleted has its gates opened (OpenGates, LBC's message); an instance
//     binding's gate is never set (LBC sets none).
//   - Publisher (leader only) writes the Index's gate names per Service to
//     the ConfigMap SharedName(cluster); the webhook of a replica that does
//     not lead reads them there (Shared), as every replica serves webhooks.
//   - A pod whose containers become ready while its gate holds it back
//     enqueues its stack: the stack's reconciler registers such pods
//     (Unready) so their targets can turn healthy. The TargetGroupBinding
//     controller applies the same rule and watches pods itself; it calls
//     EnqueueGate when it registered targets.
//
// Gates lbsg does not know: a target-health gate naming no target group
// and no TargetGroupBinding of the pod's namespace (a binding deleted while
// lbsg was not running, a target group renamed by a change of its health
// check, a stack lbsg does not handle) would hold its pod unready for ever;
// once every stack has reported since the start, the condition is set True
// with reason GateUnknown, as LBC does for the pods of a binding it
// deletes.
package readiness
