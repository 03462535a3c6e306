// Package query is the wire codec of the AWS Query protocols the emulator
// speaks: form-encoded requests with EC2's flattened lists (Name.N) or the
// awsquery member lists (Name.member.N, Name.entry.N.key), and XML replies in
// both envelopes (EC2's <ActionResponse><requestId> and ELBv2's
// <ActionResponse><ActionResult><ResponseMetadata>), including the two error
// shapes. It knows nothing about any resource; standard library only.
//
// Decoding never panics: a malformed body becomes an *Error with a 400 status.
// List indexes are parsed as integers and ordered numerically, because
// aws-sdk-go-v2 sorts keys textually (Filter.10 before Filter.2); gaps are
// tolerated. A bare key with an empty value (X=) reads as an explicit empty
// list.
package query
