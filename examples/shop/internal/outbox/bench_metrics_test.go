package outbox

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkCollectorScrape gathers the Collector's metrics (one scrape:
// both counts) from an outbox with 10 pending and 1 held row beside 0 or
// 50,000 published ones, with the shipped partial indexes and, as the
// baseline, without outbox_held (the held count then scans the table).
func BenchmarkCollectorScrape(b *testing.B) {
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
			for i := range bc.published + 11 {
				published, held := any("2026-01-01T00:00:00.000Z"), any(nil)
				if i >= bc.published {
					published = nil
				}
				if i == bc.published+10 {
					held = "2026-01-02T00:00:00.000Z"
				}
				if _, err := tx.Exec(`INSERT INTO outbox (id, subject, payload, published_at, held_at) VALUES (?, 'orders.created', '{}', ?, ?)`,
					fmt.Sprint("evt-", i), published, held); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			if !bc.index {
				if _, err := db.Exec(`DROP INDEX outbox_held`); err != nil {
					b.Fatal(err)
				}
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(NewCollector(db, "order", nil))
			b.ReportAllocs()
			for b.Loop() {
				fams, err := reg.Gather()
				if err != nil || len(fams) != 3 {
					b.Fatalf("Gather = %d families, %v; want 3", len(fams), err)
				}
			}
		})
	}
}
