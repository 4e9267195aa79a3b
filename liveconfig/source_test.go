package liveconfig_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/gantrykit/gantry/liveconfig"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// seen wraps a Source so that the test learns when a document has been
// handled: after each, Watch sends it on docs.
type seen struct {
	liveconfig.Source
	docs chan []byte
}

func (s seen) Watch(ctx context.Context, key string, fn func([]byte)) error {
	return s.Source.Watch(ctx, key, func(doc []byte) {
		fn(doc)
		s.docs <- doc
	})
}

// next waits for the next handled document; the timeout only keeps a
// broken watch from hanging the test.
func (s seen) next(t *testing.T) []byte {
	t.Helper()
	select {
	case doc := <-s.docs:
		return doc
	case <-time.After(20 * time.Second):
		t.Fatal("no document handled in 20s")
		return nil
	}
}

func startNATS(t *testing.T, dir string, port int) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready in 10s")
	}
	return srv
}

// runOverlay runs o over src until the test ends.
func runOverlay(t *testing.T, o *liveconfig.Overlay, src liveconfig.Source, key string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := o.Run(ctx, src, key); err != nil {
			t.Errorf("Run: got %v, want nil at the end", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func TestNATSKV(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir, -1)
	port := srv.Addr().(*net.TCPAddr).Port
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	nc, err := nats.Connect(srv.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	o, s := newOverlay(t)
	src := seen{liveconfig.NATSKV(js, ""), make(chan []byte, 16)}
	runOverlay(t, o, src, "orders")
	if doc := src.next(t); doc != nil {
		t.Fatalf("initial document: got %q, want nil (no key yet)", doc)
	}
	kv, err := js.KeyValue(t.Context(), liveconfig.DefaultBucket)
	if err != nil {
		t.Fatalf("bucket: got %v, want it created by the first watch", err)
	}

	put := func(doc string) {
		t.Helper()
		if _, err := kv.PutString(t.Context(), "orders", doc); err != nil {
			t.Fatal(err)
		}
		src.next(t)
	}
	put("service: {limit: 5}\ngantry: {features: {beta: true}}")
	if s.limit != 5 || !s.flags.Enabled("beta") {
		t.Errorf("after a put: got limit %v beta %v, want 5 and on", s.limit, s.flags.Enabled("beta"))
	}
	put("service: {limit: -1}")
	if s.limit != 5 || o.Status().Rejected == nil {
		t.Errorf("after a bad value: got limit %v, rejected %v; want 5 kept and a rejection", s.limit, o.Status().Rejected)
	}
	put("service: {limit: 5}\ngantry: {http_addr: ':9999'}")
	if st := o.Status(); st.Rejected != nil || len(st.NeedsRestart) != 1 || s.flags.Enabled("beta") {
		t.Errorf("after a static change: got status %+v, beta %v; want http_addr needing a restart and beta off", st, s.flags.Enabled("beta"))
	}

	// The server restarts (same store): the watch comes back on its own.
	srv.Shutdown()
	srv.WaitForShutdown()
	srv = startNATS(t, dir, port)
	// The first put may meet JetStream still recovering its streams: try
	// again until one is stored (that is not what this test is about).
	t0 := time.Now()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_, err := kv.PutString(ctx, "orders", "service: {limit: 6}")
		cancel()
		if err == nil {
			break
		}
		if i == 30 {
			t.Fatalf("put after the restart: %v", err)
		}
	}
	for string(src.next(t)) != "service: {limit: 6}" { // a re-watch may first repeat the last value
	}
	t.Logf("server restart: the change was applied %v after the restart", time.Since(t0))
	if s.limit != 6 {
		t.Errorf("after a restart of the server: got limit %v, want 6", s.limit)
	}

	if err := kv.Delete(t.Context(), "orders"); err != nil {
		t.Fatal(err)
	}
	for src.next(t) != nil {
	}
	if s.limit != 100 {
		t.Errorf("after delete: got limit %v, want the base 100", s.limit)
	}
}

func TestMemoryRun(t *testing.T) {
	var mem liveconfig.Memory
	mem.Set("orders", []byte("service: {limit: 3}"))
	o, s := newOverlay(t)
	src := seen{&mem, make(chan []byte, 16)}
	runOverlay(t, o, src, "orders")
	src.next(t)
	if s.limit != 3 {
		t.Errorf("initial: got limit %v, want 3", s.limit)
	}
	mem.Set("other", []byte("service: {limit: 4}"))
	mem.Set("orders", []byte("service: {limit: 9}"))
	if doc := src.next(t); string(doc) != "service: {limit: 9}" || s.limit != 9 {
		t.Errorf("got document %q limit %v, want only orders' change and 9", doc, s.limit)
	}
	mem.Set("orders", nil)
	if src.next(t); s.limit != 100 {
		t.Errorf("after delete: got limit %v, want 100", s.limit)
	}
}

// failing is a Source whose watch fails a number of times before it
// delegates.
type failing struct {
	liveconfig.Source
	mu    sync.Mutex
	fails int
}

func (f *failing) Watch(ctx context.Context, key string, fn func([]byte)) error {
	f.mu.Lock()
	if f.fails > 0 {
		f.fails--
		f.mu.Unlock()
		return errors.New("store unreachable")
	}
	f.mu.Unlock()
	return f.Source.Watch(ctx, key, fn)
}

func TestRunRetriesAFailedWatch(t *testing.T) {
	var mem liveconfig.Memory
	mem.Set("orders", []byte("service: {limit: 2}"))
	o, s := newOverlay(t)
	src := seen{&failing{Source: &mem, fails: 2}, make(chan []byte, 16)}
	runOverlay(t, o, src, "orders")
	if src.next(t); s.limit != 2 {
		t.Errorf("after two failed watches: got limit %v, want 2", s.limit)
	}
}
