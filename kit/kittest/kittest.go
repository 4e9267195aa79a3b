// Package kittest runs kit Apps in tests: on loopback port 0, without
// signal handling, stopped when the test ends.
//
//	a := kit.New("orders", kit.WithArgs(kittest.Args()), kit.WithoutSignals(), kit.WithGetenv(env))
//	stop := kittest.Start(t, a)
//	// ... call a.HTTPAddr() ...
//	if err := stop(); err != nil { t.Fatal(err) }
package kittest

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
)

// App is what Start needs of a *kit.App.
type App interface {
	Run(ctx context.Context) error
	Started() <-chan struct{}
}

// Args returns flags that bind the service, admin and gRPC listeners on
// 127.0.0.1 port 0, with no drain delay and a 5 s shutdown timeout, then
// extra.
func Args(extra ...string) []string {
	return append([]string{"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-grpc-addr=127.0.0.1:0",
		"-drain-delay=0s", "-shutdown-timeout=5s"}, extra...)
}

// Start runs a in a goroutine and waits until it serves; if Run returns
// first, the test fails with its error. The returned stop ends Run and
// returns its error; it may be called more than once, and is called when
// the test ends.
func Start(t testing.TB, a App) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	select {
	case <-a.Started():
	case err := <-errc:
		cancel()
		t.Fatalf("Run: got error %v before starting, want it to serve", err)
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-errc })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// Get requests url with http.Get and returns the status code and body;
// the test fails if the request or the read fails.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading: %v", url, err)
	}
	return resp.StatusCode, string(b)
}
