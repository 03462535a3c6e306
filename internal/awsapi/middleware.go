package awsapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/lbsg/lbsg/internal/awserr"
)

// Call is what the observer hears about one attempt sent to AWS.
type Call struct {
	Service   string // SDK service ID: "EC2", "Elastic Load Balancing v2", "EKS"
	Operation string // e.g. "AuthorizeSecurityGroupIngress"
	Attempt   int    // 1 for the first attempt, 2 for the first retry, …
	Sent      bool   // false: abandoned in the client-side limiter (context ended)
	Code      string // AWS error code ("" on success; awserr.Code)
	Class     awserr.Class
	Throttled bool          // the attempt was throttled (AWS or the SDK retry quota)
	Waited    time.Duration // time the client-side limiter held the attempt (0: sent at once)
	Duration  time.Duration // time on the wire, limiter excluded
}

// Observer receives every attempt. It is called concurrently and must not
// block.
type Observer func(Call)

// limiter holds the client-side token buckets of one set of clients.
type limiter struct {
	limits Limits
	mu     sync.Mutex
	byKey  map[string]*rate.Limiter
}

func newLimiter(l Limits) *limiter {
	return &limiter{limits: l, byKey: map[string]*rate.Limiter{}}
}

func (l *limiter) get(ref bucketRef) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	rl := l.byKey[ref.key]
	if rl == nil {
		b, ok := l.limits[ref.class]
		if !ok {
			return nil // class not limited
		}
		rl = rate.NewLimiter(rate.Limit(b.Rate), max(1, b.Burst))
		l.byKey[ref.key] = rl
	}
	return rl
}

// wait takes one token from every bucket in refs, waiting until all can pay
// or ctx ends (then nothing is taken). It returns how long it held the call.
func (l *limiter) wait(ctx context.Context, refs []bucketRef) (time.Duration, error) {
	var rs []*rate.Reservation
	var delay time.Duration
	now := time.Now()
	for _, ref := range refs {
		rl := l.get(ref)
		if rl == nil {
			continue
		}
		r := rl.ReserveN(now, 1)
		if !r.OK() {
			cancelAll(rs, now)
			return 0, fmt.Errorf("client-side rate limit %s cannot grant a token", ref.class)
		}
		rs = append(rs, r)
		delay = max(delay, r.DelayFrom(now))
	}
	if delay <= 0 {
		return 0, nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return delay, nil
	case <-ctx.Done():
		cancelAll(rs, time.Now())
		return 0, fmt.Errorf("waiting %v for the client-side rate limit: %w", delay, ctx.Err())
	}
}

func cancelAll(rs []*rate.Reservation, now time.Time) {
	for _, r := range rs {
		r.CancelAt(now)
	}
}

type callStateKey struct{}

// callState travels from the Initialize step (one per operation) to the
// Finalize step (one per attempt).
type callState struct {
	buckets []bucketRef
	attempt int
}

// initialize records which buckets the operation pays; the input is only
// visible at this step.
type initialize struct{}

func (initialize) ID() string { return "lbsg/CallState" }

func (initialize) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	st := &callState{buckets: bucketsFor(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters)}
	ctx = middleware.WithStackValue(ctx, callStateKey{}, st)
	return next.HandleInitialize(ctx, in)
}

// attempt runs once per attempt, after the retryer: it waits for the
// client-side buckets, then sends, then tells the observer.
type attempt struct {
	limiter  *limiter // nil: no client-side limits
	observer Observer // nil: nobody listens
}

func (attempt) ID() string { return "lbsg/RateLimitAndObserve" }

func (a attempt) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	st, _ := middleware.GetStackValue(ctx, callStateKey{}).(*callState)
	if st == nil {
		st = &callState{}
	}
	st.attempt++
	var waited time.Duration
	if a.limiter != nil {
		var err error
		if waited, err = a.limiter.wait(ctx, st.buckets); err != nil {
			a.observe(ctx, st.attempt, false, 0, 0, err)
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
	}
	sent := time.Now()
	out, md, err := next.HandleFinalize(ctx, in)
	a.observe(ctx, st.attempt, true, waited, time.Since(sent), err)
	return out, md, err
}

// observe reports one attempt; a call abandoned in the limiter is reported
// with its context error (class Canceled) and was never sent.
func (a attempt) observe(ctx context.Context, n int, sent bool, waited, took time.Duration, err error) {
	if a.observer == nil {
		return
	}
	class := awserr.Classify(err)
	a.observer(Call{
		Service:   awsmiddleware.GetServiceID(ctx),
		Operation: awsmiddleware.GetOperationName(ctx),
		Attempt:   n,
		Sent:      sent,
		Code:      awserr.Code(err),
		Class:     class,
		Throttled: class == awserr.Throttled,
		Waited:    waited,
		Duration:  took,
	})
}

// stackOptions installs the middleware on every operation of a client.
func stackOptions(l *limiter, obs Observer) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		if err := s.Initialize.Add(initialize{}, middleware.After); err != nil {
			return fmt.Errorf("adding call-state middleware: %w", err)
		}
		mw := attempt{limiter: l, observer: obs}
		// After the retryer, so every attempt pays a token and is observed,
		// as AWS charges and counts every attempt. The retry middleware is
		// missing only when a caller removed it; then run first in Finalize.
		if _, ok := s.Finalize.Get("Retry"); ok {
			if err := s.Finalize.Insert(mw, "Retry", middleware.After); err != nil {
				return fmt.Errorf("adding rate-limit middleware: %w", err)
			}
			return nil
		}
		if err := s.Finalize.Add(mw, middleware.Before); err != nil {
			return fmt.Errorf("adding rate-limit middleware: %w", err)
		}
		return nil
	}
}
