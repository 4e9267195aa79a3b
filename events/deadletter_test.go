package events_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/telemetry"
)

// deadLetter waits for the n-th message of the ORDERS_DLQ stream.
func deadLetter(t *testing.T, js jetstream.JetStream, n uint64) *jetstream.RawStreamMsg {
	t.Helper()
	waitFor(t, "a dead letter", func() bool { return streamMsgs(t, js, "ORDERS_DLQ") >= n })
	s, err := js.Stream(context.Background(), "ORDERS_DLQ")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeadLetter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		payload    []byte // published raw when set
		err        error
		deliveries string
		reason     string
	}{
		{"max deliver", nil, errors.New("boom"), "3", "failed 3 deliveries, last error: boom"},
		{"permanent", nil, events.Permanent(errors.New("no such sku")), "1", "permanent error: no such sku"},
		{"invalid argument", nil, errs.InvalidArgument("negative quantity"), "1", "permanent error: negative quantity"},
		{"malformed payload", []byte("{not json"), nil, "1", "malformed payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var calls atomic.Int32
			logs := &logcheck.Buffer{}
			start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "billing", MaxDeliver: 3,
				Backoff: []time.Duration{time.Millisecond}, FetchWait: 100 * time.Millisecond},
				func(context.Context, events.Event[orderCreated]) error { calls.Add(1); return tt.err },
				events.WithLogger(slog.New(telemetry.NewHandler(slog.NewJSONHandler(logs, nil)))))
			if tt.payload != nil {
				if _, err := e.js.Publish(context.Background(), "orders.created", tt.payload, jetstream.WithMsgID("bad-1")); err != nil {
					t.Fatal(err)
				}
			} else if _, err := events.NewPublisher[orderCreated](e.js, "orders.created", events.WithType("order.created", 1)).
				Publish(context.Background(), "bad-1", orderCreated{Order: 9}); err != nil {
				t.Fatal(err)
			}
			m := deadLetter(t, e.js, 1)
			h := m.Header
			if m.Subject != "dlq.ORDERS.billing" || h.Get(events.HeaderDeadDeliveries) != tt.deliveries ||
				!strings.HasPrefix(h.Get(events.HeaderDeadReason), tt.reason) ||
				h.Get(events.HeaderDeadSubject) != "orders.created" || h.Get(events.HeaderDeadSequence) != "1" ||
				h.Get(jetstream.MsgIDHeader) != "bad-1" {
				t.Fatalf("dead letter %s %v, want deliveries %s reason %q", m.Subject, h, tt.deliveries, tt.reason)
			}
			if tt.payload == nil && h.Get(events.HeaderType) != "order.created" {
				t.Errorf("original headers lost: %v", h)
			}
			want := int32(3)
			if tt.deliveries == "1" {
				want = 1
			}
			if tt.payload != nil {
				want = 0
			}
			// Terminated: the consumer settles with nothing pending.
			cons, err := e.js.Consumer(context.Background(), "ORDERS", "billing")
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the consumer to settle", func() bool {
				info, err := cons.Info(context.Background())
				return err == nil && info.NumAckPending == 0 && info.NumRedelivered == 0 && info.NumPending == 0
			})
			if got := calls.Load(); got != want {
				t.Errorf("handler ran %d times, want %d", got, want)
			}
			// One WARN line per failed delivery that will be retried, then
			// one that says the event is dead-lettered, with the reason.
			lines, err := logcheck.Lines(strings.NewReader(logs.String()))
			if err != nil {
				t.Fatal(err)
			}
			retried := int(max(want, 1)) - 1
			for _, l := range lines[:min(retried, len(lines))] {
				if l["level"] != "WARN" || l["msg"] != "event failed; it will be delivered again" || l["error"] != "boom" || l["request_id"] == nil {
					t.Errorf("log line %v, want a WARN of the failure to be retried", l)
				}
			}
			if lines = lines[min(retried, len(lines)):]; len(lines) != 1 || lines[0]["level"] != "WARN" || lines[0]["msg"] != "event dead-lettered" ||
				!strings.HasPrefix(lines[0]["reason"].(string), tt.reason) || lines[0]["event_id"] != "bad-1" ||
				lines[0]["subject"] != "orders.created" || lines[0]["request_id"] == nil {
				t.Errorf("log lines %v, want one WARN naming the event, its reason and a request_id", lines)
			}
		})
	}
}

func TestStopFinishesInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	started, release := make(chan struct{}), make(chan struct{})
	s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: "slow", FetchWait: 100 * time.Millisecond, AckWait: longAckWait},
		func(context.Context, events.Event[orderCreated]) error { close(started); <-release; return nil })
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := events.NewPublisher[orderCreated](e.js, "orders.created").Publish(context.Background(), "s-1", orderCreated{}); err != nil {
		t.Fatal(err)
	}
	<-started
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Stop(canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with a handler in flight and no time = %v, want context.Canceled", err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Stop = %v, want nil", err)
	}
	// The in-flight event was acked before Stop returned.
	if info := answered(t, e.js, "slow"); info.AckFloor.Stream != 1 {
		t.Fatalf("after Stop: ack floor %d, want 1", info.AckFloor.Stream)
	}
}

func TestConsumerConfigErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS"}, func(context.Context, events.Event[orderCreated]) error { return nil })
	if err := s.Start(context.Background()); err == nil {
		t.Error("Start without Durable succeeded, want an error")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Errorf("Stop before Start = %v, want nil", err)
	}
	s = events.NewSubscriber(e.js, events.Consumer{Stream: "NOPE", Durable: "x"}, func(context.Context, events.Event[orderCreated]) error { return nil })
	if err := s.Start(context.Background()); err == nil {
		t.Error("Start on a missing stream succeeded, want an error")
	}
}
