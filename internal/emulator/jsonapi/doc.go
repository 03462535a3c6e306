// Package jsonapi holds what the emulator's awsJson1_1 services (WAFv2, WAF
// Regional, Shield) share: the error reply, body decoding, UUIDs, marker
// paging, and the persisted state of web ACLs and their associations
// (WAFv2 and WAF Regional). It imports only emulator/core.
package jsonapi
