package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// startGateway runs the gateway command as the goal sets it: a
// JWT verified on every request (HS256; wrk sends the token), metrics,
// and an unsampled span per request with traceparent forwarded; lane puts
// its fast lane in front (server.fast_lane), else net/http serves alone.
func startGateway(lane bool) func(ctx context.Context, e *env, backend string) (string, int, []string, error) {
	return func(ctx context.Context, e *env, backend string) (string, int, []string, error) {
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
		name := "gateway"
		if lane {
			name = "gateway-lane"
		}
		routes := filepath.Join(e.tmp, name+".yaml")
		conf := fmt.Sprintf(`server: {listen: %q, fast_lane: %t}
services: {hello: {urls: ["http://%s"]}}
auth: {secret_env: BENCH_JWT_SECRET, issuer: bench, audience: gateway}
routes: [{name: hello, prefix: /v1/hello, service: hello, auth: {mode: jwt}, retries: 1, timeout: 5s}]
`, addr, lane, backend)
		if err := os.WriteFile(routes, []byte(conf), 0o600); err != nil {
			return "", 0, nil, err
		}
		secret := "bench-secret-0123456789abcdef0123"
		pid, err := e.start(name, []string{"OTEL_TRACES_SAMPLER=always_off", "BENCH_JWT_SECRET=" + secret}, bin,
			"-config", routes, "-admin-addr", admin, "-log-level=warn", "-drain-delay=0")
		tok := hs256(secret, fmt.Sprintf(`{"sub":"bench","iss":"bench","aud":"gateway","exp":%d}`, time.Now().Add(24*time.Hour).Unix()))
		return addr, pid, []string{"Authorization: Bearer " + tok}, err
	}
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

// startHAProxy runs Debian's HAProxy in the foreground (-db), one thread,
// with keep-alive connections to the backend shared between clients
// (http-reuse always) and the forwarding headers nginx and the gateway
// send (X-Forwarded-For/Host/Proto, X-Request-Id).
func startHAProxy(_ context.Context, e *env, backend string) (string, int, []string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", 0, nil, err
	}
	conf := fmt.Sprintf(`global
  nbthread 1
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 60s
  option http-keep-alive
  http-reuse always
frontend fe
  bind %s
  option forwardfor
  unique-id-format %%[uuid()]
  http-request set-header X-Request-Id %%[unique-id]
  http-request set-header X-Forwarded-Host %%[req.hdr(host)]
  http-request set-header X-Forwarded-Proto http
  default_backend be
backend be
  server s1 %s
`, addr, backend)
	path := filepath.Join(e.tmp, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", 0, nil, err
	}
	pid, err := e.start("haproxy", nil, "haproxy", "-db", "-f", path)
	return addr, pid, nil, err
}

// startCaddy runs Debian's Caddy with a Caddyfile: no admin endpoint, no
// automatic HTTPS, access log off (Caddy's default), a keep-alive pool to
// the backend, X-Forwarded-For/Host/Proto (sent by default) and a request
// id. Its state goes to the run's scratch directory.
func startCaddy(_ context.Context, e *env, backend string) (string, int, []string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", 0, nil, err
	}
	dir := filepath.Join(e.tmp, "caddy")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", 0, nil, err
	}
	conf := fmt.Sprintf(`{
	admin off
	auto_https off
}
http://%s {
	reverse_proxy %s {
		header_up X-Request-Id {http.request.uuid}
		transport http {
			keepalive 60s
			keepalive_idle_conns_per_host 1024
		}
	}
}
`, addr, backend)
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", 0, nil, err
	}
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir}
	pid, err := e.start("caddy", env, "caddy", "run", "--config", path, "--adapter", "caddyfile")
	return addr, pid, nil, err
}
