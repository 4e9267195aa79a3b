package outbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// TestRelayClaimsForItsLease: the relay claims each row until its clock
// plus its Lease, so another relay takes a dead one's rows after that
// long; a lease out of bounds stops Run at once, before any claim.
func TestRelayClaimsForItsLease(t *testing.T) {
	db, js := setup(t)
	add(t, db, "evt-1", "orders.created")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, lease := range []time.Duration{2 * time.Second, 45 * time.Second} {
		r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Now: func() time.Time { return now },
			Lease: lease, Owner: "r-" + lease.String(),
			Fault: func(Stage, string) error { return ErrCrash }}
		if err := r.Run(context.Background()); !errors.Is(err, ErrCrash) {
			t.Fatalf("lease %v: Run returned %v, want the fault's crash", lease, err)
		}
		want := now.Add(lease).Format(sqldb.TimeFormat)
		if got := column(t, db, "evt-1", "claimed_until"); got != want {
			t.Errorf("lease %v: claimed until %s, want %s", lease, got, want)
		}
		now = now.Add(lease + time.Second) // the claim has ended: the next relay takes the row
	}
	for _, lease := range []time.Duration{-time.Second, MinLease - time.Millisecond, MaxLease + time.Second} {
		r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Lease: lease, Owner: "bad",
			Fault: func(Stage, string) error { t.Error("a relay with an invalid lease claimed a row"); return ErrCrash }}
		if err := r.Run(context.Background()); err == nil || errors.Is(err, ErrCrash) {
			t.Errorf("lease %v: Run returned %v, want the lease refused", lease, err)
		}
	}
}
