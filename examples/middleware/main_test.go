package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/exampletest"
)

var binary string

func TestMain(m *testing.M) { exampletest.Main(m, &binary, main) }

// TestBreakerOpens: a station that always fails trips the client breaker in
// front of it after five failures; then forecasts are refused fast with
// Retry-After, while greet keeps answering.
func TestBreakerOpens(t *testing.T) {
	p := exampletest.Start(t, binary, "GREETER_FAILURE_RATE=1")
	for i := range 5 {
		resp, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/forecast/Oslo", "", nil)
		if resp.StatusCode != 503 || !bytes.Contains(b, []byte("weather station")) {
			t.Fatalf("call %d = %d %s, want 503 from the station", i, resp.StatusCode, b)
		}
	}
	resp, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/forecast/Oslo", "", nil)
	if resp.StatusCode != 503 || !bytes.Contains(b, []byte("circuit breaker open")) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures = %d %s (Retry-After %q), want 503 breaker open with Retry-After",
			resp.StatusCode, b, resp.Header.Get("Retry-After"))
	}
	if resp, _ := exampletest.Do(t, "GET", p.HTTPURL+"/v1/hello/Ada", "", nil); resp.StatusCode != 200 {
		t.Errorf("greet = %d while the station's breaker is open, want 200", resp.StatusCode)
	}
	_, metrics := exampletest.Do(t, "GET", p.AdminURL+"/metrics", "", nil)
	if !bytes.Contains(metrics, []byte(`breaker_state{method="station.forecast",service="greeter",state="open"} 1`)) {
		t.Errorf("/metrics does not show the station's breaker open:\n%s", grep(metrics, "breaker"))
	}
	exampletest.Promtool(t, metrics)
}

// TestRateLimit: a limit of 2 per second with a burst of 2 lets two calls
// through and answers the third with 429 and Retry-After.
func TestRateLimit(t *testing.T) {
	p := exampletest.Start(t, binary, "GANTRY_MIDDLEWARE_RATE_LIMIT_PER_SECOND=2", "GANTRY_MIDDLEWARE_RATE_LIMIT_BURST=2")
	var codes []int
	var last []byte
	var retryAfter string
	for range 3 {
		resp, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/hello/Ada", "", nil)
		codes = append(codes, resp.StatusCode)
		last, retryAfter = b, resp.Header.Get("Retry-After")
	}
	if fmt.Sprint(codes) != "[200 200 429]" || retryAfter == "" {
		t.Fatalf("codes = %v (last %s, Retry-After %q), want [200 200 429] with Retry-After", codes, last, retryAfter)
	}
}

// TestMetricsAndLogs: every call is counted by operation and outcome, and
// with tracing and debug logs on, each call's log line carries its trace id.
func TestMetricsAndLogs(t *testing.T) {
	p := exampletest.Start(t, binary, "GANTRY_LOG_LEVEL=debug", "GANTRY_MIDDLEWARE_TRACING_ROOT_SAMPLE_RATIO=1")
	exampletest.Do(t, "GET", p.HTTPURL+"/v1/hello/Ada", "", nil)
	exampletest.Do(t, "GET", p.HTTPURL+"/v1/forecast/"+strings.Repeat("x", 65), "", nil) // invalid: 400

	_, metrics := exampletest.Do(t, "GET", p.AdminURL+"/metrics", "", nil)
	for _, want := range []string{
		`rpc_server_call_duration_seconds_count{code="ok",method="greet",service="greeter"} 1`,
	} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s:\n%s", want, grep(metrics, "rpc_server_call_duration_seconds_count"))
		}
	}
	found := false
	for _, line := range strings.Split(p.Logs(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["op"] != "greet" {
			continue
		}
		found = true
		if id, _ := rec["trace_id"].(string); len(id) != 32 {
			t.Errorf("log line without a trace id: %s", line)
		}
	}
	if !found {
		t.Errorf("no log line for the greet call in:\n%s", p.Logs())
	}
}

func grep(b []byte, s string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
