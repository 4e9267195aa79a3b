package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoad is the bounded loopback load run of the issue: N clients (default
// 50) mix browsing and ordering through the gateway for SHOP_LOAD_DURATION;
// then every accepted order must end confirmed or rejected, no stock may be
// negative, and for every product stock + reserved must equal its value
// before the run. It reports the error rate, p50/p99 latencies, orders
// confirmed per second end to end (from the first request until the last
// accepted order settled) and the load average. It is skipped unless
// SHOP_LOAD_DURATION is set:
//
//	SHOP_LOAD_DURATION=60s go test -run TestLoad -v ./examples/shop/
//
// By default every service runs once on SQLite. SHOP_LOAD_POSTGRES=1 gives
// each service a database on the PostgreSQL server of
// GANTRY_TEST_POSTGRES_DSN (.ci/pg) and SHOP_LOAD_REPLICAS=N runs N
// replicas of each (N > 1 needs PostgreSQL), as -postgres and -replicas
// do. Add -cpuprofile to see where the time goes (every service runs in
// the test's process; PostgreSQL's own CPU is not in it).
func TestLoad(t *testing.T) {
	d, _ := time.ParseDuration(os.Getenv("SHOP_LOAD_DURATION"))
	if d <= 0 {
		t.Skip("set SHOP_LOAD_DURATION (e.g. 60s) to run the load test")
	}
	clients := 50
	if n, err := strconv.Atoi(os.Getenv("SHOP_LOAD_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	replicas := 1
	if n, err := strconv.Atoi(os.Getenv("SHOP_LOAD_REPLICAS")); err == nil && n > 0 {
		replicas = n
	}
	var s *shop
	if os.Getenv("SHOP_LOAD_POSTGRES") == "1" {
		s = replicaShop(t, replicas)
	} else {
		s = testShopWith(t, options{data: t.TempDir(), replicas: replicas})
	}
	engine := "SQLite"
	if os.Getenv("SHOP_LOAD_POSTGRES") == "1" {
		engine = "PostgreSQL"
	}
	t.Logf("%s, %d replica(s) of each service; load average before: %s", engine, replicas, loadavg())
	before := stockTable(t, s)
	var ids []string
	for id := range before {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	users := make([]api, clients)
	for i := range users {
		users[i] = signup(t, s.URL(), fmt.Sprintf("load%d@example.com", i))
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients * 2}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var mu sync.Mutex
	var browse, orders []time.Duration
	var accepted []string
	codes := map[string]int{}
	began := time.Now()
	end := began.Add(d)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(u api, rng *rand.Rand) {
			defer wg.Done()
			for time.Now().Before(end) {
				var req *http.Request
				isOrder := rng.IntN(10) < 3
				switch {
				case isOrder:
					a, b := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
					body := fmt.Sprintf(`{"items":[{"product_id":%q,"quantity":%d},{"product_id":%q,"quantity":%d}]}`,
						a, 1+rng.IntN(3), b, 1+rng.IntN(3))
					req, _ = http.NewRequest("POST", u.base+"/api/v1/orders", stringsReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+u.token)
				case rng.IntN(2) == 0:
					req, _ = http.NewRequest("GET", u.base+"/api/v1/products", nil)
				default:
					req, _ = http.NewRequest("GET", u.base+"/api/v1/products/"+ids[rng.IntN(len(ids))], nil)
				}
				t0 := time.Now()
				resp, err := hc.Do(req)
				took := time.Since(t0)
				key, id := "transport error", ""
				if err == nil {
					key = strconv.Itoa(resp.StatusCode)
					if isOrder && resp.StatusCode == 202 {
						var o orderView
						if decodeJSON(resp, &o) == nil {
							id = o.ID
						}
					}
					drain(resp)
				}
				mu.Lock()
				codes[key]++
				if isOrder {
					orders = append(orders, took)
				} else {
					browse = append(browse, took)
				}
				if id != "" {
					accepted = append(accepted, id)
				}
				mu.Unlock()
			}
		}(users[i], rand.New(rand.NewPCG(uint64(i), 7)))
	}
	wg.Wait()
	t.Logf("load average after the load: %s", loadavg())

	total, bad := 0, 0
	for k, n := range codes {
		total += n
		if k != "200" && k != "202" {
			bad += n
		}
	}
	t.Logf("%d clients for %v: %d requests (%.0f/s), answers %v", clients, d, total, float64(total)/d.Seconds(), codes)
	t.Logf("error rate %.3f%% (anything but 200/202)", 100*float64(bad)/float64(max(total, 1)))
	t.Logf("browse: n=%d p50=%v p99=%v; order: n=%d p50=%v p99=%v", len(browse), pct(browse, 50), pct(browse, 99),
		len(orders), pct(orders, 50), pct(orders, 99))
	// Every accepted order must settle, confirmed or rejected: none lost,
	// none stuck. The statuses are read from the order service's database
	// (polling each through the gateway would hit the per-user rate limit).
	settled, reserved := settleAll(t, s, accepted)
	e2e := time.Since(began)
	t.Logf("end to end: %d orders confirmed in %v (the last order settled %v after the load ended): %.1f confirmed/s, %.1f settled/s",
		settled["confirmed"], e2e.Round(time.Millisecond), (e2e - d).Round(time.Millisecond),
		float64(settled["confirmed"])/e2e.Seconds(), float64(len(accepted))/e2e.Seconds())
	after := stockTable(t, s)
	for id, b := range before {
		a := after[id]
		if a.stock < 0 {
			t.Errorf("product %s: stock %d, want >= 0", id, a.stock)
		}
		if a.stock+a.reserved != b.stock+b.reserved {
			t.Errorf("product %s: stock %d + reserved %d = %d, want %d", id, a.stock, a.reserved, a.stock+a.reserved, b.stock+b.reserved)
		}
		if a.reserved-b.reserved != reserved[id] {
			t.Errorf("product %s: reserved grew by %d, confirmed orders hold %d", id, a.reserved-b.reserved, reserved[id])
		}
	}
	t.Logf("orders: %d accepted, %d confirmed, %d rejected, %d lost", len(accepted), settled["confirmed"], settled["rejected"],
		len(accepted)-settled["confirmed"]-settled["rejected"])
}

type stockRow struct{ stock, reserved int }

// stockTable reads stock and reserved of every product from the product
// service's own database.
func stockTable(t *testing.T, s *shop) map[string]stockRow {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := s.ProductServer.DB.QueryContext(ctx, `SELECT id, stock, reserved FROM products`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]stockRow{}
	for rows.Next() {
		var id string
		var r stockRow
		if err := rows.Scan(&id, &r.stock, &r.reserved); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	return out
}

// settleAll waits until none of the orders ids is pending, then returns
// how many ended in each status and the quantities per product of the
// confirmed ones.
func settleAll(t *testing.T, s *shop, ids []string) (map[string]int, map[string]int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := s.OrderServer.DB
	status := map[string]int{}
	for {
		clear(status)
		for _, id := range ids {
			var st string
			if err := db.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = $1`, id).Scan(&st); err != nil {
				t.Fatalf("accepted order %s: %v", id, err)
			}
			status[st]++
		}
		if status["pending"] == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d of %d accepted orders still pending after 2 minutes", status["pending"], len(ids))
		}
		time.Sleep(200 * time.Millisecond)
	}
	reserved := map[string]int{}
	rows, err := db.QueryContext(ctx, `SELECT i.product_id, sum(i.quantity) FROM order_items i
		JOIN orders o ON o.id = i.order_id WHERE o.status = 'confirmed' GROUP BY i.product_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var q int
		if err := rows.Scan(&id, &q); err != nil {
			t.Fatal(err)
		}
		reserved[id] = q
	}
	return status, reserved
}

// loadavg is the first three fields of /proc/loadavg ("" elsewhere).
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
