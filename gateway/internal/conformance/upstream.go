package conformance

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Received is one request an upstream read, with net/http's ReadRequest
// (the reading of an ordinary Go service), and the bytes it took.
type Received struct {
	Method, Target  string
	Header, Trailer http.Header
	Body            []byte
	Raw             []byte // the request's bytes as received, head and body
	Err             error  // the request did not parse
	// Aborted: the head parsed but the body ended early, as when a front
	// stops a request whose body broke its framing half-way. Nothing
	// after the break arrived: safe, but not a request to serve.
	Aborted bool
	// Tunnel: bytes received after the upstream switched protocols, each
	// read recorded as it comes in an entry of its own, Method "TUNNEL".
	Tunnel []byte
	tunnel func([]byte)
}

func (r Received) String() string {
	if r.Err != nil {
		return fmt.Sprintf("unparsed (%v) %q", r.Err, r.Raw)
	}
	if r.Aborted {
		return fmt.Sprintf("%s %s, aborted after %q", r.Method, r.Target, r.Body)
	}
	if len(r.Body) > 0 {
		return fmt.Sprintf("%s %s %q", r.Method, r.Target, r.Body)
	}
	return r.Method + " " + r.Target
}

// upstream is a raw TCP server that records every request it reads and
// answers it: the echo upstream echoes the target, the script upstream
// answers as a vector's Script says.
type upstream struct {
	ln     net.Listener
	answer func(c net.Conn, br *bufio.Reader, rec *Received) bool // false: close the connection
	mu     sync.Mutex
	got    []Received
	conns  map[net.Conn]struct{}
	// answering counts the answers being written, a script's sleeps
	// and late bytes included (under mu).
	answering int
	wg        sync.WaitGroup
}

func newUpstream(t testing.TB, answer func(net.Conn, *bufio.Reader, *Received) bool) *upstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{ln: ln, answer: answer, conns: map[net.Conn]struct{}{}}
	u.wg.Go(u.accept)
	t.Cleanup(u.close)
	return u
}

func (u *upstream) addr() string { return u.ln.Addr().String() }

func (u *upstream) accept() {
	for {
		c, err := u.ln.Accept()
		if err != nil {
			return
		}
		u.mu.Lock()
		u.conns[c] = struct{}{}
		u.mu.Unlock()
		u.wg.Go(func() { u.serve(c) })
	}
}

// serve reads requests off c until it fails or an answer ends it.
func (u *upstream) serve(c net.Conn) {
	defer func() {
		c.Close()
		u.mu.Lock()
		delete(u.conns, c)
		u.mu.Unlock()
	}()
	cr := &capture{r: c}
	br := bufio.NewReader(cr)
	for {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := br.Peek(1); err != nil {
			return
		}
		start := cr.n - br.Buffered()
		rec := Received{}
		req, err := http.ReadRequest(br)
		if err == nil {
			rec.Method, rec.Target, rec.Header = req.Method, req.RequestURI, req.Header
			var berr error
			rec.Body, berr = io.ReadAll(req.Body)
			rec.Trailer = req.Trailer
			rec.Aborted = berr != nil
		}
		rec.Err = err
		rec.Raw = cr.since(start, br.Buffered())
		if err != nil || rec.Aborted {
			u.record(rec)
			return
		}
		u.record(rec) // before the answer: the next request may come on another connection
		rec.tunnel = func(b []byte) {
			u.record(Received{Method: "TUNNEL", Target: rec.Target, Header: rec.Header, Tunnel: bytes.Clone(b)})
		}
		u.mu.Lock()
		u.answering++
		u.mu.Unlock()
		more := u.answer(c, br, &rec)
		u.mu.Lock()
		u.answering--
		u.mu.Unlock()
		if !more {
			return
		}
	}
}

// answered waits until no answer is being written, so that the late
// bytes of a script have been sent, for at most d; it reports whether
// the answers ended in time.
func (u *upstream) answered(d time.Duration) bool {
	for end := time.Now().Add(d); ; time.Sleep(5 * time.Millisecond) {
		u.mu.Lock()
		n := u.answering
		u.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

func (u *upstream) record(r Received) {
	u.mu.Lock()
	u.got = append(u.got, r)
	u.mu.Unlock()
}

// take returns what was received since the last take.
func (u *upstream) take() []Received {
	u.mu.Lock()
	defer u.mu.Unlock()
	got := u.got
	u.got = nil
	return got
}

// closeIdle closes every connection, so a vector starts with no pooled
// connection the front could reuse from the one before.
func (u *upstream) closeConns() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		c.Close()
	}
}

func (u *upstream) close() {
	u.ln.Close()
	u.closeConns()
	u.wg.Wait()
}

// capture keeps every byte read through it.
type capture struct {
	r   io.Reader
	buf []byte
	n   int
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	c.n += n
	return n, err
}

// since returns the bytes from start up to what the reader consumed
// (all read but the buffered rest).
func (c *capture) since(start, buffered int) []byte {
	end := c.n - buffered
	return bytes.Clone(c.buf[start:end])
}

// echo answers every request with its own target: status 200, the
// target in X-Echo-Path and in the body, the request's X-Id in X-Echo-Id.
// It agrees to every upgrade it is offered (h2c included), as the
// upstreams in the advisories did, and then records the tunnel's bytes:
// a front that relays the offer opens a tunnel past its routing. A
// WebSocket offer without Sec-WebSocket-Key gets 426 and the connection
// stays open, as servers do.
func echo(c net.Conn, br *bufio.Reader, r *Received) bool {
	if up := r.Header.Get("Upgrade"); up != "" {
		if strings.EqualFold(up, "websocket") && r.Header.Get("Sec-WebSocket-Key") == "" {
			fmt.Fprint(c, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n")
			return true
		}
		fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", up)
		buf := make([]byte, 4096)
		_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		for {
			n, err := br.Read(buf)
			if n > 0 {
				r.tunnel(buf[:n])
				_, _ = c.Write(buf[:n]) // echo, as a WebSocket echo server
			}
			if err != nil {
				return false
			}
		}
	}
	body := r.Target
	if r.Method == http.MethodHead {
		body = ""
	}
	fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Echo-Path: %s\r\nX-Echo-Id: %s\r\nContent-Length: %d\r\n\r\n%s",
		r.Target, r.Header.Get("X-Id"), len(r.Target), body)
	return true
}

// Step is one thing the script upstream does in answer to a request.
type Step struct {
	Write string        // raw bytes; "{id}" is replaced by the request's X-Id
	Sleep time.Duration // then wait
	Close bool          // then close the connection
}

// script answers a request for /script/<name>[/...] with the steps of
// the vector named name; /script/echo... is answered as echo does.
func script(vectors map[string][]Step) func(net.Conn, *bufio.Reader, *Received) bool {
	return func(c net.Conn, br *bufio.Reader, r *Received) bool {
		name := strings.TrimPrefix(r.Target, "/script/")
		if i := strings.IndexAny(name, "/?"); i >= 0 {
			name = name[:i]
		}
		steps, ok := vectors[name]
		if !ok {
			return echo(c, br, r)
		}
		for _, s := range steps {
			if s.Write != "" {
				if _, err := io.WriteString(c, strings.ReplaceAll(s.Write, "{id}", r.Header.Get("X-Id"))); err != nil {
					return false
				}
			}
			time.Sleep(s.Sleep)
			if s.Close {
				return false
			}
		}
		return true
	}
}
