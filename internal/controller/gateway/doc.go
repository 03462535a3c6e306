// Package gateway holds lbsg's Gateway API reconcilers for LBC's NLB
// gateway controller (GatewayClass controllerName gateway.k8s.aws/nlb):
//
//   - Reconciler, key = Gateway: reads the Gateway, its class and
//     LoadBalancerConfiguration (gwconfig), the TCPRoutes, UDPRoutes and
//     TLSRoutes naming it (or whose status still names it), the Services,
//     TargetGroupConfigurations, ReferenceGrants and namespaces they need;
//     attaches routes (gwattach), builds the NLB Stack (model.BuildGateway)
//     and applies it with the shared deployer (deploy), then writes the
//     Gateway's and the routes' status, each only when it changed.
//   - ClassReconciler, key = GatewayClass: the Accepted condition.
//
// A configuration object with a field lbsg does not implement refuses the
// Gateway (Accepted False InvalidParameters, event
// UnsupportedConfiguration): the stack is held, nothing in AWS changes.
// A bad route or backend only affects that route (its status and an
// event); the Gateway's other routes are applied as usual.
//
// Deleting a Gateway tears its stack down (the finalizer
// gateway.k8s.aws/nlb holds it until nothing is left) and drops its entries
// from the routes' status.
package gateway
