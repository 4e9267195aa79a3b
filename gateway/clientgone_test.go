package gateway_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestClientHangUpCancelsUpstream: a client that hangs up while its
// request waits on a slow instance ends the attempt, and the instance sees
// its request cancelled long before the route timeout, on both fronts (the
// lane looks at the client while it waits; net/http cancels the request).
func TestClientHangUpCancelsUpstream(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	ended := make(chan error, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
			ended <- r.Context().Err()
		case <-time.After(20 * time.Second):
			ended <- nil
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(slow.Close)
	_, gw := start(t, replace(`
services:
  slow: {urls: ["SLOW"]}
routes:
  - {name: slow, prefix: /slow, service: slow, timeout: 30s, retries: 2}
`, "SLOW", slow.URL))

	c, err := net.Dial("tcp", gw.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("GET /slow/x HTTP/1.1\r\nHost: gw\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	select {
	case <-arrived:
	case <-ctx.Done():
		t.Fatal("the request never reached the instance")
	}
	c.Close()
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("the instance answered after 20 s: the client's hang-up never reached it")
		}
	case <-ctx.Done():
		t.Fatal("the instance's request was not cancelled within 15 s of the client hanging up (route timeout 30 s)")
	}
	select {
	case <-arrived:
		t.Error("the request was retried after its client hung up")
	case <-time.After(300 * time.Millisecond):
	}
}
