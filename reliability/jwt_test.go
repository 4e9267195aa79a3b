//go:build reliability

package reliability

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwtAttacks: a gateway verifying RS256 tokens against a JWKS endpoint, and
// every forged, stale or oversized token of issue 9's list. Each must be
// refused with 401 (431 where the header limit stops it first), never 5xx.
func jwtAttacks(t *testing.T, p profile, f *fig) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}}})
	jwksURL := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	up := newInstance(t)
	routes := fmt.Sprintf(`services: {api: {urls: [%q]}}
auth: {alg: RS256, jwks_url: %q, issuer: https://id.test, audience: shop}
routes: [{name: api, prefix: /api, service: api, auth: {mode: jwt}}]
`, up.url(), jwksURL+"/jwks.json")
	gw := startGateway(t, routes, nil)
	big := startGateway(t, "server: {max_header_bytes: 4194304}\n"+routes, nil)

	now := time.Now()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "https://id.test", "aud": "shop", "sub": "ada",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, k any, kid string, c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(m, c)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&key.PublicKey))})
	valid := sign(jwt.SigningMethodRS256, key, "k1", claims(nil))
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + b64([]byte(`{"iss":"https://id.test","aud":"shop","sub":"admin","exp":`+fmt.Sprint(now.Add(time.Hour).Unix())+`}`)) + "." + parts[2]
	huge := sign(jwt.SigningMethodRS256, key, "k1", claims(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 1<<20) }))

	cases := []struct {
		name   string
		target string
		token  string
		want   int
	}{
		{"valid token (control)", gw, valid, 200},
		{"no token", gw, "", 401},
		{"garbage", gw, "not.a.jwt", 401},
		{"alg none", gw, sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", claims(nil)), 401},
		{"HS256 signed with the RSA public key", gw, sign(jwt.SigningMethodHS256, pubPEM, "k1", claims(nil)), 401},
		{"expired", gw, sign(jwt.SigningMethodRS256, key, "k1", claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), 401},
		{"not yet valid (nbf in 1h)", gw, sign(jwt.SigningMethodRS256, key, "k1", claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })), 401},
		{"no exp", gw, sign(jwt.SigningMethodRS256, key, "k1", claims(func(c jwt.MapClaims) { delete(c, "exp") })), 401},
		{"wrong audience", gw, sign(jwt.SigningMethodRS256, key, "k1", claims(func(c jwt.MapClaims) { c["aud"] = "billing" })), 401},
		{"wrong issuer", gw, sign(jwt.SigningMethodRS256, key, "k1", claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.test" })), 401},
		{"unknown kid", gw, sign(jwt.SigningMethodRS256, other, "k2", claims(nil)), 401},
		{"right kid, wrong key", gw, sign(jwt.SigningMethodRS256, other, "k1", claims(nil)), 401},
		{"tampered payload", gw, tampered, 401},
		{"1 MiB token, default header limit", gw, huge, 431},
		{"1 MiB token, 4 MiB header limit", big, huge, 401},
	}
	c := client(1)
	for _, tc := range cases {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, tc.target+"/api/x", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		got, _, err := do(c, req)
		f.Add("%-40s → %d", tc.name, got)
		if got != tc.want {
			t.Errorf("%s: got %d (%v), want %d", tc.name, got, err, tc.want)
		}
		if got >= 500 || got == 0 {
			t.Errorf("%s: got %d, never want a 5xx or no answer", tc.name, got)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
