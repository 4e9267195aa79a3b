package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gantrykit/gantry/errs"
)

var (
	errDown = errs.Unavailable(0, "down")
	errGone = errs.NotFound("gone")
)

func TestRetry(t *testing.T) {
	tests := []struct {
		name       string
		opts       []Option
		op         string
		mark       bool
		deadline   time.Duration
		results    []error // per attempt; nil after the end
		wantCalls  int
		wantErr    error
		wantMinDly time.Duration // the first delay is at least this
	}{
		{name: "success first time", op: "get", results: []error{nil}, wantCalls: 1},
		{name: "retryable recovers", op: "get", results: []error{errDown, errDown, nil}, wantCalls: 3},
		{name: "gives up after max attempts", op: "get", results: []error{errDown, errDown, errDown, nil}, wantCalls: 3, wantErr: errDown},
		{name: "max attempts option", op: "get", opts: []Option{WithMaxAttempts(5)}, results: []error{errDown, errDown, errDown, errDown, nil}, wantCalls: 5},
		{name: "non-retryable kind", op: "get", results: []error{errGone, nil}, wantCalls: 1, wantErr: errGone},
		{name: "plain error is not retried", op: "get", results: []error{errors.New("x"), nil}, wantCalls: 1},
		{name: "custom retryable", op: "get", opts: []Option{WithRetryable(func(err error) bool { return errors.Is(err, errs.KindNotFound) })},
			results: []error{errGone, nil}, wantCalls: 2},
		{name: "non-idempotent op not retried", op: "create", results: []error{errDown, nil}, wantCalls: 1, wantErr: errDown},
		{name: "marked context is retried", op: "create", mark: true, results: []error{errDown, nil}, wantCalls: 2},
		{name: "deadline before backoff ends", op: "get", opts: []Option{WithBackoff(time.Hour, time.Hour)}, deadline: time.Minute,
			results: []error{errDown, nil}, wantCalls: 1, wantErr: errDown},
		{name: "server hint longer than backoff", op: "get", results: []error{errs.Unavailable(900*time.Millisecond, "busy"), nil}, wantCalls: 2, wantMinDly: 900 * time.Millisecond},
		{name: "server hint beyond the cap", op: "get", results: []error{errs.Unavailable(3*time.Second, "breaker open"), nil}, wantCalls: 1},
		{name: "server hint past deadline", op: "get", deadline: time.Second, results: []error{errs.TooManyRequests(time.Minute, "slow down"), nil}, wantCalls: 1},
		{name: "no budget", op: "get", opts: []Option{WithBudget(0, 0)}, results: []error{errDown, nil}, wantCalls: 1, wantErr: errDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var delays []time.Duration
			r := New(append([]Option{WithIdempotent("get")}, tt.opts...)...)
			r.sleep = func(_ context.Context, d time.Duration) bool { delays = append(delays, d); return true }
			r.jitter = func(ceiling time.Duration) time.Duration { return ceiling - 1 } // the longest draw
			calls := 0
			e := r.For(tt.op)(func(context.Context, any) (any, error) {
				var err error
				if calls < len(tt.results) {
					err = tt.results[calls]
				}
				calls++
				return calls, err
			})
			ctx := context.Background()
			if tt.mark {
				ctx = MarkIdempotent(ctx)
			}
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			_, err := e(ctx, nil)
			if calls != tt.wantCalls {
				t.Errorf("got %d calls, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr != nil && err != tt.wantErr {
				t.Errorf("got err %v, want %v", err, tt.wantErr)
			}
			if len(delays) != calls-1 {
				t.Errorf("got %d backoffs, want %d", len(delays), calls-1)
			}
			if tt.wantMinDly > 0 && (len(delays) == 0 || delays[0] < tt.wantMinDly) {
				t.Errorf("got delays %v, want the first ≥ %v", delays, tt.wantMinDly)
			}
		})
	}
}

func TestBudgetBoundsRetries(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	r := New(WithIdempotent("get"), WithBudget(0.2, 0), WithMetrics(newMetrics(t, reg), "shop"))
	r.sleep = func(context.Context, time.Duration) bool { return true }
	calls := 0
	e := r.For("get")(func(context.Context, any) (any, error) { calls++; return nil, errDown })
	for range 100 {
		_, _ = e(context.Background(), nil)
	}
	// 100 calls earn 20 retries; each call wants 2.
	if retries := calls - 100; retries != 20 {
		t.Errorf("got %d retries, want 20 (20%% of 100 calls)", retries)
	}
	attempts := testutil.ToFloat64(r.attempts.WithLabelValues("shop", "get"))
	refused := testutil.ToFloat64(r.exhausted.WithLabelValues("shop", "get"))
	// Every call ends on a refusal: 80 at their first retry, 20 at their
	// second.
	if attempts != 20 || refused != 100 {
		t.Errorf("got %v attempts and %v refused, want 20 and 100", attempts, refused)
	}
}

func TestCanceledDuringBackoff(t *testing.T) {
	r := New(WithIdempotent("get"), WithBackoff(time.Hour, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	e := r.For("get")(func(context.Context, any) (any, error) { calls++; cancel(); return nil, errDown })
	if _, err := e(ctx, nil); err != errDown || calls != 1 {
		t.Errorf("got %v after %d calls, want the last error after 1", err, calls)
	}
}

func TestBackoffFullJitter(t *testing.T) {
	r := New(WithBackoff(10*time.Millisecond, 80*time.Millisecond))
	for n, ceiling := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 4: 80 * time.Millisecond, 10: 80 * time.Millisecond, 100: 80 * time.Millisecond} {
		var maxSeen time.Duration
		for range 2000 {
			d := r.backoff(n)
			if d < 0 || d >= ceiling {
				t.Fatalf("retry %d: got %v, want in [0, %v)", n, d, ceiling)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceiling/2 {
			t.Errorf("retry %d: got max %v over 2000 draws, want delays spread up to %v", n, maxSeen, ceiling)
		}
	}
}
