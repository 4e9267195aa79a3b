package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// laneGateway serves yaml through a FastPath whose counters the test reads.
func laneGateway(t *testing.T, yaml string, sc gateway.ServerConfig) (*gateway.FastPath, string) {
	t.Helper()
	g, _ := start(t, yaml) // its own server is unused; the lane below is the front
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp := gateway.NewFastPath(ln, func() *gateway.Gateway { return g }, sc, nil)
	srv := gateway.NewServer(g, sc, nil)
	go func() { _ = srv.Serve(fp) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := fp.Shutdown(ctx); err != nil {
			t.Errorf("fast lane shutdown: %v", err)
		}
	})
	return fp, ln.Addr().String()
}

// exchange writes raw requests on one connection and reads as many answers.
func exchange(t *testing.T, addr, raw string, n int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	// The requests, so that answers to HEAD are read without a body.
	var reqs []*http.Request
	rr := bufio.NewReader(strings.NewReader(raw))
	for i := 0; i < n; i++ {
		req, err := http.ReadRequest(rr)
		if err != nil {
			req = nil
		} else {
			_, _ = io.Copy(io.Discard, req.Body)
		}
		reqs = append(reqs, req)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for i := 0; i < n; i++ {
		res, err := http.ReadResponse(br, reqs[i])
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body = io.NopCloser(strings.NewReader(string(body)))
		out = append(out, res)
	}
	return out
}

func echoOf(t *testing.T, res *http.Response) echo {
	t.Helper()
	var e echo
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatalf("decoding the echo (status %d): %v", res.StatusCode, err)
	}
	return e
}

// TestLanePipelinedHandoff: one connection carries GETs the lane answers,
// then a POST with a chunked body that it hands to net/http with the bytes
// it had already read, then another GET, which net/http serves. Every answer
// comes back in order.
func TestLanePipelinedHandoff(t *testing.T) {
	b := newBackend(t, "b")
	fp, addr := laneGateway(t, replace(`
services: {b: {urls: ["URL"]}}
routes: [{name: b, prefix: /, service: b}]
`, "URL", b.URL), gateway.ServerConfig{})
	raw := "GET /one?x=1 HTTP/1.1\r\nHost: shop.example\r\n\r\n" +
		"HEAD /two HTTP/1.1\r\nHost: shop.example\r\n\r\n" +
		"POST /three HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
		"GET /four HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n"
	res := exchange(t, addr, raw, 4)
	for i, want := range []struct{ method, path, query string }{{"GET", "/one", "x=1"}, {"HEAD", "", ""}, {"POST", "/three", ""}, {"GET", "/four", ""}} {
		if res[i].StatusCode != 200 {
			t.Fatalf("answer %d: status %d, want 200", i+1, res[i].StatusCode)
		}
		if want.method == "HEAD" {
			continue
		}
		e := echoOf(t, res[i])
		if e.Method != want.method || e.Path != want.path || e.Query != want.query {
			t.Errorf("answer %d: upstream saw %s %s?%s, want %s %s?%s", i+1, e.Method, e.Path, e.Query, want.method, want.path, want.query)
		}
		if want.method == "POST" && e.BodyLen != 5 {
			t.Errorf("POST body: upstream got %d bytes, want 5", e.BodyLen)
		}
	}
	if served, handed := fp.Counts(); served != 2 || handed != 1 {
		t.Errorf("lane served %d and handed over %d, want 2 and 1", served, handed)
	}
}

// TestLaneHandsOffWhatItDoesNotServe: each of these requests reaches
// net/http, which answers as it always did; the ones the gateway's one
// admission refuses (edge.Admit, edge.Head.Parse) the lane answers itself
// with the same status, and closes.
func TestLaneHandsOffWhatItDoesNotServe(t *testing.T) {
	b := newBackend(t, "b")
	fp, addr := laneGateway(t, replace(`
services: {b: {urls: ["URL"]}}
routes: [{name: b, prefix: /api, service: b}]
`, "URL", b.URL), gateway.ServerConfig{})
	handed := int64(0)
	for _, c := range []struct {
		name, raw string
		status    int
		refused   bool
	}{
		{"HTTP/1.0", "GET /api/x HTTP/1.0\r\nHost: a\r\n\r\n", 200, false},
		{"escaped path", "GET /api/a%41b HTTP/1.1\r\nHost: a\r\n\r\n", 200, false},
		{"no route", "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n", 404, false},
		{"chunked body", "DELETE /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 200, false},
		{"head over 8 KiB", "GET /api/x HTTP/1.1\r\nHost: a\r\nCookie: " + strings.Repeat("c", 10<<10) + "\r\n\r\n", 200, false},
		{"no host", "GET /api/x HTTP/1.1\r\n\r\n", 400, true},
		{"bare LF", "GET /api/x HTTP/1.1\nHost: a\n\n", 400, true},
		{"folded header", "GET /api/x HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  2\r\n\r\n", 400, true},
	} {
		res := exchange(t, addr, c.raw, 1)
		if res[0].StatusCode != c.status || c.refused && !res[0].Close {
			t.Errorf("%s: status %d (close %v), want %d", c.name, res[0].StatusCode, res[0].Close, c.status)
		}
		if !c.refused {
			handed++
		}
		if served, h := fp.Counts(); served != 0 || h != handed {
			t.Errorf("%s: lane served %d, handed over %d; want 0 and %d", c.name, served, h, handed)
		}
	}
}

// TestLaneHeaders: what the upstream and the client see of each other's
// headers through the lane.
func TestLaneHeaders(t *testing.T) {
	b := newBackend(t, "b")
	fp, addr := laneGateway(t, replace(`
services: {b: {urls: ["URL"], forwarded: true}}
routes: [{name: b, prefix: /api, service: b, strip_prefix: true}]
`, "URL", b.URL), gateway.ServerConfig{})
	raw := "GET /api/items HTTP/1.1\r\nHost: shop.example:8080\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n" +
		"Keep-Alive: timeout=5\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Gantry-Claims: forged\r\n" +
		"X-Request-Id: req-42\r\nTraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\nX-Custom: kept\r\n\r\n"
	res := exchange(t, addr, raw, 1)[0]
	e := echoOf(t, res)
	h := e.Header
	for k, want := range map[string]string{
		"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": "shop.example:8080", "X-Forwarded-Proto": "http",
		"Forwarded": `for="127.0.0.1";host="shop.example:8080";proto=http`, "X-Request-Id": "req-42", "X-Custom": "kept",
	} {
		if got := strings.Join(h[k], ","); got != want {
			t.Errorf("upstream %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"X-Secret", "Keep-Alive", "Connection", "X-Gantry-Claims"} {
		if v, ok := h[k]; ok {
			t.Errorf("upstream got %s: %q, want it dropped", k, v)
		}
	}
	if tp := h.Get("Traceparent"); !strings.HasPrefix(tp, "00-0af7651916cd43dd8448eb211c80319c-") {
		t.Errorf("upstream traceparent %q, want the client's trace", tp)
	}
	if e.Path != "/items" || !strings.HasPrefix(e.Host, "127.0.0.1:") {
		t.Errorf("upstream saw path %q host %q, want /items and the instance's host", e.Path, e.Host)
	}
	if res.Header.Get("X-Request-Id") != "req-42" || res.Header.Get("X-Hop") != "" || res.Header.Get("Connection") != "" {
		t.Errorf("client got X-Request-Id %q, X-Hop %q, Connection %q; want req-42 and the hop-by-hop ones dropped",
			res.Header.Get("X-Request-Id"), res.Header.Get("X-Hop"), res.Header.Get("Connection"))
	}
	if served, _ := fp.Counts(); served != 1 {
		t.Errorf("lane served %d requests, want 1", served)
	}
}

// TestLaneGatewayAnswers: the gateway's own answers on the lane are the
// problem+json ones of ServeHTTP, and the connection stays usable.
func TestLaneGatewayAnswers(t *testing.T) {
	fp, addr := laneGateway(t, `
services: {gone: {urls: ["http://127.0.0.1:1"]}}
auth: {secret_env: JWT_SECRET, issuer: test, audience: gateway}
routes:
  - {name: private, prefix: /private, service: gone, auth: {mode: jwt}}
  - {name: gone, prefix: /gone, service: gone, retries: 0}
`, gateway.ServerConfig{})
	// The POSTs' bodies are consumed with their refused requests: the
	// requests after them are read from the right place.
	res := exchange(t, addr, "GET /private HTTP/1.1\r\nHost: a\r\n\r\nHEAD /private HTTP/1.1\r\nHost: a\r\n\r\n"+
		"POST /private HTTP/1.1\r\nHost: a\r\nContent-Length: 19\r\n\r\nGET /x HTTP/1.1\r\n\r\n"+
		"GET /gone HTTP/1.1\r\nHost: a\r\n\r\nPOST /gone HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", 5)
	for i, want := range []int{401, 401, 401, 502, 502} {
		if res[i].StatusCode != want || res[i].Header.Get("Content-Type") != "application/problem+json" || res[i].Header.Get("X-Request-Id") == "" {
			t.Errorf("answer %d: %d %q request id %q, want %d problem+json with an id", i+1, res[i].StatusCode,
				res[i].Header.Get("Content-Type"), res[i].Header.Get("X-Request-Id"), want)
		}
	}
	if res[0].Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if b, _ := io.ReadAll(res[1].Body); len(b) != 0 {
		t.Errorf("HEAD answer has a %d-byte body", len(b))
	}
	if served, _ := fp.Counts(); served != 5 {
		t.Errorf("lane served %d, want 5", served)
	}
}

// TestLaneDrain: Shutdown lets a request in flight finish (its answer says
// Connection: close), closes idle connections and returns once both are
// done.
func TestLaneDrain(t *testing.T) {
	t.Parallel()
	b := newBackend(t, "b")
	g, _ := start(t, replace(`
services: {b: {urls: ["URL"]}}
routes: [{name: b, prefix: /, service: b}]
`, "URL", b.URL))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp := gateway.NewFastPath(ln, func() *gateway.Gateway { return g }, gateway.ServerConfig{}, nil)
	srv := gateway.NewServer(g, gateway.ServerConfig{}, nil)
	go func() { _ = srv.Serve(fp) }()
	addr := ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if r := exchangeOn(t, idle, "GET /warm HTTP/1.1\r\nHost: a\r\n\r\n"); r.StatusCode != 200 {
		t.Fatalf("warm-up: %d", r.StatusCode)
	}
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	answered := make(chan *http.Response, 1)
	go func() { answered <- exchangeOn(t, busy, "GET /slow?sleep=300ms HTTP/1.1\r\nHost: a\r\n\r\n") }()
	waitFor(t, func() bool { return b.hits.Load() == 2 }) // the slow request reached the backend

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	if err := fp.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	res := <-answered
	if res == nil || res.StatusCode != 200 || !res.Close {
		t.Fatalf("in-flight request: %v, want 200 with Connection: close", res)
	}
	_ = idle.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: read %d, %v; want EOF (closed by the drain)", n, err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the listener still accepts after Shutdown")
	}
}

// TestLaneSlowloris: a client that sends its head, or the body after
// it, too slowly is cut off at the read-header timeout, and nothing
// reaches the upstream.
func TestLaneSlowloris(t *testing.T) {
	b := newBackend(t, "b")
	_, addr := laneGateway(t, replace(`
services: {b: {urls: ["URL"]}}
routes: [{name: b, prefix: /, service: b}]
`, "URL", b.URL), gateway.ServerConfig{ReadHeaderTimeout: 200 * time.Millisecond})
	for _, c := range []struct{ name, raw string }{
		{"head", "GET / HTTP/1.1\r\nHost: a\r\n"},
		{"body", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part"},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, c.raw); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := conn.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("%s: read %d, %v; want EOF: the gateway must close a connection whose %s never ends", c.name, n, err, c.name)
		}
		if h := b.hits.Load(); h != 0 {
			t.Errorf("%s: the upstream got %d requests, want 0", c.name, h)
		}
	}
}

func exchangeOn(t *testing.T, c net.Conn, raw string) *http.Response {
	if _, err := io.WriteString(c, raw); err != nil {
		t.Error(err)
		return nil
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Error(err)
		return nil
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached within 5s")
}
