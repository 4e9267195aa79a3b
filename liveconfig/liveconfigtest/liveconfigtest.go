// Package liveconfigtest is the conformance suite of liveconfig.Source
// stores, and a recorder that tells a test when an overlay document has
// been handled. discovery/natskv's and discovery/etcd's ConfigSource and
// liveconfig.Memory all pass Run.
package liveconfigtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/liveconfig"
)

// Recorder wraps a Source: after the overlay has handled each document,
// Watch hands it to Next and Until.
type Recorder struct {
	liveconfig.Source
	docs chan []byte
}

// Record returns a Recorder over src.
func Record(src liveconfig.Source) *Recorder { return &Recorder{src, make(chan []byte, 64)} }

// Watch is the Source's Watch, recording each document after fn.
func (r *Recorder) Watch(ctx context.Context, key string, fn func([]byte)) error {
	return r.Source.Watch(ctx, key, func(doc []byte) {
		fn(doc)
		r.docs <- doc
	})
}

// Next waits for the next handled document; the 20 s timeout only keeps
// a broken watch from hanging the test.
func (r *Recorder) Next(t testing.TB) []byte {
	t.Helper()
	select {
	case doc := <-r.docs:
		return doc
	case <-time.After(20 * time.Second):
		t.Fatal("no document handled in 20s")
		return nil
	}
}

// Until waits for the document want ("" for none) to be handled, skipping
// others: a watch started again may first repeat the last value.
func (r *Recorder) Until(t testing.TB, want string) {
	t.Helper()
	for string(r.Next(t)) != want {
	}
}

// Store is what Run needs of a store.
type Store struct {
	// Source reads the store.
	Source liveconfig.Source
	// Put writes doc at key, and Delete removes key, through another
	// client; both may retry as long as the store needs after a restart.
	Put    func(t testing.TB, key, doc string)
	Delete func(t testing.TB, key string)
	// Restart, if not nil, restarts the store keeping its data; the
	// source must follow changes made after it without being told.
	Restart func(t testing.TB)
}

// Run checks that an Overlay over s.Source sees nothing at a new key, then
// each document put, keeps its settings when one is rejected, follows the
// store across a restart and returns to the base value when the key is
// deleted.
func Run(t *testing.T, s Store) {
	var mu sync.Mutex
	limit := 0.0
	got := func() float64 { mu.Lock(); defer mu.Unlock(); return limit }
	o := liveconfig.New(nil)
	liveconfig.Dynamic(o, "service.limit", 100.0, func(v float64) error {
		if v <= 0 {
			return errors.New("must be positive")
		}
		return nil
	}, func(v float64) { mu.Lock(); limit = v; mu.Unlock() })

	src := Record(s.Source)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := o.Run(ctx, src, "orders"); err != nil {
			t.Errorf("Run: got %v, want nil at the end", err)
		}
	})
	defer func() { cancel(); wg.Wait() }()
	if doc := src.Next(t); doc != nil {
		t.Fatalf("initial document: got %q, want nil (no key yet)", doc)
	}

	put := func(doc string) { t.Helper(); s.Put(t, "orders", doc); src.Until(t, doc) }
	put("service: {limit: 5}")
	if got() != 5 {
		t.Errorf("after a put: got limit %v, want 5", got())
	}
	put("service: {limit: -1}")
	if got() != 5 || o.Status().Rejected == nil {
		t.Errorf("after a bad value: got limit %v, rejected %v; want 5 kept and a rejection", got(), o.Status().Rejected)
	}
	if s.Restart != nil {
		s.Restart(t)
		put("service: {limit: 6}")
		if got() != 6 {
			t.Errorf("after a restart of the store: got limit %v, want 6", got())
		}
	}
	s.Delete(t, "orders")
	src.Until(t, "")
	if got() != 100 {
		t.Errorf("after delete: got limit %v, want the base 100", got())
	}
}
