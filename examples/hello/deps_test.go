package main

import (
	"os/exec"
	"strings"
	"testing"
)

// An HTTP-only service pays for what it uses: hello links no NATS, gRPC or
// etcd package, nor runtime/pprof (kit wires those in through kit/natskit,
// kit/grpckit and kit/pprofkit, which hello does not import).
func TestLinksNoNATSGRPCOrEtcd(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for pkg := range strings.FieldsSeq(string(out)) {
		for _, banned := range []string{"nats", "grpc", "etcd"} {
			if strings.Contains(pkg, banned) {
				t.Errorf("hello links %s (%s)", pkg, banned)
			}
		}
		if pkg == "runtime/pprof" {
			t.Errorf("hello links runtime/pprof: kit imports it again, or hello mounts kit/pprofkit")
		}
	}
}
