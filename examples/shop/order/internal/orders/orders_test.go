package orders_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
	"github.com/gantrykit/gantry/examples/shop/order/internal/store"
)

// fixedCatalog is an orders.Catalog over a table: the test stand-in for the gRPC
// client of the product service.
func fixedCatalog(products ...orders.Product) orders.Catalog {
	return func(_ context.Context, ids []string) ([]orders.Product, error) {
		out := make([]orders.Product, 0, len(ids))
		for _, id := range ids {
			found := false
			for _, p := range products {
				if p.ID == id {
					out, found = append(out, p), true
				}
			}
			if !found {
				return nil, errs.NotFound("product %q not found", id)
			}
		}
		return out, nil
	}
}

func newTestService(t *testing.T, dsn string) (*orders.Service, *sql.DB, *int) {
	t.Helper()
	db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	commits := new(int)
	cat := fixedCatalog(orders.Product{"p1", "Beans", 1000}, orders.Product{"p2", "Kettle", 5000})
	return orders.NewService(store.New(db, func() { *commits++ }), cat), db, commits
}

func storeOver(db *sql.DB) *store.DB { return store.New(db, nil) }

func TestCreateWritesOrderAndEventTogetherBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "order", testCreateWritesOrderAndEventTogether)
}

func testCreateWritesOrderAndEventTogether(t *testing.T, dsn string) {
	svc, db, commits := newTestService(t, dsn)
	ctx := context.Background()
	o, err := svc.Create(ctx, orders.PlaceOrder{UserID: "u1", Items: []orders.OrderItem{{"p1", 2}, {"p2", 1}, {"p1", 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != orders.Pending || o.TotalCents != 3*1000+5000 || len(o.Items) != 2 {
		t.Errorf("Create = %+v, want pending, total 8000, two merged lines", o)
	}
	var subject string
	var payload []byte
	if err := db.QueryRow(`SELECT subject, payload FROM outbox WHERE id = $1`, "order-created-"+o.ID).Scan(&subject, &payload); err != nil {
		t.Fatalf("no outbox row for the order: %v", err)
	}
	var ev orders.OrderCreated
	json.Unmarshal(payload, &ev)
	if subject != orders.SubjectOrderCreated || ev.OrderID != o.ID || len(ev.Items) != 2 || ev.Items[0] != (orders.LineItem{"p1", 3}) {
		t.Errorf("outbox row = %s %+v, want orders.created with p1×3 and p2×1", subject, ev)
	}
	if *commits != 1 {
		t.Errorf("relay woken %d times, want 1", *commits)
	}
	got, err := svc.Get(ctx, orders.GetOrder{ID: o.ID, UserID: "u1"})
	if err != nil || got.TotalCents != o.TotalCents || len(got.Items) != 2 {
		t.Errorf("Get by owner = %+v, %v; want the order", got, err)
	}
	if _, err := svc.Get(ctx, orders.GetOrder{ID: o.ID, UserID: "u2"}); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("Get by another user = %v, want NotFound", err)
	}
}

func TestCreateRefusesBothEngines(t *testing.T) { sqldbtest.Engines(t, "order", testCreateRefuses) }

func testCreateRefuses(t *testing.T, dsn string) {
	svc, db, _ := newTestService(t, dsn)
	for _, tt := range []struct {
		name string
		req  orders.PlaceOrder
		kind errs.Kind
	}{
		{"unknown product", orders.PlaceOrder{UserID: "u1", Items: []orders.OrderItem{{"p1", 1}, {"nope", 1}}}, errs.KindInvalidArgument},
		{"zero quantity", orders.PlaceOrder{UserID: "u1", Items: []orders.OrderItem{{"p1", 0}}}, errs.KindInvalidArgument},
		{"negative quantity", orders.PlaceOrder{UserID: "u1", Items: []orders.OrderItem{{"p1", -1}}}, errs.KindInvalidArgument},
		{"no items", orders.PlaceOrder{UserID: "u1"}, errs.KindInvalidArgument},
		{"no caller", orders.PlaceOrder{Items: []orders.OrderItem{{"p1", 1}}}, errs.KindUnauthenticated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.Create(context.Background(), tt.req); errs.KindOf(err) != tt.kind {
				t.Errorf("Create = %v, want kind %v", err, tt.kind)
			}
		})
	}
	var n int
	db.QueryRow(`SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM outbox)`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows written by refused orders, want 0", n)
	}
}

func TestSettleOnlyMovesPendingBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "order", testSettleOnlyMovesPending)
}

func testSettleOnlyMovesPending(t *testing.T, dsn string) {
	svc, _, _ := newTestService(t, dsn)
	ctx := context.Background()
	o, err := svc.Create(ctx, orders.PlaceOrder{UserID: "u1", Items: []orders.OrderItem{{"p1", 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Settle(ctx, orders.StockResult{OrderID: o.ID}, true); err != nil {
		t.Fatal(err)
	}
	// A late or contradictory result changes nothing.
	if err := svc.Settle(ctx, orders.StockResult{OrderID: o.ID, Reason: "late"}, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, orders.GetOrder{ID: o.ID, UserID: "u1"}); got.Status != orders.Confirmed {
		t.Errorf("status = %s, want confirmed", got.Status)
	}
	if err := svc.Settle(ctx, orders.StockResult{OrderID: "nope"}, true); errs.KindOf(err) != errs.KindInvalidArgument {
		t.Errorf("Settle(unknown order) = %v, want InvalidArgument (dead-lettered)", err)
	}
	l, err := svc.List(ctx, orders.ListOrders{UserID: "u1"})
	if err != nil || len(l.Items) != 1 || l.Items[0].ID != o.ID {
		t.Errorf("List = %+v, %v; want the one order", l, err)
	}
}
