// Package wafregional is lbsg's WAF Classic (Regional) layer: an ALB's web
// ACL association (waf-acl-id). Values in, values out.
//
// Caches: none; every method is one call made when it is called, and a
// write invalidates nothing here. cloud/state keeps each load balancer's
// association and updates it from lbsg's own writes.
//
// Never decided here: whether a load balancer should have an association;
// the callers disassociate only when a manifest asks for it.
package wafregional
