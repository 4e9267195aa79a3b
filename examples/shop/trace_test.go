package main

import (
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/examples/shop/internal/shoptest"
	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/internal/otlptest"
	"github.com/gantrykit/gantry/kit"
)

// TestOrderTrace runs the shop in this process, every service exporting
// its spans over OTLP/HTTP to a receiver on loopback and writing JSON logs,
// places one order through the gateway and checks that the order is one
// trace from the gateway to the order service's consumer of the product
// service's answer, and that every log line of the order, in every
// service, carries its trace_id and request_id (issue 16's item 7); and
// that the run, stop included, logs no warning.
// go test -v prints the span tree.
func TestOrderTrace(t *testing.T) {
	t.Parallel()
	rcv := otlptest.New(t)
	logs := map[string]*logcheck.Buffer{}
	for _, name := range []string{"user", "product", "order", "gateway"} {
		logs[name] = &logcheck.Buffer{}
	}
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL, "OTEL_BSP_SCHEDULE_DELAY": "50",
		"GANTRY_LOG_FORMAT": "json", "GANTRY_LOG_LEVEL": "debug", // debug: the per-call and per-event lines
		// A busy machine may make a call slow (a WARN); the no-warning check
		// below is about failures and the stop, not speed.
		"GANTRY_MIDDLEWARE_LOGGING_SLOW": "-1s", "GANTRY_CLIENT_LOGGING_SLOW": "-1s",
	}
	s := testShopWith(t, options{data: t.TempDir(),
		getenv: func(k string) string { return env[k] },
		appOptions: func(service string) []kit.Option {
			opts := []kit.Option{kit.WithLogOutput(logs[service])}
			if service == "gateway" {
				// The edge starts a trace for every request; the services
				// keep kit's default, parent-based, and follow it.
				opts = append(opts, kit.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
			}
			return opts
		}})
	ada := signup(t, s.URL(), "ada@example.com")

	req, _ := http.NewRequest("POST", s.URL()+"/api/v1/orders", strings.NewReader(`{"items":[{"product_id":"p01","quantity":1}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+ada.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var placed orderView
	err = decodeJSON(resp, &placed)
	drain(resp)
	if resp.StatusCode != 202 || err != nil {
		t.Fatalf("POST /api/v1/orders = %d (%v), want 202", resp.StatusCode, err)
	}
	if o := settle(t, ada, placed.ID); o.Status != "confirmed" {
		t.Fatalf("order ended %q (%s), want confirmed", o.Status, o.Reason)
	}

	traceID := shoptest.OrderTrace(t, rcv)
	text := map[string]string{}
	for name, b := range logs {
		text[name] = b.String()
	}
	shoptest.OrderLogs(t, text, traceID, resp.Header.Get("X-Request-Id"), map[string][]string{
		"gateway": {"request"}, "order": {"call", "event"}, "product": {"call", "event"},
	})

	// Nothing in this run went wrong, and a clean stop is no warning: no
	// service logged a line at WARN or above.
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for name, b := range logs {
		for _, line := range strings.Split(b.String(), "\n") {
			if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("%s logged %s", name, line)
			}
		}
	}
}
