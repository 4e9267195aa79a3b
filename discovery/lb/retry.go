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
// attempt, so a retry goes through the balancer again. When bal is a
// [*Balancer], a retry goes to an instance this call has not tried yet
// (and that is not ejected) whenever there is one, chosen by bal's policy;
// once every instance has been tried, it picks among all of them. Another
// go-kit balancer is simply asked again. It stops at the first success, a failure that is
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
	own, _ := bal.(*Balancer)
	return func(ctx context.Context, req any) (any, error) {
		opts.Budget.Request()
		var lastErr error
		var triedBuf [4]*node
		tried := triedBuf[:0]
		for attempt := range opts.Attempts {
			if attempt > 0 && (ctx.Err() != nil || !retryable(lastErr) || !opts.Budget.Retry()) {
				break
			}
			var ep endpoint.Endpoint
			var err error
			if own != nil {
				var n *node
				if n, err = own.pickRetry(tried); err == nil {
					tried, ep = append(tried, n), n.ep
				}
			} else {
				ep, err = bal.Endpoint()
			}
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
