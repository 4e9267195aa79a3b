package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

type report struct {
	opts    options
	outs    []*outcome
	elapsed time.Duration
	meta    meta
	// loadStart is the 1-minute load average when measuring began.
	loadStart string
}

// loadAvg is the 1-minute load average from /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// med is the per-field median of a row's runs.
func med(runs []stat) stat {
	pick := func(f func(stat) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	var bad int64
	lo, hi := runs[0].rps, runs[0].rps
	for _, r := range runs {
		bad += r.bad
		lo, hi = min(lo, r.rps), max(hi, r.rps)
	}
	return stat{
		rps:    pick(func(s stat) float64 { return s.rps }),
		p50:    time.Duration(pick(func(s stat) float64 { return float64(s.p50) })),
		p99:    time.Duration(pick(func(s stat) float64 { return float64(s.p99) })),
		cpu:    time.Duration(pick(func(s stat) float64 { return float64(s.cpu) })),
		extra:  pick(func(s stat) float64 { return s.extra }),
		bad:    bad,
		spread: hi - lo,
		best:   hi,
	}
}

func (r report) medians() map[string]stat {
	m := map[string]stat{}
	for _, o := range r.outs {
		if len(o.runs) > 0 {
			m[o.row.key] = med(o.runs)
		}
	}
	return m
}

// goal states the targets for the rows they concern, from the
// medians; "n/a" when a row needed for the comparison is missing.
func goal(key string, m map[string]stat) string {
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	g, ok := m[key]
	if !ok {
		return ""
	}
	switch key {
	case "gantry":
		var parts []string
		if b, ok := m["bare"]; ok {
			parts = append(parts, fmt.Sprintf("≥ 0.90× bare: %s (%.2f×)", yes(g.rps >= 0.9*b.rps), g.rps/b.rps))
		}
		for _, k := range []string{"gozero", "kratos"} {
			if o, ok := m[k]; ok {
				parts = append(parts, fmt.Sprintf("ahead of %s: %s (%.2f×)", k, yes(g.rps > o.rps), g.rps/o.rps))
			}
		}
		return strings.Join(parts, "; ")
	case "gateway", "gateway-lane":
		n, ok := m["nginx"]
		if !ok {
			return "n/a (no nginx row)"
		}
		s := fmt.Sprintf("req/s ≥ nginx: %s (%.2f×); p99 ≤ nginx: %s (%.2f×)",
			yes(g.rps >= n.rps), g.rps/n.rps, yes(g.p99 <= n.p99), float64(g.p99)/float64(n.p99))
		if h, ok := m["haproxy"]; ok {
			s += fmt.Sprintf("; stretch, req/s ≥ HAProxy: %s (%.2f×)", yes(g.rps >= h.rps), g.rps/h.rps)
		}
		return s
	case "grpc-gantry-transport", "grpc-gantry":
		p, ok := m["grpc-plain"]
		if !ok || p.cpu == 0 || g.cpu == 0 {
			return "n/a (no grpc-plain CPU)"
		}
		limit := map[string]float64{"grpc-gantry-transport": 1.10, "grpc-gantry": 1.25}[key]
		r := float64(g.cpu) / float64(p.cpu)
		return fmt.Sprintf("CPU ≤ %.2f× grpc-plain: %s (%.3f×)", limit, yes(r <= limit), r)
	case "haproxy", "caddy":
		if n, ok := m["nginx"]; ok {
			return fmt.Sprintf("%.2f× nginx's req/s, %.2f× its p99", g.rps/n.rps, float64(g.p99)/float64(n.p99))
		}
	}
	return ""
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 100*time.Microsecond:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

func (r report) markdown() string {
	var b strings.Builder
	m := r.medians()
	o := r.opts
	fmt.Fprintf(&b, "# Benchmark results\n\n")
	fmt.Fprintf(&b, "Written by `cd bench && go run .%s` (the harness in this folder) at %s, commit %s.\n\n",
		flagsLine(o), r.meta.when, r.meta.commit)
	fmt.Fprintf(&b, "- Machine: %s. Go: %s.\n", r.meta.machine, r.meta.goVersion)
	fmt.Fprintf(&b, "- Method: every server pinned to core 0 (`taskset -c 0`; proxies share it with their backend), "+
		"the load generator pinned to core 1 (`taskset -c 1`), loopback. %d interleaved round(s), the row order rotated each round; "+
		"each run %v after a %v unmeasured warm-up; %d connections (HTTP, wrk -t1) or concurrent callers (gRPC). "+
		"Figures are medians over the rounds; \"spread\" is half the range of req/s over the rounds, relative to the median, and \"best\" the highest round "+
		"(the least disturbed by other work on the machine); \"server CPU/req\" is the server process's user+system time per request, read from /proc "+
		"(for a proxy, the proxy's own, without its backend); on a shared machine it is steadier than req/s. "+
		"The whole measurement took %v.\n", o.rounds, o.dur, o.warmup, o.conns, r.elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Versions: %s.\n", strings.Join(r.meta.versions, "; "))
	fmt.Fprintf(&b, "- Noise: 1-minute load average %s at the start and %s at the end of the measurement (2 CPUs). "+
		"A spread above about ±10%% means other work shared the cores during the run: the req/s ratios are then indicative only, "+
		"and the server CPU time per request is the better comparison.\n\n", r.loadStart, loadAvg())

	sections := []struct{ load, title, unit, base string }{
		{"wrk", "HTTP: GET /v1/hello/{name} → JSON (wrk)", "req/s", "bare"},
		{"grpc", "gRPC: Prices.GetPrice unary (Go load client `cmd/grpcload`, 4 connections)", "calls/s", "grpc-plain"},
		{"events", "Events: JetStream publish (16 publishers awaiting acks) then consume (`cmd/eventsload`)", "publishes/s", "events-raw"},
	}
	for _, sec := range sections {
		var rows []*outcome
		for _, out := range r.outs {
			if out.row.load == sec.load {
				rows = append(rows, out)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "## %s\n\n", sec.title)
		extra := ""
		if sec.load == "events" {
			extra = " consumed/s |"
		}
		fmt.Fprintf(&b, "| row | %s | spread | × %s | best (× %s) | p50 | p99 | server CPU/req | CPU × %s | errors |%s goal met? |\n", sec.unit, sec.base, sec.base, sec.base, extra)
		sep := ""
		if extra != "" {
			sep = "--:|"
		}
		fmt.Fprintf(&b, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|%s---|\n", sep)
		base, hasBase := m[sec.base]
		for _, out := range rows {
			st, ok := m[out.row.key]
			switch {
			case out.skipped != "":
				fmt.Fprintf(&b, "| %s | skipped: %s |\n", out.row.name, out.skipped)
				continue
			case !ok:
				fmt.Fprintf(&b, "| %s | failed: %s |\n", out.row.name, strings.ReplaceAll(out.failed, "|", "/"))
				continue
			}
			ratio, cpuRatio := "–", "–"
			if hasBase && base.rps > 0 {
				ratio = fmt.Sprintf("%.2f", st.rps/base.rps)
			}
			if hasBase && base.cpu > 0 && st.cpu > 0 {
				cpuRatio = fmt.Sprintf("%.2f", float64(st.cpu)/float64(base.cpu))
			}
			ex := ""
			if sec.load == "events" {
				ex = fmt.Sprintf(" %.0f |", st.extra)
			}
			spread := "–"
			if len(out.runs) > 1 && st.rps > 0 {
				spread = fmt.Sprintf("±%.0f%%", 50*st.spread/st.rps)
			}
			best := fmt.Sprintf("%.0f", st.best)
			if hasBase && base.best > 0 {
				best += fmt.Sprintf(" (%.2f)", st.best/base.best)
			}
			fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %d |%s %s |\n", out.row.name, st.rps, spread, ratio, best,
				dur(st.p50), dur(st.p99), dur(st.cpu), cpuRatio, st.bad, ex, goal(out.row.key, m))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func flagsLine(o options) string {
	var f []string
	if o.rounds != 3 {
		f = append(f, fmt.Sprintf("-rounds %d", o.rounds))
	}
	if o.dur != 5*time.Second {
		f = append(f, "-d "+o.dur.String())
	}
	if o.warmup != time.Second {
		f = append(f, "-warmup "+o.warmup.String())
	}
	if o.conns != 64 {
		f = append(f, fmt.Sprintf("-c %d", o.conns))
	}
	if len(o.rows) > 0 {
		f = append(f, "-rows "+strings.Join(o.rows, ","))
	}
	if len(f) == 0 {
		return ""
	}
	return " " + strings.Join(f, " ")
}
