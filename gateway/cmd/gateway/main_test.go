package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func get(url string) (int, string, error) {
	res, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}

// TestRun starts the command on loopback, proxies through it, reads its
// metrics on the admin listener, reloads the file and shuts it down.
func TestRun(t *testing.T) {
	up := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, name+" "+r.URL.Path)
		}))
		t.Cleanup(s.Close)
		return s
	}
	a, b := up("a"), up("b")
	httpAddr, adminAddr := freeAddr(t), freeAddr(t)
	path := filepath.Join(t.TempDir(), "routes.yaml")
	write := func(url string) {
		body := "server: {listen: \"" + httpAddr + "\"}\nservices: {s: {urls: [\"" + url + "\"]}}\nroutes: [{name: s, prefix: /api, service: s, strip_prefix: true}]\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(a.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", path, "-watch=20ms", "-admin-addr", adminAddr, "-drain-delay=0", "-log-level=warn"}, func(string) string { return "" })
	}()
	waitFor(t, "a /x", func() (string, error) { _, body, err := get("http://" + httpAddr + "/api/x"); return body, err })
	write(b.URL)
	waitFor(t, "b /x", func() (string, error) { _, body, err := get("http://" + httpAddr + "/api/x"); return body, err })
	code, metrics, err := get("http://" + adminAddr + "/metrics")
	if err != nil || code != 200 || !strings.Contains(metrics, `gateway_requests_total{code="200",route="s"}`) {
		t.Errorf("admin /metrics = %d %v, want gateway_requests_total for route s", code, err)
	}
	if code, body, _ := get("http://" + httpAddr + "/nope"); code != 404 || !strings.Contains(body, "no route") {
		t.Errorf("unrouted = %d %s, want 404 problem", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v, want nil after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func waitFor(t *testing.T, want string, f func() (string, error)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got string
	var err error
	for time.Now().Before(deadline) {
		if got, err = f(); err == nil && got == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("got %q (%v), want %q", got, err, want)
}

func TestRunErrors(t *testing.T) {
	env := func(string) string { return "" }
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("routes:\n  - name: x\n    prefix: /x\n"), 0o600)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "-config"},
		{[]string{"-config"}, "needs a value"},
		{[]string{"-config", bad}, "line 2: routes[0].service"},
		{[]string{"-config=" + bad, "-watch", "x"}, "-watch"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// The example route table in this directory stays valid.
func TestExampleRoutes(t *testing.T) {
	cfg, err := gateway.LoadConfig("routes.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "GATEWAY_JWT_SECRET" {
			return "example-secret"
		}
		return ""
	}
	gw, err := gateway.New(cfg, gateway.WithGetenv(env))
	if err != nil {
		t.Fatalf("New(routes.example.yaml) = %v", err)
	}
	gw.Close()
}

// TestRunDiscoversOverNATS routes to a service that is not in the file but
// registered in the NATS key-value registry, as kit services register.
func TestRunDiscoversOverNATS(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg, err := natskv.New(ctx, js, natskv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "orders "+r.URL.Path)
	}))
	defer up.Close()
	inst := discovery.Instance{Service: "orders", ID: "pod-1", Address: up.URL}
	if err := reg.Put(ctx, inst, time.Minute); err != nil {
		t.Fatal(err)
	}

	httpAddr := freeAddr(t)
	path := filepath.Join(t.TempDir(), "routes.yaml")
	body := "server: {listen: \"" + httpAddr + "\"}\nservices: {orders: {}}\nroutes: [{name: orders, prefix: /orders, service: orders, strip_prefix: true}]\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GANTRY_NATS_URL": srv.URL()}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", path, "-admin-addr", "127.0.0.1:0", "-drain-delay=0", "-log-level=warn"}, func(k string) string { return env[k] })
	}()
	waitFor(t, "orders /42", func() (string, error) { _, b, err := get("http://" + httpAddr + "/orders/42"); return b, err })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v, want nil after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context ended")
	}

	if err := run(context.Background(), []string{"-config", path}, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "GANTRY_NATS_URL") {
		t.Errorf("run without GANTRY_NATS_URL = %v, want an error naming it", err)
	}
}
