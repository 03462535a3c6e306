// Package emulator is lbsg's local stand-in for the AWS EC2, ELBv2, EKS,
// ACM, Route 53, STS, WAFv2, WAF Regional and Shield APIs: one HTTP handler speaking
// the EC2 (2016-11-15), ELBv2 (2015-12-01) and STS (2011-06-15,
// AssumeRole: temporary credentials the emulator then accepts; see package
// sts) Query protocols, EKS's REST-JSON DescribeCluster / ListClusters,
// and awsJson1_1 for ACM (imported and requested certificates, which ELBv2
// listeners of the account must name), WAFv2 and WAF Regional (web ACLs
// and their ALB associations) and Shield (subscription, protections), and
// Route 53's REST-XML (hosted zones and record sets, where ACM's DNS
// validation looks for its CNAME records; see package route53), so
// the AWS CLI, aws-sdk-go-v2 and other controllers work against it
// unchanged.
//
// A Server is both a library and the `lbsg emulator` binary: tests start it
// in-process (Transport serves requests with no socket), the CLI listens on
// loopback. Requests are routed by the service of the SigV4 credential scope
// (ec2, elasticloadbalancing, eks, acm, route53, sts, wafv2, waf-regional,
// shield), then by Version or, for the awsJson services, X-Amz-Target
// (which alone routes an unsigned request; an unsigned Route 53 request is
// known by its /2013-04-01/ path). Around every call the
// server applies, in order: optional SigV4 verification, throttling (AWS's
// documented token buckets, per action class), injected faults, the call log,
// and one lock (shared for reads, exclusive for writes), so the state is
// linearisable and only Describe views may lag (core.Lag).
//
// The control API under /_lbsg/ exposes the call log (calls), a JSON dump of
// the state (state), reset, faults, the clock, the Shield subscription
// (shield), hosted zones (route53/zones), target health (health: the HealthScale timing; targets/health:
// mark a target unhealthy) and STS roles' external IDs (roles), for tests
// and benchmarks. Throttling applies to the Query services only.
//
// The emulator is an island: it imports nothing from lbsg's controller side,
// so the two cannot share a misunderstanding of AWS.
package emulator
