package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// stat is one measured run.
type stat struct {
	rps      float64
	p50, p99 time.Duration
	requests int64
	bad      int64         // non-2xx answers, socket errors or failed calls
	cpu      time.Duration // server CPU time per request; 0 when unknown
	extra    float64       // events: consumed per second
	spread   float64       // medians only: max − min req/s over the rounds
	best     float64       // medians only: the highest req/s of the rounds
}

// measure runs the row's load generator, pinned to core 1, for d.
func measure(ctx context.Context, e *env, r row, t target, d time.Duration, conns int) (stat, error) {
	var cmd *exec.Cmd
	switch r.load {
	case "wrk":
		args := []string{"-c", "1", "wrk", "-t1", "-c" + strconv.Itoa(conns), "-d" + wrkDur(d), "--latency"}
		for _, h := range t.headers {
			args = append(args, "-H", h)
		}
		cmd = exec.CommandContext(ctx, "taskset", append(args, t.url)...)
	case "grpc":
		cmd = exec.CommandContext(ctx, "taskset", "-c", "1", e.bins["./cmd/grpcload"], "-addr", t.addr,
			"-c", strconv.Itoa(conns), "-d", d.String())
	case "events":
		cmd = exec.CommandContext(ctx, "taskset", append([]string{"-c", "1", e.bins["./cmd/eventsload"],
			"-url", t.addr, "-d", d.String()}, t.args...)...)
	default:
		return stat{}, fmt.Errorf("row %s: unknown load %q", r.key, r.load)
	}
	cpu0 := cpuTicks(t.pid)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		return stat{}, fmt.Errorf("%s: %v\n%s%s", r.key, err, out, msg)
	}
	cpu1 := cpuTicks(t.pid)
	var s stat
	if r.load == "wrk" {
		s, err = parseWrk(string(out))
	} else {
		s, err = parseJSON(out)
	}
	if err != nil {
		return stat{}, fmt.Errorf("%s: %v\n%s", r.key, err, out)
	}
	if cpu0 >= 0 && cpu1 >= 0 && s.requests > 0 {
		s.cpu = time.Duration(float64(cpu1-cpu0) * float64(10*time.Millisecond) / float64(s.requests))
	}
	return s, nil
}

func wrkDur(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Round(time.Second)/time.Second))) + "s"
}

var (
	rpsRE     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reqRE     = regexp.MustCompile(`([0-9]+) requests in`)
	pctRE     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRE  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
	sockErrRE = regexp.MustCompile(`Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)`)
)

// parseWrk reads wrk --latency output.
func parseWrk(out string) (stat, error) {
	m := rpsRE.FindStringSubmatch(out)
	if m == nil {
		return stat{}, fmt.Errorf("no Requests/sec in wrk output")
	}
	var s stat
	s.rps, _ = strconv.ParseFloat(m[1], 64)
	if q := reqRE.FindStringSubmatch(out); q != nil {
		s.requests, _ = strconv.ParseInt(q[1], 10, 64)
	}
	for _, p := range pctRE.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(p[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[p[3]]
		if p[1] == "50" {
			s.p50 = time.Duration(v * float64(unit))
		} else {
			s.p99 = time.Duration(v * float64(unit))
		}
	}
	if s.p50 == 0 || s.p99 == 0 {
		return stat{}, fmt.Errorf("no latency distribution in wrk output (was --latency given?)")
	}
	if n := non2xxRE.FindStringSubmatch(out); n != nil {
		v, _ := strconv.ParseInt(n[1], 10, 64)
		s.bad += v
	}
	if n := sockErrRE.FindStringSubmatch(out); n != nil {
		for _, f := range n[1:] {
			v, _ := strconv.ParseInt(f, 10, 64)
			s.bad += v
		}
	}
	return s, nil
}

// parseJSON reads the one-line summary of grpcload and eventsload.
func parseJSON(out []byte) (stat, error) {
	var r struct {
		RPS        float64 `json:"rps"`
		P50us      float64 `json:"p50_us"`
		P99us      float64 `json:"p99_us"`
		Count      int64   `json:"count"`
		Errors     int64   `json:"errors"`
		ConsumeRPS float64 `json:"consume_rps"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &r); err != nil {
		return stat{}, err
	}
	return stat{rps: r.RPS, p50: time.Duration(r.P50us * float64(time.Microsecond)),
		p99: time.Duration(r.P99us * float64(time.Microsecond)), requests: r.Count, bad: r.Errors,
		extra: r.ConsumeRPS}, nil
}

func splitPort(addr string) (string, string, error) { return net.SplitHostPort(addr) }
