// Command microtable turns `benchstat -format csv` output into one markdown
// table: a row per benchmark with its median time, CPU time (where the
// benchmark reports cpu-ns/op), bytes and allocations per op, and the time
// it adds over the baseline sub-benchmark of the same group (the one named
// bare, gokit-raw, plain-grpc-go, raw-jetstream or baseline).
//
//	benchstat -format csv micro.txt | go run ./cmd/microtable
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

var baselines = []string{"bare", "gokit-raw", "plain-grpc-go", "raw-jetstream", "baseline", "url-values"}

type bench struct {
	pkg, name string
	vals      map[string]float64
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "microtable:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	var list []*bench
	byName := map[string]*bench{}
	pkg, unit := "", ""
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch {
		case len(rec) == 0 || (len(rec) == 1 && rec[0] == ""):
		case strings.HasPrefix(rec[0], "pkg: "):
			pkg = strings.TrimPrefix(strings.TrimPrefix(rec[0], "pkg: "), "github.com/gantrykit/gantry/")
		case rec[0] == "" && len(rec) > 1 && strings.Contains(rec[1], "/op"):
			unit = rec[1]
		case rec[0] == "" || strings.Contains(rec[0], ":") || rec[0] == "geomean":
		case len(rec) > 1 && unit != "":
			v, err := strconv.ParseFloat(rec[1], 64)
			if err != nil {
				continue
			}
			name := rec[0]
			if i := strings.LastIndexByte(name, '-'); i > 0 {
				name = name[:i] // the GOMAXPROCS suffix
			}
			b := byName[pkg+" "+name]
			if b == nil {
				b = &bench{pkg: pkg, name: name, vals: map[string]float64{}}
				byName[pkg+" "+name] = b
				list = append(list, b)
			}
			b.vals[unit] = v
		}
	}
	fmt.Fprintln(out, "| package | benchmark | time/op | CPU/op | + time over baseline | B/op | allocs/op |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|--:|--:|")
	for _, b := range list {
		ratio := "–"
		if base := baselineOf(b, byName); base != nil && base != b && base.vals["sec/op"] > 0 {
			d := b.vals["sec/op"] - base.vals["sec/op"]
			ratio = "+" + ns(d)
			if d < 0 {
				ratio = "−" + ns(-d)
			}
		}
		cpu := "–"
		if v, ok := b.vals["cpu-sec/op"]; ok {
			cpu = ns(v)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %.0f | %.0f |\n", b.pkg, b.name, ns(b.vals["sec/op"]), cpu, ratio,
			b.vals["B/op"], b.vals["allocs/op"])
	}
	return nil
}

// baselineOf finds the baseline sibling of b: same package, same parent
// benchmark, and as last element bare_X for a typed_X (or any *_X), else a
// baseline name.
func baselineOf(b *bench, all map[string]*bench) *bench {
	parent, last := b.name, ""
	if i := strings.LastIndexByte(parent, '/'); i > 0 {
		parent, last = parent[:i], parent[i+1:]
	} else {
		return nil
	}
	if _, suffix, ok := strings.Cut(last, "_"); ok {
		if base, ok := all[b.pkg+" "+parent+"/bare_"+suffix]; ok {
			return base
		}
	}
	for _, n := range baselines {
		if base, ok := all[b.pkg+" "+parent+"/"+n]; ok {
			return base
		}
	}
	return nil
}

func ns(sec float64) string {
	switch d := sec * 1e9; {
	case d >= 1e6:
		return fmt.Sprintf("%.2f ms", d/1e6)
	case d >= 1e3:
		return fmt.Sprintf("%.2f µs", d/1e3)
	default:
		return fmt.Sprintf("%.1f ns", d)
	}
}
