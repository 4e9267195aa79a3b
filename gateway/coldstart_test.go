package gateway_test

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// resetter is an instance that accepts connections and resets them at
// once, as the reliability suite's fault proxy does in its reset phase.
func resetter(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String()
}

// TestColdStartWithAFailingInstance is the reliability suite's
// network-faults flake, made to happen every time: a fresh gateway, one
// instance that resets every connection, one healthy instance whose first
// answers are still on their way. While the healthy instance's latency is
// unknown and its calls are in flight, the balancer must not keep picking
// the instance that has just failed (the retries would run out: 502), nor
// give up with "no healthy instance" (503) when the failed instance's
// breaker is open and the other's closed.
func TestColdStartWithAFailingInstance(t *testing.T) {
	t.Parallel()
	healthy := newBackend(t, "healthy")
	for round := range 5 {
		_, gw := start(t, replace(`
services: {api: {urls: ["BAD", "GOOD"], breaker: {failures: 3, open: 2s}}}
routes: [{name: api, prefix: /api, service: api, retries: 2, timeout: 2s}]
`, "BAD", resetter(t), "GOOD", healthy.URL))
		var mu sync.Mutex
		failed := map[int]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 10 {
					// sleep: the healthy instance's first answers take a
					// while, as a first call on a new connection does.
					res, err := http.Get(gw.URL + "/api/x?sleep=20ms")
					code := 0
					if err == nil {
						code = res.StatusCode
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
					}
					if code != http.StatusOK {
						mu.Lock()
						failed[code]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if len(failed) > 0 {
			t.Fatalf("round %d: failed calls by status: %v, want none (the healthy instance was up all along)", round, failed)
		}
		time.Sleep(time.Millisecond)
	}
}
