package etcd_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery/etcd"
	"github.com/gantrykit/gantry/liveconfig"
)

// seenSource tells the test when a document has been handled.
type seenSource struct {
	liveconfig.Source
	docs chan []byte
}

func (s seenSource) Watch(ctx context.Context, key string, fn func([]byte)) error {
	return s.Source.Watch(ctx, key, func(doc []byte) { fn(doc); s.docs <- doc })
}

// until waits for the document want to be handled; the timeout only keeps
// a broken watch from hanging the test.
func (s seenSource) until(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case doc := <-s.docs:
			if string(doc) == want {
				return
			}
		case <-deadline:
			t.Fatalf("document %q not handled in 30s", want)
		}
	}
}

func TestConfigSource(t *testing.T) {
	srv := startEtcd(t)
	cli := srv.newClient()
	defer cli.Close()

	limit := 0.0
	var mu sync.Mutex
	o := liveconfig.New(nil)
	liveconfig.Dynamic(o, "service.limit", 100.0, func(v float64) error {
		if v <= 0 {
			return errors.New("must be positive")
		}
		return nil
	}, func(v float64) { mu.Lock(); limit = v; mu.Unlock() })
	got := func() float64 { mu.Lock(); defer mu.Unlock(); return limit }

	src := seenSource{etcd.ConfigSource(cli, ""), make(chan []byte, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = o.Run(ctx, src, "orders") })
	defer func() { cancel(); wg.Wait() }()
	src.until(t, "")

	put := func(doc string) {
		t.Helper()
		for i := 0; ; i++ { // after a restart the first put may find no leader yet
			pctx, pcancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := cli.Put(pctx, etcd.DefaultConfigPrefix+"orders", doc)
			pcancel()
			if err == nil {
				break
			}
			if i == 15 {
				t.Fatalf("put: %v", err)
			}
		}
		src.until(t, doc)
	}
	put("service: {limit: 5}")
	if got() != 5 {
		t.Errorf("after a put: got limit %v, want 5", got())
	}
	put("service: {limit: 0}")
	if got() != 5 || o.Status().Rejected == nil {
		t.Errorf("after a bad value: got limit %v, rejected %v; want 5 kept and a rejection", got(), o.Status().Rejected)
	}

	srv.restart()
	put("service: {limit: 7}")
	if got() != 7 {
		t.Errorf("after an etcd restart: got limit %v, want 7", got())
	}

	if _, err := cli.Delete(context.Background(), etcd.DefaultConfigPrefix+"orders"); err != nil {
		t.Fatal(err)
	}
	src.until(t, "")
	if got() != 100 {
		t.Errorf("after delete: got limit %v, want the base 100", got())
	}
}
