package client_test

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.uber.org/goleak"

	"github.com/gantrykit/gantry/client"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/breaker"
	httpt "github.com/gantrykit/gantry/transport/http"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type getItem struct {
	ID string `path:"id"`
}

type putItem struct {
	Name string `json:"name"`
}

type item struct {
	ID     string `json:"id"`
	Server int    `json:"server"`
}

// backend is one real HTTP instance on loopback that counts its calls and
// fails them with Unavailable while failing is set.
type backend struct {
	srv     *httptest.Server
	calls   atomic.Int64
	failing atomic.Bool
}

func startBackends(t testing.TB, n int) []*backend {
	t.Helper()
	bs := make([]*backend, n)
	for i := range bs {
		b := &backend{}
		answer := func() (item, error) {
			b.calls.Add(1)
			if b.failing.Load() {
				return item{}, errs.Unavailable(0, "instance %d is failing", i)
			}
			return item{ID: "42", Server: i}, nil
		}
		mux := httpt.NewMux()
		mux.Handle("GET /v1/items/{id}", httpt.NewServer(func(_ context.Context, r getItem) (item, error) { return answer() }))
		mux.Handle("POST /v1/items", httpt.NewServer(func(_ context.Context, r putItem) (item, error) { return answer() }))
		b.srv = httptest.NewServer(mux)
		t.Cleanup(b.srv.Close)
		bs[i] = b
	}
	return bs
}

func addrs(bs []*backend) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.srv.URL
	}
	return out
}

// refusedAddr is a loopback address nothing listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func calls(bs []*backend) []int64 {
	out := make([]int64, len(bs))
	for i, b := range bs {
		out[i] = b.calls.Load()
	}
	return out
}

func TestRoundRobinSpreadsCalls(t *testing.T) {
	bs := startBackends(t, 3)
	c, err := client.HTTP[getItem, item](static.Fixed("items", addrs(bs)...), "GET", "/v1/items/{id}", client.WithBalancer(lb.RoundRobin()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seen := map[int]int{}
	for range 30 {
		it, err := c.Call(context.Background(), getItem{ID: "42"})
		if err != nil || it.ID != "42" {
			t.Fatalf("got %+v, %v; want item 42", it, err)
		}
		seen[it.Server]++
	}
	for i := range bs {
		if seen[i] != 10 {
			t.Errorf("instance %d answered %d calls, want 10 of 30 (answers by instance: %v)", i, seen[i], seen)
		}
	}
}

// TestKillOneUnderLoad: the default client (P2C, breakers, idempotent GET
// retried under the budget) over three instances; one dies mid-load
// without leaving the instancer. No call may fail, and the retries stay
// inside the budget.
func TestKillOneUnderLoad(t *testing.T) {
	bs := startBackends(t, 3)
	var attempts atomic.Int64
	count := func(string) kitendpoint.Middleware {
		return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
			return func(ctx context.Context, req any) (any, error) {
				attempts.Add(1)
				return next(ctx, req)
			}
		}
	}
	c, err := client.HTTP[getItem, item](static.Fixed("items", addrs(bs)...), "GET", "/v1/items/{id}",
		client.WithBalancerOptions(lb.Options{PerInstance: count}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	get := c.Func()

	const workers, total, killAt = 4, 1200, 300
	var next, failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for n := next.Add(1); n <= total; n = next.Add(1) {
				if n == killAt {
					bs[2].srv.CloseClientConnections()
					bs[2].srv.Close()
				}
				it, err := get(context.Background(), getItem{ID: "42"})
				if err != nil || it.ID != "42" {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("got %d failed calls (first: %v), want 0", n, firstErr.Load())
	}
	retries, budget := attempts.Load()-total, int64(total/5+100)
	t.Logf("%d calls, %d retries (budget %d), by instance %v", total, retries, budget, calls(bs))
	if retries > budget {
		t.Errorf("got %d retries, want ≤ %d (20%% of %d calls + 10/s × 10 s)", retries, budget, total)
	}
	got := calls(bs)
	if served := got[0] + got[1] + got[2]; served < total {
		t.Errorf("instances served %d calls, want ≥ %d", served, total)
	}
	if got[0] == 0 || got[1] == 0 {
		t.Errorf("calls by instance %v: want both survivors used", got)
	}
}

func TestPostRetriedOnlyWhenNeverSent(t *testing.T) {
	t.Run("failing instance: not retried", func(t *testing.T) {
		bs := startBackends(t, 2)
		bs[0].failing.Store(true)
		c, err := client.HTTP[putItem, item](static.Fixed("items", addrs(bs)...), "POST", "/v1/items",
			client.WithBalancer(lb.RoundRobin()), client.WithBreaker(nil))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		failed := 0
		for range 20 {
			if _, err := c.Call(context.Background(), putItem{Name: "x"}); err != nil {
				if !errors.Is(err, errs.KindUnavailable) {
					t.Fatalf("got %v, want the instance's Unavailable", err)
				}
				failed++
			}
		}
		if got := calls(bs); failed != 10 || got[0] != 10 || got[1] != 10 {
			t.Errorf("got %d failed POSTs and calls %v, want 10 failed and [10 10] (no retry)", failed, got)
		}
	})
	t.Run("failing instance, marked idempotent: retried", func(t *testing.T) {
		bs := startBackends(t, 2)
		bs[0].failing.Store(true)
		c, err := client.HTTP[putItem, item](static.Fixed("items", addrs(bs)...), "POST", "/v1/items",
			client.WithBalancer(lb.RoundRobin()), client.WithBreaker(nil), client.WithIdempotent(true))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for range 20 {
			if _, err := c.Call(context.Background(), putItem{Name: "x"}); err != nil {
				t.Fatalf("got %v, want every idempotent POST answered", err)
			}
		}
	})
	t.Run("connection refused: retried", func(t *testing.T) {
		bs := startBackends(t, 1)
		c, err := client.HTTP[putItem, item](static.Fixed("items", refusedAddr(t), bs[0].srv.URL), "POST", "/v1/items",
			client.WithBalancer(lb.RoundRobin()))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for range 20 {
			if _, err := c.Call(context.Background(), putItem{Name: "x"}); err != nil {
				t.Fatalf("got %v, want every POST answered by the live instance", err)
			}
		}
		if got := bs[0].calls.Load(); got != 20 {
			t.Errorf("live instance got %d POSTs, want 20 (each exactly once)", got)
		}
	})
}

// TestBreakerPerInstance: one of three instances fails every call. Its
// breaker (3 failures in a row) opens and keeps it from further calls,
// while the other instances' breakers stay closed; a POST rejected by the
// open breaker never left, so it is retried elsewhere.
func TestBreakerPerInstance(t *testing.T) {
	for _, tt := range []struct {
		name         string
		brk          *breaker.Breaker
		wantFailCall int64
	}{
		{"breaker", breaker.New(breaker.WithTrip(1000, 1, 3), breaker.WithOpenTimeout(time.Hour)), 3},
		{"no breaker", nil, 29}, // round robin: calls go 0, then 1 retried on 2: about half of them try 1
	} {
		t.Run(tt.name, func(t *testing.T) {
			bs := startBackends(t, 3)
			bs[1].failing.Store(true)
			ins := static.Fixed("items", addrs(bs)...)
			get, err := client.HTTP[getItem, item](ins, "GET", "/v1/items/{id}", client.WithBalancer(lb.RoundRobin()), client.WithBreaker(tt.brk))
			if err != nil {
				t.Fatal(err)
			}
			defer get.Close()
			for range 60 {
				if _, err := get.Call(context.Background(), getItem{ID: "42"}); err != nil {
					t.Fatalf("got %v, want every idempotent GET answered", err)
				}
			}
			if got := bs[1].calls.Load(); tt.brk != nil && got != tt.wantFailCall || tt.brk == nil && got < tt.wantFailCall {
				t.Errorf("failing instance got %d calls, want %d (at least, without a breaker)", got, tt.wantFailCall)
			}
			if tt.brk == nil {
				return
			}
			post, err := client.HTTP[putItem, item](ins, "POST", "/v1/items", client.WithBalancer(lb.RoundRobin()), client.WithBreaker(tt.brk))
			if err != nil {
				t.Fatal(err)
			}
			defer post.Close()
			for range 30 {
				if _, err := post.Call(context.Background(), putItem{Name: "x"}); err != nil {
					t.Fatalf("got %v, want POSTs rejected by the open breaker retried elsewhere", err)
				}
			}
			if got := bs[1].calls.Load(); got != 3 {
				t.Errorf("failing instance got %d calls after the POSTs, want still 3", got)
			}
		})
	}
}

func TestBadPattern(t *testing.T) {
	_, err := client.HTTP[getItem, item](static.Fixed("items"), "GET", "/v1/items/{name}")
	if err == nil {
		t.Fatal("got no error for a wildcard Req has no field for, want one")
	}
}
