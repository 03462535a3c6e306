package testenv

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Polling defaults for Eventually.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultInterval = 50 * time.Millisecond
)

// Eventually polls cond until it returns true, failing tb with what and the
// last error if DefaultTimeout passes first. cond's errors are treated as
// "not yet".
func Eventually(tb testing.TB, what string, cond func(ctx context.Context) (bool, error)) {
	tb.Helper()
	EventuallyWithin(tb, DefaultTimeout, what, cond)
}

// EventuallyWithin is Eventually with an explicit timeout.
func EventuallyWithin(tb testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error)) {
	tb.Helper()
	var last error
	err := wait.PollUntilContextTimeout(tb.Context(), DefaultInterval, timeout, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		last = err
		return ok && err == nil, nil
	})
	if err != nil {
		tb.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, last)
	}
}

// CleanupContext returns a context for use in tb.Cleanup functions, where
// tb.Context() is already cancelled: it keeps tb.Context's values and lasts a
// minute.
func CleanupContext(tb testing.TB) (context.Context, context.CancelFunc) {
	tb.Helper()
	return context.WithTimeout(context.WithoutCancel(tb.Context()), time.Minute)
}
