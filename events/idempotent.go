package events

import (
	"context"
	"sync"
)

// Store records which events a service has applied. A service implements it
// on its own database, so that recording the ID and applying the event
// commit together: in SQL, insert the ID into a processed_events table
// with a unique key and run apply in the same transaction.
type Store interface {
	// Once runs apply unless id is already recorded, and records id if and
	// only if apply returns nil. It reports whether apply ran and
	// succeeded. Concurrent calls with one id must not both run apply.
	Once(ctx context.Context, id string, apply func(context.Context) error) (applied bool, err error)
}

// Idempotent wraps h so that an event whose ID store has already recorded
// is acknowledged without running h again: a redelivery (after a crash
// between applying and acking) or a duplicate published outside the
// stream's duplicate window is applied once. Events without an ID are
// handled every time.
func Idempotent[T any](store Store, h Handler[T]) Handler[T] {
	return func(ctx context.Context, ev Event[T]) error {
		if ev.ID == "" {
			return h(ctx, ev)
		}
		_, err := store.Once(ctx, ev.ID, func(ctx context.Context) error { return h(ctx, ev) })
		return err
	}
}

// MemoryStore is a Store in process memory, for tests and examples: it
// forgets everything on restart, so it cannot make a real service
// idempotent. The zero value is ready; it is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	done map[string]bool
	busy map[string]*sync.Mutex
}

// Once implements Store.
func (m *MemoryStore) Once(ctx context.Context, id string, apply func(context.Context) error) (bool, error) {
	m.mu.Lock()
	if m.done == nil {
		m.done, m.busy = map[string]bool{}, map[string]*sync.Mutex{}
	}
	l := m.busy[id]
	if l == nil {
		l = &sync.Mutex{}
		m.busy[id] = l
	}
	m.mu.Unlock()

	l.Lock() // one apply per id at a time
	defer l.Unlock()
	m.mu.Lock()
	seen := m.done[id]
	m.mu.Unlock()
	if seen {
		return false, nil
	}
	if err := apply(ctx); err != nil {
		return false, err
	}
	m.mu.Lock()
	m.done[id] = true
	delete(m.busy, id)
	m.mu.Unlock()
	return true, nil
}

// Len returns how many event IDs are recorded.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.done)
}
