// Package awserr is the only place in lbsg where AWS error codes are spelled.
//
// Contract:
//   - Classify(err) maps any error returned by an aws-sdk-go-v2 client (wrapped
//     any number of times with %w) to a Class that callers switch on; nothing
//     outside this package compares ErrorCode() strings.
//   - Code(err) returns the AWS error code for logs, metrics and event
//     messages, or "" when err carries none.
//   - The SDK's client-side retry-quota error (ratelimit.QuotaExceededError,
//     aws/aws-sdk-go-v2#3189) classifies as Throttled, like the server-side
//     throttling codes: both mean "back off and try again".
//   - Context cancellation and deadline expiry classify as Canceled so a
//     reconciler can tell shutdown from AWS failure.
//
// Imports: standard library, smithy-go, aws-sdk-go-v2/aws/ratelimit. No clients.
//
// Known limits: codes AWS documents but lbsg never reacts to fall through to
// Invalid (client fault) or Transient (server fault) by the error's fault, and
// to Unknown when the fault is not known. The exact ELBv2 code for more than
// five security groups on a load balancer is unconfirmed
// (InvalidConfigurationRequest per aws-api.md §3.3); callers validate the
// count before calling AWS instead of relying on it.
package awserr
