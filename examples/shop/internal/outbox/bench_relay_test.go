package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
)

// BenchmarkRelayRow is the relay's cost per row: read, publish (awaiting
// the stream's ack) and mark. "baseline" is the loop as it was before rows
// recorded their first attempt: read, publish, mark. "relay" is Relay.flush
// today, which also checks the connection and writes attempted_at before
// each first publish.
func BenchmarkRelayRow(b *testing.B) {
	for _, name := range []string{"baseline", "relay"} {
		b.Run(name, func(b *testing.B) {
			db, js := setup(b)
			ctx := context.Background()
			if err := EnsureStreams(ctx, js); err != nil {
				b.Fatal(err)
			}
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			for i := range b.N {
				if err := Add(ctx, tx, fmt.Sprint("evt-", i), "orders.created", map[string]int{"n": i}); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }}
			r.init()
			pub := events.NewPublisher[json.RawMessage](js, "orders.created")
			b.ReportAllocs()
			b.ResetTimer()
			if name == "relay" {
				if err := r.flush(ctx); err != nil {
					b.Fatal(err)
				}
			} else {
				for {
					rows, err := Pending(ctx, db, 100)
					if err != nil {
						b.Fatal(err)
					}
					if len(rows) == 0 {
						break
					}
					for _, row := range rows {
						if _, err := pub.Publish(ctx, row.ID, row.Payload); err != nil {
							b.Fatal(err)
						}
						if err := MarkPublished(ctx, db, row.ID, time.Now()); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.StopTimer()
			var left int
			db.QueryRow(`SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&left)
			if left != 0 {
				b.Fatalf("%d rows left unpublished", left)
			}
		})
	}
}
