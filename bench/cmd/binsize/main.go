// Command binsize builds the same hello service written on each framework
// and prints one markdown table of what each binary weighs: bytes, the
// ratio to bare net/http, and how many gRPC, NATS and etcd packages it
// links (from go list -deps). Every row is built the same way (go build
// -o, default flags, this module's go.mod), in one run, so the rows
// compare even when the toolchain changes the absolute figures.
//
//	cd bench && go run ./cmd/binsize            # sizes
//	cd bench && go run ./cmd/binsize -cold      # and each build's CPU time with an empty cache
//
// With -cold every row is built once more with GOCACHE set to a new empty
// directory, and the table gains the build's user+system CPU time and its
// ratio to bare's: minutes per row on a small machine.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// row is one binary: the package built, the build tags, what it is.
type row struct {
	name, pkg, tags, what string
}

var rows = []row{
	{"bare", "github.com/gantrykit/gantry/bench/servers/bare", "", "net/http alone"},
	{"gokit", "github.com/gantrykit/gantry/bench/servers/gokit", "", "go-kit transport/http"},
	{"kratos", "github.com/gantrykit/gantry/bench/servers/kratos", "", "kratos HTTP server, recovery"},
	{"gin", "github.com/gantrykit/gantry/bench/servers/gin", "", "gin, recovery"},
	{"gozero", "github.com/gantrykit/gantry/bench/servers/gozero", "", "go-zero rest with its defaults"},
	{"handwired-noexport", "github.com/gantrykit/gantry/bench/servers/handwired", "noexport", "net/http + Prometheus /metrics + OTel SDK, no exporter"},
	{"handwired", "github.com/gantrykit/gantry/bench/servers/handwired", "", "the same + OTel's own OTLP/HTTP exporter"},
	{"gantry-hello", "github.com/gantrykit/gantry/examples/hello", "", "examples/hello: kit, default chain, OTLP/HTTP export"},
}

func main() {
	cold := flag.Bool("cold", false, "also time each build with an empty build cache")
	flag.Parse()
	if err := run(os.Stdout, rows, *cold); err != nil {
		fmt.Fprintln(os.Stderr, "binsize:", err)
		os.Exit(1)
	}
}

// result is what one row measured.
type result struct {
	bytes            int64
	grpc, nats, etcd int
	cpu              time.Duration // cold build user+system CPU, or 0
}

func run(out io.Writer, rows []row, cold bool) error {
	dir, err := os.MkdirTemp("", "binsize")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	results := make([]result, len(rows))
	for i, r := range rows {
		bin := filepath.Join(dir, r.name)
		if _, _, err := goCmd(nil, "build", "-tags="+r.tags, "-o", bin, r.pkg); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		fi, err := os.Stat(bin)
		if err != nil {
			return err
		}
		results[i].bytes = fi.Size()
		deps, _, err := goCmd(nil, "list", "-tags="+r.tags, "-deps", r.pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		results[i].grpc, results[i].nats, results[i].etcd = countDeps(deps)
		if cold {
			cache, err := os.MkdirTemp("", "binsize-cache")
			if err != nil {
				return err
			}
			_, ps, err := goCmd([]string{"GOCACHE=" + cache}, "build", "-tags="+r.tags, "-o", bin, r.pkg)
			_ = os.RemoveAll(cache)
			if err != nil {
				return fmt.Errorf("%s cold: %w", r.name, err)
			}
			results[i].cpu = ps.UserTime() + ps.SystemTime()
		}
	}
	writeTable(out, rows, results, cold)
	return nil
}

// goCmd runs the go command with extra environment and returns its output
// and, for the CPU it used, its process state.
func goCmd(env []string, args ...string) (stdout []byte, ps *os.ProcessState, err error) {
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if stdout, err = cmd.Output(); err != nil {
		return nil, nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout, cmd.ProcessState, nil
}

// countDeps counts the gRPC, NATS and etcd packages in go list -deps
// output.
func countDeps(deps []byte) (grpc, nats, etcd int) {
	for pkg := range strings.FieldsSeq(string(deps)) {
		switch {
		case strings.HasPrefix(pkg, "google.golang.org/grpc"):
			grpc++
		case strings.HasPrefix(pkg, "github.com/nats-io/"):
			nats++
		case strings.HasPrefix(pkg, "go.etcd.io/"):
			etcd++
		}
	}
	return grpc, nats, etcd
}

func writeTable(out io.Writer, rows []row, res []result, cold bool) {
	head := "| row | what | bytes | MB | × bare | gRPC / NATS / etcd packages |"
	line := "|---|---|--:|--:|--:|--:|"
	if cold {
		head += " cold build CPU | × bare |"
		line += "--:|--:|"
	}
	fmt.Fprintln(out, head)
	fmt.Fprintln(out, line)
	base := res[0]
	for i, r := range rows {
		x := res[i]
		fmt.Fprintf(out, "| %s | %s | %d | %.1f | %.2f | %d / %d / %d |", r.name, r.what, x.bytes,
			float64(x.bytes)/1e6, float64(x.bytes)/float64(base.bytes), x.grpc, x.nats, x.etcd)
		if cold {
			fmt.Fprintf(out, " %.0f s | %.2f |", x.cpu.Seconds(), x.cpu.Seconds()/base.cpu.Seconds())
		}
		fmt.Fprintln(out)
	}
}
