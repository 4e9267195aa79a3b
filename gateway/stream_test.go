package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestWebSocketPassThrough upgrades through the gateway to a backend that
// hijacks the connection and echoes lines, as a WebSocket server would
// after its handshake.
func TestWebSocketPassThrough(t *testing.T) {
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "want upgrade", 400)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			fmt.Fprint(brw, "echo "+line)
			brw.Flush()
		}
	}))
	t.Cleanup(ws.Close)
	_, gw := start(t, replace(`
services: {ws: {urls: ["URL"]}}
routes: [{name: ws, prefix: /ws, service: ws, timeout: 100ms, websocket: true}]
`, "URL", ws.URL))
	conn, err := net.Dial("tcp", strings.TrimPrefix(gw.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status = %d, want 101", res.StatusCode)
	}
	for i, msg := range []string{"hello", "again"} {
		if i > 0 {
			time.Sleep(150 * time.Millisecond) // past the route timeout: the tunnel must stay
		}
		fmt.Fprint(conn, msg+"\n")
		got, err := br.ReadString('\n')
		if err != nil || got != "echo "+msg+"\n" {
			t.Fatalf("read %q, %v; want %q", got, err, "echo "+msg+"\n")
		}
	}
}

// TestSSEPassThrough checks that events reach the client one by one while
// the upstream still holds the response open, past the route timeout.
func TestSSEPassThrough(t *testing.T) {
	next := make(chan string)
	sse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		http.NewResponseController(w).Flush()
		for msg := range next {
			fmt.Fprintf(w, "data: %s\n\n", msg)
			http.NewResponseController(w).Flush()
		}
	}))
	t.Cleanup(sse.Close)
	t.Cleanup(func() { close(next) })
	_, gw := start(t, replace(`
services: {sse: {urls: ["URL"]}}
routes: [{name: sse, prefix: /events, service: sse, timeout: 50ms}]
`, "URL", sse.URL))
	res, err := http.Get(gw.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	for i, msg := range []string{"one", "two", "three"} {
		if i == 2 {
			time.Sleep(100 * time.Millisecond) // past the route timeout: the stream must stay
		}
		next <- msg // the upstream sends only when we are waiting
		line, err := br.ReadString('\n')
		if err != nil || line != "data: "+msg+"\n" {
			t.Fatalf("read %q, %v; want data: %s", line, err, msg)
		}
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCORSAndBodyLimit(t *testing.T) {
	t.Parallel()
	b := newBackend(t, "b")
	_, gw := start(t, replace(`
services: {b: {urls: ["URL"]}}
routes:
  - name: api
    prefix: /api
    methods: [GET, PUT]
    service: b
    max_body: 16
    cors: {origins: ["https://app.example.com"], methods: [GET, PUT], headers: [Authorization], max_age: 1m}
`, "URL", b.URL))
	res, _, _ := do(t, "OPTIONS", gw.URL+"/api/x", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}, "")
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		res.Header.Get("Access-Control-Allow-Methods") != "GET, PUT" || res.Header.Get("Access-Control-Max-Age") != "60" {
		t.Errorf("preflight = %d %v, want 204 with allow headers", res.StatusCode, res.Header)
	}
	res, _, _ = do(t, "OPTIONS", gw.URL+"/api/x", map[string]string{"Origin": "https://evil.example.com", "Access-Control-Request-Method": "PUT"}, "")
	if res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from unknown origin = %d %q, want 403 without allow-origin", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	res, e, _ := do(t, "GET", gw.URL+"/api/x", map[string]string{"Origin": "https://app.example.com"}, "")
	if res.StatusCode != 200 || e.Name != "b" || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("simple CORS GET = %d, allow-origin %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	if res, _, raw := do(t, "PUT", gw.URL+"/api/x", nil, strings.Repeat("x", 17)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("17-byte body = %d, want 413: %s", res.StatusCode, raw)
	}
	// A chunked body (no Content-Length) is cut off at the limit as well.
	req, _ := http.NewRequest("PUT", gw.URL+"/api/x", io.MultiReader(strings.NewReader(strings.Repeat("y", 20))))
	req.ContentLength = -1
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 20-byte body = %d, want 413", res2.StatusCode)
	}
	if res, e, _ := do(t, "PUT", gw.URL+"/api/x", nil, "small"); res.StatusCode != 200 || e.BodyLen != 5 {
		t.Errorf("small body = %d len %d, want 200 len 5", res.StatusCode, e.BodyLen)
	}
}
