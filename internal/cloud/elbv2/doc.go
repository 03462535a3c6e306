// Package elbv2 is lbsg's Elastic Load Balancing v2 provider: load
// balancers, target groups (attributes, health checks, targets), listeners,
// rules and tags. Values in, values out: SDK-free values and errors; no
// events, no status, no ownership decisions (callers pass tag predicates such
// as naming.OwnsStackResource).
//
// Contract:
//   - Finding by tags is LBC's way (lbc-load-balancers.md §3.4): one paged,
//     unfiltered Describe of all LBs (or TGs), kept to the VPC, then
//     DescribeTags 20 ARNs at a time. Lists, tags, listeners, rules,
//     attributes and targets are cached (cache.ELBV2TTL, cache.ELBV2TagsTTL),
//     so a resync of an unchanged object costs no call; every write drops what
//     it changes (broadly: a listener write drops all target-group lists,
//     whose LoadBalancerARNs it changes).
//   - Refresh is the drift check's read: one paged Describe of LBs and one of
//     TGs per VPC, tags only for ARNs not cached.
//   - Creates carry their tags (and, for LBs, subnets as SubnetMappings and
//     security groups), so nothing exists untagged. ELBv2 creates are
//     idempotent for identical input.
//   - Deletes of something already gone succeed. ResourceInUse and
//     InvalidConfigurationRequest (e.g. SetSecurityGroups on an NLB created
//     without groups) are returned, classified by awserr, for the caller to
//     event or requeue; nothing here waits or sleeps.
//   - Update* and SyncTargets diff against the cached current state and write
//     only differences, one call per kind of change.
//
// Imports awsapi, awserr, cache, naming and the ELBv2 SDK types.
//
// Known limits: authenticate-* and jwt-validation actions, rule transforms,
// listener mutual TLS and listener attributes are not modelled (lbsg does not
// write them); LoadBalancer(arn) is uncached on purpose (read-after-create).
package elbv2
