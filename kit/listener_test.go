package kit

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// countingListener counts accepted connections and records its Shutdown.
type countingListener struct {
	net.Listener
	accepted atomic.Int32
	shutdown atomic.Bool
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

func (l *countingListener) Shutdown(context.Context) error {
	l.shutdown.Store(true)
	return nil
}

func TestWithHTTPListener(t *testing.T) {
	var wrapped *countingListener
	a := newTestApp(t, nil, nil, WithHTTPListener(func(ln net.Listener) net.Listener {
		wrapped = &countingListener{Listener: ln}
		return wrapped
	}))
	a.HTTP().HandleFunc("GET /hi", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hi")) })
	stop := start(t, a)
	res, err := http.Get("http://" + a.HTTPAddr() + "/hi")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || wrapped.accepted.Load() == 0 {
		t.Errorf("got %d with %d connections through the wrapper, want 200 and at least 1", res.StatusCode, wrapped.accepted.Load())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !wrapped.shutdown.Load() {
		t.Error("Run did not call the wrapper's Shutdown")
	}
}
