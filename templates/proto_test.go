package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestProtoCodeIsCurrent regenerates service/api/itemspb with protoc (when
// protoc and both plugins are installed) and compares: the generated code
// in the template must match its .proto. It also guards the rename: the
// descriptor must not hold the module path or the service name, which the
// generator rewrites in plain text and the descriptor encodes with lengths.
func TestProtoCodeIsCurrent(t *testing.T) {
	dir := filepath.Join("service", "api", "itemspb")
	for _, name := range []string{"items.pb.go", "items_grpc.pb.go"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{placeholderModule, placeholderName} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains %q: keep it out of the .proto (use protoc's M option)", name, s)
			}
		}
	}
	for _, tool := range []string{"protoc", "protoc-gen-go", "protoc-gen-go-grpc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH", tool)
		}
	}
	out := t.TempDir()
	m := "Mitems.proto=" + placeholderModule + "/api/itemspb"
	cmd := exec.Command("protoc", "--go_out="+out, "--go_opt=paths=source_relative", "--go_opt="+m,
		"--go-grpc_out="+out, "--go-grpc_opt=paths=source_relative", "--go-grpc_opt="+m, "items.proto")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, b)
	}
	for _, name := range []string{"items.pb.go", "items_grpc.pb.go"} {
		want, _ := os.ReadFile(filepath.Join(out, name))
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(stripVersions(got), stripVersions(want)) {
			t.Errorf("%s differs from protoc's output: run go generate in %s", name, dir)
		}
	}
}

// stripVersions drops the header lines naming protoc and plugin versions,
// which differ between machines without changing the code.
func stripVersions(b []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("// \tprotoc")) || bytes.HasPrefix(line, []byte("// - protoc")) {
			continue
		}
		out = append(out, line)
	}
	return bytes.Join(out, []byte("\n"))
}
