package outbox

import (
	"context"
	"fmt"
	"testing"
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
			db := migrated(b, services[0])
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			for i := range bc.published + 10 {
				published := any("2026-01-01T00:00:00.000Z")
				if i >= bc.published {
					published = nil
				}
				if _, err := tx.Exec(`INSERT INTO outbox (id, subject, payload, published_at) VALUES (?, 'orders.created', '{}', ?)`,
					fmt.Sprint("evt-", i), published); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			if !bc.index {
				if _, err := db.Exec(`DROP INDEX outbox_pending`); err != nil {
					b.Fatal(err)
				}
			}
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
