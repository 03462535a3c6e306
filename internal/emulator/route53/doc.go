// Package route53 emulates the part of Amazon Route 53 that ACM's DNS
// validation depends on: hosted zones (public or private, made by a seed or
// the control API, never by the API), ListHostedZones and
// ListHostedZonesByName with their markers, GetHostedZone,
// ChangeResourceRecordSets (CREATE, DELETE, UPSERT applied all or
// nothing, with Route 53's InvalidChangeBatch messages),
// ListResourceRecordSets in Route 53's order and GetChange (changes are
// INSYNC at once). It speaks REST-XML under /2013-04-01/ as Route 53 does;
// the server routes requests here.
//
// Known limits: no alias, weighted, latency, failover or geolocation
// records, no health checks, no delegation sets and no zone quotas beyond
// the record count.
package route53
