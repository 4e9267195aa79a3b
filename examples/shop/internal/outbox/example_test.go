package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// A Collector on a registry counts the outbox at each Gather (each scrape
// of /metrics): here one row waits for the relay and one is held.
func ExampleNewCollector() {
	dir, _ := os.MkdirTemp("", "outbox-example")
	defer os.RemoveAll(dir)
	db, err := sqldb.OpenMigrated(filepath.Join(dir, "order.db"), os.DirFS("../../order/internal/store"), "migrations")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	ctx := context.Background()
	for _, id := range []string{"order-created-1", "order-created-2"} {
		_ = sqldb.InTx(ctx, db, func(tx *sql.Tx) error {
			return outbox.Add(ctx, tx, id, "orders.created", map[string]string{"id": id})
		})
	}
	_ = outbox.Hold(ctx, db, "order-created-1", time.Now())

	reg := prometheus.NewRegistry()
	reg.MustRegister(outbox.NewCollector(db, "order", nil))
	families, _ := reg.Gather()
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if m.GetGauge() != nil {
				fmt.Println(f.GetName(), m.GetGauge().GetValue())
			}
		}
	}
	// Output:
	// shop_outbox_held_rows 1
	// shop_outbox_pending_rows 1
}
