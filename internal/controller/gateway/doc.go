// Package gateway holds lbsg's Gateway API reconcilers for LBC's gateway
// controllers:
//
//   - Reconciler, key = Gateway, one instance per controller name:
//     gateway.k8s.aws/nlb (TCPRoutes, UDPRoutes, TLSRoutes → an NLB) and,
//     with ALB set, gateway.k8s.aws/alb (HTTPRoutes and GRPCRoutes → an
//     ALB with listener rules). It reads the Gateway, its class and
//     LoadBalancerConfiguration (gwconfig), the routes naming it (or whose
//     status still names it), the Services, TargetGroupConfigurations
//     (each backend's settings for its route: the Service's own merged
//     over the configuration's default TargetGroupConfiguration, as LBC;
//     tgprops.go), ReferenceGrants and namespaces they need, and, for a
//     Gateway with a QUIC listener, the backend pods' QUIC server IDs
//     (each pod read once, uncached; quic.go); attaches routes
//     (gwattach), builds the Stack (model.BuildGateway, with the ACM
//     certificates discovery needs for ALB HTTPS and NLB TLS listeners,
//     nlbcerts.go) and applies it with the shared
//     deployer (deploy), then writes the Gateway's and the routes' status,
//     each only when it changed. Its reconciles are counted (metrics) under
//     its controller-runtime name, gateway-nlb or gateway-alb: the NLB
//     instance also sees every ALB Gateway and returns at once.
//   - ClassReconciler, key = GatewayClass: the Accepted condition and
//     LBC's finalizer gateway.k8s.aws/gatewayclass, removed from a class
//     being deleted once no Gateway names it (class_finalizer.go).
//
// Routes are read by reference (routeindex.go): SetupWithManager indexes
// its class's route kinds in the manager's cache by the Gateways and
// ListenerSets their parentRefs and status entries name (a parentRef's
// namespace defaulting to the route's), the objects their backendRefs
// name and the ListenerRuleConfigurations their rules name, so a
// reconcile lists (and copies) the routes of its own Gateway and its
// ListenerSets, and a watch the routes naming the Service, chained
// Gateway or configuration that changed, not every route of the cluster.
// A status entry of ours for a ListenerSet that is gone is every
// Gateway's to drop, and its name is known to none: those routes share
// one key, read without a copy and copied only when one is kept.
//
// The Service watch also forgets a deleted Service's QUIC server IDs
// (quicprune.go): no reconcile reads a deleted Service.
//
// Builder (build.go) is the reconciler's path from Kubernetes objects to a
// Gateway's stack over any client.Reader: Prepare (configuration, route
// attachment, model.Gateway), Notices (the Warning events about listeners
// and routes), Facts (the AWS facts, from a FactsSource) and BuildStack.
// The reconciler calls it over its cached client; `lbsg plan`, `audit` and
// `graph` (internal/planview) over manifests or the cluster's objects, so
// they show what the reconciler would do; without the index there
// (RouteIndex false) it lists every route and keeps those naming what it
// looks for. A *Refused error is an input the
// reconciler refuses (its message is the event's).
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
// With ListenerSets set (gate GatewayListenerSet, CRD installed) the
// Reconciler also reads the ListenerSets naming the Gateway (watched: a
// change reconciles the Gateway its parentRef names, before and after),
// serves the listeners of those the Gateway allows, attaches routes
// naming them, and writes their status (Accepted, Programmed, listener
// conditions) and the Gateway's attachedListenerSets; route status
// entries for a ListenerSet of the Gateway, or for one that no longer
// exists, are the Gateway's to rewrite (parentScope). Off, ListenerSets
// are ignored as LBC ignores them.
// A rule's ExtensionRef to a ListenerRuleConfiguration (lrc.go) is read
// with the route, in the route's namespace, and its authenticate-oidc
// Secret through the secrets watcher (Secrets; the Gateway is the
// consumer, so a change to the Secret reconciles it, as one to the
// configuration does through a watch). A configuration that is missing,
// invalid or uses an unsupported field, an OIDC Secret missing or lacking
// a key, a configuration that does not fit its rule, or an authenticate /
// jwt-validation action on a route attached to an HTTP listener (LBC would
// serve it unauthenticated) refuses the route: Accepted False
// IncompatibleFilters naming why, event InvalidListenerRuleConfiguration.
// lbsg does not write the configuration's own status (LBC's
// ListenerRuleConfiguration controller does, and adds a finalizer): it
// checks what that status would say (the Secret exists) itself.
//
// Add-ons (addons.go): as LBC, the Gateway's gateway.k8s.aws.addon.*
// annotations record which of WAFv2, Shield and ProvisionedCapacity were
// applied ("true" written before the apply, "false" after a removal); the
// model removes a recorded add-on the configuration no longer asks for and
// leaves an unrecorded one alone. ALB-only configuration fields on an NLB
// Gateway refuse it (l7Refusal).
//
// Gateway chaining (chain.go): an NLB Gateway's route may name an ALB
// Gateway as its backendRef. The reconciler reads that Gateway, its
// class and its ALB's ARN (the cached load balancer index, by the ALB
// Gateway's stack), and the TargetGroupConfiguration whose targetReference
// is kind Gateway with its name (targetReferences are matched by kind and
// name); the model builds a target group of type alb registering the ALB.
// Any Gateway change reconciles the NLB Gateways whose routes name it
// (chainedGateways); a Gateway being deleted counts as missing, so the
// NLB lets go of the ALB before AWS is asked to delete it.
//
// Deleting a Gateway tears its stack down (the finalizer
// gateway.k8s.aws/nlb or gateway.k8s.aws/alb holds it until nothing is
// left) and drops its entries from the routes' status.
package gateway
