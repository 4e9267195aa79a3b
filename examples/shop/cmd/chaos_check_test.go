//go:build reliability

package cmd_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to check the databases
)

// checkChaos checks, from the services' databases, what the faults must not
// have changed: every acknowledged order final, none lost or invented,
// none applied twice, every event's effect recorded once per consumer, and
// one order per Idempotency-Key.
func checkChaos(t *testing.T, v *verdicts, load *chaosLoad, dbs map[string]string, initial map[string][2]int) {
	orderDB, productDB := openDB(t, dbs["order"]), openDB(t, dbs["product"])
	settleStart := time.Now()
	pending := -1
	for time.Since(settleStart) < 90*time.Second {
		if err := orderDB.QueryRow(`SELECT count(*) FROM orders WHERE status = 'pending'`).Scan(&pending); err == nil && pending == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("chaos: every order final %v after the load", time.Since(settleStart).Round(time.Millisecond))
	v.check("every order reaches a final state", pending == 0, "%d orders still pending 90s after the load", pending)

	status := map[string]string{} // order ID -> status, from the order database
	rows := query(t, orderDB, `SELECT id, status FROM orders`)
	for rows.Next() {
		var id, s string
		rows.Scan(&id, &s)
		status[id] = s
	}
	var missing, invented []string
	for id := range load.owner {
		if _, ok := status[id]; !ok {
			missing = append(missing, id)
		}
	}
	for id := range status {
		if _, ok := load.owner[id]; !ok {
			invented = append(invented, id)
		}
	}
	v.check("no acknowledged order lost", len(missing) == 0, "%d acknowledged orders not in the database: %v", len(missing), first(missing))
	v.check("no order the clients were not answered", len(invented) == 0, "%d orders no client was acknowledged: %v", len(invented), first(invented))
	var keys int
	orderDB.QueryRow(`SELECT count(*) FROM idempotency_keys`).Scan(&keys)
	v.check("one order per Idempotency-Key", len(load.split) == 0 && keys == len(status) && len(load.orders) == len(status),
		"%d keys answered with two orders %v; %d keys stored, %d keys acknowledged, %d orders", len(load.split), first(load.split), keys, len(load.orders), len(status))

	after := stockTotals(t, productDB)
	var off []string
	for id, s := range after {
		if s[0]+s[1] != initial[id][0]+initial[id][1] {
			off = append(off, fmt.Sprintf("%s: %d+%d, want %d", id, s[0], s[1], initial[id][0]+initial[id][1]))
		}
	}
	v.check("stock + reserved = initial, per product", len(off) == 0 && len(after) == len(initial), "%v", off)

	// Each order's reservation once, and only for the confirmed: the
	// reservations match the confirmed orders' lines, and each product's
	// reserved counter matches its reservations.
	var unmatched int
	productDB.QueryRow(`SELECT count(*) FROM products p WHERE p.reserved <> (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.product_id = p.id)`).Scan(&unmatched)
	reserved := map[string]int{}
	rows = query(t, productDB, `SELECT order_id, sum(quantity) FROM reservations GROUP BY order_id`)
	for rows.Next() {
		var id string
		var q int
		rows.Scan(&id, &q)
		reserved[id] = q
	}
	var wrong []string
	for id, s := range status {
		if (s == "confirmed") != (reserved[id] == 1) {
			wrong = append(wrong, fmt.Sprintf("%s %s with %d reserved", id, s, reserved[id]))
		}
	}
	v.check("each confirmed order reserved once, no other", len(wrong) == 0 && unmatched == 0 && len(reserved) <= len(status),
		"%d orders: %v; %d products whose counter is not their reservations", len(wrong), first(wrong), unmatched)

	// Each event processed once per consumer group: product's inbox holds
	// every orders.created once, order's every stock result once, and
	// product wrote one result per order.
	v.check("product consumed each orders.created once", sameIDs(t, productDB, `SELECT id FROM processed_events`, status, "order-created-"), "see above")
	v.check("product answered each order once", sameIDs(t, productDB, `SELECT id FROM outbox`, status, "stock-"), "see above")
	v.check("order consumed each stock result once", sameIDs(t, orderDB, `SELECT id FROM processed_events`, status, "stock-"), "see above")
}

// sameIDs reports whether the IDs q returns are exactly prefix+ID of the
// orders, each once, logging the difference.
func sameIDs(t *testing.T, db *sql.DB, q string, orders map[string]string, prefix string) bool {
	seen := map[string]int{}
	rows := query(t, db, q)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		if o, ok := strings.CutPrefix(id, prefix); ok {
			seen[o]++
		}
	}
	var diff []string
	for id := range orders {
		if seen[id] != 1 {
			diff = append(diff, fmt.Sprintf("%s%s ×%d", prefix, id, seen[id]))
		}
	}
	for id := range seen {
		if _, ok := orders[id]; !ok {
			diff = append(diff, prefix+id+" of no order")
		}
	}
	if len(diff) > 0 {
		t.Logf("chaos: %s: %d differences: %v", q, len(diff), first(diff))
	}
	return len(diff) == 0
}

func first(s []string) []string { return s[:min(len(s), 5)] }

func query(t *testing.T, db *sql.DB, q string) *sql.Rows {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rows.Close() })
	return rows
}

func execPG(dsn, q string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(q)
	return err
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// stockTotals returns each product's stock and reserved.
func stockTotals(t *testing.T, db *sql.DB) map[string][2]int {
	t.Helper()
	out := map[string][2]int{}
	rows := query(t, db, `SELECT id, stock, reserved FROM products`)
	for rows.Next() {
		var id string
		var s [2]int
		if err := rows.Scan(&id, &s[0], &s[1]); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	return out
}

// waitStatus sends the request until it is answered want (the services
// find each other through discovery as they start), for up to 30s.
func waitStatus(t *testing.T, method, url, token, body string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		code, _ := send(t, req, token, 0, nil)
		if code == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s = %d, want %d", method, url, code, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
