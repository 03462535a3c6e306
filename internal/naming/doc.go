// Package naming holds every name, tag, marker and finalizer lbsg writes, in
// the formats of the AWS Load Balancer Controller (LBC), and the Owns*
// predicates that decide, in one place, what lbsg may modify or delete.
//
// Contract:
//   - Generated names are byte-for-byte LBC's (lbc-security-groups.md §3.2,
//     §5.3; lbc-load-balancers.md §1, §2): sanitise to [A-Za-z0-9], cut, then
//     the first 10 hex characters of SHA-256 over the inputs concatenated
//     without separators. Tests pin the spec's worked examples.
//   - Tag keys and values are LBC's, so LBC and lbsg find each other's
//     resources (drop-in and roll-back both work).
//   - Ownership: an SG is lbsg's when it carries elbv2.k8s.aws/cluster (or
//     LBC's legacy ingress.k8s.aws/cluster) equal to the cluster and a
//     resource tag naming a role lbsg creates. A rule on a target SG is lbsg's
//     when its description carries LBC's marker key
//     elbv2.k8s.aws/targetGroupBinding=shared and lbsg's cluster key equal to
//     the cluster; LBC's bare marker (no cluster) is only adopted on request,
//     because clusters sharing node SGs revoke each other's rules otherwise
//     (LBC #2185, #3325).
//
// Imports: standard library only. No I/O.
//
// Known limits: the target-group name hash for Services covers only the
// inputs the spec lists (no weighted extra TGs of other Services beyond the
// optional LB-Service UID); Gateway API names and tags are not modelled.
package naming
