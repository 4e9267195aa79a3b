package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// A row is one server (or client pair) in the results table.
type row struct {
	key      string
	name     string
	load     string // "wrk", "grpc" or "events"
	baseline string // the key of the row its ratio is taken against
	tools    []string
	// setup starts what the row measures and says where to send load.
	setup func(ctx context.Context, e *env, s *shared) (target, error)
}

// target is where a row's load goes and whose CPU time is counted.
type target struct {
	url     string   // wrk
	headers []string // wrk: extra request header lines ("Name: value")
	addr    string   // grpcload
	args    []string
	pid     int
}

// shared holds servers several rows use: the backend behind every proxy
// and the NATS server behind the events rows.
type shared struct {
	backend    string
	backendPID int
	natsURL    string
	natsPID    int
}

const path = "/v1/hello/bench"

func (s *shared) startBackend(ctx context.Context, e *env) error {
	if s.backend != "" {
		return nil
	}
	bin, err := e.build(ctx, "./servers/bare")
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	pid, err := e.start("backend", nil, bin, "-listen", addr)
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, "http://"+addr+path); err != nil {
		return fmt.Errorf("%v\n%s", err, e.logTail("backend"))
	}
	s.backend, s.backendPID = addr, pid
	return nil
}

// simple is a row for a server in servers/ that takes -listen.
func simple(key, name, pkg string, extraEnv ...string) row {
	return row{key: key, name: name, load: "wrk", baseline: "bare", tools: []string{"wrk"},
		setup: func(ctx context.Context, e *env, s *shared) (target, error) {
			if key == "bare" {
				if err := s.startBackend(ctx, e); err != nil {
					return target{}, err
				}
				return target{url: "http://" + s.backend + path, pid: s.backendPID}, nil
			}
			bin, err := e.build(ctx, pkg)
			if err != nil {
				return target{}, err
			}
			addr, err := freeAddr()
			if err != nil {
				return target{}, err
			}
			args := []string{"-listen", addr}
			if pkg == "./servers/gantry" || strings.HasPrefix(pkg, "github.com/gantrykit/gantry/examples/") {
				admin, err := freeAddr()
				if err != nil {
					return target{}, err
				}
				args = []string{"-http-addr", addr, "-admin-addr", admin, "-drain-delay", "0"}
			}
			pid, err := e.start(key, extraEnv, bin, args...)
			if err != nil {
				return target{}, err
			}
			if err := waitHTTP(ctx, "http://"+addr+path); err != nil {
				return target{}, fmt.Errorf("%s: %v\n%s", key, err, e.logTail(key))
			}
			return target{url: "http://" + addr + path, pid: pid}, nil
		}}
}

// allRows is the results table, in order.
func allRows() []row {
	return []row{
		simple("bare", "bare net/http (ServeMux + encoding/json)", "./servers/bare"),
		simple("gokit", "go-kit transport/http", "./servers/gokit"),
		simple("gokit-chain", "go-kit + hand-wired breaker, metrics, tracing", "./servers/gokitchain"),
		simple("gin", "gin (release mode, Recovery)", "./servers/gin"),
		simple("gozero", "go-zero rest (its defaults: access log and a span per request)", "./servers/gozero"),
		simple("gozero-quiet", "go-zero rest, defaults but log level error (no access log), no dev server", "./servers/gozero", "BENCH_QUIET=1"),
		simple("kratos", "kratos http (Recovery)", "./servers/kratos"),
		simple("gantry-step1", "Gantry hello without middleware (examples/hello: kit + typed transport/http)", "github.com/gantrykit/gantry/examples/hello"),
		simple("gantry", "Gantry hello, full default chain, tracing unsampled", "./servers/gantry"),
		simple("gantry-sampled", "Gantry hello, full default chain, every call traced to a discarding exporter", "./servers/gantry",
			"BENCH_SPANS=discard", "GANTRY_MIDDLEWARE_TRACING_ROOT_SAMPLE_RATIO=1"),
		proxyRow("nginx", "nginx reverse proxy (1 worker, keepalive upstream)", startNginx),
		proxyRow("haproxy", "HAProxy reverse proxy (1 thread, http-reuse always)", startHAProxy),
		proxyRow("caddy", "Caddy reverse_proxy (one process, keep-alive pool)", startCaddy),
		proxyRow("httputil", "httputil.ReverseProxy (keep-alive pool 1024)", startHTTPUtil),
		proxyRow("gateway", "Gantry gateway, net/http front (gateway/cmd/gateway: JWT verified, metrics, unsampled span)", startGateway(false)),
		proxyRow("gateway-lane", "Gantry gateway, fast lane on (server.fast_lane: JWT verified, metrics, unsampled span)", startGateway(true)),
		grpcRow("grpc-plain", "plain grpc-go (Prices.GetPrice)", "./servers/grpcplain", false),
		grpcRow("grpc-gantry-transport", "Gantry gRPC transport only (grpct.Server + Handler as kit wires them: an unsampled span, metrics; no endpoint middleware)", "./servers/grpcgantry", false),
		grpcRow("grpc-gantry", "Gantry gRPC, full default chain (examples/grpc)", "github.com/gantrykit/gantry/examples/grpc", true),
		grpcRow("grpc-gozero", "go-zero zRPC, its defaults (a recorded span, request logged at info, metrics, breaker, shedding, timeout)", "./servers/grpczero", false),
		grpcRow("grpc-gozero-quiet", "go-zero zRPC, its defaults at log level error (what Gantry logs on success)", "./servers/grpczero", false, "BENCH_QUIET=1"),
		grpcRow("grpc-kratos", "kratos gRPC (Recovery, as its project layout wires it)", "./servers/grpckratos", false),
		grpcRow("grpc-kratos-chain", "kratos gRPC with middleware comparable to Gantry's chain (recovery, tracing unsampled, metrics, error logging, BBR limiter)", "./servers/grpckratos", false, "BENCH_CHAIN=1"),
		eventsRow("events-raw", "raw nats.go JetStream publish + consume", "raw"),
		eventsRow("events-gantry", "Gantry events typed publish + subscriber", "gantry"),
	}
}

func proxyRow(key, name string, start func(ctx context.Context, e *env, backend string) (addr string, pid int, headers []string, err error)) row {
	tools := []string{"wrk"}
	switch key {
	case "nginx", "haproxy", "caddy":
		tools = append(tools, key) // the Debian package's binary: the row is skipped without it
	}
	return row{key: key, name: name, load: "wrk", baseline: "bare", tools: tools,
		setup: func(ctx context.Context, e *env, s *shared) (target, error) {
			if err := s.startBackend(ctx, e); err != nil {
				return target{}, err
			}
			addr, pid, headers, err := start(ctx, e, s.backend)
			if err != nil {
				return target{}, err
			}
			if err := waitHTTP(ctx, "http://"+addr+path, headers...); err != nil {
				return target{}, fmt.Errorf("%s: %v\n%s", key, err, e.logTail(key))
			}
			return target{url: "http://" + addr + path, headers: headers, pid: pid}, nil
		}}
}

func startHTTPUtil(ctx context.Context, e *env, backend string) (string, int, []string, error) {
	bin, err := e.build(ctx, "./servers/proxy")
	if err != nil {
		return "", 0, nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", 0, nil, err
	}
	pid, err := e.start("httputil", nil, bin, "-listen", addr, "-target", "http://"+backend)
	return addr, pid, nil, err
}

func grpcRow(key, name, pkg string, kit bool, extraEnv ...string) row {
	return row{key: key, name: name, load: "grpc", baseline: "grpc-plain",
		setup: func(ctx context.Context, e *env, _ *shared) (target, error) {
			bin, err := e.build(ctx, pkg)
			if err != nil {
				return target{}, err
			}
			if _, err := e.build(ctx, "./cmd/grpcload"); err != nil {
				return target{}, err
			}
			addr, err := freeAddr()
			if err != nil {
				return target{}, err
			}
			args := []string{"-listen", addr}
			if kit {
				h, err1 := freeAddr()
				a, err2 := freeAddr()
				if err1 != nil || err2 != nil {
					return target{}, fmt.Errorf("no free port")
				}
				args = []string{"-grpc-addr", addr, "-http-addr", h, "-admin-addr", a, "-drain-delay", "0"}
			}
			pid, err := e.start(key, extraEnv, bin, args...)
			if err != nil {
				return target{}, err
			}
			if err := waitTCP(ctx, addr); err != nil {
				return target{}, fmt.Errorf("%s: %v\n%s", key, err, e.logTail(key))
			}
			return target{addr: addr, pid: pid}, nil
		}}
}

func eventsRow(key, name, mode string) row {
	return row{key: key, name: name, load: "events", baseline: "events-raw",
		setup: func(ctx context.Context, e *env, s *shared) (target, error) {
			if _, err := e.build(ctx, "./cmd/eventsload"); err != nil {
				return target{}, err
			}
			if s.natsURL == "" {
				bin, err := e.build(ctx, "./servers/natsserver")
				if err != nil {
					return target{}, err
				}
				addr, err := freeAddr()
				if err != nil {
					return target{}, err
				}
				_, port, _ := splitPort(addr)
				pid, err := e.start("nats", nil, bin, "-port", port, "-dir", filepath.Join(e.tmp, "jetstream"))
				if err != nil {
					return target{}, err
				}
				s.natsPID = pid
				if err := waitTCP(ctx, addr); err != nil {
					return target{}, fmt.Errorf("nats: %v\n%s", err, e.logTail("nats"))
				}
				s.natsURL = "nats://" + addr
			}
			return target{addr: s.natsURL, args: []string{"-mode", mode}, pid: s.natsPID}, nil
		}}
}
