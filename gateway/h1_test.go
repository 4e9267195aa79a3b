package gateway

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// countingServer counts the connections it accepts.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	s := httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s, &conns
}

func get(t *testing.T, rt http.RoundTripper, method, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	res, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(b)
}

func TestH1ReusesConnections(t *testing.T) {
	s, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte("a"))
			w.(http.Flusher).Flush()
			w.Write([]byte("b"))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		default:
			io.WriteString(w, "hello")
		}
	})
	tr := newH1Transport(newTransport(false))
	defer tr.CloseIdleConnections()
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/", "hello"}, {"GET", "/chunked", "ab"}, {"HEAD", "/", ""}, {"GET", "/empty", ""}, {"DELETE", "/", "hello"},
	} {
		if _, body := get(t, tr, c.method, s.URL+c.path); body != c.want {
			t.Errorf("%s %s = %q, want %q", c.method, c.path, body, c.want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("connections = %d, want 1 (kept alive across sequential requests)", n)
	}
}

func TestH1StaleConnectionRetried(t *testing.T) {
	// A server that answers one request per connection with keep-alive
	// headers, then closes it: the pooled connection is dead when reused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			br := bufio.NewReader(c)
			if _, err := http.ReadRequest(br); err == nil {
				fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			c.Close()
		}
	}()
	defer func() { l.Close(); <-done }()
	tr := newH1Transport(newTransport(false))
	defer tr.CloseIdleConnections()
	for i := 0; i < 3; i++ {
		if code, body := get(t, tr, "GET", "http://"+l.Addr().String()+"/"); code != 200 || body != "ok" {
			t.Fatalf("request %d = %d %q, want 200 ok", i, code, body)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("connections = %d, want 3 (each stale one replaced)", n)
	}
}

func TestH1AbandonedBodyClosesConnection(t *testing.T) {
	s, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, strings.Repeat("x", 64<<10))
	})
	tr := newH1Transport(newTransport(false))
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", s.URL+"/", nil)
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Read(make([]byte, 10))
	res.Body.Close() // abandoned after 10 bytes: the connection cannot be reused
	get(t, tr, "GET", s.URL+"/close")
	get(t, tr, "GET", s.URL+"/")
	if n := conns.Load(); n != 3 {
		t.Errorf("connections = %d, want 3 (none reused after an abandoned body or Connection: close)", n)
	}
}

func TestH1Cancel(t *testing.T) {
	release := make(chan struct{})
	s, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	defer close(release)
	tr := newH1Transport(newTransport(false))
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/", nil)
	errc := make(chan error, 1)
	go func() {
		_, err := tr.RoundTrip(req)
		errc <- err
	}()
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("RoundTrip after cancel = nil error, want one")
	}
}

func TestH1Fallback(t *testing.T) {
	s, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d", r.Method, len(b))
	})
	tr := newH1Transport(newTransport(false))
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader("body"))
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "POST 4" {
		t.Errorf("POST through the fallback = %q, want POST 4", b)
	}
}

func TestH1SweepsIdleConnections(t *testing.T) {
	s, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	tr := newH1Transport(newTransport(false))
	defer tr.CloseIdleConnections()
	get(t, tr, "GET", s.URL+"/")
	// Age the pooled connection, then let a put to another host sweep.
	tr.mu.Lock()
	for _, list := range tr.idle {
		for _, c := range list {
			c.idleAt = c.idleAt.Add(-2 * h1IdleTimeout)
		}
	}
	tr.lastSweep = tr.lastSweep.Add(-2 * h1IdleTimeout)
	tr.mu.Unlock()
	other, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	get(t, tr, "GET", other.URL+"/")
	tr.mu.Lock()
	defer tr.mu.Unlock()
	host := strings.TrimPrefix(s.URL, "http://")
	if n := len(tr.idle[host]); n != 0 {
		t.Errorf("idle connections to the first host = %d, want 0 after the sweep", n)
	}
	if n := len(tr.idle[strings.TrimPrefix(other.URL, "http://")]); n != 1 {
		t.Errorf("idle connections to the second host = %d, want 1", n)
	}
}
