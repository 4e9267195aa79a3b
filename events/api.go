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
	ctx, cancel := withDefaultDeadline(ctx, defaultDeclareTimeout)
	defer cancel()
	var b backoff
	for {
		actx, cancel := context.WithTimeout(ctx, attempt)
		r, err := call(actx)
		cancel()
		if err == nil || !transient(err) || !b.wait(ctx) {
			return r, err
		}
	}
}

// withDefaultDeadline bounds ctx by d when it has no deadline of its own.
func withDefaultDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// backoff is the pause between two attempts of the retry loops: 50 ms,
// doubled after each, at most 1 s. The zero value is ready.
type backoff struct{ next time.Duration }

// wait sleeps for the next pause; it reports false, at once, when ctx
// ends first.
func (b *backoff) wait(ctx context.Context) bool {
	if b.next == 0 {
		b.next = 50 * time.Millisecond
	}
	t := time.NewTimer(b.next)
	defer t.Stop()
	b.next = min(2*b.next, time.Second)
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
