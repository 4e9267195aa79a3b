package events_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/internal/logcheck"
)

// testDrainBound stands for the production 5s in these tests; the drain
// hangs for good, so its length proves nothing.
const testDrainBound = 100 * time.Millisecond

// drainWarnings counts the subscriber's warnings that it cut a drain short,
// failing the test if one does not name the stream and consumer.
func drainWarnings(t *testing.T, logs *logcheck.Buffer, durable string) int {
	t.Helper()
	lines, err := logcheck.Lines(strings.NewReader(logs.String()))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(fmt.Sprint(l["msg"]), "events: consume did not finish draining") {
			n++
			if l["level"] != "WARN" || l["stream"] != "ORDERS" || l["consumer"] != durable {
				t.Errorf("drain warning %v, want WARN naming stream ORDERS, consumer %s", l, durable)
			}
		}
	}
	return n
}

// gate returns a channel held handlers wait on and the function that
// closes it, once; the test's cleanup closes it too, so no handler
// outlives the test.
func gate(t *testing.T) (release <-chan struct{}, free func()) {
	c := make(chan struct{})
	var once sync.Once
	free = func() { once.Do(func() { close(c) }) }
	t.Cleanup(free)
	return c, free
}

// returns waits for a Stop running in the background, with a ceiling far
// above any bound (a guard against a hang, not a timing assertion).
func returns(t *testing.T, stopped <-chan error) {
	t.Helper()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Stop = %v, want nil: a drain cut short is not a failed stop", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Stop still waiting for a drain that cannot finish")
	}
}

// TestStopBoundsADrainHandlersHold: with every handler busy for longer than
// the bound, the drain cannot hand over the event waiting for a handler.
// Stop cuts it short with a warning, hands nothing more over, still waits
// for the handlers that run, then returns; and every event comes again.
func TestStopBoundsADrainHandlersHold(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 10
	e.publishOrders(t, n)
	logs := &logcheck.Buffer{}
	var started atomic.Int32
	release, free := gate(t)
	cfg := events.Consumer{Stream: "ORDERS", Durable: "held", Concurrency: 2, Prefetch: 4,
		FetchWait: 100 * time.Millisecond, AckWait: time.Second}
	s := events.NewSubscriber(e.js, cfg, func(context.Context, events.Event[orderCreated]) error {
		started.Add(1)
		<-release
		return nil
	}, events.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))), events.WithDrainBound(testDrainBound))
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both handlers busy and an event waiting for one", func() bool {
		return started.Load() == 2 && consumerInfo(t, e.js, "held").NumAckPending >= 3
	})

	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	waitFor(t, "the drain cut short", func() bool { return drainWarnings(t, logs, "held") > 0 })
	select {
	case err := <-stopped:
		t.Fatalf("Stop = %v while its handlers still ran, want it to wait for them", err)
	default:
	}
	free()
	returns(t, stopped)
	if got := drainWarnings(t, logs, "held"); got != 1 {
		t.Errorf("%d drain warnings, want 1", got)
	}
	handled := started.Load()
	if handled > 3 { // the two running, and perhaps the one waiting for them
		t.Errorf("%d events handed to handlers, want at most 3: nothing more after the drain was cut short", handled)
	}

	// Nothing is lost: a new instance gets every event not answered.
	var mu sync.Mutex
	seen := map[string]bool{}
	start(t, e.js, cfg, func(_ context.Context, ev events.Event[orderCreated]) error {
		mu.Lock()
		defer mu.Unlock()
		seen[ev.ID] = true
		return nil
	})
	waitFor(t, "every event answered", func() bool {
		info := consumerInfo(t, e.js, "held")
		return info.NumPending == 0 && info.NumAckPending == 0
	})
	mu.Lock()
	defer mu.Unlock()
	if want := n - 2; len(seen) < want {
		t.Errorf("the new instance handled %d events, want at least the %d not answered", len(seen), want)
	}
}

// TestStopBoundsADrainNATSHolds makes a drain hang the way the chaos test
// met one, through a defect of nats.go v1.53.1: the connection comes back
// (here the server restarts; there a cluster node was killed) while the one
// handler is busy, so events of two pull requests wait in memory; after
// Drain, handing them over makes Consume ask twice for a pull on a channel
// nobody reads any more, and its goroutine blocks for good. Stop still
// returns, with the warning.
func TestStopBoundsADrainNATSHolds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.publishOrders(t, 30)
	const name = "drained"
	_, js := e.connect(t, nats.Name(name), nats.ReconnectWait(10*time.Millisecond))
	logs := &logcheck.Buffer{}
	var handled atomic.Int32
	release, free := gate(t)
	// One handler, three events waiting: pulls of 4.
	s := events.NewSubscriber(js, events.Consumer{Stream: "ORDERS", Durable: "stuck", Prefetch: 3, FetchWait: 100 * time.Millisecond},
		func(context.Context, events.Event[orderCreated]) error {
			if handled.Add(1) == 1 {
				<-release
			}
			return nil
		}, events.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))), events.WithDrainBound(testDrainBound))
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first pull's events delivered", func() bool { return consumerInfo(t, e.js, "stuck").NumAckPending == 4 })

	e.restart(t)
	// On reconnecting, Consume pulls again: 4 more wait behind the first.
	waitFor(t, "a second pull's events delivered", func() bool {
		// Through the subscriber's connection, quick to reconnect, and
		// with a short timeout: a request sent while it reconnects is
		// answered by nobody.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		cons, err := js.Consumer(ctx, "ORDERS", "stuck")
		if err != nil {
			return false
		}
		info, err := cons.Info(ctx)
		return err == nil && info.NumAckPending >= 8
	})

	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	// Release the handler only once Consume has drained its subscription at
	// the server: from then on, nothing reads its pull requests.
	waitFor(t, "Consume's subscription drained", func() bool { return !hasConsumeInbox(t, e.srv.Server(), name) })
	free()
	returns(t, stopped)
	if got := drainWarnings(t, logs, "stuck"); got != 1 {
		t.Errorf("%d drain warnings, want 1: the drain should have hung", got)
	}
	if got := handled.Load(); got >= 8 {
		t.Errorf("handled %d events, want fewer than the 8 received: the drain should have hung", got)
	}
}

// hasConsumeInbox reports whether the connection called name holds a plain
// inbox subscription at srv (Consume's; the request inbox ends in *).
func hasConsumeInbox(t *testing.T, srv *server.Server, name string) bool {
	t.Helper()
	conns, err := srv.Connz(&server.ConnzOptions{Subscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns.Conns {
		if c.Name != name {
			continue
		}
		for _, sub := range c.Subs {
			if strings.HasPrefix(sub, "_INBOX.") && !strings.HasSuffix(sub, "*") {
				return true
			}
		}
	}
	return false
}
