package outbox

import (
	"context"
	"database/sql"
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
