// Package drift is lbsg's periodic drift check (--drift-interval): one
// paged DescribeSecurityGroups per VPC and one paged DescribeLoadBalancers
// and DescribeTargetGroups (tags only for ARNs not seen before) refresh the
// caches (and one paged ListCertificates when an Ingress or a Gateway
// discovers its ACM certificates; the Ingress groups and Gateways that do
// are enqueued on their own queues when they changed); whatever differs
// from the desired state is enqueued — target SGs
// into targetsg, Services into service — and repaired there. The cost is
// independent of the number of Services; repair does not wait for a
// Kubernetes change (LBC #2515, #4607).
//
// What the listings do not show is re-read only for the stacks whose
// desired state asks for it (registry.Watched, published by deploy): an
// ALB's WAFv2 and WAF Classic web ACL association (one
// GetWebACLForResource each), its Shield protection (one
// DescribeProtection, plus one GetSubscriptionState per check when any
// stack asks about Shield), the load balancer's attributes when the
// manifest sets some (one DescribeLoadBalancerAttributes) and each target
// group's when the manifest sets some (one DescribeTargetGroupAttributes;
// the proxy protocol off that lbsg gives every NLB target group unasked
// does not count). The reads refresh state's caches, and a stack that
// differs is enqueued and repaired by its reconcile, which decides as
// LBC does: an add-on no annotation asks for is never read nor touched, and
// only the attribute keys the manifest sets are compared. A world with no
// add-ons and no attributes costs what it did: the three listings.
//
// Known limits: tags of load balancers and target groups are read only for
// ARNs not seen before, so a tag edited by hand on an existing NLB is
// repaired after a restart, not at the next check; listeners and targets
// are compared only when their LB or TG changed; listener attributes and
// the frontend NLB's attributes are not re-read; a WAFv2 web ACL name
// stays resolved to the ARN it had (an ACL re-created under the same name
// is found after a restart).
package drift
