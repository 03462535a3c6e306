// Package sts emulates AWS STS's AssumeRole (Query protocol, version
// 2011-06-15), for TargetGroupBindings' iamRoleArnToAssume: it returns
// temporary credentials (ASIA… access key, secret, session token, an
// expiration) that the emulator then accepts on its other services,
// signed as usual and carrying the session token (X-Amz-Security-Token).
//
// The emulator has no IAM: every well-formed role ARN is assumable,
// unless the control API registered an external ID for it
// (RequireExternalID), in which case a call with another (or no) external
// ID is AccessDenied, as with a trust policy's sts:ExternalId condition.
// Validation follows the API reference: RoleArn 20–2048 characters,
// RoleSessionName 2–64 of [\w+=,.@-], DurationSeconds 900–43200 (above
// 3600, a role's default maximum session, is refused), ExternalId 2–1224
// of [\w+=,.@:/-]. Credentials expire after DurationSeconds (default 3600)
// on the emulator's clock.
package sts
