// Package webhook is lbsg's admission webhook server: the paths, objects
// and rules of LBC v3.6.2's webhooks, on controller-runtime's webhook
// server.
//
//   - /mutate-v1-pod: target-health.elbv2.k8s.aws/<name> readiness gates
//     (GateSource says which names a new pod needs; legacy
//     target-health.alb.ingress.k8s.aws gates are dropped when one is
//     added, as LBC does).
//   - /mutate-v1-pod-server-id: QUIC server IDs for the containers named by
//     service.beta.kubernetes.io/aws-load-balancer-quic-enabled-containers
//     (LBC's 64-bit format and its worker-ID ConfigMap).
//   - /mutate-v1-service: spec.loadBalancerClass on new LoadBalancer
//     Services (kept on updates that drop it).
//   - /validate-networking-v1-ingress: class annotation, group.name,
//     ingressClassName and conditions.<name> rules.
//   - /validate-elbv2-k8s-aws-v1beta1-ingressclassparams: inboundCIDRs and
//     subnets.
//   - /validate-elbv2-k8s-aws-v1beta1-targetgroupbinding and
//     /mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding: served by handlers
//     the caller registers (Config.Extra), for the TargetGroupBinding
//     controller.
//
// Which objects reach which path (failurePolicy, namespaceSelector,
// objectSelector) is the webhook configurations' business: the Helm chart
// and the sandbox write them as LBC's chart does (Configurations).
//
// The package reads Kubernetes objects through a client.Reader and never
// calls AWS. Known limits: see GateSource.
package webhook
