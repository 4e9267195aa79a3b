package natskit

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/liveconfig"
)

// Register is App.Register with the NATS key-value registry
// (discovery/natskv, default bucket, n.Replicas() copies) over n: the default when the App has a
// NATS connection, since it needs no other infrastructure. The bucket is
// bound when the App becomes ready, after n has connected; deregistration
// runs in the drain, before n is closed. Call it before Run.
func (n *NATS) Register(r kit.Registration) {
	n.app.Register(&natsStore{n: n}, r)
}

// Instancer returns an Instancer of service from the NATS key-value
// registry (default bucket), for clients: build a discovery/lb Balancer on
// it. Call it once n is connected (from a start hook added after New, or
// later); the caller stops the Instancer.
func (n *NATS) Instancer(ctx context.Context, service string) (discovery.Instancer, error) {
	reg, err := n.registry(ctx)
	if err != nil {
		return nil, err
	}
	return reg.Instancer(service)
}

// ConfigSource returns the liveconfig.Source of bucket
// (natskv.DefaultConfigBucket if "", n.Replicas() copies) over n, for App.WatchConfig: the
// zero-extra-infrastructure home of configuration overlays, next to the
// NATS KV registry. The connection is taken when the watch starts, after
// the start hooks have connected it.
func (n *NATS) ConfigSource(bucket string) liveconfig.Source { return configSource{n, bucket} }

type configSource struct {
	n      *NATS
	bucket string
}

func (s configSource) Watch(ctx context.Context, key string, fn func([]byte)) error {
	js := s.n.JetStream()
	if js == nil {
		return errNotConnected
	}
	return natskv.ConfigSource(js, natskv.ConfigOptions{Bucket: s.bucket, Replicas: s.n.Replicas()}).Watch(ctx, key, fn)
}

var errNotConnected = errors.New("natskit: NATS is not connected yet")

func (n *NATS) registry(ctx context.Context) (*natskv.Registry, error) {
	js := n.JetStream()
	if js == nil {
		return nil, errNotConnected
	}
	return natskv.New(ctx, js, natskv.Options{Replicas: n.Replicas(), Logger: n.app.Logger()})
}

// natsStore is a discovery.Store that binds the registry on first use.
type natsStore struct {
	n   *NATS
	mu  sync.Mutex
	reg *natskv.Registry
}

func (s *natsStore) registry(ctx context.Context) (*natskv.Registry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reg == nil {
		reg, err := s.n.registry(ctx)
		if err != nil {
			return nil, err
		}
		s.reg = reg
	}
	return s.reg, nil
}

func (s *natsStore) Put(ctx context.Context, in discovery.Instance, ttl time.Duration) error {
	reg, err := s.registry(ctx)
	if err != nil {
		return err
	}
	return reg.Put(ctx, in, ttl)
}

func (s *natsStore) Delete(ctx context.Context, in discovery.Instance) error {
	reg, err := s.registry(ctx)
	if err != nil {
		return err
	}
	return reg.Delete(ctx, in)
}
