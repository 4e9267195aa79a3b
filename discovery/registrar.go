package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Store is the write side of a registry backend.
//
// Put creates or refreshes inst so that the registry drops it after ttl
// unless Put is called again; calling Put with changed fields updates the
// record. After the registry lost the record (it restarted empty, the lease
// expired) Put must create it again. Delete removes it. Both must be safe
// for concurrent use and return when ctx is done.
type Store interface {
	Put(ctx context.Context, inst Instance, ttl time.Duration) error
	Delete(ctx context.Context, inst Instance) error
}

// Defaults for RegistrarOptions.
const (
	DefaultTTL = 10 * time.Second
)

// RegistrarOptions tunes a Registrar. The zero value is the default.
type RegistrarOptions struct {
	// TTL is how long the registry keeps the instance without a heartbeat
	// (default DefaultTTL). Clients see a dead instance leave within about
	// TTL after its last heartbeat.
	TTL time.Duration
	// Heartbeat is the interval between refreshes (default TTL/3, so two
	// heartbeats may be lost before the instance expires).
	Heartbeat time.Duration
	// Logger receives failed heartbeats and recoveries (default: discard).
	Logger *slog.Logger
}

// Registrar keeps one Instance registered in a Store: Start registers it and
// starts a goroutine that refreshes it every heartbeat, registering it again
// whenever the registry comes back after an outage; Stop ends that goroutine
// and deregisters. A Registrar is safe for concurrent use; it can be started
// once.
type Registrar struct {
	store Store
	opts  RegistrarOptions
	log   *slog.Logger

	mu      sync.Mutex
	inst    Instance
	started bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// NewRegistrar returns a Registrar for inst in store. It does nothing until
// Start.
func NewRegistrar(store Store, inst Instance, opts RegistrarOptions) *Registrar {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Heartbeat <= 0 || opts.Heartbeat >= opts.TTL {
		opts.Heartbeat = opts.TTL / 3
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Registrar{store: store, inst: inst, opts: opts, log: log}
}

// Start registers the instance and starts heartbeating. It returns the error
// of the first registration (an invalid instance, an unreachable registry),
// in which case nothing keeps running and Start may be called again. Each
// write, the first and every heartbeat, is bounded by the TTL.
func (r *Registrar) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return errors.New("discovery: registrar already started")
	}
	if err := r.inst.Validate(); err != nil {
		return err
	}
	if err := r.put(ctx, r.inst); err != nil {
		return fmt.Errorf("discovery: register %s/%s: %w", r.inst.Service, r.inst.ID, err)
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	r.started, r.cancel, r.done = true, cancel, make(chan struct{})
	go r.loop(loopCtx, r.done)
	return nil
}

// Update replaces the registered record (same Service and ID) and writes it
// at once; later heartbeats keep the new value. On a write error the new
// value is still kept and written by the next heartbeat.
func (r *Registrar) Update(ctx context.Context, inst Instance) error {
	if err := inst.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	if inst.Service != r.inst.Service || inst.ID != r.inst.ID {
		r.mu.Unlock()
		return fmt.Errorf("%w: update must keep service and id %s/%s", ErrInvalidInstance, r.inst.Service, r.inst.ID)
	}
	r.inst = inst
	started := r.started
	r.mu.Unlock()
	if !started {
		return nil
	}
	return r.put(ctx, inst)
}

// Stop ends the heartbeat goroutine and waits for it, then deregisters the
// instance within ctx. If ctx is already done Stop does not deregister: the
// record then expires after TTL, as if the process had died. Stop on a
// Registrar that was not started does nothing.
func (r *Registrar) Stop(ctx context.Context) error {
	r.mu.Lock()
	if !r.started {
		r.mu.Unlock()
		return nil
	}
	r.started = false
	r.cancel()
	done, inst := r.done, r.inst
	r.mu.Unlock()
	<-done
	if ctx.Err() != nil {
		return nil
	}
	if err := r.store.Delete(ctx, inst); err != nil {
		return fmt.Errorf("discovery: deregister %s/%s: %w", inst.Service, inst.ID, err)
	}
	return nil
}

// put bounds one write by the TTL: a write that takes longer is useless,
// the record has expired meanwhile.
func (r *Registrar) put(ctx context.Context, inst Instance) error {
	ctx, cancel := context.WithTimeout(ctx, r.opts.TTL)
	defer cancel()
	return r.store.Put(ctx, inst, r.opts.TTL)
}

// loop refreshes the record every heartbeat. After a failure it retries
// sooner, with back-off from 50ms up to the heartbeat interval, so that an
// instance is back in the registry soon after the registry is.
func (r *Registrar) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	wait, failing := r.opts.Heartbeat, false
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r.mu.Lock()
		inst := r.inst
		r.mu.Unlock()
		err := r.put(ctx, inst)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				r.log.Warn("discovery heartbeat failed", "service", inst.Service, "id", inst.ID, "err", err)
				wait = 50 * time.Millisecond
			} else {
				wait = min(2*wait, r.opts.Heartbeat)
			}
			failing = true
		default:
			if failing {
				r.log.Info("discovery heartbeat recovered", "service", inst.Service, "id", inst.ID)
			}
			failing, wait = false, r.opts.Heartbeat
		}
		timer.Reset(wait)
	}
}
