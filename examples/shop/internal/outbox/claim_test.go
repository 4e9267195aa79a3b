package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
)

// TestClaimIsExclusiveBothEngines: relays claiming at once get disjoint rows that
// together are all of them; a claim keeps the others off until its lease
// ends, Release and MarkPublished end it at once.
func TestClaimIsExclusiveBothEngines(t *testing.T) { sqldbtest.Engines(t, "o", testClaimIsExclusive) }

func testClaimIsExclusive(t *testing.T, dsn string) {
	db := migratedOn(t, dsn, services[0])
	ctx := context.Background()
	const n = 60
	for i := range n {
		add(t, db, fmt.Sprintf("evt-%02d", i), "orders.created")
	}
	now := time.Now()
	// Three claimers, each claiming as a new owner every time (an owner
	// may claim its own rows again), until nothing is left.
	type claim struct {
		owner string
		rows  []Row
	}
	got := make([][]claim, 3)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				owner := fmt.Sprintf("%c%d", 'a'+i, k)
				rows, err := Claim(ctx, db, owner, now, now.Add(time.Minute), 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(rows) == 0 {
					return
				}
				got[i] = append(got[i], claim{owner, rows})
			}
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	var first claim
	for _, claims := range got {
		for _, c := range claims {
			if len(c.rows) >= 2 && first.owner == "" {
				first = c
			}
			for _, r := range c.rows {
				if prev, dup := seen[r.ID]; dup {
					t.Errorf("row %s claimed by %s and by %s", r.ID, prev, c.owner)
				}
				seen[r.ID] = c.owner
			}
		}
	}
	if len(seen) != n || first.owner == "" {
		t.Fatalf("%d rows claimed, want %d", len(seen), n)
	}
	owner := first.owner
	if rows, _ := Claim(ctx, db, "d", now.Add(59*time.Second), now.Add(2*time.Minute), n); len(rows) != 0 {
		t.Errorf("within the leases another relay claimed %d rows, want 0", len(rows))
	}
	if err := Release(ctx, db, owner, []string{first.rows[0].ID}); err != nil {
		t.Fatal(err)
	}
	if err := MarkPublished(ctx, db, first.rows[1].ID, now); err != nil {
		t.Fatal(err)
	}
	rows, err := Claim(ctx, db, "d", now.Add(time.Second), now.Add(time.Minute), n)
	if err != nil || len(rows) != 1 || rows[0].ID != first.rows[0].ID {
		t.Errorf("after a release another relay claimed %v, %v; want just the released row %s", ids2(rows), err, first.rows[0].ID)
	}
	// Once the leases end, every unpublished row is free again, oldest first.
	rows, err = Claim(ctx, db, "e", now.Add(2*time.Minute+time.Second), now.Add(3*time.Minute), n)
	if err != nil || len(rows) != n-1 {
		t.Fatalf("after the leases another relay claimed %d rows, %v; want %d", len(rows), err, n-1)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i-1].ID > rows[i].ID {
			t.Fatalf("claimed out of order: %v", ids2(rows))
		}
	}
}

func ids2(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// TestTwoRelaysPublishEachRowOnceBothEngines runs two relays, as two replicas of a
// service do, over one database while rows keep arriving: a plain NATS
// subscriber, which sees every publish (the stream's de-duplication would
// hide a second one), gets each row exactly once, and the stream stores
// each once.
func TestTwoRelaysPublishEachRowOnceBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "o", testTwoRelaysPublishEachRowOnce)
}

func testTwoRelaysPublishEachRowOnce(t *testing.T, dsn string) {
	db, js := setupOn(t, dsn)
	if err := EnsureStreams(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	published := map[string]int{}
	sub, err := js.Conn().Subscribe("orders.>", func(m *nats.Msg) {
		mu.Lock()
		published[m.Header.Get(jetstream.MsgIDHeader)]++
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	relays := []*Relay{
		{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: time.Millisecond, Owner: "replica-1"},
		{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: time.Millisecond, Owner: "replica-2"},
	}
	for _, r := range relays {
		go func() { done <- r.Run(ctx) }()
	}
	const n = 300
	for i := range n {
		add(t, db, fmt.Sprintf("evt-%03d", i), "orders.created")
		relays[i%2].Notify()
	}
	waitUnpublished(t, db, 0)
	cancel()
	for range relays {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	sub.Drain()
	s, _ := js.Stream(context.Background(), "ORDERS")
	if info, _ := s.Info(context.Background()); info.State.Msgs != n {
		t.Errorf("stream holds %d messages, want %d", info.State.Msgs, n)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if id := fmt.Sprintf("evt-%03d", i); published[id] != 1 {
			t.Errorf("%s published %d times, want once", id, published[id])
		}
	}
}

// waitUnpublished waits until the outbox has n unpublished rows.
func waitUnpublished(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got int
		if err := db.QueryRow(`SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows unpublished, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
