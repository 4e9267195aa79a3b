package etcd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "/gantry/services/"

// Options configures New. The zero value is the default.
type Options struct {
	// Prefix is prepended to "<service>/<id>" (default DefaultPrefix).
	Prefix string
	// Resync is how often an Instancer checks that its watch still follows
	// the cluster (default 10s): if the cluster's revision went backwards
	// (etcd was restored or rebuilt empty) it lists and watches again.
	Resync time.Duration
	// Logger receives undecodable entries and watch restarts (default: discard).
	Logger *slog.Logger
}

// Registry is a discovery.Store on etcd and makes Instancers that watch it.
// It is safe for concurrent use and owns no goroutine; each Instancer owns
// one.
type Registry struct {
	cli    *clientv3.Client
	prefix string
	resync time.Duration
	log    *slog.Logger

	mu     sync.Mutex
	leases map[string]lease // by key
}

type lease struct {
	id   clientv3.LeaseID
	data []byte
}

// New returns a Registry using cli.
func New(cli *clientv3.Client, opts Options) *Registry {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Resync <= 0 {
		opts.Resync = 10 * time.Second
	}
	return &Registry{cli: cli, prefix: opts.Prefix, resync: opts.Resync, log: log, leases: map[string]lease{}}
}

func (r *Registry) key(service, id string) string { return r.prefix + service + "/" + id }

// Put implements discovery.Store: a keepalive on the instance's lease, then
// a write of the key if the record changed, the lease was lost, or the key
// is no longer there on this lease. The TTL is rounded up to whole seconds.
func (r *Registry) Put(ctx context.Context, inst discovery.Instance, ttl time.Duration) error {
	data, err := discovery.Marshal(inst)
	if err != nil {
		return err
	}
	k := r.key(inst.Service, inst.ID)
	r.mu.Lock()
	l, ok := r.leases[k]
	r.mu.Unlock()
	if ok {
		_, err := r.cli.KeepAliveOnce(ctx, l.id)
		switch {
		case errors.Is(err, rpctypes.ErrLeaseNotFound):
			ok = false
		case err != nil:
			return fmt.Errorf("etcd: keepalive %s: %w", k, err)
		}
	}
	if !ok {
		secs := max(1, int64((ttl+time.Second-1)/time.Second))
		g, err := r.cli.Grant(ctx, secs)
		if err != nil {
			return fmt.Errorf("etcd: grant lease for %s: %w", k, err)
		}
		l = lease{id: g.ID}
	}
	if bytes.Equal(l.data, data) {
		// Unchanged: write only if the key is gone or no longer on our
		// lease (deleted by hand, restored from a backup).
		_, err := r.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.LeaseValue(k), "=", l.id)).
			Else(clientv3.OpPut(k, string(data), clientv3.WithLease(l.id))).
			Commit()
		if err != nil {
			return fmt.Errorf("etcd: refresh %s: %w", k, err)
		}
	} else {
		if _, err := r.cli.Put(ctx, k, string(data), clientv3.WithLease(l.id)); err != nil {
			return fmt.Errorf("etcd: put %s: %w", k, err)
		}
		l.data = data
	}
	r.mu.Lock()
	r.leases[k] = l
	r.mu.Unlock()
	return nil
}

// Delete implements discovery.Store: it revokes the instance's lease, which
// deletes the key, or deletes the key if this Registry holds no lease for
// it.
func (r *Registry) Delete(ctx context.Context, inst discovery.Instance) error {
	k := r.key(inst.Service, inst.ID)
	r.mu.Lock()
	l, ok := r.leases[k]
	delete(r.leases, k)
	r.mu.Unlock()
	if ok {
		if _, err := r.cli.Revoke(ctx, l.id); err == nil || errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return nil
		}
	}
	if _, err := r.cli.Delete(ctx, k); err != nil {
		return fmt.Errorf("etcd: delete %s: %w", k, err)
	}
	return nil
}
