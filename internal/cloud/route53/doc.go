// Package route53 is lbsg's Amazon Route 53 layer: what certificate
// management (create-acm-cert) needs to validate the certificates it
// requests, as LBC v3.6.2 does (pkg/aws/services/route53.go,
// pkg/deploy/acm/certificate_manager.go): the account's hosted zones, the
// nearest one of a name, and the CREATE and DELETE of a validation record.
// Values in, values out: SDK-free values and errors classified by awserr.
//
// Caches: none; the controller keeps the zone list (it changes rarely).
//
// Contract:
//   - HostedZones lists every zone, all pages.
//   - NearestZone is LBC's choice: the zone whose name is the longest
//     suffix of the name, by labels; public zones only when asked (DNS
//     validation is public).
//   - CreateRecord treats a record that already exists as written (another
//     certificate of the account for the same name wrote it; ACM's record
//     is the same); DeleteRecord treats one gone, or changed since, as
//     deleted, as LBC does.
//
// Imports awsapi, awserr and the Route 53 SDK.
package route53
