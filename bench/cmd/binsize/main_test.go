package main

import (
	"bytes"
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
