// Package acm emulates the part of AWS Certificate Manager that load
// balancer listeners and certificate discovery depend on: imported
// certificates (ImportCertificate, re-import included), requested ones
// (RequestCertificate: AMAZON_ISSUED certificates wait in
// PENDING_VALIDATION; a DNS-validated one is ISSUED as soon as the
// validation CNAME of each of its names, which DescribeCertificate gives
// as ResourceRecord, resolves in a public hosted zone of the emulated
// Route 53 (ResolvesRecord, checked on request and after every record
// change); IssueCertificate, the control API's POST /_lbsg/acm/issue,
// stands in for email validation; a private CA's are PRIVATE and ISSUED
// at once), DescribeCertificate (type,
// CA, names, validation options, key usages), ListCertificates (status,
// key type, key usage and export filters, ACM's default of RSA_1024 and
// RSA_2048 keys, pages), DeleteCertificate and tags. Seeds place
// certificates under fixed IDs (Seeded). It speaks awsJson1_1
// (X-Amz-Target CertificateManager.<Action>) as ACM does; the server
// routes requests here.
//
// Known limits: no private CA service behind CertificateAuthorityArn (any
// well-formed ARN issues), no renewal, revocation or export, and a pending
// certificate never times out.
package acm
