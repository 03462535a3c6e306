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
// Known limits: tags of load balancers and target groups are read only for
// ARNs not seen before, so a tag edited by hand on an existing NLB is
// repaired after a restart, not at the next check; listeners and targets
// are compared only when their LB or TG changed.
package drift
