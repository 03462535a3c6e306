// Package planview computes and renders what lbsg would change for a set of
// Kubernetes objects: `lbsg plan`. Services and IngressGroups go through
// one path (build.go): Ingresses are grouped with ingress.MembershipOf, the
// reconciler's rule; facts come from the reconcilers' own readers
// (service.Facts, ingress.Facts, service.NodeFacts) over a Cloud — a
// cloud/state Provider with --live, else an offline stand-in of placeholders;
// then model.Build or model.BuildIngressGroup and plan.Diff, the
// controllers' engine, give actions rendered as Changes (text diff or
// JSON). DesiredState is the same path for `lbsg audit`.
//
// Invariants: nothing here writes to AWS or Kubernetes; a Cloud is only
// read. Offline everything is a create, and unknown cloud facts (subnets,
// node SGs and ENIs, the backend SG) are placeholders in angle brackets;
// security-groups annotation items stand for themselves.
//
// Limits: target-SG revokes are shown only for owned rules citing a planned
// stack's managed SG (rules citing the shared backend SG may belong to
// stacks not in the input); an Ingress's backend Service and an ip target
// group's EndpointSlices must be in the input (or the cluster, with --live
// and --kubeconfig) to be planned; Ingresses held only by a finalizer
// (being deleted) are not planned; an Ingress whose class cannot be read is
// left out with a note, as the reconciler leaves it alone. Objects given
// twice count once, the later copy winning.
package planview
