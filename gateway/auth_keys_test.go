package gateway_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gantrykit/gantry/gateway"
)

// edKey is an Ed25519 key pair with its public half as PEM "PUBLIC KEY".
type edKey struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	pem  []byte
}

func newEdKey(t testing.TB) edKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return edKey{pub, priv, pemPublic(t, pub)}
}

func pemPublic(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// signed signs claims (exp +1h, iss "test", aud "gateway" by default) with
// method and key, naming kid in the header when it is not empty.
func signed(t testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	for k, v := range map[string]any{"exp": time.Now().Add(time.Hour).Unix(), "iss": "test", "aud": "gateway"} {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAuthEdDSA verifies Ed25519 tokens at the edge with the key given as
// a PEM file and as an OKP key in a JWKS, and refuses tokens signed with
// another key or another algorithm, HS256 above all: a route configured
// for EdDSA must not accept an HMAC over the token keyed with the secret
// other routes use, nor with the public key itself.
func TestAuthEdDSA(t *testing.T) {
	ed, other := newEdKey(t), newEdKey(t)
	keyFile := filepath.Join(t.TempDir(), "ed25519.pem")
	if err := os.WriteFile(keyFile, ed.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{
			{"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig", "alg": "EdDSA", "x": base64.RawURLEncoding.EncodeToString(ed.pub)},
		}})
	}))
	defer jwks.Close()
	b := newBackend(t, "b")
	const routes = `
services: {b: {urls: ["URL"]}}
auth: {alg: EdDSA, KEY, issuer: test, audience: gateway, claims_secret_env: CLAIMS_SECRET}
routes:
  - {name: read, prefix: /read, service: b, auth: {mode: jwt, scopes: [orders:read]}}
`
	for _, src := range []struct{ name, key, kid string }{
		{"key_file", `key_file: "` + keyFile + `"`, ""},
		{"jwks_url", `jwks_url: "` + jwks.URL + `"`, "ed-1"},
	} {
		t.Run(src.name, func(t *testing.T) {
			_, gw := start(t, replace(routes, "URL", b.URL, "KEY", src.key))
			claims := func() jwt.MapClaims { return jwt.MapClaims{"sub": "ann", "scope": "orders:read"} }
			tests := []struct {
				name   string
				token  string
				status int
			}{
				{"valid", signed(t, jwt.SigningMethodEdDSA, src.kid, ed.priv, claims()), 200},
				{"wrong key", signed(t, jwt.SigningMethodEdDSA, src.kid, other.priv, claims()), 401},
				{"expired", signed(t, jwt.SigningMethodEdDSA, src.kid, ed.priv, jwt.MapClaims{"sub": "ann", "scope": "orders:read", "exp": time.Now().Add(-time.Hour).Unix()}), 401},
				{"HS256 with the shared secret", signed(t, jwt.SigningMethodHS256, src.kid, []byte(jwtSecret), claims()), 401},
				{"HS256 keyed with the PEM public key", signed(t, jwt.SigningMethodHS256, src.kid, ed.pem, claims()), 401},
				{"HS256 keyed with the raw public key", signed(t, jwt.SigningMethodHS256, src.kid, []byte(ed.pub), claims()), 401},
				{"missing scope", signed(t, jwt.SigningMethodEdDSA, src.kid, ed.priv, jwt.MapClaims{"sub": "ann"}), 403},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res, e, raw := do(t, "GET", gw.URL+"/read/1", map[string]string{"Authorization": "Bearer " + tt.token}, "")
					if res.StatusCode != tt.status {
						t.Fatalf("status = %d, want %d: %s", res.StatusCode, tt.status, raw)
					}
					if tt.status != 200 {
						if e.Name != "" {
							t.Errorf("backend %q answered a rejected request", e.Name)
						}
						return
					}
					payload, err := gateway.VerifyClaims(e.Header.Get(gateway.ClaimsHeader), []byte("claims-secret"))
					if err != nil {
						t.Fatalf("VerifyClaims(%q): %v", e.Header.Get(gateway.ClaimsHeader), err)
					}
					var m map[string]any
					if err := json.Unmarshal(payload, &m); err != nil || m["sub"] != "ann" || m["scope"] != "orders:read" {
						t.Errorf("forwarded claims = %s, want sub ann and scope orders:read", payload)
					}
				})
			}
		})
	}
}

// TestAuthKeyConfig checks that a key that cannot verify the configured
// algorithm fails New with an error naming the key that holds it, and that
// every supported algorithm takes a key of its family.
func TestAuthKeyConfig(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ed := newEdKey(t)
	edCert := func() []byte {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ed.pub, ed.priv)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}()
	edPriv, err := x509.MarshalPKCS8PrivateKey(ed.priv)
	if err != nil {
		t.Fatal(err)
	}
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"ed":      file("ed.pem", ed.pem),
		"edcert":  file("ed.crt", edCert),
		"edpriv":  file("ed.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edPriv})),
		"rsa":     file("rsa.pem", pemPublic(t, &rsa2048.PublicKey)),
		"rsa1024": file("rsa1024.pem", pemPublic(t, &rsa1024.PublicKey)),
		"p256":    file("p256.pem", pemPublic(t, &p256.PublicKey)),
		"p384":    file("p384.pem", pemPublic(t, &p384.PublicKey)),
		"secret":  file("secret", []byte(jwtSecret)),
	}
	env := map[string]string{"ED_PEM": string(ed.pem), "SECRET": jwtSecret}
	tests := []struct {
		name, alg, key string // key: "file:<files key>" or "env:<variable>"
		wantKey        string // ConfigError key; "" for success
		wantMsg        []string
	}{
		{"EdDSA PEM file", "EdDSA", "file:ed", "", nil},
		{"EdDSA PEM env", "EdDSA", "env:ED_PEM", "", nil},
		{"EdDSA certificate", "EdDSA", "file:edcert", "", nil},
		{"RS256 PEM", "RS256", "file:rsa", "", nil},
		{"ES256 PEM", "ES256", "file:p256", "", nil},
		{"HS256 secret", "HS256", "env:SECRET", "", nil},
		{"EdDSA with an RSA key", "EdDSA", "file:rsa", "auth.key_file", []string{"RSA key", "EdDSA", "Ed25519"}},
		{"EdDSA with an EC key", "EdDSA", "file:p256", "auth.key_file", []string{"EC P-256 key", "EdDSA"}},
		{"EdDSA with a secret", "EdDSA", "file:secret", "auth.key_file", []string{"EdDSA", "no PEM block"}},
		{"EdDSA with a private key", "EdDSA", "file:edpriv", "auth.key_file", []string{`"PRIVATE KEY"`, "public key"}},
		{"RS256 with an Ed25519 key", "RS256", "file:ed", "auth.key_file", []string{"Ed25519 key", "RS256"}},
		{"ES256 with an Ed25519 key", "ES256", "file:ed", "auth.key_file", []string{"Ed25519 key", "ES256"}},
		{"ES256 with a P-384 key", "ES256", "file:p384", "auth.key_file", []string{"P-384", "ES256", "P-256"}},
		{"RS256 with a short key", "RS256", "file:rsa1024", "auth.key_file", []string{"1024 bits", "2048"}},
		{"HS256 with an Ed25519 PEM", "HS256", "env:ED_PEM", "auth.secret_env", []string{"HS256", `"PUBLIC KEY"`}},
		{"HS256 with a PEM file", "HS256", "file:ed", "auth.key_file", []string{"HS256", "shared secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "secret_env: " + strings.TrimPrefix(tt.key, "env:")
			if f, ok := strings.CutPrefix(tt.key, "file:"); ok {
				src = `key_file: "` + files[f] + `"`
			}
			cfg, err := gateway.ParseConfig([]byte(`
services: {b: {urls: ["http://127.0.0.1:1"]}}
auth: {alg: ` + tt.alg + `, ` + src + `, issuer: test, audience: gateway}
routes: [{name: r, prefix: /r, service: b, auth: {mode: jwt}}]
`))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			gw, err := gateway.New(cfg, gateway.WithGetenv(func(k string) string { return env[k] }))
			if err == nil {
				_ = gw.Close()
			}
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("New: %v, want no error", err)
				}
				return
			}
			var ce *gateway.ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.wantKey {
				t.Fatalf("New: %v, want a *ConfigError for key %s", err, tt.wantKey)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(ce.Msg, w) {
					t.Errorf("message %q does not mention %q", ce.Msg, w)
				}
			}
		})
	}
	cfg, err := gateway.ParseConfig([]byte("services: {b: {urls: [\"http://127.0.0.1:1\"]}}\nauth: {alg: PS256, key_file: x, issuer: i, audience: a}\nroutes: [{name: r, prefix: /r, service: b}]\n"))
	var ce *gateway.ConfigError
	if !errors.As(err, &ce) || ce.Key != "auth.alg" || ce.Line != 2 || !strings.Contains(ce.Msg, "EdDSA") {
		t.Errorf("ParseConfig(alg PS256) = %v, %v; want a line 2 auth.alg error listing EdDSA", cfg, err)
	}
}
