// Package wafregional is lbsg's WAF Classic (Regional) layer: an ALB's web
// ACL association (waf-acl-id). Values in, values out; it keeps nothing.
package wafregional
