// Package planview computes and renders what lbsg would change for a set of
// Kubernetes objects: `lbsg plan`. Services, IngressGroups and Gateways go
// through one path (build.go): Ingresses are grouped with
// ingress.MembershipOf, the reconciler's rule; facts come from the
// reconcilers' own readers (service.Facts, ingress.Facts, gateway.Facts,
// service.NodeFacts) over a Cloud — a cloud/state Provider with --live,
// else an offline stand-in of placeholders; then model.Build or
// model.BuildIngressGroup and plan.Diff, the controllers' engine, give
// actions rendered as Changes (text diff or JSON). A Gateway of an NLB or
// ALB class (gateway.go) is built by gateway.Builder, the reconciler's own
// path, over an objectReader (reader.go: a client.Reader serving the
// input's objects): its configuration, route attachment and model, the
// reconciler's events (a refused route is a failed member with the
// event's message; a route that does not attach and an invalid listener
// are warnings), gateway.Facts and gateway.BuildStack. Add-ons (an ALB's
// web ACL and Shield protection) are deploy.PlanAddons, the deployer's
// decisions: read through the Provider with --live (its --enable-* flags
// apply), for a load balancer that has none offline. DesiredState is the
// same path for `lbsg audit`; its TargetGroups pair each stack's modelled
// target groups with the existing ones as plan.Diff does (resource ID,
// compatible), with the targets the model registers and those registered
// (the stack's Snapshot: draining ones left out); a stack that did not
// build lists its groups as left alone (a frontend NLB's alb-type groups
// are not listed). An unready endpoint counts as a
// target when its pod, given in Objects.Pods, is held back only by its
// readiness gates, as the Service and Ingress controllers register it.
//
// Invariants: nothing here writes to AWS or Kubernetes; a Cloud is only
// read. Offline everything is a create, and unknown cloud facts (subnets,
// node SGs and ENIs, the backend SG) are placeholders in angle brackets;
// security-groups annotation items stand for themselves. Compute plans
// manifests that may not be applied yet (ports.go): NodePorts the
// apiserver allocates on apply are those of the cluster's copy of the
// Service (Objects.ClusterServices) or placeholders (<nodePort>,
// <healthCheckNodePort>), and an Ingress backend Service in neither the
// input nor the cluster is a NodePort Service of placeholder ports.
// A Service port without targetPort gets its port number, as the apiserver
// defaults it (a Gateway target group's resource ID names it).
// Placeholder ports are stand-in numbers inside planview only: the model
// takes them as any port, the rendering shows their labels; DesiredState
// (audit) and the controllers never get one.
//
// Limits: target-SG revokes are shown only for owned rules citing a planned
// stack's managed SG (rules citing the shared backend SG may belong to
// stacks not in the input); an ip target group's EndpointSlices must be in
// the input (or the cluster, with --live and --kubeconfig) for its targets
// to be planned, and a QUIC group's targets need their Pods too (for
// their server IDs; --live lists the pods of namespaces with QUIC
// Services); target group names hash the target port and the Service's
// UID, so those of a Service not yet applied differ from the ones created;
// Ingresses held only by a finalizer
// (being deleted) are not planned; an Ingress whose class cannot be read is
// left out with a note, as the reconciler leaves it alone. A Gateway is
// planned only when its GatewayClass is in the input (else a note); its
// routes' backend Services must be in the input (or the cluster, with
// --live and --kubeconfig), else the route does not attach
// (BackendNotFound), as in a cluster without them; Gateway API kinds of
// other versions than v1 are read as v1, as the apiserver serves them. A
// ListenerRuleConfiguration's OIDC Secret, like an Ingress's, must be in
// the input (audit: read from the cluster); one without the label
// Settings.SecretsLabel (--required-secrets-label) names fails as the
// controller's Secrets watcher fails it. Objects given
// twice count once, the later copy winning.
package planview
