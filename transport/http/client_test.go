package http_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// orderService is a real server for the client tests.
func orderService(t *testing.T) *httptest.Server {
	t.Helper()
	m := httpt.NewMux()
	m.Handle("POST /users/{user}/orders", httpt.NewServer(createEndpoint, httpt.WithStatus(http.StatusCreated)))
	m.Handle("GET /orders/{id}", httpt.NewServer(func(_ context.Context, r getReq) (order, error) {
		switch r.ID {
		case "missing":
			return order{}, errs.NotFound("order %s not found", r.ID)
		case "busy":
			return order{}, errs.Unavailable(3*time.Second, "try later")
		case "secret":
			return order{}, errors.New("password=hunter2")
		}
		return order{User: r.ID}, nil
	}))
	m.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	})
	m.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		// The caller's deadline arrives in Gantry-Timeout: answer as a
		// handler that ran out of time does, should this come first.
		<-r.Context().Done()
		httpt.WriteProblem(w, r, errs.DeadlineExceeded("ran out of time"), 0)
	})
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return srv
}

func TestClientRoundTrip(t *testing.T) {
	srv := orderService(t)
	hc := srv.Client()
	c, err := httpt.NewClient[createOrder, order]("POST", srv.URL, "/users/{user}/orders", httpt.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	got, err := c.Func()(context.Background(), createOrder{
		User: "a b/c", DryRun: true, Tags: []string{"x", "y&z"}, Wait: 2 * time.Second, Since: &since, Limit: 9,
		SKU: "B-2", Quantity: 4, Lines: []line{{Note: "n"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := order{User: "a b/c", SKU: "B-2", Quantity: 4, DryRun: true, Tags: []string{"x", "y&z"}, Wait: "2s", Since: since, Limit: 9}
	if got.User != want.User || got.SKU != want.SKU || got.Quantity != 4 || !got.DryRun ||
		strings.Join(got.Tags, "|") != "x|y&z" || got.Wait != "2s" || !got.Since.Equal(since) || got.Limit != 9 {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// Validation failures come back as the same kind, naming the field.
	_, err = c.Func()(context.Background(), createOrder{User: "u", SKU: "A-1"})
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalidArgument || len(e.Fields) != 1 || e.Fields[0].Field != "quantity" {
		t.Errorf("err = %#v, want invalid_argument naming quantity", err)
	}
}

func TestClientErrors(t *testing.T) {
	srv := orderService(t)
	get, err := httpt.NewClient[getReq, order]("GET", srv.URL, "/orders/{id}", httpt.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := httpt.NewClient[struct{}, order]("GET", srv.URL+"/", "/plain", httpt.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	slow, err := httpt.NewClient[struct{}, order]("GET", srv.URL, "/slow", httpt.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		call  func(context.Context) error
		kind  errs.Kind
		msg   string
		retry time.Duration
	}{
		{"not found", func(ctx context.Context) error { _, err := get.Func()(ctx, getReq{ID: "missing"}); return err },
			errs.KindNotFound, "order missing not found", 0},
		{"unavailable", func(ctx context.Context) error { _, err := get.Func()(ctx, getReq{ID: "busy"}); return err },
			errs.KindUnavailable, "try later", 3 * time.Second},
		{"internal stays hidden", func(ctx context.Context) error { _, err := get.Func()(ctx, getReq{ID: "secret"}); return err },
			errs.KindInternal, "Internal error", 0},
		{"not a problem", func(ctx context.Context) error { _, err := plain.Func()(ctx, struct{}{}); return err },
			errs.KindUnavailable, "GET answered 503 Service Unavailable", 7 * time.Second},
		{"deadline", func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			defer cancel()
			_, err := slow.Func()(ctx, struct{}{})
			return err
		}, errs.KindDeadlineExceeded, "", 0},
		{"empty path value", func(ctx context.Context) error { _, err := get.Func()(ctx, getReq{}); return err },
			errs.KindInvalidArgument, "id: is required in the path", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(context.Background())
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("kind = %v (%v), want %v", got, err, tt.kind)
			}
			var e *errs.Error
			if tt.msg != "" && (!errors.As(err, &e) || e.Message != tt.msg) {
				t.Errorf("err = %v, want message %q", err, tt.msg)
			}
			if got := errs.RetryAfterOf(err); got != tt.retry {
				t.Errorf("RetryAfter = %v, want %v", got, tt.retry)
			}
		})
	}
	if strings.Contains(func() string { _, err := get.Func()(context.Background(), getReq{ID: "secret"}); return err.Error() }(), "hunter2") {
		t.Error("the server's internal error text reached the client")
	}
}

func TestClientUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := httpt.NewClient[getReq, order]("GET", "", "/orders/{id}")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Func()(context.Background(), getReq{ID: "1"}); errs.KindOf(err) != errs.KindInternal {
		t.Errorf("a client without base URL: err = %v, want an internal error", err)
	}
	e, closer, err := c.Factory(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	_, err = e(context.Background(), getReq{ID: "1"})
	if errs.KindOf(err) != errs.KindUnavailable || strings.Contains(errs.ToProblem(err).Detail, "127.0.0.1") {
		t.Errorf("err = %v (problem %+v), want unavailable without the address", err, errs.ToProblem(err))
	}
	_, err = e(context.Background(), "not a getReq")
	var te *endpoint.TypeError
	if !errors.As(err, &te) {
		t.Errorf("wrong request type: err = %v, want *endpoint.TypeError", err)
	}
}

func TestClientFactoryAndEndpointFor(t *testing.T) {
	srv := orderService(t)
	u, _ := url.Parse(srv.URL)
	c, err := httpt.NewClient[getReq, order]("GET", "", "/orders/{id}", httpt.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]func() (any, error){
		"Factory": func() (any, error) {
			ep, _, err := c.Factory(u.Host)
			if err != nil {
				return nil, err
			}
			return ep(context.Background(), getReq{ID: "ada"})
		},
		"EndpointFor": func() (any, error) { return c.EndpointFor(u)(context.Background(), getReq{ID: "ada"}) },
	} {
		got, err := e()
		if o, ok := got.(order); err != nil || !ok || o.User != "ada" {
			t.Errorf("%s: got %v, %v; want order for ada", name, got, err)
		}
	}
}

func TestNewClientRejects(t *testing.T) {
	tests := []struct{ name, base, pattern, want string }{
		{"relative base", "orders:8080", "/orders/{id}", "not an absolute URL"},
		{"missing wildcard", "http://x", "/orders", "lacks {id}"},
		{"unknown wildcard", "http://x", "/orders/{id}/{other}", "no path field for {other}"},
		{"method in pattern", "http://x", "GET /orders/{id}", "give the method separately"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := httpt.NewClient[getReq, order]("GET", tt.base, tt.pattern)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestClientBasePathAndHooks checks that a base URL's path prefixes the
// pattern and its query is kept, and that go-kit hooks run in order.
func TestClientBasePathAndHooks(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, "server "+r.URL.EscapedPath()+"?"+r.URL.RawQuery+" "+r.Header.Get("X-Trace"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":"1"}]`))
	}))
	defer srv.Close()
	c, err := httpt.NewClient[listReq, []order]("GET", srv.URL+"/api?key=k", "/orders",
		httpt.WithHTTPClient(srv.Client()),
		httpt.ClientBefore(func(ctx context.Context, r *http.Request) context.Context {
			seen = append(seen, "before")
			r.Header.Set("X-Trace", "t1")
			return ctx
		}),
		httpt.ClientAfter(func(ctx context.Context, r *http.Response) context.Context {
			seen = append(seen, "after")
			return ctx
		}),
		httpt.ClientFinalizer(func(ctx context.Context, err error) { seen = append(seen, "finalizer") }))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Func()(context.Background(), listReq{Limit: 5, Sort: "asc", IDs: []string{"a", "b"}})
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v; want one order", got, err)
	}
	want := "before|server /api/orders?id=a&id=b&key=k&limit=5&sort=asc t1|after|finalizer"
	if s := strings.Join(seen, "|"); s != want {
		t.Errorf("calls = %s, want %s", s, want)
	}
}
