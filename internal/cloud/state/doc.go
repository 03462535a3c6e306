// Package state is the controllers' shared view of AWS and lbsg's one AWS
// cache (the CLI's plan and audit use it too). It reads and writes through
// cloud/ec2 and cloud/elbv2, which keep nothing, and imports no SDK package.
//
// What it caches, and for how long (no TTL: an entry lives until a write,
// an invalidation or the drift check replaces it; the drift check runs
// every --drift-interval):
//   - every SG of the VPC with its tags and inbound rules (plus foreign SGs
//     read by ID): one paged Describe on first use, replaced wholesale by
//     RefreshSecurityGroups (the drift check). A name of the security-groups
//     annotation not in the index is asked of EC2 each time (LBC resolves
//     uncached).
//   - every LB and TG of the VPC with its tags: one paged Describe of each
//     and DescribeTags 20 ARNs at a time on first use, replaced by RefreshELB
//     (drift check, teardown), which reads tags only for ARNs not seen
//     before or seen without tags.
//   - a per-stack Snapshot: the LB's listeners (with an ALB's rules, their
//     tags and the LB's attributes) and each TG's targets and attributes;
//     read on the first Snapshot after an invalidation. An Ingress stack's
//     frontend NLB (resource tag FrontendNlb) and its target groups
//     (FrontendNlb-…) are set apart in Snapshot.Frontend and read the same
//     way.
//   - the VPC's subnets (read once; RefreshSubnets re-reads), its CIDRs and
//     each instance's primary ENI and groups (read once, for the process).
//   - the account's ISSUED ACM certificates with their names (certificate
//     discovery, certs.go): one paged ListCertificates and a
//     DescribeCertificate per certificate on first need; listed again by
//     the drift check (RefreshCertificates, which returns the stacks that
//     use it when something changed) or when a host has no certificate and
//     the listing is older than a minute. A certificate's names are read
//     again at a re-listing after LBC's TTLs (5 minutes imported, 10 hours
//     others). Never read when no Ingress discovers.
//   - ALB add-ons (after EnableAddons): each ALB's WAFv2 and WAF Classic
//     web ACL and Shield protection, read on the first ask for that ALB
//     and then set by lbsg's own writes (a failed write forgets the entry)
//     and replaced by the drift check's re-reads (Reread…, reread.go) for
//     the ALBs whose stacks ask for that add-on; the Shield subscription
//     state, read once and again by each drift check when a stack asks
//     about Shield (RereadShieldSubscribed); the WAFv2 web ACLs by name,
//     read once (a name not found lists again). ForgetAddons drops a
//     deleted ALB's.
//   - attributes of load balancers, target groups and listeners per ARN
//     (attributes.go): what a Describe…Attributes returned and what lbsg
//     wrote since; the drift check replaces a load balancer's or target
//     group's with a fresh read when its stack sets some
//     (RereadLoadBalancerAttributes, RereadTargetGroupAttributes).
//     Listeners' are not re-read.
//
// Concurrent reconciles that find a cache cold wait for the first one's
// Describe (one filler per cache).
//
// What each write does to it:
//   - SG writes (create, Authorize, Revoke, Describe, tags, delete) update
//     the SG index in place when they succeed; a failed rule write marks the
//     SG stale, so its next cached read re-reads it by ID. SecurityGroup(…,
//     fresh) always re-reads: destructive decisions never use the cache
//     alone (LBC #4889). RefreshStackSGs adds a stack's SGs the index lacks
//     (a create whose reply was lost); a create refused as a duplicate adopts
//     the group when its tags make it the same stack's.
//   - ELB writes to LBs and TGs (create, delete, tags, SGs, health checks)
//     update the LB/TG index in place. Listener, rule, target and attribute
//     writes change only AWS: the caller drops the stack's Snapshot
//     (Invalidate), which also makes the stack untrusted so Listed refuses
//     it until Converged says lbsg's own writes brought it to a model in
//     full. A Snapshot read that raced an invalidation is returned but not
//     kept.
//   - a refresh (RefreshSecurityGroups, RefreshELB) keeps the writes made
//     while it listed (the write log: the cache's entry wins for keys
//     written meanwhile) and drops the Snapshot of every stack whose LB or
//     TGs it saw appear, vanish or change. A drift re-read of add-ons or
//     attributes that raced a write of lbsg's to that cache is returned but
//     not kept.
//
// What it never decides: ownership. Which SGs, rules, LBs and TGs are
// lbsg's is naming's (ClassifySecurityGroup, OwnsRule, OwnsStackResource);
// what to change is plan's. state only answers and carries out.
package state
