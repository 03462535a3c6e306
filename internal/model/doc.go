// Package model computes lbsg's desired AWS state for a Service as a value:
// Build(svc, Facts, Defaults) → Stack. Facts are cloud and cluster facts the
// controller read beforehand (subnets, the existing NLB, resolved manual SGs,
// nodes with their primary-ENI SGs, ready endpoints); nothing here performs
// I/O, reads a clock or logs (style R2), so the controllers, `lbsg plan` and
// `lbsg audit` share it.
//
// A Stack names its security groups symbolically where the ID is only known
// at apply time: the LB's SG list and the source of target-SG rules say
// "the managed SG" or "the backend SG" (SGRef, Source); Resolve* functions
// substitute IDs.
//
// Behaviour follows lbc-security-groups.md §3.7 (frontend rules), §4
// (manual SGs), §5.1 (backend SG use), §6.3/§6.6 (target rules and target-SG
// choice), §7.2 (NLB SGs only at creation) and lbc-load-balancers.md §1.3,
// §2.2, §4, §5 (names, subnets, listeners, target groups, health checks).
//
// Deliberate differences from LBC: target rules carry exact ports and are
// merged only when they overlap or touch (no port opened); when a target SG
// would exceed its rule quota, PackTargetRules widens the fewest ports and
// says so in a Warning (LBC #3460, #4800). Ownership of those rules is the
// cluster-qualified marker of naming.RuleDescription.
//
// NLBs without SGs (created before SG support, or disable-nlb-sg) get
// LBC's CIDR-sourced node rules (§6.4) with RefCIDR sources.
//
// Ingress groups → ALB: BuildIngressGroup(stack, members, Facts, Defaults)
// merges an IngressGroup's members (each with its IngressClassParams spec,
// backend Services and their endpoints) in group order (OrderMembers) into
// one ALB Stack: lbc-load-balancers.md §1.2, §2.1, §2.5, §2.6, §3.2, §4,
// §6 and lbc-security-groups.md §2.2–2.4, §3.6, §4, §5, §6.2, §7. It shares
// subnet resolution, targets, target-rule ports and SG choice, managed-SG
// packing and ResolveSecurityGroups with the NLB builder. Unlike LBC, which
// fails the whole group, a member whose own settings are invalid or which
// conflicts with an earlier member (group order) is left out with its error
// and the rest of the group is built; members given but none usable is an
// error (ErrNoUsableIngress), never a teardown. More than 5 SGs on the ALB
// is refused before any AWS call (ErrTooManySecurityGroups). Routing
// annotations are modelled as LBC builds them: actions.<name> (a
// use-annotation backend), conditions.<name> merged with the rule's host
// and path, transforms.<name>, use-regex-path-match, and LBC's rule
// optimizer; target groups named by targetGroupName come resolved in
// Facts.TargetGroupARNs. ACM certificate discovery (certs.go) picks, for a
// member listening on HTTPS without certificate-arn or IngressClassParams
// certificateArn, the Facts.Certificates matching its hosts, as LBC's
// pkg/certs does. Authentication (ingress_auth.go) is LBC's buildActions:
// an authenticate-cognito, authenticate-oidc (client from the member's
// Secrets) or jwt-validation action before the rule's or default backend's
// action on HTTPS listeners; one that cannot be built (a Secret missing or
// incomplete, a bad annotation, authentication on a plain-HTTP listener,
// which LBC would serve unauthenticated) fails the whole group so nothing
// changes. Certificate management (create-acm-cert, gate
// EnableCertificateManagement; managedcerts.go) is LBC's
// model_build_certificates.go: IngressManagedCertificates lists the
// certificates to request (hosts, AMAZON_ISSUED or PRIVATE, resource ID,
// tags; certificate-arn wins; no host fails the group); a member uses the
// issued one from Facts.ManagedCertificates, and listens on HTTPS:443 by
// default; with the gate off, create-acm-cert is refused. Not modelled for
// ALBs: IPv6 target groups and listener attributes. WAF and
// Shield asks are the group's Addons, built as LBC builds them (every
// member given, conflicts fail the group, web ACL names resolved through
// Facts.WebACLARNs).
//
// The frontend NLB (enable-frontend-nlb, the frontend-nlb-* annotations)
// is Stack.Frontend, built as LBC's model_build_frontend_nlb.go builds it:
// named after the ALB (28 characters and "-nlb"), the scheme of
// frontend-nlb-scheme or --default-load-balancer-scheme (not the ALB's),
// the ALB's SGs unless frontend-nlb-security-groups, the ALB's user tags
// unless frontend-nlb-tags; one TCP listener per NLB port (the port
// mapping, or each ALB port on itself) forwarding to a target group of
// type alb whose one target is the ALB (ALBTarget) on the mapped ALB port,
// with LBC's health-check defaults (HTTP, traffic-port, /, 15 s, 5 s, 2,
// 2, 200 — its code's, not its docs') and its target-group name hash.
// Unlike LBC: a mapping to a port the Ingress's ALB does not listen on
// fails the group (LBC skips it silently), and explicitly set
// health-check fields are compared by value (LBC compares the success-code
// pointer, so two members setting the same codes conflict there).
//
// Nothing is ignored silently: Build and BuildIngressGroup first refuse an
// object (for a group: any member, or a backend Service's ALB annotations)
// carrying a key that annotations.Surface marks unsupported with an
// *UnsupportedError; the caller leaves the stack as it is.
//
// Known limits: TLS listeners, weighted actions, EIP/private-IP subnet
// mappings, LB/TG attributes and IPv6 target groups are not modelled;
// subnet discovery skips LBC's route-table reachability fallback, and its
// locales tell only Outpost subnets (OutpostArn) from the rest: lbsg reads
// no zone types, so Local Zone and Wavelength Zone subnets count as
// Availability Zones (an ALB there needs two, LBC lets it have one); ip
// targets use the SGs of the pod's node primary ENI (pod ENIs of security
// groups for pods, Fargate and hybrid nodes are not resolved).
package model
