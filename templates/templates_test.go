package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the Gantry checkout this package lives in.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// combos are every combination of parts.
func combos(t testing.TB) []options {
	var out []options
	for _, grpc := range []bool{false, true} {
		for _, events := range []bool{false, true} {
			for _, store := range []string{"none", "sqlite", "postgres"} {
				out = append(out, options{Name: "order-api", Module: "example.com/shop/order-api", GRPC: grpc, Events: events, Store: store, Replace: repoRoot(t)})
			}
		}
	}
	return out
}

// TestEveryCombinationRenders checks what can be checked without the go
// command (the acceptance test builds and runs them): each file is marked,
// renamed throughout, free of markers, and its YAML parses.
func TestEveryCombinationRenders(t *testing.T) {
	for _, o := range combos(t) {
		files, err := render(o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		paths := map[string]bool{}
		for _, f := range files {
			paths[f.path] = true
			s := string(f.data)
			for _, leftover := range []string{placeholderName, "SKELETON", "Skeleton", placeholderModule, "gantry:if", "gantry:end"} {
				if strings.Contains(s, leftover) || strings.Contains(f.path, leftover) {
					t.Errorf("%+v: %s still contains %q", o, f.path, leftover)
				}
			}
			if !strings.HasSuffix(f.path, ".pb.go") && f.path != "go.sum" && !strings.Contains(strings.SplitN(s, "\n", 2)[0], scaffoldMarker) {
				t.Errorf("%+v: %s: first line %q, want the scaffold marker", o, f.path, strings.SplitN(s, "\n", 2)[0])
			}
			if strings.HasSuffix(f.path, ".yaml") || strings.HasSuffix(f.path, ".yml") {
				var v any
				if err := yaml.Unmarshal(f.data, &v); err != nil {
					t.Errorf("%+v: %s: %v", o, f.path, err)
				}
			}
		}
		for _, want := range []string{"cmd/order-api/main.go", "go.mod", "go.sum", "Dockerfile", "Makefile", "README.md", ".github/workflows/ci.yml", "deploy/k8s/deployment.yaml", "config.yaml"} {
			if !paths[want] {
				t.Errorf("%+v: no %s", o, want)
			}
		}
		for part, path := range map[string]string{"grpc": "api/itemspb/items.proto", "events": "internal/itemevents/itemevents.go", "store": "internal/store/migrations/0001_items.sql"} {
			if paths[path] != o.selected(part) {
				t.Errorf("%+v: has %s = %v, want %v", o, path, paths[path], o.selected(part))
			}
		}
	}
}

func TestRefusesBadInput(t *testing.T) {
	nonEmpty := t.TempDir()
	keep := filepath.Join(nonEmpty, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(aFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no name", []string{"new"}, "NAME"},
		{"two names", []string{"new", "a", "b"}, "NAME"},
		{"upper case", []string{"new", "Orders"}, `NAME "Orders"`},
		{"leading digit", []string{"new", "1st"}, `NAME "1st"`},
		{"double hyphen", []string{"new", "a--b"}, `NAME "a--b"`},
		{"path in name", []string{"new", "../x"}, `NAME "../x"`},
		{"placeholder", []string{"new", "skeleton"}, "placeholder"},
		{"runtime's prefix", []string{"new", "gantry"}, "GANTRY_"},
		{"bad module", []string{"new", "-module", "example.com/a b", "x"}, `-module "example.com/a b"`},
		{"module inside gantry", []string{"new", "-module", "github.com/gantrykit/gantry/x", "x"}, "Gantry's own"},
		{"bad store", []string{"new", "-store", "mysql", "x"}, `-store "mysql"`},
		{"not a checkout", []string{"new", "-replace", t.TempDir(), "x"}, "-replace"},
		{"non-empty dir", []string{"new", "-dir", nonEmpty, "x"}, "not empty"},
		{"dir is a file", []string{"new", "-dir", aFile, "x"}, "not a directory"},
		{"unknown command", []string{"make"}, `unknown command "make"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := tt.args
			if len(args) > 1 && args[0] == "new" && !strings.Contains(strings.Join(args, " "), "-replace") {
				args = append([]string{"new", "-replace", repoRoot(t)}, args[1:]...)
			}
			err := run(context.Background(), args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %s", err, tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(nonEmpty); len(entries) != 1 {
		t.Errorf("refused directory now holds %d entries, want 1 (nothing written)", len(entries))
	}
}

// TestForceOverwritesOnlyGeneratedFiles: -force rewrites the files it
// generates and leaves every other file alone.
func TestForceOverwritesOnlyGeneratedFiles(t *testing.T) {
	dir := t.TempDir()
	new := func(extra ...string) error {
		args := append([]string{"new", "-replace", repoRoot(t), "-dir", dir}, extra...)
		return run(context.Background(), append(args, "orders"), &bytes.Buffer{}, &bytes.Buffer{})
	}
	if err := new(); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "NOTES.md")
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := new(); err == nil {
		t.Fatal("second run without -force: got nil error, want the directory refused")
	}
	if b, _ := os.ReadFile(readme); string(b) != "edited" {
		t.Errorf("refused run changed README.md to %.40q", b)
	}
	if err := new("-force", "-grpc"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Errorf("NOTES.md = %q, want it untouched", b)
	}
	if b, _ := os.ReadFile(readme); !strings.Contains(string(b), scaffoldMarker) {
		t.Errorf("README.md = %.40q, want it regenerated", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "api", "itemspb", "items.proto")); err != nil {
		t.Errorf("-force -grpc did not add the gRPC part: %v", err)
	}
}

func TestKeepLines(t *testing.T) {
	src := "a\nb //gantry:if grpc\n//gantry:if events\nc\n//gantry:end\nd # gantry:if !grpc\n<!-- gantry:if grpc -->\ne\n<!-- gantry:end -->\n"
	tests := []struct {
		o    options
		want string
	}{
		{options{}, "a\nd\n"},
		{options{GRPC: true}, "a\nb\ne\n"},
		{options{Events: true}, "a\nc\nd\n"},
	}
	for _, tt := range tests {
		got, err := keepLines(tt.o, []byte(src))
		if err != nil || string(got) != tt.want {
			t.Errorf("keepLines(%+v) = %q, %v; want %q", tt.o, got, err, tt.want)
		}
	}
	for _, bad := range []string{"//gantry:end\n", "//gantry:if grpc\n", "x //gantry:if nosuch\n", "//gantry:if grpc\n//gantry:if events\n//gantry:end\n"} {
		if _, err := keepLines(options{}, []byte(bad)); err == nil {
			t.Errorf("keepLines(%q): got nil error, want one", bad)
		}
	}
}

func TestCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"list"}, &out, &out); err != nil || !strings.Contains(out.String(), "-store sqlite") {
		t.Errorf("list: got %v and %q, want the parts", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"new", "-h"}, &out, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-store") {
		t.Errorf("new -h: got %v and %q, want flag.ErrHelp and the flags", err, out.String())
	}
}

func TestEnvName(t *testing.T) {
	for in, want := range map[string]string{"orders": "ORDERS", "order-api": "ORDER_API", "a1-b2": "A1_B2"} {
		if got := envName(in); got != want {
			t.Errorf("envName(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkGenerate measures a whole generation (render and write) of the
// largest service; the issue asks for well under a second.
func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	root := repoRoot(b)
	for i := 0; b.Loop(); i++ {
		o := options{Name: "orders", Module: "example.com/orders", GRPC: true, Events: true, Store: "sqlite", Replace: root, Dir: filepath.Join(b.TempDir(), "orders")}
		if _, err := generate(&o); err != nil {
			b.Fatal(err)
		}
	}
}
