package etcd_test

import (
	"os"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/discoverytest"
)

// TestAcceptanceInstanceLoss measures how long a crashed instance stays
// visible (goal ≤ TTL + 1s). Timed, so it runs only with GANTRY_ACCEPTANCE=1.
func TestAcceptanceInstanceLoss(t *testing.T) {
	if os.Getenv("GANTRY_ACCEPTANCE") != "1" {
		t.Skip("timed acceptance test; run with GANTRY_ACCEPTANCE=1")
	}
	const ttl = 2 * time.Second
	s := startEtcd(t)
	writer, reader := s.registry(t), s.registry(t)
	loss := discoverytest.InstanceLoss(t, discoverytest.Backend{
		Store:        writer,
		NewInstancer: func(svc string) (discovery.Instancer, error) { return reader.Instancer(svc) },
		TTL:          ttl,
	})
	t.Logf("etcd TTL %v: gone %v after the kill, %v after its last heartbeat", ttl, loss.SinceKill, loss.SinceLastHeartbeat)
	if loss.SinceLastHeartbeat > ttl+time.Second {
		t.Errorf("instance loss: got %v after the last heartbeat, want ≤ TTL+1s = %v", loss.SinceLastHeartbeat, ttl+time.Second)
	}
}
