package users_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/user/internal/store"
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
)

func newTestService(t *testing.T) (*users.Service, *users.KeyRing) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "user.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys := users.NewKeyRing(store.New(db), time.Hour, 0)
	if err := keys.Load(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	svc, err := users.NewService(store.New(db), keys, shopauth.Issuer, shopauth.Audience, time.Hour, 4)
	if err != nil {
		t.Fatal(err)
	}
	return svc, keys
}

func TestRegisterLogin(t *testing.T) {
	svc, _ := newTestService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, users.Registration{Email: "Ada@Example.com", Password: "long enough", Name: "Ada"})
	if err != nil || u.Email != "ada@example.com" {
		t.Fatalf("Register = %+v, %v; want the account with a lower-case email", u, err)
	}
	if _, err := svc.Register(ctx, users.Registration{Email: "ada@example.COM", Password: "another one", Name: "A"}); errs.KindOf(err) != errs.KindConflict {
		t.Errorf("second Register = %v, want Conflict", err)
	}
	for _, c := range []users.Credentials{{"ada@example.com", "wrong password"}, {"nobody@example.com", "long enough"}} {
		if _, err := svc.Login(ctx, c); errs.KindOf(err) != errs.KindUnauthenticated {
			t.Errorf("Login(%s) = %v, want Unauthenticated", c.Email, err)
		}
	}
	tok, err := svc.Login(ctx, users.Credentials{"ADA@example.com", "long enough"})
	if err != nil || tok.Token == "" || !tok.ExpiresAt.After(time.Now()) {
		t.Fatalf("Login = %+v, %v; want a token", tok, err)
	}
}

// TestTokenVerifiesWithJWKS: a token verifies with the published key set,
// as the gateway and the other services do, and carries the admin scope
// only for admins.
func TestTokenVerifiesWithJWKS(t *testing.T) {
	svc, keys := newTestService(t)
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(keys.JWKS()) }))
	defer srv.Close()
	verifier, err := shopauth.NewVerifier(srv.URL, shopauth.Issuer, shopauth.Audience, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Register(ctx, users.Registration{Email: "bob@example.com", Password: "long enough", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureAdmin(ctx, "root@example.com", "admin password"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		email, password string
		admin           bool
	}{{"bob@example.com", "long enough", false}, {"root@example.com", "admin password", true}} {
		tok, err := svc.Login(ctx, users.Credentials{tt.email, tt.password})
		if err != nil {
			t.Fatal(err)
		}
		c, err := verifier.Validate(ctx, tok.Token)
		if err != nil {
			t.Fatalf("%s's token does not verify: %v", tt.email, err)
		}
		if c.HasScope(shopauth.AdminScope) != tt.admin {
			t.Errorf("%s: admin scope %v, want %v", tt.email, c.HasScope(shopauth.AdminScope), tt.admin)
		}
		p, err := svc.Profile(ctx, users.ProfileRequest{UserID: c.Subject})
		if err != nil || p.Email != tt.email || p.Admin != tt.admin {
			t.Errorf("Profile(sub) = %+v, %v; want %s admin=%v", p, err, tt.email, tt.admin)
		}
	}
}

// TestKeyFileSurvivesRestart: a mounted key file, created when missing,
// is the same key when read again.
func TestKeyFileSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	a, err := users.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := users.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(b) {
		t.Error("the key read again differs from the key created")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v; want 0600", fi.Mode(), err)
	}
}
