package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gantrykit/gantry/gateway"
)

// TestReloadUnderLoad swaps the route table back and forth between two
// upstreams while clients hammer the gateway: no request may fail, and
// after the last swap traffic goes to the new upstream.
func TestReloadUnderLoad(t *testing.T) {
	a, b := newBackend(t, "a"), newBackend(t, "b")
	cfgFor := func(url string) *gateway.Config {
		c, err := gateway.ParseConfig([]byte(replace(`
services: {s: {urls: ["URL"]}}
routes: [{name: s, prefix: /, service: s}]
`, "URL", url)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	g, gw := start(t, replace("services: {s: {urls: [\"URL\"]}}\nroutes: [{name: s, prefix: /, service: s}]\n", "URL", a.URL))
	var failed, ok atomic.Int64
	var wg sync.WaitGroup
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
				res, err := http.Get(gw.URL + "/x?sleep=1ms")
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
				if res != nil {
					res.Body.Close()
				}
			}
		}()
	}
	for i := 0; i < 40; i++ {
		url := a.URL
		if i%2 == 0 {
			url = b.URL
		}
		if err := g.Reload(cfgFor(url)); err != nil {
			t.Fatal(err)
		}
		for n := ok.Load(); ok.Load() < n+5; {
			runtimeGosched()
		}
	}
	// A bad table is refused and the running one stays.
	bad := cfgFor(a.URL)
	bad.Routes[0].Service = "missing"
	if err := g.Reload(bad); err == nil {
		t.Error("Reload accepted a route to an undefined service")
	}
	close(stop)
	wg.Wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("failed requests during reloads = %d of %d, want 0", n, n+ok.Load())
	}
	if _, e, _ := do(t, "GET", gw.URL+"/x", nil, ""); e.Name != "a" {
		t.Errorf("after the last reload traffic reached %q, want a", e.Name)
	}
}

func TestReloadFile(t *testing.T) {
	a, b := newBackend(t, "a"), newBackend(t, "b")
	path := filepath.Join(t.TempDir(), "routes.yaml")
	write := func(url string) {
		body := replace("services: {s: {urls: [\"URL\"]}}\nroutes: [{name: s, prefix: /, service: s}]\n", "URL", url)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(a.URL)
	cfg, err := gateway.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	write(b.URL)
	if err := g.ReloadFile(path); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"b"`) {
		t.Errorf("after ReloadFile: %d %s, want 200 from b", rec.Code, rec.Body)
	}
	if err := os.WriteFile(path, []byte("routes: [{name: x}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := g.ReloadFile(path); err == nil {
		t.Error("ReloadFile accepted an invalid file")
	}
}
