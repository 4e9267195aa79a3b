package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/gateway"
)

// BenchmarkProxy compares, over real loopback sockets in one run: the
// backend alone (baseline), a stock httputil.ReverseProxy with the default
// transport, and the gateway with JWT auth, metrics and (unsampled)
// tracing, behind net/http (on a NewListener listener, with the edge
// admission) and behind its fast lane. Client, proxy and backend share the
// process, so allocations are the sum of all three.
func BenchmarkProxy(b *testing.B) {
	hello := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello\n")
	}))
	defer hello.Close()
	target, _ := url.Parse(hello.URL)
	stock := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer stock.Close()

	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	cfg, err := gateway.ParseConfig([]byte(replace(`
services: {hello: {urls: ["URL"]}}
auth: {secret_env: JWT_SECRET, issuer: test, audience: gateway}
routes: [{name: hello, prefix: /hello, service: hello, auth: {mode: jwt}, retries: 1}]
`, "URL", hello.URL)))
	if err != nil {
		b.Fatal(err)
	}
	g, err := gateway.New(cfg, gateway.WithGetenv(testEnv), gateway.WithRegisterer(prometheus.NewRegistry()), gateway.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	gw := httptest.NewUnstartedServer(g)
	gw.Listener = gateway.NewListener(gw.Listener, 0) // as the command serves it
	gw.Start()
	defer gw.Close()
	lane := httptest.NewUnstartedServer(g)
	fp := gateway.NewFastPath(lane.Listener, func() *gateway.Gateway { return g }, gateway.ServerConfig{}, nil)
	lane.Listener = gateway.NewListener(fp, 0)
	lane.Start()
	defer func() {
		lane.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = fp.Shutdown(ctx)
	}()
	tok := "Bearer " + token(b, jwt.MapClaims{"sub": "bench"})

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}}
	payload := []byte(`{"sku":"abc-123","quantity":2,"customer":"c-42","note":"` + strings.Repeat("x", 150) + `"}`)
	for _, c := range []struct{ name, method, url string }{
		{"direct", "GET", hello.URL + "/hello"},
		{"httputil-default", "GET", stock.URL + "/hello"},
		{"gateway-nethttp", "GET", gw.URL + "/hello"},
		{"gateway-lane", "GET", lane.URL + "/hello"},
		{"POST-direct", "POST", hello.URL + "/hello"},
		{"POST-gateway-nethttp", "POST", gw.URL + "/hello"},
		{"POST-gateway-lane", "POST", lane.URL + "/hello"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req, _ := http.NewRequest(c.method, c.url, nil)
				req.Header.Set("Authorization", tok)
				body := bytes.NewReader(payload)
				for pb.Next() {
					if c.method == "POST" {
						body.Reset(payload)
						req.Body, req.ContentLength = io.NopCloser(body), int64(len(payload))
					}
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}

// BenchmarkServeHTTP measures the gateway's own request path in process,
// beside a handler that proxies the same way with no gateway features.
func BenchmarkMatch(b *testing.B) {
	cfg, err := gateway.ParseConfig([]byte(replace(routingYAML, "ORDERS2", "http://127.0.0.1:1", "ORDERS", "http://127.0.0.1:2", "USERS", "http://127.0.0.1:3", "ADMIN", "http://127.0.0.1:4")))
	if err != nil {
		b.Fatal(err)
	}
	g, err := gateway.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	b.Run("notfound-baseline", func(b *testing.B) {
		b.ReportAllocs()
		req := httptest.NewRequest("GET", "/v9/none", nil)
		w := &discardWriter{h: http.Header{}}
		for i := 0; i < b.N; i++ {
			http.NotFound(w, req)
			clear(w.h)
		}
	})
	b.Run("gateway-notfound", func(b *testing.B) {
		b.ReportAllocs()
		req := httptest.NewRequest("GET", "/v9/none", nil)
		w := &discardWriter{h: http.Header{}}
		for i := 0; i < b.N; i++ {
			g.ServeHTTP(w, req)
			clear(w.h)
		}
	})
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
