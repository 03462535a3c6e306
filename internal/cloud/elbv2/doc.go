// Package elbv2 is lbsg's Elastic Load Balancing v2 layer: load balancers,
// target groups (attributes, health checks, targets), listeners, rules and
// tags. Values in, values out: SDK-free values and errors; no events, no
// status.
//
// Caches: none. Every method is one or a few calls, made when it is called;
// a write invalidates nothing here. The controllers' cache (the VPC's LB/TG
// index with tags, per-stack snapshots) is cloud/state, built on this
// package.
//
// Contract:
//   - Finding by tags is LBC's way (lbc-load-balancers.md §3.4): one paged,
//     unfiltered Describe of all LBs (or TGs), kept to the VPC, then
//     DescribeTags 20 ARNs at a time. The List* forms skip the tags (state
//     reads them only for ARNs it has not seen); TagsOrGone tells a resource
//     deleted since its listing (left out) from a failure.
//   - Listings send no PageSize: AWS serves its largest pages.
//   - Creates carry their tags (and, for LBs, subnets as SubnetMappings and
//     security groups), so nothing exists untagged. ELBv2 creates are
//     idempotent for identical input.
//   - Deletes of something already gone succeed. ResourceInUse and
//     InvalidConfigurationRequest (e.g. SetSecurityGroups on an NLB created
//     without groups) are returned, classified by awserr, for the caller to
//     event or requeue; nothing here waits or sleeps.
//   - Update* and SyncTargets read the current state and write only the
//     differences, one call per kind of change; Modify* write as told.
//
// Ownership: never decided here. Callers pass tag predicates such as
// naming.OwnsStackResource or naming.KeepTag.
//
// Imports awsapi, awserr, naming and the ELBv2 SDK types.
//
// Known limits: authenticate-* and jwt-validation actions, rule transforms,
// listener mutual TLS and listener attributes are not modelled (lbsg does not
// write them).
package elbv2
