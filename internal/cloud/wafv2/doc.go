// Package wafv2 is lbsg's WAFv2 layer: the REGIONAL web ACLs by name (for
// wafv2-acl-name) and an ALB's web ACL association. Values in, values
// out. Errors are wrapped with what was being done and classified by
// awserr.
//
// Caches: none; every method is one call (or one paged listing) made when
// it is called, and a write invalidates nothing here. cloud/state keeps
// each load balancer's association and updates it from lbsg's own writes.
//
// Never decided here: whether a load balancer should have an association.
// The callers disassociate only when a manifest says "none" (an absent
// annotation leaves whatever association exists alone, as in LBC).
package wafv2
