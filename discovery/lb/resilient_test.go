package lb_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	kitendpoint "github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/retrybudget"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type getItem struct {
	ID string `path:"id"`
}

type item struct {
	ID     string `json:"id"`
	Server string `json:"server"`
}

// TestKillOneUnderLoad: three real HTTP instances on loopback behind a
// typed transport/http client, P2C and idempotent retries under a budget.
// One instance dies mid-load without deregistering (its connections are
// cut and its port closed). Every call must still succeed, and the
// retries must stay inside the budget.
func TestKillOneUnderLoad(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	servers := map[string]*httptest.Server{}
	for _, id := range []string{"a", "b", "c"} {
		mux := httpt.NewMux()
		mux.Handle("GET /v1/items/{id}", httpt.NewServer(func(_ context.Context, r getItem) (item, error) {
			return item{ID: r.ID, Server: id}, nil
		}))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		servers[id] = srv
		if err := reg.Put(context.Background(), discovery.Instance{Service: "items", ID: id, Address: srv.URL}, 0); err != nil {
			t.Fatal(err)
		}
	}

	client, err := httpt.NewClient[getItem, item]("GET", servers["a"].URL, "/v1/items/{id}")
	if err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int64
	countAttempts := func(string) endpoint.Middleware {
		return func(next endpoint.Endpoint) endpoint.Endpoint {
			return func(ctx context.Context, req any) (any, error) {
				attempts.Add(1)
				return next(ctx, req)
			}
		}
	}
	bal := lb.New(reg.Instancer("items"), client.Factory, lb.P2C(), lb.Options{PerInstance: countAttempts})
	defer bal.Close()
	budget := retrybudget.New(0.2, 10)
	get := kitendpoint.Typed[getItem, item](lb.Retry(bal, lb.RetryOptions{Idempotent: true, Budget: budget}))

	const workers, calls, killAt = 4, 2000, 500
	var (
		next, failures atomic.Int64
		killOnce       sync.Once
		wg             sync.WaitGroup
		firstErr       atomic.Value
	)
	for range workers {
		wg.Go(func() {
			for n := next.Add(1); n <= calls; n = next.Add(1) {
				if n == killAt {
					killOnce.Do(func() {
						servers["c"].CloseClientConnections()
						servers["c"].Close()
					})
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				it, err := get(ctx, getItem{ID: "42"})
				cancel()
				if err != nil || it.ID != "42" {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	retries := attempts.Load() - calls
	t.Logf("%d calls, %d attempts, %d retries (budget allows %d), %d failures", calls, attempts.Load(), retries, calls/5+100, failures.Load())
	if failures.Load() != 0 {
		t.Fatalf("client-visible failures: got %d (first: %v), want 0", failures.Load(), firstErr.Load())
	}
	if retries > calls/5+100 {
		t.Fatalf("retries: got %d, want ≤ 20%% of %d calls + 10/s × 10s = %d", retries, calls, calls/5+100)
	}
}
