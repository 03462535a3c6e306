// Package acm emulates the part of AWS Certificate Manager that load
// balancer listeners depend on: imported certificates (ImportCertificate,
// DescribeCertificate, ListCertificates, DeleteCertificate) and their tags.
// It speaks awsJson1_1 (X-Amz-Target CertificateManager.<Action>) as ACM
// does; the server routes requests here.
package acm
