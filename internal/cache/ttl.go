package cache

import "time"

// TTLs of observed AWS state. Longer means fewer AWS calls per reconcile;
// shorter means a change made outside lbsg is seen sooner. Writes by lbsg
// invalidate what they change, and the drift check (one batched Describe per
// VPC every --drift-interval) repairs what changed outside lbsg whatever these
// are, so they bound staleness of reads only, never correctness of deletes or
// revokes (those re-read first).
const (
	// VPC CIDRs change only when someone associates a CIDR block; a stale
	// value delays a rule for the new block by at most this.
	VPCTTL = time.Hour

	// Subnet discovery results: new subnets or role tags are picked up within
	// this. LBC does not adopt new subnets for an existing NLB anyway
	// (lbc-load-balancers.md §4.1).
	SubnetTTL = 10 * time.Minute

	// Security groups by ID (rules and tags), as LBC (10 min,
	// lbc-security-groups.md §8.5). Only drives authorizes and diffs; revokes
	// re-read the group.
	SecurityGroupTTL = 10 * time.Minute

	// Instance → primary ENI and pod IP → ENI, as LBC (10 min). An ENI's
	// address does not move while the pod or node lives; its groups can be
	// changed by hand, which the drift check catches.
	ENITTL = 10 * time.Minute

	// Names-or-IDs resolution of manual SGs. LBC resolves on every reconcile;
	// a minute keeps resyncs free and still notices a renamed group quickly.
	ResolveTTL = time.Minute

	// ELBv2 tags per ARN, as LBC (20 min), dropped on every tag write by lbsg.
	ELBV2TagsTTL = 20 * time.Minute

	// ELBv2 descriptions (load balancers, target groups, listeners, rules,
	// attributes). Every write by lbsg invalidates them; outside changes are
	// seen within this or at the next drift check.
	ELBV2TTL = 10 * time.Minute
)
