package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
)

// serve runs h with NewServer's limits on a loopback listener.
func serve(t *testing.T, h http.Handler, c gateway.ServerConfig) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := gateway.NewServer(h, c, nil)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return l.Addr().String()
}

func TestServerLimits(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	addr := serve(t, ok, gateway.ServerConfig{MaxHeaderBytes: 1024, ReadHeaderTimeout: 100 * time.Millisecond})

	req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 8<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("8 KiB header: status = %d, want 431", res.StatusCode)
	}

	// Slowloris: a client that never finishes its headers is cut off.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: x\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = bufio.NewReader(conn).ReadString('\n')
	if err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("half-sent headers: read err = %v, want the server to close the connection", err)
	}
}

// TestH2CUpstream proxies to an instance that speaks cleartext HTTP/2 only.
func TestH2CUpstream(t *testing.T) {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &http.Server{Protocols: &p, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
	})}
	done := make(chan struct{})
	go func() { defer close(done); _ = up.Serve(l) }()
	t.Cleanup(func() { up.Close(); <-done })

	_, gw := start(t, replace(`
services: {h2: {urls: ["http://ADDR"], h2c: true}}
routes: [{name: h2, prefix: /, service: h2}]
`, "ADDR", l.Addr().String()))
	for i := 0; i < 3; i++ {
		res, _, body := do(t, "GET", gw.URL+"/x", nil, "")
		if res.StatusCode != 200 || body != "HTTP/2.0 /x" {
			t.Fatalf("status %d body %q, want 200 from an HTTP/2.0 upstream", res.StatusCode, body)
		}
	}
}
