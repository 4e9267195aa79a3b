package kit

import (
	"context"
	"maps"
	"net"
	"strings"
	"time"

	"github.com/gantrykit/gantry/discovery"
)

// Registration says how the App appears in discovery. The zero value
// registers the service listener under the App's name and instance ID.
type Registration struct {
	// Address is what clients dial. Default: http:// (https:// with
	// gantry.tls) and the bound service listener's host:port; an
	// unspecified host (":8080") is replaced by the first non-loopback IP
	// address of the machine, or 127.0.0.1 if it has none.
	Address string
	// GRPC, if set and serving (Addr is not ""), adds its address
	// (advertised like Address) as the "grpc" transport: a
	// *grpckit.Server.
	GRPC interface{ Addr() string }
	// Transports, Zone and Metadata are copied into the Instance.
	Transports map[string]string
	Zone       string
	Metadata   map[string]string
	// Options sets the TTL and heartbeat (default discovery.DefaultTTL and
	// TTL/3) and is given the App's logger.
	Options discovery.RegistrarOptions
}

// Register makes the App register itself in store once it is ready (an
// OnReady hook: the service listener serves and every readiness check has
// passed) and deregister FIRST when shutdown begins (an OnDrain hook, before
// readiness turns 503 and before the drain delay), so that no client is
// routed to an instance that is draining. If the registry is unreachable
// when the App becomes ready, Register keeps trying, with back-off up to
// 5s, until it succeeds or shutdown begins; the App serves meanwhile.
// Instance IDs and service names are made registry-safe: characters outside
// [A-Za-z0-9_=-] become '-'. Call it before Run.
func (a *App) Register(store discovery.Store, r Registration) {
	opts := r.Options
	if opts.Logger == nil {
		opts.Logger = a.logger
	}
	var reg *discovery.Registrar
	a.OnReady("discovery", func(ctx context.Context) error {
		inst := discovery.Instance{
			Service: registrySafe(a.name), ID: registrySafe(a.instance), Address: r.Address,
			Transports: r.Transports, Version: a.version, Zone: r.Zone, Metadata: r.Metadata,
		}
		if inst.Address == "" {
			inst.Address = a.advertiseURL()
		}
		if r.GRPC != nil && r.GRPC.Addr() != "" {
			inst.Transports = maps.Clone(r.Transports)
			if inst.Transports == nil {
				inst.Transports = map[string]string{}
			}
			inst.Transports["grpc"] = advertise(r.GRPC.Addr())
		}
		reg = discovery.NewRegistrar(store, inst, opts)
		wait := 100 * time.Millisecond
		for {
			err := reg.Start(ctx)
			if err == nil {
				a.logger.Info("registered in discovery", "service", inst.Service, "id", inst.ID, "address", inst.Address)
				return nil
			}
			a.logger.Warn("discovery registration failed; retrying", "error", err, "retry_in", wait)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				reg = nil
				return nil
			case <-t.C:
			}
			wait = min(2*wait, 5*time.Second)
		}
	})
	a.OnDrain("discovery", func(ctx context.Context) error {
		if reg == nil { // never registered
			return nil
		}
		return reg.Stop(ctx)
	})
}

func (a *App) advertiseURL() string {
	scheme := "http://"
	if a.cfg.TLS.CertFile != "" {
		scheme = "https://"
	}
	return scheme + advertise(a.HTTPAddr())
}

// advertise replaces an unspecified host in a bound address with this
// machine's address.
func advertise(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = advertiseIP()
	}
	return net.JoinHostPort(host, port)
}

// advertiseIP returns the first global unicast address of the machine,
// preferring IPv4, or 127.0.0.1.
func advertiseIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "127.0.0.1"
	}
	var v6 string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || !ipn.IP.IsGlobalUnicast() {
			continue
		}
		if ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
		if v6 == "" {
			v6 = ipn.IP.String()
		}
	}
	if v6 != "" {
		return v6
	}
	return "127.0.0.1"
}

func registrySafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '=', r == '-':
			return r
		}
		return '-'
	}, s)
}
