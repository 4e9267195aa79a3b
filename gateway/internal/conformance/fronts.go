package conformance

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// JWTSecretEnv names the variable GatewayRoutes reads the JWT secret
// from; JWTSecret is its value in the suite.
const (
	JWTSecretEnv = "CONFORMANCE_JWT_SECRET"
	JWTSecret    = "conformance-secret-0123456789abcdef"
)

// GatewayRoutes is the gateway's route table for the suite's routes (see
// Upstreams). Route timeouts are 5 s: longer than the upstreams' pauses on
// a loaded machine (see clientWait), shorter than the client's wait.
func GatewayRoutes(up Upstreams) string {
	return fmt.Sprintf(`auth: {secret_env: %s, issuer: conformance, audience: conformance}
services:
  echo: {urls: ["http://%s"]}
  script: {urls: ["http://%s"]}
routes:
  - {name: private, prefix: /private, service: echo, timeout: 5s, auth: {mode: jwt}}
  - {name: ws, prefix: /ws, service: echo, timeout: 5s, websocket: true}
  - {name: script, prefix: /script, service: script, timeout: 5s}
  - {name: public, prefix: /, service: echo, timeout: 5s}
`, JWTSecretEnv, up.Echo, up.Script)
}

// Nginx is Debian's nginx as a reference front with the suite's routes:
// /private answers 401 itself, /ws passes WebSocket upgrades only, and
// the trusted fields the gateway sets are cleared or set by nginx. It is
// skipped when nginx is not installed, unless CI is "true": CI installs
// it (.ci/run) and must run it.
func Nginx() Front {
	return Front{Name: "nginx", Reference: true, Start: startNginx}
}

func startNginx(t testing.TB, up Upstreams) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed; .ci/run installs it")
		}
		t.Skip("nginx is not installed: the reference row is skipped")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(dir, addr, up)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %v\n%s\n%s", err, out.String(), b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func nginxConf(dir, addr string, up Upstreams) string {
	const proxy = `proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Gantry-Claims "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header Forwarded "";
      proxy_set_header Gantry-Timeout "";
      proxy_set_header Proxy-Authorization "";
      proxy_set_header Keep-Alive "";`
	return fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  proxy_read_timeout 3s;
  upstream echo { server %[3]s; keepalive 16; }
  upstream script { server %[4]s; keepalive 16; }
  map $http_upgrade $ws_upgrade { ~*^websocket$ websocket; default ""; }
  map $http_upgrade $ws_connection { ~*^websocket$ upgrade; default ""; }
  server {
    listen %[2]s;
    location / {
      proxy_pass http://echo;
      %[5]s
    }
    location /private { return 401; }
    location /ws {
      proxy_pass http://echo;
      %[5]s
      proxy_set_header Upgrade $ws_upgrade;
      proxy_set_header Connection $ws_connection;
    }
    location /script/ {
      proxy_pass http://script;
      %[5]s
    }
  }
}
`, dir, addr, up.Echo, up.Script, proxy)
}
