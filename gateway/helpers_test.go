package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/gateway"
)

// echo is what the test upstream answers: what it saw of the request.
type echo struct {
	Name    string      `json:"name"`
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Query   string      `json:"query"`
	Header  http.Header `json:"header"`
	Host    string      `json:"host"`
	BodyLen int         `json:"body_len"`
}

// backend is a real upstream on 127.0.0.1 that echoes requests.
type backend struct {
	*httptest.Server
	name string
	hits atomic.Int64
}

func newBackend(t testing.TB, name string) *backend {
	t.Helper()
	b := &backend{name: name}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		n, _ := io.Copy(io.Discard, r.Body)
		if d := r.URL.Query().Get("sleep"); d != "" {
			dur, _ := time.ParseDuration(d)
			select {
			case <-time.After(dur):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Connection", "X-Hop") // names a hop-by-hop header the gateway must drop
		w.Header().Set("X-Hop", "1")
		_ = json.NewEncoder(w).Encode(echo{Name: name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Header: r.Header, Host: r.Host, BodyLen: int(n)})
	}))
	t.Cleanup(b.Close)
	return b
}

// start builds a gateway from YAML (with %s-free placeholders replaced by
// vars) and serves it on 127.0.0.1.
func start(t testing.TB, yaml string, opts ...gateway.Option) (*gateway.Gateway, *httptest.Server) {
	t.Helper()
	cfg, err := gateway.ParseConfig([]byte(yaml))
	if err != nil {
		t.Fatalf("ParseConfig: %v\n%s", err, yaml)
	}
	opts = append([]gateway.Option{gateway.WithGetenv(testEnv)}, opts...)
	gw, err := gateway.New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := serveGateway(t, gw)
	t.Cleanup(func() { _ = gw.Close() })
	return gw, srv
}

// serveGateway serves gw on 127.0.0.1 the way the command does: the fast lane
// in front of net/http. GATEWAY_TEST_FRONT=nethttp leaves the lane out,
// so that the whole suite checks both front ends (.ci/run runs it twice).
func serveGateway(t testing.TB, gw *gateway.Gateway) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(gw)
	if os.Getenv("GATEWAY_TEST_FRONT") == "nethttp" {
		srv.Listener = gateway.NewListener(srv.Listener, 0)
		srv.Start()
		t.Cleanup(srv.Close)
		return srv
	}
	fp := gateway.NewFastPath(srv.Listener, func() *gateway.Gateway { return gw }, gateway.ServerConfig{}, nil)
	srv.Listener = gateway.NewListener(fp, 0)
	srv.Start()
	t.Cleanup(func() {
		// Like httptest.Server.Close: connections are cut, not drained
		// (TestLaneDrain covers the graceful path).
		srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = fp.Shutdown(ctx)
	})
	return srv
}

const jwtSecret = "test-secret-0123456789abcdef0123"

func testEnv(k string) string {
	switch k {
	case "JWT_SECRET":
		return jwtSecret
	case "CLAIMS_SECRET":
		return "claims-secret"
	}
	return ""
}

// token signs claims with HS256 and the test secret; exp defaults to +1h,
// iss to "test" and aud to "gateway".
func token(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	defaults := jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix(), "iss": "test", "aud": "gateway"}
	for k, v := range defaults {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get sends a request through the gateway and decodes the echo, if any.
func do(t testing.TB, method, url string, hdr map[string]string, body string) (*http.Response, echo, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var e echo
	_ = json.Unmarshal(raw, &e)
	return res, e, string(raw)
}

func replace(s string, kv ...string) string { return strings.NewReplacer(kv...).Replace(s) }
