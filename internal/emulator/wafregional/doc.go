// Package wafregional emulates the part of AWS WAF Classic (Regional) that
// load balancers depend on: change tokens (GetChangeToken,
// GetChangeTokenStatus), web ACLs (CreateWebACL and DeleteWebACL with a
// change token, GetWebACL, ListWebACLs) and their associations with
// Application Load Balancers (AssociateWebACL, DisassociateWebACL,
// GetWebACLForResource). It speaks awsJson1_1 (X-Amz-Target
// AWSWAF_Regional_20161128.<Action>, SigV4 service waf-regional).
//
// A change token is good for one change: reusing it, or a token this
// account never issued, is WAFStaleDataException; a used token's status is
// INSYNC at once. A resource has at most one web ACL; associating another
// replaces it. Associations of load balancers the LoadBalancer hook no
// longer knows are dropped. Rules are not modelled (a created ACL has none).
package wafregional
