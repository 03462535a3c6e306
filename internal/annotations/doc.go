// Package annotations turns the AWS Load Balancer Controller's (LBC) Service
// and Ingress annotations into typed configuration, and decides which
// Services and Ingresses lbsg handles.
//
// Contract:
//   - ParseService and ParseIngress read only their prefix
//     (service.beta.kubernetes.io/, alb.ingress.kubernetes.io/) with LBC's
//     conventions (lbc-security-groups.md §2.1): stringList splits on ",",
//     trims and drops empty items; bool is strconv.ParseBool; stringMap is
//     k=v pairs split on unescaped ","; int32 is strconv.ParseInt(…, 32).
//   - Absent and present-but-empty differ: a nil slice or map is an absent
//     annotation, a non-nil empty one a present but empty annotation; a nil
//     pointer an absent scalar. String fields use "" for absent.
//   - Values are validated where LBC validates the annotation itself (scheme,
//     IP address type, listen-ports, group name/order, health-check protocol,
//     private-link flag, proxy protocol, CIDRs); all problems of one object
//     are returned together (errors.Join of *Error), in a fixed order.
//   - Every error is an *Error naming the full annotation key. Its text is
//     LBC's where the spec gives it; when that text does not already contain
//     the key, Error() appends " (annotation <key>)" and LBCMessage() returns
//     the bare LBC text.
//   - Cross-object rules (IngressGroup merging, defaults from flags,
//     IngressClassParams precedence, subnet resolution) belong to model.
//
// Imports: standard library and k8s API types only. No I/O.
//
// Surface (surface.go) lists every annotation key LBC v3.6.2 reads, each
// supported or unsupported; UnsupportedKeys finds the unsupported ones an
// object carries, which model refuses as a whole (nothing is ignored
// silently).
//
// Known limits: IngressClassParams is not parsed here (its Go types belong to
// the CRD package).
package annotations
