// Package wafv2 emulates the part of AWS WAFv2 that load balancers depend
// on: REGIONAL web ACLs (CreateWebACL, GetWebACL, ListWebACLs, DeleteWebACL
// with LockToken optimistic locking) and their associations with
// Application Load Balancers (AssociateWebACL, DisassociateWebACL,
// GetWebACLForResource, ListResourcesForWebACL). It speaks awsJson1_1
// (X-Amz-Target AWSWAF_20190729.<Action>, SigV4 service wafv2); the server
// routes requests here.
//
// A resource has at most one web ACL; associating another replaces it, as
// AWS does. An association goes with its load balancer: associations of
// ARNs the LoadBalancer hook no longer knows are dropped on every read.
// Rules are stored as given and not evaluated; capacity is 0 per rule
// list. CLOUDFRONT scope is refused (this is a regional emulator).
package wafv2
