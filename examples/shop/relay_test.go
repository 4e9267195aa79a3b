package main

import (
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/order"
)

// TestRelayCrash kills the order service's outbox relay at each dangerous
// point: after the order and its event are committed but before the
// publish, and after the publish but before the row is marked. The order
// service stops as if it had died there; the shop restarts on the same data.
// Afterwards the event is in the stream exactly once and the order confirms.
func TestRelayCrash(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		stage outbox.Stage
	}{
		{"before publish", outbox.BeforePublish},
		{"after publish, before mark", outbox.AfterPublish},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var crashed atomic.Int32
			s := testShop(t, dir, func(server any) {
				if o, ok := server.(*order.Server); ok {
					// The restarted relay is another owner: it takes
					// the dead relay's row when the lease runs out.
					o.Relay.Lease = time.Second
					o.Relay.Fault = func(st outbox.Stage, id string) error {
						if st == tt.stage && crashed.Add(1) == 1 {
							return outbox.ErrCrash
						}
						return nil
					}
				}
			})
			ada := signup(t, s.URL(), "ada@example.com")
			var placed orderView
			ada.want(202, "POST", "/api/v1/orders", map[string]any{"items": []map[string]any{
				{"product_id": "p01", "quantity": 1}, {"product_id": "p02", "quantity": 1}}}, &placed)
			t0 := time.Now()
			<-s.failed // the order service died in its relay
			t.Logf("failed after %v", time.Since(t0))
			if err := s.stop(); !errors.Is(err, outbox.ErrCrash) {
				t.Fatalf("shop stopped with %v, want the simulated crash", err)
			}
			eventID := "order-created-" + placed.ID
			if published := outboxMarked(t, dir, eventID); published {
				t.Fatalf("outbox row %s is marked published after a crash before the mark", eventID)
			}

			t.Logf("stopped after %v", time.Since(t0))
			s2 := testShop(t, dir, nil)
			t.Logf("restarted after %v", time.Since(t0))
			ada2 := login(t, s2.URL(), "ada@example.com", "password-ada@example.com")
			if o := settle(t, ada2, placed.ID); o.Status != "confirmed" {
				t.Fatalf("order ended %q (%s) after the restart, want confirmed", o.Status, o.Reason)
			}
			t.Logf("settled after %v", time.Since(t0))
			if n := countMsgID(t, s2.NATSURL, "ORDERS", "orders.created", eventID); n != 1 {
				t.Errorf("orders.created with Nats-Msg-Id %s stored %d times, want 1", eventID, n)
			}
			if n := countMsgID(t, s2.NATSURL, "STOCK", "stock.reserved", "stock-"+placed.ID); n != 1 {
				t.Errorf("stock.reserved for the order stored %d times, want 1", n)
			}
		})
	}
}

// outboxMarked reports whether the order database marks row id published.
func outboxMarked(t *testing.T, dir, id string) bool {
	t.Helper()
	db, err := sqldb.Open(filepath.Join(dir, "order.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var published *string
	if err := db.QueryRow(`SELECT published_at FROM outbox WHERE id = ?`, id).Scan(&published); err != nil {
		t.Fatalf("outbox row %s: %v", id, err)
	}
	return published != nil
}
