package breaker_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/breaker"
)

// TestSetTrip lowers the thresholds of a breaker that has seen failures:
// it opens on the next failure, and a breaker made later uses them too.
func TestSetTrip(t *testing.T) {
	b := breaker.New(breaker.WithTrip(100, 1, 0), breaker.WithOpenTimeout(time.Hour))
	s := &script{errs: repeat(errDown, 10)}
	e := b.For("a")(s.endpoint)
	for range 3 {
		_, _ = e(context.Background(), nil)
	}
	if s.calls != 3 {
		t.Fatalf("got %d calls through, want 3 (closed under 100 requests)", s.calls)
	}
	b.SetTrip(1, 0.5, 0)
	_, _ = e(context.Background(), nil) // fails, and 4 of 4 now trips it
	if _, err := e(context.Background(), nil); errs.KindOf(err) != errs.KindUnavailable || s.calls != 4 {
		t.Errorf("after SetTrip: got %v and %d calls through, want Unavailable and 4", err, s.calls)
	}

	b.SetTrip(100, 1, 2)
	later := &script{errs: repeat(errDown, 10)}
	f := b.For("b")(later.endpoint)
	for range 3 {
		_, _ = f(context.Background(), nil)
	}
	if later.calls != 2 {
		t.Errorf("new operation: got %d calls through, want 2 (2 consecutive failures open it)", later.calls)
	}
}

// TestSetOpenTimeout replaces open breakers with closed ones with the new
// timeout, reported on the metrics and the log; the same timeout again
// changes nothing.
func TestSetOpenTimeout(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	var buf bytes.Buffer
	b := breaker.New(breaker.WithTrip(1, 1, 1), breaker.WithOpenTimeout(time.Hour),
		breaker.WithMetrics(newMetrics(t, reg), "orders"), breaker.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	s := &script{errs: repeat(errDown, 10)}
	e := b.For("pay")(s.endpoint)
	call := func() time.Duration {
		_, err := e(context.Background(), nil)
		return errs.RetryAfterOf(err)
	}
	call() // opens it
	if got := call(); got < 59*time.Minute || got > time.Hour {
		t.Fatalf("open: got RetryAfter %v, want about 1h", got)
	}
	b.SetOpenTimeout(time.Hour)
	if got := call(); got < 59*time.Minute || s.calls != 1 {
		t.Fatalf("same timeout: got RetryAfter %v, %d calls through; want still open, 1", got, s.calls)
	}
	b.SetOpenTimeout(2 * time.Hour)
	call() // closed: goes through, fails, opens again
	if got := call(); got < 119*time.Minute || got > 2*time.Hour || s.calls != 2 {
		t.Errorf("new timeout: got RetryAfter %v, %d calls through; want about 2h, 2", got, s.calls)
	}
	want := `
# HELP breaker_transitions_total Circuit breaker state changes by operation.
# TYPE breaker_transitions_total counter
breaker_transitions_total{from="closed",method="pay",service="orders",to="open"} 2
breaker_transitions_total{from="open",method="pay",service="orders",to="closed"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "breaker_transitions_total"); err != nil {
		t.Error(err)
	}
	if !strings.Contains(buf.String(), `op=pay from=open to=closed reason="open timeout changed"`) {
		t.Errorf("got log %q, want the reset logged with its reason", buf.String())
	}
	other := &script{errs: repeat(errDown, 10)}
	f := b.For("refund")(other.endpoint)
	_, _ = f(context.Background(), nil)
	if _, err := f(context.Background(), nil); errs.RetryAfterOf(err) < 119*time.Minute {
		t.Errorf("new operation: got RetryAfter %v, want about 2h", errs.RetryAfterOf(err))
	}
}

// TestSetConcurrent changes thresholds while calls go through (for -race).
func TestSetConcurrent(t *testing.T) {
	b := breaker.New()
	s := &script{errs: repeat(errDown, 1000)}
	e := b.For("a")(s.endpoint)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				_, _ = e(context.Background(), nil)
			}
		})
	}
	for i := range 50 {
		b.SetTrip(uint32(i), 0.5, uint32(i%3))
		b.SetOpenTimeout(time.Duration(i+1) * time.Second)
	}
	wg.Wait()
}
