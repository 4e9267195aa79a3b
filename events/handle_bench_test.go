package events

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkHandle isolates the Subscriber's work per event from the
// server and the network: a delivered message, as jetstream hands it over
// with a Publisher's headers, decoded and acknowledged. The baseline does
// what a raw Consume callback does (decode, Ack); gantry is handle, with
// and without metrics. Ack only counts here.
func BenchmarkHandle(b *testing.B) {
	type order struct {
		Order int    `json:"order"`
		SKU   string `json:"sku"`
	}
	msg := &fakeMsg{
		subject: "orders.created",
		reply:   "$JS.ACK._.ACCHASH.ORDERS.ship.1.42.42.1700000000000000000.0.r4nd0m",
		data:    []byte(`{"order":42,"sku":"abc"}`),
		header: nats.Header{jetstream.MsgIDHeader: {"o-42"}, HeaderType: {"orders.created"},
			HeaderVersion: {"1"}, HeaderContentType: {"application/json"}},
	}
	b.Run("raw-decode-ack", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v order
			if json.Unmarshal(msg.Data(), &v) == nil {
				_ = msg.Ack()
			}
		}
	})
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"gantry", nil},
		{"gantry-metrics", []Option{WithMetrics(mustMetrics(prometheusRegistry()))}},
		// A logger at INFO, as an App's by default: the per-event DEBUG line
		// costs its Enabled check.
		{"gantry-logger-info", []Option{WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil)))}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := NewSubscriber(nil, Consumer{Stream: "ORDERS", Durable: "ship"},
				func(context.Context, Event[order]) error { return nil }, tc.opts...)
			s.cfg, _ = s.cfg.withDefaults()
			if s.o.metrics != nil {
				s.bound = s.o.metrics.bind("ORDERS", "ship")
			}
			b.ReportAllocs()
			for b.Loop() {
				s.handle(msg)
			}
			if msg.acks == 0 {
				b.Fatal("no event acknowledged")
			}
		})
	}
}

// fakeMsg is a delivered message that counts its acks.
type fakeMsg struct {
	subject, reply string
	data           []byte
	header         nats.Header
	acks           int
}

func (m *fakeMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return nil, jetstream.ErrNotJSMessage // handle reads the reply subject
}
func (m *fakeMsg) Data() []byte                     { return m.data }
func (m *fakeMsg) Headers() nats.Header             { return m.header }
func (m *fakeMsg) Subject() string                  { return m.subject }
func (m *fakeMsg) Reply() string                    { return m.reply }
func (m *fakeMsg) Ack() error                       { m.acks++; return nil }
func (m *fakeMsg) DoubleAck(context.Context) error  { return nil }
func (m *fakeMsg) Nak() error                       { return nil }
func (m *fakeMsg) NakWithDelay(time.Duration) error { return nil }
func (m *fakeMsg) InProgress() error                { return nil }
func (m *fakeMsg) Term() error                      { return nil }
func (m *fakeMsg) TermWithReason(string) error      { return nil }

func prometheusRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

func mustMetrics(reg prometheus.Registerer) *Metrics {
	m, err := NewMetrics(reg)
	if err != nil {
		panic(err)
	}
	return m
}
