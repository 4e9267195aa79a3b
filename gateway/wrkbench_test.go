//go:build wrkbench

// The wrk comparison: gateway vs nginx vs a stock httputil.ReverseProxy, all
// in front of the same bare net/http backend, in one run. Run it with
//
//	go test -tags wrkbench -run TestWrk -v -timeout 10m ./gateway/
//
// nginx is configured to send the upstream the forwarding headers the
// gateway sends by default (X-Forwarded-For/Host/Proto, X-Request-Id), so
// both proxies do the same forwarding work; the gateway also verifies a
// JWT, keeps metrics, starts an unsampled span and forwards the claims, a
// traceparent and Gantry-Timeout, which nginx does not, and keeps the
// verified token at the edge, which nginx (not verifying it) passes on. A
// second nginx, "nginx-same-fields", sends those three fields too (fixed
// values) and drops Authorization, so the backend parses the same request
// behind it as behind the gateway: the
// difference between the two nginx rows is what the three fields cost the
// backend, which shares core 0 with the proxy. It needs wrk, nginx and
// taskset (Debian packages). Servers are pinned to core 0, wrk to core 1.
// Tunables: WRK_ROUNDS (3), WRK_DURATION (5s), WRK_CONNS (64). Besides
// req/s and p99 it reports the CPU time each server process (and the
// backend behind it) spent per request, read from /proc: on a shared,
// noisy machine those are steadier than req/s. Each round runs the three
// proxies back to back and the test reports the gateway's within-round
// ratios to each nginx.

package gateway_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type wrkResult struct {
	rps      float64
	p99      time.Duration
	requests int64
	cpu      time.Duration // server process CPU per request
	upCPU    time.Duration // the backend's CPU per request (behind a proxy)
}

func TestWrk(t *testing.T) {
	for _, bin := range []string{"wrk", "nginx", "taskset"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed", bin)
		}
	}
	dir := t.TempDir()
	build := func(out, pkg string) string {
		p := filepath.Join(dir, out)
		if b, err := exec.Command("go", "build", "-o", p, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
		return p
	}
	gwBin := build("gateway", "github.com/gantrykit/gantry/gateway/cmd/gateway")
	helper := build("benchserver", "github.com/gantrykit/gantry/gateway/internal/benchserver")
	backend, nginxAddr, nginxSameAddr, stockAddr, tunedAddr, gwAddr, adminAddr := freePort(t), freePort(t), freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)

	pinned := func(env []string, name string, args ...string) int {
		cmd := exec.Command("taskset", append([]string{"-c", "0", name}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stderr = &tail{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid := cmd.Process.Pid // taskset execs the server: same process
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		})
		return pid
	}
	pids := map[string]int{}
	pids["direct"] = pinned(nil, helper, "-role", "backend", "-listen", backend)
	pids["httputil-default"] = pinned(nil, helper, "-role", "httputil", "-listen", stockAddr, "-target", "http://"+backend)
	pids["httputil-tuned"] = pinned(nil, helper, "-role", "httputil-tuned", "-listen", tunedAddr, "-target", "http://"+backend)

	tok := token(t, jwt.MapClaims{"sub": "bench"})
	// nginx as an operator would run it, and a second one that also sends
	// the three fields only the gateway sends (the JWT's claims, a
	// traceparent and Gantry-Timeout), with fixed values: the upstream
	// then parses the same request from both proxies.
	startNginx := func(name, addr, extra string) {
		ndir := filepath.Join(dir, name)
		if err := os.MkdirAll(ndir, 0o700); err != nil {
			t.Fatal(err)
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
      proxy_set_header X-Request-Id $request_id;%[4]s
    }
  }
}
`, ndir, backend, addr, extra)
		confPath := filepath.Join(ndir, "nginx.conf")
		if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		pids[name] = pinned(nil, "nginx", "-c", confPath, "-p", ndir, "-e", filepath.Join(ndir, "error.log"))
	}
	startNginx("nginx", nginxAddr, "")
	claims := strings.Split(tok, ".")[1]
	startNginx("nginx-same-fields", nginxSameAddr, fmt.Sprintf(`
      proxy_set_header Gantry-Timeout 5000000us;
      proxy_set_header X-Gantry-Claims %s;
      proxy_set_header Traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00;
      proxy_set_header Authorization "";`, claims))

	routes := filepath.Join(dir, "routes.yaml")
	if err := os.WriteFile(routes, []byte(fmt.Sprintf(`
server: {listen: "%s"}
services: {hello: {urls: ["http://%s"]}}
auth: {secret_env: BENCH_JWT_SECRET, issuer: test, audience: gateway}
routes: [{name: hello, prefix: /hello, service: hello, auth: {mode: jwt}, retries: 1, timeout: 5s}]
`, gwAddr, backend)), 0o600); err != nil {
		t.Fatal(err)
	}
	pids["gateway"] = pinned([]string{"BENCH_JWT_SECRET=" + jwtSecret, "OTEL_TRACES_SAMPLER=always_off"},
		gwBin, "-config", routes, "-admin-addr", adminAddr, "-log-level=warn", "-drain-delay=0")

	targets := []struct{ name, url string }{
		{"direct", "http://" + backend + "/hello"},
		{"httputil-default", "http://" + stockAddr + "/hello"},
		{"httputil-tuned", "http://" + tunedAddr + "/hello"},
		{"nginx", "http://" + nginxAddr + "/hello"}, // the proxies last: see the round's order
		{"nginx-same-fields", "http://" + nginxSameAddr + "/hello"},
		{"gateway", "http://" + gwAddr + "/hello"},
	}
	for _, tg := range targets {
		waitOK(t, tg.url, tok)
	}
	rounds := envInt("WRK_ROUNDS", 3)
	dur := os.Getenv("WRK_DURATION")
	if dur == "" {
		dur = "5s"
	}
	conns := strconv.Itoa(envInt("WRK_CONNS", 64))
	results := map[string][]wrkResult{}
	// gateway/nginx and gateway/nginx-same-fields within each round
	var rpsRatio, p99Ratio, rpsSame, p99Same []float64
	for r := 0; r < rounds; r++ {
		// The baselines rotate first; then the two nginx and the gateway
		// run back to back, rotating among themselves, so that each
		// round's comparison shares the machine's weather: the noise here
		// comes in spells of seconds.
		order := []int{r % 3, (r + 1) % 3, (r + 2) % 3, 3 + r%3, 3 + (r+1)%3, 3 + (r+2)%3}
		for _, i := range order {
			tg := targets[i]
			cpu0, up0 := cpuTicks(t, pids[tg.name]), cpuTicks(t, pids["direct"])
			out, err := exec.Command("taskset", "-c", "1", "wrk", "-t1", "-c"+conns, "-d"+dur, "--latency",
				"-H", "Authorization: Bearer "+tok, tg.url).CombinedOutput()
			if err != nil {
				t.Fatalf("wrk %s: %v\n%s", tg.name, err, out)
			}
			res, err := parseWrk(string(out))
			if err != nil {
				t.Fatalf("wrk %s: %v\n%s", tg.name, err, out)
			}
			// CPU time of the server process itself (the proxy, or the
			// backend for direct) per request: robust to a busy machine.
			perReq := func(ticks int64) time.Duration {
				return time.Duration(float64(ticks) * float64(10*time.Millisecond) / float64(res.requests))
			}
			res.cpu = perReq(cpuTicks(t, pids[tg.name]) - cpu0)
			if tg.name != "direct" {
				res.upCPU = perReq(cpuTicks(t, pids["direct"]) - up0)
			}
			results[tg.name] = append(results[tg.name], res)
			t.Logf("round %d %-18s %9.0f req/s  p99 %-10v cpu/req %v", r+1, tg.name, res.rps, res.p99, res.cpu)
		}
		g, n, ns := results["gateway"][r], results["nginx"][r], results["nginx-same-fields"][r]
		rpsRatio = append(rpsRatio, g.rps/n.rps)
		p99Ratio = append(p99Ratio, float64(g.p99)/float64(n.p99))
		rpsSame = append(rpsSame, g.rps/ns.rps)
		p99Same = append(p99Same, float64(g.p99)/float64(ns.p99))
	}
	med := map[string]wrkResult{}
	for name, rs := range results {
		med[name] = median(rs)
	}
	t.Logf("medians of %d rounds × %s, %s connections, servers on core 0, wrk on core 1:", rounds, dur, conns)
	t.Logf("%-18s %10s %8s %10s %10s %12s %12s", "target", "req/s", "×direct", "p99", "×nginx p99", "cpu/req", "backend/req")
	for _, tg := range targets {
		m := med[tg.name]
		t.Logf("%-18s %10.0f %8.2f %10v %10.2f %12v %12v", tg.name, m.rps, m.rps/med["direct"].rps, m.p99,
			float64(m.p99)/float64(med["nginx"].p99), m.cpu, m.upCPU)
	}
	g, n := med["gateway"], med["nginx"]
	t.Logf("gateway/nginx: throughput %.2f×, p99 %.2f×, proxy CPU per request %.2f× (ratios of the medians)",
		g.rps/n.rps, float64(g.p99)/float64(n.p99), float64(g.cpu)/float64(n.cpu))
	paired(t, "nginx", rpsRatio, p99Ratio)
	paired(t, "nginx-same-fields", rpsSame, p99Same)
}

// paired logs the medians and ranges of the gateway's within-round ratios
// to a baseline, and in how many rounds it had both the higher throughput
// and the lower p99.
func paired(t *testing.T, base string, rps, p99 []float64) {
	wins := 0
	for i := range rps {
		if rps[i] >= 1 && p99[i] <= 1 {
			wins++
		}
	}
	rps, p99 = slices.Sorted(slices.Values(rps)), slices.Sorted(slices.Values(p99))
	t.Logf("gateway/%s, paired within rounds: throughput %.2f× (range %.2f–%.2f), p99 %.2f× (range %.2f–%.2f) (medians); "+
		"the gateway had both the throughput and the p99 in %d of %d rounds",
		base, rps[len(rps)/2], rps[0], rps[len(rps)-1], p99[len(p99)/2], p99[0], p99[len(p99)-1], wins, len(rps))
}

var (
	rpsRE = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reqRE = regexp.MustCompile(`([0-9]+) requests in`)
	p99RE = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)
)

func parseWrk(out string) (wrkResult, error) {
	m := rpsRE.FindStringSubmatch(out)
	p := p99RE.FindStringSubmatch(out)
	if m == nil || p == nil {
		return wrkResult{}, fmt.Errorf("cannot parse wrk output")
	}
	if strings.Contains(out, "Non-2xx") || strings.Contains(out, "Socket errors") {
		return wrkResult{}, fmt.Errorf("wrk saw errors")
	}
	rps, _ := strconv.ParseFloat(m[1], 64)
	var n int64
	if q := reqRE.FindStringSubmatch(out); q != nil {
		n, _ = strconv.ParseInt(q[1], 10, 64)
	}
	v, _ := strconv.ParseFloat(p[1], 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[p[2]]
	return wrkResult{rps: rps, p99: time.Duration(v * float64(unit)), requests: max(n, 1)}, nil
}

func median(rs []wrkResult) wrkResult {
	rps := make([]float64, len(rs))
	p99 := make([]time.Duration, len(rs))
	cpu := make([]time.Duration, len(rs))
	up := make([]time.Duration, len(rs))
	for i, r := range rs {
		rps[i], p99[i], cpu[i], up[i] = r.rps, r.p99, r.cpu, r.upCPU
	}
	slices.Sort(rps)
	slices.Sort(p99)
	slices.Sort(cpu)
	slices.Sort(up)
	return wrkResult{rps: rps[len(rps)/2], p99: p99[len(p99)/2], cpu: cpu[len(cpu)/2], upCPU: up[len(up)/2]}
}

// cpuTicks is the user+system CPU time of pid, in clock ticks (1/100 s).
func cpuTicks(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitOK(t *testing.T, url, tok string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", url)
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

// tail keeps the last bytes a server wrote to stderr, for failure messages.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}
