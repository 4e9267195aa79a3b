package cmd_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to check the databases

	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/natscluster"
	"github.com/gantrykit/gantry/internal/pgtest"
)

// TestChaos runs the shop as separate processes, two replicas of each
// service with a PostgreSQL database per service, on a three-node NATS
// JetStream cluster with R3 streams, under a load of browsing and orders,
// and during it SIGKILLs and restarts, one at a time: an order replica, a
// product replica, the ORDERS stream leader's NATS node, a user replica.
// Afterwards every order the shop acknowledged must reach a final state,
// and every product's stock + reserved must still be its initial stock,
// with each reservation recorded once. It needs GANTRY_TEST_NATS_CLUSTER=1
// and GANTRY_TEST_POSTGRES_DSN (.ci/run sets both) and takes under a minute.
func TestChaos(t *testing.T) {
	cluster := natscluster.Start(t, natscluster.Options{})
	dbs := map[string]string{"user": pgtest.DSN(t), "product": pgtest.DSN(t), "order": pgtest.DSN(t)}
	common := []string{"GANTRY_NATS_URL=" + cluster.URLs(), "GANTRY_NATS_REPLICAS=3", "GANTRY_DATA_DIR=" + t.TempDir(),
		"GANTRY_GRPC_ADDR=127.0.0.1:0", "USER_BCRYPT_COST=4",
		"USER_DB=" + dbs["user"], "PRODUCT_DB=" + dbs["product"], "ORDER_DB=" + dbs["order"]}
	user := []*exampletest.Proc{exampletest.Start(t, binaries["user"], common...)}
	jwks := user[0].HTTPURL + "/.well-known/jwks.json"
	envOf := map[string][]string{
		"user":    common,
		"product": append(append([]string{}, common...), "PRODUCT_JWKS_URL="+jwks),
		"order":   append(append([]string{}, common...), "ORDER_JWKS_URL="+jwks),
	}
	user = append(user, exampletest.Start(t, binaries["user"], common...))
	procs := map[string][]*exampletest.Proc{"user": user}
	for _, svc := range []string{"product", "order"} {
		for range 2 {
			procs[svc] = append(procs[svc], exampletest.Start(t, binaries[svc], envOf[svc]...))
		}
	}
	gw := exampletest.Start(t, binaries["gateway"], append(common, "GATEWAY_JWKS_URL="+jwks)...)

	productDB := openDB(t, dbs["product"])
	initial := stockTotals(t, productDB)
	const clients = 4
	tokens := make([]string, clients)
	for i := range tokens {
		email := fmt.Sprintf("chaos-%d@example.com", i)
		waitStatus(t, "POST", gw.HTTPURL+"/api/v1/users", "", `{"email":"`+email+`","password":"correct horse","name":"C"}`, 201)
		var tok struct{ Token string }
		post(t, gw.HTTPURL+"/api/v1/auth/login", "", `{"email":"`+email+`","password":"correct horse"}`, 200, &tok)
		tokens[i] = tok.Token
	}
	waitStatus(t, "POST", gw.HTTPURL+"/api/v1/orders", tokens[0], `{"items":[{"product_id":"p01","quantity":1}]}`, 202)

	// The load: each client browses and orders until stop, without retries
	// (a POST is not safe to repeat), counting what it was answered.
	var (
		mu       sync.Mutex
		acked    = map[string]int{} // order ID -> client
		answered = map[int]int{}    // status (0: transport error) -> count
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				pid := fmt.Sprintf("p%02d", 1+rand.IntN(12))
				if resp, err := client.Get(gw.HTTPURL + "/api/v1/products/" + pid); err == nil {
					resp.Body.Close()
				}
				req, _ := http.NewRequest("POST", gw.HTTPURL+"/api/v1/orders",
					strings.NewReader(`{"items":[{"product_id":"`+pid+`","quantity":1}]}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tokens[c])
				status, id := 0, ""
				if resp, err := client.Do(req); err == nil {
					var o struct{ ID string }
					json.NewDecoder(resp.Body).Decode(&o)
					resp.Body.Close()
					status, id = resp.StatusCode, o.ID
				}
				mu.Lock()
				answered[status]++
				if status == 202 {
					acked[id] = c
				}
				mu.Unlock()
			}
		}()
	}

	// The faults, one at a time, each SIGKILL followed by a restart.
	recovery := map[string]time.Duration{}
	restart := func(svc string, i int) {
		time.Sleep(2 * time.Second)
		procs[svc][i].Cmd.Process.Kill()
		start := time.Now()
		procs[svc][i] = exampletest.Start(t, binaries[svc], envOf[svc]...)
		recovery["kill "+svc+" replica"] = time.Since(start)
	}
	restart("order", 0)
	restart("product", 0)
	time.Sleep(2 * time.Second)
	leader := cluster.StreamLeader(t, "ORDERS")
	cluster.Kill(leader)
	start := time.Now()
	cluster.Restart(leader)
	recovery["kill ORDERS leader node"] = time.Since(start)
	restart("user", 1)
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()

	// Every acknowledged order reaches a final state.
	settleStart := time.Now()
	deadline := settleStart.Add(90 * time.Second)
	confirmed, rejected := 0, 0
	for id, c := range acked {
		for {
			var o struct{ Status string }
			req, _ := http.NewRequest("GET", gw.HTTPURL+"/api/v1/orders/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+tokens[c])
			if resp, err := client.Do(req); err == nil {
				json.NewDecoder(resp.Body).Decode(&o)
				resp.Body.Close()
			}
			if o.Status == "confirmed" || o.Status == "rejected" {
				confirmed, rejected = confirmed+btoi(o.Status == "confirmed"), rejected+btoi(o.Status == "rejected")
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("order %s still %q 90s after the load", id, o.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	settled := time.Since(settleStart)

	// None applied twice: stock + reserved is the initial stock, and the
	// reservations add up to the confirmed orders' lines (plus the first).
	after := stockTotals(t, productDB)
	reservedSum := 0
	for id, s := range after {
		if s[0]+s[1] != initial[id][0]+initial[id][1] {
			t.Errorf("%s: stock %d + reserved %d, want %d", id, s[0], s[1], initial[id][0]+initial[id][1])
		}
		reservedSum += s[1]
	}
	orderDB := openDB(t, dbs["order"])
	var confirmedLines int
	if err := orderDB.QueryRow(`SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id
		WHERE o.status = 'confirmed'`).Scan(&confirmedLines); err != nil {
		t.Fatal(err)
	}
	if reservedSum != confirmedLines {
		t.Errorf("%d units reserved for %d units of confirmed orders, want equal (each reservation once)", reservedSum, confirmedLines)
	}
	t.Logf("chaos: %d orders acknowledged: %d confirmed, %d rejected, all final %v after the load; answers by status %v (0: no answer)",
		len(acked), confirmed, rejected, settled.Round(time.Millisecond), answered)
	for what, d := range recovery {
		t.Logf("chaos: %s: serving again %v after the kill", what, d.Round(time.Millisecond))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
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
	rows, err := db.Query(`SELECT id, stock, reserved FROM products`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][2]int{}
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
