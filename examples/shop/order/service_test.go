package order

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// fixedCatalog is a Catalog over a table: the test stand-in for the gRPC
// client of the product service.
func fixedCatalog(products ...Product) Catalog {
	return func(_ context.Context, ids []string) ([]Product, error) {
		out := make([]Product, 0, len(ids))
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

func newTestService(t *testing.T) (*Service, *sql.DB, *int) {
	t.Helper()
	db, err := sqldb.OpenMigrated(filepath.Join(t.TempDir(), "order.db"), migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	commits := new(int)
	cat := fixedCatalog(Product{"p1", "Beans", 1000}, Product{"p2", "Kettle", 5000})
	return NewService(db, cat, func() { *commits++ }), db, commits
}

func TestCreateWritesOrderAndEventTogether(t *testing.T) {
	svc, db, commits := newTestService(t)
	ctx := context.Background()
	o, err := svc.Create(ctx, PlaceOrder{UserID: "u1", Items: []OrderItem{{"p1", 2}, {"p2", 1}, {"p1", 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != Pending || o.TotalCents != 3*1000+5000 || len(o.Items) != 2 {
		t.Errorf("Create = %+v, want pending, total 8000, two merged lines", o)
	}
	var subject string
	var payload []byte
	if err := db.QueryRow(`SELECT subject, payload FROM outbox WHERE id = ?`, "order-created-"+o.ID).Scan(&subject, &payload); err != nil {
		t.Fatalf("no outbox row for the order: %v", err)
	}
	var ev OrderCreated
	json.Unmarshal(payload, &ev)
	if subject != SubjectOrderCreated || ev.OrderID != o.ID || len(ev.Items) != 2 || ev.Items[0] != (LineItem{"p1", 3}) {
		t.Errorf("outbox row = %s %+v, want orders.created with p1×3 and p2×1", subject, ev)
	}
	if *commits != 1 {
		t.Errorf("relay woken %d times, want 1", *commits)
	}
	got, err := svc.Get(ctx, GetOrder{ID: o.ID, UserID: "u1"})
	if err != nil || got.TotalCents != o.TotalCents || len(got.Items) != 2 {
		t.Errorf("Get by owner = %+v, %v; want the order", got, err)
	}
	if _, err := svc.Get(ctx, GetOrder{ID: o.ID, UserID: "u2"}); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("Get by another user = %v, want NotFound", err)
	}
}

func TestCreateRefuses(t *testing.T) {
	svc, db, _ := newTestService(t)
	for _, tt := range []struct {
		name string
		req  PlaceOrder
		kind errs.Kind
	}{
		{"unknown product", PlaceOrder{UserID: "u1", Items: []OrderItem{{"p1", 1}, {"nope", 1}}}, errs.KindInvalidArgument},
		{"zero quantity", PlaceOrder{UserID: "u1", Items: []OrderItem{{"p1", 0}}}, errs.KindInvalidArgument},
		{"negative quantity", PlaceOrder{UserID: "u1", Items: []OrderItem{{"p1", -1}}}, errs.KindInvalidArgument},
		{"no items", PlaceOrder{UserID: "u1"}, errs.KindInvalidArgument},
		{"no caller", PlaceOrder{Items: []OrderItem{{"p1", 1}}}, errs.KindUnauthenticated},
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

func TestSettleOnlyMovesPending(t *testing.T) {
	svc, _, _ := newTestService(t)
	ctx := context.Background()
	o, err := svc.Create(ctx, PlaceOrder{UserID: "u1", Items: []OrderItem{{"p1", 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Settle(ctx, StockResult{OrderID: o.ID}, true); err != nil {
		t.Fatal(err)
	}
	// A late or contradictory result changes nothing.
	if err := svc.Settle(ctx, StockResult{OrderID: o.ID, Reason: "late"}, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, GetOrder{ID: o.ID, UserID: "u1"}); got.Status != Confirmed {
		t.Errorf("status = %s, want confirmed", got.Status)
	}
	if err := svc.Settle(ctx, StockResult{OrderID: "nope"}, true); errs.KindOf(err) != errs.KindInvalidArgument {
		t.Errorf("Settle(unknown order) = %v, want InvalidArgument (dead-lettered)", err)
	}
	l, err := svc.List(ctx, ListOrders{UserID: "u1"})
	if err != nil || len(l.Items) != 1 || l.Items[0].ID != o.ID {
		t.Errorf("List = %+v, %v; want the one order", l, err)
	}
}
