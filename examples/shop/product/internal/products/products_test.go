package products_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
	"github.com/gantrykit/gantry/examples/shop/product/internal/store"
)

func newTestService(t *testing.T, dsn string) (*products.Service, *sql.DB) {
	t.Helper()
	db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return products.NewService(store.New(db, nil)), db
}

func stock(t *testing.T, db *sql.DB, id string) (stock, reserved int) {
	t.Helper()
	if err := db.QueryRow(`SELECT stock, reserved FROM products WHERE id = $1`, id).Scan(&stock, &reserved); err != nil {
		t.Fatal(err)
	}
	return stock, reserved
}

func outcome(t *testing.T, db *sql.DB, orderID string) (subject string, res products.StockResult) {
	t.Helper()
	var payload []byte
	if err := db.QueryRow(`SELECT subject, payload FROM outbox WHERE id = $1`, "stock-"+orderID).Scan(&subject, &payload); err != nil {
		t.Fatalf("outbox row of %s: %v", orderID, err)
	}
	if err := json.Unmarshal(payload, &res); err != nil {
		t.Fatal(err)
	}
	return subject, res
}

func TestSeedCatalogBothEngines(t *testing.T) { sqldbtest.Engines(t, "product", testSeedCatalog) }

func testSeedCatalog(t *testing.T, dsn string) {
	svc, _ := newTestService(t, dsn)
	l, err := svc.List(context.Background(), products.ListProducts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) < 10 {
		t.Errorf("seeded %d products, want at least 10", len(l.Items))
	}
	if _, err := svc.Get(context.Background(), products.GetProduct{ID: "nope"}); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("Get(nope) = %v, want NotFound", err)
	}
}

// TestReserveAllOrNothingBothEngines: when a later line cannot be served, the earlier
// lines' stock is given back, and the outcome is a stock.rejected event.
func TestReserveAllOrNothingBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "product", testReserveAllOrNothing)
}

func testReserveAllOrNothing(t *testing.T, dsn string) {
	svc, db := newTestService(t, dsn)
	ctx := context.Background()
	s1, _ := stock(t, db, "p01")
	s2, _ := stock(t, db, "p02")
	err := svc.Reserve(ctx, products.OrderCreated{OrderID: "o1", Items: []products.OrderLine{{"p01", 3}, {"p02", s2 + 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, res := stock(t, db, "p01"); got != s1 || res != 0 {
		t.Errorf("p01 after a rejected order: stock %d reserved %d, want %d and 0", got, res, s1)
	}
	if subj, res := outcome(t, db, "o1"); subj != products.SubjectStockRejected || res.Reason == "" {
		t.Errorf("outcome = %s %+v, want stock.rejected with a reason", subj, res)
	}

	if err := svc.Reserve(ctx, products.OrderCreated{OrderID: "o2", Items: []products.OrderLine{{"p01", 3}, {"p02", 2}}}); err != nil {
		t.Fatal(err)
	}
	if got, res := stock(t, db, "p01"); got != s1-3 || res != 3 {
		t.Errorf("p01 after a confirmed order: stock %d reserved %d, want %d and 3", got, res, s1-3)
	}
	if subj, _ := outcome(t, db, "o2"); subj != products.SubjectStockReserved {
		t.Errorf("outcome = %s, want stock.reserved", subj)
	}
	// A second orders.created for one order cannot add a second outcome.
	if err := svc.Reserve(ctx, products.OrderCreated{OrderID: "o2", Items: []products.OrderLine{{"p01", 1}}}); err == nil {
		t.Error("a second Reserve of o2 succeeded, want the outbox's unique ID to refuse it")
	}
	if got, _ := stock(t, db, "p01"); got != s1-3 {
		t.Errorf("p01 after the refused duplicate: stock %d, want %d", got, s1-3)
	}
}

// TestReserveConcurrentBothEngines races many orders for one product: stock never
// goes negative and stock + reserved stays what it was.
func TestReserveConcurrentBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "product", testReserveConcurrent)
}

func testReserveConcurrent(t *testing.T, dsn string) {
	svc, db := newTestService(t, dsn)
	initial, _ := stock(t, db, "p11") // 30 in the seed
	var wg sync.WaitGroup
	errc := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- svc.Reserve(context.Background(), products.OrderCreated{OrderID: "c" + string(rune('A'+i)), Items: []products.OrderLine{{"p11", 2}}})
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, res := stock(t, db, "p11")
	if got < 0 || got+res != initial {
		t.Errorf("stock %d + reserved %d, want non-negative stock summing to %d", got, res, initial)
	}
	var reservedEvents int
	db.QueryRow(`SELECT count(*) FROM outbox WHERE subject = $1`, products.SubjectStockReserved).Scan(&reservedEvents)
	if reservedEvents*2 != res || reservedEvents != initial/2 {
		t.Errorf("%d stock.reserved events for %d reserved of %d, want %d", reservedEvents, res, initial, initial/2)
	}
}

// TestReserveCrossingOrdersBothEngines races orders that list two products in
// opposite orders: each is served (none fails on a deadlock) and the stock
// adds up.
func TestReserveCrossingOrdersBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "product", testReserveCrossingOrders)
}

func testReserveCrossingOrders(t *testing.T, dsn string) {
	svc, db := newTestService(t, dsn)
	s1, _ := stock(t, db, "p01")
	s2, _ := stock(t, db, "p02")
	const n = 20
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		lines := []products.OrderLine{{"p01", 1}, {"p02", 1}}
		if i%2 == 1 {
			lines[0], lines[1] = lines[1], lines[0]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- svc.Reserve(context.Background(), products.OrderCreated{OrderID: fmt.Sprintf("x%d", i), Items: lines})
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Error(err)
		}
	}
	if got, res := stock(t, db, "p01"); got != s1-n || res != n {
		t.Errorf("p01: stock %d reserved %d, want %d and %d", got, res, s1-n, n)
	}
	if got, res := stock(t, db, "p02"); got != s2-n || res != n {
		t.Errorf("p02: stock %d reserved %d, want %d and %d", got, res, s2-n, n)
	}
}

// TestProcessedOnceBothEngines: through sqldb.Processed a redelivered event is applied
// once, and a failed apply leaves no marker.
func TestProcessedOnceBothEngines(t *testing.T) { sqldbtest.Engines(t, "product", testProcessedOnce) }

func testProcessedOnce(t *testing.T, dsn string) {
	svc, db := newTestService(t, dsn)
	processed := sqldb.Processed{DB: db}
	ctx := context.Background()
	ev := products.OrderCreated{OrderID: "o9", Items: []products.OrderLine{{"p05", 5}}}
	for i, want := range []bool{true, false} {
		applied, err := processed.Once(ctx, "evt-1", func(ctx context.Context) error { return svc.Reserve(ctx, ev) })
		if err != nil || applied != want {
			t.Errorf("delivery %d: applied %v, %v; want %v, nil", i+1, applied, err, want)
		}
	}
	if _, res := stock(t, db, "p05"); res != 5 {
		t.Errorf("reserved %d after two deliveries, want 5", res)
	}
	boom := errors.New("boom")
	if _, err := processed.Once(ctx, "evt-2", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Once = %v, want boom", err)
	}
	if applied, err := processed.Once(ctx, "evt-2", func(context.Context) error { return nil }); !applied || err != nil {
		t.Errorf("retry after a failed apply: applied %v, %v; want true, nil", applied, err)
	}
}

func TestLookupBothEngines(t *testing.T) { sqldbtest.Engines(t, "product", testLookup) }

func testLookup(t *testing.T, dsn string) {
	svc, _ := newTestService(t, dsn)
	ctx := context.Background()
	r, err := svc.Lookup(ctx, products.LookupRequest{IDs: []string{"p02", "p01"}})
	if err != nil || len(r.Products) != 2 || r.Products[0].ID != "p02" || r.Products[1].ID != "p01" {
		t.Errorf("Lookup(p02, p01) = %+v, %v; want both in request order", r, err)
	}
	for _, ids := range [][]string{nil, {"p01", "nope"}} {
		if _, err := svc.Lookup(ctx, products.LookupRequest{IDs: ids}); err == nil {
			t.Errorf("Lookup(%v) succeeded, want an error", ids)
		}
	}
}
