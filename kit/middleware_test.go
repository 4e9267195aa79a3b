package kit_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/kit"
)

func TestMiddlewareDefaultChain(t *testing.T) {
	env := map[string]string{
		"GANTRY_MIDDLEWARE_RATE_LIMIT_PER_SECOND": "1",
		"GANTRY_MIDDLEWARE_RATE_LIMIT_BURST":      "1",
	}
	app := kit.New("orders", kit.WithArgs(nil), kit.WithGetenv(func(k string) string { return env[k] }))
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	calls := 0
	f := endpoint.Wrap(func(_ context.Context, n int) (int, error) {
		calls++
		if n < 0 {
			panic("negative")
		}
		return n * 2, nil
	}, app.Middleware("double")...)

	if got, err := f(context.Background(), 21); err != nil || got != 42 {
		t.Fatalf("first call = %d, %v; want 42, nil", got, err)
	}
	// The configured rate limit (1/s, burst 1) rejects the next call at once.
	_, err := f(context.Background(), 1)
	if !errors.Is(err, errs.KindTooManyRequests) || errs.RetryAfterOf(err) <= 0 {
		t.Fatalf("second call err = %v, want TooManyRequests with Retry-After", err)
	}
	if calls != 1 {
		t.Errorf("service called %d times, want 1", calls)
	}

	// Metrics land in the App's own registry, labelled with the operation.
	mfs, err := app.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	found := false
	for _, mf := range mfs {
		names = append(names, mf.GetName())
		if mf.GetName() != "rpc_server_call_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "method" && l.GetValue() == "double" {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("no rpc_server_call_duration_seconds{method=double} in %s", strings.Join(names, ", "))
	}
}

func TestMiddlewareRecoversPanics(t *testing.T) {
	app := kit.New("orders", kit.WithArgs(nil), kit.WithGetenv(func(string) string { return "" }))
	f := endpoint.Wrap(func(context.Context, int) (int, error) { panic("boom") }, app.Middleware("explode")...)
	_, err := f(context.Background(), 1)
	if errs.KindOf(err) != errs.KindInternal {
		t.Fatalf("err = %v, want an Internal error", err)
	}
	if p := errs.ToProblem(err); strings.Contains(p.Detail, "boom") {
		t.Errorf("panic text leaked to the client: %q", p.Detail)
	}
}

func TestMiddlewareConfigSwitches(t *testing.T) {
	env := map[string]string{"GANTRY_MIDDLEWARE_RECOVERY_DISABLED": "true"}
	app := kit.New("orders", kit.WithArgs(nil), kit.WithGetenv(func(k string) string { return env[k] }))
	f := endpoint.Wrap(func(context.Context, int) (int, error) { panic("boom") }, app.Middleware("explode")...)
	defer func() {
		if recover() == nil {
			t.Error("with recovery disabled the panic should reach the caller")
		}
	}()
	_, _ = f(context.Background(), 1)
}

func TestClientMiddleware(t *testing.T) {
	app := kit.New("orders", kit.WithArgs(nil), kit.WithGetenv(func(string) string { return "" }))
	if mws := app.ClientMiddleware("products.get"); len(mws) == 0 {
		t.Fatal("empty client chain")
	}
	f := endpoint.Wrap(func(context.Context, int) (int, error) { return 0, errs.NotFound("no") }, app.ClientMiddleware("products.get")...)
	if _, err := f(context.Background(), 1); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("err = %v, want NotFound passed through", err)
	}
}

// TestMiddlewareLogsEachKeyOnce: a call's log record carries service and
// trace_id once each (the App's logger adds them; the chain must not).
func TestMiddlewareLogsEachKeyOnce(t *testing.T) {
	var buf bytes.Buffer
	env := map[string]string{"GANTRY_MIDDLEWARE_TRACING_ROOT_SAMPLE_RATIO": "1"}
	app := kit.New("orders", kit.WithArgs(nil), kit.WithGetenv(func(k string) string { return env[k] }), kit.WithLogOutput(&buf))
	f := endpoint.Wrap(func(context.Context, int) (int, error) { return 0, errs.Unavailable(0, "down") }, app.Middleware("op")...)
	_, _ = f(context.Background(), 1)
	line := buf.String()
	for _, key := range []string{`"service":`, `"trace_id":`, `"op":`} {
		if n := strings.Count(line, key); n != 1 {
			t.Errorf("%s appears %d times in %s, want once", key, n, line)
		}
	}
}

// TestMiddlewareBadValuesFailStart: a value the chains cannot use stops the
// App before anything starts, with the key named, rather than being read
// as "off".
func TestMiddlewareBadValuesFailStart(t *testing.T) {
	for key, val := range map[string]string{
		"GANTRY_MIDDLEWARE_RATE_LIMIT_PER_SECOND": "-1",
		"GANTRY_CLIENT_BREAKER_FAILURE_RATIO":     "1.5",
	} {
		app := kit.New("orders", kit.WithArgs(nil), kit.WithGetenv(func(k string) string {
			if k == key {
				return val
			}
			return ""
		}))
		want := strings.ToLower(strings.TrimPrefix(key, "GANTRY_"))
		want = strings.Replace(strings.Replace(want, "middleware_", "middleware.", 1), "client_", "client.", 1)
		want = strings.Replace(strings.Replace(want, "rate_limit_", "rate_limit.", 1), "breaker_", "breaker.", 1)
		if err := app.Err(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: Err = %v, want an error naming %s", key, val, err, want)
		}
		if err := app.Run(context.Background()); err == nil {
			t.Errorf("%s=%s: Run started", key, val)
		}
	}
}
