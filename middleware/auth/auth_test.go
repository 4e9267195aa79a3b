package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/auth"
)

const (
	issuer   = "https://issuer.example"
	audience = "orders"
)

// testKeys are generated once per test binary.
type testKeys struct {
	rsa     *rsa.PrivateKey
	ec      *ecdsa.PrivateKey
	ed      ed25519.PrivateKey
	hmac    []byte
	rsaPEM  []byte // the RSA public key as PEM, as an attacker would find it
	statics auth.StaticKeys
}

var keys = func() testKeys {
	r, _ := rsa.GenerateKey(rand.Reader, 2048)
	e, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, d, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&r.PublicKey)
	k := testKeys{rsa: r, ec: e, ed: d, hmac: []byte("0123456789abcdef0123456789abcdef"),
		rsaPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
	k.statics = auth.StaticKeys{
		"rsa": &r.PublicKey, "ec": &e.PublicKey, "ed": d.Public().(ed25519.PublicKey), "hs": k.hmac,
	}
	return k
}()

func claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"iss": issuer, "aud": audience, "sub": "alice",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "orders:read orders:write",
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newAuth(t *testing.T, ks auth.Keys, algs ...string) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(ks, auth.WithAlgorithms(algs...), auth.WithIssuer(issuer), auth.WithAudience(audience),
		auth.WithLeeway(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAttacks(t *testing.T) {
	algs := []string{"RS256", "ES256", "EdDSA", "HS256"}
	tampered := func() string {
		s := sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(nil))
		parts := strings.Split(s, ".")
		evil := sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { c["sub"] = "admin" }))
		parts[1] = strings.Split(evil, ".")[1] // payload of another token, signature of the first
		return strings.Join(parts, ".")
	}()
	none := sign(t, jwt.SigningMethodNone, "rsa", jwt.UnsafeAllowNoneSignatureType, claims(nil))
	tests := []struct {
		name   string
		algs   []string
		token  string
		header string // raw Authorization header, overrides token
		want   int
	}{
		{name: "valid RSA", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(nil)), want: 200},
		{name: "valid ECDSA", token: sign(t, jwt.SigningMethodES256, "ec", keys.ec, claims(nil)), want: 200},
		{name: "valid EdDSA", token: sign(t, jwt.SigningMethodEdDSA, "ed", keys.ed, claims(nil)), want: 200},
		{name: "valid HMAC", token: sign(t, jwt.SigningMethodHS256, "hs", keys.hmac, claims(nil)), want: 200},
		{name: "expired within leeway", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) {
			c["exp"] = time.Now().Add(-10 * time.Second).Unix()
		})), want: 200},
		{name: "alg none", token: none, want: 401},
		{name: "alg none with the kid of an HMAC key", token: sign(t, jwt.SigningMethodNone, "hs", jwt.UnsafeAllowNoneSignatureType, claims(nil)), want: 401},
		{name: "HS256 keyed with the RSA public key, RS only", algs: []string{"RS256"},
			token: sign(t, jwt.SigningMethodHS256, "rsa", keys.rsaPEM, claims(nil)), want: 401},
		{name: "HS256 keyed with the RSA public key, HS and RS allowed",
			token: sign(t, jwt.SigningMethodHS256, "rsa", keys.rsaPEM, claims(nil)), want: 401},
		{name: "RS256 token under an HMAC kid", token: sign(t, jwt.SigningMethodRS256, "hs", keys.rsa, claims(nil)), want: 401},
		{name: "expired", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) {
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		})), want: 401},
		{name: "not yet valid", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) {
			c["nbf"] = time.Now().Add(time.Hour).Unix()
		})), want: 401},
		{name: "issued in the future", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) {
			c["iat"] = time.Now().Add(time.Hour).Unix()
		})), want: 401},
		{name: "missing exp", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { delete(c, "exp") })), want: 401},
		{name: "wrong aud", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { c["aud"] = "payments" })), want: 401},
		{name: "missing aud", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { delete(c, "aud") })), want: 401},
		{name: "wrong iss", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), want: 401},
		{name: "missing iss", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { delete(c, "iss") })), want: 401},
		{name: "unknown kid", token: sign(t, jwt.SigningMethodRS256, "other", keys.rsa, claims(nil)), want: 401},
		{name: "no kid", token: sign(t, jwt.SigningMethodRS256, "", keys.rsa, claims(nil)), want: 401},
		{name: "tampered payload", token: tampered, want: 401},
		{name: "1 MiB token", token: strings.Repeat("a", 1<<20), want: 401},
		{name: "garbage", token: "not.a.jwt", want: 401},
		{name: "missing token", header: "", want: 401},
		{name: "basic auth", header: "Basic YWxpY2U6c2VjcmV0", want: 401},
		{name: "missing scope", token: sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) { c["scope"] = "orders:read" })), want: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			algs := algs
			if tt.algs != nil {
				algs = tt.algs
			}
			a := newAuth(t, keys.statics, algs...)
			var sub string
			e := endpoint.Chain(a.For("create_order"), auth.RequireScope("orders:write"))(func(ctx context.Context, _ any) (any, error) {
				c, _ := auth.ClaimsFrom(ctx)
				sub = c.Subject
				return "created", nil
			})
			h := auth.HTTPToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := e(r.Context(), nil); err != nil {
					var ee *errs.Error
					if !errors.As(err, &ee) {
						t.Errorf("got %T %v, want an *errs.Error", err, err)
					}
					w.WriteHeader(errs.KindOf(err).HTTPStatus())
				}
			}))
			r := httptest.NewRequest("POST", "/orders", nil)
			switch {
			case tt.token != "":
				r.Header.Set("Authorization", "Bearer "+tt.token)
			case tt.header != "":
				r.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("got status %d, want %d", w.Code, tt.want)
			}
			if tt.want == 200 && sub != "alice" {
				t.Errorf("got subject %q in the endpoint, want alice", sub)
			}
		})
	}
}

func TestNewRequiresPolicy(t *testing.T) {
	tests := []struct {
		name string
		keys auth.Keys
		opts []auth.Option
	}{
		{"no keys", nil, []auth.Option{auth.WithAlgorithms("RS256"), auth.WithIssuer(issuer), auth.WithAudience(audience)}},
		{"no algorithms", keys.statics, []auth.Option{auth.WithIssuer(issuer), auth.WithAudience(audience)}},
		{"alg none", keys.statics, []auth.Option{auth.WithAlgorithms("none"), auth.WithIssuer(issuer), auth.WithAudience(audience)}},
		{"unknown alg", keys.statics, []auth.Option{auth.WithAlgorithms("XX999"), auth.WithIssuer(issuer), auth.WithAudience(audience)}},
		{"no issuer", keys.statics, []auth.Option{auth.WithAlgorithms("RS256"), auth.WithAudience(audience)}},
		{"no audience", keys.statics, []auth.Option{auth.WithAlgorithms("RS256"), auth.WithIssuer(issuer)}},
	}
	for _, tt := range tests {
		if _, err := auth.New(tt.keys, tt.opts...); err == nil {
			t.Errorf("%s: got nil error, want one", tt.name)
		}
	}
}

func TestRequireRole(t *testing.T) {
	a := newAuth(t, keys.statics, "RS256")
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	tests := []struct {
		name  string
		roles any
		mw    []string
		want  errs.Kind
	}{
		{"has role", []string{"admin"}, []string{"admin", "ops"}, 0},
		{"lacks role", []string{"viewer"}, []string{"admin"}, errs.KindPermissionDenied},
		{"no roles", nil, []string{"admin"}, errs.KindPermissionDenied},
	}
	for _, tt := range tests {
		tok := sign(t, jwt.SigningMethodRS256, "rsa", keys.rsa, claims(func(c jwt.MapClaims) {
			if tt.roles != nil {
				c["roles"] = tt.roles
			}
		}))
		e := endpoint.Chain(a.For("op"), auth.RequireRole(tt.mw...))(ok)
		_, err := e(auth.ContextWithToken(context.Background(), tok), nil)
		if tt.want == 0 && err != nil || tt.want != 0 && errs.KindOf(err) != tt.want {
			t.Errorf("%s: got %v, want kind %v", tt.name, err, tt.want)
		}
	}
	// Without the authenticator in front, there are no claims.
	if _, err := auth.RequireScope("x")(ok)(context.Background(), nil); errs.KindOf(err) != errs.KindUnauthenticated {
		t.Errorf("got %v, want unauthenticated", err)
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc": "abc", "bearer abc": "abc", "BEARER  abc ": "abc", "Basic abc": "", "Bearer": "", "": "",
	} {
		if got := auth.BearerToken(header); got != want {
			t.Errorf("%q: got %q, want %q", header, got, want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer xyz")
	if got := auth.TokenFrom(auth.TokenFromHTTP(context.Background(), r)); got != "xyz" {
		t.Errorf("got %q from TokenFromHTTP, want xyz", got)
	}
}
