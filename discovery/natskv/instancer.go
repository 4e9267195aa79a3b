package natskv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// instancer follows one service in the bucket; Stop ends its goroutine
// and waits for it.
type instancer struct {
	*discovery.Cache
	r       *Registry
	service string
	cancel  context.CancelFunc
	done    chan struct{}
}

// ErrDisconnected is the error of the sd.Event sent while the NATS
// connection is down.
var ErrDisconnected = errors.New("natskv: disconnected from NATS")

// Instancer starts watching service. The first set arrives once the watch
// has delivered the bucket's current keys for it. Stop ends the watch and
// its goroutine.
func (r *Registry) Instancer(service string) (discovery.Instancer, error) {
	if err := (discovery.Instance{Service: service, ID: "x", Address: "x"}).Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instancer{Cache: discovery.NewCache(), r: r, service: service, cancel: cancel, done: make(chan struct{})}
	go in.run(ctx)
	return in, nil
}

// Stop implements sd.Instancer.
func (in *instancer) Stop() {
	in.cancel()
	<-in.done
}

type entry struct {
	inst    discovery.Instance
	created time.Time
}

// run watches until ctx ends, starting a fresh watch after every reconnect
// or watch failure.
func (in *instancer) run(ctx context.Context) {
	defer close(in.done)
	nc := in.r.js.Conn()
	status := nc.StatusChanged(nats.CONNECTED, nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED)
	defer nc.RemoveStatusListener(status)
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		err := in.watch(ctx, status)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			in.r.log.Debug("natskv watch ended", "service", in.service, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
	}
}

// watch runs one watch. It returns nil when the connection came back (so
// the caller re-watches at once) and an error when the watch failed.
func (in *instancer) watch(ctx context.Context, status chan nats.Status) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := in.r.kv.Watch(wctx, in.service+".*")
	if err != nil {
		in.Fail(fmt.Errorf("natskv: watch %s: %w", in.service, err))
		return err
	}
	defer func() { _ = w.Stop() }()
	entries := map[string]entry{}
	synced := false
	sweep := time.NewTimer(time.Hour)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case st := <-status:
			if st != nats.CONNECTED {
				in.Fail(ErrDisconnected)
				continue
			}
			return nil // reconnected: watch again from the current state
		case <-sweep.C:
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("natskv: watcher closed")
			}
			if e == nil {
				synced = true
				break
			}
			in.apply(entries, e)
		}
		if synced {
			in.publish(entries, sweep)
		}
	}
}

func (in *instancer) apply(entries map[string]entry, e jetstream.KeyValueEntry) {
	id := strings.TrimPrefix(e.Key(), in.service+".")
	if e.Operation() != jetstream.KeyValuePut {
		delete(entries, id)
		return
	}
	inst, err := discovery.Unmarshal(e.Value())
	if err != nil || inst.Service != in.service || inst.ID != id {
		in.r.log.Warn("natskv: ignoring a bad registry entry", "key", e.Key(), "err", err)
		delete(entries, id)
		return
	}
	entries[id] = entry{inst: inst, created: e.Created()}
}

// publish sends the live entries to the cache. In fallback mode it drops
// entries older than the bucket TTL and arms sweep for the next expiry.
func (in *instancer) publish(entries map[string]entry, sweep *time.Timer) {
	now := time.Now()
	next := time.Duration(-1)
	insts := make([]discovery.Instance, 0, len(entries))
	for id, e := range entries {
		if !in.r.perKeyTTL {
			left := in.r.staleTTL - now.Sub(e.created)
			if left <= 0 {
				delete(entries, id)
				continue
			}
			if next < 0 || left < next {
				next = left
			}
		}
		insts = append(insts, e.inst)
	}
	in.Update(insts)
	if next >= 0 {
		sweep.Reset(next)
	}
}
