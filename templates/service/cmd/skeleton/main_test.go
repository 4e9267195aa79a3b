package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"path/filepath" //gantry:if store
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gantrykit/gantry/templates/service/internal/store/postgrestest" //gantry:if postgres
)

// env returns a getenv that serves the runtime on free loopback ports and
// keeps every file in a temporary directory, with overrides.
func env(t *testing.T, kv ...string) func(string) string {
	dir := t.TempDir()
	m := map[string]string{
		"GANTRY_HTTP_ADDR":   "127.0.0.1:0",
		"GANTRY_ADMIN_ADDR":  "127.0.0.1:0",
		"GANTRY_GRPC_ADDR":   "127.0.0.1:0",
		"GANTRY_NATS_PORT":   "0",
		"GANTRY_DATA_DIR":    dir,
		"GANTRY_DRAIN_DELAY": "0s",
		"SKELETON_STORE_DSN": "file:" + filepath.Join(dir, "skeleton.db"), //gantry:if store
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// TestServes starts everything the service wires (listeners, store, NATS
// and consumers when present), checks health and one route, and shuts it
// down cleanly when the context ends.
func TestServes(t *testing.T) {
	var kv []string
	//gantry:if postgres
	if defaultConfig().Store.Driver == "postgres" {
		kv = append(kv, "SKELETON_STORE_DSN", postgrestest.DSN(t)) // its own database
	}
	//gantry:end
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := newApp(ctx, nil, env(t, kv...))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	select {
	case <-app.Started():
	case err := <-done:
		t.Fatalf("Run ended before serving: %v", err)
	}

	admin := "http://" + app.AdminAddr()
	for _, url := range []string{admin + "/healthz", admin + "/debug/pprof/", "http://" + app.HTTPAddr() + "/v1/items"} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: got %d, want 200", url, resp.StatusCode)
		}
	}
	resp, err := http.Post("http://"+app.HTTPAddr()+"/v1/items", "application/json", strings.NewReader(`{"name":"lamp"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("POST /v1/items: got %d, want 201", resp.StatusCode)
	}
	// Requests refused before the endpoint (a field of the wrong type, a
	// failed validation) pass through the chain: /metrics counts them.
	for _, body := range []string{`{"name":1}`, `{}`} {
		resp, err := http.Post("http://"+app.HTTPAddr()+"/v1/items", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("POST /v1/items %s: got %d, want 400", body, resp.StatusCode)
		}
	}
	if n := refused(t, "http://"+app.AdminAddr()+"/metrics"); n != 2 {
		t.Errorf(`rpc_server_call_duration_seconds_count{method="create_item",code="invalid_argument"} = %v, want 2`, n)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: got %v, want a clean shutdown", err)
	}
}

// refused scrapes url (Prometheus text, read with Prometheus's parser)
// for the count of create_item calls answered invalid_argument.
func refused(t *testing.T, url string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	for _, m := range fams["rpc_server_call_duration_seconds"].GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if l["method"] == "create_item" && l["code"] == "invalid_argument" {
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

func TestRunRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
		want   string
	}{
		{"bad env value", nil, env(t, "GANTRY_DRAIN_DELAY", "5x"), "GANTRY_DRAIN_DELAY"},
		{"unknown flag", []string{"-no-such-flag"}, env(t), "no-such-flag"},
		{"list limit out of range", []string{"-list-limit", "0"}, env(t), "list_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, tt.getenv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	err := run(context.Background(), []string{"-h"}, env(t))
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(err.Error(), "GANTRY_HTTP_ADDR") {
		t.Errorf("got %v, want the usage, matching flag.ErrHelp", err)
	}
}
