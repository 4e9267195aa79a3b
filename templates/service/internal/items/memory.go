package items

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Memory is a Repository in process memory: the default when no database
// is configured, and the fake in tests. The zero value is not ready; use
// NewMemory.
type Memory struct {
	mu    sync.RWMutex
	byID  map[string]Item
	order []string // IDs, oldest first
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{byID: map[string]Item{}} }

// Create implements Repository.
func (m *Memory) Create(_ context.Context, it Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[it.ID]; ok {
		return fmt.Errorf("%w: id %s exists", ErrInvalid, it.ID)
	}
	m.byID[it.ID] = it
	m.order = append(m.order, it.ID)
	return nil
}

// Get implements Repository.
func (m *Memory) Get(_ context.Context, id string) (Item, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	it, ok := m.byID[id]
	if !ok {
		return Item{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return it, nil
}

// List implements Repository.
func (m *Memory) List(_ context.Context, limit int) ([]Item, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Item, 0, min(limit, len(m.order)))
	for _, id := range slices.Backward(m.order) {
		if len(out) == limit {
			break
		}
		out = append(out, m.byID[id])
	}
	return out, nil
}
