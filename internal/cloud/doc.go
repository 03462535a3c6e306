// Package cloud is lbsg's one AWS layer: the only package tree that imports
// the SDK's service packages (github.com/aws/aws-sdk-go-v2/service/…),
// besides internal/awsapi (the SDK-signature interfaces and clients), the
// emulator and the harnesses that seed it (localenv, testenv, sandbox).
// layer_test.go enforces it.
//
//   - cloud/ec2, cloud/elbv2, cloud/acm, cloud/route53, cloud/wafv2,
//     cloud/wafregional, cloud/shield: one package per AWS service. Values in, values
//     out (SDK-free types, errors classified by awserr); each method is one
//     or a few calls and keeps nothing: no cache, no TTL.
//   - cloud/state: the controllers' shared, cached view of AWS, built on
//     those packages: the VPC's SG index, the batched ELB listing with tags,
//     per-stack snapshots, the write log that keeps writes made during a
//     refresh, Converged and the drift refresh. It is the one cache of
//     load balancers, security groups and their add-ons.
//   - cloud/acmcerts: the catalog of ACM certificates lbsg requested
//     (create-acm-cert) and their Route 53 validation records, kept by
//     lbsg's own writes; its doc.go says what it caches and for how long.
//
// Nothing here decides ownership: that is naming's (OwnsRule,
// ClassifySecurityGroup, OwnsStackResource), passed in as predicates or
// applied by the callers.
package cloud
