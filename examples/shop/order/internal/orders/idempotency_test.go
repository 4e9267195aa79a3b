package orders_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
)

func TestIdempotencyKeyBothEngines(t *testing.T) { sqldbtest.Engines(t, "order", testIdempotencyKey) }

func testIdempotencyKey(t *testing.T, dsn string) {
	svc, db, _ := newTestService(t, dsn)
	ctx := context.Background()
	place := func(user, key string, items ...orders.OrderItem) (orders.Order, error) {
		return svc.Create(ctx, orders.PlaceOrder{UserID: user, Key: key, Items: items})
	}
	count := func() (n int) {
		db.QueryRow(`SELECT (SELECT count(*) FROM orders) * 1000 + (SELECT count(*) FROM outbox)`).Scan(&n)
		return n
	}
	first, err := place("u1", `"k-1"`, orders.OrderItem{"p1", 2}, orders.OrderItem{"p2", 1})
	if err != nil {
		t.Fatal(err)
	}
	// Settled since: a repeat still answers the order as first answered.
	if err := svc.Settle(ctx, orders.StockResult{OrderID: first.ID}, true); err != nil {
		t.Fatal(err)
	}
	again, err := place("u1", "k-1", orders.OrderItem{"p1", 2}, orders.OrderItem{"p2", 1}) // bare form, same key
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Errorf("repeat = %+v, %v; want the first answer %+v", again, err, first)
	}
	if n := count(); n != 1001 {
		t.Errorf("%d orders*1000+outbox rows after a repeat, want 1001", n)
	}

	// Other items with the key: 422, nothing written.
	_, err = place("u1", "k-1", orders.OrderItem{"p1", 3})
	var sc kithttp.StatusCoder
	if !errors.As(err, &sc) || sc.StatusCode() != 422 || errs.KindOf(err) != errs.KindInvalidArgument {
		t.Errorf("reuse with other items = %v, want a 422 InvalidArgument", err)
	}
	// The key is the user's own: another user's is another order.
	if o, err := place("u2", "k-1", orders.OrderItem{"p1", 2}, orders.OrderItem{"p2", 1}); err != nil || o.ID == first.ID {
		t.Errorf("another user's k-1 = %+v, %v; want a new order", o, err)
	}
	// A refused request places nothing and leaves its key free.
	if _, err := place("u1", "k-2", orders.OrderItem{"nope", 1}); errs.KindOf(err) != errs.KindInvalidArgument {
		t.Errorf("unknown product = %v, want InvalidArgument", err)
	}
	if o, err := place("u1", "k-2", orders.OrderItem{"p1", 1}); err != nil || o.ID == first.ID {
		t.Errorf("k-2 after a refusal = %+v, %v; want a new order", o, err)
	}
	if n := count(); n != 3003 {
		t.Errorf("%d orders*1000+outbox rows, want 3003", n)
	}
	for _, bad := range []string{`"unterminated`, `"a\tb"`, `"\x"`, `with space`, `back\slash`, `""`, `"` + string(make([]byte, 256)) + `"`} {
		if _, err := place("u1", bad, orders.OrderItem{"p1", 1}); !isInvalidKey(err) {
			t.Errorf("key %q: %v, want a 400 naming Idempotency-Key", bad, err)
		}
	}
}

func isInvalidKey(err error) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.Kind == errs.KindInvalidArgument && len(e.Fields) == 1 && e.Fields[0].Field == "Idempotency-Key"
}

// TestIdempotencyKeyRacersBothEngines sends one key from many goroutines at once,
// each held in the catalog call until all have looked the key up and
// found nothing: the database's unique constraint alone decides, and one
// order is placed, which every racer answers.
func TestIdempotencyKeyRacersBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "order", testIdempotencyKeyRacers)
}

func testIdempotencyKeyRacers(t *testing.T, dsn string) {
	_, db, _ := newTestService(t, dsn)
	const racers = 20
	var arrived sync.WaitGroup
	arrived.Add(racers)
	gate := make(chan struct{})
	go func() { arrived.Wait(); close(gate) }()
	cat := fixedCatalog(orders.Product{"p1", "Beans", 1000})
	svc := orders.NewService(storeOver(db), func(ctx context.Context, ids []string) ([]orders.Product, error) {
		arrived.Done()
		select {
		case <-gate:
		case <-time.After(10 * time.Second):
		}
		return cat(ctx, ids)
	})
	ids := make([]string, racers)
	errCh := make(chan error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := svc.Create(context.Background(), orders.PlaceOrder{UserID: "u1", Key: "race", Items: []orders.OrderItem{{"p1", 1}}})
			ids[i] = o.ID
			errCh <- err
		}()
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		if err != nil {
			t.Errorf("racer: %v", err)
		}
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Errorf("racers answered orders %s and %s, want one", ids[0], id)
			break
		}
	}
	var n int
	db.QueryRow(`SELECT (SELECT count(*) FROM orders) * 1000 + (SELECT count(*) FROM outbox)`).Scan(&n)
	if n != 1001 {
		t.Errorf("%d orders*1000+outbox rows from %d racers with one key, want 1001", n, racers)
	}
}
