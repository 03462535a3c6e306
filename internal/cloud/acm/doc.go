// Package acm is lbsg's AWS Certificate Manager layer: the reads ACM
// certificate discovery needs (Provider; LBC's cert discovery, v3.6.2
// pkg/certs/cert_discovery.go) and the calls of certificate management
// (Manager: RequestCertificate with DNS validation or a private CA,
// DescribeCertificate with the validation records, the account's listing
// and tags, DeleteCertificate; LBC's pkg/deploy/acm). Values in, values
// out: SDK-free values and errors classified by awserr; no events, no
// status.
//
// Caches: none. Every method is one call, or one paged listing, made when
// it is called. The discovery catalog (what was listed, each
// certificate's names, when to read again) is cloud/state's; the catalog
// of the certificates lbsg requested is cloud/acmcerts'.
//
// Contract:
//   - IssuedCertificateARNs lists as LBC does: status ISSUED, every key
//     type (ACM's default listing has RSA_1024 and RSA_2048 only), all
//     pages, no MaxItems (ACM serves its largest pages).
//   - Certificate is one DescribeCertificate: the type, the issuing CA and
//     the subject alternative names (which include the domain name). A
//     certificate deleted since its listing is (nil, nil).
//   - Manager.Describe and Tags are (nil, nil) for a certificate gone;
//     Delete of one gone is no error; a certificate in use fails Delete
//     with ResourceInUseException (the caller retries).
//
// Imports awsapi, awserr and the ACM SDK types.
package acm
