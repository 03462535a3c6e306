package awserr_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"

	"github.com/lbsg/lbsg/internal/awserr"
)

func apiErr(code string, fault smithy.ErrorFault) error {
	return &smithy.OperationError{
		ServiceID:     "EC2",
		OperationName: "AuthorizeSecurityGroupIngress",
		Err:           &smithy.GenericAPIError{Code: code, Message: "msg for " + code, Fault: fault},
	}
}

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want awserr.Class
		code string
	}{
		{"nil error is None", nil, awserr.None, ""},
		{"EC2 RequestLimitExceeded is throttling", apiErr("RequestLimitExceeded", smithy.FaultServer), awserr.Throttled, "RequestLimitExceeded"},
		{"ELBv2 Throttling is throttling", apiErr("Throttling", smithy.FaultClient), awserr.Throttled, "Throttling"},
		{"SDK client-side retry quota counts as throttling", fmt.Errorf("op: %w", ratelimit.QuotaExceededError{Available: 0, Requested: 5}), awserr.Throttled, awserr.ClientRetryQuotaExceeded},
		{"a revoked rule that is gone is NotFound", apiErr("InvalidPermission.NotFound", smithy.FaultClient), awserr.NotFound, "InvalidPermission.NotFound"},
		{"a vanished security group is NotFound", apiErr("InvalidGroup.NotFound", smithy.FaultClient), awserr.NotFound, "InvalidGroup.NotFound"},
		{"a missing load balancer is NotFound", apiErr("LoadBalancerNotFound", smithy.FaultClient), awserr.NotFound, "LoadBalancerNotFound"},
		{"a missing target group is NotFound", apiErr("TargetGroupNotFound", smithy.FaultClient), awserr.NotFound, "TargetGroupNotFound"},
		{"a missing listener is NotFound", apiErr("ListenerNotFound", smithy.FaultClient), awserr.NotFound, "ListenerNotFound"},
		{"an existing rule is Duplicate", apiErr("InvalidPermission.Duplicate", smithy.FaultClient), awserr.Duplicate, "InvalidPermission.Duplicate"},
		{"an existing group name is Duplicate", apiErr("InvalidGroup.Duplicate", smithy.FaultClient), awserr.Duplicate, "InvalidGroup.Duplicate"},
		{"an LB name taken with other settings is Duplicate", apiErr("DuplicateLoadBalancerName", smithy.FaultClient), awserr.Duplicate, "DuplicateLoadBalancerName"},
		{"deleting a referenced SG is DependencyViolation", apiErr("DependencyViolation", smithy.FaultClient), awserr.DependencyViolation, "DependencyViolation"},
		{"deleting an attached target group is InUse", apiErr("ResourceInUse", smithy.FaultClient), awserr.InUse, "ResourceInUse"},
		{"60 rules per SG is QuotaExceeded", apiErr("RulesPerSecurityGroupLimitExceeded", smithy.FaultClient), awserr.QuotaExceeded, "RulesPerSecurityGroupLimitExceeded"},
		{"six SGs on an ENI is QuotaExceeded", apiErr("SecurityGroupsPerInterfaceLimitExceeded", smithy.FaultClient), awserr.QuotaExceeded, "SecurityGroupsPerInterfaceLimitExceeded"},
		{"too many ALB rules is QuotaExceeded", apiErr("TooManyRules", smithy.FaultClient), awserr.QuotaExceeded, "TooManyRules"},
		{"invalid ELB configuration is Invalid", apiErr("InvalidConfigurationRequest", smithy.FaultClient), awserr.Invalid, "InvalidConfigurationRequest"},
		{"ELBv2 ValidationError is Invalid", apiErr("ValidationError", smithy.FaultClient), awserr.Invalid, "ValidationError"},
		{"IAM denial is Denied", apiErr("UnauthorizedOperation", smithy.FaultClient), awserr.Denied, "UnauthorizedOperation"},
		{"EC2 InternalError is Transient", apiErr("InternalError", smithy.FaultServer), awserr.Transient, "InternalError"},
		{"an unknown client-fault code is Invalid", apiErr("Something.Else", smithy.FaultClient), awserr.Invalid, "Something.Else"},
		{"an unknown server-fault code is Transient", apiErr("Weird", smithy.FaultServer), awserr.Transient, "Weird"},
		{"an unknown code of unknown fault is Unknown", apiErr("Weird", smithy.FaultUnknown), awserr.Unknown, "Weird"},
		{"context cancellation is Canceled", fmt.Errorf("calling: %w", context.Canceled), awserr.Canceled, ""},
		{"deadline is Canceled", context.DeadlineExceeded, awserr.Canceled, ""},
		{"a network error is Transient", &net.OpError{Op: "dial", Err: errors.New("refused")}, awserr.Transient, ""},
		{"a plain error is Unknown", errors.New("boom"), awserr.Unknown, ""},
		{"classification sees through wrapping", fmt.Errorf("authorizing 3 rules on sg-1: %w", apiErr("InvalidPermission.Duplicate", smithy.FaultClient)), awserr.Duplicate, "InvalidPermission.Duplicate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := awserr.Classify(tt.err); got != tt.want {
				t.Errorf("Classify = %v, want %v", got, tt.want)
			}
			if got := awserr.Code(tt.err); got != tt.code {
				t.Errorf("Code = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestIsMatchesExactCodeOnly(t *testing.T) {
	err := fmt.Errorf("x: %w", apiErr(awserr.EC2InvalidPermissionNotFound, smithy.FaultClient))
	if !awserr.Is(err, awserr.EC2InvalidPermissionNotFound) {
		t.Error("Is should match the wrapped code")
	}
	if awserr.Is(err, awserr.EC2InvalidGroupNotFound) {
		t.Error("Is must not match another NotFound code")
	}
	if awserr.Is(nil, "") {
		t.Error("nil is no code")
	}
	if got := awserr.Message(err); got != "msg for InvalidPermission.NotFound" {
		t.Errorf("Message = %q", got)
	}
}

func TestRetryable(t *testing.T) {
	for c, want := range map[awserr.Class]bool{
		awserr.Throttled: true, awserr.DependencyViolation: true, awserr.Transient: true,
		awserr.Invalid: false, awserr.Denied: false, awserr.QuotaExceeded: false, awserr.Canceled: false,
	} {
		if c.Retryable() != want {
			t.Errorf("%v.Retryable() = %v, want %v", c, !want, want)
		}
	}
}

func TestIsDeletionProtection(t *testing.T) {
	dp := &smithy.GenericAPIError{Code: "OperationNotPermitted", Message: "Load balancer 'arn' cannot be deleted because deletion protection is enabled", Fault: smithy.FaultClient}
	other := &smithy.GenericAPIError{Code: "OperationNotPermitted", Message: "Default rule 'x' cannot be modified", Fault: smithy.FaultClient}
	if !awserr.IsDeletionProtection(fmt.Errorf("deleting: %w", dp)) {
		t.Error("deletion protection not recognised")
	}
	if awserr.IsDeletionProtection(other) || awserr.IsDeletionProtection(nil) {
		t.Error("other OperationNotPermitted taken for deletion protection")
	}
}
