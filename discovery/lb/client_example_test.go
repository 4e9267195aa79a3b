package lb_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	kitendpoint "github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/retrybudget"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// A resilient typed client: the registry's instancer → a transport/http
// endpoint per instance, each behind its own circuit breaker → P2C → a
// retry on another instance under a budget. One of three instances answers
// every call with 503; callers never see it.
func Example_resilientClient() {
	reg := static.NewRegistry()
	defer reg.Close()
	for i, broken := range []bool{false, true, false} {
		mux := httpt.NewMux()
		mux.Handle("GET /v1/items/{id}", httpt.NewServer(func(_ context.Context, r getItem) (item, error) {
			if broken {
				return item{}, errs.Unavailable(0, "disk full")
			}
			return item{ID: r.ID}, nil
		}))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		_ = reg.Put(context.Background(), discovery.Instance{Service: "items", ID: fmt.Sprint("i", i), Address: srv.URL}, 0)
	}

	client, _ := httpt.NewClient[getItem, item]("GET", "http://items", "/v1/items/{id}")
	breakers := breaker.New(breaker.WithTrip(20, 0.5, 3))
	bal := lb.New(reg.Instancer("items"), client.Factory, lb.P2C(), lb.Options{
		PerInstance: func(addr string) endpoint.Middleware { return breakers.For(addr) },
	})
	defer bal.Close()
	get := kitendpoint.Typed[getItem, item](lb.Retry(bal, lb.RetryOptions{Idempotent: true, Budget: retrybudget.New(0.2, 10)}))

	answered := 0
	for range 50 {
		if it, err := get(context.Background(), getItem{ID: "42"}); err == nil && it.ID == "42" {
			answered++
		}
	}
	fmt.Printf("%d of 50 calls answered\n", answered)
	// Output:
	// 50 of 50 calls answered
}
