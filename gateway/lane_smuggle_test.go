package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// scriptedUpstream answers the n-th request (from 0) on each connection
// with answer(req, n), written as is; "" closes the connection. It records
// every request line it read.
type scriptedUpstream struct {
	addr  string
	mu    sync.Mutex
	lines []string
}

func newScriptedUpstream(t *testing.T, answer func(req *http.Request, body string, n int) string) *scriptedUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &scriptedUpstream{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(c)
				for n := 0; ; n++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					body, _ := io.ReadAll(req.Body)
					u.mu.Lock()
					u.lines = append(u.lines, req.Method+" "+req.URL.RequestURI())
					u.mu.Unlock()
					a := answer(req, string(body), n)
					if a == "" {
						return
					}
					if _, err := io.WriteString(c, a); err != nil {
						return
					}
				}
			}()
		}
	}()
	return u
}

func (u *scriptedUpstream) requests() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.lines...)
}

func laneTo(t *testing.T, upstream string) (*gateway.FastPath, string) {
	return laneGateway(t, replace(`
services: {u: {urls: ["http://ADDR"]}}
routes: [{name: u, prefix: /, service: u, retries: 0}]
`, "ADDR", upstream), gateway.ServerConfig{})
}

func ok(body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// TestLaneConnectionCannotRemoveFraming: a Connection field naming
// Content-Length (issue 15, item 1), Host or a field the gateway sets or
// verifies is refused with 400 and the connection closed, so no body can
// be sent as a second request; one naming an end-to-end field removes it.
func TestLaneConnectionCannotRemoveFraming(t *testing.T) {
	hidden := "GET /admin HTTP/1.1\r\nHost: u\r\nX-Gantry-Claims: forged\r\n\r\n"
	up := newScriptedUpstream(t, func(req *http.Request, body string, _ int) string {
		return ok(req.URL.Path + " " + body + " " + req.Header.Get("X-A"))
	})
	_, addr := laneTo(t, up.addr)
	for _, conn := range []string{"content-length", "close, content-length", "keep-alive, Content-Length", "Host", "Authorization", "X-Request-Id", "x-gantry-claims"} {
		raw := fmt.Sprintf("POST /x HTTP/1.1\r\nHost: a\r\nConnection: %s\r\nContent-Length: %d\r\n\r\n%s", conn, len(hidden), hidden)
		wantRefused(t, addr, raw)
	}
	if r := up.requests(); len(r) != 0 {
		t.Errorf("the upstream read %q, want nothing", r)
	}
	res := exchange(t, addr, "POST /y HTTP/1.1\r\nHost: a\r\nConnection: X-A\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi", 1)
	if b, _ := io.ReadAll(res[0].Body); string(b) != "/y hi " {
		t.Errorf("got %q, want the body and no X-A", b)
	}
}

// TestLaneRefusesLengthWithChunked: Content-Length with Transfer-Encoding
// gets 400 and a closed connection (item 7); nothing reaches the upstream.
func TestLaneRefusesLengthWithChunked(t *testing.T) {
	up := newScriptedUpstream(t, func(*http.Request, string, int) string { return ok("x") })
	_, addr := laneTo(t, up.addr)
	for _, raw := range []string{
		"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n0\r\n\r\n",
	} {
		wantRefused(t, addr, raw)
	}
	if r := up.requests(); len(r) != 0 {
		t.Errorf("the upstream read %q, want nothing", r)
	}
}

// TestLaneNeverPoolsSurplus: an upstream that sends more than it framed (a
// body on 204, HEAD or 304, a body past its Content-Length, an answer
// nobody asked for) cannot poison another client's answer (item 2): two
// clients on keep-alive connections at once each get only their own.
func TestLaneNeverPoolsSurplus(t *testing.T) {
	poison := "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nforeign"
	up := newScriptedUpstream(t, func(req *http.Request, _ string, n int) string {
		own := req.Header.Get("X-Client") + " " + req.URL.Path
		switch n % 4 {
		case 1:
			return "HTTP/1.1 204 No Content\r\n\r\n" + poison
		case 2:
			return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s%s", len(own), own, poison)
		}
		return ok(own)
	})
	_, addr := laneTo(t, up.addr)
	var foreign atomic.Int64
	var wg sync.WaitGroup
	for _, name := range []string{"alice", "bob"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(c)
			for i := range 30 {
				path := fmt.Sprintf("/%s/%d", name, i)
				if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: a\r\nX-Client: %s\r\n\r\n", path, name); err != nil {
					t.Error(err)
					return
				}
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Errorf("%s %d: %v", name, i, err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode == 200 && string(b) != name+" "+path {
					foreign.Add(1)
					t.Errorf("%s asked for %s and got %q", name, path, b)
				}
			}
		}()
	}
	wg.Wait()
	if n := foreign.Load(); n != 0 {
		t.Errorf("%d foreign answers, want 0", n)
	}
}

// TestLaneResponseFramingRefused: an answer framed ambiguously (item 6:
// a signed length, a chunk size after whitespace, a Content-Length its own
// Connection names) never reaches the client as a well-formed answer: 502
// before its head, a cut connection after.
func TestLaneResponseFramingRefused(t *testing.T) {
	for _, c := range []struct{ name, answer string }{
		{"signed length", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"},
		{"length list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"},
		{"length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
		{"chunk size after a space", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n"},
		{"chunk size 0x", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"},
		{"gzip, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
		{"Connection names the length", "HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello"},
		{"chunked in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			up := newScriptedUpstream(t, func(*http.Request, string, int) string { return c.answer })
			_, addr := laneTo(t, up.addr)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			_, _ = io.WriteString(conn, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				return // cut: fine
			}
			b, err := io.ReadAll(res.Body)
			if err == nil && res.StatusCode == 200 {
				t.Errorf("relayed %d %q as a whole answer, want 502 or a cut", res.StatusCode, b)
			}
		})
	}
}

// TestLaneSeesBytesWhileWaiting: a pipelined request, or the client's FIN,
// that arrives while the lane waits on the upstream is seen once the
// answer is written (item 5), not at the idle timeout.
func TestLaneSeesBytesWhileWaiting(t *testing.T) {
	up := newScriptedUpstream(t, func(req *http.Request, _ string, _ int) string {
		time.Sleep(150 * time.Millisecond)
		return ok(req.URL.Path)
	})
	_, addr := laneTo(t, up.addr)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // far below the idle timeout (2 min)
	_, _ = io.WriteString(c, "GET /one HTTP/1.1\r\nHost: a\r\n\r\n")
	time.Sleep(50 * time.Millisecond) // the lane now waits on the upstream
	_, _ = io.WriteString(c, "GET /two HTTP/1.1\r\nHost: a\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"/one", "/two"} {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("waiting for %s's answer: %v", want, err)
		}
		if b, _ := io.ReadAll(res.Body); string(b) != want {
			t.Errorf("got %q, want %q", b, want)
		}
	}
	// The FIN: sent while the upstream works on /three.
	_, _ = io.WriteString(c, "GET /three HTTP/1.1\r\nHost: a\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	_ = c.(*net.TCPConn).CloseWrite()
	if _, err := io.ReadAll(br); err != nil {
		t.Errorf("after the client's FIN: %v, want the gateway to close the connection", err)
	}
}

// wantRefused sends raw on a connection of its own and checks that the
// gateway answers one 400 and closes the connection.
func wantRefused(t *testing.T, addr, raw string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(c, raw)
	all, err := io.ReadAll(c) // until the gateway closes
	if err != nil || !strings.HasPrefix(string(all), "HTTP/1.1 400 ") || strings.Count(string(all), "HTTP/1.1") != 1 {
		t.Errorf("%q: got %q (%v), want one 400 and the connection closed", raw, all, err)
	}
}
