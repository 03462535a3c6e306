// Package gateway holds lbsg's Gateway API reconcilers for LBC's gateway
// controllers:
//
//   - Reconciler, key = Gateway, one instance per controller name:
//     gateway.k8s.aws/nlb (TCPRoutes, UDPRoutes, TLSRoutes → an NLB) and,
//     with ALB set, gateway.k8s.aws/alb (HTTPRoutes and GRPCRoutes → an
//     ALB with listener rules). It reads the Gateway, its class and
//     LoadBalancerConfiguration (gwconfig), the routes naming it (or whose
//     status still names it), the Services, TargetGroupConfigurations,
//     ReferenceGrants and namespaces they need; attaches routes
//     (gwattach), builds the Stack (model.BuildGateway; for ALBs with the
//     ACM certificates discovery needs) and applies it with the shared
//     deployer (deploy), then writes the Gateway's and the routes' status,
//     each only when it changed. Its reconciles are counted (metrics) under
//     its controller-runtime name, gateway-nlb or gateway-alb: the NLB
//     instance also sees every ALB Gateway and returns at once.
//   - ClassReconciler, key = GatewayClass: the Accepted condition.
//
// A configuration object with a field lbsg does not implement refuses the
// Gateway (Accepted False InvalidParameters, event
// UnsupportedConfiguration): the stack is held, nothing in AWS changes.
// A bad route or backend only affects that route (its status and an
// event); the Gateway's other routes are applied as usual. An HTTPRoute
// asking for what lbsg does not build (httpRouteRefusal: filters other
// than RequestRedirect and URLRewrite, timeouts, retries, …) or a
// GRPCRoute asking for what lbsg does not build (grpcRouteRefusal: any
// filter, a RegularExpression header match, …) is such a bad route:
// Accepted False UnsupportedValue naming it, event
// UnsupportedConfiguration.
//
// Deleting a Gateway tears its stack down (the finalizer
// gateway.k8s.aws/nlb or gateway.k8s.aws/alb holds it until nothing is
// left) and drops its entries from the routes' status.
package gateway
