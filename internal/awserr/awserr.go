package awserr

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"
)

// Class is what a caller needs to know about an AWS failure to decide between
// retrying, requeueing, treating it as done, or giving up.
type Class int

// Classes. The zero value is Unknown.
const (
	// Unknown: not an AWS API error and not recognised; retry with backoff.
	Unknown Class = iota
	// None: err is nil.
	None
	// Throttled: server-side throttling or the SDK's client-side retry quota.
	Throttled
	// NotFound: the named resource (or rule) does not exist.
	NotFound
	// Duplicate: the resource or rule already exists.
	Duplicate
	// DependencyViolation: something still references the resource (ENIs
	// detaching, a rule citing the SG); wait and requeue.
	DependencyViolation
	// InUse: ELBv2 resource in use (target group still attached); requeue.
	InUse
	// QuotaExceeded: an account or per-resource limit was hit (rules per SG,
	// SGs per ENI, LBs per Region, …); retrying unchanged will not help.
	QuotaExceeded
	// Invalid: the request itself was rejected as malformed or not allowed in
	// the current configuration; terminal until the input changes.
	Invalid
	// Denied: authentication or IAM authorisation failed; terminal.
	Denied
	// Transient: a server fault or network failure; retry with backoff.
	Transient
	// Canceled: the context was canceled or its deadline passed.
	Canceled
)

var classNames = map[Class]string{
	Unknown: "Unknown", None: "None", Throttled: "Throttled", NotFound: "NotFound",
	Duplicate: "Duplicate", DependencyViolation: "DependencyViolation", InUse: "InUse",
	QuotaExceeded: "QuotaExceeded", Invalid: "Invalid", Denied: "Denied",
	Transient: "Transient", Canceled: "Canceled",
}

// String names the class for logs and metrics labels.
func (c Class) String() string {
	if s, ok := classNames[c]; ok {
		return s
	}
	return "Class(?)"
}

// Retryable reports whether the same request may succeed later without any
// change of input.
func (c Class) Retryable() bool {
	switch c {
	case Throttled, DependencyViolation, InUse, Transient, Unknown:
		return true
	case None, NotFound, Duplicate, QuotaExceeded, Invalid, Denied, Canceled:
		return false
	}
	return false
}

// Classify maps err to its Class. See the package doc.
func Classify(err error) Class {
	if err == nil {
		return None
	}
	if q := (ratelimit.QuotaExceededError{}); errors.As(err, &q) {
		return Throttled
	}
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		if c, ok := byCode[api.ErrorCode()]; ok {
			return c
		}
		switch api.ErrorFault() {
		case smithy.FaultClient:
			return Invalid
		case smithy.FaultServer:
			return Transient
		case smithy.FaultUnknown:
		}
		return Unknown
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Canceled
	}
	if _, ok := errors.AsType[*smithy.CanceledError](err); ok {
		return Canceled
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return Transient
	}
	return Unknown
}

// Code returns the AWS error code carried by err ("" if none). For the SDK's
// client-side retry quota it returns ClientRetryQuotaExceeded, a name lbsg
// invented so metrics and events can tell it apart from server throttling.
func Code(err error) string {
	if err == nil {
		return ""
	}
	if q := (ratelimit.QuotaExceededError{}); errors.As(err, &q) {
		return ClientRetryQuotaExceeded
	}
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		return api.ErrorCode()
	}
	return ""
}

// Message returns the AWS error message carried by err, or err.Error() when
// it carries none.
func Message(err error) string {
	if err == nil {
		return ""
	}
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		return api.ErrorMessage()
	}
	return err.Error()
}

// Is reports whether err carries exactly the given AWS code. Use it only for
// the few places where the class is too coarse (for example telling
// InvalidPermission.NotFound, a stale rule cache, from InvalidGroup.NotFound, a
// vanished group); the code constants below are the only spellings.
func Is(err error, code string) bool {
	return err != nil && Code(err) == code
}

// IsDeletionProtection reports whether err is ELBv2 refusing a delete because
// deletion protection is on: OperationNotPermitted with "deletion protection"
// in the message, the test LBC uses (aws-api.md §3.2).
func IsDeletionProtection(err error) bool {
	return Is(err, ELBOperationNotPermitted) && strings.Contains(strings.ToLower(Message(err)), "deletion protection")
}
