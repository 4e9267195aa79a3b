package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gantrykit/gantry/discovery"
)

// Resolver is the part of *net.Resolver the instancers use.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DefaultInterval is the re-resolution interval when Options.Interval is 0.
const DefaultInterval = 5 * time.Second

// Options configures NewSRV and NewA. The zero value is the default.
type Options struct {
	// Resolver answers the lookups (default net.DefaultResolver).
	Resolver Resolver
	// Interval between lookups (default DefaultInterval). Each lookup gets
	// one interval, at least 2s, to answer.
	Interval time.Duration
	// ResolveTargets makes NewSRV look up each SRV target's A/AAAA records
	// and publish "ip:port" instead of "target:port".
	ResolveTargets bool
	// Logger receives failed lookups (default: discard).
	Logger *slog.Logger
}

// Instancer re-resolves one name on an interval. It implements
// discovery.Instancer; Stop ends its goroutine and waits for it.
type Instancer struct {
	*discovery.Cache
	service string
	lookup  func(context.Context) ([]string, error)
	opts    Options
	cancel  context.CancelFunc
	done    chan struct{}
}

// NewSRV follows the SRV records of name (for example
// "_http._tcp.orders.shop.svc.cluster.local."); each record becomes the
// address "target:port" (or "ip:port" with Options.ResolveTargets). It
// resolves once before returning, so the first event already holds the
// answer.
func NewSRV(service, name string, opts Options) *Instancer {
	in := newInstancer(service, opts)
	in.lookup = func(ctx context.Context) ([]string, error) {
		_, srvs, err := in.opts.Resolver.LookupSRV(ctx, "", "", name)
		if err != nil {
			return nil, err
		}
		addrs := make([]string, 0, len(srvs))
		for _, s := range srvs {
			if !in.opts.ResolveTargets {
				addrs = append(addrs, net.JoinHostPort(strings.TrimSuffix(s.Target, "."), strconv.Itoa(int(s.Port))))
				continue
			}
			ips, err := in.opts.Resolver.LookupNetIP(ctx, "ip", s.Target)
			if err != nil {
				return nil, err
			}
			for _, ip := range ips {
				addrs = append(addrs, netip.AddrPortFrom(ip.Unmap(), s.Port).String())
			}
		}
		return addrs, nil
	}
	return in.start()
}

// NewA follows the A and AAAA records of host; each address becomes
// "ip:port" ("[ip6]:port"). It resolves once before returning.
func NewA(service, host string, port uint16, opts Options) *Instancer {
	in := newInstancer(service, opts)
	in.lookup = func(ctx context.Context) ([]string, error) {
		ips, err := in.opts.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		addrs := make([]string, 0, len(ips))
		for _, ip := range ips {
			addrs = append(addrs, netip.AddrPortFrom(ip.Unmap(), port).String())
		}
		return addrs, nil
	}
	return in.start()
}

func newInstancer(service string, opts Options) *Instancer {
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Instancer{Cache: discovery.NewCache(), service: service, opts: opts, done: make(chan struct{})}
}

func (in *Instancer) start() *Instancer {
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel = cancel
	in.resolve(ctx)
	go in.run(ctx)
	return in
}

// Stop implements sd.Instancer: it ends the instancer's goroutine and
// waits for it. A lookup in flight is cancelled; the net package may
// still finish it in the background, until the resolver's own timeout
// (resolv.conf's, 5 s by default), and drops the answer.
func (in *Instancer) Stop() {
	in.cancel()
	<-in.done
}

func (in *Instancer) run(ctx context.Context) {
	defer close(in.done)
	t := time.NewTicker(in.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			in.resolve(ctx)
		}
	}
}

func (in *Instancer) resolve(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, max(in.opts.Interval, 2*time.Second))
	defer cancel()
	addrs, err := in.lookup(ctx)
	if parent.Err() != nil {
		return // stopping
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		addrs, err = nil, nil
	}
	if err != nil {
		in.opts.Logger.Warn("dns lookup failed", "service", in.service, "err", err)
		in.Fail(fmt.Errorf("dns: %s: %w", in.service, err))
		return
	}
	insts := make([]discovery.Instance, 0, len(addrs))
	for _, a := range addrs {
		insts = append(insts, discovery.Instance{Service: in.service, ID: a, Address: a})
	}
	in.Update(insts)
}
