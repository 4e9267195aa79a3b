package main

import (
	"os/exec"
	"strings"
	"testing"
)

// An HTTP-only service pays for what it uses: hello links no NATS, gRPC or
// etcd package (kit wires those in through kit/natskit and kit/grpckit,
// which hello does not import).
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
	}
}
