package static

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gantrykit/gantry/discovery"
)

// Registry is an in-process registry: a discovery.Store whose records live
// in memory and expire after their TTL, and the Instancers that watch it.
// Use it in tests and when every service runs in one process. It is safe for
// concurrent use; Close stops its expiry timers.
type Registry struct {
	mu       sync.Mutex
	closed   bool
	gen      uint64 // counts Puts, so a late timer knows it was replaced
	services map[string]*service
}

type service struct {
	cache   *discovery.Cache
	entries map[string]*entry
}

type entry struct {
	inst  discovery.Instance
	timer *time.Timer
	gen   uint64 // which Put armed timer
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{services: map[string]*service{}}
}

// ErrClosed is returned by Put on a closed Registry.
var ErrClosed = errors.New("static: registry closed")

func (r *Registry) service(name string) *service {
	s := r.services[name]
	if s == nil {
		s = &service{cache: discovery.NewCache(), entries: map[string]*entry{}}
		r.services[name] = s
	}
	return s
}

// Put implements discovery.Store: the record expires ttl after the last Put
// (ttl ≤ 0 means never).
func (r *Registry) Put(ctx context.Context, inst discovery.Instance, ttl time.Duration) error {
	if err := inst.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	s := r.service(inst.Service)
	e := s.entries[inst.ID]
	if e == nil {
		e = &entry{}
		s.entries[inst.ID] = e
	}
	e.inst = inst
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	r.gen++
	e.gen = r.gen
	if ttl > 0 {
		gen := e.gen
		e.timer = time.AfterFunc(ttl, func() { r.expire(inst.Service, inst.ID, gen) })
	}
	r.publish(s)
	return nil
}

// expire removes a record whose timer fired, unless a later Put re-armed
// it.
func (r *Registry) expire(svc, id string, gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.services[svc]
	if s == nil || s.entries[id] == nil || s.entries[id].gen != gen {
		return
	}
	delete(s.entries, id)
	r.publish(s)
}

// Delete implements discovery.Store. Deleting an absent record is not an
// error.
func (r *Registry) Delete(ctx context.Context, inst discovery.Instance) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.services[inst.Service]
	if s == nil || s.entries[inst.ID] == nil {
		return nil
	}
	if t := s.entries[inst.ID].timer; t != nil {
		t.Stop()
	}
	delete(s.entries, inst.ID)
	r.publish(s)
	return nil
}

func (r *Registry) publish(s *service) {
	insts := make([]discovery.Instance, 0, len(s.entries))
	for _, e := range s.entries {
		insts = append(insts, e.inst)
	}
	s.cache.Update(insts)
}

// Instancer returns the Instancer of one service: it sees every Put and
// Delete at once. All Instancers of a service share state; their Stop does
// nothing.
func (r *Registry) Instancer(svc string) discovery.Instancer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.service(svc).cache
}

// Close stops every expiry timer; records stay as they are and later Puts
// fail with ErrClosed.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, s := range r.services {
		for _, e := range s.entries {
			if e.timer != nil {
				e.timer.Stop()
			}
		}
	}
}
