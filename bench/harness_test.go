package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const wrkOut = `Running 2s test @ http://127.0.0.1:38123/v1/hello/bench
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.10ms    8.01ms 105.98ms   93.02%
    Req/Sec    20.31k     3.02k   24.41k    75.00%
  Latency Distribution
     50%    2.42ms
     75%    3.01ms
     90%    5.60ms
     99%  107.39ms
  40402 requests in 2.00s, 5.66MB read
  Non-2xx or 3xx responses: 12
Requests/sec:  20190.45
Transfer/sec:      2.83MB
`

func TestParseWrk(t *testing.T) {
	s, err := parseWrk(wrkOut)
	if err != nil {
		t.Fatal(err)
	}
	if s.rps != 20190.45 || s.requests != 40402 || s.bad != 12 {
		t.Errorf("got rps %v requests %d bad %d, want 20190.45 40402 12", s.rps, s.requests, s.bad)
	}
	if s.p50 != 2420*time.Microsecond || s.p99 != 107390*time.Microsecond {
		t.Errorf("got p50 %v p99 %v, want 2.42ms 107.39ms", s.p50, s.p99)
	}
	if _, err := parseWrk(strings.Replace(wrkOut, "  Latency Distribution", "", 1)[:200]); err == nil {
		t.Error("got no error for truncated wrk output, want one")
	}
}

func TestGoal(t *testing.T) {
	m := map[string]stat{
		"bare":    {rps: 1000},
		"gantry":  {rps: 950},
		"gozero":  {rps: 900},
		"kratos":  {rps: 990},
		"nginx":   {rps: 500, p99: 2 * time.Millisecond},
		"gateway": {rps: 600, p99: 3 * time.Millisecond},
		"haproxy": {rps: 750, p99: time.Millisecond},
	}
	for key, want := range map[string]string{
		"gantry":  "≥ 0.90× bare: yes (0.95×); ahead of gozero: yes (1.06×); ahead of kratos: **no** (0.96×)",
		"gateway": "req/s ≥ nginx: yes (1.20×); p99 ≤ nginx: **no** (1.50×); stretch, req/s ≥ HAProxy: **no** (0.80×)",
		"haproxy": "1.50× nginx's req/s, 0.50× its p99",
		"gin":     "",
	} {
		if got := goal(key, m); got != want {
			t.Errorf("goal(%s): got %q, want %q", key, got, want)
		}
	}
}

// TestQuick runs the harness as CI would smoke-test it: two rows, one short
// round, and checks the report it writes.
func TestQuick(t *testing.T) {
	for _, tool := range []string{"wrk", "taskset", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	o, err := parse([]string{"-quick", "-d", "1s", "-warmup", "0", "-c", "8", "-rows", "bare,gokit", "-out", out}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, o, &testWriter{t}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rep := string(b)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\| bare net/http \(ServeMux \+ encoding/json\) \| [0-9]+ \| (–|±[0-9]+%) \| 1\.00 \| [0-9]+ \(1\.00\) \| [0-9.]+ (µs|ms) \| [0-9.]+ (µs|ms) \|`),
		regexp.MustCompile(`\| go-kit transport/http \| [0-9]+ \| (–|±[0-9]+%) \| [0-9]+\.[0-9]{2} \|.* \| 0 \|`),
		regexp.MustCompile(`Machine: .*CPUs`),
	} {
		if !want.MatchString(rep) {
			t.Errorf("report does not match %s:\n%s", want, rep)
		}
	}
	if strings.Contains(rep, "Prices.GetPrice") || strings.Contains(rep, "nginx reverse proxy") {
		t.Errorf("report has rows that were not asked for:\n%s", rep)
	}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestQuickProxies runs the reverse-proxy rows as CI would smoke-test
// them: nginx, HAProxy, Caddy and the gateway on both fronts, one short
// round each; a row whose binary is not installed is reported as skipped.
func TestQuickProxies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the gateway command")
	}
	for _, tool := range []string{"wrk", "taskset", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	o, err := parse([]string{"-quick", "-d", "1s", "-warmup", "0", "-c", "8", "-rows", "nginx,haproxy,caddy,gateway,gateway-lane", "-out", out}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := run(ctx, o, &testWriter{t}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rep := string(b)
	for _, row := range []struct{ tool, name string }{
		{"nginx", "nginx reverse proxy"}, {"haproxy", "HAProxy reverse proxy"}, {"caddy", "Caddy reverse_proxy"},
		{"", "Gantry gateway, net/http front"}, {"", "Gantry gateway, fast lane on"},
	} {
		if row.tool != "" {
			if _, err := exec.LookPath(row.tool); err != nil {
				continue
			}
		}
		if !regexp.MustCompile(`\| ` + regexp.QuoteMeta(row.name) + `[^|]*\| [0-9]+ \|`).MatchString(rep) {
			t.Errorf("no measured row %q in the report:\n%s", row.name, rep)
		}
	}
}
