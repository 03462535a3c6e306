// Package graph is `lbsg graph`: who can reach what in one VPC, drawn from
// live AWS state. Read collects security groups, load balancers (with their
// listeners, target groups and registered targets) and network interfaces
// through the SDK-shaped interfaces of package awsapi; Build turns that
// State into a layered Graph without I/O; DOT and SVG render it.
//
// Columns, left to right: client sources (CIDRs, prefix lists, security
// groups attached to nothing shown here), frontend SGs (on a load balancer,
// admitting clients), load balancers, then the Gateway API's view when the
// caller gives State.Gateways (gateways, their listeners, the routes
// attached, the routes' backend Services with their target groups, which
// reach the node SGs their targets sit behind), backend SGs (on a load
// balancer and used only as the source of rules elsewhere), node/ENI SGs
// (on network interfaces), and the interfaces themselves with the target
// ports load balancers send to. An edge into an SG carries the ports its
// inbound rules open to the edge's source. A load balancer's label names
// its listeners, certificates and EIPs and, for an ALB, its web ACL, its
// Shield protection and its listener rules (conditions → actions, the
// default rule last, at most a dozen lines). Read reads AWS only; the
// Gateways come from the cluster (cli builds them with planview.Gateways,
// the reconciler's path). An empty column is not drawn.
//
// Limits: only inbound rules are drawn (egress is EC2's default allow-all
// for everything lbsg makes); network ACLs and routes are not read; ENIs
// owned by load balancers are left out; the SVG layout is a plain layered
// one (columns, rows ordered by their predecessors, column-skipping edges in
// lanes below), readable up to a few dozen nodes per column.
package graph
