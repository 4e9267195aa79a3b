package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/errs"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid, alg string, k *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "alg": alg, "use": "sig", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

// issuer serves a key set that tests can swap, counting fetches.
type issuer struct {
	mu      sync.Mutex
	keys    []map[string]any
	status  int
	fetches int
}

func (i *issuer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.fetches++
	if i.status != 0 {
		w.WriteHeader(i.status)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": i.keys})
}

func (i *issuer) set(status int, keys ...map[string]any) {
	i.mu.Lock()
	i.status, i.keys = status, keys
	i.mu.Unlock()
}

func (i *issuer) count() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.fetches
}

func TestJWKSCache(t *testing.T) {
	k1, _ := rsa.GenerateKey(rand.Reader, 2048)
	k2, _ := rsa.GenerateKey(rand.Reader, 2048)
	iss := &issuer{}
	iss.set(0, rsaJWK("k1", "RS256", &k1.PublicKey))
	srv := httptest.NewServer(iss)
	defer srv.Close()
	now := time.Unix(1e9, 0)
	j := NewJWKS(srv.URL, WithRefresh(time.Hour, time.Minute))
	j.now = func() time.Time { return now }
	ctx := context.Background()

	type step struct {
		name        string
		advance     time.Duration
		swap        []map[string]any // new set served, if non-nil
		status      int              // status served from now on
		kid, alg    string
		wantKey     *rsa.PublicKey // nil: want an error
		wantFetches int
	}
	steps := []step{
		{name: "first use fetches", kid: "k1", alg: "RS256", wantKey: &k1.PublicKey, wantFetches: 1},
		{name: "cached", kid: "k1", alg: "RS256", wantKey: &k1.PublicKey, wantFetches: 1},
		{name: "alg mismatch", kid: "k1", alg: "RS384", wantFetches: 1},
		{name: "unknown kid right after a fetch is not refetched", kid: "nope", alg: "RS256", wantFetches: 1},
		{name: "unknown kid refetches", advance: time.Minute, kid: "nope", alg: "RS256", wantFetches: 2},
		{name: "unknown kid again is rate limited", advance: time.Second, kid: "nope2", alg: "RS256", wantFetches: 2},
		{name: "rotation seen after min interval", advance: time.Minute, swap: []map[string]any{rsaJWK("k2", "RS256", &k2.PublicKey)},
			kid: "k2", alg: "RS256", wantKey: &k2.PublicKey, wantFetches: 3},
		{name: "old key gone after rotation", advance: 2 * time.Minute, kid: "k1", alg: "RS256", wantFetches: 4},
		{name: "issuer down keeps serving the old set", advance: 2 * time.Hour, status: 500, kid: "k2", alg: "RS256", wantKey: &k2.PublicKey, wantFetches: 5},
		{name: "stale set not refetched within min interval", advance: time.Second, status: 500, kid: "k2", alg: "RS256", wantKey: &k2.PublicKey, wantFetches: 5},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.swap != nil || s.status != 0 {
			iss.set(s.status, s.swap...)
			if s.swap == nil {
				iss.set(s.status, rsaJWK("k2", "RS256", &k2.PublicKey))
			}
		}
		key, err := j.Key(ctx, s.kid, s.alg)
		if s.wantKey == nil {
			if err == nil {
				t.Errorf("%s: got key, want an error", s.name)
			}
		} else if err != nil || !s.wantKey.Equal(key) {
			t.Errorf("%s: got %v, %v, want the key", s.name, key, err)
		}
		if got := iss.count(); got != s.wantFetches {
			t.Errorf("%s: got %d fetches, want %d", s.name, got, s.wantFetches)
		}
	}
}

func TestJWKSUnavailable(t *testing.T) {
	iss := &issuer{}
	iss.set(503)
	srv := httptest.NewServer(iss)
	defer srv.Close()
	j := NewJWKS(srv.URL)
	for range 3 {
		if _, err := j.Key(context.Background(), "k1", "RS256"); errs.KindOf(err) != errs.KindUnavailable {
			t.Errorf("got %v, want unavailable", err)
		}
	}
	if got := iss.count(); got != 1 {
		t.Errorf("got %d fetches, want 1 (rate limited)", got)
	}
}

// TestJWKSKeys serves one key per set and asks for it: only public
// signature keys of the token's algorithm come back.
func TestJWKSKeys(t *testing.T) {
	r, _ := rsa.GenerateKey(rand.Reader, 2048)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	e, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	ecx, ecy := make([]byte, 32), make([]byte, 32)
	e.X.FillBytes(ecx)
	e.Y.FillBytes(ecy)
	tests := []struct {
		name string
		key  map[string]any
		alg  string
		want bool
	}{
		{"rsa", rsaJWK("a", "RS256", &r.PublicKey), "RS256", true},
		{"rsa below 2048 bits", rsaJWK("a", "RS256", &small.PublicKey), "RS256", false},
		{"ec", map[string]any{"kty": "EC", "kid": "a", "crv": "P-256", "x": b64(ecx), "y": b64(ecy)}, "ES256", true},
		{"ec point off the curve", map[string]any{"kty": "EC", "kid": "a", "crv": "P-256", "x": b64(ecx), "y": b64(ecx)}, "ES256", false},
		{"ec unknown curve", map[string]any{"kty": "EC", "kid": "a", "crv": "P-192", "x": b64(ecx), "y": b64(ecy)}, "ES256", false},
		{"ed25519", map[string]any{"kty": "OKP", "kid": "a", "crv": "Ed25519", "x": b64(ed)}, "EdDSA", true},
		{"x25519 is not for signatures", map[string]any{"kty": "OKP", "kid": "a", "crv": "X25519", "x": b64(ed)}, "EdDSA", false},
		{"encryption key", map[string]any{"kty": "RSA", "kid": "a", "use": "enc", "n": b64(r.N.Bytes()), "e": "AQAB"}, "RS256", false},
		{"symmetric key", map[string]any{"kty": "oct", "kid": "a", "k": "c2VjcmV0"}, "HS256", false},
	}
	for _, tt := range tests {
		iss := &issuer{}
		iss.set(0, tt.key, rsaJWK("other", "RS256", &r.PublicKey))
		srv := httptest.NewServer(iss)
		_, err := NewJWKS(srv.URL).Key(context.Background(), "a", tt.alg)
		srv.Close()
		if got := err == nil; got != tt.want {
			t.Errorf("%s: got usable %v (%v), want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := parseJWKS([]byte("{")); err == nil {
		t.Errorf("got nil error for malformed JSON, want one")
	}
	// One key that cannot be used does not hide the others.
	keys, err := parseJWKS([]byte(`{"keys":[{"kty":"RSA","kid":"bad","n":5},` +
		`{"kty":"OKP","kid":"good","crv":"Ed25519","x":"` + b64(ed) + `"}]}`))
	if err != nil || len(keys) != 1 || keys[0].Marshal().KID != "good" {
		t.Errorf("got %d keys, %v, want the good one", len(keys), err)
	}
}

func TestJWKSTooLarge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"keys":[` + strings.Repeat(" ", maxJWKSBytes) + `]}`))
	}))
	defer srv.Close()
	if _, err := NewJWKS(srv.URL).Key(context.Background(), "a", "RS256"); errs.KindOf(err) != errs.KindUnavailable {
		t.Errorf("got %v, want unavailable for an oversized set", err)
	}
}
