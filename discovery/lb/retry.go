package lb

import (
	"context"

	"github.com/go-kit/kit/endpoint"
	kitlb "github.com/go-kit/kit/sd/lb"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/retrybudget"
)

// RetryOptions configures Retry. The zero value is the default.
type RetryOptions struct {
	// Attempts is the most calls per request, the first included
	// (default 3).
	Attempts int
	// Idempotent marks the operation safe to repeat: any retryable failure
	// (errs.Kind.Retryable: unavailable, deadline exceeded on the
	// instance's side, too many requests) is retried. When false, only
	// calls that surely never reached an instance (Options.IsConnError:
	// connection refused, a dial error) are retried.
	Idempotent bool
	// Budget bounds retries (default: retrybudget.New(0.2, 10) of this
	// endpoint alone). Share one Budget among the endpoints of one service.
	Budget *retrybudget.Budget
	// IsConnError reports whether a call never reached the instance
	// (default IsConnError).
	IsConnError func(error) bool
}

// Retry returns an endpoint that picks an instance from bal for each
// attempt, so a retry goes through the balancer again: with P2C the failed
// instance carries a failure penalty and the retry lands elsewhere whenever
// another instance is up. It stops at the first success, a failure that is
// not retryable, the context's end, Attempts, or an exhausted budget, and
// returns the last attempt's error unchanged (its kind intact), or
// go-kit's lb.ErrNoEndpoints when there is no instance.
func Retry(bal kitlb.Balancer, opts RetryOptions) endpoint.Endpoint {
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.Budget == nil {
		opts.Budget = retrybudget.New(retrybudget.DefaultRatio, retrybudget.DefaultPerSec)
	}
	if opts.IsConnError == nil {
		opts.IsConnError = IsConnError
	}
	retryable := func(err error) bool {
		if opts.IsConnError(err) {
			return true
		}
		return opts.Idempotent && errs.KindOf(err).Retryable()
	}
	return func(ctx context.Context, req any) (any, error) {
		opts.Budget.Request()
		var lastErr error
		for attempt := range opts.Attempts {
			if attempt > 0 && (ctx.Err() != nil || !retryable(lastErr) || !opts.Budget.Retry()) {
				break
			}
			ep, err := bal.Endpoint()
			if err != nil {
				if lastErr != nil {
					break
				}
				return nil, err
			}
			resp, err := ep(ctx, req)
			if err == nil {
				return resp, nil
			}
			lastErr = err
		}
		return nil, lastErr
	}
}
