package liveconfig

import (
	"context"
	"slices"
	"sync"
)

// Memory is a Source held in memory: for tests, and for applications that
// change their own settings from code or an admin endpoint. The zero value
// is empty and ready; it is safe for concurrent use.
type Memory struct {
	mu       sync.Mutex
	values   map[string][]byte
	watchers map[*memWatch]struct{}
}

type memWatch struct {
	key     string
	notify  chan struct{} // capacity 1
	pending [][]byte      // guarded by Memory.mu
}

// Set stores value at key (nil deletes it) and tells the key's watchers.
// Memory keeps its own copy of value.
func (m *Memory) Set(key string, value []byte) {
	value = slices.Clone(value)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string][]byte{}
	}
	if value == nil {
		delete(m.values, key)
	} else {
		m.values[key] = value
	}
	for w := range m.watchers {
		if w.key == key {
			w.pending = append(w.pending, value)
			select {
			case w.notify <- struct{}{}:
			default:
			}
		}
	}
}

// Watch implements Source.
func (m *Memory) Watch(ctx context.Context, key string, fn func([]byte)) error {
	w := &memWatch{key: key, notify: make(chan struct{}, 1)}
	m.mu.Lock()
	if m.watchers == nil {
		m.watchers = map[*memWatch]struct{}{}
	}
	m.watchers[w] = struct{}{}
	w.pending = [][]byte{m.values[key]}
	w.notify <- struct{}{}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.watchers, w)
		m.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.notify:
			m.mu.Lock()
			batch := w.pending
			w.pending = nil
			m.mu.Unlock()
			for _, v := range batch {
				fn(v)
			}
		}
	}
}
