package gateway_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/gateway"
)

// deadURL is a loopback address with nothing listening.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestUpstreamDownBreakerOpens(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, gw := start(t, replace(`
services: {down: {urls: ["URL"], breaker: {failures: 2, open: 1m}}}
routes: [{name: down, prefix: /, service: down}]
`, "URL", deadURL(t)), gateway.WithRegisterer(reg))
	for i := 0; i < 2; i++ {
		if res, _, raw := do(t, "GET", gw.URL+"/x", nil, ""); res.StatusCode != http.StatusBadGateway {
			t.Fatalf("attempt %d: status = %d, want 502 (connection refused): %s", i, res.StatusCode, raw)
		}
	}
	// The breaker is open now: the gateway answers without dialing.
	res, _, raw := do(t, "GET", gw.URL+"/x", nil, "")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "60" {
		t.Fatalf("status = %d Retry-After %q, want 503 with 60: %s", res.StatusCode, res.Header.Get("Retry-After"), raw)
	}
	if !strings.Contains(raw, "no healthy instance") {
		t.Errorf("body = %s, want it to say no healthy instance", raw)
	}
	if got := gauge(t, reg, "gateway_upstream_breakers_open", "upstream=down"); got != 1 {
		t.Errorf("gateway_upstream_breakers_open{upstream=down} = %v, want 1", got)
	}
}

func TestRouteTimeout(t *testing.T) {
	b := newBackend(t, "slow")
	_, gw := start(t, replace(`
services: {slow: {urls: ["URL"]}}
routes: [{name: slow, prefix: /, service: slow, timeout: 100ms}]
`, "URL", b.URL))
	res, _, raw := do(t, "GET", gw.URL+"/x?sleep=5s", nil, "")
	if res.StatusCode != http.StatusGatewayTimeout || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status = %d (%s), want 504 problem+json", res.StatusCode, raw)
	}
	if res, _, _ := do(t, "GET", gw.URL+"/x?sleep=1ms", nil, ""); res.StatusCode != 200 {
		t.Errorf("fast request after timeout: status = %d, want 200", res.StatusCode)
	}
}

func TestRetryOnAnotherInstance(t *testing.T) {
	a, b, c := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "c")
	_, gw := start(t, replace(`
services: {s: {urls: ["A", "B", "C"]}}
routes: [{name: s, prefix: /, service: s, retries: 2}]
`, "A", a.URL, "B", b.URL, "C", c.URL))
	var wg sync.WaitGroup
	var failed atomic.Int64
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := http.Get(gw.URL + "/x")
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
				}
				if res != nil {
					res.Body.Close()
				}
			}
		}()
	}
	for a.hits.Load() < 20 { // let traffic reach the instance we kill
		runtimeGosched()
	}
	c.CloseClientConnections()
	c.Close() // one of three dies under load
	before := a.hits.Load() + b.hits.Load()
	for a.hits.Load()+b.hits.Load() < before+300 {
		runtimeGosched()
	}
	close(stop)
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("failed requests = %d, want 0 (GETs retried on another instance)", n)
	}
}

func TestPostNotRetried(t *testing.T) {
	var hits atomic.Int64
	unavailable := func() *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		t.Cleanup(s.Close)
		return s
	}
	a, b := unavailable(), unavailable()
	_, gw := start(t, replace(`
services: {s: {urls: ["A", "B"], breaker: {failures: 100}}}
routes: [{name: s, prefix: /, service: s, retries: 1}]
`, "A", a.URL, "B", b.URL))
	tests := []struct {
		name     string
		method   string
		hdr      map[string]string
		wantHits int64
	}{
		{"POST", "POST", nil, 1},
		{"POST with Idempotency-Key", "POST", map[string]string{"Idempotency-Key": "k1"}, 2},
		{"GET", "GET", nil, 2},
		{"PUT", "PUT", nil, 2},
		{"PATCH", "PATCH", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			res, _, raw := do(t, tt.method, gw.URL+"/x", tt.hdr, `{"a":1}`)
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("status = %d, want the upstream's 503: %s", res.StatusCode, raw)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("upstream hits = %d, want %d", got, tt.wantHits)
			}
		})
	}
}

// TestSheddingDoesNotTripBreaker: an instance answering 503 with Retry-After
// is shedding load, not broken; its breaker stays closed, so once it has
// room again it is served at once. A service's only instance ejected for
// shedding would turn partial overload into a full outage.
func TestSheddingDoesNotTripBreaker(t *testing.T) {
	var calls atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= 5 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer up.Close()
	reg := prometheus.NewRegistry()
	_, gw := start(t, replace(`
services: {busy: {urls: ["URL"], breaker: {failures: 2, open: 1m}}}
routes: [{name: busy, prefix: /, service: busy}]
`, "URL", up.URL), gateway.WithRegisterer(reg))
	for i := range 5 {
		if res, _, raw := do(t, "GET", gw.URL+"/x", nil, ""); res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("call %d: status = %d, want the upstream's 503: %s", i, res.StatusCode, raw)
		}
	}
	if res, _, raw := do(t, "GET", gw.URL+"/x", nil, ""); res.StatusCode != http.StatusOK {
		t.Fatalf("after shedding: status = %d, want 200 from the instance (breaker closed): %s", res.StatusCode, raw)
	}
	if got := gauge(t, reg, "gateway_upstream_breakers_open", "upstream=busy"); got != 0 {
		t.Errorf("gateway_upstream_breakers_open{upstream=busy} = %v, want 0", got)
	}
}

// TestBare503TripsBreaker: a 503 without Retry-After still counts, so a
// broken instance is cut off as before.
func TestBare503TripsBreaker(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer up.Close()
	reg := prometheus.NewRegistry()
	_, gw := start(t, replace(`
services: {broken: {urls: ["URL"], breaker: {failures: 2, open: 1m}}}
routes: [{name: broken, prefix: /, service: broken}]
`, "URL", up.URL), gateway.WithRegisterer(reg))
	for range 3 {
		do(t, "GET", gw.URL+"/x", nil, "")
	}
	if got := gauge(t, reg, "gateway_upstream_breakers_open", "upstream=broken"); got != 1 {
		t.Errorf("gateway_upstream_breakers_open{upstream=broken} = %v, want 1", got)
	}
}
