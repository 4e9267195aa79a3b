package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/telemetry"
	natst "github.com/gantrykit/gantry/transport/nats"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

type orderCreated struct {
	Order int    `json:"order"`
	SKU   string `json:"sku"`
}

// env is an embedded JetStream server, a connection and an ORDERS stream.
type env struct {
	srv *embedded.Server
	nc  *nats.Conn
	js  jetstream.JetStream
	dir string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{dir: t.TempDir()}
	srv, err := embedded.Start(embedded.Options{Dir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() { e.srv.Shutdown() })
	e.nc, e.js = e.connect(t)
	if _, err := events.EnsureStream(context.Background(), e.js, jetstream.StreamConfig{
		Name: "ORDERS", Subjects: []string{"orders.>"},
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// connect opens another connection to the server, closed when the test
// ends; opts come after Gantry's own and win.
func (e *env) connect(t testing.TB, opts ...nats.Option) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := natst.Connect(e.srv.URL(), t.Name(), nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// restart stops the server and starts it again on the same port and
// store, as an operator's restart would.
func (e *env) restart(t testing.TB) {
	t.Helper()
	port := e.srv.Server().Addr().(*net.TCPAddr).Port
	e.srv.Shutdown()
	srv, err := embedded.Start(embedded.Options{Dir: e.dir, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
}

// publishOrders publishes n events on orders.created, o-0 to o-(n-1),
// event i for order i.
func (e *env) publishOrders(t testing.TB, n int) {
	t.Helper()
	pub := events.NewPublisher[orderCreated](e.js, "orders.created")
	for i := range n {
		if _, err := pub.Publish(context.Background(), fmt.Sprint("o-", i), orderCreated{Order: i}); err != nil {
			t.Fatal(err)
		}
	}
}

// start runs a subscriber until the test ends.
func start[T any](t testing.TB, js jetstream.JetStream, cfg events.Consumer, h events.Handler[T], opts ...events.Option) *events.Subscriber[T] {
	t.Helper()
	s := events.NewSubscriber(js, cfg, h, opts...)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

// waitFor polls cond until it holds, failing the test after a generous
// bound so that a bug cannot hang the suite.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func streamMsgs(t testing.TB, js jetstream.JetStream, name string) uint64 {
	t.Helper()
	s, err := js.Stream(context.Background(), name)
	if err != nil {
		return 0
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func TestPublishSubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := events.NewPublisher[orderCreated](e.js, "orders.created", events.WithType("order.created", 2))
	got := make(chan events.Event[orderCreated], 10)
	start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "shipping", Concurrency: 2, FetchWait: 100 * time.Millisecond},
		func(_ context.Context, ev events.Event[orderCreated]) error { got <- ev; return nil })

	ack, err := pub.Publish(context.Background(), "o-1", orderCreated{Order: 1, SKU: "a"})
	if err != nil || ack.Duplicate {
		t.Fatalf("publish: %+v, %v", ack, err)
	}
	again, err := pub.Publish(context.Background(), "o-1", orderCreated{Order: 1, SKU: "a"})
	if err != nil || !again.Duplicate || again.Sequence != ack.Sequence {
		t.Fatalf("republish: got %+v, %v; want a duplicate of sequence %d", again, err, ack.Sequence)
	}
	ev := <-got
	want := events.Event[orderCreated]{ID: "o-1", Type: "order.created", Version: 2, Subject: "orders.created",
		Sequence: ack.Sequence, Delivery: 1, Data: orderCreated{Order: 1, SKU: "a"}}
	if ev != want {
		t.Fatalf("got %+v, want %+v", ev, want)
	}
	if _, err := pub.Publish(context.Background(), "", orderCreated{}); !errors.Is(err, events.ErrNoID) {
		t.Errorf("empty id: got %v, want ErrNoID", err)
	}
}

func TestRetryWithBackoffThenAck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	var deliveries []int
	done := make(chan struct{})
	logs := &logcheck.Buffer{}
	debug := slog.New(telemetry.NewHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "flaky", Backoff: []time.Duration{time.Millisecond}, FetchWait: 100 * time.Millisecond},
		func(_ context.Context, ev events.Event[orderCreated]) error {
			mu.Lock()
			defer mu.Unlock()
			deliveries = append(deliveries, ev.Delivery)
			if ev.Delivery < 3 {
				return errors.New("database busy")
			}
			close(done)
			return nil
		}, events.WithLogger(debug))
	ctx := telemetry.WithRequestID(context.Background(), "req-42")
	if _, err := events.NewPublisher[orderCreated](e.js, "orders.created").Publish(ctx, "x", orderCreated{}); err != nil {
		t.Fatal(err)
	}
	<-done
	mu.Lock()
	if len(deliveries) != 3 || deliveries[0] != 1 || deliveries[2] != 3 {
		t.Fatalf("deliveries %v, want [1 2 3]", deliveries)
	}
	mu.Unlock()

	// A line per handling, with the request's ID: two failures at WARN
	// with their error, then the success at DEBUG.
	var lines []map[string]any
	waitFor(t, "three log lines", func() bool {
		var err error
		lines, err = logcheck.Lines(strings.NewReader(logs.String()))
		if err != nil {
			t.Fatal(err)
		}
		return len(lines) >= 3
	})
	for i, l := range lines {
		level, msg, code := "WARN", "event failed; it will be delivered again", "internal"
		if i == 2 {
			level, msg, code = "DEBUG", "event", "ok"
		}
		if l["level"] != level || l["msg"] != msg || l["code"] != code || l["request_id"] != "req-42" ||
			l["event_id"] != "x" || l["subject"] != "orders.created" || l["deliveries"] != json.Number(strconv.Itoa(i+1)) ||
			(i < 2) != (l["error"] == "database busy") || l["duration"] == nil {
			t.Errorf("log line %d: %v, want %s %q code %s of event x, delivery %d, request req-42", i+1, l, level, msg, code, i+1)
		}
	}
	if len(lines) != 3 {
		t.Errorf("%d log lines, want 3", len(lines))
	}
}

// TestPublishWithoutStreamFailsAtOnce: no responders for a subject that
// no stream captures is not retried (it would not pass), unlike no
// responders during a leader election.
func TestPublishWithoutStreamFailsAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := events.NewPublisher[orderCreated](e.js, "nowhere.created")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := pub.Publish(ctx, "1", orderCreated{Order: 1})
	if !errors.Is(err, jetstream.ErrNoStreamResponse) || ctx.Err() != nil {
		t.Errorf("got %v with the context %v, want no stream response before the context ends", err, ctx.Err())
	}
}
