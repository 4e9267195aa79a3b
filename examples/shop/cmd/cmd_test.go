// Package cmd_test runs the shop in its many-processes mode: the four
// commands built and started as separate processes against one NATS
// server, discovering each other through NATS-KV.
package cmd_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/examples/shop/internal/shoptest"
	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/fulltest"
	"github.com/gantrykit/gantry/internal/otlptest"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

var binaries = map[string]string{}

// TestMain builds the four commands, for the heavy tests only: each test
// here starts them as separate processes, so all run with GANTRY_TEST_FULL=1.
func TestMain(m *testing.M) {
	var cleanups []func()
	code := func() int {
		if !fulltest.Enabled() {
			return m.Run() // every test skips, saying how to run it
		}
		for _, name := range []string{"user", "product", "order", "gateway"} {
			bin, cleanup, err := exampletest.Build("./" + name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			binaries[name] = bin
			cleanups = append(cleanups, cleanup)
		}
		return m.Run()
	}()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

func TestManyProcesses(t *testing.T) {
	fulltest.Require(t, "starts the shop's four commands as separate processes")
	// Every process exports its spans to one OTLP/HTTP receiver. The
	// gateway starts a trace for every request (OTEL_TRACES_SAMPLER); the
	// services keep kit's default, parent-based, so they sample what the
	// gateway sampled. Debug level adds the per-call "call" lines.
	rcv := otlptest.New(t)
	otel := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + rcv.URL, "OTEL_BSP_SCHEDULE_DELAY=50", "GANTRY_LOG_LEVEL=debug"}
	ns, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	data := t.TempDir()
	common := []string{"GANTRY_NATS_URL=" + ns.URL(), "GANTRY_DATA_DIR=" + data, "GANTRY_GRPC_ADDR=127.0.0.1:0",
		"USER_BCRYPT_COST=4"}
	common = append(common, otel...)
	user := exampletest.Start(t, binaries["user"], common...)
	// Product, order and the gateway read the user service's key set
	// through discovery (their default, discovery://user/...).
	product := exampletest.Start(t, binaries["product"], common...)
	order := exampletest.Start(t, binaries["order"], common...)
	gw := exampletest.Start(t, binaries["gateway"], append(common, "OTEL_TRACES_SAMPLER=always_on")...)

	// The gateway finds the services through discovery once they are ready.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(gw.HTTPURL + "/api/v1/products/p01")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the catalog never answered through the gateway: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	post(t, gw.HTTPURL+"/api/v1/users", "", `{"email":"ada@example.com","password":"correct horse","name":"Ada"}`, 201, nil)
	var tok struct{ Token string }
	post(t, gw.HTTPURL+"/api/v1/auth/login", "", `{"email":"ada@example.com","password":"correct horse"}`, 200, &tok)
	var o struct{ ID, Status string }
	var placed http.Header // the answer to the order that was accepted
	for {
		// The order service's product client may not have seen the
		// product instance yet: it answers 503 until it has.
		code, h := post(t, gw.HTTPURL+"/api/v1/orders", tok.Token, `{"items":[{"product_id":"p01","quantity":1}]}`, 0, &o)
		if code == 202 {
			placed = h
			break
		}
		if code != 503 || time.Now().After(deadline) {
			t.Fatalf("POST /api/v1/orders = %d, want 202", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for o.Status == "pending" || o.Status == "" {
		if time.Now().After(deadline) {
			t.Fatalf("order %s still %q", o.ID, o.Status)
		}
		time.Sleep(20 * time.Millisecond)
		get(t, gw.HTTPURL+"/api/v1/orders/"+o.ID, tok.Token, &o)
	}
	if o.Status != "confirmed" {
		t.Errorf("order ended %q, want confirmed", o.Status)
	}

	t.Run("one trace", func(t *testing.T) {
		traceID := shoptest.OrderTrace(t, rcv)
		logs := map[string]string{"gateway": gw.Logs(), "order": order.Logs(), "product": product.Logs(), "user": user.Logs()}
		shoptest.OrderLogs(t, logs, traceID, placed.Get("X-Request-Id"), map[string][]string{
			"gateway": {"request"}, "order": {"call", "event"}, "product": {"call", "event"},
		})
	})
	t.Run("refused requests are counted", func(t *testing.T) { checkRefusedCounted(t, gw.HTTPURL, tok.Token, order.AdminURL) })
}

// post sends body and returns the status; with want != 0 it fails the
// test on another status. out receives the decoded answer.
func post(t *testing.T, url, token, body string, want int, out any) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return send(t, req, token, want, out)
}

func get(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	send(t, req, token, 200, out)
}

func send(t *testing.T, req *http.Request, token string, want int, out any) (int, http.Header) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if want != 0 && resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", req.Method, req.URL.Path, resp.StatusCode, b, want)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, resp.Header
}
