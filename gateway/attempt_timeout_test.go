package gateway_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// blackhole is an instance that accepts connections, reads, and never
// answers. It returns its URL and how many connections it accepted.
func blackhole(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(io.Discard, c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String(), &accepted
}

// TestAttemptTimeout: with attempt_timeout, a request sent to an instance
// that never answers is retried on another one well inside the route
// timeout; without a retry it gets 504 naming the attempt timeout, not a
// wait for the whole route timeout.
func TestAttemptTimeout(t *testing.T) {
	healthy := newBackend(t, "healthy")
	hole, accepted := blackhole(t)
	_, gw := start(t, replace(`
services:
  s: {urls: ["HOLE", "OK"]}
  h: {urls: ["HOLE"]}
routes:
  - {name: get, prefix: /get, service: s, timeout: 10s, attempt_timeout: 100ms, retries: 2}
  - {name: hole, prefix: /hole, service: h, timeout: 10s, attempt_timeout: 100ms, retries: 0}
`, "HOLE", hole, "OK", healthy.URL))

	for i := 0; i < 30; i++ {
		res, e, raw := do(t, "GET", gw.URL+"/get/x", nil, "")
		if res.StatusCode != 200 || e.Name != "healthy" {
			t.Fatalf("GET %d: %d from %q, want 200 from healthy: %s", i, res.StatusCode, e.Name, raw)
		}
	}
	if accepted.Load() == 0 {
		t.Fatal("no attempt went to the unanswering instance: the test proves nothing")
	}
	res, _, raw := do(t, "GET", gw.URL+"/hole/x", nil, "")
	if res.StatusCode != 504 || !strings.Contains(raw, "attempt timeout") {
		t.Errorf("GET to the hole alone: %d %s, want 504 naming the attempt timeout", res.StatusCode, raw)
	}
}

func TestAttemptTimeoutValidation(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"attempt_timeout: 2s, timeout: 1s", "shorter than the route timeout"},
		{"attempt_timeout: 31s", "shorter than the route timeout (30s)"},
		{"attempt_timeout: -1s", "must be positive"},
	} {
		_, err := gateway.ParseConfig([]byte(`
services: {s: {urls: ["http://127.0.0.1:1"]}}
routes: [{name: r, prefix: /, service: s, ` + c.yaml + `}]
`))
		if err == nil || !strings.Contains(err.Error(), "attempt_timeout") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error on attempt_timeout saying %q", c.yaml, err, c.want)
		}
	}
}

// TestTimeoutHeader: the upstream learns how long the gateway will wait
// (what is left of the route or attempt timeout) in Gantry-Timeout, never
// what the client claimed.
func TestTimeoutHeader(t *testing.T) {
	b := newBackend(t, "b")
	_, gw := start(t, replace(`
services: {b: {urls: ["URL"]}}
routes:
  - {name: route, prefix: /route, service: b, timeout: 2s}
  - {name: attempt, prefix: /attempt, service: b, timeout: 2s, attempt_timeout: 500ms}
`, "URL", b.URL))
	for path, limit := range map[string]time.Duration{"/route": 2 * time.Second, "/attempt": 500 * time.Millisecond} {
		res, e, raw := do(t, "GET", gw.URL+path, map[string]string{"Gantry-Timeout": "1h"}, "")
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, raw)
		}
		v := e.Header.Values("Gantry-Timeout")
		if len(v) != 1 {
			t.Fatalf("%s: upstream saw Gantry-Timeout %q, want exactly one value", path, v)
		}
		if d, err := time.ParseDuration(v[0]); err != nil || d <= 0 || d > limit {
			t.Errorf("%s: upstream saw Gantry-Timeout %q, want a duration in (0, %v]", path, v[0], limit)
		}
	}
}
