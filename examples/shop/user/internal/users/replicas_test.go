package users_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
	"github.com/gantrykit/gantry/examples/shop/user/internal/store"
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
)

// TestReplicasShareSigningKeysBothEngines starts two replicas of the user service at
// once over one database: they make one signing key between them, and a
// token one replica issues verifies against the other's JWKS, as the
// gateway does, also after a rotation.
func TestReplicasShareSigningKeysBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "user", testReplicasShareSigningKeys)
}

func testReplicasShareSigningKeys(t *testing.T, dsn string) {
	ctx := context.Background()
	const replicas = 2
	dbs := make([]*sql.DB, replicas)
	rings := make([]*users.KeyRing, replicas)
	for i := range replicas {
		db, err := store.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
		rings[i] = users.NewKeyRing(store.New(db), time.Hour, 0)
	}
	var wg sync.WaitGroup
	for _, r := range rings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Load(ctx, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if keys, err := store.New(dbs[0]).SigningKeys(ctx); err != nil || len(keys) != 1 {
		t.Fatalf("%d keys (%v) after two replicas started at once, want 1", len(keys), err)
	}

	issuer, err := users.NewService(store.New(dbs[0]), rings[0], shopauth.Issuer, shopauth.Audience, time.Hour, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := issuer.Register(ctx, users.Registration{Email: "ada@example.com", Password: "long enough", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(rings[1].JWKS()) }))
	defer other.Close()
	verifier, err := shopauth.NewVerifier(other.URL, shopauth.Issuer, shopauth.Audience, nil)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(when string) {
		t.Helper()
		tok, err := issuer.Login(ctx, users.Credentials{Email: "ada@example.com", Password: "long enough"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifier.Validate(ctx, tok.Token); err != nil {
			t.Errorf("%s: a token of replica 1 does not verify with replica 2's JWKS: %v", when, err)
		}
	}
	verify("after the start")
	if err := rings[0].Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rings[1].Load(ctx, nil); err != nil { // its KeyRefresh
		t.Fatal(err)
	}
	verify("after a rotation")
}
