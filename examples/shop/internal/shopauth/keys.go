package shopauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gantrykit/gantry/discovery"
)

// DiscoveryScheme is the scheme of a key-set URL whose host is a service
// name in discovery rather than an address: discovery://user/.well-known/jwks.json
// is the user service's key set from whichever of its replicas answers
// (see Transport).
const DiscoveryScheme = "discovery"

// DefaultJWKSURL is the user service's key set through discovery: every
// verifier of the shop's tokens reads it from any live user replica.
const DefaultJWKSURL = DiscoveryScheme + "://user" + JWKSPath

// Resolver returns an Instancer of service (natskit's NATS.Instancer).
type Resolver func(ctx context.Context, service string) (discovery.Instancer, error)

// Transport sends a request for a discovery:// URL to the instances of the
// service the URL names, one after another in random order, until one
// answers below 500: losing a replica, or the one a fixed URL named, costs
// a verifier one failed attempt, not its keys. Only requests without a
// body (the key set's GET) are sent to more than one instance. Other URLs
// go to Base (default http.DefaultTransport). Its Instancers are made on
// first use, with Resolve, and stopped by Close.
type Transport struct {
	Resolve Resolver
	Base    http.RoundTripper

	mu    sync.Mutex
	insts map[string]discovery.Instancer
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if req.URL.Scheme != DiscoveryScheme {
		return base.RoundTrip(req)
	}
	if req.Body != nil && req.Body != http.NoBody {
		req.Body.Close()
		return nil, fmt.Errorf("shopauth: %s: only a request without a body is sent through discovery", req.URL)
	}
	addrs, err := t.instances(req.Context(), req.URL.Host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		r, err := retarget(req, a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		resp, err := base.RoundTrip(r)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			err = fmt.Errorf("%s: status %s", a, resp.Status)
		}
		errs = append(errs, err)
		if req.Context().Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("shopauth: no instance of %s answered %s: %w", req.URL.Host, req.URL.Path, errors.Join(errs...))
}

// retarget is req sent to the instance at addr (a base URL or host:port).
func retarget(req *http.Request, addr string) (*http.Request, error) {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil {
		return nil, fmt.Errorf("instance address %q: %w", addr, err)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, ""
	return r, nil
}

// instances returns the addresses of service's instances, shuffled,
// waiting (within ctx, at most 5 s) for a new Instancer's first set.
func (t *Transport) instances(ctx context.Context, service string) ([]string, error) {
	t.mu.Lock()
	in, ok := t.insts[service]
	if !ok {
		var err error
		if in, err = t.Resolve(ctx, service); err != nil {
			t.mu.Unlock()
			return nil, fmt.Errorf("shopauth: discovery of %s: %w", service, err)
		}
		if t.insts == nil {
			t.insts = map[string]discovery.Instancer{}
		}
		t.insts[service] = in
	}
	t.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		if set := in.Instances(); len(set) > 0 {
			addrs := make([]string, len(set))
			for i, s := range set {
				addrs[i] = s.Address
			}
			rand.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
			return addrs, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("shopauth: no instance of %s in discovery: %w", service, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close stops the Instancers; a later request makes new ones.
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, in := range t.insts {
		in.Stop()
	}
	t.insts = nil
	return nil
}
