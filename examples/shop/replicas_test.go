package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gantrykit/gantry/internal/fulltest"
	"github.com/gantrykit/gantry/internal/pgtest"
)

// TestReplicasOnPostgres runs the shop as
// `go run ./examples/shop -replicas 2 -postgres URL` does: two replicas of
// each service over a PostgreSQL database per service. Through the
// gateway, users sign up, log in on one user replica and use their token
// on both (each verifies with the keys they share), and place orders that
// every replica takes part in; every order is confirmed and the stock
// adds up. Orders with an Idempotency-Key are placed once across the
// order replicas (checkIdempotencyKey).
func TestReplicasOnPostgres(t *testing.T) {
	fulltest.Require(t, "runs two replicas of each service on PostgreSQL")
	s := replicaShop(t, 2)
	for _, svc := range []string{"user", "product", "order"} {
		if got := len(s.Replicas[svc]); got != 2 {
			t.Fatalf("%d replicas of %s, want 2", got, svc)
		}
	}

	anon := api{t: t, base: s.URL()}
	var list struct{ Items []productView }
	anon.want(200, "GET", "/api/v1/products", nil, &list)
	p := list.Items[0]
	const users, perUser = 6, 2
	type placedOrder struct {
		by api
		id string
	}
	var placed []placedOrder
	for i := range users {
		u := signup(t, s.URL(), fmt.Sprintf("replica-%d@example.com", i))
		for range 5 { // the gateway spreads these over both user replicas
			u.want(200, "GET", "/api/v1/users/me", nil, nil)
		}
		for range perUser {
			var o orderView
			u.want(202, "POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"product_id": p.ID, "quantity": 1}}}, &o)
			placed = append(placed, placedOrder{u, o.ID})
		}
	}
	for _, o := range placed {
		if got := settle(t, o.by, o.id); got.Status != "confirmed" {
			t.Errorf("order %s ended %q (%s), want confirmed", o.id, got.Status, got.Reason)
		}
	}
	if got, want := stockOf(t, anon, p.ID), p.Stock-len(placed); got != want {
		t.Errorf("stock of %s = %d after %d orders of one, want %d", p.ID, got, len(placed), want)
	}
	t.Run("idempotency key", func(t *testing.T) {
		u := placed[0].by
		u.t = t
		checkIdempotencyKey(t, s.URL(), u, list.Items[1].ID)
	})
	for _, svc := range []string{"user", "product", "order"} {
		for i, app := range s.Replicas[svc] {
			if n := servedCalls(t, app.AdminAddr()); n == 0 {
				t.Errorf("%s replica %d served no call: the traffic did not spread", svc, i+1)
			} else {
				t.Logf("%s replica %d served %d calls", svc, i+1, n)
			}
		}
	}
}

// replicaShop starts the shop with n replicas of each service, over a
// new PostgreSQL database per service, dropped after the test.
func replicaShop(t *testing.T, n int) *shop {
	t.Helper()
	server := pgtest.ServerDSN(t)
	var b [4]byte
	rand.Read(b[:])
	name := "shop_" + hex.EncodeToString(b[:])
	base, err := pgtest.WithDatabase(server, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropDatabases(t, server, name) }) // after the shop stops
	return testShopWith(t, options{data: t.TempDir(), replicas: n, postgres: base})
}

// TestJWKSFromAnyUserReplicaOnPostgres: the verifiers of the user
// service's tokens (the gateway, order, product) read its key set through
// discovery, not from one replica's address. With user replica 1 stopped
// before any of them has fetched the keys, a new token from replica 2
// still passes the gateway and the order service (product's verifier is
// the same shopkit.Verifier), and the order is confirmed.
func TestJWKSFromAnyUserReplicaOnPostgres(t *testing.T) {
	s := replicaShop(t, 2)
	s.stopApp(s.Replicas["user"][0])
	u := signup(t, s.URL(), "survivor@example.com")
	u.want(200, "GET", "/api/v1/users/me", nil, nil)
	var list struct{ Items []productView }
	u.want(200, "GET", "/api/v1/products", nil, &list)
	var o orderView
	u.want(202, "POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"product_id": list.Items[0].ID, "quantity": 1}}}, &o)
	if got := settle(t, u, o.ID); got.Status != "confirmed" {
		t.Errorf("order %s ended %q (%s), want confirmed", o.ID, got.Status, got.Reason)
	}
}

// servedCalls sums the calls a service's /metrics says it served.
func servedCalls(t *testing.T, admin string) int {
	t.Helper()
	return countCalls(t, admin, func(string) bool { return true })
}

// countCalls sums the rpc_server_call_duration_seconds_count series of
// the /metrics at admin whose line match accepts.
func countCalls(t *testing.T, admin string, match func(line string) bool) int {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "rpc_server_call_duration_seconds_count{") || !match(line) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		n += int(v)
	}
	return n
}

// dropDatabases drops the services' databases the shop made on server.
func dropDatabases(t *testing.T, server, name string) {
	conn, err := pgx.Connect(context.Background(), server)
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close(context.Background())
	for _, svc := range []string{"user", "product", "order"} {
		db := pgx.Identifier{name + "_" + svc}.Sanitize()
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	}
}

// TestReplicasNeedPostgres: SQLite files serve one process each, so more
// replicas without -postgres are refused before anything starts.
func TestReplicasNeedPostgres(t *testing.T) {
	for _, args := range [][]string{{"-replicas", "2"}, {"-replicas", "0"}, {"-postgres", "mysql://x/y"}} {
		var out strings.Builder
		err := run(context.Background(), append(args, "-data", t.TempDir(), "-nats-port", "0", "-addr", "127.0.0.1:0"),
			func(string) string { return "" }, &out)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("shop %s = %v, want an error naming %s", strings.Join(args, " "), err, args[0])
		}
	}
}
