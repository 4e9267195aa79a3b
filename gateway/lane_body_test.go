package gateway_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// bodyEcho is an upstream that answers with the method, the
// Content-Length it saw and the body it read.
func bodyEcho(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Length", strconv.FormatInt(r.ContentLength, 10))
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestLaneBodies: POST, PUT and PATCH with a Content-Length body that fits
// the lane's buffer are served by the lane, body intact, also when the
// body comes in a later packet and when a bodiless request follows on the
// same connection.
func TestLaneBodies(t *testing.T) {
	up := bodyEcho(t)
	fp, addr := laneGateway(t, replace(`
services: {u: {urls: ["URL"]}}
routes: [{name: u, prefix: /api, service: u}]
`, "URL", up.URL), gateway.ServerConfig{})

	body := strings.Repeat("0123456789", 500) // 5,000 bytes
	raw := "POST /api/orders HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{\"a\"" +
		"PUT /api/orders/1 HTTP/1.1\r\nHost: a\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body +
		"GET /api/orders/1 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"PATCH /api/orders/1 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n" +
		"POST /api/empty HTTP/1.1\r\nHost: a\r\n\r\n"
	want := []struct{ method, length, body string }{
		{"POST", "4", `{"a"`}, {"PUT", strconv.Itoa(len(body)), body}, {"GET", "0", ""}, {"PATCH", "0", ""}, {"POST", "0", ""},
	}
	for i, res := range exchange(t, addr, raw, len(want)) {
		got, _ := io.ReadAll(res.Body)
		w := want[i]
		if res.StatusCode != 200 || res.Header.Get("X-Method") != w.method || res.Header.Get("X-Length") != w.length || string(got) != w.body {
			t.Errorf("answer %d: %d %s length %s body %d bytes; want 200 %s length %s body %d bytes",
				i+1, res.StatusCode, res.Header.Get("X-Method"), res.Header.Get("X-Length"), len(got), w.method, w.length, len(w.body))
		}
	}
	if served, handed := fp.Counts(); served != int64(len(want)) || handed != 0 {
		t.Errorf("lane served %d, handed over %d; want %d and 0", served, handed, len(want))
	}

	// The body in a later packet than the head.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := io.WriteString(c, " world"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	if string(got) != "hello world" {
		t.Errorf("split body: got %q, want %q", got, "hello world")
	}
	if served, handed := fp.Counts(); served != int64(len(want))+1 || handed != 0 {
		t.Errorf("split body: lane served %d, handed over %d; want %d and 0", served, handed, len(want)+1)
	}
}

// TestLaneBodyHandoffs: bodies the lane does not take go to net/http, which
// answers as it always did, body intact; nothing is consumed twice.
func TestLaneBodyHandoffs(t *testing.T) {
	up := bodyEcho(t)
	fp, addr := laneGateway(t, replace(`
services: {u: {urls: ["URL"]}}
routes:
  - {name: u, prefix: /api, service: u}
  - {name: small, prefix: /small, service: u, max_body: 10}
`, "URL", up.URL), gateway.ServerConfig{})
	big := strings.Repeat("b", 10<<10)
	// final reads the first answer that is not 1xx.
	final := func(raw string) *http.Response {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, raw); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode >= 200 {
				b, _ := io.ReadAll(res.Body)
				res.Body = io.NopCloser(strings.NewReader(string(b)))
				return res
			}
		}
	}
	// Ambiguous framing is refused by the lane itself (400, then close);
	// the rest reaches net/http.
	handed := int64(0)
	for _, c := range []struct {
		name, raw string
		status    int
		body      string
		refused   bool
	}{
		{"body over the lane's buffer", "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big, 200, big, false},
		{"chunked", "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 200, "abc", false},
		{"Expect", "POST /api/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc", 200, "abc", false},
		{"over max_body", "POST /small/x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world", 413, "", false},
		{"signed length", "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400, "", true},
		{"two lengths", "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, "", true},
		{"length and chunked", "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "", true},
		{"GET with a body", "GET /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 200, "abc", false},
	} {
		res := final(c.raw)
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode != c.status || c.status == 200 && string(got) != c.body {
			t.Errorf("%s: %d with %d bytes, want %d with %d", c.name, res.StatusCode, len(got), c.status, len(c.body))
		}
		if c.refused && !res.Close {
			t.Errorf("%s: 400 without Connection: close", c.name)
		}
		if !c.refused {
			handed++
		}
		if served, h := fp.Counts(); served != 0 || h != handed {
			t.Errorf("%s: lane served %d, handed over %d; want 0 and %d", c.name, served, h, handed)
		}
	}
}

// TestLanePostOnClosedUpstreamConnection: a POST without an
// Idempotency-Key is never sent twice, so the lane does not send it on a
// pooled connection the instance has already closed: it takes a new one.
func TestLanePostOnClosedUpstreamConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	var conns atomic.Int64
	closed := make(chan struct{}, 8)
	go func() { // answers one request per connection, then closes it while idle
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer func() {
					c.Close()
					select {
					case closed <- struct{}{}:
					default:
					}
				}()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	fp, addr := laneGateway(t, replace(`
services: {u: {urls: ["http://ADDR"]}}
routes: [{name: u, prefix: /, service: u, retries: 2}]
`, "ADDR", ln.Addr().String()), gateway.ServerConfig{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 3 {
		if i > 0 {
			select { // the instance has closed the connection the last POST left idle in the pool
			case <-closed:
			case <-time.After(10 * time.Second):
				t.Fatalf("POST %d: the instance never closed its connection", i)
			}
		}
		res := exchangeOn(t, c, "POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
		if res == nil {
			t.FailNow()
		}
		if res.StatusCode != 200 {
			t.Errorf("POST %d: %d, want 200", i+1, res.StatusCode)
		}
	}
	if served, _ := fp.Counts(); served != 3 {
		t.Errorf("lane served %d, want 3", served)
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("the instance saw %d connections, want 3 (one per POST)", n)
	}
}
