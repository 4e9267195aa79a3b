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
			drop := ""
			if !bc.index {
				drop = "outbox_held"
			}
			db := benchOutbox(b, bc.published, 10, 1, drop)
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
