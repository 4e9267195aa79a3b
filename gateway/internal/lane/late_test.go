package lane

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// lateGateway serves every request on the lane with one attempt that
// started late before its send: delay before now, as when the request's
// goroutine waited that long for a core on a loaded machine, or its JWT
// check and admission took that long.
type lateGateway struct {
	upstream string
	delay    time.Duration
	errs     chan error
}

func (g *lateGateway) Route(*Request) bool { return true }

func (g *lateGateway) Serve(r *Request) {
	now := time.Now()
	res := r.Exchange(&Exchange{Addr: g.upstream, Path: r.Path(), RequestID: "rid", Replayable: true,
		Start: now.Add(-g.delay), HeadDeadline: now.Add(5 * time.Second), Deadline: now.Add(5 * time.Second)})
	if res.Err != nil {
		g.errs <- res.Err
		r.Answer(http.StatusBadGateway, nil, nil)
	}
	r.Finished(time.Now())
}

// TestExchangeStartedLate: an attempt whose start lies further back than
// the look at the client (clientCheck) is sent and answered, on a new
// upstream connection and on a pooled one. The look's deadline was counted
// from the attempt's start, so it had passed before the send, and the
// socket refused to send: under overload in bench/, where goroutines wait
// that long for the core, the lane answered hundreds of requests a round
// with errors and the net/http front none.
func TestExchangeStartedLate(t *testing.T) {
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	go func() {
		for {
			c, err := up.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
						return
					}
				}
			}()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gw := &lateGateway{upstream: up.Addr().String(), delay: 2 * clientCheck, errs: make(chan error, 10)}
	l := Listen(ln, gw, Config{})
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.Shutdown(ctx)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i, conn := range []string{"a new upstream connection", "a pooled one"} {
		if _, err := io.WriteString(c, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		select {
		case err := <-gw.errs:
			t.Fatalf("on %s: the attempt failed (%v), the client got %d %q", conn, err, res.StatusCode, body)
		default:
		}
		if res.StatusCode != http.StatusOK || !strings.EqualFold(string(body), "ok") {
			t.Fatalf("on %s: %d %q, want 200 ok", conn, res.StatusCode, body)
		}
	}
}
