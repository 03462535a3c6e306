// Package acm is lbsg's AWS Certificate Manager layer: the reads ACM
// certificate discovery needs (LBC's cert discovery, v3.6.2
// pkg/certs/cert_discovery.go). Values in, values out: SDK-free values and
// errors classified by awserr; no events, no status.
//
// Caches: none. Every method is one call, or one paged listing, made when
// it is called. The controllers' certificate catalog (what was listed,
// each certificate's names, when to read again) is cloud/state's.
//
// Contract:
//   - IssuedCertificateARNs lists as LBC does: status ISSUED, every key
//     type (ACM's default listing has RSA_1024 and RSA_2048 only), all
//     pages, no MaxItems (ACM serves its largest pages).
//   - Certificate is one DescribeCertificate: the type, the issuing CA and
//     the subject alternative names (which include the domain name). A
//     certificate deleted since its listing is (nil, nil).
//
// Imports awsapi, awserr and the ACM SDK types.
package acm
