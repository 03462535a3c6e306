// Package acmcerts is certificate management (gate
// EnableCertificateManagement): the ACM certificates lbsg requests for
// Ingresses with create-acm-cert, as LBC v3.6.2 does
// (pkg/deploy/acm/certificate_synthesizer.go, certificate_manager.go).
// The ingress reconciler calls it around a group's deploy.
//
//   - Ensure, before the load balancer is touched: for each certificate of
//     model.IngressManagedCertificates, the one lbsg owns for that
//     resource ID with the same names, or else a new one. An Amazon issued
//     certificate needs a public Route 53 hosted zone for each name (else
//     nothing is requested; the error names the host), gets its DNS
//     validation CNAMEs written there (TTL 60) and is used once ISSUED;
//     until then the caller holds the group and polls. One still pending
//     ReissueAfter after its request is deleted and requested anew (LBC).
//     A PRIVATE certificate (acm-pca-arn, --default-pca-arn) needs no DNS.
//   - Prune, after the listeners stopped using them (or after the load
//     balancer is gone): every certificate lbsg owns for the stack that
//     Ensure did not keep is deleted, its validation records first (from
//     the nearest zone and the nearest public zone; records gone or
//     changed since are left alone). A certificate still in use
//     (ResourceInUseException) is retried later. Certificates lbsg did not
//     request, by their tags, are never touched.
//   - Discoverable: certificate discovery skips certificates carrying the
//     cluster and Ingress stack tag keys (any value), as LBC does with the
//     gate on.
//
// Ownership is by tags: elbv2.k8s.aws/cluster = the cluster,
// ingress.k8s.aws/stack = the group and ingress.k8s.aws/resource = the
// resource ID. The catalog of the account's certificates and their tags is
// listed once (ListCertificates, ListTagsForCertificate each) and then kept
// by lbsg's own writes, so a resync with nothing to do makes no AWS call;
// only pending certificates are described again. The hosted zones are
// cached for ZonesTTL. Known limit: a certificate deleted outside lbsg is
// noticed when a DescribeCertificate finds it gone.
package acmcerts
