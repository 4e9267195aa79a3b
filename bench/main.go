// Command bench is Gantry's benchmark harness against the anchors: it builds
// every server in servers/ (plus the tutorial's gRPC service and the gateway
// command), runs each pinned to core 0 with the load generator pinned to core
// 1, on loopback, in interleaved rounds, and writes RESULTS.md: req/s, p50 and
// p99 medians and every row as a ratio to bare net/http in the same run.
//
// Run it from this directory (it is its own module):
//
//	cd bench && go run .          # 3 rounds × 5 s, about 6 minutes
//	make -C bench                 # the same
//	cd bench && go run . -quick   # 1 round × 2 s, a smoke test
//
// It needs wrk, taskset and nginx (Debian packages); rows whose tools are
// missing are reported as skipped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// options are the harness's knobs, set by flags.
type options struct {
	rounds int
	dur    time.Duration
	warmup time.Duration
	conns  int
	rows   []string // row keys to run; empty means all
	out    string
	dir    string // the bench module's directory
}

func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{}
	quick := fs.Bool("quick", false, "smoke test: 1 round of 2 s, 200 ms warm-up")
	fs.IntVar(&o.rounds, "rounds", 3, "interleaved rounds; medians are reported")
	fs.DurationVar(&o.dur, "d", 5*time.Second, "duration of one measured run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each run")
	fs.IntVar(&o.conns, "c", 64, "connections (HTTP) or concurrent callers (gRPC)")
	rows := fs.String("rows", "", "comma-separated row keys to run (default all; see -list)")
	list := fs.Bool("list", false, "list the row keys and exit")
	fs.StringVar(&o.out, "out", "RESULTS.md", "where to write the results")
	fs.StringVar(&o.dir, "dir", ".", "the bench module's directory")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *list {
		for _, r := range allRows() {
			fmt.Fprintf(stderr, "%-16s %s\n", r.key, r.name)
		}
		return o, flag.ErrHelp
	}
	if *quick { // explicit flags win over -quick's values
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["rounds"] {
			o.rounds = 1
		}
		if !set["d"] {
			o.dur = 2 * time.Second
		}
		if !set["warmup"] {
			o.warmup = 200 * time.Millisecond
		}
	}
	if *rows != "" {
		o.rows = strings.Split(*rows, ",")
	}
	if o.rounds < 1 || o.dur <= 0 || o.conns < 1 || o.warmup < 0 {
		return o, fmt.Errorf("bench: -rounds, -d and -c must be positive")
	}
	return o, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parse(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		err = run(ctx, o, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
