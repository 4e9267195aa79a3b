package lb_test

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"

	"github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/retrybudget"
)

func TestRetry(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	unavailable := errs.Unavailable(0, "overloaded")
	notFound := errs.NotFound("no order")
	tests := []struct {
		name       string
		aErr       error
		idempotent bool
		wantErr    error
	}{
		{"refused, idempotent", refused, true, nil},
		{"refused, not idempotent: never reached, so retried", refused, false, nil},
		{"unavailable, idempotent", unavailable, true, nil},
		{"unavailable, not idempotent: may have run, not retried", unavailable, false, unavailable},
		{"not found is not retried", notFound, true, notFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster("a", "b")
			c.err["a"] = tt.aErr
			bal, _ := c.balancer(t, lb.RoundRobin(), lb.Options{}, "a", "b") // a first, then b
			ep := lb.Retry(bal, lb.RetryOptions{Idempotent: tt.idempotent})
			resp, err := ep(context.Background(), nil)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && resp != "b") {
				t.Fatalf("got %v, %v, want b or error %v", resp, err, tt.wantErr)
			}
			wantA, wantB := int64(1), int64(0)
			if tt.wantErr == nil {
				wantB = 1
			}
			if a, b := c.calls["a"].Load(), c.calls["b"].Load(); a != wantA || b != wantB {
				t.Fatalf("calls: got a=%d b=%d, want a=%d b=%d", a, b, wantA, wantB)
			}
		})
	}
}

// TestRetryTriesAnotherInstance: a retry goes to an instance the call has
// not tried, whatever the policy would pick: with two of three instances
// failing, three attempts always reach the healthy one. Picking again
// blindly (Random here; P2C under load, where a healthy instance's cost
// can exceed a failing one's penalty) fails about 8 calls in 27.
func TestRetryTriesAnotherInstance(t *testing.T) {
	c := newCluster("a", "b", "c")
	down := errs.Unavailable(0, "down") // not a connection error: nothing is ejected
	c.err["a"], c.err["b"] = down, down
	bal, _ := c.balancer(t, lb.Random(), lb.Options{}, "a", "b", "c")
	ep := lb.Retry(bal, lb.RetryOptions{Idempotent: true, Budget: retrybudget.New(1, 1000)})
	const calls = 300
	for i := range calls {
		if resp, err := ep(context.Background(), nil); err != nil || resp != "c" {
			t.Fatalf("call %d: got %v, %v, want c", i, resp, err)
		}
	}
}

func TestRetryStops(t *testing.T) {
	c := newCluster("a", "b", "c")
	down := errs.Unavailable(0, "down")
	c.err["a"], c.err["b"], c.err["c"] = down, down, down
	bal, _ := c.balancer(t, lb.RoundRobin(), lb.Options{}, "a", "b", "c")

	ep := lb.Retry(bal, lb.RetryOptions{Idempotent: true, Attempts: 2})
	if _, err := ep(context.Background(), nil); !errors.Is(err, errs.KindUnavailable) {
		t.Fatalf("every instance down: got %v, want the last Unavailable", err)
	}
	if got := c.calls["a"].Load() + c.calls["b"].Load() + c.calls["c"].Load(); got != 2 {
		t.Fatalf("calls with Attempts 2: got %d, want 2", got)
	}

	budget := retrybudget.New(0, 0.1) // one retry in 10s
	ep = lb.Retry(bal, lb.RetryOptions{Idempotent: true, Attempts: 10, Budget: budget})
	for range 3 {
		_, _ = ep(context.Background(), nil)
	}
	if got := c.calls["a"].Load() + c.calls["b"].Load() + c.calls["c"].Load(); got != 2+3+1 {
		t.Fatalf("calls with a budget of one retry: got %d, want %d", got, 2+3+1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := c.calls["a"].Load() + c.calls["b"].Load() + c.calls["c"].Load()
	_, _ = lb.Retry(bal, lb.RetryOptions{Idempotent: true})(ctx, nil)
	if got := c.calls["a"].Load() + c.calls["b"].Load() + c.calls["c"].Load() - before; got != 1 {
		t.Fatalf("calls with a canceled context: got %d, want 1 (no retry)", got)
	}
}

func TestPerInstance(t *testing.T) {
	c := newCluster("a", "b")
	wrapped := map[string]bool{}
	bal, _ := c.balancer(t, lb.RoundRobin(), lb.Options{PerInstance: func(addr string) endpoint.Middleware {
		wrapped[addr] = true // New builds the first set before returning
		return func(next endpoint.Endpoint) endpoint.Endpoint {
			return func(ctx context.Context, req any) (any, error) {
				if addr == "a" {
					return nil, errs.Unavailable(0, "breaker open")
				}
				return next(ctx, req)
			}
		}
	}}, "a", "b")
	if !wrapped["a"] || !wrapped["b"] {
		t.Fatalf("PerInstance called for %v, want a and b", wrapped)
	}
	ep := lb.Retry(bal, lb.RetryOptions{Idempotent: true})
	for range 4 {
		if resp, err := ep(context.Background(), nil); err != nil || resp != "b" {
			t.Fatalf("with a's breaker open: got %v, %v, want b, nil", resp, err)
		}
	}
	if got := c.calls["a"].Load(); got != 0 {
		t.Fatalf("calls reaching a behind its open breaker: got %d, want 0", got)
	}
}
