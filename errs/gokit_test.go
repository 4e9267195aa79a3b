package errs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/afex/hystrix-go/hystrix"
	"github.com/go-kit/kit/circuitbreaker"
	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/ratelimit"
	"github.com/go-kit/kit/sd"
	"github.com/go-kit/kit/sd/lb"
	gobreakerv1 "github.com/sony/gobreaker"
	"github.com/sony/gobreaker/v2"
	handy "github.com/streadway/handy/breaker"
	"golang.org/x/time/rate"

	"github.com/gantrykit/gantry/errs"
)

var errDown = errors.New("connection refused")

func failing(err error) kitendpoint.Endpoint {
	return func(context.Context, any) (any, error) { return nil, err }
}

// call runs e once and returns its error.
func call(e kitendpoint.Endpoint) error {
	_, err := e(context.Background(), nil)
	return err
}

// tripped returns the error go-kit's middleware mw gives once the endpoint
// under it has failed n times.
func tripped(mw kitendpoint.Middleware, n int) error {
	e := mw(failing(errDown))
	for range n {
		_ = call(e)
	}
	return call(e)
}

// TestGoKitSentinels drives each go-kit middleware (or the library under
// it) until it returns its own error, and checks the kind, status, gRPC
// code and Retry-After that error gets from the table.
func TestGoKitSentinels(t *testing.T) {
	retryFinal := func(final error) error {
		return call(lb.Retry(2, time.Second, lb.NewRoundRobin(sd.FixedEndpointer{failing(final)})))
	}
	tests := []struct {
		name       string
		err        error
		want       errs.Kind
		status     int
		retryAfter time.Duration
	}{
		{"ratelimit.ErrLimited", call(ratelimit.NewErroringLimiter(rate.NewLimiter(0, 0))(failing(nil))),
			errs.KindTooManyRequests, 429, time.Second},
		{"gobreaker v1 open (circuitbreaker.Gobreaker)", tripped(circuitbreaker.Gobreaker(gobreakerv1.NewCircuitBreaker(gobreakerv1.Settings{})), 6),
			errs.KindUnavailable, 503, time.Second},
		{"gobreaker v1 too many requests", fmt.Errorf("call: %w", gobreakerv1.ErrTooManyRequests), errs.KindUnavailable, 503, time.Second},
		{"gobreaker v2 open", gobreaker.ErrOpenState, errs.KindUnavailable, 503, time.Second},
		{"gobreaker v2 too many requests", gobreaker.ErrTooManyRequests, errs.KindUnavailable, 503, time.Second},
		{"handy open (circuitbreaker.HandyBreaker)", tripped(circuitbreaker.HandyBreaker(handy.NewBreaker(0.01)), 20),
			errs.KindUnavailable, 503, time.Second},
		// hystrix.Do returns these values as they are; driving it here
		// would configure its process-wide command table.
		{"hystrix circuit open", hystrix.ErrCircuitOpen, errs.KindUnavailable, 503, time.Second},
		{"hystrix max concurrency", hystrix.ErrMaxConcurrency, errs.KindUnavailable, 503, time.Second},
		{"hystrix timeout", hystrix.ErrTimeout, errs.KindDeadlineExceeded, 504, 0},
		{"lb.ErrNoEndpoints", func() error { _, err := lb.NewRoundRobin(sd.FixedEndpointer{}).Endpoint(); return err }(),
			errs.KindUnavailable, 503, 0},
		{"lb.RetryError, plain final", retryFinal(errDown), errs.KindUnavailable, 503, 0},
		{"lb.RetryError, no endpoints", call(lb.Retry(2, time.Second, lb.NewRoundRobin(sd.FixedEndpointer{}))), errs.KindUnavailable, 503, 0},
		{"lb.RetryError, final with a kind", retryFinal(errs.NotFound("no such order")), errs.KindNotFound, 404, 0},
		{"lb.RetryError, final internal", retryFinal(errs.Internal(errDown)), errs.KindUnavailable, 503, 0},
		{"lb.RetryError, final throttled", retryFinal(errs.TooManyRequests(3*time.Second, "slow down")), errs.KindTooManyRequests, 429, 3 * time.Second},
		{"context.Canceled", context.Canceled, errs.KindCanceled, errs.StatusClientClosedRequest, 0},
		{"context.DeadlineExceeded", fmt.Errorf("query: %w", context.DeadlineExceeded), errs.KindDeadlineExceeded, 504, 0},
		{"a kind in the chain wins", errs.Wrap(errs.KindFailedPrecondition, ratelimit.ErrLimited, "not now"), errs.KindFailedPrecondition, 412, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("the middleware returned no error")
			}
			if got := errs.KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
			p := errs.ToProblem(tt.err)
			if p.Status != tt.status || p.RetryAfter != tt.retryAfter {
				t.Errorf("problem status %d, RetryAfter %v, want %d, %v", p.Status, p.RetryAfter, tt.status, tt.retryAfter)
			}
			if got := errs.RetryAfterOf(tt.err); got != tt.retryAfter {
				t.Errorf("RetryAfterOf = %v, want %v", got, tt.retryAfter)
			}
			if tt.want != errs.KindInternal && errs.KindOf(tt.err).CallerFault() == (tt.status >= 500) {
				t.Errorf("CallerFault = %v for status %d", errs.KindOf(tt.err).CallerFault(), tt.status)
			}
			var e *errs.Error
			if !errors.As(tt.err, &e) && p.Detail != "" { // the library's text is never sent
				t.Errorf("problem detail %q, want none", p.Detail)
			}
		})
	}
}
