package users

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// memKeys is a KeyStore in memory, deciding under one lock as the
// database does in one transaction.
type memKeys struct {
	mu   sync.Mutex
	keys []SigningKey
}

func (m *memKeys) SigningKeys(context.Context) ([]SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]SigningKey(nil), m.keys...), nil
}

func (m *memKeys) AddSigningKey(_ context.Context, k SigningKey, since, retire time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.keys {
		if !o.Created.Before(since) {
			return false, nil
		}
	}
	for i := range m.keys {
		if m.keys[i].RetireAt.IsZero() {
			m.keys[i].RetireAt = retire
		}
	}
	m.keys = append(m.keys, k)
	return true, nil
}

// clock is a time the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func ring(t *testing.T, store KeyStore, c *clock, rotateEvery time.Duration) *KeyRing {
	t.Helper()
	r := NewKeyRing(store, time.Hour, rotateEvery)
	r.now = c.now
	if err := r.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return r
}

func kids(t *testing.T, r *KeyRing) []string {
	t.Helper()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(r.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

func signer(t *testing.T, r *KeyRing) string {
	t.Helper()
	kid, _, err := r.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return kid
}

// TestRotateKeepsLiveTokens walks a rotation on a clock: the new key is
// published at once but signs only after PublishAhead, and the old one
// stays published until its last token has expired (plus RetireMargin);
// a replica that loads the store agrees at every step.
func TestRotateKeepsLiveTokens(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	store := &memKeys{}
	a := ring(t, store, c, 0)
	old := signer(t, a)
	if err := a.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := ring(t, store, c, 0) // a replica
	for _, r := range []*KeyRing{a, b} {
		if got := signer(t, r); got != old {
			t.Errorf("right after the rotation %s signs, want the old key %s", got, old)
		}
		if got := kids(t, r); len(got) != 2 {
			t.Errorf("right after the rotation the JWKS holds %q, want both keys", got)
		}
	}
	c.add(PublishAhead)
	next := signer(t, a)
	if next == old || signer(t, b) != next {
		t.Errorf("after PublishAhead a signs with %s and b with %s, want both the new key (not %s)", next, signer(t, b), old)
	}
	if _, err := b.Key(context.Background(), old, ""); err != nil {
		t.Errorf("a token of the old key, still live, is refused: %v", err)
	}
	c.add(time.Hour + RetireMargin - time.Millisecond)
	if got := kids(t, b); len(got) != 2 {
		t.Errorf("before the old key's last token expired (plus the margin) the JWKS holds %q, want both", got)
	}
	c.add(time.Millisecond)
	if got := kids(t, b); len(got) != 1 || got[0] != next {
		t.Errorf("once the old key's tokens are expired the JWKS holds %q, want just %s", got, next)
	}
}

// TestReplicasRotateOnce: replicas that find the newest key due for
// rotation at the same moment add one new key between them.
func TestReplicasRotateOnce(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	store := &memKeys{}
	const every = 24 * time.Hour
	replicas := []*KeyRing{ring(t, store, c, every), ring(t, store, c, every), ring(t, store, c, every)}
	c.add(every)
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Load(context.Background(), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if keys, _ := store.SigningKeys(context.Background()); len(keys) != 2 {
		t.Errorf("%d keys after the replicas rotated at once, want 2", len(keys))
	}
}
