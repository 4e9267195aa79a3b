package natskv_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/discoverytest"
	"github.com/gantrykit/gantry/discovery/natskv"
)

// TestAcceptanceInstanceLoss measures how long a crashed instance stays
// visible (goal ≤ TTL + 1s). Timed, so it runs only with GANTRY_ACCEPTANCE=1.
func TestAcceptanceInstanceLoss(t *testing.T) {
	if os.Getenv("GANTRY_ACCEPTANCE") != "1" {
		t.Skip("timed acceptance test; run with GANTRY_ACCEPTANCE=1")
	}
	const ttl = 2 * time.Second
	n := startNATS(t)
	reg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	watchReg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	loss := discoverytest.InstanceLoss(t, discoverytest.Backend{
		Store:        reg,
		NewInstancer: func(s string) (discovery.Instancer, error) { return watchReg.Instancer(s) },
		TTL:          ttl,
	})
	t.Logf("natskv TTL %v: gone %v after the kill, %v after its last heartbeat", ttl, loss.SinceKill, loss.SinceLastHeartbeat)
	if loss.SinceLastHeartbeat > ttl+time.Second {
		t.Errorf("instance loss: got %v after the last heartbeat, want ≤ TTL+1s = %v", loss.SinceLastHeartbeat, ttl+time.Second)
	}
}
