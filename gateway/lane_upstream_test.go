package gateway_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// rawUpstream answers every request on a connection with the next of
// answers, written as is; "" closes the connection, and so does writing
// an HTTP/1.0 answer.
func rawUpstream(t *testing.T, answers ...string) string {
	return "http://" + serveConns(t, func(c net.Conn, br *bufio.Reader) {
		for _, a := range answers {
			if _, err := http.ReadRequest(br); err != nil {
				return
			}
			if a == "" {
				return
			}
			if _, err := io.WriteString(c, a); err != nil || strings.HasPrefix(a, "HTTP/1.0") {
				return
			}
		}
	})
}

// serveConns listens on loopback and runs serve on a goroutine of its own
// for every connection, closing the connection after; the listener closes,
// and the accepting goroutine ends, when the test does. It returns the
// address.
func serveConns(t *testing.T, serve func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c, bufio.NewReader(c))
			}()
		}
	}()
	return ln.Addr().String()
}

// TestLaneResponseFraming: the lane relays every way an HTTP/1.1 answer
// can be framed, and keeps the client connection usable after each.
func TestLaneResponseFraming(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for _, c := range []struct {
		name, answer, method, body string
		trailer                    string
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "GET", "hello", ""},
		{"large body", "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + big, "GET", big, ""},
		{"chunked with trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n", "GET", "hello world", "42"},
		{"early hints first", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "GET", "ok", ""},
		{"head", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", "HEAD", "", ""},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", "DELETE", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			up := rawUpstream(t, c.answer, c.answer)
			fp, addr := laneGateway(t, replace(`
services: {u: {urls: ["URL"]}}
routes: [{name: u, prefix: /, service: u}]
`, "URL", up), gateway.ServerConfig{})
			req := c.method + " /x HTTP/1.1\r\nHost: a\r\n\r\n"
			for i, res := range exchange(t, addr, req+req, 2) {
				body, _ := io.ReadAll(res.Body)
				if res.StatusCode/100 != 2 || string(body) != c.body {
					t.Fatalf("answer %d: %d with %d bytes, want 2xx with %d", i+1, res.StatusCode, len(body), len(c.body))
				}
				if got := res.Trailer.Get("X-Sum"); got != c.trailer {
					t.Errorf("answer %d: trailer X-Sum %q, want %q", i+1, got, c.trailer)
				}
			}
			if served, handed := fp.Counts(); served != 2 || handed != 0 {
				t.Errorf("lane served %d, handed over %d; want 2 and 0", served, handed)
			}
		})
	}
}

// TestLaneUntilClose: an HTTP/1.0 upstream answer without a length ends at
// the upstream's close; the lane tells the client so and closes too.
func TestLaneUntilClose(t *testing.T) {
	up := rawUpstream(t, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until close", "")
	_, addr := laneGateway(t, replace(`
services: {u: {urls: ["URL"]}}
routes: [{name: u, prefix: /, service: u}]
`, "URL", up), gateway.ServerConfig{})
	res := exchange(t, addr, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", 1)[0]
	body, _ := io.ReadAll(res.Body)
	if string(body) != "streamed until close" || !res.Close {
		t.Errorf("got %q, close %v; want the whole body and Connection: close", body, res.Close)
	}
}

// TestLaneStaleUpstreamConnection: an instance that closes a keep-alive
// connection after each answer costs the client nothing: the request goes
// again on a new connection.
func TestLaneStaleUpstreamConnection(t *testing.T) {
	up := rawUpstream(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "")
	_, addr := laneGateway(t, replace(`
services: {u: {urls: ["URL"]}}
routes: [{name: u, prefix: /, service: u, retries: 0}]
`, "URL", up), gateway.ServerConfig{})
	req := "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
	for i, res := range exchange(t, addr, req+req+req, 3) {
		if res.StatusCode != 200 {
			t.Errorf("answer %d: %d, want 200", i+1, res.StatusCode)
		}
	}
}

// TestLaneSlowAnswer: an answer whose head, or body, comes in pieces
// further apart than the lane's looks at the client (250 ms) is relayed
// whole, not cut at the first look.
func TestLaneSlowAnswer(t *testing.T) {
	t.Parallel()
	up := serveConns(t, func(c net.Conn, br *bufio.Reader) {
		for {
			if _, err := http.ReadRequest(br); err != nil {
				return
			}
			for _, part := range []string{"HTTP/1.1 200 OK\r\nContent-", "Length: 4\r\n\r\nab", "cd"} {
				if _, err := io.WriteString(c, part); err != nil {
					return
				}
				time.Sleep(300 * time.Millisecond)
			}
		}
	})
	_, addr := laneGateway(t, replace(`
services: {u: {urls: ["http://ADDR"]}}
routes: [{name: u, prefix: /, service: u, retries: 0}]
`, "ADDR", up), gateway.ServerConfig{})
	for i, res := range exchange(t, addr, "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n", 2) {
		if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || string(b) != "abcd" {
			t.Errorf("answer %d: %d %q, want 200 \"abcd\"", i+1, res.StatusCode, b)
		}
	}
}
