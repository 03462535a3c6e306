// Package wafv2 is lbsg's WAFv2 layer: the REGIONAL web ACLs by name (for
// wafv2-acl-name) and an ALB's web ACL association. Values in, values
// out; it keeps nothing (cloud/state caches). Errors are wrapped with what
// was being done and classified by awserr.
package wafv2
