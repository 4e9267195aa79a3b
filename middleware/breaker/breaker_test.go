package breaker_test

import (
	"bytes"
	"context"
	"errors"
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

var (
	errDown = errs.Unavailable(0, "dependency down")
	errBad  = errs.InvalidArgument("bad request")
)

// script is an endpoint that returns its errors in order and counts calls.
type script struct {
	mu    sync.Mutex
	errs  []error
	calls int
}

func (s *script) endpoint(context.Context, any) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.calls < len(s.errs) {
		err = s.errs[s.calls]
	}
	s.calls++
	return "ok", err
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

func TestClassic(t *testing.T) {
	alternate := []error{}
	for range 10 {
		alternate = append(alternate, nil, errDown)
	}
	tests := []struct {
		name      string
		opts      []breaker.Option
		errs      []error
		calls     int           // calls made
		sleep     time.Duration // after the scripted calls, before the probe calls
		probes    []error       // results of calls made after the sleep
		wantOpen  bool          // the last call was rejected
		wantCalls int           // calls that reached the endpoint
	}{
		{name: "successes pass", calls: 30, wantCalls: 30},
		{name: "caller faults never trip", errs: repeat(errBad, 40), calls: 40, wantCalls: 40},
		{name: "consecutive failures trip", errs: repeat(errDown, 5), calls: 6, wantOpen: true, wantCalls: 5},
		{name: "four failures do not", errs: repeat(errDown, 4), calls: 5, wantCalls: 5},
		{name: "cancellations neither fail nor break a run", errs: []error{errDown, errDown, context.Canceled, errDown, errDown, errDown},
			calls: 7, wantOpen: true, wantCalls: 6},
		{name: "caller faults break a run", errs: []error{errDown, errDown, errBad, errDown, errDown, errDown}, calls: 7, wantCalls: 7},
		{name: "plain errors count", errs: repeat(errors.New("boom"), 5), calls: 6, wantOpen: true, wantCalls: 5},
		{name: "ratio over min requests trips", opts: []breaker.Option{breaker.WithTrip(20, 0.5, 0)},
			errs: alternate, calls: 21, wantOpen: true, wantCalls: 20},
		{name: "ratio below min requests does not", opts: []breaker.Option{breaker.WithTrip(20, 0.5, 0)},
			errs: repeat(errDown, 19), calls: 19, wantCalls: 19},
		{name: "custom failure test", opts: []breaker.Option{breaker.WithIsFailure(func(err error) bool { return errors.Is(err, errs.KindInvalidArgument) })},
			errs: repeat(errBad, 5), calls: 6, wantOpen: true, wantCalls: 5},
		{name: "half-open probes close", opts: []breaker.Option{breaker.WithOpenTimeout(time.Millisecond), breaker.WithHalfOpenRequests(2)},
			errs: repeat(errDown, 5), calls: 5, sleep: 20 * time.Millisecond, probes: []error{nil, nil, nil, nil}, wantCalls: 9},
		// The call after the failed probe must come within the open
		// timeout, on a loaded machine too: 250ms, not 1ms.
		{name: "half-open failure reopens", opts: []breaker.Option{breaker.WithOpenTimeout(250 * time.Millisecond), breaker.WithHalfOpenRequests(2)},
			errs: append(repeat(errDown, 5), errDown), calls: 5, sleep: 260 * time.Millisecond, probes: []error{errDown, nil}, wantOpen: true, wantCalls: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{errs: tt.errs}
			b := breaker.New(append([]breaker.Option{breaker.WithOpenTimeout(time.Hour)}, tt.opts...)...)
			e := b.For("op")(s.endpoint)
			var err error
			for range tt.calls {
				_, err = e(context.Background(), nil)
			}
			if tt.sleep > 0 {
				time.Sleep(tt.sleep)
				s.mu.Lock()
				s.errs = append(s.errs[:s.calls], tt.probes...)
				s.mu.Unlock()
				for range tt.probes {
					_, err = e(context.Background(), nil)
				}
			}
			if s.calls != tt.wantCalls {
				t.Errorf("got %d calls through, want %d", s.calls, tt.wantCalls)
			}
			var e2 *errs.Error
			open := errors.As(err, &e2) && e2.Kind == errs.KindUnavailable && strings.Contains(e2.Message, "breaker")
			if open != tt.wantOpen {
				t.Fatalf("got last error %v, want open=%v", err, tt.wantOpen)
			}
			if open && (e2.RetryAfter <= 0 || e2.RetryAfter > time.Hour) {
				t.Errorf("got RetryAfter %v, want in (0, 1h]", e2.RetryAfter)
			}
		})
	}
}

func TestHalfOpenLimitsProbes(t *testing.T) {
	b := breaker.New(breaker.WithOpenTimeout(time.Millisecond), breaker.WithHalfOpenRequests(1))
	fail := b.For("op")(func(context.Context, any) (any, error) { return nil, errDown })
	for range 5 {
		_, _ = fail(context.Background(), nil)
	}
	time.Sleep(20 * time.Millisecond)
	entered, release := make(chan struct{}), make(chan struct{})
	probe := b.For("op")(func(context.Context, any) (any, error) { close(entered); <-release; return "ok", nil })
	done := make(chan error)
	go func() { _, err := probe(context.Background(), nil); done <- err }()
	<-entered
	_, err := probe(context.Background(), nil)
	if errs.KindOf(err) != errs.KindUnavailable || errs.RetryAfterOf(err) != time.Millisecond {
		t.Errorf("got %v (retry after %v), want Unavailable after 1ms while the probe runs", err, errs.RetryAfterOf(err))
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("got probe error %v, want nil", err)
	}
}

func TestMetricsAndLog(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	var buf bytes.Buffer
	b := breaker.New(breaker.WithMetrics(newMetrics(t, reg), "orders"), breaker.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	e := b.For("pay")(func(context.Context, any) (any, error) { return nil, errDown })
	for range 6 {
		_, _ = e(context.Background(), nil)
	}
	want := `
# HELP breaker_state Circuit breaker state by operation: 1 for the current state (closed, half_open, open), else 0.
# TYPE breaker_state gauge
breaker_state{method="pay",service="orders",state="closed"} 0
breaker_state{method="pay",service="orders",state="half_open"} 0
breaker_state{method="pay",service="orders",state="open"} 1
# HELP breaker_transitions_total Circuit breaker state changes by operation.
# TYPE breaker_transitions_total counter
breaker_transitions_total{from="closed",method="pay",service="orders",to="open"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if log := buf.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "op=pay from=closed to=open") {
		t.Errorf("got log %q, want a WARN line for closed→open", log)
	}
	// A second Breaker on the same registry reuses the collectors.
	breaker.New(breaker.WithMetrics(newMetrics(t, reg), "orders")).For("refund")
	if n, _ := testutil.GatherAndCount(reg, "breaker_state"); n != 6 {
		t.Errorf("got %d state series, want 6", n)
	}
}

func TestAdaptiveEndToEnd(t *testing.T) {
	b := breaker.New(breaker.WithAdaptive(2))
	ok := b.For("ok")(func(context.Context, any) (any, error) { return "ok", nil })
	for i := range 200 {
		if _, err := ok(context.Background(), nil); err != nil {
			t.Fatalf("call %d: got %v, want healthy calls never throttled", i, err)
		}
	}
	calls := 0
	down := b.For("down")(func(context.Context, any) (any, error) { calls++; return nil, errDown })
	rejected := 0
	for range 200 {
		if _, err := down(context.Background(), nil); err != errDown {
			if errs.KindOf(err) != errs.KindUnavailable || errs.RetryAfterOf(err) != time.Second {
				t.Fatalf("got %v, want Unavailable with RetryAfter 1s", err)
			}
			rejected++
		}
	}
	// p tends to 1 when nothing is accepted: nearly all calls are rejected,
	// but never all (the throttle keeps probing).
	if rejected < 150 || calls == 0 {
		t.Errorf("got %d rejected and %d passed of 200 failing calls, want most rejected and some passed", rejected, calls)
	}
}

// TestCallerContextEnded: a call that fails after its caller's own context
// ended (canceled, or the caller's short deadline passed) counts neither
// way, so a client sending tiny deadlines cannot open a breaker; a
// deadline set below the breaker (the timeout layer's) still counts.
func TestCallerContextEnded(t *testing.T) {
	for _, kind := range []struct {
		name string
		opts []breaker.Option
	}{
		{"classic", []breaker.Option{breaker.WithTrip(1, 0.5, 2)}},
		{"adaptive", []breaker.Option{breaker.WithAdaptive(1)}},
	} {
		t.Run(kind.name, func(t *testing.T) {
			slow := func(ctx context.Context, _ any) (any, error) {
				<-ctx.Done()
				return nil, errs.DeadlineExceeded("too slow: %v", ctx.Err())
			}
			e := breaker.New(kind.opts...).For("op")(slow)
			for range 50 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
				_, err := e(ctx, nil)
				cancel()
				if errs.KindOf(err) != errs.KindDeadlineExceeded {
					t.Fatalf("got %v, want the endpoint's own DeadlineExceeded (never the breaker's Unavailable)", err)
				}
			}
			// The same failure under a deadline of the layer below: counted.
			own := breaker.New(kind.opts...).For("op")(func(ctx context.Context, req any) (any, error) {
				ctx, cancel := context.WithTimeout(ctx, time.Microsecond)
				defer cancel()
				return slow(ctx, req)
			})
			rejected := false
			for range 50 {
				if _, err := own(context.Background(), nil); errs.KindOf(err) == errs.KindUnavailable {
					rejected = true
					break
				}
			}
			if !rejected {
				t.Error("inner deadlines: got no rejection in 50 calls, want the breaker to count them")
			}
		})
	}
}
