package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
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
		proxyRow("httputil", "httputil.ReverseProxy (keep-alive pool 1024)", startHTTPUtil),
		proxyRow("gateway", "Gantry gateway (gateway/cmd/gateway: JWT verified, metrics, unsampled span, fast lane)", startGateway),
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
	if key == "nginx" {
		tools = append(tools, "nginx")
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

// startGateway runs the gateway command as the goal sets it: a
// JWT verified on every request (HS256; wrk sends the token), metrics,
// and an unsampled span per request with traceparent forwarded.
func startGateway(ctx context.Context, e *env, backend string) (string, int, []string, error) {
	bin, err := e.build(ctx, "github.com/gantrykit/gantry/gateway/cmd/gateway")
	if err != nil {
		return "", 0, nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", 0, nil, err
	}
	admin, err := freeAddr()
	if err != nil {
		return "", 0, nil, err
	}
	routes := filepath.Join(e.tmp, "routes.yaml")
	conf := fmt.Sprintf(`server: {listen: %q}
services: {hello: {urls: ["http://%s"]}}
auth: {secret_env: BENCH_JWT_SECRET, issuer: bench, audience: gateway}
routes: [{name: hello, prefix: /v1/hello, service: hello, auth: {mode: jwt}, retries: 1, timeout: 5s}]
`, addr, backend)
	if err := os.WriteFile(routes, []byte(conf), 0o600); err != nil {
		return "", 0, nil, err
	}
	secret := "bench-secret-0123456789abcdef0123"
	pid, err := e.start("gateway", []string{"OTEL_TRACES_SAMPLER=always_off", "BENCH_JWT_SECRET=" + secret}, bin,
		"-config", routes, "-admin-addr", admin, "-log-level=warn", "-drain-delay=0")
	tok := hs256(secret, fmt.Sprintf(`{"sub":"bench","iss":"bench","aud":"gateway","exp":%d}`, time.Now().Add(24*time.Hour).Unix()))
	return addr, pid, []string{"Authorization: Bearer " + tok}, err
}

// hs256 signs claims (JSON) as a compact HS256 JWT.
func hs256(secret, claims string) string {
	enc := base64.RawURLEncoding
	s := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(s))
	return s + "." + enc.EncodeToString(m.Sum(nil))
}

// startNginx runs nginx in the foreground, one worker, access log off and
// a keep-alive upstream pool: the configuration an operator would use. It
// sends the forwarding headers the gateway sends by default (X-Forwarded-
// For/Host/Proto, X-Request-Id), so both proxies forward alike.
func startNginx(_ context.Context, e *env, backend string) (string, int, []string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", 0, nil, err
	}
	dir := filepath.Join(e.tmp, "nginx")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", 0, nil, err
	}
	conf := fmt.Sprintf(`worker_processes 1;
daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream backend { server %[2]s; keepalive 128; }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
    }
  }
}
`, dir, backend, addr)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", 0, nil, err
	}
	pid, err := e.start("nginx", nil, "nginx", "-c", path, "-p", dir, "-e", filepath.Join(dir, "error.log"))
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
