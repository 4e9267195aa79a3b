package timeout

import (
	"context"
	"errors"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/errs"
)

// Timeout makes deadline middleware for named operations. It is safe for
// concurrent use.
type Timeout struct {
	d    time.Duration
	byOp map[string]time.Duration
}

// Option configures a Timeout.
type Option func(*Timeout)

// WithOp gives operation op its own timeout; zero or negative means none.
func WithOp(op string, d time.Duration) Option { return func(t *Timeout) { t.byOp[op] = d } }

// New returns a Timeout that gives every operation d (zero or negative: no
// timeout) unless [WithOp] says otherwise.
func New(d time.Duration, opts ...Option) *Timeout {
	t := &Timeout{d: d, byOp: map[string]time.Duration{}}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Duration returns the timeout of op, zero for none.
func (t *Timeout) Duration(op string) time.Duration {
	if d, ok := t.byOp[op]; ok {
		return max(d, 0)
	}
	return max(t.d, 0)
}

// For returns middleware that runs the calls of op under its timeout.
func (t *Timeout) For(op string) kitendpoint.Middleware {
	d := t.Duration(op)
	if d == 0 {
		return func(next kitendpoint.Endpoint) kitendpoint.Endpoint { return next }
	}
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
				resp, err := next(ctx, req)
				return resp, deadlineError(ctx, err, op, 0)
			}
			tctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			resp, err := next(tctx, req)
			return resp, deadlineError(tctx, err, op, d)
		}
	}
}

// deadlineError turns err into DeadlineExceeded when ctx's deadline has
// passed; other errors, including the caller's cancellation, pass through.
func deadlineError(ctx context.Context, err error, op string, d time.Duration) error {
	if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	if e, ok := err.(*errs.Error); ok && e.Kind == errs.KindDeadlineExceeded {
		return err
	}
	if d > 0 {
		return errs.Wrap(errs.KindDeadlineExceeded, err, "%s timed out after %v", op, d)
	}
	return errs.Wrap(errs.KindDeadlineExceeded, err, "%s ran past the caller's deadline", op)
}
