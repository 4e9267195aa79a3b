package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The table holds what go build and go list say: two real builds, the
// exporter-free baseline bigger than bare net/http, no gRPC in either, and
// the grpc-go that OTel's own OTLP/HTTP exporter brings counted.
func TestTable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three binaries")
	}
	var out bytes.Buffer
	sel := []row{rows[0], rows[5], rows[6]}
	if err := run(&out, sel, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2+len(sel) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), 2+len(sel), out.String())
	}
	cell := func(line string) []string {
		f := strings.Split(line, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		return f[1 : len(f)-1]
	}
	size := func(i int) int64 {
		n, err := strconv.ParseInt(cell(lines[2+i])[2], 10, 64)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		return n
	}
	if b, f := size(0), size(1); b <= 0 || f <= b {
		t.Errorf("bare %d bytes, handwired-noexport %d: want 0 < bare < handwired-noexport", b, f)
	}
	for i, want := range []string{"0 / 0 / 0", "0 / 0 / 0"} {
		if got := cell(lines[2+i])[5]; got != want {
			t.Errorf("%s links %s gRPC / NATS / etcd packages, want %s", sel[i].name, got, want)
		}
	}
	if got := cell(lines[4])[5]; strings.HasPrefix(got, "0 ") {
		t.Errorf("handwired links %s gRPC / NATS / etcd packages, want otlptracehttp's grpc-go counted", got)
	}
}

// The cuts that made hello smaller stay made. Each entry is a symbol
// prefix hello's binary must not hold, and the change that took it out;
// go tool nm reads the linked binary, so a package that is imported but
// whose code the linker drops does not count.
var unlinked = []struct{ prefix, why string }{
	{"mime/multipart.(*Reader).", "a handler reads Request.FormValue, which links multipart form parsing; read URL.Query (as kit/pprofkit does)"},
	{"runtime/pprof.", "kit serves /debug/pprof/ again; profiles are kit/pprofkit's, which hello does not mount"},
}

func TestHelloUnlinked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hello")
	}
	bin := filepath.Join(t.TempDir(), "hello")
	if _, _, err := goCmd(nil, "build", "-o", bin, rows[len(rows)-1].pkg); err != nil {
		t.Fatal(err)
	}
	syms, _, err := goCmd(nil, "tool", "nm", bin)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(syms)) {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		for _, u := range unlinked {
			if strings.HasPrefix(f[len(f)-1], u.prefix) {
				t.Errorf("hello links %s; %s", f[len(f)-1], u.why)
			}
		}
	}
}
