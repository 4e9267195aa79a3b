package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// outcome is what a row ended with: its runs, or why it has none.
type outcome struct {
	row     row
	runs    []stat
	skipped string // a tool is missing
	failed  string // it did not start or its load generator failed
}

// run builds, starts and measures the selected rows and writes the report.
// A row that fails is reported as such and makes run return an error after
// the report is written.
func run(ctx context.Context, o options, log io.Writer) error {
	mod, err := os.ReadFile(filepath.Join(o.dir, "go.mod"))
	if err != nil || !strings.Contains(string(mod), "module github.com/gantrykit/gantry/bench") {
		return fmt.Errorf("run it from the bench module's directory (cd bench && go run .), or pass -dir")
	}
	tmp, err := os.MkdirTemp("", "gantry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	e := &env{dir: o.dir, tmp: tmp, bins: map[string]string{}, logw: log}
	defer e.stop()
	if _, err := exec.LookPath("taskset"); err != nil {
		return fmt.Errorf("taskset (util-linux) is required to pin servers and load generators")
	}

	var outs []*outcome
	s := &shared{}
	var targets []target
	for _, r := range allRows() {
		if len(o.rows) > 0 && !slices.Contains(o.rows, r.key) {
			continue
		}
		out := &outcome{row: r}
		outs = append(outs, out)
		for _, tool := range r.tools {
			if _, err := exec.LookPath(tool); err != nil {
				out.skipped = tool + " not installed"
			}
		}
		var t target
		if out.skipped == "" {
			fmt.Fprintf(log, "bench: starting %s\n", r.key)
			if t, err = r.setup(ctx, e, s); err != nil {
				out.failed = firstLine(err.Error())
				fmt.Fprintf(log, "bench: %s failed to start: %v\n", r.key, err)
			}
		}
		targets = append(targets, t)
	}
	if len(outs) == 0 {
		return fmt.Errorf("no row matches -rows %s", strings.Join(o.rows, ","))
	}

	started, load0 := time.Now(), loadAvg()
	for round := range o.rounds {
		for i := range outs {
			k := (i + round) % len(outs) // rotate the order each round
			out, t := outs[k], targets[k]
			if out.skipped != "" || out.failed != "" {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if out.row.load != "events" && o.warmup > 0 {
				_, _ = measure(ctx, e, out.row, t, o.warmup, o.conns)
			}
			st, err := measure(ctx, e, out.row, t, o.dur, o.conns)
			if err != nil {
				out.failed = firstLine(err.Error())
				fmt.Fprintf(log, "bench: %v\n", err)
				continue
			}
			out.runs = append(out.runs, st)
			fmt.Fprintf(log, "bench: round %d %-15s %9.0f/s p50 %-9v p99 %-9v cpu/req %-8v bad %d\n",
				round+1, out.row.key, st.rps, st.p50, st.p99, st.cpu, st.bad)
		}
	}
	rep := report{opts: o, outs: outs, elapsed: time.Since(started), meta: collectMeta(ctx, o.dir), loadStart: load0}
	if err := os.WriteFile(o.out, []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "bench: wrote %s\n", o.out)
	var bad []string
	for _, out := range outs {
		if out.failed != "" {
			bad = append(bad, out.row.key)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("rows failed: %s (see %s)", strings.Join(bad, ", "), o.out)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// meta describes the machine and the versions under test.
type meta struct {
	machine, goVersion, commit, when string
	versions                         []string
}

func collectMeta(ctx context.Context, dir string) meta {
	m := meta{when: time.Now().UTC().Format("2006-01-02 15:04 MST")}
	cmd := func(name string, args ...string) string {
		c := exec.CommandContext(ctx, name, args...)
		c.Dir = dir
		b, _ := c.CombinedOutput()
		return strings.TrimSpace(string(b))
	}
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	m.machine = fmt.Sprintf("%s, %s CPUs, Linux %s", model, cmd("nproc"), cmd("uname", "-r"))
	m.goVersion = cmd("go", "env", "GOVERSION")
	m.commit = cmd("git", "rev-parse", "--short", "HEAD")
	mods := cmd("go", "list", "-m", "-f", "{{.Path}} {{.Version}}",
		"github.com/go-kit/kit", "github.com/gin-gonic/gin", "github.com/zeromicro/go-zero",
		"github.com/go-kratos/kratos/v2", "google.golang.org/grpc", "github.com/nats-io/nats.go",
		"github.com/nats-io/nats-server/v2", "github.com/sony/gobreaker/v2", "go.opentelemetry.io/otel")
	m.versions = strings.Split(mods, "\n")
	m.versions = append(m.versions, firstLine(cmd("wrk", "-v")), firstLine(cmd("nginx", "-v")))
	return m
}
