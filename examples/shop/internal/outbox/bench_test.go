package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// BenchmarkPending reads the pending rows (10 of them) of an outbox that
// also holds 0 or 50,000 published rows, with the shipped partial index and,
// as the baseline it replaces, without it. With the index the cost does not
// follow the published rows; without it every flush scans them.
func BenchmarkPending(b *testing.B) {
	for _, bc := range []struct {
		published int
		index     bool
	}{{0, true}, {50000, true}, {50000, false}} {
		b.Run(fmt.Sprintf("published=%d/index=%v", bc.published, bc.index), func(b *testing.B) {
			drop := ""
			if !bc.index {
				drop = "outbox_pending"
			}
			db := benchOutbox(b, bc.published, 10, 0, drop)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				rows, err := Pending(ctx, db, 100)
				if err != nil || len(rows) != 10 {
					b.Fatalf("Pending = %d rows, %v; want 10", len(rows), err)
				}
			}
		})
	}
}

// benchOutbox returns a migrated outbox holding published rows, then
// pending unpublished ones, the last held of them; with drop set, that
// index is dropped (the baseline a benchmark compares the index with).
func benchOutbox(b *testing.B, published, pending, held int, drop string) *sql.DB {
	b.Helper()
	db := migrated(b, services[0])
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := range published + pending + held {
		pub, heldAt := any("2026-01-01T00:00:00.000Z"), any(nil)
		if i >= published {
			pub = nil
		}
		if i >= published+pending {
			heldAt = "2026-01-02T00:00:00.000Z"
		}
		if _, err := tx.Exec(`INSERT INTO outbox (id, subject, payload, published_at, held_at) VALUES (?, 'orders.created', '{}', ?, ?)`,
			fmt.Sprint("evt-", i), pub, heldAt); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if drop != "" {
		if _, err := db.Exec(`DROP INDEX ` + drop); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// BenchmarkAdd writes one event in a transaction of its own, from a
// request outside any trace (the baseline) and from one in a sampled
// trace, whose context Add keeps with the row: the difference is what
// keeping the trace costs the request that places an order.
func BenchmarkAdd(b *testing.B) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{{"no-trace", context.Background()}, {"in-trace", trace.ContextWithSpanContext(context.Background(), sc)}} {
		b.Run(bc.name, func(b *testing.B) {
			db := migrated(b, services[0])
			payload := map[string]string{"order_id": "o-1"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				if err := Add(bc.ctx, tx, fmt.Sprint("evt-", i), "orders.created", payload); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
