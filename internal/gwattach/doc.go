// Package gwattach decides, for one Gateway, which of its listeners are
// valid, which routes attach to which listener, which backends they
// resolve to, and the Gateway API status of each (listener conditions,
// route parent statuses), as LBC v3.6.2's route loader does for its NLB
// gateway controller (TCPRoute, UDPRoute, TLSRoute) and its ALB gateway
// controller (HTTPRoute, GRPCRoute). A route the caller refuses
// (Route.Refusal) attaches nowhere and its parent statuses say why.
//
// Attach is pure: the caller lists the Gateway's candidate routes, the
// Services and ReferenceGrants they may name and the namespaces' labels;
// the result feeds model.BuildGateway and the status writers.
//
// Rules (Gateway API v1.6, LBC's reasons):
//   - listener: Invalid route kinds (InvalidRouteKinds), a port outside
//     1-65535 (PortUnavailable), a protocol the class cannot serve
//     (UnsupportedProtocol: NLB TCP, UDP, TLS; ALB HTTP, HTTPS), an ALB
//     listener naming tls.certificateRefs or tls.options
//     (InvalidCertificateRef: ALB certificates come from ACM), another protocol on the
//     same port except TCP+UDP (ProtocolConflict), the same port and
//     hostname twice (HostnameConflict). Invalid listeners get no route.
//   - parentRef: group gateway.networking.k8s.io, kind Gateway, namespace
//     (default the route's) and name select the Gateway; sectionName and
//     port select listeners (none matching: NoMatchingParent); the
//     listener's allowedRoutes kinds and namespaces (Same, All, Selector)
//     and, for TLSRoutes, hostnames must admit the route
//     (NotAllowedByListeners, NoMatchingListenerHostname).
//   - backendRef: a core Service (else InvalidKind) that exists with the
//     port (else BackendNotFound); in another namespace only with a
//     ReferenceGrant there from the route's kind and namespace (else
//     RefNotPermitted). Bad backends are left out, the rest of the route
//     still attaches (ResolvedRefs False says which).
//
// ListenerSets (Inputs.ListenerSets, those naming the Gateway): the
// Gateway's spec.allowedListeners (None by default, Same, All, Selector)
// allows each or not; an allowed one's listeners are validated after the
// Gateway's and those of the ListenerSets before it (oldest first, then
// namespace/name, LBC's GEP-1713 precedence), sharing the port/protocol
// and port/hostname conflict checks, so the later listener is the one
// refused. Result.AllListeners is what the load balancer serves. A route
// parentRef of kind ListenerSet attaches to that ListenerSet's listeners
// (allowedRoutes Same meaning the ListenerSet's namespace); one naming a
// ListenerSet the Gateway does not allow yields no parent status, as LBC.
//
// Conditions keep their lastTransitionTime while their status is
// unchanged (meta.SetStatusCondition), so an unchanged world yields an
// unchanged status and no write.
package gwattach
