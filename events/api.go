package events

import (
	"context"
	"time"
)

// apiAttempt bounds one JetStream API request of Subscriber.Start and
// EnsureStream: nats.go's own default for a context without a deadline.
const apiAttempt = 5 * time.Second

// defaultDeclareTimeout bounds Subscriber.Start and EnsureStream, retries
// included, when their context has no deadline.
const defaultDeclareTimeout = 30 * time.Second

// retryAPI runs call until it succeeds, fails for good (not transient),
// or ctx ends, and returns the last result. Each attempt has a deadline of
// its own, attempt: while a cluster elects its leaders, a JetStream API
// request can be dropped without an answer, and nats.go then waits for
// the whole context; the same request sent again reaches a server that
// answers. Every call given to it must be safe to repeat (an info
// request, a create-or-update with the same configuration).
func retryAPI[R any](ctx context.Context, attempt time.Duration, call func(context.Context) (R, error)) (R, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultDeclareTimeout)
		defer cancel()
	}
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, attempt)
		r, err := call(actx)
		cancel()
		if err == nil || !transient(err) || ctx.Err() != nil {
			return r, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return r, err
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}
