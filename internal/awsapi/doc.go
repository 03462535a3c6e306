// Package awsapi is lbsg's door to AWS: interfaces that copy the SDK's method
// signatures for every operation lbsg calls (EC2API, ELBV2API, EKSAPI), and
// the construction of the real clients behind them.
//
// Contract:
//   - The interfaces list exactly the operations lbsg uses, with the SDK's
//     signatures verbatim, so *ec2.Client, *elasticloadbalancingv2.Client,
//     *eks.Client, the SDK paginators and waiters all accept them (compile-time
//     assertions in api.go). There is no hand-written fake: tests use the
//     emulator through real clients (emutest).
//   - New loads the default credential chain; Config.Endpoint (--aws-endpoint)
//     overrides every endpoint, otherwise the SDK honours AWS_ENDPOINT_URL, so
//     one binary runs against the emulator or AWS unchanged.
//   - Retries: the SDK's standard retryer with MaxAttempts (default 10, LBC's
//     --aws-max-retries) and no retry quota (ratelimit.None): the SDK's quota
//     empties under throttling and then fails calls without sending them
//     (aws-sdk-go-v2#1665).
//   - Client-side token buckets per AWS bucket class (aws-api.md §5): EC2 one
//     bucket per action sized by its class, with unfiltered unpaginated
//     Describes in the smaller class; ELBv2 a class bucket plus the shared
//     account bucket; EKS one bucket. They are smithy middleware placed after
//     the retryer, so every attempt, retries included, waits (context-aware,
//     no sleep) for a token before it is sent. Defaults are AWS's sizes with a
//     tenth of the burst held back (DefaultLimits).
//   - Observer hears every attempt: service, operation, attempt number, AWS
//     error code and class (awserr), throttled or not, time waited in the
//     limiter and on the wire. Counter is a ready observer for tests and
//     benchmarks.
//
// Imports aws-sdk-go-v2, smithy-go, x/time/rate and awserr. No package-level
// mutable state: buckets belong to the Clients built by New/FromConfig, so two
// Clients in one process do not share buckets (build one per process).
//
// Known limits: the buckets are per process; other callers in the account
// (another controller, the console) spend AWS's tokens too, and then the
// retryer, not the limiter, absorbs the throttling. The limiter reads the
// wall clock (golang.org/x/time/rate); tests use small buckets rather than a
// fake clock.
package awsapi
