package shed_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/shed"
)

// blocker is an endpoint that holds its calls until released.
type blocker struct {
	entered chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (b *blocker) endpoint(context.Context, any) (any, error) {
	b.entered <- struct{}{}
	<-b.release
	return "ok", nil
}

func wantUnavailable(t *testing.T, err error, retryAfter time.Duration) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindUnavailable {
		t.Fatalf("got %v, want an Unavailable *errs.Error", err)
	}
	if e.RetryAfter != retryAfter {
		t.Errorf("got RetryAfter %v, want %v", e.RetryAfter, retryAfter)
	}
}

func TestRejections(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		opts     []shed.Option
		holders  int // calls holding slots (or queue places) before the probe
		ctx      context.Context
		wantFull bool // the probe is rejected
	}{
		{name: "below bulkhead admits", opts: []shed.Option{shed.WithMaxInFlight(2), shed.WithQueue(0, 0)}, holders: 1},
		{name: "bulkhead full without queue rejects", opts: []shed.Option{shed.WithMaxInFlight(1), shed.WithQueue(0, 0)}, holders: 1, wantFull: true},
		{name: "queue wait expires", opts: []shed.Option{shed.WithMaxInFlight(1), shed.WithQueue(4, time.Millisecond)}, holders: 1, wantFull: true},
		{name: "canceled while queued", opts: []shed.Option{shed.WithMaxInFlight(1), shed.WithQueue(4, time.Hour)}, holders: 1, ctx: canceled, wantFull: true},
		{name: "adaptive limit reached", opts: []shed.Option{shed.WithLimits(1, 1), shed.WithQueue(0, 0)}, holders: 1, wantFull: true},
		// Would hang for an hour if calls refused by the adaptive limit queued.
		{name: "adaptive limit rejects without queueing", opts: []shed.Option{shed.WithLimits(1, 1), shed.WithQueue(4, time.Hour)}, holders: 1, wantFull: true},
		{name: "adaptive off uses bulkhead", opts: []shed.Option{shed.WithAdaptive(false), shed.WithLimits(1, 1), shed.WithMaxInFlight(3), shed.WithQueue(0, 0)}, holders: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBlocker()
			s := shed.New(append(tt.opts, shed.WithRetryAfter(2*time.Second))...)
			e := s.For("op")(b.endpoint)
			var wg sync.WaitGroup
			for range tt.holders {
				wg.Go(func() { _, _ = e(context.Background(), nil) })
				<-b.entered
			}
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if tt.wantFull {
				_, err := e(ctx, nil)
				wantUnavailable(t, err, 2*time.Second)
				close(b.release)
			} else {
				done := make(chan error)
				go func() { _, err := e(ctx, nil); done <- err }()
				<-b.entered
				close(b.release)
				if err := <-done; err != nil {
					t.Errorf("got %v, want the probe admitted", err)
				}
			}
			wg.Wait()
		})
	}
}

func TestQueueHandsOffInOrder(t *testing.T) {
	b := newBlocker()
	s := shed.New(shed.WithAdaptive(false), shed.WithMaxInFlight(1), shed.WithQueue(2, time.Hour))
	e := s.For("op")(b.endpoint)
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = e(context.Background(), nil) })
	<-b.entered
	results := make(chan error, 3)
	// Two callers fill the queue; a third finds it full.
	for range 2 {
		go func() { _, err := e(context.Background(), nil); results <- err }()
	}
	waitFor(t, func() bool { return s.Stats("op").Waiting == 2 })
	if _, err := e(context.Background(), nil); err == nil {
		t.Errorf("got admitted with a full queue, want rejected")
	}
	// Each release admits exactly one queued caller.
	for range 2 {
		b.release <- struct{}{}
		<-b.entered
	}
	b.release <- struct{}{}
	wg.Wait()
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("got %v for a queued caller, want it admitted", err)
		}
	}
}

// waitFor polls cond until it holds; the queue fills asynchronously.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 10000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never held")
}

func TestSharedStatePerOperation(t *testing.T) {
	b := newBlocker()
	s := shed.New(shed.WithMaxInFlight(1), shed.WithQueue(0, 0))
	first := s.For("a")(b.endpoint)
	again := s.For("a")(b.endpoint)
	other := s.For("b")(func(context.Context, any) (any, error) { return "ok", nil })
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = first(context.Background(), nil) })
	<-b.entered
	if _, err := again(context.Background(), nil); err == nil {
		t.Errorf("got nil for a second middleware of the same op, want the shared bulkhead to reject")
	}
	if _, err := other(context.Background(), nil); err != nil {
		t.Errorf("got %v for another op, want its own bulkhead", err)
	}
	close(b.release)
	wg.Wait()
	if got := s.Stats("b"); got != (shed.Stats{Limit: 1}) {
		t.Errorf("got %+v, want limit 1 (max in flight below the initial limit), none in flight", got)
	}
	if got := s.Stats("unknown"); got != (shed.Stats{}) {
		t.Errorf("got %+v for an unknown op, want zero", got)
	}
}

func TestPanicReleasesSlot(t *testing.T) {
	s := shed.New(shed.WithMaxInFlight(1), shed.WithQueue(0, 0))
	boom := s.For("op")(func(context.Context, any) (any, error) { panic("x") })
	for range 2 {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("got no panic, want the endpoint's panic (slot leaked?)")
				}
			}()
			_, _ = boom(context.Background(), nil)
		}()
	}
}
